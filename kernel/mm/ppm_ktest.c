/*
 * ppm_ktest.c - self-tests of the PPM, the per-cluster buddy allocator of
 * physical pages (ktest=ppm).
 *
 * Every case runs on the first core of every cluster at once, each on its
 * own cluster's allocator: that the clusters do not disturb each other is
 * part of what is tested.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "kstring.h"
#include "cpu.h"

/* Is [@base, @end) inside one SRAT range of cluster @cxy? */
static bool in_cluster(uint32_t cxy, uint64_t base, uint64_t end)
{
    return topo_cluster_contains(&boot_info.topo, cxy, base, end);
}

/* Does [@base, @end) overlap a boot reservation (kernel, MBI, modules, ...)? */
static bool overlaps_reserved(uint64_t base, uint64_t end)
{
    for (uint32_t i = 0; i < boot_info.nreserved; i++)
        if (base < boot_info.reserved[i].end && end > boot_info.reserved[i].base)
            return true;
    return false;
}

static int ppm_check_locked(ppm_t *ppm)
{
    int rc;

    busylock_acquire(&ppm->lock);
    rc = buddy_check(&ppm->buddy);
    busylock_release(&ppm->lock);
    return rc;
}

/* Every order can be allocated, is aligned, lies in the cluster, is writable. */
static void ppm_every_order(ktest_t *t)
{
    uint32_t cxy = core_self()->cxy;
    uint64_t before = ppm_free_count(cxy);

    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
        page_t *page = ppm_alloc_pages(k);
        uint64_t phys, bytes = PAGE_SIZE << k;
        volatile uint8_t *v;

        KTEST_EXPECT(t, page != NULL, "cluster %u, order %u", cxy, k);
        if (page == NULL)
            continue;
        phys = ppm_page_to_phys(page);
        KTEST_EXPECT(t, (phys & (bytes - 1)) == 0, "cluster %u order %u at 0x%lx", cxy, k, phys);
        KTEST_EXPECT(t, in_cluster(cxy, phys, phys + bytes), "cluster %u order %u at 0x%lx",
                     cxy, k, phys);
        KTEST_EXPECT(t, page->cxy == cxy && page->order == k, "cluster %u order %u", cxy, k);
        v = ppm_page_to_virt(page);
        v[0] = 0xa5;
        v[bytes - 1] = 0x5a;
        KTEST_EXPECT(t, v[0] == 0xa5 && v[bytes - 1] == 0x5a, "cluster %u order %u", cxy, k);
        ppm_free_pages(page);
    }
    KTEST_EXPECT(t, ppm_free_count(cxy) == before, "cluster %u: %lu free pages, %lu before",
                 cxy, ppm_free_count(cxy), before);
}

/*
 * Pages split from big blocks and freed in a scattered order merge back.
 * The pages are chained through their own first word (a kernel stack is
 * too small for an array of them): even-numbered and odd-numbered pages on
 * two chains, the odd ones freed first so no buddy pair can merge until
 * the second chain is freed.
 */
static void ppm_coalescing(ktest_t *t)
{
    enum { N = 2048 };
    uint32_t cxy = core_self()->cxy;
    ppm_t *ppm = &cluster_local()->ppm;
    uint64_t before = ppm_free_count(cxy);
    uint64_t top_before = ppm->buddy.free_blocks[BUDDY_MAX_ORDER - 1];
    page_t *chain[2] = { NULL, NULL };
    uint32_t n = 0;

    for (; n < N; n++) {
        page_t *p = ppm_alloc_pages(0);
        if (p == NULL)
            break;
        *(page_t **)ppm_page_to_virt(p) = chain[n & 1];
        chain[n & 1] = p;
    }
    KTEST_EXPECT(t, n == N, "cluster %u: only %u single pages", cxy, n);
    for (int c = 1; c >= 0; c--) {
        while (chain[c]) {
            page_t *p = chain[c];
            chain[c] = *(page_t **)ppm_page_to_virt(p);
            ppm_free_pages(p);
        }
    }
    KTEST_EXPECT(t, ppm_check_locked(ppm) == 0, "cluster %u: buddy_check %d", cxy,
                 ppm_check_locked(ppm));
    KTEST_EXPECT(t, ppm_free_count(cxy) == before, "cluster %u: %lu free, %lu before", cxy,
                 ppm_free_count(cxy), before);
    KTEST_EXPECT(t, ppm->buddy.free_blocks[BUDDY_MAX_ORDER - 1] == top_before,
                 "cluster %u: %lu maximal blocks, %lu before", cxy,
                 ppm->buddy.free_blocks[BUDDY_MAX_ORDER - 1], top_before);
}

/* Allocating every page ends in NULL; freeing them all recovers everything. */
static void ppm_exhaustion(ktest_t *t)
{
    uint32_t cxy = core_self()->cxy;
    ppm_t *ppm = &cluster_local()->ppm;
    uint64_t before = ppm_free_count(cxy), n = 0;
    page_t *head = NULL, *p;

    while ((p = ppm_alloc_pages(0)) != NULL) {
        *(page_t **)ppm_page_to_virt(p) = head;     /* chain through the pages */
        head = p;
        n++;
    }
    KTEST_EXPECT(t, n == before, "cluster %u: got %lu pages, %lu were free", cxy, n, before);
    KTEST_EXPECT(t, ppm_alloc_pages(0) == NULL && ppm_alloc_pages(3) == NULL,
                 "cluster %u: allocation after exhaustion", cxy);
    while (head) {
        p = head;
        head = *(page_t **)ppm_page_to_virt(p);
        ppm_free_pages(p);
    }
    KTEST_EXPECT(t, ppm_free_count(cxy) == before, "cluster %u: %lu free, %lu before", cxy,
                 ppm_free_count(cxy), before);
    KTEST_EXPECT(t, ppm_check_locked(ppm) == 0, "cluster %u", cxy);
    p = ppm_alloc_pages(BUDDY_MAX_ORDER - 1);
    KTEST_EXPECT(t, p != NULL, "cluster %u: no 4 MiB block after recovery", cxy);
    if (p)
        ppm_free_pages(p);
}

/* Free blocks, cluster_t and page descriptors all lie in the cluster's own SRAT ranges. */
static void ppm_pages_in_own_ranges(ktest_t *t)
{
    cluster_t *cl = cluster_local();
    uint32_t cxy = cl->cxy;
    ppm_t *ppm = &cl->ppm;
    uint64_t bad = 0, first_bad = 0, desc = virt_to_phys(ppm->buddy.pages);

    busylock_acquire(&ppm->lock);
    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
        list_entry_t *it;
        LIST_FOREACH(&ppm->buddy.free_list[k], it) {
            uint64_t phys = buddy_page_to_pfn(&ppm->buddy, LIST_ELEMENT(it, page_t, list))
                            << PAGE_SHIFT;
            uint64_t end = phys + (PAGE_SIZE << k);
            if (!in_cluster(cxy, phys, end) || overlaps_reserved(phys, end)) {
                if (!bad++)
                    first_bad = phys;
            }
        }
    }
    busylock_release(&ppm->lock);
    KTEST_EXPECT(t, bad == 0, "cluster %u: %lu free blocks outside its ranges, first at 0x%lx",
                 cxy, bad, first_bad);
    KTEST_EXPECT(t, in_cluster(cxy, virt_to_phys(cl), virt_to_phys(cl) + sizeof(*cl)),
                 "cluster %u: cluster_t at 0x%lx", cxy, virt_to_phys(cl));
    KTEST_EXPECT(t, in_cluster(cxy, desc, desc + ppm->buddy.npages * sizeof(page_t)),
                 "cluster %u: page descriptors at 0x%lx", cxy, desc);
}

/*
 * Regression (memory-only node folded into cluster 0 beyond cluster 1's
 * memory): cluster 0's frame span then covers cluster 1's pages, and
 * ppm_phys_to_page() returned cluster 0's reserved descriptor for them.
 * Every page a cluster allocates must map back to that cluster's descriptor.
 */
static void ppm_phys_to_page_own_cluster(ktest_t *t)
{
    uint32_t cxy = core_self()->cxy;

    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k += 2) {
        page_t *page = ppm_alloc_pages(k);
        uint64_t phys;

        if (page == NULL)
            continue;
        phys = ppm_page_to_phys(page);
        KTEST_EXPECT(t, ppm_phys_to_page(phys) == page, "cluster %u: 0x%lx maps to %p, not %p",
                     cxy, phys, ppm_phys_to_page(phys), page);
        KTEST_EXPECT(t, ppm_phys_to_page(phys + (PAGE_SIZE << k) - 1) == page + (1u << k) - 1,
                     "cluster %u: last page of the block at 0x%lx", cxy, phys);
        ppm_free_pages(page);
    }
}

static const ktest_case_t ppm_cases[] = {
    { "every_order",        KTEST_ON_CLUSTERS, ppm_every_order },
    { "coalescing",         KTEST_ON_CLUSTERS, ppm_coalescing },
    { "exhaustion",         KTEST_ON_CLUSTERS, ppm_exhaustion },
    { "pages_in_own_ranges", KTEST_ON_CLUSTERS, ppm_pages_in_own_ranges },
    { "phys_to_page_own_cluster", KTEST_ON_CLUSTERS, ppm_phys_to_page_own_cluster },
};
static const ktest_suite_t ppm_suite = { "ppm", KTEST_CASES(ppm_cases) };
KTEST_SUITE(ppm_suite);
