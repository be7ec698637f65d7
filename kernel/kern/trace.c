/*
 * trace.c - per-core trace rings and their drain to COM2 (see trace.h).
 *
 * Each ring has one producer (its core, interrupts masked while appending)
 * and one consumer (the drainer on the bootstrap core): head and tail are
 * free-running counters published with release/acquire ordering.
 */
#include "trace.h"
#include "cluster.h"
#include "boot_info.h"
#include "rpc.h"
#include "serial.h"
#include "ppm.h"
#include "printk.h"
#include "kstring.h"
#include "sched.h"

static void trace_drain_locked(void);

#define TRACE_RING_ORDER 6                    /* 2^6 pages = 256 KiB = 8192 records per core */
#define TRACE_RING_RECS  ((PAGE_SIZE << TRACE_RING_ORDER) / sizeof(trace_rec_t))

bool trace_enabled;
static bool trace_header_sent;

void trace_core_init(void)
{
    core_t *core = core_self();
    page_t *p;

    if (!trace_enabled && boot_info.opt_bench == NULL)
        return;                        /* bench=... measures the cost of tracing: rings needed */
    p = ppm_alloc_pages(TRACE_RING_ORDER);
    if (p == NULL) {
        pr_warn("trace: no memory for the ring of core %u.%u: its events are lost",
                core->cxy, core->lid);
        return;
    }
    core->trace_ring = ppm_page_to_virt(p);
}

void trace_record(uint16_t event, uint16_t aux, uint64_t arg0, uint64_t arg1)
{
    core_t *core = core_self();
    trace_rec_t *ring = core->trace_ring;
    uint64_t flags, tail;

    if (ring == NULL)
        return;
    flags = irq_save();
    tail = core->trace_tail;
    if (tail - __atomic_load_n(&core->trace_head, __ATOMIC_ACQUIRE) >= TRACE_RING_RECS) {
        core->trace_lost++;
    } else {
        trace_rec_t *r = &ring[tail % TRACE_RING_RECS];
        r->tsc   = rdtsc();
        r->cxy   = (uint16_t)core->cxy;
        r->lid   = (uint16_t)core->lid;
        r->event = event;
        r->aux   = aux;
        r->arg0  = arg0;
        r->arg1  = arg1;
        __atomic_store_n(&core->trace_tail, tail + 1, __ATOMIC_RELEASE);
    }
    irq_restore(flags);
}

static void trace_emit(const trace_rec_t *r)
{
    serial_trace_write(r, sizeof(*r));
}

static void trace_send_header(void)
{
    trace_rec_t r;

    memset(&r, 0, sizeof(r));
    r.event = TRACE_HEADER;
    r.tsc   = boot_info.tsc_hz;
    r.arg0  = TRACE_MAGIC;
    r.arg1  = boot_info.topo.nclusters | ((uint64_t)boot_info.topo.ncores << 16) |
              ((uint64_t)TRACE_VERSION << 32);
    trace_emit(&r);
    for (uint32_t t = 0; t < RPC_TYPES; t++) {
        char name[16];

        memset(&r, 0, sizeof(r));
        memset(name, 0, sizeof(name));
        snprintf(name, sizeof(name), "%s", rpc_table[t].name);
        r.event = TRACE_NAME;
        r.aux   = (uint16_t)t;
        memcpy(&r.arg0, name, 8);
        memcpy(&r.arg1, name + 8, 8);
        trace_emit(&r);
    }
    trace_header_sent = true;
}

/*
 * One drainer at a time: the bootstrap core's idle loop, or the core that
 * powers the machine off. Interrupts stay off for the whole drain, so no
 * other thread of the draining core can interleave its bytes either.
 */
static volatile uint32_t trace_draining;

static bool trace_drain_try(void)
{
    return __atomic_exchange_n(&trace_draining, 1, __ATOMIC_ACQUIRE) == 0;
}

void trace_drain(void)
{
    uint64_t flags;

    if (!trace_enabled)
        return;
    flags = irq_save();
    if (trace_drain_try()) {
        trace_drain_locked();
        __atomic_store_n(&trace_draining, 0, __ATOMIC_RELEASE);
    }
    irq_restore(flags);
}

void trace_drain_final(void)
{
    if (!trace_enabled)
        return;
    irq_disable();
    while (!trace_drain_try())
        cpu_pause();
    trace_drain_locked();       /* keeps the flag: nothing may drain after this one */
}

uint64_t trace_pack_name(const char *name)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < 8 && name[i]; i++)
        v |= (uint64_t)(uint8_t)name[i] << (8 * i);
    return v;
}

static void trace_drain_locked(void)
{
    if (!trace_header_sent)
        trace_send_header();
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];

        for (uint32_t l = 0; l < cl->ncores; l++) {
            core_t *core = &cl->core[l];
            uint64_t head = core->trace_head;
            uint64_t tail = __atomic_load_n(&core->trace_tail, __ATOMIC_ACQUIRE);

            if (core->trace_ring == NULL)
                continue;
            for (; head != tail; head++)
                trace_emit(&core->trace_ring[head % TRACE_RING_RECS]);
            __atomic_store_n(&core->trace_head, head, __ATOMIC_RELEASE);
            if (core->trace_lost != core->trace_lost_sent) {
                trace_rec_t r = { rdtsc(), (uint16_t)c, (uint16_t)l, TRACE_LOST, 0,
                                  core->trace_lost, 0 };
                core->trace_lost_sent = core->trace_lost;
                trace_emit(&r);
            }
        }
    }
}
