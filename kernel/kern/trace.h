/*
 * trace.h - per-core binary event trace, streamed to the host.
 *
 * Every core appends fixed-size records to its own ring buffer (in its
 * cluster's memory); a drainer on the bootstrap core copies them, in
 * ring order, to the trace channel: the second serial port (COM2, I/O port
 * 0x2f8), which QEMU writes to a file (make run TRACE=1, make trace). The
 * console (COM1) never carries trace records.
 *
 * Stream format (little-endian), decoded by tools/trace:
 *   a sequence of 32-byte trace_rec_t; the first is a TRACE_HEADER record,
 *   then TRACE_NAME records naming the RPC types, then events in the order
 *   each core recorded them (cores are interleaved: sort by tsc).
 *
 * Turned on by the kernel command-line option trace=1; when off, a
 * trace point costs one predictable branch.
 */
#ifndef _TRACE_H_
#define _TRACE_H_

#include <stdint.h>
#include <stdbool.h>

typedef struct trace_rec_s {
    uint64_t tsc;       /* TSC of the recording core when the event happened */
    uint16_t cxy;       /* recording core's cluster */
    uint16_t lid;       /* recording core's local index */
    uint16_t event;     /* TRACE_* */
    uint16_t aux;       /* event-specific 16 bits (see below) */
    uint64_t arg0;      /* event-specific */
    uint64_t arg1;      /* event-specific */
} trace_rec_t;

_Static_assert(sizeof(trace_rec_t) == 32, "trace_rec_t is 32 bytes on the wire");

/* Event numbers and their arguments. An RPC id is unique in a boot:
 * (client cxy << 48) | (client lid << 40) | per-core sequence number. */
enum trace_event {
    TRACE_HEADER    = 0,  /* tsc = TSC frequency (Hz); arg0 = TRACE_MAGIC;
                             arg1 = nclusters | ncores << 16 | version << 32; aux = 0 */
    TRACE_NAME      = 1,  /* aux = RPC type; arg0, arg1 = its name, 16 bytes, NUL-padded */
    TRACE_RPC_SEND  = 2,  /* client core; arg0 = RPC id; arg1 = server cxy; aux = RPC type */
    TRACE_RPC_START = 3,  /* server core; arg0 = RPC id; arg1 = client cxy; aux = RPC type */
    TRACE_RPC_END   = 4,  /* server core; arg0 = RPC id; arg1 = client cxy; aux = RPC type */
    TRACE_RPC_REPLY = 5,  /* client core, reply received; arg0 = RPC id; arg1 = server cxy;
                             aux = RPC type */
    TRACE_IPI_SEND  = 6,  /* sender; arg0 = target cxy << 16 | target lid; aux = vector */
    TRACE_IPI_RECV  = 7,  /* receiver; arg0 = 0; aux = vector; arg1 = 0 when recorded
                             as the handler starts, or the cycles the handler took when
                             recorded as it ends (VEC_SHOOTDOWN: the flush and the ack) */
    TRACE_LOST      = 8,  /* drainer: arg0 = records this core dropped (ring full) so far */
    TRACE_SHOOTDOWN = 9,  /* initiator, acknowledgements received: aux = target cores;
                             arg0 = bitmap of the targets' gids (first 64);
                             arg1 = cycles from the first IPI to the last ack */
    /* ---- the VM and process events (pid = the process's PID) ---- */
    TRACE_FAULT     = 10, /* faulting core, once the fault is handled: aux = TRACE_FAULT_*
                             | TRACE_FAULT_WRITE if a write; arg0 = vpn;
                             arg1 = pid | cycles spent handling it << 32 (saturated) */
    TRACE_FORK      = 11, /* parent's core, child running: arg0 = parent's pid;
                             arg1 = child's pid | child's owner cxy << 32 */
    TRACE_EXEC      = 12, /* exec'ing core, new image built: arg0 = pid;
                             arg1 = the first 8 bytes of the program's basename, NUL-padded */
    TRACE_EXIT      = 13, /* exiting thread's core: aux = 1 if it was the process's last
                             thread (the process ends), else 0; arg0 = pid;
                             arg1 = tid | Linux wait status << 32 */
    TRACE_THREAD    = 14, /* creating core, thread started: arg0 = pid;
                             arg1 = tid | new thread's cxy << 32 | its lid << 48 */
    TRACE_COPY      = 15, /* a core of the copy's cluster: aux = 1 copy created, 0 torn
                             down; arg0 = pid; arg1 = reference cluster. Only the copies
                             outside the reference cluster (the reference lives and dies
                             with the process: FORK and EXIT) */
    TRACE_SIGNAL    = 16, /* sender's core, signal recorded: aux = signal;
                             arg0 = sender pid | sender cxy << 48;
                             arg1 = target pid (kill) or tid (tgkill) | target cxy << 48 */
    TRACE_EVENTS
};

/* TRACE_FAULT kinds (aux & 0xff): ARCHITECTURE.md's fault classes */
enum trace_fault_kind {
    TRACE_FAULT_LOCAL  = 0,   /* a page allocated (or filled from its file) for this fault */
    TRACE_FAULT_GLOBAL = 1,   /* the PTE copied from the reference GPT into this copy */
    TRACE_FAULT_FALSE  = 2,   /* already allowed: another thread won, or a stale TLB entry */
    TRACE_FAULT_COW    = 3,   /* copy-on-write resolved (copied or reused) */
    TRACE_FAULT_BAD    = 4,   /* not resolved: bad address or access (SIGSEGV), or no memory */
};
#define TRACE_FAULT_WRITE 0x100

#define TRACE_MAGIC   0x3143525448435241ull   /* "ARCHTRC1" read as a little-endian u64 */
#define TRACE_VERSION 1

/* Is tracing on? (read-mostly, set at boot) */
extern bool trace_enabled;

/*
 * Allocates the calling core's ring buffer in its cluster (when tracing is
 * on). Every core, once, at boot.
 */
void trace_core_init(void);

/*
 * Appends an event to the calling core's ring; drops it (and counts the
 * loss) when the ring is full. Any context; interrupts are masked for the
 * few instructions of the append.
 */
void trace_record(uint16_t event, uint16_t aux, uint64_t arg0, uint64_t arg1);

/*
 * A trace point. A macro, not a function, so that its arguments are only
 * evaluated when tracing is on: off, it costs one predictable branch even
 * when an argument reads remote memory or packs a string.
 */
#define trace(event, aux, arg0, arg1)                                   \
    do {                                                                \
        if (__builtin_expect(trace_enabled, 0))                         \
            trace_record((event), (aux), (arg0), (arg1));               \
    } while (0)

/*
 * Sends the header and RPC type names (once), then every record waiting in
 * every core's ring, to the trace channel. Runs on the bootstrap core (the
 * idle loop), with interrupts off and the drainer flag taken, so that no
 * two drainers interleave their bytes on the channel.
 */
void trace_drain(void);

/*
 * The last drain before the machine powers off: like trace_drain(), but
 * from any core (it waits for a drainer in progress on the bootstrap
 * core to finish).
 */
void trace_drain_final(void);

/* Packs the first 8 bytes of @name, NUL-padded, into a u64 (TRACE_EXEC). */
uint64_t trace_pack_name(const char *name);

#endif
