/*
 * page.c - the sharing of user pages: the fork counter page_t.forks and
 * the release of what a PTE holds (see page.h, "Page ownership").
 */
#include "page.h"
#include "ppm.h"
#include "vfs.h"
#include "cluster.h"
#include "kstring.h"
#include "hal_gpt.h"
#include "hal_upcalls.h"
#include "boot_info.h"

page_t *page_user_alloc_local(const page_t *src)
{
    page_t *page = ppm_alloc_pages(0);

    if (page == NULL)
        return NULL;
    page->forks = 0;
    if (src)
        hal_remote_memcpy(XPTR(local_cxy(), ppm_page_to_virt(page)),
                          XPTR(src->cxy, ppm_page_to_virt(src)), PAGE_SIZE);
    else
        memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
    return page;
}

/* Adds @delta to the numastat counter @field of cluster @cxy (a remote atomic). */
#define NUMASTAT_ADD(cxy, field) \
    hal_remote_atomic_add64(XPTR((cxy), &cluster_tbl[(cxy)]->numastat.field), 1)

/*
 * A zeroed page of the nearest cluster but the calling one that has a free
 * page (SLIT distance, then cxy order), or NULL when none has. Threads only.
 */
static page_t *page_alloc_fallback(void)
{
    uint32_t here = local_cxy(), n = boot_info.topo.nclusters;
    uint64_t tried[(MAX_CLUSTERS + 63) / 64] = { 0 };

    tried[here / 64] |= 1ull << (here % 64);
    for (uint32_t k = 1; k < n; k++) {
        uint32_t best = n;
        uint64_t phys;

        for (uint32_t j = 0; j < n; j++)
            if (!(tried[j / 64] & (1ull << (j % 64))) &&
                (best == n || boot_info.topo.distance[here][j] < boot_info.topo.distance[here][best]))
                best = j;
        tried[best / 64] |= 1ull << (best % 64);
        if (ppm_free_count(best) == 0)
            continue;
        phys = ppm_remote_alloc_zeroed(best);
        if (phys)
            return ppm_phys_to_page(phys);
    }
    return NULL;
}

page_t *page_user_alloc(const page_t *src)
{
    uint32_t here = local_cxy();
    page_t *page = page_user_alloc_local(src);

    if (page) {
        NUMASTAT_ADD(here, numa_hit);
        NUMASTAT_ADD(here, local_node);
        return page;
    }
    page = page_alloc_fallback();
    if (page == NULL)
        return NULL;
    hal_remote_s32(XPTR(page->cxy, &page->forks), 0);
    if (src)
        hal_remote_memcpy(XPTR(page->cxy, ppm_page_to_virt(page)),
                          XPTR(src->cxy, ppm_page_to_virt(src)), PAGE_SIZE);
    NUMASTAT_ADD(page->cxy, numa_miss);     /* Linux: counted on the node that gave the page */
    NUMASTAT_ADD(page->cxy, other_node);
    NUMASTAT_ADD(here, numa_foreign);       /* ... and on the node that was wanted */
    return page;
}

void page_share(page_t *page)
{
    hal_remote_atomic_add(XPTR(page->cxy, &page->forks), 1);
}

bool page_shared(const page_t *page)
{
    return hal_remote_l32(XPTR(page->cxy, &page->forks)) != 0;
}

void page_release(page_t *page)
{
    xptr_t forks = XPTR(page->cxy, &page->forks);

    for (;;) {
        uint32_t n = hal_remote_l32(forks);

        if (n == 0) {
            ppm_free_any(page);
            return;
        }
        if (hal_remote_cas(forks, n, n - 1))
            return;
    }
}

void page_pte_release(uint32_t attr, uint64_t ppn)
{
    page_t *page = ppm_phys_to_page(ppn << PAGE_SHIFT);

    if (attr & GPT_FILE)
        mapper_page_put(page);
    else
        page_release(page);
}
