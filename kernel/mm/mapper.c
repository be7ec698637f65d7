/*
 * mapper.c - the page cache of one file (see mapper.h).
 */
#include "mapper.h"
#include "kcm.h"
#include "ppm.h"
#include "page.h"
#include "cluster.h"
#include "hal_remote.h"
#include "kstring.h"
#include "uapi/errno.h"

static void mapper_lock(mapper_t *m)
{
    remote_queuelock_acquire(XPTR(m->cxy, &m->lock));
}

static void mapper_unlock(mapper_t *m)
{
    remote_queuelock_release(XPTR(m->cxy, &m->lock));
}

void mapper_init(mapper_t *m, uint32_t cxy)
{
    m->cxy = cxy;
    remote_queuelock_init(XPTR(cxy, &m->lock), "mapper", RANK_VFS_INODE);
    m->size = 0;
    m->pages = NULL;
    m->npages = 0;
    m->nalloc = 0;
    m->gen = 0;
}

void mapper_page_put(struct page_s *page)
{
    if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        ppm_free_any(page);
}

/* Counts @delta replica pages in cluster @cxy (cluster_t.file_replicas): a remote atomic. */
static void mapper_count_replicas(uint32_t cxy, int32_t delta)
{
    hal_remote_atomic_add64(XPTR(cxy, &cluster_tbl[cxy]->file_replicas), delta);
}

/*
 * Unlinks every replica of the file page @page and drops the mapper's
 * reference on each (a replica still mapped lives on until its mappings
 * go). Mapper lock held.
 */
static void mapper_drop_replicas_locked(page_t *page)
{
    page_t *r = page->priv;

    page->priv = NULL;
    while (r) {
        page_t *next = r->priv;

        r->priv = NULL;
        r->owner = NULL;
        mapper_count_replicas(r->cxy, -1);
        mapper_page_put(r);
        r = next;
    }
}

/* The replica of the file page @page in cluster @cxy, or NULL. Mapper lock held. */
static page_t *mapper_find_replica_locked(page_t *page, uint32_t cxy)
{
    for (page_t *r = page->priv; r; r = r->priv)
        if (r->cxy == cxy)
            return r;
    return NULL;
}

/* Grows pages[] to at least @want entries. Mapper lock held. @return 0 or -ENOMEM. */
static int mapper_grow_locked(mapper_t *m, uint64_t want)
{
    uint64_t cap = m->npages ? m->npages : 16;
    page_t **pages;

    if (want <= m->npages)
        return 0;
    while (cap < want)
        cap *= 2;
    if (cap > MAPPER_MAX_PAGES)
        cap = MAPPER_MAX_PAGES;
    pages = kmem_alloc(cap * sizeof(page_t *));
    if (pages == NULL)
        return -ENOMEM;
    if (m->pages)
        memcpy(pages, m->pages, m->npages * sizeof(page_t *));
    kmem_free_any(m->pages);
    m->pages = pages;
    m->npages = cap;
    return 0;
}

int64_t mapper_read(mapper_t *m, void *buf, size_t n, uint64_t off)
{
    uint64_t done = 0;

    mapper_lock(m);
    if (off >= m->size) {
        mapper_unlock(m);
        return 0;
    }
    if (n > m->size - off)
        n = m->size - off;
    while (done < n) {
        uint64_t pos = off + done, idx = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t chunk = PAGE_SIZE - in;
        page_t *page = idx < m->npages ? m->pages[idx] : NULL;

        if (chunk > n - done)
            chunk = n - done;
        if (page)
            memcpy((char *)buf + done, (char *)ppm_page_to_virt(page) + in, chunk);
        else
            memset((char *)buf + done, 0, chunk);           /* hole */
        done += chunk;
    }
    mapper_unlock(m);
    return (int64_t)done;
}

int64_t mapper_write(mapper_t *m, const void *buf, size_t n, uint64_t off, bool append,
                     uint64_t *end)
{
    const uint64_t max = MAPPER_MAX_PAGES << PAGE_SHIFT;
    uint64_t done = 0;
    int64_t rc = 0;

    mapper_lock(m);
    m->gen++;
    if (append)
        off = m->size;
    *end = off;
    if (n == 0)
        goto out;
    if (off >= max) {
        rc = -EFBIG;
        goto out;
    }
    if (n > max - off)
        n = max - off;
    rc = mapper_grow_locked(m, (off + n + PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (rc)
        goto out;
    while (done < n) {
        uint64_t pos = off + done, idx = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t chunk = PAGE_SIZE - in;
        page_t *page = m->pages[idx];

        if (chunk > n - done)
            chunk = n - done;
        if (page == NULL) {
            page = ppm_alloc_pages(0);
            if (page == NULL) {
                rc = -ENOMEM;
                break;
            }
            page->refcount = 1;                             /* the mapper's reference */
            page->priv = NULL;                              /* no replica yet */
            memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
            m->pages[idx] = page;
            m->nalloc++;
        } else if (page->priv) {
            mapper_drop_replicas_locked(page);              /* their bytes go stale */
        }
        memcpy((char *)ppm_page_to_virt(page) + in, (const char *)buf + done, chunk);
        done += chunk;
    }
    if (off + done > m->size)
        m->size = off + done;
    *end = off + done;
out:
    mapper_unlock(m);
    return done ? (int64_t)done : rc;
}

void mapper_truncate(mapper_t *m)
{
    page_t **pages;
    uint64_t npages;

    mapper_lock(m);
    pages = m->pages;
    npages = m->npages;
    m->pages = NULL;
    m->npages = 0;
    m->nalloc = 0;
    m->size = 0;
    m->gen++;
    for (uint64_t i = 0; i < npages; i++)
        if (pages[i]) {
            mapper_drop_replicas_locked(pages[i]);
            mapper_page_put(pages[i]);
        }
    mapper_unlock(m);
    kmem_free_any(pages);
}

int mapper_resize(mapper_t *m, uint64_t size)
{
    uint64_t keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

    if (size > (MAPPER_MAX_PAGES << PAGE_SHIFT))
        return -EFBIG;
    mapper_lock(m);
    m->gen++;
    for (uint64_t i = keep; i < m->npages; i++) {
        if (m->pages[i]) {
            mapper_drop_replicas_locked(m->pages[i]);
            mapper_page_put(m->pages[i]);
            m->pages[i] = NULL;
            m->nalloc--;
        }
    }
    if ((size & (PAGE_SIZE - 1)) && keep - 1 < m->npages && m->pages[keep - 1]) {
        uint64_t in = size & (PAGE_SIZE - 1);   /* the tail of the last page reads as zeros */

        mapper_drop_replicas_locked(m->pages[keep - 1]);
        memset((char *)ppm_page_to_virt(m->pages[keep - 1]) + in, 0, PAGE_SIZE - in);
    }
    __atomic_store_n(&m->size, size, __ATOMIC_RELEASE);
    mapper_unlock(m);
    return 0;
}

struct page_s *mapper_page_get_alloc(mapper_t *m, uint64_t index)
{
    page_t *page = NULL;

    if (m == NULL)
        return NULL;
    mapper_lock(m);
    if (index >= (m->size + PAGE_SIZE - 1) >> PAGE_SHIFT || mapper_grow_locked(m, index + 1))
        goto out;
    page = m->pages[index];
    if (page == NULL) {
        page = ppm_alloc_pages(0);
        if (page == NULL)
            goto out;
        page->refcount = 1;                             /* the mapper's reference */
        page->priv = NULL;                              /* no replica yet */
        memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
        m->pages[index] = page;
        m->nalloc++;
    }
    __atomic_add_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);
out:
    mapper_unlock(m);
    return page;
}

uint64_t mapper_size(mapper_t *m)
{
    return __atomic_load_n(&m->size, __ATOMIC_ACQUIRE);
}

uint64_t mapper_nalloc(mapper_t *m)
{
    return __atomic_load_n(&m->nalloc, __ATOMIC_RELAXED);
}

/* The page @index of @m, with a new reference when @ref. Takes the mapper lock. */
static page_t *mapper_lookup(mapper_t *m, uint64_t index, bool ref)
{
    page_t *page = NULL;

    if (m == NULL)
        return NULL;
    mapper_lock(m);
    if (index < m->npages && index < (m->size + PAGE_SIZE - 1) >> PAGE_SHIFT)
        page = m->pages[index];
    if (page && ref)
        __atomic_add_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);
    mapper_unlock(m);
    return page;
}

struct page_s *mapper_page(mapper_t *m, uint64_t index)
{
    return mapper_lookup(m, index, false);
}

struct page_s *mapper_page_get(mapper_t *m, uint64_t index)
{
    return mapper_lookup(m, index, true);
}

struct page_s *mapper_page_get_local(mapper_t *m, uint64_t index)
{
    uint32_t here = local_cxy();
    page_t *page, *rep, *fresh;
    uint64_t gen;

    page = mapper_lookup(m, index, true);
    if (page == NULL || page->cxy == here)
        return page;
    mapper_lock(m);
    rep = mapper_find_replica_locked(page, here);
    if (rep)
        __atomic_add_fetch(&rep->refcount, 1, __ATOMIC_ACQ_REL);
    gen = m->gen;
    mapper_unlock(m);
    if (rep) {
        mapper_page_put(page);
        return rep;
    }

    /* the first mapping in this cluster: copy the page, outside the lock */
    fresh = page_user_alloc_local(page);
    if (fresh == NULL)
        return page;                     /* no memory here: map the file's own page */
    mapper_lock(m);
    if (m->gen != gen) {
        /* written or truncated meanwhile: the copy may be stale, use the page itself */
        mapper_unlock(m);
        ppm_free_pages(fresh);
        return page;
    }
    rep = mapper_find_replica_locked(page, here);
    if (rep == NULL) {
        /* the chain's reference and the caller's */
        fresh->refcount = 2;
        fresh->owner = page;
        fresh->priv = page->priv;
        page->priv = fresh;
        mapper_count_replicas(here, 1);
        rep = fresh;
        fresh = NULL;
    } else {
        __atomic_add_fetch(&rep->refcount, 1, __ATOMIC_ACQ_REL);   /* a racing thread made it */
    }
    mapper_unlock(m);
    if (fresh)
        ppm_free_pages(fresh);
    mapper_page_put(page);
    return rep;
}

uint32_t mapper_pages_get_cached(mapper_t *m, uint64_t index, uint32_t n,
                                 struct page_s **out)
{
    uint32_t here = local_cxy(), found = 0;
    uint64_t end;

    for (uint32_t i = 0; i < n; i++)
        out[i] = NULL;
    if (m == NULL)
        return 0;
    mapper_lock(m);
    end = (m->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (end > m->npages)
        end = m->npages;
    for (uint32_t i = 0; i < n && index + i < end; i++) {
        page_t *page = m->pages[index + i];

        if (page && page->cxy != here)
            page = mapper_find_replica_locked(page, here);
        if (page) {
            __atomic_add_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);
            out[i] = page;
            found++;
        }
    }
    mapper_unlock(m);
    return found;
}
