/*
 * signal.c - signal state, sending, and taking a signal at return to user
 * mode (see signal.h).
 */
#include "signal.h"
#include "process.h"
#include "process_copy.h"
#include "thread_user.h"
#include "thread.h"
#include "cluster.h"
#include "trap.h"
#include "hal_cpu.h"
#include "cpu.h"
#include "printk.h"
#include "kerrno.h"
#include "vfs.h"

void signal_fork_copy(process_t *child, xptr_t parent_xp)
{
    process_t *parent = GET_PTR(parent_xp);
    uint32_t pcxy = GET_CXY(parent_xp);

    hal_remote_memcpy(XPTR(local_cxy(), child->sigaction), XPTR(pcxy, parent->sigaction),
                      sizeof(child->sigaction));
    child->sig_blocked = hal_remote_l64(XPTR(pcxy, &parent->sig_blocked));
}

static bool sig_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

int process_kill(int64_t pid, int sig)
{
    xptr_t xp;
    process_t *p;
    uint32_t cxy;

    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (pid <= 0)
        pid = pid == 0 || pid == -1 ? (int64_t)process_current()->pid : -pid;
    xp = process_lookup((uint32_t)pid);
    if (xp == XPTR_NULL)
        return -ESRCH;
    if (sig == 0)
        return 0;
    p = GET_PTR(xp);
    cxy = GET_CXY(xp);
    if (sig != SIGKILL) {
        uint64_t handler = hal_remote_l64(XPTR(cxy, &p->sigaction[sig - 1].handler));

        if (handler == SIG_IGN || (handler == SIG_DFL && sig_default_ignored(sig)))
            return 0;
    }
    remote_busylock_acquire(process_tree_lock());
    bool running = hal_remote_l32(XPTR(cxy, &p->state)) == PROCESS_RUNNING;

    if (running)    /* a 64-bit remote OR: the direct map makes it one locked instruction */
        __atomic_or_fetch(&p->sig_pending, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
    remote_busylock_release(process_tree_lock());
    if (running)
        process_wake_all(xp);            /* every thread, in every cluster, sees it */
    return 0;
}

bool process_signal_pending(void)
{
    process_t *p = process_current();

    return p && __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) != 0;
}

bool vfs_interrupted(void)
{
    return process_signal_pending();
}

void hal_user_return(trap_frame_t *frame)
{
    process_t *p = process_current();
    thread_t *t = thread_current();
    uint64_t pending;

    if (p == NULL)
        return;
    pending = __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE);
    if (pending) {
        irq_enable();
        /* the lowest pending signal ends the process (default actions only) */
        process_exit(__builtin_ctzll(pending) + 1);
    }
    if (t->migrate) {
        irq_enable();
        thread_user_migrate(frame);
        irq_disable();
    }
}

void process_fault_kill(trap_frame_t *frame, int sig, uint64_t addr)
{
    process_t *p = process_current();

    printk("pid %u (%s) %s at 0x%lx ip 0x%lx cluster %u", p->pid, p->name,
           sig == SIGSEGV ? "segfault" : sig == SIGILL ? "illegal instruction" :
           sig == SIGFPE ? "arithmetic exception" : "trap", addr, frame->rip, local_cxy());
    irq_enable();
    process_exit(sig);
}
