/*
 * dqdt.h - the distributed decision tree used for placement.
 *
 * ALMOS-MKH's DQDT is a quaternary tree over a 2D mesh of clusters; on a
 * NUMA machine the natural hierarchy is the SLIT instead. Level 0 has one
 * leaf per cluster. For each distinct SLIT distance d1 < d2 < ... (above
 * the local 10), level k groups the clusters that are within d_k of each
 * other (transitively); the last level is the root. With the SLIT of the
 * QEMU guests (20 within a pair, 30 within four, ...) this is a binary
 * tree; without SLIT, a root over all leaves.
 *
 * Every node holds the number of threads, cores and free pages of its
 * subtree. A node of group G at level k lives in the cluster_t of the first
 * (lowest cxy) cluster of G, so the tree is spread over the clusters and
 * its updates are remote atomic adds up the path (O(depth)); free pages are
 * reported in quanta of DQDT_PAGE_QUANTUM so that page allocation stays
 * cheap.
 */
#ifndef _DQDT_H_
#define _DQDT_H_

#include <stdint.h>
#include "hal_remote.h"

#define DQDT_MAX_LEVELS   8
#define DQDT_PAGE_QUANTUM 64     /* pages: free-page changes smaller than this are not propagated */

typedef struct dqdt_node_s {
    uint32_t          level;                   /* 0 = leaf */
    uint32_t          cxy;                     /* leaf: its cluster; else first cluster of the group */
    xptr_t            parent;                  /* XPTR_NULL at the root */
    uint32_t          nchildren;
    xptr_t            children[MAX_CLUSTERS];
    volatile uint32_t threads;                 /* threads in the subtree (idle excluded) */
    uint32_t          cores;                   /* cores in the subtree */
    volatile uint32_t free_pages;              /* free pages in the subtree (approximate) */
} dqdt_node_t;

/*
 * Builds the tree over every cluster from the topology's distances. Runs
 * on the bootstrap core once every cluster exists, before any thread.
 */
void dqdt_init(void);

/* The root node. */
xptr_t dqdt_root(void);

/*
 * Adds @delta to the local cluster's thread count, up to the root. Any
 * context (remote atomic adds, no lock).
 */
void dqdt_update_threads(int32_t delta);

/*
 * Tells the tree the local cluster now has @free_pages free pages; only
 * changes of DQDT_PAGE_QUANTUM or more go up the tree. Any context.
 */
void dqdt_update_pages(uint64_t free_pages);

/*
 * Descends from the root to the cluster with the fewest threads per core
 * (ties: the lowest cxy). Any core.
 */
uint32_t dqdt_get_cluster_for_thread(void);

/* Descends from the root to the cluster with the most free pages. Any core. */
uint32_t dqdt_get_cluster_for_memory(void);

/* Number of levels above the leaves (0 for a single cluster). */
uint32_t dqdt_levels(void);

#endif
