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
 * Per-cluster replicas (ALMOS-MKH replicates code per cluster; Linux shares
 * the page-cache page). A cluster that maps a file page living elsewhere
 * gets a read-only copy of it in its own memory, made once and kept by the
 * mapper: every process copy in that cluster maps the same replica
 * (mapper_page_get_local), so a fork or an exec in another cluster maps
 * code without copying it. The replicas of a page hang off its page_t
 * (page_t.priv: the first replica, and each replica's priv the next; a
 * replica's owner is its page), one per cluster at most. The mapper holds
 * one reference on each replica, a mapping one more. A write to the page or
 * a truncation (mapper_write, mapper_truncate, mapper_resize) drops the
 * page's replicas from the chain (a mapping that still holds one keeps its
 * old bytes until it goes, as a private copy would). A store through a
 * writable MAP_SHARED mapping of the page does not: a program that runs
 * code from a file it modifies that way would see stale text in other
 * clusters (Linux returns ETXTBSY to a writer of a running executable). Replicas are a cache: each cluster counts its own
 * (cluster_t.file_replicas, "FileReplicas" of the node's meminfo), and
 * nothing reclaims them yet under memory pressure.
 *
 * Locking: one queuelock per mapper (RANK_VFS_INODE, a near-leaf: the VMM
 * takes it under its GPT lock) guards size, pages, npages, nalloc, gen and
 * the replica chains of its pages; it is
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
    uint64_t         gen;        /* bumped by every write and truncation (replicas) */
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
 * As mapper_page_get(), but the page to map in the calling cluster: the
 * file's own page when it lives here, else this cluster's replica of it,
 * made (a copy of the page, from this cluster's PPM) on first use and kept
 * for the next callers. Takes the mapper lock (twice when it makes the
 * replica: the copy is done outside it). For the VMM's CODE faults and fork.
 * @return the page with a reference for the caller (mapper_page_put()), or
 * NULL (hole, past the end, @m NULL). When this cluster has no free page
 * for a replica the file's own page is returned: mapped remotely, still
 * correct.
 */
struct page_s *mapper_page_get_local(mapper_t *m, uint64_t index);

/*
 * The pages [@index, @index + @n) that the calling cluster can map without
 * copying (the file's own page when it lives here, or this cluster's
 * replica of it), each with a reference for the caller in @out[i]; NULL
 * where there is none yet (no replica is made) or for a hole or past the
 * end. One mapper lock. For the VMM's fault-around of CODE (Linux's
 * do_fault_around maps what the page cache already holds). @n <= 64.
 * @return the number of pages found.
 */
uint32_t mapper_pages_get_cached(mapper_t *m, uint64_t index, uint32_t n,
                                 struct page_s **out);

/*
 * Drops one reference on a file data page (page_t.refcount, atomic): the
 * mapper holds one per page, a mapping holds one more. The last drop frees
 * the page in its own cluster (ppm_free_any: an RPC when remote). No lock.
 */
void mapper_page_put(struct page_s *page);

#endif
