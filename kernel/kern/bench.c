/*
 * bench.c - RPC and IPI round-trip benchmarks (see bench.h).
 */
#include "bench.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "rpc.h"
#include "ipi.h"
#include "apic.h"
#include "trap.h"
#include "trace.h"
#include "kcm.h"
#include "printk.h"
#include "kstring.h"

#define BENCH_ROUNDS       10000
#define BENCH_TRACE_ROUNDS 1000      /* trace on/off: fits the trace rings without drops */

static core_t *volatile ping_from;   /* who sent the current ping */
static volatile uint64_t pongs;

void bench_ping_ipi_handler(void)
{
    lapic_send_ipi(ping_from->apic_id, VEC_PONG);
}

void bench_pong_ipi_handler(void)
{
    pongs++;
}

/* Moves v[root] down the max-heap v[0..n) to its place. */
static void sift_down(uint64_t *v, uint32_t root, uint32_t n)
{
    while (2 * root + 1 < n) {
        uint32_t child = 2 * root + 1;
        uint64_t x;

        if (child + 1 < n && v[child] < v[child + 1])
            child++;
        if (v[root] >= v[child])
            return;
        x = v[root]; v[root] = v[child]; v[child] = x;
        root = child;
    }
}

/* Heap sort, ascending: O(n log n) for the 10,000 samples. */
static void sort_u64(uint64_t *v, uint32_t n)
{
    for (uint32_t start = n / 2; start-- > 0; )
        sift_down(v, start, n);
    for (uint32_t end = n; end-- > 1; ) {
        uint64_t x = v[0]; v[0] = v[end]; v[end] = x;
        sift_down(v, 0, end);
    }
}

/* Prints median and p99 (nearest rank) of @n samples; returns the median. */
static uint64_t bench_report(const char *name, uint64_t *v, uint32_t n)
{
    uint64_t med, p99;

    sort_u64(v, n);
    med = v[(n - 1) / 2];
    p99 = v[(99 * n + 99) / 100 - 1];
    printk("bench: %s n=%u median=%lu p99=%lu cycles", name, n, med, p99);
    return med;
}

static uint64_t bench_ipi(const char *name, core_t *target, uint64_t *v, uint32_t n)
{
    ping_from = core_self();
    for (uint32_t i = 0; i < n; i++) {
        uint64_t before = pongs, t0 = rdtsc();
        lapic_send_ipi(target->apic_id, VEC_PING);
        while (pongs == before)
            cpu_pause();
        v[i] = rdtsc() - t0;
    }
    return bench_report(name, v, n);
}

static uint64_t bench_rpc(const char *name, uint32_t cxy, uint64_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        rpc_desc_t d = { .type = RPC_NOP };
        uint64_t t0 = rdtsc();
        rpc_send(cxy, &d);
        v[i] = rdtsc() - t0;
    }
    return bench_report(name, v, n);
}

/* The cluster nearest to (or farthest from) @from, other than itself. */
static uint32_t cluster_by_distance(uint32_t from, bool farthest)
{
    uint32_t best = from;

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        uint32_t d = boot_info.topo.distance[from][c];
        if (c == from)
            continue;
        if (best == from || (farthest ? d > boot_info.topo.distance[from][best]
                                      : d < boot_info.topo.distance[from][best]))
            best = c;
    }
    return best;
}

static void bench_ratio(const char *name, uint64_t num, uint64_t den)
{
    printk("bench: ratio %s = %lu.%02lu", name, num / den, (num * 100 / den) % 100);
}

/* Round trip with tracing on and off, alternating blocks of 100, same target. */
static void bench_trace_overhead(uint32_t cxy, uint64_t *v)
{
    uint64_t *on = v, *off = v + BENCH_TRACE_ROUNDS;
    uint32_t non = 0, noff = 0;
    bool was = trace_enabled;

    for (uint32_t block = 0; block < 2 * BENCH_TRACE_ROUNDS / 100; block++) {
        trace_enabled = block & 1;
        for (uint32_t i = 0; i < 100; i++) {
            rpc_desc_t d = { .type = RPC_NOP };
            uint64_t t0 = rdtsc();
            rpc_send(cxy, &d);
            if (block & 1)
                on[non++] = rdtsc() - t0;
            else
                off[noff++] = rdtsc() - t0;
        }
    }
    trace_enabled = was;
    uint64_t m_off = bench_report("rpc_neighbour_trace_off", off, noff);
    uint64_t m_on = bench_report("rpc_neighbour_trace_on", on, non);
    bench_ratio("trace_on/trace_off", m_on, m_off);
}

void bench_run(const char *what)
{
    core_t *me = core_self();
    uint32_t here = me->cxy;
    uint64_t *v = kmem_alloc(BENCH_ROUNDS * sizeof(uint64_t));
    uint64_t ipi_same = 0, ipi_near = 0, ipi_far = 0, rpc_same, rpc_near = 0, rpc_far = 0;
    uint32_t near = cluster_by_distance(here, false), far = cluster_by_distance(here, true);

    if (strcmp(what, "rpc") != 0) {
        pr_warn("bench=%s: unknown benchmark (known: rpc)", what);
        return;
    }
    if (v == NULL) {
        pr_warn("bench: no memory for the samples");
        return;
    }
    printk("bench: rpc from cluster %u: neighbour %u (distance %u), farthest %u (distance %u), "
           "TSC %lu MHz", here, near, boot_info.topo.distance[here][near], far,
           boot_info.topo.distance[here][far], boot_info.tsc_hz / 1000000);
    if (me->cluster->ncores > 1)
        ipi_same = bench_ipi("ipi_same_cluster", &me->cluster->core[(me->lid + 1) %
                             me->cluster->ncores], v, BENCH_ROUNDS);
    if (near != here) {
        ipi_near = bench_ipi("ipi_neighbour", &cluster_tbl[near]->core[0], v, BENCH_ROUNDS);
        ipi_far = bench_ipi("ipi_farthest", &cluster_tbl[far]->core[0], v, BENCH_ROUNDS);
    }
    rpc_same = bench_rpc("rpc_same_cluster", here, v, BENCH_ROUNDS);
    if (near != here) {
        rpc_near = bench_rpc("rpc_neighbour", near, v, BENCH_ROUNDS);
        rpc_far = bench_rpc("rpc_farthest", far, v, BENCH_ROUNDS);
    }
    if (ipi_same)
        bench_ratio("rpc_same_cluster/ipi_same_cluster", rpc_same, ipi_same);
    if (ipi_near) {
        bench_ratio("rpc_neighbour/ipi_neighbour", rpc_near, ipi_near);
        bench_ratio("rpc_farthest/ipi_farthest", rpc_far, ipi_far);
    }
    bench_trace_overhead(near != here ? near : here, v);
    kmem_free(v);
}
