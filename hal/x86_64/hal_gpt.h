/*
 * hal_gpt.h - the generic page table (GPT) of a process copy, on x86_64 the
 * hardware 4-level table itself (Intel SDM Vol. 3A, 4.5 "4-level paging"),
 * with software bits in the ignored bits 9-11 of each PTE.
 *
 * A GPT lives in the memory of its process copy's cluster: its table pages
 * come from that cluster's PPM (invariant 5: never from the VMM). Only
 * the lower half (user space, PML4 entries 0-255) belongs to the GPT; the
 * upper half is copied from the kernel's PML4 at creation.
 *
 * Reading a PTE works from any cluster (remote access); creating a mapping
 * may allocate a table page, so only the GPT's own cluster does it.
 * Changing or removing a present PTE returns the TLB flush it owes
 * (invariant 4) and the compiler checks that the caller takes it.
 */
#ifndef _HAL_GPT_H_
#define _HAL_GPT_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_remote.h"

/* Generic attributes of a PTE, translated to and from the hardware bits */
#define GPT_MAPPED   0x0001u   /* present (P) */
#define GPT_WRITABLE 0x0002u   /* R/W */
#define GPT_USER     0x0004u   /* U/S */
#define GPT_EXEC     0x0008u   /* not XD (bit 63, needs EFER.NXE) */
#define GPT_ACCESSED 0x0010u   /* A */
#define GPT_DIRTY    0x0020u   /* D */
#define GPT_COW      0x0040u   /* software: copy on write (bit 9) */
#define GPT_FILE     0x0080u   /* software: the page belongs to a file, not to this mapping (bit 10) */
#define GPT_SHARED   0x0100u   /* software: MAP_SHARED page, never copy-on-write (bit 11) */

#define USER_VPN_END (1ull << 35)  /* first vpn past user space: 128 TiB / 4 KiB */

typedef struct hal_gpt_s {
    uint64_t root;             /* physical address of the PML4 */
    uint32_t cxy;              /* cluster whose memory holds the tables */
    uint32_t tables;           /* table pages below the PML4 (statistics) */
} hal_gpt_t;

/* TLB entries a PTE change made stale: vpns [min, max]; empty when min > max. */
typedef struct tlb_flush_s {
    uint64_t vpn_min;
    uint64_t vpn_max;
} tlb_flush_t;

#define TLB_FLUSH_NONE ((tlb_flush_t){ .vpn_min = ~0ull, .vpn_max = 0 })

static inline bool tlb_flush_empty(tlb_flush_t f) { return f.vpn_min > f.vpn_max; }

static inline tlb_flush_t tlb_flush_merge(tlb_flush_t a, tlb_flush_t b)
{
    return (tlb_flush_t){ .vpn_min = a.vpn_min < b.vpn_min ? a.vpn_min : b.vpn_min,
                          .vpn_max = a.vpn_max > b.vpn_max ? a.vpn_max : b.vpn_max };
}

/*
 * Creates an empty GPT in the calling core's cluster: a zeroed PML4 whose
 * upper half is the kernel's. Takes the PPM lock.
 * @return 0 or -ENOMEM.
 */
int hal_gpt_create(hal_gpt_t *gpt);

/*
 * Frees every table page of @gpt (the mapped pages are the caller's: it
 * has released them). Runs in the GPT's cluster, with no core using it.
 */
void hal_gpt_destroy(hal_gpt_t *gpt);

/*
 * Maps @vpn to physical page @ppn with @attr (GPT_MAPPED implied) in the
 * local GPT @gpt, allocating the missing tables in this cluster. The PTE
 * must be unmapped (a new mapping owes no flush). Caller holds the VMM's
 * GPT lock. @return 0 or -ENOMEM (nothing changed).
 */
int hal_gpt_map(hal_gpt_t *gpt, uint64_t vpn, uint32_t attr, uint64_t ppn);

/*
 * hal_gpt_map() for a GPT in any cluster (named by @gpt_xp): the PTE is
 * written by remote access; a missing table is allocated in the GPT's own
 * cluster (the kernel's ppm_remote_alloc_zeroed(): invariants 2 and 5).
 * Caller holds the VMM's GPT lock. @return 0 or -ENOMEM.
 */
int hal_gpt_map_xp(xptr_t gpt_xp, uint64_t vpn, uint32_t attr, uint64_t ppn);

/*
 * Reads the PTE of @vpn in the GPT named by @gpt_xp (any cluster).
 * @return the GPT_* attributes (0 when unmapped) and the page in *@ppn.
 */
uint32_t hal_gpt_get(xptr_t gpt_xp, uint64_t vpn, uint64_t *ppn);

/*
 * Rewrites a mapped PTE of @vpn (any cluster, remote access): new @attr
 * and @ppn. Caller holds the VMM's GPT lock. @return the flush owed.
 */
tlb_flush_t hal_gpt_update(xptr_t gpt_xp, uint64_t vpn, uint32_t attr, uint64_t ppn)
    __attribute__((warn_unused_result));

/* Unmaps @vpn (any cluster). @return the flush owed (none if it was unmapped). */
tlb_flush_t hal_gpt_unmap(xptr_t gpt_xp, uint64_t vpn) __attribute__((warn_unused_result));

/*
 * Finds the first mapped vpn in [@vpn, @end) of the GPT @gpt_xp, skipping
 * absent tables. @return true and fills *@found, *@attr, *@ppn; false if none.
 */
bool hal_gpt_next(xptr_t gpt_xp, uint64_t vpn, uint64_t end, uint64_t *found,
                  uint32_t *attr, uint64_t *ppn);

/*
 * Loads @gpt (NULL: the kernel's PML4) in CR3 of the calling core if not
 * already there, and records it first in the per-core area's word
 * HAL_GS_ACTIVE_GPT (hal_core.h; the kernel's core_t.active_gpt, which
 * the TLB shootdowns read to pick their targets). Interrupts off.
 */
void hal_gpt_activate(const hal_gpt_t *gpt);

/* Flushes the calling core's TLB entries for @flush (INVLPG, or CR3 reload for big ranges). */
void hal_tlb_flush_local(tlb_flush_t flush);

#endif
