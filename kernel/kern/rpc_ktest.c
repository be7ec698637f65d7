/*
 * rpc_ktest.c - self-tests of the RPCs (ktest=rpc): every pair of clusters,
 * multicast, a storm from every core, a blocking handler.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "queuelock.h"
#include "cpu.h"

/* From every cluster to every cluster, itself included: echo checked. */
static void rpc_all_pairs(ktest_t *t)
{
    uint32_t here = local_cxy();

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        rpc_desc_t d = { .type = RPC_TEST_ECHO,
                         .args.test_echo = { .a = 1000 * here, .b = c + 7 } };
        rpc_test_echo_args_t *echo = &d.args.test_echo;

        rpc_send(c, &d);
        KTEST_EXPECT(t, echo->sum == 1000 * here + c + 7 && echo->server_cxy == c,
                     "%u -> %u: sum %lu, server %u", here, c, echo->sum, echo->server_cxy);
    }
}

/* One multicast to every cluster: one answer from each. */
static void rpc_multicast_all(ktest_t *t)
{
    uint32_t n = boot_info.topo.nclusters, cxy[MAX_CLUSTERS];
    uint64_t results[MAX_CLUSTERS];
    rpc_desc_t d = { .type = RPC_TEST_MULTI, .args.test_multi = { .base = 500 } };

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
    ktest_join_t      join;
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
        rpc_desc_t d = { .type = RPC_TEST_ECHO, .args.test_echo = { .a = a, .b = i } };

        rpc_send(target, &d);
        if (d.args.test_echo.sum != a + i || d.args.test_echo.server_cxy != target)
            __atomic_add_fetch(&s->wrong, 1, __ATOMIC_RELAXED);
    }
    ktest_join_done(XPTR(local_cxy(), &s->join));
}

/* 1000 RPCs from every core at once (4 threads x 250), every result checked. */
static void rpc_concurrent_1000(ktest_t *t)
{
    rpc_storm_t s = { .wrong = 0, .rounds = 250 };
    core_t *core = core_self();

    ktest_join_init(&s.join, 4);
    for (int i = 0; i < 4; i++)
        if (thread_create(core->lid, THREAD_KERNEL, rpc_storm_worker, &s, "storm") == NULL)
            ktest_join_done(XPTR(local_cxy(), &s.join)), ktest_fail(t, "core %u.%u: no thread",
                                                              core->cxy, core->lid);
    KTEST_EXPECT(t, ktest_join_wait(&s.join, 120000), "core %u.%u: workers did not finish",
                 core->cxy, core->lid);
    KTEST_EXPECT(t, s.wrong == 0, "core %u.%u: %u wrong results", core->cxy, core->lid, s.wrong);
}

typedef struct rpc_block_s {
    ktest_join_t join;
    uint32_t     server;
    queuelock_t  lock;
    uint64_t     answered_by;
} rpc_block_t;

static void rpc_block_client(void *arg)
{
    rpc_block_t *b = arg;
    rpc_desc_t d = { .type = RPC_TEST_BLOCK,
                     .args.test_block = { .lock = XPTR(local_cxy(), &b->lock) } };

    rpc_send(b->server, &d);
    b->answered_by = d.args.test_block.server_cxy;
    ktest_join_done(XPTR(local_cxy(), &b->join));
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
    ktest_join_init(&b.join, 1);
    if (thread_create(core_self()->lid, THREAD_KERNEL, rpc_block_client, &b, "blocked") == NULL) {
        ktest_fail(t, "no thread");
        queuelock_release(&b.lock);
        return;
    }
    ktest_sleep_ms(50);                                      /* the handler is now waiting */
    rpc_desc_t echo = { .type = RPC_TEST_ECHO, .args.test_echo = { .a = 1, .b = 2 } };
    rpc_send(b.server, &echo);
    KTEST_EXPECT(t, echo.args.test_echo.sum == 3 && echo.args.test_echo.server_cxy == b.server,
                 "echo while a handler blocks: %lu from %u", echo.args.test_echo.sum,
                 echo.args.test_echo.server_cxy);
    KTEST_EXPECT(t, rpc_servers_of(b.server, true) > created, "cluster %u: no server thread "
                 "was added while one was blocked (%u started before, %u now)", b.server,
                 created, rpc_servers_of(b.server, true));
    KTEST_EXPECT(t, rpc_watchdog(20) >= 1, "the watchdog reported nothing");
    queuelock_release(&b.lock);
    KTEST_EXPECT(t, ktest_join_wait(&b.join, 10000), "the blocked RPC never completed");
    KTEST_EXPECT(t, b.answered_by == b.server, "answered by %lu", b.answered_by);
    deadline = rdtsc() + boot_info.tsc_hz;
    while (rdtsc() < deadline && (after = rpc_servers_of(b.server, false)) > before)
        ktest_sleep_ms(10);
    KTEST_EXPECT(t, after == before, "cluster %u: the pool did not shrink back (%u, was %u)",
                 b.server, after, before);
}

/*
 * Regression (issue 17): the watchdog read the TSC once, before its loop,
 * and computed `now - rpc_since`; a request posted after that read wrapped
 * around to ~2^64 cycles and was reported "unanswered for 8738113983926
 * ms". A thread whose request is dated after the watchdog starts must not
 * be reported.
 */
static void rpc_watchdog_posted_after_now(ktest_t *t)
{
    thread_t *me = thread_current();
    rpc_desc_t fake = { .type = RPC_NOP, .responses = 1 };
    uint64_t flags = irq_save();          /* our own fields: no tick may look meanwhile */

    me->rpc_reported = 0;
    me->rpc_server = local_cxy();
    me->rpc_since = rdtsc() + tsc_from_ms(60000);   /* posted "later" than any read */
    __atomic_store_n(&me->rpc_wait, &fake, __ATOMIC_RELEASE);
    rpc_watchdog(20);
    __atomic_store_n(&me->rpc_wait, NULL, __ATOMIC_RELEASE);
    irq_restore(flags);
    KTEST_EXPECT(t, !me->rpc_reported, "a request younger than the watchdog's clock was "
                 "reported as unanswered for ~2^64 cycles");
    KTEST_EXPECT(t, rpc_wait_age(100, 200) == 0 && rpc_wait_age(200, 100) == 100,
                 "rpc_wait_age(100, 200) = %lu", rpc_wait_age(100, 200));
    me->rpc_reported = 0;
}

static const ktest_case_t rpc_cases[] = {
    { "all_pairs",        KTEST_ON_CLUSTERS, rpc_all_pairs },
    { "multicast_all",    KTEST_ON_BSP,      rpc_multicast_all },
    { "concurrent_1000",  KTEST_ON_CORES,    rpc_concurrent_1000 },
    { "blocking_handler", KTEST_ON_BSP,      rpc_blocking_handler },
    { "watchdog_posted_after_now", KTEST_ON_BSP, rpc_watchdog_posted_after_now },
};
static const ktest_suite_t rpc_suite = { "rpc", KTEST_CASES(rpc_cases) };
KTEST_SUITE(rpc_suite);
