/*
 * kmem.c - the generic kernel allocator, on the KCM caches and the PPM
 * (see kmem.h).
 */
#include "kmem.h"
#include "kcm.h"
#include "ppm.h"
#include "rpc.h"
#include "cluster.h"
#include "printk.h"
#include "kstring.h"

/* Smallest order k with 2^k pages >= @size bytes. */
static unsigned kmem_page_order(size_t size)
{
    unsigned k = 0;

    while ((PAGE_SIZE << k) < size)
        k++;
    return k;
}

void *kmem_alloc(size_t size)
{
    cluster_t *cl = cluster_local();
    void *p;

    if (size <= (1u << KCM_MAX_SHIFT)) {
        unsigned shift = KCM_MIN_SHIFT;
        while ((1u << shift) < size)
            shift++;
        p = kcm_alloc(&cl->kcm[shift - KCM_MIN_SHIFT]);
    } else {
        unsigned order = kmem_page_order(size);
        page_t *page = order < BUDDY_MAX_ORDER ? ppm_alloc_pages(order) : NULL;
        p = page ? ppm_page_to_virt(page) : NULL;
    }
    if (p)
        memset(p, 0, size);
    return p;
}

void kmem_free(void *ptr)
{
    page_t *page;

    if (ptr == NULL)
        return;
    page = ppm_phys_to_page(virt_to_phys(ptr));
    if (page == NULL)
        panic("kmem_free: %p is not in any cluster's memory", ptr);
    if (page->flags & PG_KCM)
        kcm_free(ptr);
    else
        ppm_free_pages(page);
}

void kmem_free_any(void *ptr)
{
    page_t *page;

    if (ptr == NULL)
        return;
    page = ppm_phys_to_page(virt_to_phys(ptr));
    if (page == NULL || page->cxy == local_cxy()) {
        kmem_free(ptr);                  /* a NULL page: kmem_free reports the bug */
        return;
    }
    rpc_desc_t d = { .type = RPC_KMEM_FREE, .args.kmem_free = { .ptr = ptr } };

    rpc_send(page->cxy, &d);
}
