/*
 * futex.c - futexes keyed by physical address (see futex.h).
 */
#include "futex.h"
#include "cluster.h"
#include "thread.h"
#include "process.h"
#include "boot_info.h"
#include "hal_user.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "vmm.h"


/* futex_waiter_t.state */
enum {
    FUTEX_QUEUED = 1,   /* linked in the bucket of its key */
    FUTEX_MOVING = 2,   /* unlinked by a requeue, on its way to the bucket of its new key */
    FUTEX_WAKING = 3,   /* unlinked by a waker that still accesses the record and thread */
    FUTEX_WOKEN  = 4,   /* woken: nobody accesses the record any more */
};

/*
 * A waiting thread, on its own kernel stack; named by xptr_t. Only the
 * holder of bucket B's lock links a record into B or takes it out, and sets
 * `bucket` to B or from B to XPTR_NULL: so `bucket == B`, read under B's
 * lock, says the record is in B's list, whatever requeues run elsewhere.
 */
typedef struct futex_waiter_s {
    xlist_entry_t     list;     /* in bucket's list (or a requeue's local list) */
    volatile xptr_t   bucket;   /* the bucket whose list holds it; XPTR_NULL: none (in transit) */
    volatile uint64_t key;      /* physical address; changed by a requeue */
    xptr_t            thread;   /* the waiting thread */
    volatile uint32_t state;    /* FUTEX_* */
    uint32_t          bitset;   /* wake mask, fixed */
} futex_waiter_t;

#define WFIELD(w, f) ((w) + offsetof(futex_waiter_t, f))
#define BFIELD(b, f) ((b) + offsetof(futex_bucket_t, f))

void futex_cluster_init(struct cluster_s *cl)
{
    for (uint32_t i = 0; i < FUTEX_BUCKETS; i++) {
        futex_bucket_t *b = &cl->futex[i];

        busylock_init(&b->lock, "futex", RANK_FUTEX);
        xlist_root_init(XPTR(cl->cxy, &b->root));
        b->seq = 0;
    }
}

/* The cluster whose memory holds the word at @paddr: its futexes' home. */
static uint32_t futex_home(uint64_t paddr)
{
    return cluster_of_ptr((uintptr_t)phys_to_virt(paddr));
}

xptr_t futex_bucket_of(uint64_t paddr)
{
    uint32_t cxy = futex_home(paddr);
    uint64_t h = (paddr >> 2) * 0x9e3779b97f4a7c15ull;

    return XPTR(cxy, &cluster_tbl[cxy]->futex[h >> (64 - 6)]);
}

_Static_assert(FUTEX_BUCKETS == 64, "futex_bucket_of() takes the top 6 bits of the hash");

static void bucket_lock(xptr_t b)   { remote_busylock_acquire(BFIELD(b, lock)); }
static void bucket_unlock(xptr_t b) { remote_busylock_release(BFIELD(b, lock)); }

/* The word at @paddr, through the direct map of its home cluster. */
static uint32_t futex_value(uint64_t paddr)
{
    return hal_remote_l32(XPTR(futex_home(paddr), phys_to_virt(paddr)));
}

/*
 * Wakes the waiter @w, linked in the bucket whose lock the caller holds:
 * unlinks it, unblocks its thread, then marks it WOKEN, the last access to
 * the record (the waiter may return, and its thread exit, right after).
 */
static void waiter_wake_locked(xptr_t w)
{
    xptr_t thread = hal_remote_lxp(WFIELD(w, thread));

    hal_remote_s32(WFIELD(w, state), FUTEX_WAKING);
    xlist_unlink(WFIELD(w, list));
    hal_remote_sxp(WFIELD(w, bucket), XPTR_NULL);
    thread_unblock(thread, THREAD_BLOCKED_SLEEP);
    hal_remote_s32(WFIELD(w, state), FUTEX_WOKEN);
}

int futex_wake_key(uint64_t paddr, uint32_t n, uint32_t bitset)
{
    xptr_t b = futex_bucket_of(paddr), root = BFIELD(b, root), it, next;
    int woken = 0;

    if (bitset == 0)
        return -EINVAL;
    if (n == 0)
        return 0;
    bucket_lock(b);
    hal_remote_s32(BFIELD(b, seq), hal_remote_l32(BFIELD(b, seq)) + 1);
    for (it = xlist_first(root); it != XPTR_NULL && (uint32_t)woken < n; it = next) {
        xptr_t w = XLIST_ELEMENT(it, futex_waiter_t, list);

        next = xlist_next(root, it);
        if (hal_remote_l64(WFIELD(w, key)) != paddr ||
            !(hal_remote_l32(WFIELD(w, bitset)) & bitset))
            continue;
        waiter_wake_locked(w);
        woken++;
    }
    bucket_unlock(b);
    return woken;
}

int64_t futex_requeue_key(uint64_t paddr1, uint64_t paddr2, uint32_t nr_wake,
                          uint32_t nr_requeue, bool cmp, uint32_t val3)
{
    xptr_t b1 = futex_bucket_of(paddr1), b2 = futex_bucket_of(paddr2);
    xptr_t root1 = BFIELD(b1, root), it, next;
    xlist_entry_t moving;                           /* records between the two buckets */
    xptr_t mroot = XPTR(local_cxy(), &moving);
    uint32_t woken = 0, moved = 0, seq2;
    uint64_t flags;

    xlist_root_init(mroot);
    /* no interrupt between the two critical sections: a MOVING waiter spins on us */
    flags = irq_save();
    seq2 = hal_remote_l32(BFIELD(b2, seq));         /* before any waiter leaves key1 */
    bucket_lock(b1);
    if (cmp && futex_value(paddr1) != val3) {
        bucket_unlock(b1);
        irq_restore(flags);
        return -EAGAIN;
    }
    hal_remote_s32(BFIELD(b1, seq), hal_remote_l32(BFIELD(b1, seq)) + 1);
    for (it = xlist_first(root1); it != XPTR_NULL; it = next) {
        xptr_t w = XLIST_ELEMENT(it, futex_waiter_t, list);

        next = xlist_next(root1, it);
        if (woken >= nr_wake && moved >= nr_requeue)
            break;
        if (hal_remote_l64(WFIELD(w, key)) != paddr1)
            continue;
        if (woken < nr_wake) {
            waiter_wake_locked(w);
            woken++;
            continue;
        }
        moved++;
        hal_remote_s64(WFIELD(w, key), paddr2);
        if (b1 != b2) {                             /* same bucket: stays in place */
            hal_remote_s32(WFIELD(w, state), FUTEX_MOVING);
            hal_remote_sxp(WFIELD(w, bucket), XPTR_NULL);
            xlist_unlink(it);
            xlist_add_last(mroot, it);
        }
    }
    bucket_unlock(b1);
    if (!xlist_is_empty(mroot)) {
        bucket_lock(b2);
        /*
         * A wake (or requeue) on bucket 2 since seq2 could not see the
         * records in transit: wake them rather than lose it.
         */
        bool missed = hal_remote_l32(BFIELD(b2, seq)) != seq2;

        while ((it = xlist_first(mroot)) != XPTR_NULL) {
            xptr_t w = XLIST_ELEMENT(it, futex_waiter_t, list);

            if (missed) {
                waiter_wake_locked(w);              /* unlinks it from mroot */
                continue;
            }
            xlist_unlink(it);
            xlist_add_last(BFIELD(b2, root), it);
            hal_remote_sxp(WFIELD(w, bucket), b2);
            hal_remote_s32(WFIELD(w, state), FUTEX_QUEUED);
        }
        bucket_unlock(b2);
    }
    irq_restore(flags);
    return cmp ? (int64_t)(woken + moved) : (int64_t)woken;
}

uint32_t futex_waiters(uint64_t paddr)
{
    xptr_t b = futex_bucket_of(paddr), root = BFIELD(b, root), it;
    uint32_t n = 0;

    bucket_lock(b);
    XLIST_FOREACH(root, it)
        if (hal_remote_l64(WFIELD(XLIST_ELEMENT(it, futex_waiter_t, list), key)) == paddr)
            n++;
    bucket_unlock(b);
    return n;
}

static uint32_t waiter_state(const futex_waiter_t *w)
{
    return __atomic_load_n(&w->state, __ATOMIC_ACQUIRE);
}

/* Stop condition of the sleep: no longer queued, or a signal to act on. */
static bool waiter_stop(const void *arg)
{
    return waiter_state(arg) != FUTEX_QUEUED || process_signal_pending();
}

/* The record is WAKING or WOKEN: returns once the waker is done with it. */
static void waiter_wait_woken(const futex_waiter_t *w)
{
    while (waiter_state(w) != FUTEX_WOKEN)
        cpu_pause();                                /* the waker holds a busylock: brief */
}

/*
 * Takes the record @w out of its queue on a timeout or a signal.
 * @return true when it was still queued (unlinked now), false when a
 *         waker got it first (it is WOKEN on return).
 */
static bool waiter_dequeue(futex_waiter_t *w)
{
    xptr_t wx = XPTR(local_cxy(), w);

    for (;;) {
        xptr_t b = w->bucket;
        uint32_t st;

        if (b != XPTR_NULL) {
            bucket_lock(b);
            if (w->bucket == b && waiter_state(w) == FUTEX_QUEUED) {   /* stable under b's lock */
                xlist_unlink(WFIELD(wx, list));
                w->bucket = XPTR_NULL;
                bucket_unlock(b);
                return true;
            }
            bucket_unlock(b);
        }
        st = waiter_state(w);
        if (st == FUTEX_WAKING || st == FUTEX_WOKEN) {
            waiter_wait_woken(w);
            return false;
        }
        cpu_pause();                                /* in transit (MOVING), or just moved */
    }
}

int futex_wait_key(uint64_t paddr, uint32_t expected, uint32_t bitset, uint64_t deadline_tsc)
{
    futex_waiter_t w;
    xptr_t wx = XPTR(local_cxy(), &w);
    xptr_t b = futex_bucket_of(paddr);

    if (bitset == 0 || (paddr & 3))
        return -EINVAL;
    w.key    = paddr;
    w.bucket = b;
    w.thread = XPTR(local_cxy(), thread_current());
    w.state  = FUTEX_QUEUED;
    w.bitset = bitset;
    bucket_lock(b);
    if (futex_value(paddr) != expected) {
        bucket_unlock(b);
        return -EAGAIN;
    }
    xlist_add_last(BFIELD(b, root), WFIELD(wx, list));
    bucket_unlock(b);

    for (;;) {
        bool timed_out = false, interrupted;
        uint32_t st;

        if (deadline_tsc)
            timed_out = thread_sleep_until(deadline_tsc, waiter_stop, &w);
        else
            thread_wait(THREAD_BLOCKED_SLEEP, waiter_stop, &w);
        st = waiter_state(&w);
        if (st == FUTEX_WAKING || st == FUTEX_WOKEN) {
            waiter_wait_woken(&w);
            return 0;
        }
        interrupted = process_signal_pending();
        if (!timed_out && !interrupted) {
            cpu_pause();                            /* MOVING (brief), or a stale wake-up */
            continue;
        }
        if (!waiter_dequeue(&w))
            return 0;                               /* woken meanwhile: that wins */
        if (timed_out)
            return -ETIMEDOUT;
        /* Linux: -ERESTARTSYS without a timeout, else EINTR once a handler ran */
        return deadline_tsc ? -EINTR : -ERESTARTSYS;
    }
}

/* ---- the system call ------------------------------------------------------------ */

/*
 * The deadline (TSC) of the timeout at user address @utime: relative, or
 * absolute on CLOCK_MONOTONIC (@realtime: CLOCK_REALTIME) when @abs.
 * @return 0 and *@deadline (0: none), -EFAULT or -EINVAL.
 */
static int futex_deadline(uint64_t utime, bool abs, bool realtime, uint64_t *deadline)
{
    ktimespec_t ts;
    int rc;

    *deadline = 0;
    if (utime == 0)
        return 0;
    if (hal_copy_from_user(&ts, utime, sizeof(ts)))
        return -EFAULT;
    rc = tsc_deadline(&ts, abs, realtime, deadline);
    if (rc == 0 && *deadline == UINT64_MAX)
        *deadline = 0;                              /* centuries away: no deadline */
    return rc;
}

/* Physical address of the futex word at user address @uaddr (4-byte aligned). */
static int futex_paddr(uint64_t uaddr, uint64_t *paddr)
{
    if (uaddr & 3)
        return -EINVAL;
    return vmm_user_paddr(uaddr, paddr) ? -EFAULT : 0;
}

/*
 * FUTEX_WAIT at user address @uaddr until TSC @deadline (0: none): a wait
 * with a deadline that a signal ends returns -ERESTART_RESTARTBLOCK with
 * what restart_syscall(2) needs recorded in the thread (signal.h), as
 * Linux's futex_wait does, so that a stop and continue does not end it.
 */
static int64_t futex_wait_timed(uint64_t uaddr, uint32_t val, uint32_t bitset, uint64_t deadline)
{
    thread_t *t = thread_current();
    uint64_t pa;
    int rc;

    if ((rc = futex_paddr(uaddr, &pa)))
        return rc;
    rc = futex_wait_key(pa, val, bitset, deadline);
    if (rc != -EINTR || deadline == 0)
        return rc;
    t->sig_restart_kind = SIG_RESTART_FUTEX;
    t->sig_restart_deadline = deadline;
    t->sig_restart_arg[0] = uaddr;
    t->sig_restart_arg[1] = val;
    t->sig_restart_arg[2] = bitset;
    return -ERESTART_RESTARTBLOCK;
}

int64_t futex_wait_restart(void)
{
    thread_t *t = thread_current();

    return futex_wait_timed(t->sig_restart_arg[0], (uint32_t)t->sig_restart_arg[1],
                            (uint32_t)t->sig_restart_arg[2], t->sig_restart_deadline);
}

int64_t futex_syscall(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t utime,
                      uint64_t uaddr2, uint64_t val3)
{
    uint32_t cmd = (uint32_t)op & FUTEX_CMD_MASK;
    bool realtime = op & FUTEX_CLOCK_REALTIME;
    uint64_t pa, pa2, deadline;
    int rc;

    if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)val3;

        if ((rc = futex_deadline(utime, cmd == FUTEX_WAIT_BITSET, realtime, &deadline)))
            return rc;
        if (bitset == 0)
            return -EINVAL;
        return futex_wait_timed(uaddr, (uint32_t)val, bitset, deadline);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)val3;
        int32_t n = (int32_t)val;

        if (bitset == 0)
            return -EINVAL;
        if ((rc = futex_paddr(uaddr, &pa)))
            return rc;
        return futex_wake_key(pa, n <= 0 ? 1 : (uint32_t)n, bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        if ((int32_t)val < 0 || (int32_t)utime < 0)
            return -EINVAL;
        if ((rc = futex_paddr(uaddr, &pa)) || (rc = futex_paddr(uaddr2, &pa2)))
            return rc;
        return futex_requeue_key(pa, pa2, (uint32_t)val, (uint32_t)utime,
                                 cmd == FUTEX_CMP_REQUEUE, (uint32_t)val3);
    default:
        return -ENOSYS;
    }
}

/* ---- robust futexes at thread exit ---------------------------------------------------- */


void futex_robust_list_exit(thread_t *t)
{
    krobust_list_head_t head;
    uint64_t entry;

    if (t->robust_list == 0 || hal_copy_from_user(&head, t->robust_list, sizeof(head)))
        return;
    entry = head.next;
    for (uint32_t n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t uaddr = (entry & ~1ull) + (uint64_t)head.futex_offset, paddr, next;
        uint32_t word;

        if (hal_copy_from_user(&next, entry & ~1ull, sizeof(next)) ||
            hal_copy_from_user(&word, uaddr, sizeof(word)))
            return;
        if ((word & FUTEX_TID_MASK) == t->tid) {
            uint32_t nword = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;

            if (hal_copy_to_user(uaddr, &nword, sizeof(nword)) == 0 &&
                (word & FUTEX_WAITERS) && vmm_user_paddr(uaddr, &paddr) == 0)
                futex_wake_key(paddr, 1, ~0u);
        }
        entry = next;
    }
}
