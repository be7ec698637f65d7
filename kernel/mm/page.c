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

page_t *page_user_alloc(const page_t *src)
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
