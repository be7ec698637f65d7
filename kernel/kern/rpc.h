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
 * Each type has its argument structure, a member of the descriptor's
 * rpc_args_t union: the client fills it, the handler reads its arguments
 * and writes its results there in the client's descriptor by remote
 * access (RPC_ARG). Clients must be threads (not idle, not an interrupt)
 * holding no busylock.
 *
 * The RPC_TEST_* types exist only in a kernel with self-tests (KTEST=1,
 * CONFIG_KTEST): the numbers of the types after them differ between the
 * two builds; the trace names them from rpc_table.
 */
#ifndef _RPC_H_
#define _RPC_H_

#include <stdint.h>
#include <stddef.h>
#include "hal_remote.h"
#include "busylock.h"

#define RPC_FIFO_SLOTS  256      /* requests waiting per cluster; a full FIFO makes clients yield */
#define RPC_MAX_SERVERS 8        /* server threads per core */
#define RPC_SPIN_US     50       /* a client spins this long for its reply before blocking */

typedef enum rpc_type_e {
    RPC_NOP = 0,            /* nothing: the round-trip benchmark; no arguments */
#ifdef CONFIG_KTEST         /* the RPC_TEST_* types: self-tests only (KTEST=1, params.mk) */
    RPC_TEST_ECHO,          /* a sum and who computed it: rpc_test_echo_args_t */
    RPC_TEST_BLOCK,         /* blocks on a queuelock of the client: rpc_test_block_args_t */
#endif
    RPC_THREAD_CREATE,      /* a kernel thread there: rpc_thread_create_args_t */
    RPC_PPM_ALLOC,          /* a block of the server's PPM: rpc_ppm_alloc_args_t */
    RPC_PPM_FREE,           /* a block back to the server's PPM: rpc_ppm_free_args_t */
#ifdef CONFIG_KTEST
    RPC_TEST_MULTI,         /* multicast, one result per server: rpc_test_multi_args_t */
#endif
    RPC_PROCESS_FORK,       /* process_make_fork(): the child there: rpc_process_fork_args_t */
    RPC_PROCESS_DESTROY,    /* process_rpc_destroy(): free a reaped zombie: rpc_process_args_t */
    RPC_KMEM_FREE,          /* kmem_free_any(): a kmem object back: rpc_kmem_free_args_t */
    RPC_VMM,                /* vmm_rpc_op(): mmap, munmap, mprotect, brk, set_cow on a reference:
                               rpc_vmm_args_t */
    RPC_VMM_SYNC,           /* vmm_rpc_sync(): a downgrade of the server's copy (multicast):
                               rpc_vmm_sync_args_t */
    RPC_THREAD_USER,        /* process_rpc_thread(): a user thread (clone, migration) there:
                               rpc_thread_user_args_t */
    RPC_PROCESS_RELEASE,    /* process_rpc_release(): the last thread is gone, free the process's
                               memory and files in its reference cluster: rpc_process_args_t */
    RPC_TYPES
} rpc_type_t;

/*
 * The arguments of each type: one structure per type, named after it
 * (RPC_PPM_ALLOC: rpc_ppm_alloc_args_t, the member ppm_alloc of rpc_args_t;
 * RPC_PROCESS_DESTROY and RPC_PROCESS_RELEASE share rpc_process_args_t).
 * "in" fields are set by the client, "out" fields by the handler; a local
 * pointer ("of the server") is only meaningful in the server cluster.
 */
struct process_s;
struct vmm_s;

#ifdef CONFIG_KTEST
typedef struct rpc_test_echo_args_s {
    uint64_t a;                        /* in: first term */
    uint64_t b;                        /* in: second term */
    uint64_t sum;                      /* out: a + b */
    uint32_t server_cxy;               /* out: the server's cluster */
    uint32_t server_lid;               /* out: the core of the server thread that answered */
} rpc_test_echo_args_t;

typedef struct rpc_test_block_args_s {
    xptr_t   lock;                     /* in: a remote_queuelock the handler takes and releases */
    uint32_t server_cxy;               /* out: the server's cluster */
} rpc_test_block_args_t;

typedef struct rpc_test_multi_args_s {
    uint64_t base;                     /* in: each server writes base + its cxy to results[cxy] */
} rpc_test_multi_args_t;
#endif

typedef struct rpc_thread_create_args_s {
    uint32_t lid;                      /* in: core of the server cluster to run on */
    void   (*entry)(void *);           /* in: the thread's kernel function */
    void    *arg;                      /* in: its argument, passed as is */
    xptr_t   name;                     /* in: the thread's name, a string in the client's memory */
    xptr_t   thread;                   /* out: the new thread, or XPTR_NULL (no memory) */
} rpc_thread_create_args_t;

typedef struct rpc_ppm_alloc_args_s {
    uint32_t order;                    /* in: log2 of the block's page count */
    uint64_t phys;                     /* out: physical address of the block, 0 when none */
} rpc_ppm_alloc_args_t;

typedef struct rpc_ppm_free_args_s {
    uint64_t phys;                     /* in: physical address of a block of the server's PPM */
} rpc_ppm_free_args_t;

typedef struct rpc_kmem_free_args_s {
    void    *ptr;                      /* in: a kmem object of the server (kmem_free_any) */
} rpc_kmem_free_args_t;

typedef struct rpc_process_fork_args_s {
    xptr_t   parent;                   /* in: the parent's reference process_t */
    xptr_t   frame;                    /* in: the parent thread's user trap_frame_t */
    xptr_t   thread;                   /* in: the parent thread: its FPU area (saved), FS
                                          base and signal mask are the child's */
    uint64_t sp;                       /* in: the child's stack pointer, 0 for the parent's */
    int64_t  pid;                      /* out: the child's PID, or -errno */
} rpc_process_fork_args_t;

/* RPC_PROCESS_DESTROY and RPC_PROCESS_RELEASE */
typedef struct rpc_process_args_s {
    struct process_s *process;         /* in: DESTROY: a reaped zombie process_t of the server;
                                          RELEASE: the reference process_t of the server */
} rpc_process_args_t;

typedef struct rpc_vmm_args_s {
    uint32_t      op;                  /* in: the operation (enum vmm_op of vmm.c) */
    struct vmm_s *vmm;                 /* in: the reference vmm_t of the server */
    xptr_t        op_args;             /* in: its vmm_op_args_t, in the client's memory */
    int64_t       rc;                  /* out: the operation's result (an address or -errno) */
} rpc_vmm_args_t;

typedef struct rpc_vmm_sync_args_s {
    uint32_t op;                       /* in: the downgrade (enum vmm_sync of vmm.c) */
    uint64_t min;                      /* in: start of the range, bytes */
    uint64_t max;                      /* in: end of the range (excluded), bytes */
    xptr_t   copies;                   /* in: uint64_t[MAX_CLUSTERS] in the client's memory:
                                          each server's copy (its vmm_t) at index its cxy */
} rpc_vmm_sync_args_t;

typedef struct rpc_thread_user_args_s {
    xptr_t   spec;                     /* in: a thread_spec_t in the client's memory */
    int64_t  rc;                       /* out: the new thread's xptr_t, or -errno */
} rpc_thread_user_args_t;

/*
 * The arguments of a descriptor: the member named after its type, in lower
 * case without RPC_ (none for RPC_NOP; GDB's "archipel rpcq" finds it so).
 */
typedef union rpc_args_u {
#ifdef CONFIG_KTEST
    rpc_test_echo_args_t     test_echo;
    rpc_test_block_args_t    test_block;
    rpc_test_multi_args_t    test_multi;
#endif
    rpc_thread_create_args_t thread_create;
    rpc_ppm_alloc_args_t     ppm_alloc;
    rpc_ppm_free_args_t      ppm_free;
    rpc_process_fork_args_t  process_fork;
    rpc_process_args_t       process_destroy;
    rpc_kmem_free_args_t     kmem_free;
    rpc_vmm_args_t           vmm;
    rpc_vmm_sync_args_t      vmm_sync;
    rpc_thread_user_args_t   thread_user;
    rpc_process_args_t       process_release;
} rpc_args_t;

_Static_assert(sizeof(rpc_args_t) <= 48, "rpc_args_t: the six words of a descriptor's arguments");

typedef struct rpc_desc_s {
    uint32_t          type;            /* rpc_type_t */
    volatile uint32_t responses;       /* replies still expected */
    xptr_t            thread;          /* client thread, woken by the last reply */
    uint64_t          id;              /* unique id (trace) */
    rpc_args_t        args;            /* the member of its type: arguments in, results out */
    xptr_t            results;         /* multicast: uint64_t[MAX_CLUSTERS] by server cxy, or NULL */
} rpc_desc_t;

/*
 * In a handler, the address of the argument @field of the client's
 * descriptor @desc (an xptr_t), e.g. RPC_ARG(desc, ppm_alloc.order): read
 * and write it with the hal_remote_* accessor of the field's width
 * (l32/s32 for 32 bits, l64/s64 or lxp/sxp for 64 bits), never through
 * a plain pointer.
 */
#define RPC_ARG(desc, field) ((desc) + offsetof(rpc_desc_t, args.field))

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

/*
 * Prints the state of cluster @cxy's RPC FIFO (sysrq 'r'): head, tail,
 * requests ever posted, each queued request (type, client cluster, id) and
 * the state of every server thread of its cores. Any thread; takes that
 * FIFO's lock (remote access) while it copies, not while it prints.
 */
void rpc_fifo_dump(uint32_t cxy);

/*
 * Age in TSC cycles of a request posted at @since, seen at @now: 0 when
 * @since is later than @now (the request was posted after @now was read,
 * or on a core whose TSC runs slightly ahead). A plain `now - since` wraps
 * to ~2^64 there: the watchdog once reported "unanswered for 8738113983926
 * ms" (issue 17; ktest rpc.watchdog_posted_after_now).
 */
static inline uint64_t rpc_wait_age(uint64_t now, uint64_t since)
{
    return now > since ? now - since : 0;
}

#endif
