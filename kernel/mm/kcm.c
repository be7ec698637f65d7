/*
 * kcm.c - per-cluster object caches and kmem (see kcm.h).
 *
 * A KCM page's descriptor holds: owner = the kcm_t, priv = first free
 * object, refcount = objects in use; the free objects are chained through
 * their first word.
 */
#include "kcm.h"
#include "rpc.h"
#include "ppm.h"
#include "cluster.h"
#include "printk.h"
#include "kstring.h"

void kcm_init(kcm_t *kcm, uint32_t cxy, uint32_t obj_size)
{
    busylock_init(&kcm->lock, "kcm", RANK_KCM);
    kcm->cxy           = cxy;
    kcm->obj_size      = obj_size;
    kcm->objs_per_page = (uint32_t)(PAGE_SIZE / obj_size);
    kcm->npages        = 0;
    kcm->used          = 0;
    list_root_init(&kcm->partial);
    list_root_init(&kcm->full);
}

/* Takes a page from the PPM and chains its objects. Called with kcm->lock held. */
static page_t *kcm_grow_locked(kcm_t *kcm)
{
    page_t *page = ppm_alloc_pages(0);
    char *base;

    if (page == NULL)
        return NULL;
    base = ppm_page_to_virt(page);
    for (uint32_t i = 0; i < kcm->objs_per_page; i++)
        *(void **)(base + i * kcm->obj_size) =
            (i + 1 < kcm->objs_per_page) ? base + (i + 1) * kcm->obj_size : NULL;
    page->flags   |= PG_KCM;
    page->owner    = kcm;
    page->priv     = base;
    page->refcount = 0;
    list_add_first(&kcm->partial, &page->list);
    kcm->npages++;
    return page;
}

void *kcm_alloc(kcm_t *kcm)
{
    page_t *page;
    void *obj;

    if (kcm->cxy != core_self()->cxy)
        panic("kcm_alloc: cache of cluster %u used in cluster %u", kcm->cxy, core_self()->cxy);
    busylock_acquire(&kcm->lock);
    if (list_is_empty(&kcm->partial) && kcm_grow_locked(kcm) == NULL) {
        busylock_release(&kcm->lock);
        return NULL;
    }
    page = LIST_ELEMENT(list_first(&kcm->partial), page_t, list);
    obj = page->priv;
    page->priv = *(void **)obj;
    page->refcount++;
    kcm->used++;
    if (page->priv == NULL) {
        list_unlink(&page->list);
        list_add_first(&kcm->full, &page->list);
    }
    busylock_release(&kcm->lock);
    return obj;
}

void kcm_free(void *obj)
{
    page_t *page = ppm_phys_to_page(virt_to_phys(obj));
    kcm_t *kcm;
    bool release = false;

    if (page == NULL || !(page->flags & PG_KCM))
        panic("kcm_free: %p is not a KCM object", obj);
    kcm = page->owner;
    if (kcm->cxy != core_self()->cxy)
        panic("kcm_free: object of cluster %u freed in cluster %u (must be an RPC)",
              kcm->cxy, core_self()->cxy);

    busylock_acquire(&kcm->lock);
    if (page->priv == NULL) {                /* was full: back to partial */
        list_unlink(&page->list);
        list_add_first(&kcm->partial, &page->list);
    }
    *(void **)obj = page->priv;
    page->priv = obj;
    page->refcount--;
    kcm->used--;
    if (page->refcount == 0) {               /* empty: give the page back */
        list_unlink(&page->list);
        kcm->npages--;
        release = true;
    }
    busylock_release(&kcm->lock);
    if (release) {
        page->flags &= ~PG_KCM;
        page->owner = NULL;
        page->priv  = NULL;
        page->refcount = 1;
        ppm_free_pages(page);
    }
}

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
    rpc_desc_t d = { .type = RPC_KMEM_FREE, .args = { (uint64_t)ptr } };

    rpc_send(page->cxy, &d);
}
