/*
 * mapper.c - the page cache of one file (see mapper.h).
 */
#include "mapper.h"
#include "kcm.h"
#include "ppm.h"
#include "page.h"
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
}

void mapper_page_put(struct page_s *page)
{
    if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        ppm_free_any(page);
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
            memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
            m->pages[idx] = page;
            m->nalloc++;
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
    for (uint64_t i = 0; i < npages; i++)
        if (pages[i])
            mapper_page_put(pages[i]);
    mapper_unlock(m);
    kmem_free_any(pages);
}

int mapper_resize(mapper_t *m, uint64_t size)
{
    uint64_t keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

    if (size > (MAPPER_MAX_PAGES << PAGE_SHIFT))
        return -EFBIG;
    mapper_lock(m);
    for (uint64_t i = keep; i < m->npages; i++) {
        if (m->pages[i]) {
            mapper_page_put(m->pages[i]);
            m->pages[i] = NULL;
            m->nalloc--;
        }
    }
    if ((size & (PAGE_SIZE - 1)) && keep - 1 < m->npages && m->pages[keep - 1]) {
        uint64_t in = size & (PAGE_SIZE - 1);   /* the tail of the last page reads as zeros */

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
