/*
 * buddy.c - binary buddy allocator (see buddy.h for the contract).
 *
 * Free blocks are kept in one list per order; only the head page of a block
 * carries PG_FREE / PG_ALLOCATED and the order. The buddy of the block at
 * frame pfn of order k is the block at pfn ^ (1 << k): frames are numbered
 * physically, so blocks are physically aligned.
 */
#include "buddy.h"
#include "uapi/errno.h"
#include "kstring.h"

void buddy_init(buddy_t *b, page_t *pages, uint64_t base_pfn, uint64_t npages)
{
    b->base_pfn      = base_pfn;
    b->npages        = npages;
    b->pages         = pages;
    b->free_pages    = 0;
    b->managed_pages = 0;
    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
        list_root_init(&b->free_list[k]);
        b->free_blocks[k] = 0;
    }
    memset(pages, 0, npages * sizeof(page_t));
    for (uint64_t i = 0; i < npages; i++)
        pages[i].flags = PG_RESERVED;
}

/* Puts the free block at @pfn of order @k on its list. */
static void buddy_push(buddy_t *b, uint64_t pfn, unsigned k)
{
    page_t *page = &b->pages[pfn - b->base_pfn];

    page->flags = PG_FREE;
    page->order = (uint8_t)k;
    list_add_first(&b->free_list[k], &page->list);
    b->free_blocks[k]++;
    b->free_pages += 1UL << k;
}

/* Takes the free block whose head is @page off its list. */
static void buddy_pop(buddy_t *b, page_t *page)
{
    unsigned k = page->order;

    list_unlink(&page->list);
    page->flags = 0;
    b->free_blocks[k]--;
    b->free_pages -= 1UL << k;
}

/*
 * Inserts the block at @pfn of order @k, merging with its buddy for as long
 * as the buddy is a free block of the same order.
 */
static void buddy_merge_insert(buddy_t *b, uint64_t pfn, unsigned k)
{
    while (k + 1 < BUDDY_MAX_ORDER) {
        uint64_t buddy_pfn = pfn ^ (1UL << k);
        page_t  *buddy     = buddy_pfn_to_page(b, buddy_pfn);

        /* the whole buddy block must lie inside the covered range */
        if (buddy == NULL || buddy_pfn + (1UL << k) > b->base_pfn + b->npages)
            break;
        if (!(buddy->flags & PG_FREE) || buddy->order != k)
            break;
        buddy_pop(b, buddy);
        pfn &= ~(1UL << k);
        k++;
    }
    buddy_push(b, pfn, k);
}

void buddy_release(buddy_t *b, uint64_t pfn, uint64_t count)
{
    uint64_t end = pfn + count;

    for (uint64_t p = pfn; p < end; p++)
        b->pages[p - b->base_pfn].flags = 0;
    b->managed_pages += count;

    while (pfn < end) {
        unsigned k = 0;

        /* largest order that is aligned at pfn and fits before end */
        while (k + 1 < BUDDY_MAX_ORDER &&
               (pfn & ((1UL << (k + 1)) - 1)) == 0 &&
               pfn + (1UL << (k + 1)) <= end)
            k++;
        buddy_merge_insert(b, pfn, k);
        pfn += 1UL << k;
    }
}

page_t *buddy_alloc(buddy_t *b, unsigned order)
{
    unsigned k = order;
    page_t  *page;
    uint64_t pfn;

    if (order >= BUDDY_MAX_ORDER)
        return NULL;
    while (k < BUDDY_MAX_ORDER && list_is_empty(&b->free_list[k]))
        k++;
    if (k == BUDDY_MAX_ORDER)
        return NULL;

    page = LIST_ELEMENT(list_first(&b->free_list[k]), page_t, list);
    buddy_pop(b, page);
    pfn = buddy_page_to_pfn(b, page);

    /* split: give the upper halves back until the block has the asked order */
    while (k > order) {
        k--;
        buddy_push(b, pfn + (1UL << k), k);
    }
    page->flags    = PG_ALLOCATED;
    page->order    = (uint8_t)order;
    page->refcount = 1;
    page->owner    = NULL;
    return page;
}

int buddy_free(buddy_t *b, page_t *page)
{
    uint64_t pfn;

    if (page < b->pages || page >= b->pages + b->npages)
        return -EINVAL;
    if (!(page->flags & PG_ALLOCATED) || (page->flags & PG_RESERVED))
        return -EINVAL;
    pfn = buddy_page_to_pfn(b, page);
    if (page->order >= BUDDY_MAX_ORDER || (pfn & ((1UL << page->order) - 1)) != 0)
        return -EINVAL;

    page->flags    = 0;
    page->refcount = 0;
    page->owner    = NULL;
    buddy_merge_insert(b, pfn, page->order);
    return 0;
}

int buddy_check(const buddy_t *b)
{
    uint64_t free_pages = 0;

    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
        uint64_t blocks = 0;
        list_entry_t *iter;

        LIST_FOREACH(&b->free_list[k], iter) {
            const page_t *page = LIST_ELEMENT(iter, page_t, list);
            uint64_t pfn, buddy_pfn;
            const page_t *buddy;

            if (page < b->pages || page >= b->pages + b->npages)
                return -1;                       /* foreign entry */
            if (page->flags != PG_FREE || page->order != k)
                return -2;                       /* wrong state or order */
            pfn = buddy_page_to_pfn(b, page);
            if (pfn & ((1UL << k) - 1))
                return -3;                       /* misaligned */
            if (pfn + (1UL << k) > b->base_pfn + b->npages)
                return -4;                       /* runs past the range */
            for (uint64_t i = 1; i < (1UL << k); i++)
                if (b->pages[pfn - b->base_pfn + i].flags & (PG_FREE | PG_ALLOCATED | PG_RESERVED))
                    return -5;                   /* overlaps another block */
            buddy_pfn = pfn ^ (1UL << k);
            buddy     = buddy_pfn_to_page(b, buddy_pfn);
            if (k + 1 < BUDDY_MAX_ORDER && buddy != NULL &&
                buddy_pfn + (1UL << k) <= b->base_pfn + b->npages &&
                buddy->flags == PG_FREE && buddy->order == k)
                return -6;                       /* uncoalesced buddies */
            blocks++;
            free_pages += 1UL << k;
        }
        if (blocks != b->free_blocks[k])
            return -7;
    }
    if (free_pages != b->free_pages)
        return -8;
    return 0;
}
