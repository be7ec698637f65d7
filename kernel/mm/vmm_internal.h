/*
 * vmm_internal.h - what vmm.c, vmm_fault.c and vseg.c share and nobody
 * else needs: page arithmetic, the extended pointers of a copy's VSL and
 * GPT and of the reference's fields, and the few functions of vmm.c that
 * vmm_fault.c calls.
 */
#ifndef _VMM_INTERNAL_H_
#define _VMM_INTERNAL_H_

#include "vmm.h"
#include "page.h"
#include "cluster.h"

#define VPN(a)       ((a) >> PAGE_SHIFT)
#define PAGE_UP(a)   (((a) + PAGE_SIZE - 1) & PAGE_MASK)

/* A vmm_t lives in its copy's cluster, the one that holds its GPT. */
static inline uint32_t vmm_cxy(vmm_t *vmm)  { return cluster_of_ptr((uintptr_t)vmm); }
static inline xptr_t vsl_root(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->vsl_root); }
static inline xptr_t vsl_lock(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->vsl_lock); }
static inline xptr_t gpt_lock(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->gpt_lock); }
static inline xptr_t gpt_xp(vmm_t *vmm)     { return XPTR(vmm->gpt.cxy, &vmm->gpt); }

/* The same, for the reference copy named by an xptr (any cluster). */
#define REF(xp, field) XPTR(GET_CXY(xp), &((vmm_t *)GET_PTR(xp))->field)

/*
 * Removes every vseg of the local copy @vmm that meets [@min, @max), with its
 * PTEs (pages gathered in @g). Caller holds both locks (VSL for writing).
 */
void vmm_remove_meeting_locked(vmm_t *vmm, uint64_t min, uint64_t max, tlb_gather_t *g);

#endif
