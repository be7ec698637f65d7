/*
 * dqdt_ktest.c - self-tests of the DQDT (ktest=dqdt): the tree's shape, and
 * thread and memory placement moving away from a loaded cluster.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "rpc.h"
#include "dqdt.h"
#include "kstring.h"
#include "kcm.h"

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
    ktest_join_t      join;
    volatile uint32_t release;
} parked_t;

static void parked(void *arg)
{
    parked_t *p = arg;

    while (!hal_remote_l32(XPTR(0, (void *)&p->release)))
        ktest_sleep_ms(5);
    ktest_join_done(XPTR(0, &p->join));
}

/* After loading the chosen cluster with threads, placement picks another one. */
static void dqdt_placement_avoids_load(ktest_t *t)
{
    static parked_t p;
    uint32_t first = dqdt_get_cluster_for_thread(), then;

    if (boot_info.topo.nclusters < 2)
        return;
    memset((void *)&p, 0, sizeof(p));
    ktest_join_init(&p.join, 8);
    for (int i = 0; i < 8; i++)
        KTEST_EXPECT(t, ktest_spawn_in(first, 0, parked, &p, "parked") != XPTR_NULL, "no thread");
    then = dqdt_get_cluster_for_thread();
    KTEST_EXPECT(t, then != first, "placement still picks cluster %u after 8 threads there",
                 first);
    p.release = 1;
    KTEST_EXPECT(t, ktest_join_wait(&p.join, 10000), "parked threads did not finish");
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
        rpc_desc_t d = { .type = RPC_PPM_ALLOC,
                         .args.ppm_alloc = { .order = BUDDY_MAX_ORDER - 1 } };
        rpc_send(first, &d);
        if ((phys[got] = d.args.ppm_alloc.phys) == 0)
            break;
        got++;
        then = dqdt_get_cluster_for_memory();
    }
    KTEST_EXPECT(t, then != first, "memory placement still picks cluster %u after %u MiB "
                 "were taken there", first, got * 4);
    for (uint32_t i = 0; i < got; i++) {
        rpc_desc_t d = { .type = RPC_PPM_FREE, .args.ppm_free = { .phys = phys[i] } };
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
