/*
 * uapi/archipel.h - Archipel's private system calls: numbers, argument
 * values and the structure archipel_counters fills.
 *
 * Not Linux: the calls that have no Linux equivalent, numbered from
 * SYS_ARCHIPEL_BASE with the Linux calling convention. user/include/archipel.h
 * is their user header, with documented wrappers; the numbers, the value
 * of ARCHIPEL_PLACE_DQDT and the layout of struct archipel_counters must be
 * the same there, and tests/host/test_uapi.c checks that they are.
 */
#ifndef _UAPI_ARCHIPEL_H_
#define _UAPI_ARCHIPEL_H_

#include <stdint.h>

#define SYS_ARCHIPEL_BASE       1000
#define SYS_archipel_fork_place 1000   /* (int cxy): the next fork's child cluster, -1 = DQDT */
#define SYS_archipel_poweroff   1001   /* (int status): PID 1 only */
#define SYS_archipel_counters   1002   /* (struct archipel_counters *) */
#define SYS_archipel_nclusters  1003   /* (): number of clusters */
#define SYS_ARCHIPEL_END        1004

/* archipel_fork_place() argument: let the DQDT choose the cluster. */
#define ARCHIPEL_PLACE_DQDT (-1)

/* struct archipel_counters of archipel_counters(), 72 bytes (user/include/archipel.h
 * explains each field) */
typedef struct archipel_counters_s {
    uint64_t faults_local;       /* pages allocated (or CODE replicas made) by a fault */
    uint64_t faults_global;      /* faults of a non-reference copy served from the reference PTE */
    uint64_t faults_false;       /* faults whose PTE already allowed the access */
    uint64_t faults_cow;         /* copy-on-write faults */
    uint32_t owner_cxy;          /* owner cluster: the cxy in the PID */
    uint32_t ref_cxy;            /* reference cluster */
    uint64_t remote_accesses;    /* machine-wide remote memory accesses since boot */
    uint64_t rpcs;               /* machine-wide RPC requests sent since boot */
    uint64_t shootdowns;         /* machine-wide TLB shootdown IPIs sent since boot */
    uint64_t copies;             /* process copies of the caller now */
} archipel_counters_t;

#endif
