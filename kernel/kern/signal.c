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
#include "cpu.h"
#include "printk.h"
#include "uapi/errno.h"
#include "vfs.h"

void signal_fork_copy(process_t *child, xptr_t parent_xp)
{
    process_t *parent = GET_PTR(parent_xp);
    uint32_t pcxy = GET_CXY(parent_xp);

    hal_remote_memcpy(XPTR(local_cxy(), child->sigaction), XPTR(pcxy, parent->sigaction),
                      sizeof(child->sigaction));
    child->sig_blocked = hal_remote_l64(XPTR(pcxy, &parent->sig_blocked));
}

void signal_get_action(int sig, ksigaction_t *act)
{
    hal_remote_memcpy(XPTR(local_cxy(), act),
                      PROCESS_FIELD(process_current_xp(), sigaction[sig - 1]), sizeof(*act));
}

void signal_set_action(int sig, const ksigaction_t *act)
{
    hal_remote_memcpy(PROCESS_FIELD(process_current_xp(), sigaction[sig - 1]),
                      XPTR(local_cxy(), act), sizeof(*act));
}

uint64_t signal_blocked(void)
{
    return hal_remote_l64(PROCESS_FIELD(process_current_xp(), sig_blocked));
}

int signal_procmask(uint64_t how, uint64_t set)
{
    xptr_t blocked = PROCESS_FIELD(process_current_xp(), sig_blocked);
    uint64_t mask = hal_remote_l64(blocked);

    set &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
    switch (how) {
    case SIG_BLOCK:   mask |= set; break;
    case SIG_UNBLOCK: mask &= ~set; break;
    case SIG_SETMASK: mask = set; break;
    default:          return -EINVAL;
    }
    hal_remote_s64(blocked, mask);
    return 0;
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
        pid = pid == 0 || pid == -1 ? (int64_t)process_current_pid() : -pid;
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

    if (running)
        hal_remote_atomic_or64(XPTR(cxy, &p->sig_pending), 1ull << (sig - 1));
    remote_busylock_release(process_tree_lock());
    if (running)
        process_wake_all(xp);            /* every thread, in every cluster, sees it */
    return 0;
}

bool process_signal_pending(void)
{
    xptr_t ref_xp = process_current_xp();

    return ref_xp != XPTR_NULL && hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending)) != 0;
}

bool vfs_interrupted(void)
{
    return process_signal_pending();
}

void signal_deliver(void)
{
    xptr_t ref_xp = process_current_xp();
    uint64_t pending;

    if (ref_xp == XPTR_NULL)
        return;
    pending = hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending));
    if (pending) {
        irq_enable();
        /* the lowest pending signal ends the process (default actions only) */
        process_exit(__builtin_ctzll(pending) + 1);
    }
}

void process_fault_kill(trap_frame_t *frame, int sig, uint64_t addr)
{
    process_t *p = process_copy_current();             /* pid and name: the reference's */

    printk("pid %u (%s) %s at 0x%lx ip 0x%lx cluster %u", p->pid, p->name,
           sig == SIGSEGV ? "segfault" : sig == SIGILL ? "illegal instruction" :
           sig == SIGFPE ? "arithmetic exception" : "trap", addr, frame->rip, local_cxy());
    irq_enable();
    process_exit(sig);
}
