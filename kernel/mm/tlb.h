/*
 * tlb.h - TLB shootdown (ARCHITECTURE.md, invariant 4): the rounds that
 * interrupt the cores running a GPT and wait for them, the gather of the
 * pages a downgrade unmapped (Linux's mmu_gather), and the IPI handler.
 *
 * A function that changes or removes a present PTE returns the flush it
 * owes (tlb_flush_t, hal_gpt.h). The caller hands it to a round: the cores
 * whose CR3 holds that GPT (core_t.active_gpt) are sent VEC_SHOOTDOWN, and
 * the round waits until each has acknowledged (core_t.shootdown_acks).
 * The calling core flushes its own TLB at once. Rounds are traced
 * (TRACE_SHOOTDOWN) and counted (cluster_t.shootdowns).
 *
 * The pages a downgrade unmaps may still be reached through a stale TLB
 * entry until the shootdown is over: they go in a tlb_gather_t and are
 * released (page_pte_release) only by tlb_gather_flush, after the round.
 *
 * Rounds take no lock and may run with the VSL or GPT locks held (the
 * targets acknowledge from interrupt context); releasing gathered pages
 * may free them (the PPM lock, or an RPC to their cluster), so no busylock
 * may be held across tlb_gather_flush.
 */
#ifndef _TLB_H_
#define _TLB_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_gpt.h"

struct core_s;

#define TLB_ROUND_MAX 32

/*
 * One shootdown round: the cores sent VEC_SHOOTDOWN and the acknowledgement
 * count each had before, so that the round waits for every one of them.
 */
typedef struct tlb_round_s {
    uint32_t n;
    struct core_s *core[TLB_ROUND_MAX];
    uint64_t acks[TLB_ROUND_MAX];
    uint64_t gids;                       /* bitmap of the targets' gids (trace) */
    uint64_t start;
} tlb_round_t;

#define TLB_ROUND_INIT { .n = 0 }

/*
 * Adds to round @r the cores whose CR3 holds the GPT @gpt_xp (any
 * cluster), for the entries of @flush: the calling core flushes at once,
 * the others get VEC_SHOOTDOWN. The PTE changes must be visible before
 * this call. A full round is waited for first (tlb_round_wait).
 */
void tlb_round_add(tlb_round_t *r, xptr_t gpt_xp, tlb_flush_t flush);

/* Waits for every acknowledgement of @r, then traces and counts the round; @r is empty again. */
void tlb_round_wait(tlb_round_t *r);

/* Shoots down @flush of the GPT @gpt_xp on every core that runs it, and waits: a round of one. */
void tlb_shootdown(xptr_t gpt_xp, tlb_flush_t flush);

/* VEC_SHOOTDOWN: flushes the calling core's TLB and acknowledges. Interrupt context. */
void vmm_shootdown_ipi(void);

#define TLB_GATHER_MAX 32

/*
 * Pages unmapped but not yet released: they are freed only once no TLB can
 * still reach them (after the shootdown of @gpt).
 */
typedef struct tlb_gather_s {
    xptr_t      gpt;                     /* the GPT the pages were unmapped from */
    tlb_flush_t flush;                   /* what the unmapping owes */
    uint32_t    n;                       /* pages gathered */
    uint32_t    attr[TLB_GATHER_MAX];    /* their PTEs' GPT_* attributes */
    uint64_t    ppn[TLB_GATHER_MAX];
} tlb_gather_t;

/* An empty gather for the GPT @gpt_xp. */
#define TLB_GATHER_INIT(gpt_xp) { .gpt = (gpt_xp), .flush = TLB_FLUSH_NONE }

/*
 * Adds the flush @flush of a removed PTE (@attr, @ppn) to @g, and the page
 * itself when the PTE owned it (@owns). A full gather is flushed first.
 */
void tlb_gather_add(tlb_gather_t *g, tlb_flush_t flush, bool owns, uint32_t attr, uint64_t ppn);

/*
 * Shoots down what @g owes, then releases its pages (page_pte_release);
 * @g is empty again. Threads only (a release may be an RPC).
 */
void tlb_gather_flush(tlb_gather_t *g);

#endif
