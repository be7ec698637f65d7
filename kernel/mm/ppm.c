/*
 * ppm.c - per-cluster physical page manager (see ppm.h).
 */
#include "ppm.h"
#include "hal_upcalls.h"
#include "cluster.h"
#include "printk.h"
#include "cpu.h"
#include "dqdt.h"
#include "rpc.h"
#include "kstring.h"

void ppm_init(ppm_t *ppm, uint32_t cxy, page_t *desc, uint64_t base_pfn, uint64_t npages)
{
    busylock_init(&ppm->lock, "ppm", RANK_PPM);
    ppm->cxy = cxy;
    buddy_init(&ppm->buddy, desc, base_pfn, npages);
    for (uint64_t i = 0; i < npages; i++)
        desc[i].cxy = (uint16_t)cxy;
}

void ppm_release(ppm_t *ppm, uint64_t pfn, uint64_t count)
{
    busylock_acquire(&ppm->lock);
    buddy_release(&ppm->buddy, pfn, count);
    busylock_release(&ppm->lock);
}

page_t *ppm_alloc_pages(unsigned order)
{
    ppm_t *ppm = &cluster_local()->ppm;
    page_t *page;

    uint64_t free;

    busylock_acquire(&ppm->lock);
    page = buddy_alloc(&ppm->buddy, order);
    free = ppm->buddy.free_pages;
    busylock_release(&ppm->lock);
    dqdt_update_pages(free);
    return page;
}

void ppm_free_pages(page_t *page)
{
    ppm_t *ppm = &cluster_local()->ppm;
    int rc;

    if (page->cxy != ppm->cxy)
        panic("ppm_free_pages: page of cluster %u freed in cluster %u (must be an RPC)",
              page->cxy, ppm->cxy);
    uint64_t free;

    busylock_acquire(&ppm->lock);
    rc = buddy_free(&ppm->buddy, page);
    free = ppm->buddy.free_pages;
    busylock_release(&ppm->lock);
    dqdt_update_pages(free);
    if (rc)
        panic("ppm_free_pages: %p is not an allocated block head (flags 0x%x)",
              page, page->flags);
}

void ppm_free_any(page_t *page)
{
    if (page->cxy == local_cxy()) {
        ppm_free_pages(page);
        return;
    }
    rpc_desc_t rpc = { .type = RPC_PPM_FREE, .args.ppm_free = { .phys = ppm_page_to_phys(page) } };

    rpc_send(page->cxy, &rpc);
}

uint64_t ppm_remote_alloc_zeroed(uint32_t cxy)
{
    static const uint64_t zero[64];
    uint64_t phys;

    if (cxy == local_cxy()) {
        page_t *page = ppm_alloc_pages(0);

        if (page == NULL)
            return 0;
        memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
        return ppm_page_to_phys(page);
    }
    rpc_desc_t rpc = { .type = RPC_PPM_ALLOC, .args.ppm_alloc = { .order = 0 } };

    rpc_send(cxy, &rpc);
    phys = rpc.args.ppm_alloc.phys;
    if (phys == 0)
        return 0;
    for (uint32_t off = 0; off < PAGE_SIZE; off += sizeof(zero))
        hal_remote_memcpy(XPTR(cxy, (char *)phys_to_virt(phys) + off),
                          XPTR(local_cxy(), (void *)zero), sizeof(zero));
    return phys;
}

void ppm_free_phys(uint64_t phys)
{
    ppm_free_pages(ppm_phys_to_page(phys));
}

uint64_t ppm_page_to_phys(const page_t *page)
{
    const buddy_t *b = &cluster_tbl[page->cxy]->ppm.buddy;

    return buddy_page_to_pfn(b, page) << PAGE_SHIFT;
}

void *ppm_page_to_virt(const page_t *page)
{
    return phys_to_virt(ppm_page_to_phys(page));
}

page_t *ppm_phys_to_page(uint64_t phys)
{
    /*
     * A cluster's frame span may cover another cluster's memory (a folded
     * memory-only domain beyond it): there its descriptors stay reserved,
     * so only a managed descriptor names the page's cluster.
     */
    for (uint32_t c = 0; c < MAX_CLUSTERS && cluster_tbl[c]; c++) {
        page_t *page = buddy_pfn_to_page(&cluster_tbl[c]->ppm.buddy, phys >> PAGE_SHIFT);
        if (page && !(page->flags & PG_RESERVED))
            return page;
    }
    return NULL;
}

uint64_t ppm_free_count(uint32_t cxy)
{
    ppm_t *ppm = &cluster_tbl[cxy]->ppm;
    uint64_t n;

    busylock_acquire(&ppm->lock);
    n = ppm->buddy.free_pages;
    busylock_release(&ppm->lock);
    return n;
}
