/*
 * signal.c - signal state, sending, and taking a signal at return to user
 * mode (see signal.h; the handler's frame is sigframe.c).
 */
#include "signal.h"
#include "process.h"
#include "process_copy.h"
#include "thread_user.h"
#include "thread.h"
#include "cluster.h"
#include "core.h"
#include "ipi.h"
#include "pid.h"
#include "trace.h"
#include "trap.h"
#include "hal_user.h"
#include "cpu.h"
#include "printk.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "vfs.h"
#include "pgrp.h"
#include "uapi/unistd_64.h"

#define THREAD_FIELD(xp, f) XPTR(GET_CXY(xp), &((thread_t *)GET_PTR(xp))->f)

/* ---- the set logic ---------------------------------------------------------------- */

/* The signal of @set to take first: a synchronous one, else the lowest; 0 if @set is empty. */
static int first_of(uint64_t set)
{
    uint64_t sync = set & SIG_SYNCHRONOUS;

    if (sync)
        set = sync;
    return set ? __builtin_ctzll(set) + 1 : 0;
}

int signal_next(uint64_t own, uint64_t shared, uint64_t blocked, bool *from_own)
{
    int sig;

    blocked &= ~SIG_UNBLOCKABLE;
    sig = first_of(own & ~blocked);
    *from_own = sig != 0;
    return sig ? sig : first_of(shared & ~blocked);
}

int signal_mask_change(uint64_t how, uint64_t set, uint64_t *mask)
{
    uint64_t m = *mask;

    switch (how) {
    case SIG_BLOCK:   m |= set; break;
    case SIG_UNBLOCK: m &= ~set; break;
    case SIG_SETMASK: m = set; break;
    default:          return -EINVAL;
    }
    *mask = m & ~SIG_UNBLOCKABLE;
    return 0;
}

uint64_t signal_handler_mask(uint64_t blocked, const ksigaction_t *act, int sig)
{
    blocked |= act->mask | ((act->flags & SA_NODEFER) ? 0 : SIG_BIT(sig));
    return blocked & ~SIG_UNBLOCKABLE;
}

/* ---- state ------------------------------------------------------------------------ */

void signal_fork_copy(process_t *child, xptr_t parent_xp)
{
    process_t *parent = GET_PTR(parent_xp);
    uint32_t pcxy = GET_CXY(parent_xp);

    hal_remote_memcpy(XPTR(local_cxy(), child->sigaction), XPTR(pcxy, parent->sigaction),
                      sizeof(child->sigaction));
}

/* Linux's default action is "ignore" (man 7 signal; SIGCONT's "continue": signal_jobctl_send). */
static bool sig_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static bool action_ignores(const ksigaction_t *act, int sig)
{
    return act->handler == SIG_IGN || (act->handler == SIG_DFL && sig_default_ignored(sig));
}

void signal_get_action(int sig, ksigaction_t *act)
{
    hal_remote_memcpy(XPTR(local_cxy(), act),
                      PROCESS_FIELD(process_current_xp(), sigaction[sig - 1]), sizeof(*act));
}

void signal_set_action(int sig, const ksigaction_t *act)
{
    xptr_t ref_xp = process_current_xp();

    hal_remote_memcpy(PROCESS_FIELD(ref_xp, sigaction[sig - 1]), XPTR(local_cxy(), act),
                      sizeof(*act));
    if (action_ignores(act, sig)) {
        /* POSIX: pending instances are discarded (the other threads' own: left) */
        hal_remote_atomic_and64(PROCESS_FIELD(ref_xp, sig_pending), ~SIG_BIT(sig));
        __atomic_fetch_and(&thread_current()->sig_pending, ~SIG_BIT(sig), __ATOMIC_ACQ_REL);
        signal_queue_flush(ref_xp, 0, SIG_BIT(sig));
        signal_queue_flush(ref_xp, thread_current()->tid, SIG_BIT(sig));
    }
}

uint64_t signal_blocked(void)
{
    return thread_current()->sig_blocked;
}

int signal_procmask(uint64_t how, uint64_t set)
{
    thread_t *t = thread_current();
    uint64_t old = t->sig_blocked;
    int rc = signal_mask_change(how, set, &t->sig_blocked);

    if (rc == 0 && (t->sig_blocked & ~old))
        signal_retarget(t->sig_blocked & ~old);
    return rc;
}

/* Signals pending for the calling thread @t of the process @ref_xp (its own and the process's). */
static uint64_t pending_of(thread_t *t, xptr_t ref_xp)
{
    return t->sig_pending | hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending));
}

uint64_t signal_pending_blocked(void)
{
    thread_t *t = thread_current();

    return pending_of(t, process_current_xp()) & t->sig_blocked;
}

/* Makes thread @t_xp notice a new signal: woken if it sleeps, its core interrupted. */
void signal_kick(xptr_t t_xp)
{
    core_t *core = (core_t *)hal_remote_l64(THREAD_FIELD(t_xp, core));

    thread_unblock(t_xp, THREAD_BLOCKED_SLEEP);
    if (core != core_self())
        ipi_send(core, VEC_WAKE);        /* running in user mode: it enters the kernel */
}

/* The sender as sig_from records it. */
static uint64_t sender_word(int32_t code)
{
    xptr_t me = process_current_xp();
    uint32_t pid = me == XPTR_NULL ? 0 : process_current_pid();

    return pid | (uint64_t)(uint32_t)code << 32;
}

/* Process-directed: the first thread that does not block the signal is kicked. */
typedef struct pick_s {
    uint64_t bit;
    xptr_t   picked;
} pick_t;

static void pick_thread(xptr_t t_xp, void *arg)
{
    pick_t *pk = arg;

    if (pk->picked != XPTR_NULL || (hal_remote_l64(THREAD_FIELD(t_xp, sig_blocked)) & pk->bit) ||
        hal_remote_l32(THREAD_FIELD(t_xp, sig_moving)))
        return;
    pk->picked = t_xp;
    signal_kick(t_xp);                   /* under the copies lock: it cannot go meanwhile */
}

void signal_retarget(uint64_t set)
{
    xptr_t ref_xp = process_current_xp();
    uint64_t shared;

    if (ref_xp == XPTR_NULL)
        return;
    shared = hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending)) & set & ~SIG_UNBLOCKABLE;
    while (shared) {
        pick_t pk = { shared & -shared, XPTR_NULL };

        process_foreach_thread(ref_xp, pick_thread, &pk);
        shared &= shared - 1;
    }
}

/* The siginfo of a plain send (kill, tkill, tgkill) from the caller with si_code @code. */
static sigq_entry_t plain_info(int sig, uint32_t tid, int32_t code)
{
    uint64_t from = sender_word(code);
    sigq_entry_t e = { .tid = tid, .sig = sig, .code = code, .a = (uint32_t)from };

    return e;
}

/* Should this send queue an entry (signal.h, "The queue of signals")? */
static bool send_queues(int sig, const sigq_entry_t *e)
{
    return sig >= SIGRTMIN || e != NULL;
}

int signal_send_process(int64_t pid, int sig, const sigq_entry_t *e, bool must_queue)
{
    ksigaction_t act;
    sigq_entry_t info;
    xptr_t xp;
    process_t *p;
    uint32_t cxy;
    int rc = 0;

    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (pid <= 0)
        return -ESRCH;                   /* groups and every process: pgrp_kill() */
    xp = process_lookup((uint32_t)pid);
    if (xp == XPTR_NULL)
        return -ESRCH;
    if (sig == 0)
        return 0;
    p = GET_PTR(xp);
    cxy = GET_CXY(xp);
    signal_jobctl_send(xp, sig);         /* SIGCONT resumes even when blocked or ignored */
    hal_remote_memcpy(XPTR(local_cxy(), &act), XPTR(cxy, &p->sigaction[sig - 1]), sizeof(act));
    if (sig != SIGKILL && action_ignores(&act, sig))
        return 0;
    info = e ? *e : plain_info(sig, 0, SI_USER);
    info.tid = 0;
    info.sig = sig;
    remote_busylock_acquire(process_tree_lock());
    bool running = hal_remote_l32(XPTR(cxy, &p->state)) == PROCESS_RUNNING;

    if (running) {
        hal_remote_s64(XPTR(cxy, &p->sig_from[sig - 1]),
                       info.a | (uint64_t)(uint32_t)info.code << 32);
        if (send_queues(sig, e))
            rc = signal_queue_send(xp, XPTR(cxy, &p->sig_pending), &info, must_queue);
        else
            hal_remote_atomic_or64(XPTR(cxy, &p->sig_pending), SIG_BIT(sig));
    }
    remote_busylock_release(process_tree_lock());
    if (!running || rc)
        return rc;
    trace(TRACE_SIGNAL, (uint16_t)sig, sender_word(0) | (uint64_t)local_cxy() << 48,
          (uint64_t)pid | (uint64_t)cxy << 48);
    if (sig == SIGKILL) {
        process_wake_all(xp);            /* every thread, in every cluster, ends */
    } else {
        pick_t pk = { SIG_BIT(sig), XPTR_NULL };

        process_foreach_thread(xp, pick_thread, &pk);
    }
    return 0;
}

int process_kill(int64_t pid, int sig)
{
    return signal_send_process(pid, sig, NULL, false);
}

bool signal_child_autoreap(xptr_t parent_xp)
{
    ksigaction_t act;

    hal_remote_memcpy(XPTR(local_cxy(), &act), PROCESS_FIELD(parent_xp, sigaction[SIGCHLD - 1]),
                      sizeof(act));
    return act.handler == SIG_IGN || (act.flags & SA_NOCLDWAIT);
}

void signal_child_post(xptr_t parent_xp, uint32_t child_pid, int32_t code, int32_t status)
{
    ksigaction_t act;
    pick_t pk = { SIG_BIT(SIGCHLD), XPTR_NULL };
    bool running;

    hal_remote_memcpy(XPTR(local_cxy(), &act), PROCESS_FIELD(parent_xp, sigaction[SIGCHLD - 1]),
                      sizeof(act));
    if (action_ignores(&act, SIGCHLD))
        return;
    if ((code == CLD_STOPPED || code == CLD_CONTINUED) && (act.flags & SA_NOCLDSTOP))
        return;                          /* man 2 sigaction */
    remote_busylock_acquire(process_tree_lock());
    running = hal_remote_l32(PROCESS_FIELD(parent_xp, state)) == PROCESS_RUNNING;
    if (running) {
        hal_remote_s64(PROCESS_FIELD(parent_xp, sig_from[SIGCHLD - 1]),
                       child_pid | (uint64_t)(uint32_t)code << 32);
        hal_remote_s32(PROCESS_FIELD(parent_xp, sig_chld_status), (uint32_t)status);
        hal_remote_atomic_or64(PROCESS_FIELD(parent_xp, sig_pending), SIG_BIT(SIGCHLD));
    }
    remote_busylock_release(process_tree_lock());
    if (!running)
        return;
    trace(TRACE_SIGNAL, SIGCHLD, (uint64_t)child_pid | (uint64_t)local_cxy() << 48,
          (uint64_t)hal_remote_l32(PROCESS_FIELD(parent_xp, pid)) |
          (uint64_t)GET_CXY(parent_xp) << 48);
    process_foreach_thread(parent_xp, pick_thread, &pk);
}

void signal_child_ended(xptr_t parent_xp, uint32_t child_pid, int32_t wait_status)
{
    if (wait_status & 0x7f)
        signal_child_post(parent_xp, child_pid, (wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED,
                          wait_status & 0x7f);
    else
        signal_child_post(parent_xp, child_pid, CLD_EXITED, (wait_status >> 8) & 0xff);
}

/*
 * tgkill: every thread_t with that TID, under its process's copies lock:
 * normally one; two for a moment while a thread migrates
 * (thread_user_migrate), and then both get the bit, the old one forwarding
 * what it holds to the new one once that one is linked (signal_forward).
 * A standard signal set twice is still one signal; a queued entry is
 * made once (it names the TID, which both share).
 */
typedef struct tsend_s {
    xptr_t       ref;
    uint32_t     tid;
    int          sig;
    bool         found;
    bool         queue;                  /* an entry is to be queued (not yet done) */
    bool         must;
    int          rc;
    sigq_entry_t info;
} tsend_t;

/* Records @sig from the sender word @from for thread @t_xp (any cluster) and kicks it. */
static void send_to_thread(xptr_t t_xp, int sig, uint64_t from)
{
    hal_remote_s64(THREAD_FIELD(t_xp, sig_from[sig - 1]), from);
    hal_remote_atomic_or64(THREAD_FIELD(t_xp, sig_pending), SIG_BIT(sig));
    signal_kick(t_xp);
}

static void send_to_tid(xptr_t t_xp, void *arg)
{
    tsend_t *ts = arg;
    uint64_t from = ts->info.a | (uint64_t)(uint32_t)ts->info.code << 32;

    if (hal_remote_l32(THREAD_FIELD(t_xp, tid)) != ts->tid)
        return;
    ts->found = true;
    if (ts->sig == 0 || ts->rc)
        return;
    if (ts->queue) {
        ts->queue = false;
        hal_remote_s64(THREAD_FIELD(t_xp, sig_from[ts->sig - 1]), from);
        ts->rc = signal_queue_send(ts->ref, THREAD_FIELD(t_xp, sig_pending), &ts->info,
                                   ts->must);
        if (ts->rc)
            return;
        signal_kick(t_xp);
    } else {
        send_to_thread(t_xp, ts->sig, from);
    }
    trace(TRACE_SIGNAL, (uint16_t)ts->sig, sender_word(0) | (uint64_t)local_cxy() << 48,
          (uint64_t)ts->tid | (uint64_t)GET_CXY(t_xp) << 48);
}

void signal_forward(xptr_t new_xp)
{
    thread_t *t = thread_current();
    uint64_t moved = __atomic_exchange_n(&t->sig_pending, 0, __ATOMIC_ACQ_REL);

    while (moved) {
        int sig = __builtin_ctzll(moved) + 1;

        send_to_thread(new_xp, sig, t->sig_from[sig - 1]);
        moved &= moved - 1;
    }
}

int signal_send_thread(int64_t tgid, int64_t tid, int sig, const sigq_entry_t *e,
                       bool must_queue)
{
    tsend_t ts = { .tid = (uint32_t)tid, .sig = sig };
    ksigaction_t act;
    xptr_t ref_xp;

    if (sig < 0 || sig > NSIG || tid <= 0 || (tgid <= 0 && tgid != -1))
        return -EINVAL;
    ref_xp = process_lookup((uint32_t)tid);
    if (ref_xp == XPTR_NULL || (tgid != -1 && process_lookup((uint32_t)tgid) != ref_xp))
        return -ESRCH;
    if (sig != 0)
        signal_jobctl_send(ref_xp, sig); /* a stop or SIGCONT is for the whole process */
    if (sig != 0 && sig != SIGKILL) {
        hal_remote_memcpy(XPTR(local_cxy(), &act), PROCESS_FIELD(ref_xp, sigaction[sig - 1]),
                          sizeof(act));
        if (action_ignores(&act, sig))
            sig = 0;                     /* dropped; the thread must exist all the same */
    }
    ts.ref = ref_xp;
    ts.sig = sig == SIGKILL ? 0 : sig;
    ts.info = e ? *e : plain_info(sig, 0, SI_TKILL);
    ts.info.tid = (uint32_t)tid;
    ts.info.sig = ts.sig;
    ts.queue = ts.sig && send_queues(ts.sig, e);
    ts.must = must_queue;
    process_foreach_thread(ref_xp, send_to_tid, &ts);
    if (!ts.found)
        return -ESRCH;
    if (ts.rc)
        return ts.rc;
    if (sig == SIGKILL)                  /* ends the whole process (man 7 signal) */
        return process_kill(hal_remote_l32(PROCESS_FIELD(ref_xp, pid)), SIGKILL);
    return 0;
}

int signal_tgkill(int64_t tgid, int64_t tid, int sig)
{
    return signal_send_thread(tgid, tid, sig, NULL, false);
}

int signal_queueinfo(int64_t tgid, int64_t tid, int sig, const ksiginfo_t *info)
{
    sigq_entry_t e = { .code = info->si_code, .a = (uint32_t)info->u.rt.pid,
                       .b = info->u.rt.uid, .value = info->u.rt.value };
    int64_t target = tid > 0 ? tid : tgid;

    /* Linux's do_rt_sigqueueinfo / do_rt_tgsigqueueinfo: no forged kernel or kill codes */
    if ((info->si_code >= 0 || info->si_code == SI_TKILL) &&
        (int64_t)thread_current()->tid != target)
        return -EPERM;
    if (tid > 0)
        return signal_send_thread(tgid, tid, sig, &e, true);
    return signal_send_process(tgid, sig, &e, true);
}

void signal_force_fault(int sig, int code, uint64_t addr)
{
    thread_t *t = thread_current();
    xptr_t ref_xp = process_current_xp();
    ksigaction_t act;

    signal_get_action(sig, &act);
    if ((t->sig_blocked & SIG_BIT(sig)) || act.handler == SIG_IGN) {
        ksigaction_t dfl = { 0 };

        t->sig_blocked &= ~SIG_BIT(sig);
        hal_remote_memcpy(PROCESS_FIELD(ref_xp, sigaction[sig - 1]), XPTR(local_cxy(), &dfl),
                          sizeof(dfl));
    }
    t->sig_from[sig - 1] = (uint64_t)(uint32_t)code << 32;
    t->sig_addr = addr;
    __atomic_fetch_or(&t->sig_pending, SIG_BIT(sig), __ATOMIC_ACQ_REL);
}

void signal_send_self(int sig)
{
    thread_t *t = thread_current();

    if (process_current_xp() != XPTR_NULL)
        signal_tgkill(-1, t->tid, sig);
}

static bool suspend_done(const void *arg)
{
    (void)arg;
    return process_signal_pending();
}

int64_t signal_suspend(uint64_t mask)
{
    thread_t *t = thread_current();

    t->sig_saved = t->sig_blocked;
    t->sig_restore = 1;
    t->sig_blocked = mask & ~SIG_UNBLOCKABLE;
    thread_wait(THREAD_BLOCKED_SLEEP, suspend_done, NULL);
    return -ERESTARTNOHAND;
}

bool process_signal_pending(void)
{
    thread_t *t = thread_current();
    xptr_t ref_xp = process_current_xp();

    return ref_xp != XPTR_NULL && ((pending_of(t, ref_xp) & ~t->sig_blocked) != 0 ||
                                   SIG_JOBCTL_SIG(hal_remote_l64(PROCESS_FIELD(ref_xp,
                                                                               sig_jobctl))));
}

bool vfs_interrupted(void)
{
    return process_signal_pending();
}

/* Ends the calling process with @sig from the return path (interrupts off). */
static void __attribute__((noreturn)) signal_fatal(int sig)
{
    irq_enable();
    process_exit(sig);
    __builtin_unreachable();
}

/*
 * A system call's -ERESTARTSYS in @frame becomes -EINTR (a handler @act
 * without SA_RESTART runs) or a restart of the call (SA_RESTART, or no
 * handler: @act NULL); -ERESTARTNOHAND becomes -EINTR whenever a handler
 * runs. See ERESTARTSYS in signal.h.
 */
static void syscall_restart(trap_frame_t *frame, const ksigaction_t *act)
{
    bool nohand = frame->rax == (uint64_t)-ERESTARTNOHAND;
    bool block = frame->rax == (uint64_t)-ERESTART_RESTARTBLOCK;

    if (frame->vector != VEC_SYSCALL || frame->error == (uint64_t)-1 ||
        (frame->rax != (uint64_t)-ERESTARTSYS && !nohand && !block))
        return;
    if (act && (nohand || block || !(act->flags & SA_RESTART))) {
        frame->rax = (uint64_t)-EINTR;
        thread_current()->sig_restart_kind = SIG_RESTART_NONE;
        return;
    }
    frame->rax = block ? __NR_restart_syscall : frame->error;
    frame->rip -= 2;                     /* the syscall instruction, again */
}

/*
 * Takes (clears) the next signal that the calling thread @t of process
 * @ref_xp does not block under @blocked, and fills *@info for it; *@fault
 * tells a forced fault (signal_force_fault) from a sent signal. @return the
 * signal, or 0 when none is pending (one that another thread took first is
 * skipped).
 */
static int signal_dequeue(thread_t *t, xptr_t ref_xp, uint64_t blocked, ksiginfo_t *info,
                          bool *fault)
{
    for (;;) {
        uint64_t own = t->sig_pending, shared = hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending));
        uint64_t bit, from;
        sigq_entry_t e;
        bool from_own, queued = false;
        int sig = signal_next(own, shared, blocked, &from_own);
        xptr_t pend_xp;

        if (sig == 0)
            return 0;
        bit = SIG_BIT(sig);
        pend_xp = from_own ? XPTR(local_cxy(), &t->sig_pending) : PROCESS_FIELD(ref_xp, sig_pending);
        from = from_own ? t->sig_from[sig - 1] :
               hal_remote_l64(PROCESS_FIELD(ref_xp, sig_from[sig - 1]));
        if (hal_remote_l32(PROCESS_FIELD(ref_xp, sigq.n))) {  /* a sender queues, then sets */
            int r = signal_queue_take(ref_xp, pend_xp, from_own ? t->tid : 0, sig, &e);

            if (r < 0)
                continue;                /* another thread took it */
            queued = r == 1;
        } else if (!(hal_remote_atomic_and64(pend_xp, ~bit) & bit)) {
            continue;                    /* another thread took it */
        }
        memset(info, 0, sizeof(*info));
        info->si_signo = sig;
        if (queued) {                    /* sigqueue(3), a timer, a real-time signal */
            *fault = false;
            info->si_code = e.code;
            info->u.rt.pid = (int32_t)e.a;
            info->u.rt.uid = e.b;
            info->u.rt.value = e.value;
            return sig;
        }
        info->si_code = (int32_t)(from >> 32);
        *fault = from_own && (info->si_code > 0 || info->si_code == SI_KERNEL);
        if (*fault) {                    /* signal_force_fault: si_addr */
            info->u.fault.addr = t->sig_addr;
        } else {
            info->u.kill.pid = (int32_t)(uint32_t)from;
            if (sig == SIGCHLD && info->si_code > 0)
                info->u.chld.status = (int32_t)hal_remote_l32(PROCESS_FIELD(ref_xp,
                                                                            sig_chld_status));
        }
        return sig;
    }
}

/* Is a signal of the set *@arg pending for the calling thread, or one it does not block? */
static bool timedwait_done(const void *arg)
{
    thread_t *t = thread_current();
    xptr_t ref_xp = process_current_xp();

    return (pending_of(t, ref_xp) & *(const uint64_t *)arg) || process_signal_pending();
}

int64_t signal_timedwait(uint64_t set, ksiginfo_t *info, uint64_t deadline_tsc)
{
    thread_t *t = thread_current();
    xptr_t ref_xp = process_current_xp();
    uint64_t old = t->sig_blocked;
    bool fault;
    int sig;

    set &= ~SIG_UNBLOCKABLE;
    sig = signal_dequeue(t, ref_xp, ~set, info, &fault);
    if (sig)
        return sig;
    if (deadline_tsc == 1)
        return -EAGAIN;                  /* a zero timeout: a poll */
    t->sig_blocked = old & ~set;         /* senders kick this thread for @set (Linux too) */
    if (deadline_tsc) {
        while (!thread_sleep_until(deadline_tsc, timedwait_done, &set) &&
               !timedwait_done(&set))
            ;                            /* a stale wake-up: sleep on */
    } else {
        thread_wait(THREAD_BLOCKED_SLEEP, timedwait_done, &set);
    }
    t->sig_blocked = old;
    sig = signal_dequeue(t, ref_xp, ~set, info, &fault);
    if (sig)
        return sig;
    return process_signal_pending() ? -EINTR : -EAGAIN;
}

void signal_deliver(trap_frame_t *frame)
{
    thread_t *t = thread_current();
    xptr_t ref_xp = process_current_xp();
    ksigaction_t act;
    ksiginfo_t info;

    if (ref_xp == XPTR_NULL)
        return;
    for (;;) {
        uint64_t jobctl;
        bool fault;
        int sig;

        if (hal_remote_l64(PROCESS_FIELD(ref_xp, sig_pending)) & SIG_BIT(SIGKILL))
            signal_fatal(SIGKILL);       /* stays pending: every thread of the process ends */
        if (signal_stop_park(ref_xp))
            continue;                    /* continued (or killed): look again */
        jobctl = hal_remote_l64(PROCESS_FIELD(ref_xp, sig_jobctl));
        sig = signal_dequeue(t, ref_xp, t->sig_blocked, &info, &fault);
        if (sig == 0)
            break;
        signal_get_action(sig, &act);
        if (act.handler == SIG_IGN || (act.handler == SIG_DFL && sig_default_ignored(sig)))
            continue;
        if (act.handler == SIG_DFL && signal_is_stop(sig)) {
            bool orphaned = false;

            /* Linux's get_signal: job control stops of an orphaned group are dropped */
            if (sig != SIGSTOP) {
                irq_enable();            /* a walk of every PID table */
                orphaned = pgrp_is_orphaned(hal_remote_l32(PROCESS_FIELD(ref_xp, pgid)));
                irq_disable();
            }
            if (!orphaned)
                signal_stop_begin(ref_xp, jobctl, sig);
            continue;                    /* parks at the top of the loop */
        }
        if (act.handler == SIG_DFL) {
            if (fault)
                process_fault_kill(frame, sig, t->sig_addr);   /* logged, as Linux does */
            signal_fatal(sig);
        }
        if (act.flags & SA_RESETHAND) {
            ksigaction_t dfl = { 0 };

            signal_set_action(sig, &dfl);
        }
        syscall_restart(frame, &act);
        irq_enable();
        if (sigframe_setup(frame, sig, &act, &info))
            process_fault_kill(frame, SIGSEGV, frame->rsp);   /* Linux: force_sigsegv */
        irq_disable();
        return;
    }
    syscall_restart(frame, NULL);
    if (t->sig_restore) {                /* rt_sigsuspend without a handler run */
        t->sig_restore = 0;
        t->sig_blocked = t->sig_saved;
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
