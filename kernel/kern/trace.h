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
    TRACE_IPI_RECV  = 7,  /* receiver; arg0 = 0; aux = vector */
    TRACE_LOST      = 8,  /* drainer: arg0 = records this core dropped (ring full) so far */
    TRACE_SHOOTDOWN = 9,  /* initiator, acknowledgements received: aux = target cores;
                             arg0 = bitmap of the targets' gids (first 64);
                             arg1 = cycles from the first IPI to the last ack */
    TRACE_EVENTS
};

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

static inline void trace(uint16_t event, uint16_t aux, uint64_t arg0, uint64_t arg1)
{
    if (__builtin_expect(trace_enabled, 0))
        trace_record(event, aux, arg0, arg1);
}

/*
 * Sends the header and RPC type names (once), then every record waiting in
 * every core's ring, to the trace channel. Runs on the bootstrap core only
 * (the single consumer of all rings), with interrupts off, so that two
 * threads of that core never interleave their bytes on the channel.
 */
void trace_drain(void);

#endif
