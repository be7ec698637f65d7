/*
 * page.h - physical page descriptors.
 *
 * Every physical page managed by a cluster's PPM has one page_t, stored in
 * that cluster's own memory (invariant 1). A page_t is named by its PFN
 * (physical address >> 12); the PPM of the page's cluster converts between
 * the two.
 */
#ifndef _PAGE_H_
#define _PAGE_H_

#include <stdint.h>
#include "list.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)          /* bytes */
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/* page_t.flags */
#define PG_RESERVED  0x0001   /* not managed: hole, firmware, kernel image */
#define PG_FREE      0x0002   /* head of a free buddy block of 2^order pages */
#define PG_ALLOCATED 0x0004   /* head of an allocated block of 2^order pages */
#define PG_KCM       0x0008   /* allocated to a KCM cache (see kcm.h) */

typedef struct page_s {
    list_entry_t list;        /* free list (PG_FREE) or KCM page list (PG_KCM) */
    uint32_t     flags;       /* PG_* */
    uint8_t      order;       /* block order, valid for PG_FREE / PG_ALLOCATED heads */
    uint8_t      pad;
    uint16_t     cxy;         /* cluster whose PPM manages this page */
    void        *owner;       /* PG_KCM: the kcm_t this page belongs to */
    uint32_t     refcount;    /* references held on an allocated page; PG_KCM: objects in use */
    uint32_t     forks;       /* user page shared by fork: sharers beyond the first (vmm.h) */
    void        *priv;        /* PG_KCM: first free object of the page */
} page_t;

#endif
