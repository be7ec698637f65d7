/*
 * core.h - one core (CPU) of a cluster.
 *
 * A core_t lives in its cluster's cluster_t, in that cluster's memory
 * (invariant 1). GS base points at the running core's core_t, so
 * core_self() is one load; core_t is also the per-core area of the HAL,
 * whose words come first (hal_core.h).
 */
#ifndef _CORE_H_
#define _CORE_H_

#include <stdint.h>
#include "hal_core.h"
#include "sched.h"
#include "trace.h"
#include "rpc.h"
#include "lockup.h"

struct hal_gpt_s;

struct cluster_s;

#define CORE_MAGIC 0x45524f43u        /* "CORE" */

typedef struct core_s {
    /* the HAL's words, at the offsets hal_core.h gives (HAL_GS_*) */
    struct core_s    *self;           /* %gs:0: this core_t */
    uint64_t          kstack_top;     /* %gs:8: kernel stack of the running thread (SYSCALL entry) */
    uint64_t          user_rsp;       /* %gs:16: user stack pointer during SYSCALL entry */
    const struct hal_gpt_s *volatile active_gpt; /* %gs:24: GPT in CR3 (NULL: kernel's): shootdown target */
    uint32_t          cxy;            /* %gs:32: cluster */
    /* the kernel's */
    uint32_t          magic;          /* CORE_MAGIC */
    uint32_t          lid;            /* index in the cluster */
    uint32_t          gid;            /* global index, 0..ncores-1 in cxy order */
    uint32_t          apic_id;        /* local APIC ID expected from the MADT */
    uint32_t          apic_id_seen;   /* local APIC ID read by the core itself */
    volatile uint32_t online;         /* set by the core when it runs its idle loop */
    uint32_t          barrier_sense;  /* sense of the last kernel barrier passed */
    xptr_t            barrier_waiter; /* thread of this core waiting at the kernel barrier */
    volatile uint64_t ticks;          /* LAPIC timer interrupts taken */
    uint64_t          stack_top;      /* top of the boot/idle stack, virtual */
    struct cluster_s *cluster;        /* the core's cluster */
    sched_t           sched;          /* the core's scheduler */
    struct thread_s  *rpc_server[RPC_MAX_SERVERS]; /* this core's RPC server threads */
    uint32_t          rpc_nservers;
    uint32_t          rpc_servers_created; /* server threads ever started here (statistics) */
    uint64_t          rpc_seq;        /* RPC ids issued by this core */
    trace_rec_t      *trace_ring;     /* trace records (trace=1), in the cluster's memory */
    volatile uint64_t trace_head;     /* next record the drainer sends */
    volatile uint64_t trace_tail;     /* next record this core writes */
    uint64_t          trace_lost;     /* records dropped: ring full */
    uint64_t          trace_lost_sent;/* trace_lost last reported by the drainer */
    volatile uint64_t shootdown_acks; /* VEC_SHOOTDOWN requests handled (tlb.c) */
    /* lockup detector (lockup.h) */
    volatile uint64_t heartbeat;      /* bumped when it schedules, or ticks in user mode or idle */
    lockup_watch_t    lockup;         /* this core's watch over its neighbour */
    lockup_nmi_t      nmi;            /* a backtrace another core asked of this one by NMI */
    volatile uint64_t hung_reports;   /* hung tasks this core reported (hung_task.h) */
    hal_core_arch_t   arch;           /* GDT, TSS, IST stack */
} core_t;

/* The HAL reads and writes these through GS, by offset (hal_core.h) */
_Static_assert(__builtin_offsetof(core_t, self) == HAL_GS_SELF, "core_t.self at HAL_GS_SELF");
_Static_assert(__builtin_offsetof(core_t, kstack_top) == HAL_GS_KSTACK_TOP,
               "core_t.kstack_top at HAL_GS_KSTACK_TOP");
_Static_assert(__builtin_offsetof(core_t, user_rsp) == HAL_GS_USER_RSP,
               "core_t.user_rsp at HAL_GS_USER_RSP");
_Static_assert(__builtin_offsetof(core_t, active_gpt) == HAL_GS_ACTIVE_GPT,
               "core_t.active_gpt at HAL_GS_ACTIVE_GPT");
_Static_assert(__builtin_offsetof(core_t, cxy) == HAL_GS_CXY, "core_t.cxy at HAL_GS_CXY");

/* The core running this code. */
static inline core_t *core_self(void)
{
    core_t *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/* The cluster of the core running this code. */
static inline uint32_t local_cxy(void)
{
    return core_self()->cxy;
}

#endif
