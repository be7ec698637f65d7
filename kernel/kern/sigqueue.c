/*
 * sigqueue.c - queued signals and their siginfo (see signal.h, "The queue
 * of signals"). The queue is an array in the reference process_t, under
 * its sigq lock; the remote operations copy its used part into a local
 * sigq_t, apply the pure arithmetic below, and write it back, all under
 * the lock (remote accesses: a few hundred bytes at most, nothing
 * allocated; ARCHITECTURE.md invariant 2).
 */
#include "signal.h"
#include "process.h"
#include "busylock.h"
#include "kstring.h"
#include "uapi/errno.h"

/* ---- the arithmetic ------------------------------------------------------------------ */

int sigq_push(sigq_t *q, const sigq_entry_t *e)
{
    if (e->code == SI_TIMER) {           /* Linux: one queued signal per timer, plus overruns */
        for (uint32_t i = 0; i < q->n; i++) {
            sigq_entry_t *o = &q->e[i];

            if (o->code == SI_TIMER && o->a == e->a && o->sig == e->sig && o->tid == e->tid) {
                o->b += 1 + e->b;
                return 1;
            }
        }
    }
    if (q->n >= SIGQ_MAX)
        return -EAGAIN;
    q->e[q->n++] = *e;
    return 0;
}

/* Removes entry @i, keeping the others in their order. */
static void sigq_remove(sigq_t *q, uint32_t i)
{
    memmove(&q->e[i], &q->e[i + 1], (q->n - i - 1) * sizeof(q->e[0]));
    q->n--;
}

int sigq_pop(sigq_t *q, uint32_t tid, int sig, sigq_entry_t *out)
{
    int left = -1;

    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].tid != tid || q->e[i].sig != sig)
            continue;
        if (left < 0) {
            *out = q->e[i];
            sigq_remove(q, i--);
            left = 0;
        } else {
            left++;
        }
    }
    return left;
}

void sigq_flush(sigq_t *q, uint32_t tid, uint64_t set)
{
    for (uint32_t i = 0; i < q->n; i++)
        if ((tid == SIGQ_ANY_TID || q->e[i].tid == tid) && (set & SIG_BIT(q->e[i].sig)))
            sigq_remove(q, i--);
}

/* ---- the queue of a process, from any cluster ------------------------------------------ */

static xptr_t sigq_lock(xptr_t ref_xp)
{
    return PROCESS_FIELD(ref_xp, sigq_lock);
}

/* The used part of @ref_xp's queue into *@q (the lock held). */
static void sigq_load(xptr_t ref_xp, sigq_t *q)
{
    q->n = hal_remote_l32(PROCESS_FIELD(ref_xp, sigq.n));
    if (q->n > SIGQ_MAX)
        q->n = SIGQ_MAX;
    hal_remote_memcpy(XPTR(local_cxy(), q->e), PROCESS_FIELD(ref_xp, sigq.e),
                      q->n * sizeof(q->e[0]));
}

static void sigq_store(xptr_t ref_xp, const sigq_t *q)
{
    hal_remote_memcpy(PROCESS_FIELD(ref_xp, sigq.e), XPTR(local_cxy(), (void *)q->e),
                      q->n * sizeof(q->e[0]));
    hal_remote_s32(PROCESS_FIELD(ref_xp, sigq.n), q->n);
}

int signal_queue_send(xptr_t ref_xp, xptr_t pending_xp, const sigq_entry_t *e, bool must_queue)
{
    uint64_t bit = SIG_BIT(e->sig);
    sigq_t q;
    int rc = 0;

    remote_busylock_acquire(sigq_lock(ref_xp));
    if (e->sig < SIGRTMIN && (hal_remote_l64(pending_xp) & bit))
        goto out;                        /* standard signals do not queue */
    sigq_load(ref_xp, &q);
    if (sigq_push(&q, e) >= 0)
        sigq_store(ref_xp, &q);
    else if (must_queue)
        rc = -EAGAIN;
    if (rc == 0)
        hal_remote_atomic_or64(pending_xp, bit);
out:
    remote_busylock_release(sigq_lock(ref_xp));
    return rc;
}

int signal_queue_take(xptr_t ref_xp, xptr_t pending_xp, uint32_t tid, int sig,
                      sigq_entry_t *out)
{
    uint64_t bit = SIG_BIT(sig);
    sigq_t q;
    int left, rc;

    remote_busylock_acquire(sigq_lock(ref_xp));
    sigq_load(ref_xp, &q);
    left = sigq_pop(&q, tid, sig, out);
    if (left >= 0) {
        sigq_store(ref_xp, &q);
        if (left == 0)
            hal_remote_atomic_and64(pending_xp, ~bit);
        rc = 1;
    } else {
        rc = (hal_remote_atomic_and64(pending_xp, ~bit) & bit) ? 0 : -1;
    }
    remote_busylock_release(sigq_lock(ref_xp));
    return rc;
}

void signal_queue_flush(xptr_t ref_xp, uint32_t tid, uint64_t set)
{
    sigq_t q;

    if (hal_remote_l32(PROCESS_FIELD(ref_xp, sigq.n)) == 0)
        return;                          /* nothing queued: no lock needed to know it */
    remote_busylock_acquire(sigq_lock(ref_xp));
    sigq_load(ref_xp, &q);
    sigq_flush(&q, tid, set);
    sigq_store(ref_xp, &q);
    remote_busylock_release(sigq_lock(ref_xp));
}
