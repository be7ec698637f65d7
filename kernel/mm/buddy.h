/*
 * buddy.h - binary buddy allocator over a contiguous range of page frames.
 *
 * This is the pure algorithm behind the PPM (ppm.h): it knows nothing of
 * clusters, locks or the direct map, so the host unit tests build it as is.
 * Blocks of 2^order pages are aligned on 2^order page frames in *physical*
 * numbering (pfn), so a block of order k starts at a physical address that is
 * a multiple of 4 KiB << k, as a page table or a DMA buffer expects.
 *
 * Locking: none inside; the caller (ppm.c) serialises every call on one
 * buddy_t with the PPM lock of its cluster.
 */
#ifndef _BUDDY_H_
#define _BUDDY_H_

#include <stdint.h>
#include <stdbool.h>
#include "page.h"

/* Orders 0 .. BUDDY_MAX_ORDER-1: the largest block is 2^10 pages = 4 MiB. */
#define BUDDY_MAX_ORDER 11

typedef struct buddy_s {
    uint64_t     base_pfn;                  /* pfn of pages[0] */
    uint64_t     npages;                    /* page descriptors in pages[] */
    page_t      *pages;                     /* descriptor array, one per pfn */
    list_entry_t free_list[BUDDY_MAX_ORDER];/* free block heads, per order */
    uint64_t     free_blocks[BUDDY_MAX_ORDER]; /* blocks in each free list */
    uint64_t     free_pages;                /* pages in all free blocks */
    uint64_t     managed_pages;             /* pages ever released to the allocator */
} buddy_t;

/*
 * Initialises @b over the frames [@base_pfn, @base_pfn + @npages), every one
 * of them reserved: nothing can be allocated until buddy_release() hands
 * usable ranges over.
 * @b        : the allocator.
 * @pages    : array of @npages descriptors, overwritten.
 * @base_pfn : first page frame number covered.
 * @npages   : number of page frames covered (pages).
 */
void buddy_init(buddy_t *b, page_t *pages, uint64_t base_pfn, uint64_t npages);

/*
 * Releases the usable frames [@pfn, @pfn + @count) to the allocator, as the
 * largest aligned blocks that fit, coalescing with free neighbours.
 * @pfn   : first frame, inside the covered range.
 * @count : number of frames (pages); the range must lie inside the covered
 *          range and must not be released twice.
 */
void buddy_release(buddy_t *b, uint64_t pfn, uint64_t count);

/*
 * Allocates a block of 2^@order contiguous, aligned pages.
 * @order : 0 .. BUDDY_MAX_ORDER-1.
 * @return the descriptor of the block's first page (flags PG_ALLOCATED,
 *         order set, refcount 1), or NULL when no block of that order or
 *         larger is free, or when @order is out of range.
 */
page_t *buddy_alloc(buddy_t *b, unsigned order);

/*
 * Frees the block whose first page is @page, as allocated by buddy_alloc(),
 * coalescing it with its free buddies.
 * @return 0, or -EINVAL when @page is not the head of an allocated block of
 *         this allocator (double free, foreign page): nothing is changed.
 */
int buddy_free(buddy_t *b, page_t *page);

/* Frame number of the page described by @page. */
static inline uint64_t buddy_page_to_pfn(const buddy_t *b, const page_t *page)
{
    return b->base_pfn + (uint64_t)(page - b->pages);
}

/* Descriptor of frame @pfn, or NULL when @pfn is outside the covered range. */
static inline page_t *buddy_pfn_to_page(const buddy_t *b, uint64_t pfn)
{
    if (pfn < b->base_pfn || pfn >= b->base_pfn + b->npages)
        return NULL;
    return &b->pages[pfn - b->base_pfn];
}

/*
 * Checks the allocator's internal consistency: every free list entry is a
 * free head of the right order and alignment, counters match the lists, no
 * two free blocks overlap, and no two free buddies are left uncoalesced.
 * @return 0 when consistent, else a negative number identifying the first
 *         broken rule (for test diagnostics).
 */
int buddy_check(const buddy_t *b);

#endif
