/*
 * page.h - physical page descriptors, and the sharing of user pages
 * (page.c).
 *
 * Every physical page managed by a cluster's PPM has one page_t, stored in
 * that cluster's own memory (invariant 1). A page_t is named by its PFN
 * (physical address >> 12); the PPM of the page's cluster converts between
 * the two.
 *
 * Page ownership. A page mapped without GPT_FILE belongs to the mappings
 * that share it: page_t.forks counts the sharers beyond the first, updated
 * by remote atomics in the page's cluster. Forking a private or shared page
 * adds one (page_share); releasing it (unmap, exit, COW copy) takes one
 * (page_release), and the last release frees the page in its cluster
 * (ppm_free_any). A GPT_FILE page belongs to a file (mapper_page) and
 * is never freed by the VMM.
 */
#ifndef _PAGE_H_
#define _PAGE_H_

#include <stdint.h>
#include <stdbool.h>
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
    uint32_t     forks;       /* user page shared by fork: sharers beyond the first (page.c) */
    void        *priv;        /* PG_KCM: first free object of the page */
} page_t;

/*
 * A page for a user mapping, with no other sharer (forks 0): a copy of the
 * page @src (any cluster), or zeroed when @src is NULL. Placement is
 * Linux's default policy (man 2 set_mempolicy, MPOL_DEFAULT; the zonelist
 * fallback of mm/page_alloc.c): the calling cluster first, else the other
 * clusters in SLIT distance order (ACPI 6.5, 5.2.17; ties: the lower cxy),
 * skipping those without a free page; a remote page is allocated by
 * RPC_PPM_ALLOC (invariant 2). Counts the node statistics of
 * /sys/devices/system/node/node<N>/numastat (numa_hit, numa_miss,
 * numa_foreign, local_node, other_node). Threads only (the RPC blocks), no
 * busylock held. @return the page (free it with ppm_free_any(): it may be
 * remote), or NULL when no cluster has a free page (-ENOMEM).
 */
page_t *page_user_alloc(const page_t *src);

/*
 * As page_user_alloc(), but only from the calling cluster (no fallback):
 * for the per-cluster replicas of file pages, which must be local. Any
 * context that may take the local PPM lock. @return the page or NULL.
 */
page_t *page_user_alloc_local(const page_t *src);

/* Adds a sharer to the user page @page (fork). Any cluster: a remote atomic. */
void page_share(page_t *page);

/* Does the user page @page have a sharer beyond the first? Any cluster. */
bool page_shared(const page_t *page);

/*
 * Drops one sharer of the user page @page (any cluster): the fork counter
 * goes down while others share it; the last sharer frees the page in its
 * cluster (ppm_free_any: an RPC when it is remote, so threads only).
 */
void page_release(page_t *page);

/*
 * Releases what the PTE (@attr GPT_*, @ppn) held: a sharer of a private
 * page (page_release), or a mapping reference on a file page (GPT_FILE).
 * Only once no TLB can reach the page any more. Threads only.
 */
void page_pte_release(uint32_t attr, uint64_t ppn);

#endif
