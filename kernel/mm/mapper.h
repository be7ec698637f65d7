/*
 * mapper.h - the page cache of one file (ALMOS-MKH's "mapper"): the array
 * of its data pages, between the VFS, which reads and writes the file
 * through it, and the VMM and exec, which map or copy its pages.
 *
 * A mapper lives inside its file's inode (a regular file of the RAM file
 * system, kernel/fs/ramfs.c), in the memory of the inode's cluster; it is
 * reached from any cluster through the direct map. Data pages come from the
 * PPM of the cluster of the thread that writes them first; the page array
 * is a kmem object of that thread's cluster too. The mapper holds one
 * reference (page_t.refcount) on each of its pages, a mapping one more; the
 * last drop frees the page in its own cluster (ppm_free_any: an RPC when
 * remote), so a page mapped by a process outlives a truncation or the file.
 *
 * Locking: one queuelock per mapper (RANK_VFS_INODE, a near-leaf: the VMM
 * takes it under its GPT lock) guards size, pages, npages and nalloc; it is
 * named by the xptr_t of the mapper's own cluster (mapper_t.cxy), whichever
 * cluster the caller runs in. Every function below may block: threads only,
 * any core of any cluster, no busylock held. Page reference counts are
 * atomics.
 */
#ifndef _MAPPER_H_
#define _MAPPER_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "queuelock.h"

struct page_s;

#define MAPPER_MAX_PAGES (1ull << 18)  /* 1 GiB: larger files are -EFBIG (2 MiB page array) */

typedef struct mapper_s {
    queuelock_t      lock;       /* guards size, pages, npages, nalloc */
    uint32_t         cxy;        /* cluster of the mapper's memory (names its lock) */
    uint64_t         size;       /* bytes of the file */
    struct page_s  **pages;      /* [npages]; NULL entries are holes */
    uint64_t         npages;     /* entries of pages[] */
    uint64_t         nalloc;     /* non-NULL entries (st_blocks) */
} mapper_t;

/*
 * Makes @m an empty mapper (size 0, no page). @cxy is the cluster whose
 * memory holds @m (it names the lock). Any cluster, before @m is shared.
 */
void mapper_init(mapper_t *m, uint32_t cxy);

/*
 * Copies up to @n bytes of the file from byte @off into @buf (kernel
 * memory); holes read as zeros. Takes the mapper lock.
 * @return bytes copied (0 at or past the end of the file).
 */
int64_t mapper_read(mapper_t *m, void *buf, size_t n, uint64_t off);

/*
 * Writes @n bytes from @buf (kernel memory) at byte @off, or at the end of
 * the file when @append; the file grows with zeroed pages of the calling
 * cluster, and holes stay unallocated. *@end gets the byte after the last
 * one written (the new file offset). Takes the mapper lock.
 * @return bytes written (short when memory ran out midway, or at the
 * MAPPER_MAX_PAGES limit), or -ENOMEM (nothing written), -EFBIG (@off at
 * or beyond the limit).
 */
int64_t mapper_write(mapper_t *m, const void *buf, size_t n, uint64_t off, bool append,
                     uint64_t *end);

/*
 * Drops every page (each one is freed unless a mapping still holds it) and
 * the page array, and sets the size to 0. Takes the mapper lock.
 */
void mapper_truncate(mapper_t *m);

/*
 * truncate(2) / ftruncate(2) on the page cache: sets the file's size to @size
 * bytes. Shrinking drops the pages wholly past the new end (a page still
 * mapped lives on with its mapping's reference) and zeroes the tail of the
 * last page, so that growing again reads zeros (man 2 truncate); growing
 * leaves a hole (no page allocated). Takes the mapper lock.
 * @return 0 or -EFBIG (beyond MAPPER_MAX_PAGES pages).
 */
int mapper_resize(mapper_t *m, uint64_t size);

/*
 * As mapper_page_get(), but a hole inside the file gets a zeroed page of
 * the calling cluster first: the page a writable MAP_SHARED mapping
 * (vmm_fault.c) maps, the same physical page for every process in every
 * cluster. Takes the mapper lock. @return the page with a new reference,
 * or NULL past the end of the file (Linux's SIGBUS), when @m is NULL, or
 * out of memory.
 */
struct page_s *mapper_page_get_alloc(mapper_t *m, uint64_t index);

/* Size of the file in bytes (atomic read, no lock). */
uint64_t mapper_size(mapper_t *m);

/* Pages present, holes excluded (atomic read, no lock): st_blocks = this * 8. */
uint64_t mapper_nalloc(mapper_t *m);

/*
 * The page holding bytes [@index * 4096, (@index + 1) * 4096) of the file:
 * it stays owned by the mapper and no reference is taken (use
 * mapper_page_get() to map it). Bytes past the end of the file read as
 * zero. Takes the mapper lock. @return NULL for a hole, past the end, or
 * when @m is NULL (the file has no mapper: not a regular file).
 */
struct page_s *mapper_page(mapper_t *m, uint64_t index);

/*
 * As mapper_page(), but takes a reference on the returned page under the
 * mapper lock, so that a concurrent truncation cannot free it before the
 * caller maps or copies it (drop it with mapper_page_put()). For the VMM
 * (file faults) and exec. @return the page or NULL (hole, past the end,
 * @m NULL).
 */
struct page_s *mapper_page_get(mapper_t *m, uint64_t index);

/*
 * Drops one reference on a file data page (page_t.refcount, atomic): the
 * mapper holds one per page, a mapping holds one more. The last drop frees
 * the page in its own cluster (ppm_free_any: an RPC when remote). No lock.
 */
void mapper_page_put(struct page_s *page);

#endif
