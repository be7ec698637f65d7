/*
 * sys_proc.c - system calls of processes, memory, signals, time and
 * identity (Linux x86_64 ABI; see syscall.h).
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "process.h"
#include "process_copy.h"
#include "thread_user.h"
#include "trace.h"
#include "thread.h"
#include "sched.h"
#include "cluster.h"
#include "core.h"
#include "boot_info.h"
#include "vfs.h"
#include "random.h"
#include "hal_user.h"
#include "cpu.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "printk.h"
#include "hal_cpu.h"
#include "futex.h"
#include "pgrp.h"
#include "uapi/fcntl.h"
#include "uapi/futex.h"
#include "uapi/mman.h"
#include "uapi/prctl.h"
#include "uapi/resource.h"
#include "uapi/sched.h"
#include "uapi/signal_defs.h"
#include "uapi/time.h"
#include "uapi/utsname.h"
#include "uapi/wait.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5


/* ---- processes ------------------------------------------------------------------ */

static int64_t sys_fork(ARGS) { return process_fork(syscall_frame(), 0); }

static int64_t sys_clone(ARGS)
{
    uint64_t flags = a0, stack = a1;

    if (flags & CLONE_THREAD)
        return process_clone_thread(syscall_frame(), flags, stack, a2, a3, a4);
    if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
        return -EINVAL;                  /* a shared address space without a thread */
    /* the process forms: fork, and vfork (posix_spawn) done as a fork on the given stack */
    return process_fork(syscall_frame(), stack);
}

static int64_t sys_execve(ARGS)
{
    return process_exec(syscall_frame(), a0, a1, a2);
}

static int64_t sys_exit(ARGS)
{
    process_thread_exit((int32_t)((a0 & 0xff) << 8), false);
}

static int64_t sys_exit_group(ARGS)
{
    process_exit((int32_t)((a0 & 0xff) << 8));
}

/*
 * The struct rusage of wait4(2) / waitid(2) at user address @ru (0: not
 * wanted): no CPU time or other resource is accounted per child yet, so
 * every field is 0 (documented in the report; Linux fills them).
 */
static int rusage_fill(uint64_t ru)
{
    krusage_t r;

    memset(&r, 0, sizeof(r));
    return ru && hal_copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

static int64_t sys_wait4(ARGS)
{
    int32_t status = 0;
    int64_t pid;

    if (a2 & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
        return -EINVAL;
    if (a1 && !hal_user_range_ok(a1, sizeof(status)))
        return -EFAULT;
    if ((int32_t)a0 == INT32_MIN)
        return -ESRCH;                   /* -INT_MIN is no group: kernel/exit.c, kernel_wait4 */
    pid = process_wait((int64_t)(int32_t)a0, &status, (uint32_t)a2);
    if (pid > 0 && a1 && hal_copy_to_user(a1, &status, sizeof(status)))
        return -EFAULT;                  /* Linux too: the child is reaped all the same */
    if (pid > 0 && rusage_fill(a3))
        return -EFAULT;
    return pid;
}

/*
 * waitid(2) (@a0 idtype, @a1 id, @a2 siginfo_t *, @a3 options, @a4 struct
 * rusage *), as Linux's kernel/exit.c: only si_signo, si_errno, si_code,
 * si_pid, si_uid and si_status are written (all 0 when WNOHANG finds
 * nothing); no pidfd exists here, so P_PIDFD is -EBADF as for an fd that
 * is not one.
 */
static int64_t sys_waitid(ARGS)
{
    uint32_t options = (uint32_t)a3;
    process_waited_t out = { 0 };
    ksiginfo_t info;
    int64_t want, rc;

    if (options & ~(uint32_t)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
                              __WNOTHREAD | __WCLONE | __WALL))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    switch (a0) {
    case P_ALL:
        want = PROCESS_WAIT_ANY;
        break;
    case P_PID:
        if ((int32_t)a1 <= 0)
            return -EINVAL;
        want = (int32_t)a1;
        break;
    case P_PGID:
        if ((int32_t)a1 < 0)
            return -EINVAL;
        want = (int32_t)a1 ? -(int64_t)(int32_t)a1 :
               -(int64_t)hal_remote_l32(PROCESS_FIELD(process_current_xp(), pgid));
        break;
    case P_PIDFD:
        return (int32_t)a1 < 0 ? -EINVAL : -EBADF;
    default:
        return -EINVAL;
    }
    rc = process_waitid(want, options, &out);
    if (rc < 0)
        return rc;
    if (rc > 0 && rusage_fill(a4))
        return -EFAULT;
    if (a2 == 0)
        return 0;
    memset(&info, 0, sizeof(info));
    if (rc > 0) {
        info.si_signo = SIGCHLD;
        info.si_code = out.code;
        info.u.chld.pid = (int32_t)out.pid;
        info.u.chld.status = out.si_status;
    }
    /* the six fields Linux writes: signo, errno, code, then pid, uid, status */
    if (hal_copy_to_user(a2, &info, offsetof(ksiginfo_t, u.chld.pad)))
        return -EFAULT;
    return 0;
}

static int64_t sys_kill(ARGS)
{
    if ((int32_t)a0 <= 0)                /* a group, or every process (pgrp.h) */
        return pgrp_kill((int64_t)(int32_t)a0, (int)a1);
    return process_kill((int64_t)(int32_t)a0, (int)a1);
}

/* tkill(2), tgkill(2): a thread-directed signal (signal_tgkill). */
static int64_t sys_tkill(ARGS)
{
    if ((int32_t)a0 <= 0)
        return -EINVAL;
    return signal_tgkill(-1, (int32_t)a0, (int)a1);
}

static int64_t sys_tgkill(ARGS)
{
    if ((int32_t)a0 <= 0)
        return -EINVAL;
    return signal_tgkill((int32_t)a0, (int32_t)a1, (int)a2);
}

static int64_t sys_gettid(ARGS) { return thread_current()->tid; }

/* set_robust_list(2): the head is walked when the thread exits (process_thread_exit). */
static int64_t sys_set_robust_list(ARGS)
{
    if (a1 != sizeof(krobust_list_head_t))
        return -EINVAL;
    thread_current()->robust_list = a0;
    return 0;
}

static int64_t sys_get_robust_list(ARGS)
{
    uint64_t len = sizeof(krobust_list_head_t), head = thread_current()->robust_list;

    if (a0 != 0 && (uint32_t)a0 != thread_current()->tid)
        return -EPERM;                   /* other threads' lists are not readable here */
    if (hal_copy_to_user(a1, &head, sizeof(head)) || hal_copy_to_user(a2, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

static int64_t sys_futex(ARGS)
{
    return futex_syscall(a0, a1, a2, a3, a4, a5);
}

/* Bytes of the kernel's CPU mask (Linux: cpumask_size(), whole longs of nr_cpu_ids bits). */
static uint64_t cpumask_bytes(void)
{
    return (boot_info.topo.ncores + 63) / 64 * 8;
}

static int64_t sys_sched_setaffinity(ARGS)
{
    uint64_t mask[CPU_SET_WORDS];
    uint64_t n = a1 < sizeof(mask) ? a1 : sizeof(mask);

    memset(mask, 0, sizeof(mask));
    if (hal_copy_from_user(mask, a2, n))
        return -EFAULT;
    return process_set_affinity((uint32_t)a0, mask, CPU_SET_WORDS);
}

static int64_t sys_sched_getaffinity(ARGS)
{
    uint64_t mask[CPU_SET_WORDS];
    uint64_t n = cpumask_bytes();
    int rc;

    if (a1 * 8 < boot_info.topo.ncores || (a1 & 7))
        return -EINVAL;                  /* as Linux: too small, or not whole longs */
    rc = process_get_affinity((uint32_t)a0, mask, CPU_SET_WORDS);
    if (rc)
        return rc;
    if (n > a1)
        n = a1;
    if (hal_copy_to_user(a2, mask, n))
        return -EFAULT;
    return (int64_t)n;
}

static int64_t sys_getpid(ARGS)  { return process_current_pid(); }

static int64_t sys_getppid(ARGS)
{
    return hal_remote_l32(PROCESS_FIELD(process_current_xp(), ppid));
}

static int64_t sys_set_tid_address(ARGS)
{
    thread_current()->clear_child_tid = a0;
    return thread_current()->tid;
}

static int64_t sys_arch_prctl(ARGS)
{
    thread_t *t = thread_current();

    switch (a0) {
    case ARCH_SET_FS:
        if (!hal_user_range_ok(a1, 0) && a1 != USER_END)
            return -EPERM;               /* Linux: a kernel address is refused */
        t->fs_base = a1;
        wrmsr(MSR_FS_BASE, a1);
        return 0;
    case ARCH_GET_FS:
        return hal_copy_to_user(a1, &t->fs_base, sizeof(t->fs_base));
    default:
        return -EINVAL;
    }
}

/* ---- memory ----------------------------------------------------------------------- */

static int64_t sys_brk(ARGS)
{
    return (int64_t)vmm_brk(process_current_vmm(), a0);
}

/* The flags mmap(2) knows besides the type (Linux's LEGACY_MAP_MASK, include/linux/mman.h). */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
                         MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |     \
                         MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

static int64_t sys_mmap(ARGS)
{
    uint64_t addr = a0, len = a1, prot = a2, flags = a3, off = a5;
    int fd = (int)a4;
    vfs_inode_t *ino = NULL;
    vfs_file_t *f = NULL;
    int64_t rc;

    /* Linux's order: the descriptor (ksys_mmap_pgoff), then do_mmap()'s length and type
     * checks, then the file's access mode (mm/mmap.c) */
    if (!(flags & MAP_ANONYMOUS)) {
        f = fd_get(process_current_fds(), fd);
        if (f == NULL)
            return -EBADF;
        ino = vfs_file_inode(f);
    }
    rc = 0;
    if (len == 0)
        rc = -EINVAL;
    else if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && ino &&
             (flags & ~(uint64_t)LEGACY_MAP_MASK))
        rc = -EOPNOTSUPP;                /* a flag the kernel would ignore */
    else if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE &&
             (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
        rc = -EINVAL;
    else if (f && (vfs_file_is_pipe(f) || vfs_file_is_tty(f) ||
                   (vfs_file_flags(f) & O_ACCMODE) == O_WRONLY))
        rc = -EACCES;
    if (rc) {
        if (f)
            vfs_file_put(f);
        return rc;
    }
    if (f && vfs_file_is_zero(f)) {
        ino = NULL;                      /* /dev/zero: anonymous memory (Linux's mmap_zero) */
    } else if (f && vfs_inode_mapper(ino) == NULL) {
        vfs_file_put(f);
        return -ENODEV;                  /* a device or generated file: no mmap */
    }
    if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
        flags = (flags & ~(uint64_t)MAP_TYPE) | MAP_SHARED;
    uint32_t vflags = ((flags & MAP_FIXED) ? VMM_MAP_FIXED : 0) |
                      ((flags & MAP_POPULATE) ? VMM_MAP_POPULATE : 0) |
                      ((flags & MAP_SHARED) ? VMM_MAP_SHARED : 0);

    if ((flags & MAP_SHARED) && ino && (prot & PROT_WRITE) &&
        (vfs_file_flags(f) & O_ACCMODE) != O_RDWR) {
        rc = -EACCES;                    /* man 2 mmap: a shared writable mapping needs O_RDWR */
    } else if ((flags & MAP_SHARED) && ino && vfs_inode_mapper(ino) == NULL) {
        rc = -ENODEV;                    /* not a regular file: nothing to share */
    } else if (flags & MAP_FIXED_NOREPLACE) {
        rc = vmm_mmap(process_current_vmm(), addr, len, (uint32_t)prot, vflags & ~VMM_MAP_FIXED,
                      ino, off);
        if (rc >= 0 && (uint64_t)rc != addr) {
            vmm_munmap(process_current_vmm(), (uint64_t)rc, len);
            rc = -EEXIST;
        }
    } else {
        rc = vmm_mmap(process_current_vmm(), addr, len, (uint32_t)prot, vflags, ino, off);
    }
    if (f)
        vfs_file_put(f);
    return rc;
}

static int64_t sys_munmap(ARGS)
{
    return vmm_munmap(process_current_vmm(), a0, a1);
}

static int64_t sys_mprotect(ARGS)
{
    return vmm_mprotect(process_current_vmm(), a0, a1, (uint32_t)a2);
}

/* ---- signals ---------------------------------------------------------------------- */

static int64_t sys_rt_sigaction(ARGS)
{
    int sig = (int)a0;
    ksigaction_t act, old;

    if (sig < 1 || sig > NSIG || a3 != NSIG / 8)
        return -EINVAL;                  /* a3: bytes of a sigset_t */
    if (a1 && hal_copy_from_user(&act, a1, sizeof(act)))
        return -EFAULT;
    if (a2) {
        signal_get_action(sig, &old);
        if (hal_copy_to_user(a2, &old, sizeof(old)))
            return -EFAULT;
    }
    if (a1) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        signal_set_action(sig, &act);
    }
    return 0;
}

static int64_t sys_rt_sigprocmask(ARGS)
{
    uint64_t set, old = signal_blocked();

    if (a3 != NSIG / 8)
        return -EINVAL;                  /* a3: bytes of a sigset_t */
    if (a1) {
        if (hal_copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
        if (signal_procmask(a0, set))
            return -EINVAL;
    }
    if (a2 && hal_copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

/* rt_sigpending(2): the pending signals the calling thread blocks. */
static int64_t sys_rt_sigpending(ARGS)
{
    uint64_t set = signal_pending_blocked();

    if (a1 > NSIG / 8)
        return -EINVAL;                  /* a1: bytes of a sigset_t (Linux: at most) */
    return hal_copy_to_user(a0, &set, a1) ? -EFAULT : 0;
}

/* rt_sigsuspend(2): waits for a signal with a temporary mask; -EINTR after a handler. */
static int64_t sys_rt_sigsuspend(ARGS)
{
    uint64_t mask;

    if (a1 != NSIG / 8)
        return -EINVAL;                  /* a1: bytes of a sigset_t */
    if (hal_copy_from_user(&mask, a0, sizeof(mask)))
        return -EFAULT;
    return signal_suspend(mask);
}

/* pause(2): waits for a signal; -EINTR after a handler. */
static int64_t sys_pause(ARGS)
{
    return signal_suspend(thread_current()->sig_blocked);
}

/* rt_sigreturn(2): back from a handler's frame (sigframe.c); a bad frame is a SIGSEGV. */
static int64_t sys_rt_sigreturn(ARGS)
{
    return sigframe_return(syscall_frame());
}

/* sigaltstack(2) */
static int64_t sys_sigaltstack(ARGS)
{
    kstack_t ss, old;
    int rc;

    if (a0 && hal_copy_from_user(&ss, a0, sizeof(ss)))
        return -EFAULT;
    rc = sigframe_altstack(a0 ? &ss : NULL, &old, syscall_frame()->rsp);
    if (rc == 0 && a1 && hal_copy_to_user(a1, &old, sizeof(old)))
        return -EFAULT;
    return rc;
}

/* rt_sigtimedwait(2): takes a pending signal of the set, waiting at most the timeout. */
static int64_t sys_rt_sigtimedwait(ARGS)
{
    uint64_t set, deadline = 0;
    ksiginfo_t info;
    ktimespec_t ts;
    int64_t sig;

    if (a3 != NSIG / 8)
        return -EINVAL;                  /* a3: bytes of a sigset_t */
    if (hal_copy_from_user(&set, a0, sizeof(set)))
        return -EFAULT;
    if (a2) {
        if (hal_copy_from_user(&ts, a2, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec == 0 && ts.tv_nsec == 0)
            deadline = 1;                /* a poll */
        else if (tsc_deadline(&ts, false, false, &deadline))
            return -EINVAL;
    }
    sig = signal_timedwait(set, &info, deadline);
    if (sig > 0 && a1 && hal_copy_to_user(a1, &info, sizeof(info)))
        return -EFAULT;
    return sig;
}

/* rt_sigqueueinfo(2): @a0 tgid, @a1 sig, @a2 siginfo_t * (signal_queueinfo). */
static int64_t sys_rt_sigqueueinfo(ARGS)
{
    ksiginfo_t info;

    if (hal_copy_from_user(&info, a2, sizeof(info)))
        return -EFAULT;
    return signal_queueinfo((int32_t)a0, -1, (int)a1, &info);
}

/* rt_tgsigqueueinfo(2): @a0 tgid, @a1 tid, @a2 sig, @a3 siginfo_t *. */
static int64_t sys_rt_tgsigqueueinfo(ARGS)
{
    ksiginfo_t info;

    if ((int32_t)a0 <= 0 || (int32_t)a1 <= 0)
        return -EINVAL;
    if (hal_copy_from_user(&info, a3, sizeof(info)))
        return -EFAULT;
    return signal_queueinfo((int32_t)a0, (int32_t)a1, (int)a2, &info);
}

/* ---- time ------------------------------------------------------------------------- */

static ktimespec_t time_since_boot(void)
{
    uint64_t cycles = rdtsc() - boot_info.boot_tsc, hz = boot_info.tsc_hz;
    ktimespec_t ts = { (int64_t)(cycles / hz), (int64_t)((cycles % hz) * 1000000000ull / hz) };

    return ts;
}

static int64_t sys_clock_gettime(ARGS)
{
    ktimespec_t ts;

    if (a0 > CLOCK_BOOTTIME)
        return -EINVAL;
    ts = time_since_boot();
    if (a0 == CLOCK_REALTIME || a0 == CLOCK_REALTIME_COARSE)
        ts.tv_sec += REALTIME_BOOT_SEC;
    return hal_copy_to_user(a1, &ts, sizeof(ts));
}

static int64_t sys_gettimeofday(ARGS)
{
    ktimespec_t ts = time_since_boot();
    ktimeval_t tv = { ts.tv_sec + (int64_t)REALTIME_BOOT_SEC, ts.tv_nsec / 1000 };

    if (a0 && hal_copy_to_user(a0, &tv, sizeof(tv)))
        return -EFAULT;
    if (a1) {
        ktimezone_t tz = { 0, 0 };
        if (hal_copy_to_user(a1, &tz, sizeof(tz)))
            return -EFAULT;
    }
    return 0;
}

static bool sleep_interrupted(const void *arg)
{
    (void)arg;
    return process_signal_pending();
}

/*
 * Sleeps until TSC @deadline. A signal ends it: the time left is written
 * to @rem (a user address; 0: not wanted) and the call returns
 * -ERESTART_RESTARTBLOCK (signal.h): -EINTR when a handler runs, else
 * (a stop and continue, a signal another thread took) restart_syscall(2)
 * sleeps on to the same deadline, as Linux's hrtimer_nanosleep restart.
 * @return 0, -ERESTART_RESTARTBLOCK, -EFAULT.
 */
static int64_t sleep_until(uint64_t deadline, uint64_t rem)
{
    uint64_t now, left, hz = boot_info.tsc_hz;
    thread_t *t = thread_current();
    ktimespec_t r;

    t->sig_restart_kind = SIG_RESTART_NONE;
    if (thread_sleep_until(deadline, sleep_interrupted, NULL))
        return 0;
    if (rem) {
        now = rdtsc();
        left = deadline > now ? deadline - now : 0;
        r.tv_sec = (int64_t)(left / hz);
        r.tv_nsec = (int64_t)((left % hz) * 1000000000ull / hz);
        if (hal_copy_to_user(rem, &r, sizeof(r)))
            return -EFAULT;
    }
    t->sig_restart_kind = SIG_RESTART_SLEEP;
    t->sig_restart_deadline = deadline;
    t->sig_restart_arg[0] = rem;
    return -ERESTART_RESTARTBLOCK;
}

/*
 * Sleeps @ts (relative, or absolute on @clock when @abs), as sleep_until;
 * an absolute sleep is simply restarted with its arguments (Linux:
 * -ERESTARTNOHAND) and writes no time left (nanosleep(2),
 * clock_nanosleep(2)). @return 0, -EINTR (a handler ran), -EFAULT, -EINVAL.
 */
static int64_t sleep_for(const ktimespec_t *ts, bool abs, uint64_t clock, uint64_t rem)
{
    uint64_t deadline;
    int rc = tsc_deadline(ts, abs, clock == CLOCK_REALTIME, &deadline);

    if (rc)
        return rc;
    if (abs)
        return thread_sleep_until(deadline, sleep_interrupted, NULL) ? 0 : -ERESTARTNOHAND;
    return sleep_until(deadline, rem);
}

/*
 * restart_syscall(2): goes on with the timed wait a signal without handler
 * (a stop) interrupted: a sleep (sleep_until) or a futex wait
 * (futex_wait_restart); nothing to restart: -EINTR (Linux's
 * do_no_restart_syscall).
 */
static int64_t sys_restart_syscall(ARGS)
{
    thread_t *t = thread_current();
    uint32_t kind = t->sig_restart_kind;

    t->sig_restart_kind = SIG_RESTART_NONE;
    if (kind == SIG_RESTART_SLEEP)
        return sleep_until(t->sig_restart_deadline, t->sig_restart_arg[0]);
    if (kind == SIG_RESTART_FUTEX)
        return futex_wait_restart();
    return -EINTR;
}

static int64_t sys_nanosleep(ARGS)
{
    ktimespec_t ts;

    if (hal_copy_from_user(&ts, a0, sizeof(ts)))
        return -EFAULT;
    if (a1 && !hal_user_range_ok(a1, sizeof(ts)))
        return -EFAULT;
    return sleep_for(&ts, false, CLOCK_MONOTONIC, a1);
}

static int64_t sys_clock_nanosleep(ARGS)
{
    ktimespec_t ts;

    if (a0 != CLOCK_REALTIME && a0 != CLOCK_MONOTONIC && a0 != CLOCK_BOOTTIME)
        return -EINVAL;
    if (hal_copy_from_user(&ts, a2, sizeof(ts)))
        return -EFAULT;
    return sleep_for(&ts, a1 & TIMER_ABSTIME, a0, a3);
}

static int64_t sys_sched_yield(ARGS)
{
    sched_yield();
    return 0;
}

/* ---- system information ---------------------------------------------------------- */

static int64_t sys_uname(ARGS)
{
    kutsname_t u;

    memset(&u, 0, sizeof(u));
    snprintf(u.sysname, sizeof(u.sysname), "Archipel");
    snprintf(u.nodename, sizeof(u.nodename), "archipel");
    /* "6.1.0-archipel-<version>": programs read the release as the Linux version whose ABI
     * the kernel provides (LTP's tst_kvercmp, glibc's minimum-kernel check parse "%d.%d.%d");
     * Archipel's is Linux 6.1's, the kernel make bench-linux and make ltp-linux compare with */
    snprintf(u.release, sizeof(u.release), "6.1.0-archipel-%s", ARCHIPEL_VERSION);
    snprintf(u.version, sizeof(u.version), "#1 SMP %u clusters", boot_info.topo.nclusters);
    snprintf(u.machine, sizeof(u.machine), "x86_64");
    snprintf(u.domainname, sizeof(u.domainname), "(none)");
    return hal_copy_to_user(a0, &u, sizeof(u));
}

static int64_t sys_getcpu(ARGS)
{
    core_t *core = core_self();
    uint32_t cpu = core->gid, node = core->cxy;

    if (a0 && hal_copy_to_user(a0, &cpu, sizeof(cpu)))
        return -EFAULT;
    if (a1 && hal_copy_to_user(a1, &node, sizeof(node)))
        return -EFAULT;
    return 0;
}

static int64_t sys_getrandom(ARGS)
{
    return random_getrandom(a0, a1, a2);     /* random.h */
}

/* ---- Archipel's private calls (user/include/archipel.h) ------------------------------ */

static int64_t sys_archipel_fork_place(ARGS)
{
    int64_t cxy = (int32_t)a0;

    if (cxy < ARCHIPEL_PLACE_DQDT || cxy >= (int64_t)boot_info.topo.nclusters)
        return -EINVAL;
    hal_remote_s32(PROCESS_FIELD(process_current_xp(), fork_place), (uint32_t)(int32_t)cxy);
    return 0;
}

static int64_t sys_archipel_poweroff(ARGS)
{
    if (process_current_pid() != 1)
        return -EPERM;
    printk("poweroff: requested by init, status %lu", a0 & 0xff);
    trace_drain_final();
    hal_poweroff((uint32_t)(a0 & 0xff));
    return 0;
}

static int64_t sys_archipel_counters(ARGS)
{
    xptr_t p = process_current_xp();
    archipel_counters_t c;
    process_counters_t v;
    uint32_t n = boot_info.topo.nclusters;

    memset(&c, 0, sizeof(c));
    process_counters(p, &v);
    c.faults_local  = v.faults[TRACE_FAULT_LOCAL];
    c.faults_global = v.faults[TRACE_FAULT_GLOBAL];
    c.faults_false  = v.faults[TRACE_FAULT_FALSE];
    c.faults_cow    = v.faults[TRACE_FAULT_COW];
    c.owner_cxy     = process_current_pid() >> 16;
    c.ref_cxy       = GET_CXY(p);
    c.copies        = v.copies;
    for (uint32_t from = 0; from < n; from++) {
        c.rpcs += hal_remote_l64(XPTR(from, &cluster_tbl[from]->rpc_fifo.posted));
        c.shootdowns += hal_remote_l64(XPTR(from, &cluster_tbl[from]->shootdowns));
        for (uint32_t to = 0; to < n; to++)
            c.remote_accesses += hal_remote_count(from, to);
    }
    return hal_copy_to_user(a0, &c, sizeof(c));
}

static int64_t sys_archipel_nclusters(ARGS)
{
    return boot_info.topo.nclusters;
}

void sys_proc_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(mmap);
    SYSCALL_ENTRY(mprotect);
    SYSCALL_ENTRY(munmap);
    SYSCALL_ENTRY(brk);
    SYSCALL_ENTRY(rt_sigaction);
    SYSCALL_ENTRY(rt_sigprocmask);
    SYSCALL_ENTRY(rt_sigreturn);
    SYSCALL_ENTRY(rt_sigpending);
    SYSCALL_ENTRY(rt_sigsuspend);
    SYSCALL_ENTRY(rt_sigtimedwait);
    SYSCALL_ENTRY(rt_sigqueueinfo);
    SYSCALL_ENTRY(rt_tgsigqueueinfo);
    SYSCALL_ENTRY(pause);
    SYSCALL_ENTRY(sigaltstack);
    SYSCALL_ENTRY(sched_yield);
    SYSCALL_ENTRY(nanosleep);
    SYSCALL_ENTRY(restart_syscall);
    SYSCALL_ENTRY(getpid);
    SYSCALL_ENTRY(clone);
    SYSCALL_ENTRY(fork);
    SYSCALL_ENTRY_AS(vfork, fork);       /* a fork (POSIX allows it) */
    SYSCALL_ENTRY(execve);
    SYSCALL_ENTRY(exit);
    SYSCALL_ENTRY(wait4);
    SYSCALL_ENTRY(waitid);
    SYSCALL_ENTRY(kill);
    SYSCALL_ENTRY(uname);
    SYSCALL_ENTRY(gettimeofday);
    SYSCALL_ENTRY(getppid);
    SYSCALL_ENTRY(arch_prctl);
    SYSCALL_ENTRY(gettid);
    SYSCALL_ENTRY(futex);
    SYSCALL_ENTRY(sched_setaffinity);
    SYSCALL_ENTRY(sched_getaffinity);
    SYSCALL_ENTRY(tkill);
    SYSCALL_ENTRY(set_tid_address);
    SYSCALL_ENTRY(clock_gettime);
    SYSCALL_ENTRY(clock_nanosleep);
    SYSCALL_ENTRY(exit_group);
    SYSCALL_ENTRY(set_robust_list);
    SYSCALL_ENTRY(get_robust_list);
    SYSCALL_ENTRY(tgkill);
    SYSCALL_ENTRY(getcpu);
    SYSCALL_ENTRY(getrandom);
}

void sys_proc_register_archipel(syscall_entry_t *table)
{
    SYSCALL_ENTRY_ARCHIPEL(fork_place);
    SYSCALL_ENTRY_ARCHIPEL(poweroff);
    SYSCALL_ENTRY_ARCHIPEL(counters);
    SYSCALL_ENTRY_ARCHIPEL(nclusters);
}
