/*
 * ppm.h - physical page manager: one buddy allocator per cluster.
 *
 * Each cluster's PPM covers the usable part of that cluster's SRAT memory
 * ranges; its page descriptors are stored in the cluster's own memory
 * (invariant 1). Allocation and release happen in the local cluster only:
 * work that allocates or frees memory in another cluster is an RPC there
 * (invariant 2). The PPM never calls the VMM (invariant 5).
 *
 * Locks: ppm.lock (busylock), taken inside each call; callers hold no
 * requirement.
 */
#ifndef _PPM_H_
#define _PPM_H_

#include <stdint.h>
#include "buddy.h"
#include "busylock.h"

typedef struct ppm_s {
    busylock_t lock;              /* guards buddy */
    buddy_t    buddy;             /* guarded by lock */
    uint32_t   cxy;               /* owning cluster */
} ppm_t;

/*
 * Initialises the PPM of cluster @cxy over frames [@base_pfn, @base_pfn +
 * @npages), all reserved; ppm_release() then hands usable ranges over.
 * Runs in cluster @cxy at boot, before any allocation there.
 * @desc : @npages page descriptors in cluster @cxy's memory.
 */
void ppm_init(ppm_t *ppm, uint32_t cxy, page_t *desc, uint64_t base_pfn, uint64_t npages);

/* Releases the usable frames [@pfn, @pfn + @count) to @ppm (boot only). */
void ppm_release(ppm_t *ppm, uint64_t pfn, uint64_t count);

/*
 * Allocates 2^@order contiguous pages from the local cluster's PPM.
 * Runs in any core; allocates in the core's own cluster.
 * @order : 0 .. BUDDY_MAX_ORDER-1 (pages = 2^order).
 * @return the first page's descriptor, or NULL when the cluster has no free
 *         block that large (the caller returns -ENOMEM).
 */
page_t *ppm_alloc_pages(unsigned order);

/*
 * Frees a block allocated by ppm_alloc_pages(). Must run in the page's own
 * cluster (else panic: freeing remote memory is an RPC, invariant 2); a page
 * that is not an allocated block head is a kernel bug (panic).
 */
void ppm_free_pages(page_t *page);

/*
 * Frees a block allocated by ppm_alloc_pages() in any cluster: directly
 * when it belongs to the calling core's cluster, else by RPC_PPM_FREE to
 * the page's cluster (invariant 2). Threads only when the page may be
 * remote (the RPC blocks); no busylock held.
 */
void ppm_free_any(page_t *page);

/*
 * The page-table pages of the HAL's GPTs come from ppm_remote_alloc_zeroed()
 * (a zeroed page of any cluster, by RPC_PPM_ALLOC when it is not the local
 * one) and go back through ppm_free_phys(): the HAL's upcalls, declared and
 * documented in hal_upcalls.h.
 */

/* Physical address (bytes) of the page described by @page, any cluster. */
uint64_t ppm_page_to_phys(const page_t *page);

/* Direct-map address of the page described by @page, any cluster. */
void *ppm_page_to_virt(const page_t *page);

/*
 * Descriptor of the page at physical address @phys in the PPM that manages
 * it, or NULL if none does (reserved memory, holes, other devices).
 */
page_t *ppm_phys_to_page(uint64_t phys);

/* Free pages of cluster @cxy's PPM (a snapshot, taken under its lock). */
uint64_t ppm_free_count(uint32_t cxy);

#endif
