/*
 * comm_ktest.c - self-tests of the communication layer:
 * ktest=rpc,locks,sched,dqdt,remote.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "dqdt.h"
#include "queuelock.h"
#include "rwlock.h"
#include "xlist.h"
#include "barrier.h"
#include "cpu.h"
#include "kstring.h"
#include "kcm.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Waits for @n workers (any cluster) that each call join_done() once. */
typedef struct join_s {
    volatile uint32_t left;
    xptr_t            waiter;
} join_t;

static void join_init(join_t *j, uint32_t n)
{
    j->left   = n;
    j->waiter = XPTR(local_cxy(), thread_current());
}

static void join_done(xptr_t join)
{
    xptr_t waiter = hal_remote_lxp(join + offsetof(join_t, waiter));

    if (hal_remote_atomic_add(join + offsetof(join_t, left), -1) == 1)
        thread_unblock(waiter, THREAD_BLOCKED_SLEEP);
}

/* @return false when the workers did not all finish within @ms. */
static bool join_wait(join_t *j, uint64_t ms)
{
    uint64_t deadline = rdtsc() + tsc_from_ms(ms);

    while (__atomic_load_n(&j->left, __ATOMIC_ACQUIRE) != 0) {
        if (rdtsc() > deadline)
            return false;
        thread_set_blocked(THREAD_BLOCKED_SLEEP);
        if (__atomic_load_n(&j->left, __ATOMIC_ACQUIRE) == 0) {
            thread_clear_blocked(THREAD_BLOCKED_SLEEP);
            break;
        }
        sched_yield();
    }
    return true;
}

/* Sleeps the calling thread about @ms milliseconds (other threads run). */
static void sleep_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);

    while (rdtsc() < end)
        sched_yield();
}

/* Creates a kernel thread in cluster @cxy (RPC when remote). */
static xptr_t spawn_in(uint32_t cxy, uint32_t lid, void (*fn)(void *), void *arg,
                       const char *name)
{
    rpc_desc_t d = { .type = RPC_THREAD_CREATE,
                     .args = { lid, (uint64_t)fn, (uint64_t)arg, XPTR(local_cxy(), name) } };

    if (cxy == local_cxy()) {
        thread_t *t = thread_create(lid, THREAD_KERNEL, fn, arg, name);
        return t ? XPTR(cxy, t) : XPTR_NULL;
    }
    rpc_send(cxy, &d);
    return d.args[0];
}

/* ---- rpc ------------------------------------------------------------------------- */

/* From every cluster to every cluster, itself included: echo checked. */
static void rpc_all_pairs(ktest_t *t)
{
    uint32_t here = local_cxy();

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        rpc_desc_t d = { .type = RPC_TEST_ECHO, .args = { 1000 * here, c + 7 } };

        rpc_send(c, &d);
        KTEST_EXPECT(t, d.args[0] == 1000 * here + c + 7 && d.args[1] == c,
                     "%u -> %u: sum %lu, server %lu", here, c, d.args[0], d.args[1]);
    }
}

/* One multicast to every cluster: one answer from each. */
static void rpc_multicast_all(ktest_t *t)
{
    uint32_t n = boot_info.topo.nclusters, cxy[MAX_CLUSTERS];
    uint64_t results[MAX_CLUSTERS];
    rpc_desc_t d = { .type = RPC_TEST_MULTI, .args = { 500 } };

    for (uint32_t c = 0; c < n; c++) {
        cxy[c] = c;
        results[c] = ~0ull;
    }
    d.results = XPTR(local_cxy(), results);
    rpc_multicast(cxy, n, &d);
    KTEST_EXPECT(t, d.responses == 0, "%u responses still expected", d.responses);
    for (uint32_t c = 0; c < n; c++)
        KTEST_EXPECT(t, results[c] == 500 + c, "cluster %u answered %lu", c, results[c]);
}

typedef struct rpc_storm_s {
    join_t            join;
    volatile uint32_t wrong;
    uint32_t          rounds;
} rpc_storm_t;

static void rpc_storm_worker(void *arg)
{
    rpc_storm_t *s = arg;
    core_t *core = core_self();
    uint32_t n = boot_info.topo.nclusters;

    for (uint32_t i = 0; i < s->rounds; i++) {
        uint32_t target = (core->gid + i) % n;
        uint64_t a = (uint64_t)core->gid << 32 | i;
        rpc_desc_t d = { .type = RPC_TEST_ECHO, .args = { a, i } };

        rpc_send(target, &d);
        if (d.args[0] != a + i || d.args[1] != target)
            __atomic_add_fetch(&s->wrong, 1, __ATOMIC_RELAXED);
    }
    join_done(XPTR(local_cxy(), &s->join));
}

/* 1000 RPCs from every core at once (4 threads x 250), every result checked. */
static void rpc_concurrent_1000(ktest_t *t)
{
    rpc_storm_t s = { .wrong = 0, .rounds = 250 };
    core_t *core = core_self();

    join_init(&s.join, 4);
    for (int i = 0; i < 4; i++)
        if (thread_create(core->lid, THREAD_KERNEL, rpc_storm_worker, &s, "storm") == NULL)
            join_done(XPTR(local_cxy(), &s.join)), ktest_fail(t, "core %u.%u: no thread",
                                                              core->cxy, core->lid);
    KTEST_EXPECT(t, join_wait(&s.join, 120000), "core %u.%u: workers did not finish",
                 core->cxy, core->lid);
    KTEST_EXPECT(t, s.wrong == 0, "core %u.%u: %u wrong results", core->cxy, core->lid, s.wrong);
}

typedef struct rpc_block_s {
    join_t     join;
    uint32_t   server;
    queuelock_t lock;
    uint64_t   answered_by;
} rpc_block_t;

static void rpc_block_client(void *arg)
{
    rpc_block_t *b = arg;
    rpc_desc_t d = { .type = RPC_TEST_BLOCK, .args = { XPTR(local_cxy(), &b->lock) } };

    rpc_send(b->server, &d);
    b->answered_by = d.args[1];
    join_done(XPTR(local_cxy(), &b->join));
}

/* Server threads of cluster @cxy now (@ever: ever started). */
static uint32_t rpc_servers_of(uint32_t cxy, bool ever)
{
    uint32_t n = 0;

    for (uint32_t l = 0; l < cluster_tbl[cxy]->ncores; l++) {
        core_t *c = &cluster_tbl[cxy]->core[l];
        n += hal_remote_l32(XPTR(cxy, ever ? &c->rpc_servers_created : &c->rpc_nservers));
    }
    return n;
}

/*
 * A handler that blocks: while it waits on a lock the test holds, another
 * request to the same cluster is still served, by a server thread the pool
 * added; the watchdog reports the blocked request; once it completes, the
 * pool shrinks back.
 */
static void rpc_blocking_handler(ktest_t *t)
{
    rpc_block_t b;
    uint32_t n = boot_info.topo.nclusters, before, created, after = 0;
    uint64_t deadline;

    b.server = n > 1 ? (local_cxy() + 1) % n : local_cxy();
    before = rpc_servers_of(b.server, false);
    created = rpc_servers_of(b.server, true);
    queuelock_init(&b.lock, "ktest rpc block", RANK_RPC_TEST);
    queuelock_acquire(&b.lock);
    join_init(&b.join, 1);
    if (thread_create(core_self()->lid, THREAD_KERNEL, rpc_block_client, &b, "blocked") == NULL) {
        ktest_fail(t, "no thread");
        queuelock_release(&b.lock);
        return;
    }
    sleep_ms(50);                                      /* the handler is now waiting */
    rpc_desc_t echo = { .type = RPC_TEST_ECHO, .args = { 1, 2 } };
    rpc_send(b.server, &echo);
    KTEST_EXPECT(t, echo.args[0] == 3 && echo.args[1] == b.server,
                 "echo while a handler blocks: %lu from %lu", echo.args[0], echo.args[1]);
    KTEST_EXPECT(t, rpc_servers_of(b.server, true) > created, "cluster %u: no server thread "
                 "was added while one was blocked (%u started before, %u now)", b.server,
                 created, rpc_servers_of(b.server, true));
    KTEST_EXPECT(t, rpc_watchdog(20) >= 1, "the watchdog reported nothing");
    queuelock_release(&b.lock);
    KTEST_EXPECT(t, join_wait(&b.join, 10000), "the blocked RPC never completed");
    KTEST_EXPECT(t, b.answered_by == b.server, "answered by %lu", b.answered_by);
    deadline = rdtsc() + boot_info.tsc_hz;
    while (rdtsc() < deadline && (after = rpc_servers_of(b.server, false)) > before)
        sleep_ms(10);
    KTEST_EXPECT(t, after == before, "cluster %u: the pool did not shrink back (%u, was %u)",
                 b.server, after, before);
}

static const ktest_case_t rpc_cases[] = {
    { "all_pairs",        KTEST_ON_CLUSTERS, rpc_all_pairs },
    { "multicast_all",    KTEST_ON_BSP,      rpc_multicast_all },
    { "concurrent_1000",  KTEST_ON_CORES,    rpc_concurrent_1000 },
    { "blocking_handler", KTEST_ON_BSP,      rpc_blocking_handler },
};
static const ktest_suite_t rpc_suite = { "rpc", KTEST_CASES(rpc_cases) };
KTEST_SUITE(rpc_suite);

/* ---- locks --------------------------------------------------------------------------- */

/* Shared by all cores; lives in the kernel image (cluster 0). */
static remote_rwlock_t    stress_rwlock;
static remote_queuelock_t stress_qlock;
static volatile uint64_t  stress_a, stress_b, stress_count;
static volatile uint32_t  stress_torn;

/*
 * Writers move two counters apart and back together under the write lock,
 * yielding in between; readers check they are equal. A reader admitted
 * during a write, or a lost update, breaks a == b or the final total.
 */
static void locks_rwlock_stress(ktest_t *t)
{
    xptr_t lock = XPTR(0, &stress_rwlock);
    core_t *core = core_self();

    if (core->gid == 0) {
        remote_rwlock_init(lock, "ktest rwlock", RANK_TEST_LOW);
        stress_a = stress_b = 0;
        stress_torn = 0;
    }
    kernel_barrier();
    for (int i = 0; i < 100; i++) {
        remote_rwlock_wr_acquire(lock);
        uint64_t a = stress_a;
        stress_a = a + 1;
        sched_yield();
        stress_b = stress_b + 1;
        remote_rwlock_wr_release(lock);

        remote_rwlock_rd_acquire(lock);
        if (stress_a != stress_b)
            __atomic_add_fetch(&stress_torn, 1, __ATOMIC_RELAXED);
        sched_yield();
        remote_rwlock_rd_release(lock);
    }
    kernel_barrier();
    if (core->gid == 0) {
        KTEST_EXPECT(t, stress_torn == 0, "readers saw a != b %u times", stress_torn);
        KTEST_EXPECT(t, stress_a == 100ull * boot_info.topo.ncores && stress_a == stress_b,
                     "a = %lu, b = %lu, expected %u", stress_a, stress_b,
                     100 * boot_info.topo.ncores);
    }
}

/* A read-yield-write increment under a queuelock in the last cluster: no lost update. */
static void locks_queuelock_stress(ktest_t *t)
{
    uint32_t last = boot_info.topo.nclusters - 1;
    xptr_t lock = XPTR(0, &stress_qlock);
    core_t *core = core_self();

    (void)last;
    if (core->gid == 0) {
        remote_queuelock_init(lock, "ktest queuelock", RANK_TEST_LOW);
        stress_count = 0;
    }
    kernel_barrier();
    for (int i = 0; i < 200; i++) {
        remote_queuelock_acquire(lock);
        uint64_t v = stress_count;
        if (i % 8 == 0)
            sched_yield();
        stress_count = v + 1;
        remote_queuelock_release(lock);
    }
    kernel_barrier();
    if (core->gid == 0)
        KTEST_EXPECT(t, stress_count == 200ull * boot_info.topo.ncores,
                     "count %lu, expected %u", stress_count, 200 * boot_info.topo.ncores);
}

/*
 * Regression (bug found with the user suite on 4x2): the local forms of the
 * blocking locks named the lock by XPTR(local_cxy(), lock), so a queuelock
 * inside an object of another cluster (an inode, a process's fd table) got
 * a waiter list whose root did not match its own links: the first contended
 * acquisition from a remote cluster corrupted the list. Every core takes a
 * local-form queuelock that lives in the last cluster, with yields inside,
 * so waiters from every cluster queue on it.
 */
static queuelock_t *local_form_lock;
static volatile uint64_t local_form_count;
static uint64_t local_form_phys;

static void locks_local_form_remote_object(ktest_t *t)
{
    uint32_t last = boot_info.topo.nclusters - 1;
    core_t *core = core_self();

    if (core->gid == 0) {
        rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args = { 0 } };

        rpc_send(last, &d);
        local_form_phys = d.args[0];
        local_form_lock = local_form_phys ? phys_to_virt(local_form_phys) : NULL;
        if (local_form_lock)
            queuelock_init(local_form_lock, "ktest remote object", RANK_TEST_LOW);
        local_form_count = 0;
    }
    kernel_barrier();
    if (local_form_lock == NULL) {
        KTEST_EXPECT(t, core->gid != 0, "no page in cluster %u", last);
        return;
    }
    for (int i = 0; i < 100; i++) {
        queuelock_acquire(local_form_lock);
        uint64_t v = local_form_count;
        if (i % 4 == 0)
            sched_yield();
        local_form_count = v + 1;
        queuelock_release(local_form_lock);
    }
    kernel_barrier();
    if (core->gid == 0) {
        KTEST_EXPECT(t, local_form_count == 100ull * boot_info.topo.ncores,
                     "count %lu, expected %u", local_form_count, 100 * boot_info.topo.ncores);
        KTEST_EXPECT(t, cluster_of_ptr((uintptr_t)local_form_lock) == last,
                     "lock in cluster %u, expected %u",
                     cluster_of_ptr((uintptr_t)local_form_lock), last);
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args = { local_form_phys } };
        rpc_send(last, &d);
        local_form_lock = NULL;
    }
    kernel_barrier();
}

typedef struct xnode_s {
    xlist_entry_t link;
    uint32_t      cxy;
} xnode_t;

/* An xlist whose root is here and whose entries live in every cluster. */
static void locks_xlist_spanning(ktest_t *t)
{
    uint32_t n = boot_info.topo.nclusters;
    xlist_entry_t root;
    xptr_t rx = XPTR(local_cxy(), &root), it;
    uint64_t phys[MAX_CLUSTERS];
    xptr_t node[MAX_CLUSTERS];
    uint32_t i = 0;

    xlist_root_init(rx);
    KTEST_EXPECT(t, xlist_is_empty(rx), "a new list is not empty");
    for (uint32_t c = 0; c < n; c++) {                 /* a page in each cluster, by RPC */
        rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args = { 0 } };
        rpc_send(c, &d);
        phys[c] = d.args[0];
        KTEST_EXPECT(t, phys[c] != 0, "no page in cluster %u", c);
        if (phys[c] == 0)
            return;
        node[c] = XPTR(c, phys_to_virt(phys[c]));
        hal_remote_s32(node[c] + offsetof(xnode_t, cxy), c);
        if (c & 1)
            xlist_add_first(rx, node[c] + offsetof(xnode_t, link));
        else
            xlist_add_last(rx, node[c] + offsetof(xnode_t, link));
    }
    KTEST_EXPECT(t, xlist_length(rx) == n, "length %lu, expected %u",
                 (unsigned long)xlist_length(rx), n);
    /* order: odd clusters in decreasing order, then even ones increasing */
    XLIST_FOREACH(rx, it) {
        uint32_t c = hal_remote_l32(XLIST_ELEMENT(it, xnode_t, link) + offsetof(xnode_t, cxy));
        uint32_t nodd = n / 2;
        uint32_t want = i < nodd ? 2 * (nodd - i) - 1 : 2 * (i - nodd);
        KTEST_EXPECT(t, c == want && GET_CXY(it) == c, "position %u holds cluster %u", i, c);
        i++;
    }
    for (uint32_t c = 0; c < n; c += 2)                /* unlink the even ones */
        xlist_unlink(node[c] + offsetof(xnode_t, link));
    KTEST_EXPECT(t, xlist_length(rx) == n / 2, "after unlink: %lu",
                 (unsigned long)xlist_length(rx));
    for (uint32_t c = 1; c < n; c += 2)
        xlist_unlink(node[c] + offsetof(xnode_t, link));
    KTEST_EXPECT(t, xlist_is_empty(rx), "not empty at the end");
    for (uint32_t c = 0; c < n; c++) {
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args = { phys[c] } };
        rpc_send(c, &d);
    }
}

/* The rank checker, in report-only mode, catches each kind of bad acquisition. */
static void locks_rank_checker(ktest_t *t)
{
#ifdef DEBUG
    static busylock_t low = BUSYLOCK_INIT("ktest low", RANK_TEST_LOW);
    static busylock_t high = BUSYLOCK_INIT("ktest high", RANK_TEST_HIGH);
    queuelock_t q;

    queuelock_init(&q, "ktest queuelock", RANK_TEST_MID);
    lock_rank_set_report_only(true);
    busylock_acquire(&low);                            /* in order: fine */
    busylock_acquire(&high);
    busylock_release(&high);
    busylock_release(&low);
    KTEST_EXPECT(t, lock_rank_violations() == 0, "in-order acquisition reported: %s",
                 lock_rank_last_violation());

    busylock_acquire(&high);                           /* out of order */
    busylock_acquire(&low);
    busylock_release(&low);
    busylock_release(&high);
    KTEST_EXPECT(t, lock_rank_violations() == 1, "%u violations", lock_rank_violations());
    KTEST_EXPECT(t, strstr(lock_rank_last_violation(), "'ktest low'") &&
                 strstr(lock_rank_last_violation(), "'ktest high'") &&
                 strstr(lock_rank_last_violation(), "locks_rank_checker+"),
                 "message: %s", lock_rank_last_violation());

    busylock_acquire(&low);                            /* a blocking lock under a busylock */
    lock_rank_acquire(&q, q.name, q.rank, false, (uintptr_t)locks_rank_checker);
    lock_rank_release(&q);
    busylock_release(&low);
    KTEST_EXPECT(t, lock_rank_violations() == 2, "blocking under busylock: %u violations",
                 lock_rank_violations());
    lock_rank_set_report_only(false);
#else
    (void)t;
#endif
}

/*
 * Regression: a blocking lock's internal guard (a rank-0 busylock at the same
 * address as the lock) erased the lock's entry from the held list when it
 * was released, so the checker never saw a queuelock or rwlock as held.
 */
static void locks_guard_keeps_blocking_lock_held(ktest_t *t)
{
#ifdef DEBUG
    lock_trace_t *lt = &thread_current()->locks;
    uint32_t before = lt->nheld;
    queuelock_t q;
    rwlock_t rw;

    queuelock_init(&q, "ktest queuelock", RANK_TEST_LOW);
    rwlock_init(&rw, "ktest rwlock", RANK_TEST_MID);
    queuelock_acquire(&q);
    KTEST_EXPECT(t, lt->nheld == before + 1 && lt->held[lt->nheld - 1].rank == RANK_TEST_LOW &&
                 strcmp(lt->held[lt->nheld - 1].name, "ktest queuelock") == 0,
                 "queuelock held but %u entries (was %u)", lt->nheld, before);
    rwlock_wr_acquire(&rw);
    KTEST_EXPECT(t, lt->nheld == before + 2 && lt->held[lt->nheld - 1].rank == RANK_TEST_MID,
                 "rwlock (write) held but %u entries (was %u)", lt->nheld, before);
    rwlock_wr_release(&rw);
    rwlock_rd_acquire(&rw);
    KTEST_EXPECT(t, lt->nheld == before + 2 && lt->held[lt->nheld - 1].rank == RANK_TEST_MID,
                 "rwlock (read) held but %u entries (was %u)", lt->nheld, before);
    rwlock_rd_release(&rw);
    queuelock_release(&q);
    KTEST_EXPECT(t, lt->nheld == before, "%u entries after the releases (was %u)",
                 lt->nheld, before);
#else
    (void)t;
#endif
}

static const ktest_case_t locks_cases[] = {
    { "remote_rwlock_stress",    KTEST_ON_CORES, locks_rwlock_stress },
    { "remote_queuelock_stress", KTEST_ON_CORES, locks_queuelock_stress },
    { "local_form_remote_object", KTEST_ON_CORES, locks_local_form_remote_object },
    { "xlist_spanning",          KTEST_ON_BSP,   locks_xlist_spanning },
    { "rank_checker",            KTEST_ON_BSP,   locks_rank_checker },
    { "guard_keeps_blocking_lock_held", KTEST_ON_BSP, locks_guard_keeps_blocking_lock_held },
};
static const ktest_suite_t locks_suite = { "locks", KTEST_CASES(locks_cases) };
KTEST_SUITE(locks_suite);

/* ---- sched ----------------------------------------------------------------------------- */

typedef struct spinner_s {
    join_t            join;
    volatile uint32_t stop;
    volatile uint32_t next_slot;
    volatile uint64_t count[3];
} spinner_t;

static void spinner(void *arg)
{
    spinner_t *s = arg;
    uint32_t slot = __atomic_fetch_add(&s->next_slot, 1, __ATOMIC_RELAXED) % 3;

    while (!s->stop)
        s->count[slot]++;                              /* never yields: only the tick preempts */
    join_done(XPTR(local_cxy(), &s->join));
}

/* Three threads that never yield, plus the main thread, all make progress. */
static void sched_threads_progress(ktest_t *t)
{
    static spinner_t s[MAX_CLUSTERS * MAX_CORES_PER_CLUSTER];
    core_t *core = core_self();
    spinner_t *my = &s[core->gid];

    uint64_t deadline;

    memset((void *)my, 0, sizeof(*my));
    join_init(&my->join, 3);
    for (int i = 0; i < 3; i++)
        thread_create(core->lid, THREAD_KERNEL, spinner, my, "spinner");
    /* until each has run (bounded: 64 vCPUs may share 2 host cores under TCG) */
    deadline = rdtsc() + 20 * boot_info.tsc_hz;
    while ((!my->count[0] || !my->count[1] || !my->count[2]) && rdtsc() < deadline)
        sleep_ms(10);
    my->stop = 1;
    KTEST_EXPECT(t, join_wait(&my->join, 5000), "core %u.%u: spinners did not stop",
                 core->cxy, core->lid);
    for (int i = 0; i < 3; i++)
        KTEST_EXPECT(t, my->count[i] > 0, "core %u.%u: spinner %d never ran", core->cxy,
                     core->lid, i);
}

typedef struct sleeper_s {
    join_t            join;
    volatile xptr_t   self;
    volatile uint32_t woken;
} sleeper_t;

static void sleeper(void *arg)
{
    sleeper_t *s = arg;

    hal_remote_sxp(XPTR(0, (void *)&s->self), XPTR(local_cxy(), thread_current()));
    thread_block(THREAD_BLOCKED_SLEEP);
    s->woken = local_cxy() + 1;
    join_done(XPTR(0, &s->join));
}

/* A thread in the farthest cluster sleeps; this core wakes it remotely. */
static void sched_cross_cluster_wakeup(ktest_t *t)
{
    static sleeper_t s;
    uint32_t n = boot_info.topo.nclusters, target = n - 1;
    uint64_t deadline;

    memset((void *)&s, 0, sizeof(s));
    join_init(&s.join, 1);
    KTEST_EXPECT(t, spawn_in(target, 0, sleeper, &s, "sleeper") != XPTR_NULL, "no thread");
    deadline = rdtsc() + boot_info.tsc_hz;
    while (s.self == XPTR_NULL && rdtsc() < deadline)
        sched_yield();
    KTEST_EXPECT(t, s.self != XPTR_NULL, "the sleeper never ran");
    if (s.self == XPTR_NULL)
        return;
    sleep_ms(20);
    KTEST_EXPECT(t, s.woken == 0, "woke before being unblocked");
    thread_unblock(s.self, THREAD_BLOCKED_SLEEP);
    KTEST_EXPECT(t, join_wait(&s.join, 5000), "the sleeper was not woken");
    KTEST_EXPECT(t, s.woken == target + 1, "woken in cluster %u", s.woken - 1);
}

typedef struct window_s {
    join_t            join;
    volatile uint32_t done;
} window_t;

/* Sets its blocked bit, then stays in the set-to-check window for 5 ticks. */
static void window_waiter(void *arg)
{
    window_t *w = arg;
    uint64_t end = rdtsc() + tsc_from_us(5 * TICK_US);

    thread_set_blocked(THREAD_BLOCKED_SLEEP);    /* the wake-up came before: nobody else will */
    while (rdtsc() < end)
        cpu_pause();                              /* the timer preempts us in the window */
    thread_clear_blocked(THREAD_BLOCKED_SLEEP);   /* the re-check found the condition true */
    w->done = 1;
    join_done(XPTR(local_cxy(), &w->join));
}

/* Keeps the core busy so that preemption switches away from the waiter. */
static void window_rival(void *arg)
{
    window_t *w = arg;
    uint64_t end = rdtsc() + 2 * boot_info.tsc_hz;

    while (!w->done && rdtsc() < end)
        cpu_pause();
    join_done(XPTR(local_cxy(), &w->join));
}

/*
 * Regression (lost wake-up: the RPC storm hung when the timer preempted a
 * client between setting its blocked bit and re-checking its condition;
 * the scheduler then treated it as blocked, and its wake-up had already
 * come): a thread preempted inside that window stays runnable until it
 * yields by itself.
 */
static void sched_preempted_waiter_resumes(ktest_t *t)
{
    window_t w = { .done = 0 };
    uint32_t lid = core_self()->lid;

    join_init(&w.join, 2);
    thread_create(lid, THREAD_KERNEL, window_waiter, &w, "window");
    thread_create(lid, THREAD_KERNEL, window_rival, &w, "rival");
    KTEST_EXPECT(t, join_wait(&w.join, 5000), "the threads did not finish");
    KTEST_EXPECT(t, w.done, "the waiter preempted in its wait window never ran again");
}

static const ktest_case_t sched_cases[] = {
    { "preempted_waiter_resumes", KTEST_ON_BSP, sched_preempted_waiter_resumes },
    { "threads_progress",     KTEST_ON_CORES, sched_threads_progress },
    { "cross_cluster_wakeup", KTEST_ON_BSP,   sched_cross_cluster_wakeup },
};
static const ktest_suite_t sched_suite = { "sched", KTEST_CASES(sched_cases) };
KTEST_SUITE(sched_suite);

/* ---- dqdt ------------------------------------------------------------------------------- */

static uint32_t node_u32(xptr_t node, size_t off)
{
    return hal_remote_l32(node + off);
}

/* The root covers every core; the tree has log2(clusters) levels with the guest's SLIT. */
static void dqdt_tree_shape(ktest_t *t)
{
    xptr_t root = dqdt_root();
    uint32_t n = boot_info.topo.nclusters, lv = 0;

    KTEST_EXPECT(t, node_u32(root, offsetof(dqdt_node_t, cores)) == boot_info.topo.ncores,
                 "root has %u cores, machine %u", node_u32(root, offsetof(dqdt_node_t, cores)),
                 boot_info.topo.ncores);
    while ((1u << lv) < n)
        lv++;
    if (boot_info.topo.from_slit && (n & (n - 1)) == 0)
        KTEST_EXPECT(t, dqdt_levels() == lv, "%u levels for %u clusters", dqdt_levels(), n);
}

typedef struct parked_s {
    join_t            join;
    volatile uint32_t release;
} parked_t;

static void parked(void *arg)
{
    parked_t *p = arg;

    while (!hal_remote_l32(XPTR(0, (void *)&p->release)))
        sleep_ms(5);
    join_done(XPTR(0, &p->join));
}

/* After loading the chosen cluster with threads, placement picks another one. */
static void dqdt_placement_avoids_load(ktest_t *t)
{
    static parked_t p;
    uint32_t first = dqdt_get_cluster_for_thread(), then;

    if (boot_info.topo.nclusters < 2)
        return;
    memset((void *)&p, 0, sizeof(p));
    join_init(&p.join, 8);
    for (int i = 0; i < 8; i++)
        KTEST_EXPECT(t, spawn_in(first, 0, parked, &p, "parked") != XPTR_NULL, "no thread");
    then = dqdt_get_cluster_for_thread();
    KTEST_EXPECT(t, then != first, "placement still picks cluster %u after 8 threads there",
                 first);
    p.release = 1;
    KTEST_EXPECT(t, join_wait(&p.join, 10000), "parked threads did not finish");
}

/*
 * Taking memory from the cluster memory placement picks moves the choice
 * to another cluster before the first one runs out.
 */
static void dqdt_memory_placement(ktest_t *t)
{
    enum { MAX_BLOCKS = 512 };                         /* 2 GiB in 4 MiB blocks */
    uint32_t first = dqdt_get_cluster_for_memory(), then = first;
    uint64_t *phys = kmem_alloc(MAX_BLOCKS * sizeof(uint64_t));
    uint32_t got = 0;

    if (boot_info.topo.nclusters < 2 || phys == NULL) {
        kmem_free(phys);
        return;
    }
    while (then == first && got < MAX_BLOCKS) {        /* 4 MiB at a time, by RPC */
        rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args = { BUDDY_MAX_ORDER - 1 } };
        rpc_send(first, &d);
        if ((phys[got] = d.args[0]) == 0)
            break;
        got++;
        then = dqdt_get_cluster_for_memory();
    }
    KTEST_EXPECT(t, then != first, "memory placement still picks cluster %u after %u MiB "
                 "were taken there", first, got * 4);
    for (uint32_t i = 0; i < got; i++) {
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args = { phys[i] } };
        rpc_send(first, &d);
    }
    kmem_free(phys);
}

static const ktest_case_t dqdt_cases[] = {
    { "tree_shape",              KTEST_ON_BSP, dqdt_tree_shape },
    { "placement_avoids_load",   KTEST_ON_BSP, dqdt_placement_avoids_load },
    { "memory_placement",        KTEST_ON_BSP, dqdt_memory_placement },
};
static const ktest_suite_t dqdt_suite = { "dqdt", KTEST_CASES(dqdt_cases) };
KTEST_SUITE(dqdt_suite);

/* ---- remote access counters ------------------------------------------------------------- */

/* Remote loads from every cluster to cluster 0 are counted for that pair. */
static void remote_counters(ktest_t *t)
{
#ifdef INSTRUMENT
    static uint32_t remote_word;
    uint32_t here = local_cxy();
    uint64_t before = hal_remote_count(here, 0);

    for (int i = 0; i < 100; i++)
        (void)hal_remote_l32(XPTR(0, &remote_word));
    KTEST_EXPECT(t, hal_remote_count(here, 0) >= before + 100, "cluster %u -> 0: %lu -> %lu",
                 here, before, hal_remote_count(here, 0));
#else
    (void)t;
#endif
}

static const ktest_case_t remote_cases[] = {
    { "counters", KTEST_ON_CLUSTERS, remote_counters },
};
static const ktest_suite_t remote_suite = { "remote", KTEST_CASES(remote_cases) };
KTEST_SUITE(remote_suite);
