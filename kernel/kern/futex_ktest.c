/*
 * futex_ktest.c - self-tests of the futexes keyed by physical address
 * (ktest=futex).
 *
 * A futex word is a word of a page allocated in some cluster (its key is
 * the word's physical address); waiters are kernel threads spread over the
 * clusters (RPC_THREAD_CREATE), each waiting with a safety deadline so that
 * a broken wake fails the case (-ETIMEDOUT) instead of hanging the boot.
 * Every case runs on the bootstrap core and frees what it allocated (the
 * "leaks" suite checks it).
 */
#include "ktest.h"
#include "futex.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "kstring.h"

#define FX_MAX_WAITERS 16
#define FX_SAFETY_MS   1500            /* a waiter nobody wakes gives up after this */
#define FX_ANY         FUTEX_BITSET_MATCH_ANY
#define FX_PAST        UINT64_MAX      /* fx_waiter_t.timeout_ms: a deadline long past */

/* ---- helpers ------------------------------------------------------------------ */

typedef struct fx_waiter_s {
    xptr_t            ctx;             /* the fx_ctx_t it belongs to */
    uint64_t          key;             /* physical address of the word */
    uint32_t          expected;
    uint32_t          bitset;
    uint64_t          timeout_ms;      /* relative deadline; FX_PAST: one long past */
    volatile uint64_t spent;           /* TSC cycles the wait took */
    volatile int32_t  result;          /* futex_wait_key's return */
    volatile uint32_t done;
} fx_waiter_t;

/* A case's waiters, on the test thread's stack (the bootstrap cluster). */
typedef struct fx_ctx_s {
    ktest_join_t      join;            /* threads still running; the test thread */
    volatile uint32_t returned;        /* waiters whose wait returned */
    volatile uint32_t hold;            /* 1: returned waiters stay alive (records intact) */
    uint32_t          nwaiters;
    fx_waiter_t       w[FX_MAX_WAITERS];
} fx_ctx_t;

#define CTX(x, f) ((x) + offsetof(fx_ctx_t, f))
#define WT(x, f)  ((x) + offsetof(fx_waiter_t, f))

static void fx_ctx_init(fx_ctx_t *c)
{
    memset(c, 0, sizeof(*c));
    ktest_join_init(&c->join, 0);      /* fx_start and the cases count their threads */
}

/*
 * futex_wait_key below a 4 KiB pad: once it returns, the caller's calls
 * (the hold loop, interrupts, context switches) stay above the pad, so
 * the waiter record on the stack stays intact while held. A record wrongly
 * left queued is then still seen (futex_waiters) instead of being garbage.
 */
static __attribute__((noinline)) int fx_deep_wait(uint64_t key, uint32_t expected,
                                                  uint32_t bitset, uint64_t deadline)
{
    volatile char pad[4096];
    int rc;

    pad[0] = 0;
    rc = futex_wait_key(key, expected, bitset, deadline);
    return rc + pad[0];
}

static void fx_waiter_main(void *arg)
{
    xptr_t w = XPTR(cluster_of_ptr((uintptr_t)arg), arg);
    xptr_t ctx = hal_remote_lxp(WT(w, ctx));
    uint64_t ms = hal_remote_l64(WT(w, timeout_ms)), t0 = rdtsc();
    uint64_t deadline = ms == FX_PAST ? 1 : t0 + tsc_from_ms(ms);
    int rc;

    rc = fx_deep_wait(hal_remote_l64(WT(w, key)), hal_remote_l32(WT(w, expected)),
                      hal_remote_l32(WT(w, bitset)), deadline);
    hal_remote_s64(WT(w, spent), rdtsc() - t0);
    hal_remote_s32(WT(w, result), (uint32_t)rc);
    hal_remote_s32(WT(w, done), 1);
    hal_remote_atomic_add(CTX(ctx, returned), 1);
    while (hal_remote_l32(CTX(ctx, hold)))
        sched_yield();
    ktest_join_done(CTX(ctx, join));          /* the last one wakes the test thread */
}

/* Cluster and core of the @i-th thread of a case: round robin over the clusters. */
static uint32_t fx_cxy(uint32_t i)
{
    return i % boot_info.topo.nclusters;
}

static uint32_t fx_lid(uint32_t i)
{
    uint32_t cxy = fx_cxy(i);

    return (i / boot_info.topo.nclusters) % cluster_tbl[cxy]->ncores;
}

/*
 * Starts waiter @i of @c in cluster @cxy on key @key.
 * @return false (and the case fails) when no thread could be created.
 */
static bool fx_start(ktest_t *t, fx_ctx_t *c, uint32_t cxy, uint32_t lid, uint64_t key,
                     uint32_t expected, uint32_t bitset, uint64_t timeout_ms)
{
    fx_waiter_t *w = &c->w[c->nwaiters];

    if (c->nwaiters == FX_MAX_WAITERS) {
        ktest_fail(t, "more than %u waiters", FX_MAX_WAITERS);
        return false;
    }
    w->ctx        = XPTR(local_cxy(), c);
    w->key        = key;
    w->expected   = expected;
    w->bitset     = bitset;
    w->timeout_ms = timeout_ms;
    w->result     = 1;
    __atomic_add_fetch(&c->join.left, 1, __ATOMIC_ACQ_REL);
    c->nwaiters++;
    if (ktest_spawn_in(cxy, lid, fx_waiter_main, w, "fx waiter") == XPTR_NULL) {
        ktest_fail(t, "no thread in cluster %u", cxy);
        c->nwaiters--;
        __atomic_sub_fetch(&c->join.left, 1, __ATOMIC_ACQ_REL);
        return false;
    }
    return true;
}

/* Starts @n waiters on @key spread over the clusters. */
static bool fx_start_n(ktest_t *t, fx_ctx_t *c, uint32_t n, uint64_t key, uint32_t expected)
{
    for (uint32_t i = 0; i < n; i++)
        if (!fx_start(t, c, fx_cxy(i), fx_lid(i), key, expected, FX_ANY, FX_SAFETY_MS))
            return false;
    return true;
}

/* Waits up to @ms for @n threads queued on @key. @return the last count seen. */
static uint32_t fx_wait_queued(uint64_t key, uint32_t n, uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);
    uint32_t q;

    while ((q = futex_waiters(key)) != n && rdtsc() < end)
        sched_yield();
    return q;
}

/* Waits up to @ms until @n waiters of @c returned. @return the last count seen. */
static uint32_t fx_wait_returned(fx_ctx_t *c, uint32_t n, uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);

    while (__atomic_load_n(&c->returned, __ATOMIC_ACQUIRE) < n && rdtsc() < end)
        sched_yield();
    return __atomic_load_n(&c->returned, __ATOMIC_ACQUIRE);
}

static bool fx_all_done(const void *arg)
{
    return __atomic_load_n(&((const fx_ctx_t *)arg)->join.left, __ATOMIC_ACQUIRE) == 0;
}

/*
 * Waits for every thread of @c to finish: they all end by their safety
 * deadline at the latest, so this always returns (the stack of @c must
 * outlive them).
 */
static void fx_join(fx_ctx_t *c)
{
    thread_wait(THREAD_BLOCKED_SLEEP, fx_all_done, c);
}

/* Fails the case for each waiter of @c whose wait did not return @want. */
static void fx_expect_results(ktest_t *t, fx_ctx_t *c, int want)
{
    for (uint32_t i = 0; i < c->nwaiters; i++)
        KTEST_EXPECT(t, c->w[i].done && c->w[i].result == want,
                     "waiter %u (cluster %u): done %u, returned %d, expected %d", i,
                     fx_cxy(i), c->w[i].done, c->w[i].result, want);
}

/* A zeroed page in cluster @cxy (RPC when remote). @return its physical address or 0. */
static uint64_t fx_page(uint32_t cxy)
{
    rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args.ppm_alloc = { .order = 0 } };
    uint64_t pa;

    rpc_send(cxy, &d);
    pa = d.args.ppm_alloc.phys;
    if (pa)
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

static void fx_page_free(uint32_t cxy, uint64_t pa)
{
    rpc_desc_t d = { .type = RPC_PPM_FREE, .args.ppm_free = { .phys = pa } };

    if (pa)
        rpc_send(cxy, &d);
}

/* Stores @v in the futex word at physical address @pa. */
static void fx_set(uint64_t pa, uint32_t v)
{
    hal_remote_s32(XPTR(cluster_of_ptr((uintptr_t)phys_to_virt(pa)), phys_to_virt(pa)), v);
}

/* Number of waiters for the multi-waiter cases: at least 4, one per cluster. */
static uint32_t fx_nwaiters(void)
{
    uint32_t n = boot_info.topo.nclusters;

    n = n < 4 ? 4 : n;
    return n > FX_MAX_WAITERS - 1 ? FX_MAX_WAITERS - 1 : n;   /* room for one more */
}

static uint32_t fx_last_cluster(void)
{
    return boot_info.topo.nclusters - 1;
}

/* A case run by fx_with_pages: @c is initialised, key[i] the word of page i. */
typedef void fx_body_t(ktest_t *t, fx_ctx_t *c, const uint64_t *key);

/*
 * Runs @body with @nkeys (1 or 2) fresh zeroed pages: key 1 in the last
 * cluster, key 2 in cluster 0, then frees them. Fails @t instead when a
 * page is missing.
 */
static void fx_with_pages(ktest_t *t, uint32_t nkeys, fx_body_t *body)
{
    const uint32_t home[2] = { fx_last_cluster(), 0 };
    uint64_t key[2] = { 0, 0 };
    fx_ctx_t c;

    for (uint32_t i = 0; i < nkeys; i++)
        key[i] = fx_page(home[i]);
    if (nkeys == 1)
        KTEST_EXPECT(t, key[0] != 0, "no page in cluster %u", home[0]);
    else
        KTEST_EXPECT(t, key[0] && key[1], "no page");
    if (key[0] && (nkeys == 1 || key[1])) {
        fx_ctx_init(&c);
        body(t, &c, key);
    }
    for (uint32_t i = 0; i < nkeys; i++)
        fx_page_free(home[i], key[i]);
}

/* ---- cases ------------------------------------------------------------------------ */

/* A value mismatch returns -EAGAIN at once and queues nothing; bad arguments -EINVAL. */
static void futex_wait_mismatch_eagain(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint64_t pa = key[0];
    int rc;

    fx_set(pa, 7);
    /* in threads of other clusters: a wait that wrongly sleeps ends by its deadline */
    c->hold = 1;                                           /* their records stay valid */
    fx_start(t, c, fx_cxy(1), fx_lid(1), pa, 6, FX_ANY, 500);
    fx_start(t, c, fx_cxy(2), fx_lid(2), pa, 8, FX_ANY, 500);
    fx_start(t, c, fx_cxy(3), fx_lid(3), pa, 7, 0, 500);          /* bitset 0 */
    fx_start(t, c, fx_cxy(4), fx_lid(4), pa + 2, 0, FX_ANY, 500); /* unaligned */
    fx_wait_returned(c, 4, 1000);
    KTEST_EXPECT(t, futex_waiters(pa) == 0, "%u waiters queued", futex_waiters(pa));
    c->hold = 0;
    fx_join(c);
    for (uint32_t i = 0; i < 4; i++) {
        int want = i < 2 ? -EAGAIN : -EINVAL;

        KTEST_EXPECT(t, c->w[i].result == want, "wait %u returned %d, expected %d", i,
                     c->w[i].result, want);
        KTEST_EXPECT(t, c->w[i].spent < tsc_from_ms(200), "wait %u took %lu ms", i,
                     tsc_to_ms(c->w[i].spent));
    }
    rc = futex_wake_key(pa, 1, 0);
    KTEST_EXPECT(t, rc == -EINVAL, "wake with bitset 0 returned %d", rc);
}

/* Waking one of N waiters in different clusters wakes exactly one, the oldest. */
static void futex_wake_one_of_n(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint32_t n = fx_nwaiters(), q, r;
    uint64_t pa = key[0];
    int rc;

    /* waiter 0 is queued first: the oldest */
    if (fx_start(t, c, fx_cxy(0), fx_lid(0), pa, 0, FX_ANY, FX_SAFETY_MS))
        KTEST_EXPECT(t, fx_wait_queued(pa, 1, 1000) == 1, "the first waiter is not queued");
    for (uint32_t i = 1; i < n; i++)
        fx_start(t, c, fx_cxy(i), fx_lid(i), pa, 0, FX_ANY, FX_SAFETY_MS);
    q = fx_wait_queued(pa, c->nwaiters, 1000);
    KTEST_EXPECT(t, q == n, "%u waiters queued, expected %u", q, n);
    rc = futex_wake_key(pa, 1, FX_ANY);
    KTEST_EXPECT(t, rc == 1, "wake(1) returned %d", rc);
    fx_wait_returned(c, 1, 1000);
    ktest_sleep_ms(30);                                       /* any extra wake-up shows now */
    r = c->returned;
    KTEST_EXPECT(t, r == 1, "%u waiters returned after wake(1)", r);
    KTEST_EXPECT(t, c->w[0].done && c->w[0].result == 0, "the oldest waiter was not the one "
                 "woken (done %u, result %d)", c->w[0].done, c->w[0].result);
    q = futex_waiters(pa);
    KTEST_EXPECT(t, q == n - 1, "%u still queued, expected %u", q, n - 1);
    rc = futex_wake_key(pa, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == (int)n - 1, "wake(all) returned %d, expected %u", rc, n - 1);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

/* Another word of @pa's page whose key shares @pa's bucket, or 0. */
static uint64_t fx_same_bucket(uint64_t pa)
{
    for (uint64_t off = 4; off < PAGE_SIZE; off += 4)
        if ((pa & ~(uint64_t)(PAGE_SIZE - 1)) + off != pa &&
            futex_bucket_of((pa & ~(uint64_t)(PAGE_SIZE - 1)) + off) == futex_bucket_of(pa))
            return (pa & ~(uint64_t)(PAGE_SIZE - 1)) + off;
    return 0;
}

/*
 * Waking all wakes every waiter of every cluster, and only those of the
 * key: not a waiter of another key hashed to the same bucket.
 */
static void futex_wake_all(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint32_t n = fx_nwaiters(), q;
    uint64_t pa = key[0], other;
    int rc;

    other = fx_same_bucket(pa);
    KTEST_EXPECT(t, other != 0, "no word of the page shares the bucket of 0x%lx", pa);
    if (!other)
        other = pa + 4;
    fx_start_n(t, c, n - 1, pa, 0);
    fx_start(t, c, 0, 0, other, 0, FX_ANY, FX_SAFETY_MS); /* another key: not woken */
    q = fx_wait_queued(pa, n - 1, 1000);
    KTEST_EXPECT(t, q == n - 1, "%u waiters queued, expected %u", q, n - 1);
    KTEST_EXPECT(t, fx_wait_queued(other, 1, 1000) == 1, "the other key's waiter is not queued");
    rc = futex_wake_key(pa, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == (int)n - 1, "wake(all) returned %d, expected %u", rc, n - 1);
    KTEST_EXPECT(t, fx_wait_returned(c, n - 1, 1000) == n - 1, "%u woken waiters returned",
                 c->returned);
    KTEST_EXPECT(t, futex_waiters(pa) == 0, "%u waiters left", futex_waiters(pa));
    KTEST_EXPECT(t, futex_waiters(other) == 1 && !c->w[n - 1].done,
                 "the other key's waiter was woken");
    rc = futex_wake_key(other, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 1, "wake(other key) woke %d", rc);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

/*
 * A timed wait nobody wakes returns -ETIMEDOUT after its deadline, and is
 * dequeued; one whose deadline is long past too. The waiters are threads of
 * other clusters, so that a broken timeout fails the case (they are then
 * woken to end) instead of hanging it.
 */
static void futex_timed_wait_timeout(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint64_t pa = key[0];
    int rc;

    c->hold = 1;                                           /* their records stay valid */
    fx_start(t, c, fx_cxy(1), fx_lid(1), pa, 0, FX_ANY, 30);
    fx_start(t, c, fx_cxy(2), fx_lid(2), pa, 0, FX_ANY, FX_PAST);
    KTEST_EXPECT(t, fx_wait_returned(c, 2, 1000) == 2, "%u of 2 timed waits returned",
                 c->returned);
    KTEST_EXPECT(t, futex_waiters(pa) == 0, "a timed-out waiter is still queued");
    rc = futex_wake_key(pa, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 0, "wake after the timeouts woke %d", rc);
    c->hold = 0;
    fx_join(c);
    fx_expect_results(t, c, -ETIMEDOUT);
    KTEST_EXPECT(t, c->w[0].spent >= tsc_from_ms(30) && c->w[0].spent < tsc_from_ms(1000),
                 "a 30 ms wait returned after %lu ms", tsc_to_ms(c->w[0].spent));
}

/* FUTEX_WAKE_BITSET wakes only the waiters whose mask meets its own. */
static void futex_bitset_wake(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint64_t pa = key[0];
    int rc;

    fx_start(t, c, fx_cxy(1), fx_lid(1), pa, 0, 0x1, FX_SAFETY_MS);
    fx_start(t, c, fx_cxy(2), fx_lid(2), pa, 0, 0x4, FX_SAFETY_MS);
    KTEST_EXPECT(t, fx_wait_queued(pa, 2, 1000) == 2, "waiters not queued");
    rc = futex_wake_key(pa, UINT32_MAX, 0x2);
    KTEST_EXPECT(t, rc == 0, "wake(mask 0x2) woke %d", rc);
    rc = futex_wake_key(pa, UINT32_MAX, 0x3);
    KTEST_EXPECT(t, rc == 1, "wake(mask 0x3) woke %d", rc);
    KTEST_EXPECT(t, fx_wait_returned(c, 1, 1000) == 1 && c->w[0].done && !c->w[1].done,
                 "wrong waiter woken: %u %u", c->w[0].done, c->w[1].done);
    rc = futex_wake_key(pa, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 1, "wake(any) woke %d", rc);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

/*
 * FUTEX_REQUEUE moves the waiters from key 1 (in one cluster) to key 2 (in
 * another): waking key 1 then wakes none, waking key 2 wakes them all.
 */
static void futex_requeue_moves_waiters(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint32_t n = fx_nwaiters(), q;
    uint64_t p1 = key[0], p2 = key[1];
    uint64_t other = fx_same_bucket(p1);             /* a key 1's bucket holds too */
    int64_t rc;

    fx_start_n(t, c, n, p1, 0);
    q = fx_wait_queued(p1, n, 1000);
    KTEST_EXPECT(t, q == n, "%u waiters queued, expected %u", q, n);
    if (other)
        fx_start(t, c, fx_cxy(n), fx_lid(n), other, 0, FX_ANY, FX_SAFETY_MS);
    KTEST_EXPECT(t, !other || fx_wait_queued(other, 1, 1000) == 1,
                 "the other key's waiter is not queued");
    rc = futex_requeue_key(p1, p2, 0, UINT32_MAX, false, 0);
    KTEST_EXPECT(t, rc == 0, "requeue returned %ld (woken), expected 0", rc);
    KTEST_EXPECT(t, futex_waiters(p1) == 0 && futex_waiters(p2) == n,
                 "after requeue: %u on key 1, %u on key 2", futex_waiters(p1),
                 futex_waiters(p2));
    KTEST_EXPECT(t, !other || futex_wake_key(other, UINT32_MAX, FX_ANY) == 1,
                 "the other key's waiter was moved too");
    if (other)
        fx_wait_returned(c, 1, 1000);
    rc = futex_wake_key(p1, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 0, "wake(key 1) woke %ld", rc);
    ktest_sleep_ms(20);
    KTEST_EXPECT(t, c->returned == (other ? 1u : 0u), "%u waiters returned before key 2 "
                 "was woken (%u expected: the other key's)", c->returned, other ? 1 : 0);
    rc = futex_wake_key(p2, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == n, "wake(key 2) woke %ld, expected %u", rc, n);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

/* FUTEX_CMP_REQUEUE wakes nr_wake, moves nr_requeue, leaves the rest, returns both. */
static void futex_cmp_requeue_counts(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint64_t p1 = key[0], p2 = key[1];
    int64_t rc;

    fx_set(p1, 3);
    fx_start_n(t, c, 3, p1, 3);
    KTEST_EXPECT(t, fx_wait_queued(p1, 3, 1000) == 3, "waiters not queued");
    rc = futex_requeue_key(p1, p2, 1, 1, true, 3);
    KTEST_EXPECT(t, rc == 2, "cmp_requeue(1, 1) returned %ld, expected 2", rc);
    KTEST_EXPECT(t, fx_wait_returned(c, 1, 1000) == 1, "%u returned", c->returned);
    KTEST_EXPECT(t, futex_waiters(p1) == 1 && futex_waiters(p2) == 1,
                 "%u on key 1, %u on key 2", futex_waiters(p1), futex_waiters(p2));
    rc = futex_requeue_key(p1, p1, 0, 5, true, 3);     /* onto itself: stays */
    KTEST_EXPECT(t, rc == 1 && futex_waiters(p1) == 1, "self requeue returned %ld", rc);
    rc = futex_wake_key(p1, UINT32_MAX, FX_ANY) + futex_wake_key(p2, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 2, "the two wakes woke %ld", rc);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

/* FUTEX_CMP_REQUEUE on a changed word returns -EAGAIN and moves nothing. */
static void futex_cmp_requeue_mismatch(ktest_t *t, fx_ctx_t *c, const uint64_t *key)
{
    uint64_t p1 = key[0], p2 = key[1];
    int64_t rc;

    fx_start_n(t, c, 2, p1, 0);
    KTEST_EXPECT(t, fx_wait_queued(p1, 2, 1000) == 2, "waiters not queued");
    fx_set(p1, 1);
    rc = futex_requeue_key(p1, p2, 1, UINT32_MAX, true, 0);
    KTEST_EXPECT(t, rc == -EAGAIN, "cmp_requeue on a changed word returned %ld", rc);
    ktest_sleep_ms(20);
    KTEST_EXPECT(t, c->returned == 0, "%u waiters returned", c->returned);
    KTEST_EXPECT(t, futex_waiters(p1) == 2 && futex_waiters(p2) == 0,
                 "%u on key 1, %u on key 2", futex_waiters(p1), futex_waiters(p2));
    rc = futex_wake_key(p1, UINT32_MAX, FX_ANY);
    KTEST_EXPECT(t, rc == 2, "wake woke %ld", rc);
    fx_join(c);
    fx_expect_results(t, c, 0);
}

typedef struct fx_waker_s {
    xptr_t           ctx;
    uint64_t         key;
    volatile int32_t woken;
} fx_waker_t;

static void fx_waker_main(void *arg)
{
    xptr_t w = XPTR(cluster_of_ptr((uintptr_t)arg), arg);
    xptr_t ctx = hal_remote_lxp(w + offsetof(fx_waker_t, ctx));
    int rc = futex_wake_key(hal_remote_l64(w + offsetof(fx_waker_t, key)), UINT32_MAX, FX_ANY);

    hal_remote_s32(w + offsetof(fx_waker_t, woken), (uint32_t)rc);
    ktest_join_done(CTX(ctx, join));          /* the last one wakes the test thread */
}

/*
 * One waiter in every cluster, on a word in cluster 0's memory, woken by a
 * thread of the last cluster: every wake-up crosses clusters.
 */
static void futex_waiter_every_cluster(ktest_t *t)
{
    fx_ctx_t c;
    fx_waker_t wk;
    uint32_t n = boot_info.topo.nclusters, q;
    uint64_t pa = fx_page(0);

    KTEST_EXPECT(t, pa != 0, "no page in cluster 0");
    if (!pa)
        return;
    fx_ctx_init(&c);
    for (uint32_t cx = 0; cx < n && cx < FX_MAX_WAITERS; cx++)
        fx_start(t, &c, cx, cluster_tbl[cx]->ncores - 1, pa, 0, FX_ANY, FX_SAFETY_MS);
    q = fx_wait_queued(pa, c.nwaiters, 1000);
    KTEST_EXPECT(t, q == c.nwaiters, "%u queued, expected %u", q, c.nwaiters);
    wk.ctx = XPTR(local_cxy(), &c);
    wk.key = pa;
    wk.woken = -1;
    __atomic_add_fetch(&c.join.left, 1, __ATOMIC_ACQ_REL);
    if (ktest_spawn_in(n - 1, 0, fx_waker_main, &wk, "fx waker") == XPTR_NULL) {
        ktest_fail(t, "no waker thread");
        __atomic_sub_fetch(&c.join.left, 1, __ATOMIC_ACQ_REL);
    }
    fx_join(&c);
    KTEST_EXPECT(t, wk.woken == (int)c.nwaiters, "the waker woke %d, expected %u", wk.woken,
                 c.nwaiters);
    fx_expect_results(t, &c, 0);
    fx_page_free(0, pa);
}

typedef struct fx_mover_s {
    xptr_t            ctx;
    uint64_t          key[2];
    uint64_t          until;           /* TSC */
    uint32_t          waker;           /* 0: requeues back and forth; 1: wakes now and then */
    volatile uint64_t woken;           /* waiters the waker's wakes woke */
} fx_mover_t;

/*
 * Until @until: the mover requeues every waiter from key[0] to key[1],
 * then back, without pause; the waker wakes one waiter of each key in turn
 * every 40 ms.
 */
static void fx_mover_main(void *arg)
{
    xptr_t mx = XPTR(cluster_of_ptr((uintptr_t)arg), arg);
    xptr_t ctx = hal_remote_lxp(mx + offsetof(fx_mover_t, ctx));
    uint64_t k0 = hal_remote_l64(mx + offsetof(fx_mover_t, key));
    uint64_t k1 = hal_remote_l64(mx + offsetof(fx_mover_t, key) + 8);
    uint64_t until = hal_remote_l64(mx + offsetof(fx_mover_t, until));
    uint32_t waker = hal_remote_l32(mx + offsetof(fx_mover_t, waker)), i = 0;
    uint64_t woken = 0;

    while (rdtsc() < until) {
        i++;
        if (waker) {
            ktest_sleep_ms(40);                        /* most waiters time out before */
            int rc = futex_wake_key(i & 1 ? k1 : k0, 1, FX_ANY);

            woken += rc > 0 ? (uint64_t)rc : 0;
            continue;
        }
        futex_requeue_key(i & 1 ? k0 : k1, i & 1 ? k1 : k0, 0, UINT32_MAX, false, 0);
        if (i % 16 == 0)
            sched_yield();                     /* else only the tick preempts it */
    }
    hal_remote_s64(mx + offsetof(fx_mover_t, woken), woken);
    ktest_join_done(CTX(ctx, join));          /* the last one wakes the test thread */
}

/* One round of futex_requeue_timeout_race on keys @p1, @p2. @return false when it failed. */
static bool fx_race_round(ktest_t *t, uint64_t p1, uint64_t p2)
{
    fx_ctx_t c, mc;                            /* the waiters; the mover and the waker */
    fx_mover_t m[2];
    uint32_t n = FX_MAX_WAITERS, nc = boot_info.topo.nclusters, zeros = 0;
    uint32_t queued1, queued2;
    uint64_t until;
    bool ok = true;

    fx_ctx_init(&c);
    fx_ctx_init(&mc);
    c.hold = 1;                                /* records stay intact until checked */
    for (uint32_t i = 0; i < n; i++)
        fx_start(t, &c, fx_cxy(i), fx_lid(i), i & 1 ? p2 : p1, 0, FX_ANY, 10 + 3 * i);
    until = rdtsc() + tsc_from_ms(30 + 3 * n);
    for (uint32_t k = 0; k < 2; k++) {
        m[k].ctx    = XPTR(local_cxy(), &mc);
        m[k].key[0] = p1;
        m[k].key[1] = p2;
        m[k].until  = until;
        m[k].waker  = k;
        m[k].woken  = 0;
        __atomic_add_fetch(&mc.join.left, 1, __ATOMIC_ACQ_REL);
        if (ktest_spawn_in((k + 1) % nc, 0, fx_mover_main, &m[k], "fx mover") ==
            XPTR_NULL) {
            ktest_fail(t, "no mover thread");
            __atomic_sub_fetch(&mc.join.left, 1, __ATOMIC_ACQ_REL);
            ok = false;
        }
    }
    fx_join(&mc);
    if (fx_wait_returned(&c, c.nwaiters, 1000) != c.nwaiters) {
        ktest_fail(t, "%u of %u waiters returned", c.returned, c.nwaiters);
        ok = false;
    }
    /* a record that left while in transit would now be queued again */
    queued1 = futex_waiters(p1);
    queued2 = futex_waiters(p2);
    if (queued1 || queued2) {
        ktest_fail(t, "left queued: %u on key 1, %u on key 2", queued1, queued2);
        ok = false;
    }
    c.hold = 0;
    fx_join(&c);
    for (uint32_t i = 0; i < c.nwaiters; i++) {
        if (!c.w[i].done || (c.w[i].result != 0 && c.w[i].result != -ETIMEDOUT)) {
            ktest_fail(t, "waiter %u: done %u, returned %d", i, c.w[i].done, c.w[i].result);
            ok = false;
        }
        zeros += c.w[i].result == 0;
    }
    if (zeros < m[1].woken) {
        ktest_fail(t, "%u waiters returned 0, %lu were woken", zeros, m[1].woken);
        ok = false;
    }
    return ok;
}

/*
 * Regression guard for the requeue protocol (records in transit, MOVING):
 * waiters with staggered short deadlines on two keys while a thread of
 * another cluster requeues them back and forth and a third one wakes some.
 * Every waiter must return, with 0 or -ETIMEDOUT (a timed-out record is
 * never left behind, a moving one never lost), at least as many with 0 as
 * the wakes counted, and nothing may stay queued. A race: three rounds.
 * Regression: a timed-out waiter that checked its record by key under the
 * lock of the key's bucket unlinked it while a requeue had it in another
 * list (page fault in xlist_unlink, from futex_requeue_key).
 */
static void futex_requeue_timeout_race(ktest_t *t)
{
    uint32_t h1 = fx_last_cluster(), h2 = 0;
    uint64_t p1 = fx_page(h1), p2 = fx_page(h2);

    KTEST_EXPECT(t, p1 && p2, "no page");
    for (int round = 0; p1 && p2 && round < 3; round++)
        if (!fx_race_round(t, p1, p2))
            break;
    fx_page_free(h1, p1);
    fx_page_free(h2, p2);
}

/* futex_<name>_case(t): the case futex_<name> run on @nkeys fresh pages. */
#define FX_CASE(name, nkeys) \
    static void futex_##name##_case(ktest_t *t) { fx_with_pages(t, (nkeys), futex_##name); }

FX_CASE(wait_mismatch_eagain, 1)
FX_CASE(wake_one_of_n, 1)
FX_CASE(wake_all, 1)
FX_CASE(timed_wait_timeout, 1)
FX_CASE(bitset_wake, 1)
FX_CASE(requeue_moves_waiters, 2)
FX_CASE(cmp_requeue_counts, 2)
FX_CASE(cmp_requeue_mismatch, 2)

static const ktest_case_t futex_cases[] = {
    { "wait_mismatch_eagain",     KTEST_ON_BSP, futex_wait_mismatch_eagain_case },
    { "wake_one_of_n",            KTEST_ON_BSP, futex_wake_one_of_n_case },
    { "wake_all",                 KTEST_ON_BSP, futex_wake_all_case },
    { "timed_wait_timeout",       KTEST_ON_BSP, futex_timed_wait_timeout_case },
    { "bitset_wake",              KTEST_ON_BSP, futex_bitset_wake_case },
    { "requeue_moves_waiters",    KTEST_ON_BSP, futex_requeue_moves_waiters_case },
    { "cmp_requeue_counts",       KTEST_ON_BSP, futex_cmp_requeue_counts_case },
    { "cmp_requeue_mismatch",     KTEST_ON_BSP, futex_cmp_requeue_mismatch_case },
    { "waiter_every_cluster",     KTEST_ON_BSP, futex_waiter_every_cluster },
    { "requeue_timeout_race",     KTEST_ON_BSP, futex_requeue_timeout_race },
};
static const ktest_suite_t futex_suite = { "futex", KTEST_CASES(futex_cases) };
KTEST_SUITE(futex_suite);
