/*
 * locks_ktest.c - self-tests of the locks and the xlist (ktest=locks): the
 * remote rwlock and queuelock under contention from every core, a local-form
 * lock in another cluster, an xlist spanning every cluster, the rank checker.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "queuelock.h"
#include "rwlock.h"
#include "xlist.h"
#include "barrier.h"
#include "kstring.h"

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
        rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args.ppm_alloc = { .order = 0 } };

        rpc_send(last, &d);
        local_form_phys = d.args.ppm_alloc.phys;
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
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args.ppm_free = { .phys = local_form_phys } };
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
        rpc_desc_t d = { .type = RPC_PPM_ALLOC, .args.ppm_alloc = { .order = 0 } };
        rpc_send(c, &d);
        phys[c] = d.args.ppm_alloc.phys;
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
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args.ppm_free = { .phys = phys[c] } };
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
