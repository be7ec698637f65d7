/*
 * kcm.c - per-cluster object caches (see kcm.h).
 *
 * A KCM page's descriptor holds: owner = the kcm_t, priv = first free
 * object, refcount = objects in use; the free objects are chained through
 * their first word.
 *
 * DEBUG builds started with the kcm_debug option poison free objects
 * (Linux's SLUB debugging, slub_debug=P, POISON_FREE):
 * every byte of a free object but its chain word is KCM_POISON, checked
 * when the object is handed out again, so a write after free is reported
 * with the object and the offset; freeing an object that is already on its
 * page's free chain is reported as a double free.
 */
#include "kcm.h"
#include "ppm.h"
#include "cluster.h"
#include "printk.h"
#include "kstring.h"

#define KCM_POISON 0x6b                 /* Linux's POISON_FREE */

bool kcm_debug;                         /* the kcm_debug option (cmdline.c), before any KCM use */

#ifdef DEBUG
/* Fills the free object @obj of @kcm, but its chain word, with KCM_POISON. */
static void kcm_poison(const kcm_t *kcm, void *obj)
{
    memset((char *)obj + sizeof(void *), KCM_POISON, kcm->obj_size - sizeof(void *));
}

/* First byte of the free object @obj past its chain word that is not KCM_POISON, or 0. */
static uint32_t kcm_poison_broken(const kcm_t *kcm, const void *obj)
{
    const unsigned char *b = obj;

    for (uint32_t i = sizeof(void *); i < kcm->obj_size; i++)
        if (b[i] != KCM_POISON)
            return i;
    return 0;
}

/* Is @obj on the free chain of its page @page? Called with kcm->lock held. */
static bool kcm_on_free_chain(const page_t *page, const void *obj)
{
    for (const void *f = page->priv; f; f = *(void *const *)f)
        if (f == obj)
            return true;
    return false;
}
#endif

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
    for (uint32_t i = 0; i < kcm->objs_per_page; i++) {
        *(void **)(base + i * kcm->obj_size) =
            (i + 1 < kcm->objs_per_page) ? base + (i + 1) * kcm->obj_size : NULL;
#ifdef DEBUG
        if (kcm_debug)
            kcm_poison(kcm, base + i * kcm->obj_size);
#endif
    }
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
#ifdef DEBUG
    if (kcm_debug) {
        uint32_t off = kcm_poison_broken(kcm, obj);

        if (off)
            panic("kcm: use after free: %u-byte object %p of cluster %u written at offset %u "
                  "(0x%02x) while it was free", kcm->obj_size, obj, kcm->cxy, off,
                  ((unsigned char *)obj)[off]);
    }
#endif
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

    if ((uint64_t)((char *)obj - (char *)ppm_page_to_virt(page)) % kcm->obj_size)
        panic("kcm_free: %p is not the start of a %u-byte object", obj, kcm->obj_size);
    busylock_acquire(&kcm->lock);
#ifdef DEBUG
    if (kcm_debug) {
        if (!kcm_poison_broken(kcm, obj) && kcm_on_free_chain(page, obj))
            panic("kcm_free: double free of the %u-byte object %p of cluster %u",
                  kcm->obj_size, obj, kcm->cxy);
        kcm_poison(kcm, obj);
    }
#endif
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
