/*
 * rpc.h - remote procedure calls between clusters.
 *
 * Invariant 2: work that allocates or frees memory in another cluster,
 * creates or destroys objects there, or must sleep there, is an RPC
 * executed in that cluster.
 *
 * Each cluster has one multi-producer FIFO of request pointers in its own
 * memory. A client fills an rpc_desc_t in its own cluster, posts its xptr_t
 * to the server cluster's FIFO, sends an IPI to one core of that cluster
 * (its own local index modulo the server's core count) and blocks. An RPC
 * server thread of the server cluster pops the request, runs the handler
 * of its type (rpc_table), decrements the response counter and wakes the
 * client when it reaches zero. Each core starts with one server thread;
 * its pool grows (up to RPC_MAX_SERVERS) when a request arrives while every
 * server thread of the core is blocked inside a handler.
 *
 * Handlers read their arguments and write their results in the client's
 * descriptor by remote access. Clients must be threads (not idle, not an
 * interrupt) holding no busylock.
 *
 * The RPC_TEST_* types exist only in a kernel with self-tests (KTEST=1,
 * CONFIG_KTEST): the numbers of the types after them differ between the
 * two builds; the trace names them from rpc_table.
 */
#ifndef _RPC_H_
#define _RPC_H_

#include <stdint.h>
#include "hal_remote.h"
#include "busylock.h"

#define RPC_ARGS        6
#define RPC_FIFO_SLOTS  256      /* requests waiting per cluster; a full FIFO makes clients yield */
#define RPC_MAX_SERVERS 8        /* server threads per core */
#define RPC_SPIN_US     50       /* a client spins this long for its reply before blocking */

typedef enum rpc_type_e {
    RPC_NOP = 0,            /* nothing: the round-trip benchmark */
#ifdef CONFIG_KTEST         /* the RPC_TEST_* types: self-tests only (KTEST=1, params.mk) */
    RPC_TEST_ECHO,          /* results: args[0] + args[1], server cxy, server lid */
    RPC_TEST_BLOCK,         /* blocks on a queuelock given in args[0] (xptr) then returns */
#endif
    RPC_THREAD_CREATE,      /* in: args[0] lid, args[1] entry, args[2] arg, args[3] name;
                               out: args[0] xptr of the thread or XPTR_NULL */
    RPC_PPM_ALLOC,          /* in: args[0] order; out: args[0] physical address or 0 */
    RPC_PPM_FREE,           /* in: args[0] physical address of a block allocated by RPC_PPM_ALLOC */
#ifdef CONFIG_KTEST
    RPC_TEST_MULTI,         /* multicast: results[server cxy] = args[0] + server cxy */
#endif
    RPC_PROCESS_FORK,       /* process_make_fork(): see process.c for the arguments */
    RPC_PROCESS_DESTROY,    /* in: args[0] a reaped zombie process_t of the server cluster */
    RPC_KMEM_FREE,          /* in: args[0] a kmem object of the server cluster (kmem_free_any) */
    RPC_VMM,                /* vmm_rpc_op(): mmap, munmap, mprotect, brk, set_cow on a reference */
    RPC_VMM_SYNC,           /* vmm_rpc_sync(): a downgrade of the server's copy (multicast) */
    RPC_THREAD_USER,        /* process_rpc_thread(): a user thread (clone, migration) there */
    RPC_PROCESS_RELEASE,    /* process_rpc_release(): the last thread is gone, free the process's
                               memory and files in its reference cluster */
    RPC_TYPES
} rpc_type_t;

typedef struct rpc_desc_s {
    uint32_t          type;            /* rpc_type_t */
    volatile uint32_t responses;       /* replies still expected */
    xptr_t            thread;          /* client thread, woken by the last reply */
    uint64_t          id;              /* unique id (trace) */
    uint64_t          args[RPC_ARGS];  /* unicast: arguments in, results out */
    xptr_t            results;         /* multicast: uint64_t[MAX_CLUSTERS] by server cxy, or NULL */
} rpc_desc_t;

/* A request of one type: its handler, run by a server thread of the server cluster. */
typedef struct rpc_entry_s {
    void      (*handler)(xptr_t desc);
    const char *name;
} rpc_entry_t;

extern const rpc_entry_t rpc_table[RPC_TYPES];

/* The FIFO of one cluster (in its cluster_t). */
typedef struct rpc_fifo_s {
    busylock_t lock;                   /* RANK_RPC_FIFO; guards head, tail, slot */
    uint32_t   head;                   /* next slot to pop */
    uint32_t   tail;                   /* next slot to fill */
    xptr_t     slot[RPC_FIFO_SLOTS];
    uint64_t   posted;                 /* requests ever posted (statistics) */
} rpc_fifo_t;

/* Initialises the FIFO of the local cluster (its first core, at boot). */
void rpc_fifo_init(rpc_fifo_t *fifo);

/* Starts the first RPC server thread of the calling core (every core, at boot). */
void rpc_core_init(void);

/*
 * Calls @desc->type in cluster @cxy (which may be the local one) and waits
 * for the reply. @desc lives in the caller's cluster (usually its stack);
 * type and args are set by the caller; the rest is filled here.
 * Runs in any thread; takes the server FIFO's lock.
 */
void rpc_send(uint32_t cxy, rpc_desc_t *desc);

/*
 * Calls @desc->type in the @n clusters @cxy[] with one request each, and
 * waits until all have answered. Handlers read the same args; each writes
 * its result, if any, to results[its cxy].
 */
void rpc_multicast(const uint32_t *cxy, uint32_t n, rpc_desc_t *desc);

/* The VEC_RPC interrupt: wakes or creates an RPC server thread of this core. */
void rpc_ipi_handler(void);

/*
 * Debug watchdog, run periodically by the bootstrap core: reports every
 * request waiting in any FIFO for longer than @threshold_ms, with its type
 * and both clusters. @return the number reported.
 */
uint32_t rpc_watchdog(uint64_t threshold_ms);

#endif
