/*
 * cluster.h - one cluster: a NUMA node and its kernel instance.
 *
 * A cluster_t is allocated in the cluster's own memory by the cluster's
 * first core at boot (invariant 1); cluster_tbl[] (read-mostly boot
 * information) points at every cluster_t through the direct map.
 */
#ifndef _CLUSTER_H_
#define _CLUSTER_H_

#include <stdint.h>
#include "core.h"
#include "ppm.h"
#include "kcm.h"
#include "topology.h"
#include "rpc.h"
#include "dqdt.h"
#include "futex.h"

struct process_s;

#define CLUSTER_MAGIC 0x54535543u     /* "CUST" */

/* Cluster half of the kernel barrier (see barrier.h). */
typedef struct cluster_barrier_s {
    volatile uint32_t count;          /* local cores arrived */
    volatile uint32_t sense;          /* flipped by the last local core to leave */
} cluster_barrier_t;

typedef struct cluster_s {
    uint32_t          magic;          /* CLUSTER_MAGIC */
    uint32_t          cxy;
    uint32_t          domain;         /* ACPI proximity domain */
    uint32_t          ncores;
    uint32_t          first_gid;      /* gid of local core 0 */
    volatile uint32_t cores_online;   /* local cores that reached their idle loop */
    uint64_t          mem_bytes;      /* SRAT memory of the cluster, bytes */
    uint64_t          boot_bytes;     /* bytes taken at boot for cluster_t + page descriptors */
    uint64_t          boot_free_pages;/* free pages right after the cluster's init */
    cluster_barrier_t barrier;
    xptr_t            barrier_rep;    /* thread representing the cluster at the top level */
    ppm_t             ppm;            /* physical pages of this cluster */
    kcm_t             kcm[KCM_CLASSES]; /* object caches, 64 B .. 2 KiB */
    rpc_fifo_t        rpc_fifo;       /* requests to this cluster (rpc.h) */
    dqdt_node_t       dqdt[DQDT_MAX_LEVELS]; /* leaf [0] and the DQDT nodes this cluster hosts */
    uint64_t          dqdt_reported_free; /* free pages last reported to the DQDT */
    uint64_t          remote_count[MAX_CLUSTERS]; /* remote accesses from here, by target (hal_remote.c counts) */
    uint64_t          shootdowns;     /* TLB shootdown IPIs sent from here (tlb.c, statistics) */
    uint64_t          file_replicas;  /* pages of this cluster held as replicas of file pages (mapper.h) */
    struct {                          /* user pages, as Linux's /sys/.../node<N>/numastat (page.c) */
        uint64_t      numa_hit;       /* given here to a thread of this cluster, as wanted */
        uint64_t      numa_miss;      /* given here although another cluster was wanted */
        uint64_t      numa_foreign;   /* wanted here but given by another cluster */
        uint64_t      local_node;     /* given here to a thread running here */
        uint64_t      other_node;     /* given here to a thread running elsewhere */
    } numastat;
    busylock_t        pid_lock;       /* RANK_PID: pid_tbl, pid_next, processes */
    struct process_s *pid_tbl[1024];  /* processes owned here, by PID index (process.h) */
    uint32_t          pid_next;       /* next index to try */
    uint32_t          processes;      /* live entries of pid_tbl */
    busylock_t        ptree_lock;     /* cluster 0 only, RANK_PTREE: the process tree (process.c) */
    busylock_t        pgrp_lock;      /* cluster 0 only, RANK_PGRP: every pgid and sid (pgrp.c) */
    busylock_t        itimer_lock;    /* RANK_ITIMER: itimer_root and its timers (itimer.c) */
    xlist_entry_t     itimer_root;    /* the armed ITIMER_REAL timers of processes referenced here */
    xptr_t            itimer_thread;  /* the kernel thread that fires them (itimer.c) */
    volatile uint32_t itimer_kick;    /* set when a timer was armed: the thread rescans */
    futex_bucket_t    futex[FUTEX_BUCKETS]; /* wait queues of the futexes in this cluster's memory (futex.h) */
    core_t            core[MAX_CORES_PER_CLUSTER];
} cluster_t;

/* Every cluster, by cxy; set at boot, read-only afterwards. */
extern cluster_t *cluster_tbl[MAX_CLUSTERS];

/* The cluster of the running core. */
static inline cluster_t *cluster_local(void)
{
    return core_self()->cluster;
}

/*
 * The cluster whose memory holds the kernel object at address @addr (direct map or
 * kernel image), from the SRAT ranges; 0 when none claims it. Any core.
 * The "local" forms of the blocking locks use it, so that a lock embedded
 * in an object of another cluster is still named by the right xptr_t.
 */
uint32_t cluster_of_ptr(uintptr_t addr);

/*
 * Builds cluster @cxy in its own memory: carves cluster_t and the page
 * descriptors out of the cluster's first usable range, initialises its PPM
 * over the usable part of its SRAT ranges, its KCMs and its core_t's.
 * Runs on the cluster's first core, once, at boot.
 * @return the cluster, or NULL when the cluster has no usable memory large
 *         enough for its own descriptors (the caller panics: a topology
 *         problem reported at boot).
 */
cluster_t *cluster_init(uint32_t cxy);

#endif
