/*
 * sigstop.c - job control signals: the group stop of a process, SIGCONT,
 * and their reports to the parent (see signal.h, "Stop and continue").
 *
 * Every change of process_t.sig_jobctl is one remote compare-and-swap on
 * the reference process_t (a remote access: a few words, nothing
 * allocated, nobody sleeps in the owner's cluster; ARCHITECTURE.md
 * invariant 2), retried when another change came between the load and the
 * swap.
 */
#include "signal.h"
#include "process.h"
#include "process_copy.h"
#include "thread.h"
#include "trace.h"
#include "cpu.h"

#define THREAD_FIELD(xp, f) XPTR(GET_CXY(xp), &((thread_t *)GET_PTR(xp))->f)

bool signal_is_stop(int sig)
{
    return sig >= 1 && sig <= NSIG && (SIG_BIT(sig) & SIG_STOP_SET);
}

static void discard_thread_pending(xptr_t t_xp, void *arg)
{
    hal_remote_atomic_and64(THREAD_FIELD(t_xp, sig_pending), ~*(const uint64_t *)arg);
}

/* Removes the signals of @set from the process's pending set and from every thread's. */
static void discard_pending(xptr_t ref_xp, uint64_t set)
{
    hal_remote_atomic_and64(PROCESS_FIELD(ref_xp, sig_pending), ~set);
    process_foreach_thread(ref_xp, discard_thread_pending, &set);
    signal_queue_flush(ref_xp, SIGQ_ANY_TID, set);
}

void signal_child_notify(xptr_t child_xp, int32_t code, int32_t status)
{
    xptr_t parent;
    uint32_t pid;

    remote_busylock_acquire(process_tree_lock());
    parent = (xptr_t)hal_remote_l64(PROCESS_FIELD(child_xp, parent));
    pid = hal_remote_l32(PROCESS_FIELD(child_xp, pid));
    remote_busylock_release(process_tree_lock());
    if (parent == XPTR_NULL)
        return;
    signal_child_post(parent, pid, code, status);
    process_wake_all(parent);            /* its wait4 / waitid (WUNTRACED, WCONTINUED) */
}

void signal_jobctl_send(xptr_t ref_xp, int sig)
{
    xptr_t jc = PROCESS_FIELD(ref_xp, sig_jobctl);
    uint64_t w, nw;

    if (signal_is_stop(sig)) {
        discard_pending(ref_xp, SIG_BIT(SIGCONT));
        return;
    }
    if (sig != SIGCONT)
        return;
    discard_pending(ref_xp, SIG_STOP_SET);
    for (;;) {
        w = hal_remote_l64(jc);
        if (SIG_JOBCTL_SIG(w) == 0) {
            /*
             * Running: nothing to resume, but a new generation all the same.
             * A thread that took a SIGSTOP sent before this SIGCONT (it read
             * the word before dequeuing it) must not begin that stop now:
             * signal_stop_begin sees the generation changed (Linux: SIGCONT's
             * prepare_signal clears JOBCTL_STOP_PENDING under the siglock).
             * Regression: busybox's `sleep 1 & kill -STOP $!; kill -CONT $!`
             * left the sleeper stopped for ever.
             */
            if (hal_remote_cas64(jc, w, w + SIG_JOBCTL_GEN_ONE))
                return;
            continue;
        }
        /* a new generation: no stop, nothing parked, no stop report left */
        nw = (w & ~((SIG_JOBCTL_GEN_ONE - 1))) + SIG_JOBCTL_GEN_ONE;
        if (w & SIG_JOBCTL_NOTIFIED)
            nw |= SIG_JOBCTL_CONT_REPORT;
        else
            nw |= w & SIG_JOBCTL_CONT_REPORT;
        if (hal_remote_cas64(jc, w, nw))
            break;
    }
    trace(TRACE_SIGNAL, SIGCONT, (uint64_t)SIG_JOBCTL_SIG(w) | (uint64_t)local_cxy() << 48,
          (uint64_t)hal_remote_l32(PROCESS_FIELD(ref_xp, pid)) | (uint64_t)GET_CXY(ref_xp) << 48);
    process_wake_all(ref_xp);            /* every parked thread, in every cluster */
    if (w & SIG_JOBCTL_NOTIFIED)         /* Linux: only a completed stop is reported */
        signal_child_notify(ref_xp, CLD_CONTINUED, SIGCONT);
}

static void kick_one(xptr_t t_xp, void *arg)
{
    (void)arg;
    signal_kick(t_xp);
}

void signal_stop_begin(xptr_t ref_xp, uint64_t w, int sig)
{
    xptr_t jc = PROCESS_FIELD(ref_xp, sig_jobctl);
    uint32_t gen = SIG_JOBCTL_GEN(w);

    for (;;) {
        w = hal_remote_l64(jc);
        if (SIG_JOBCTL_GEN(w) != gen || SIG_JOBCTL_SIG(w) != 0)
            return;                      /* a SIGCONT came since, or a stop is under way */
        if (hal_remote_cas64(jc, w, w | (uint64_t)sig))
            break;
    }
    process_foreach_thread(ref_xp, kick_one, NULL);
}

typedef struct park_arg_s {
    xptr_t   ref;
    uint32_t gen;
} park_arg_t;

/* The parked thread goes on: a SIGCONT (new generation) or a SIGKILL came. */
static bool park_done(const void *arg)
{
    const park_arg_t *pa = arg;

    return SIG_JOBCTL_GEN(hal_remote_l64(PROCESS_FIELD(pa->ref, sig_jobctl))) != pa->gen ||
           (hal_remote_l64(PROCESS_FIELD(pa->ref, sig_pending)) & SIG_BIT(SIGKILL));
}

/*
 * One more thread parked (@park 1), or one fewer thread to wait for (@park
 * 0: a thread exited during the stop): when every thread is parked, the
 * stop becomes complete and is reported. @return the new sig_jobctl word
 * (its stop signal 0 when the process is not stopping).
 */
static uint64_t stop_count(xptr_t ref_xp, uint64_t park)
{
    xptr_t jc = PROCESS_FIELD(ref_xp, sig_jobctl);
    uint32_t nthreads = hal_remote_l32(PROCESS_FIELD(ref_xp, nthreads));
    uint64_t w, nw;

    do {
        w = hal_remote_l64(jc);
        if (SIG_JOBCTL_SIG(w) == 0 || (!park && ((w & SIG_JOBCTL_NOTIFIED) || nthreads == 0)))
            return w;
        nw = w + park * SIG_JOBCTL_PARK_ONE;
        if (!(w & SIG_JOBCTL_NOTIFIED) && SIG_JOBCTL_PARKED(nw) >= nthreads)
            nw = (nw | SIG_JOBCTL_NOTIFIED |
                  (uint64_t)SIG_JOBCTL_SIG(w) << SIG_JOBCTL_REPORT_SHIFT) &
                 ~SIG_JOBCTL_CONT_REPORT;  /* the last one: the stop is complete */
        if (nw == w)
            return w;
    } while (!hal_remote_cas64(jc, w, nw));
    if ((nw & SIG_JOBCTL_NOTIFIED) && !(w & SIG_JOBCTL_NOTIFIED))
        signal_child_notify(ref_xp, CLD_STOPPED, SIG_JOBCTL_SIG(w));
    return nw;
}

void signal_stop_thread_gone(xptr_t ref_xp)
{
    stop_count(ref_xp, 0);
}

bool signal_stop_park(xptr_t ref_xp)
{
    park_arg_t pa = { ref_xp, 0 };
    uint64_t nw = stop_count(ref_xp, 1);

    if (SIG_JOBCTL_SIG(nw) == 0)
        return false;
    pa.gen = SIG_JOBCTL_GEN(nw);
    irq_enable();
    thread_wait(THREAD_BLOCKED_SLEEP, park_done, &pa);
    irq_disable();
    return true;
}

bool signal_is_ignored_or_blocked(xptr_t t_xp, int sig)
{
    thread_t *t = GET_PTR(t_xp);
    process_t *copy = (process_t *)hal_remote_l64(THREAD_FIELD(t_xp, process));
    xptr_t ref_xp;
    uint64_t handler;

    if (sig < 1 || sig > NSIG || copy == NULL)
        return false;
    if (hal_remote_l64(XPTR(GET_CXY(t_xp), &t->sig_blocked)) & SIG_BIT(sig))
        return true;
    ref_xp = XPTR(hal_remote_l32(XPTR(GET_CXY(t_xp), &copy->ref_cxy)),
                  (void *)hal_remote_l64(XPTR(GET_CXY(t_xp), &copy->ref)));
    handler = hal_remote_l64(PROCESS_FIELD(ref_xp, sigaction[sig - 1].handler));
    return handler == SIG_IGN ||
           (handler == SIG_DFL && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
                                   sig == SIGCONT));
}
