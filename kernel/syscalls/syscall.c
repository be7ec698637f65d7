/*
 * syscall.c - system-call dispatch (see syscall.h).
 */
#include "syscall.h"
#include "thread.h"
#include "process.h"
#include "printk.h"
#include "uapi/errno.h"
#include "hal_user.h"

static syscall_entry_t syscall_table[SYSCALL_MAX];
static syscall_entry_t archipel_table[SYS_ARCHIPEL_END - SYS_ARCHIPEL_BASE];
static uint8_t syscall_warned[SYSCALL_MAX / 8];  /* -ENOSYS already logged (a hint, racy is fine) */

/* The Linux name of every x86_64 system call, by number (NULL in the holes of the list). */
static const char *const syscall_names[] = {
#define __SYSCALL(nr, name) [nr] = #name,
#include "uapi/syscall_64.h"
#undef __SYSCALL
};
_Static_assert(sizeof(syscall_names) / sizeof(syscall_names[0]) <= SYSCALL_MAX,
               "a Linux number at or above SYSCALL_MAX");

/* The Linux name of call @nr, for the one-time log line; "?" if Linux has no such call. */
static const char *syscall_unknown_name(uint64_t nr)
{
    if (nr < sizeof(syscall_names) / sizeof(syscall_names[0]) && syscall_names[nr] != NULL)
        return syscall_names[nr];
    return "?";
}

void syscall_init(void)
{
    sys_fs_register(syscall_table);
    sys_proc_register(syscall_table);
    sys_pgrp_register(syscall_table);
    sys_attr_register(syscall_table);
    sys_cred_register(syscall_table);
    sys_rlimit_register(syscall_table);
    sys_mm_register(syscall_table);
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

    f->error = nr;                       /* Linux's orig_rax: a restart needs it (signal.h) */
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
