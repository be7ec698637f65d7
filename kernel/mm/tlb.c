/*
 * tlb.c - TLB shootdown rounds, the gather of unmapped pages and the
 * VEC_SHOOTDOWN handler (see tlb.h).
 */
#include "tlb.h"
#include "page.h"
#include "cpu.h"
#include "core.h"
#include "cluster.h"
#include "ipi.h"
#include "trap.h"
#include "trace.h"

/* ---- rounds ------------------------------------------------------------------------ */

void tlb_round_wait(tlb_round_t *r)
{
    if (r->n == 0)
        return;
    for (uint32_t i = 0; i < r->n; i++) {
        xptr_t acks = XPTR(r->core[i]->cxy, &r->core[i]->shootdown_acks);

        while (hal_remote_l64(acks) == r->acks[i])
            cpu_pause();
    }
    trace(TRACE_SHOOTDOWN, (uint16_t)r->n, r->gids, rdtsc() - r->start);
    __atomic_add_fetch(&cluster_local()->shootdowns, r->n, __ATOMIC_RELAXED);
    r->n = 0;
    r->gids = 0;
}

void tlb_round_add(tlb_round_t *r, xptr_t gpt_xp, tlb_flush_t flush)
{
    uint32_t cxy = GET_CXY(gpt_xp);
    cluster_t *cl = cluster_tbl[cxy];
    const hal_gpt_t *gpt = GET_PTR(gpt_xp);

    if (tlb_flush_empty(flush))
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);     /* PTE stores before the active_gpt loads */
    for (uint32_t l = 0; l < cl->ncores; l++) {
        core_t *c = &cl->core[l];

        if ((const hal_gpt_t *)hal_remote_l64(XPTR(cxy, &c->active_gpt)) != gpt)
            continue;
        if (c == core_self()) {
            hal_tlb_flush_local(flush);
            continue;
        }
        if (r->n == TLB_ROUND_MAX)
            tlb_round_wait(r);
        if (r->n == 0)
            r->start = rdtsc();
        r->core[r->n] = c;
        r->acks[r->n] = hal_remote_l64(XPTR(cxy, &c->shootdown_acks));
        r->n++;
        if (c->gid < 64)
            r->gids |= 1ull << c->gid;
        ipi_send(c, VEC_SHOOTDOWN);
    }
}

void tlb_shootdown(xptr_t gpt_xp, tlb_flush_t flush)
{
    tlb_round_t r = TLB_ROUND_INIT;

    tlb_round_add(&r, gpt_xp, flush);
    tlb_round_wait(&r);
}

void vmm_shootdown_ipi(void)
{
    core_t *core = core_self();
    uint64_t start = trace_enabled ? rdtsc() : 0;

    write_cr3(read_cr3());                       /* whole TLB but global (kernel) entries */
    __atomic_add_fetch(&core->shootdown_acks, 1, __ATOMIC_RELEASE);
    trace(TRACE_IPI_RECV, VEC_SHOOTDOWN, 0, rdtsc() - start);
}

/* ---- gather ------------------------------------------------------------------------ */

void tlb_gather_flush(tlb_gather_t *g)
{
    tlb_shootdown(g->gpt, g->flush);
    for (uint32_t i = 0; i < g->n; i++)
        page_pte_release(g->attr[i], g->ppn[i]);
    g->n = 0;
    g->flush = TLB_FLUSH_NONE;
}

void tlb_gather_add(tlb_gather_t *g, tlb_flush_t flush, bool owns, uint32_t attr, uint64_t ppn)
{
    g->flush = tlb_flush_merge(g->flush, flush);
    if (!owns)
        return;
    if (g->n == TLB_GATHER_MAX)
        tlb_gather_flush(g);
    g->attr[g->n] = attr;
    g->ppn[g->n] = ppn;
    g->n++;
}
