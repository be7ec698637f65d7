/*
 * dqdt.c - distributed decision tree (see dqdt.h).
 */
#include "dqdt.h"
#include "cluster.h"
#include "boot_info.h"
#include "printk.h"
#include "kstring.h"

#define NODE(xp, f) ((xp) + offsetof(dqdt_node_t, f))

static uint32_t dqdt_nlevels;        /* levels above the leaves: read-mostly boot information */
static xptr_t   dqdt_root_xp;

static xptr_t node_xp(uint32_t cxy, uint32_t level)
{
    return XPTR(cxy, &cluster_tbl[cxy]->dqdt[level]);
}

/* Group representative of every cluster at distance threshold @d (union-find). */
static void dqdt_groups(uint32_t d, uint32_t *group)
{
    const topology_t *t = &boot_info.topo;
    bool changed = true;

    for (uint32_t c = 0; c < t->nclusters; c++)
        group[c] = c;
    while (changed) {                           /* smallest cxy reachable within d */
        changed = false;
        for (uint32_t a = 0; a < t->nclusters; a++)
            for (uint32_t b = 0; b < t->nclusters; b++)
                if (t->distance[a][b] <= d && group[b] < group[a]) {
                    group[a] = group[b];
                    changed = true;
                }
    }
}

static void dqdt_link(xptr_t parent, xptr_t child)
{
    uint32_t n = hal_remote_l32(NODE(parent, nchildren));

    hal_remote_sxp(NODE(parent, children[n]), child);
    hal_remote_s32(NODE(parent, nchildren), n + 1);
    hal_remote_sxp(NODE(child, parent), parent);
    hal_remote_atomic_add(NODE(parent, cores), (int32_t)hal_remote_l32(NODE(child, cores)));
    hal_remote_atomic_add(NODE(parent, free_pages),
                          (int32_t)hal_remote_l32(NODE(child, free_pages)));
}

void dqdt_init(void)
{
    const topology_t *t = &boot_info.topo;
    uint32_t dist[DQDT_MAX_LEVELS], ndist = 0;
    uint32_t below[MAX_CLUSTERS], group[MAX_CLUSTERS];

    /* the distinct distances above the local one, increasing */
    for (uint32_t a = 0; a < t->nclusters; a++)
        for (uint32_t b = 0; b < t->nclusters; b++) {
            uint32_t d = t->distance[a][b], i;
            if (a == b)
                continue;
            for (i = 0; i < ndist && dist[i] != d; i++)
                ;
            if (i == ndist && ndist < DQDT_MAX_LEVELS - 1)
                dist[ndist++] = d;
        }
    for (uint32_t i = 0; i < ndist; i++)            /* sort */
        for (uint32_t j = i + 1; j < ndist; j++)
            if (dist[j] < dist[i]) {
                uint32_t x = dist[i]; dist[i] = dist[j]; dist[j] = x;
            }
    if (ndist > 0)
        dist[ndist - 1] = 255;                      /* the top level joins everything */

    for (uint32_t c = 0; c < t->nclusters; c++) {
        xptr_t leaf = node_xp(c, 0);
        hal_remote_s32(NODE(leaf, level), 0);
        hal_remote_s32(NODE(leaf, cxy), c);
        hal_remote_s32(NODE(leaf, cores), cluster_tbl[c]->ncores);
        hal_remote_s32(NODE(leaf, free_pages), (uint32_t)ppm_free_count(c));
        cluster_tbl[c]->dqdt_reported_free = ppm_free_count(c);
        below[c] = c;                               /* group of c at the level below */
    }
    for (uint32_t k = 1; k <= ndist; k++) {
        dqdt_groups(dist[k - 1], group);
        for (uint32_t c = 0; c < t->nclusters; c++) {
            if (group[c] == c) {
                xptr_t n = node_xp(c, k);
                hal_remote_s32(NODE(n, level), k);
                hal_remote_s32(NODE(n, cxy), c);
            }
        }
        /* each group of the level below becomes a child of its group here */
        for (uint32_t c = 0; c < t->nclusters; c++)
            if (below[c] == c)
                dqdt_link(node_xp(group[c], k), node_xp(c, k - 1));
        for (uint32_t c = 0; c < t->nclusters; c++)
            below[c] = group[c];
    }
    dqdt_nlevels = ndist;
    dqdt_root_xp = node_xp(0, ndist);
}

xptr_t dqdt_root(void)
{
    return dqdt_root_xp;
}

uint32_t dqdt_levels(void)
{
    return dqdt_nlevels;
}

void dqdt_update_threads(int32_t delta)
{
    xptr_t n = XPTR(local_cxy(), &cluster_local()->dqdt[0]);

    if (dqdt_root_xp == XPTR_NULL)
        return;                                     /* before dqdt_init() */
    while (n != XPTR_NULL) {
        hal_remote_atomic_add(NODE(n, threads), delta);
        n = hal_remote_lxp(NODE(n, parent));
    }
}

void dqdt_update_pages(uint64_t free_pages)
{
    cluster_t *cl = cluster_local();
    int64_t delta = (int64_t)free_pages - (int64_t)cl->dqdt_reported_free;
    xptr_t n;

    if (dqdt_root_xp == XPTR_NULL || cl == NULL)
        return;                                     /* before dqdt_init() */
    if (delta > -DQDT_PAGE_QUANTUM && delta < DQDT_PAGE_QUANTUM)
        return;
    cl->dqdt_reported_free = free_pages;
    for (n = XPTR(cl->cxy, &cl->dqdt[0]); n != XPTR_NULL; n = hal_remote_lxp(NODE(n, parent)))
        hal_remote_atomic_add(NODE(n, free_pages), (int32_t)delta);
}

/* Descends from the root choosing, at each level, the best child by @better. */
static uint32_t dqdt_descend(bool (*better)(xptr_t a, xptr_t b))
{
    xptr_t n = dqdt_root_xp;

    while (hal_remote_l32(NODE(n, level)) > 0) {
        uint32_t nc = hal_remote_l32(NODE(n, nchildren));
        xptr_t best = hal_remote_lxp(NODE(n, children[0]));

        for (uint32_t i = 1; i < nc; i++) {
            xptr_t c = hal_remote_lxp(NODE(n, children[i]));
            if (better(c, best))
                best = c;
        }
        n = best;
    }
    return hal_remote_l32(NODE(n, cxy));
}

/* Fewer threads per core (compared without division: a/b < c/d). */
static bool fewer_threads(xptr_t a, xptr_t b)
{
    uint64_t ta = hal_remote_l32(NODE(a, threads)), ca = hal_remote_l32(NODE(a, cores));
    uint64_t tb = hal_remote_l32(NODE(b, threads)), cb = hal_remote_l32(NODE(b, cores));

    return ta * cb < tb * ca;
}

static bool more_pages(xptr_t a, xptr_t b)
{
    return hal_remote_l32(NODE(a, free_pages)) > hal_remote_l32(NODE(b, free_pages));
}

uint32_t dqdt_get_cluster_for_thread(void)
{
    return dqdt_descend(fewer_threads);
}

uint32_t dqdt_get_cluster_for_memory(void)
{
    return dqdt_descend(more_pages);
}
