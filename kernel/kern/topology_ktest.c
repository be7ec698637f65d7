/*
 * topology_ktest.c - self-tests of the topology (ktest=topology): SLIT
 * distances, cluster numbering, local stacks, the unmapped page 0.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "paging.h"

/* Distances: 10 to itself, symmetric, farther than 10 to any other cluster. */
static void topology_slit_matrix(ktest_t *t)
{
    const topology_t *tp = &boot_info.topo;

    for (uint32_t a = 0; a < tp->nclusters; a++)
        for (uint32_t b = 0; b < tp->nclusters; b++) {
            uint32_t d = tp->distance[a][b];
            KTEST_EXPECT(t, a == b ? d == 10 : d > 10, "distance %u -> %u is %u", a, b, d);
            KTEST_EXPECT(t, d == tp->distance[b][a], "distance %u <-> %u not symmetric", a, b);
        }
}

/* Clusters are numbered densely in increasing proximity-domain order. */
static void topology_domains_increasing(ktest_t *t)
{
    const topology_t *tp = &boot_info.topo;

    for (uint32_t c = 0; c < tp->nclusters; c++) {
        KTEST_EXPECT(t, cluster_tbl[c] && cluster_tbl[c]->cxy == c &&
                     cluster_tbl[c]->magic == CLUSTER_MAGIC, "cluster %u", c);
        KTEST_EXPECT(t, c == 0 || tp->cluster[c].domain > tp->cluster[c - 1].domain,
                     "cluster %u domain %u after domain %u", c, tp->cluster[c].domain,
                     c ? tp->cluster[c - 1].domain : 0);
    }
}

/* Each core's stack lives in its own cluster's memory (invariant 1). */
static void topology_stacks_local(ktest_t *t)
{
    core_t *core = core_self();
    uint64_t top = virt_to_phys((void *)core->stack_top) - 1;

    KTEST_EXPECT(t, topo_cluster_contains(&boot_info.topo, core->cxy, top, top + 1),
                 "core %u.%u: stack at 0x%lx", core->cxy, core->lid, top);
}

/*
 * Regression (cluster_bringup allocated through a NULL cluster pointer and
 * read a lock at address 0x38 without faulting, because the boot identity
 * map covered page 0): page 0 is unmapped at both of its addresses, its
 * neighbour is not.
 */
static void topology_null_page_unmapped(ktest_t *t)
{
    KTEST_EXPECT(t, !paging_is_mapped(0x38), "virtual page 0 is mapped");
    KTEST_EXPECT(t, !paging_is_mapped(DIRECT_MAP_BASE + 0x38), "direct map of page 0 is mapped");
    KTEST_EXPECT(t, paging_is_mapped(DIRECT_MAP_BASE + PAGE_SIZE), "direct map of page 1 is not");
    KTEST_EXPECT(t, paging_is_mapped((uint64_t)cluster_tbl[0]), "cluster 0's cluster_t is not");
}

static const ktest_case_t topology_cases[] = {
    { "slit_matrix",         KTEST_ON_BSP,   topology_slit_matrix },
    { "domains_increasing",  KTEST_ON_BSP,   topology_domains_increasing },
    { "stacks_local",        KTEST_ON_CORES, topology_stacks_local },
    { "null_page_unmapped",  KTEST_ON_CORES, topology_null_page_unmapped },
};
static const ktest_suite_t topology_suite = { "topology", KTEST_CASES(topology_cases) };
KTEST_SUITE(topology_suite);
