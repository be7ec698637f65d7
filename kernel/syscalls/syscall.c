/*
 * syscall.c - system-call dispatch (see syscall.h).
 */
#include "syscall.h"
#include "thread.h"
#include "process.h"
#include "printk.h"
#include "kerrno.h"
#include "hal_user.h"

static syscall_entry_t syscall_table[SYSCALL_MAX];
static syscall_entry_t archipel_table[SYS_ARCHIPEL_END - SYS_ARCHIPEL_BASE];
static uint8_t syscall_warned[SYSCALL_MAX / 8];  /* -ENOSYS already logged (a hint, racy is fine) */

/* Linux names of the calls we do not implement, for the one-time log line. */
static const char *syscall_unknown_name(uint64_t nr)
{
    static const struct { uint16_t nr; const char *name; } names[] = {
        { 7, "poll" }, { 17, "pread64" }, { 18, "pwrite64" }, { 21, "access" },
        { 23, "select" }, { 25, "mremap" }, { 28, "madvise" }, { 34, "pause" },
        { 37, "alarm" }, { 38, "setitimer" }, { 41, "socket" }, { 74, "fsync" },
        { 77, "ftruncate" }, { 82, "rename" }, { 89, "readlink" }, { 90, "chmod" },
        { 95, "umask" }, { 98, "getrusage" }, { 99, "sysinfo" }, { 100, "times" },
        { 131, "sigaltstack" }, { 202, "futex" }, { 203, "sched_setaffinity" },
        { 204, "sched_getaffinity" }, { 267, "readlinkat" }, { 269, "faccessat" },
        { 270, "pselect6" }, { 271, "ppoll" }, { 273, "set_robust_list" },
        { 332, "statx" }, { 334, "rseq" }, { 439, "faccessat2" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].nr == nr)
            return names[i].name;
    return "?";
}

void syscall_init(void)
{
    sys_fs_register(syscall_table);
    sys_proc_register(syscall_table);
    sys_proc_register_archipel(archipel_table);
}

trap_frame_t *syscall_frame(void)
{
    return thread_user_frame(thread_current());
}

void syscall_dispatch(trap_frame_t *f)
{
    uint64_t nr = f->rax;
    const syscall_entry_t *e = NULL;

    if (nr < SYSCALL_MAX)
        e = &syscall_table[nr];
    else if (nr >= SYS_ARCHIPEL_BASE && nr < SYS_ARCHIPEL_END)
        e = &archipel_table[nr - SYS_ARCHIPEL_BASE];
    if (e == NULL || e->fn == NULL) {
        if (nr < SYSCALL_MAX && !(syscall_warned[nr / 8] & (1u << (nr % 8)))) {
            syscall_warned[nr / 8] |= 1u << (nr % 8);
            printk("syscall: %lu (%s) is not implemented: -ENOSYS (pid %u, %s)", nr,
                   syscall_unknown_name(nr), process_current_pid(), process_copy_current()->name);
        }
        f->rax = (uint64_t)-ENOSYS;
        return;
    }
    f->rax = (uint64_t)e->fn(f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9);
}
