/*
 * boot_ktest.c - self-tests of the booted machine (ktest=smp,barrier,topology).
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "barrier.h"
#include "apic.h"
#include "cpu.h"
#include "paging.h"

static core_t *core_of(uint32_t cxy, uint32_t lid)
{
    return &cluster_tbl[cxy]->core[lid];
}

/* Every processor the MADT lists is online and read its own APIC ID as expected. */
static void smp_every_madt_cpu_online(ktest_t *t)
{
    const acpi_info_t *acpi = &boot_info.acpi;

    for (uint32_t i = 0; i < acpi->ncpus; i++) {
        uint32_t cxy, lid;
        core_t *core;

        if (topo_find_apic(&boot_info.topo, acpi->cpu[i].apic_id, &cxy, &lid)) {
            ktest_fail(t, "APIC ID %u of the MADT is in no cluster", acpi->cpu[i].apic_id);
            continue;
        }
        core = core_of(cxy, lid);
        KTEST_EXPECT(t, core->online, "core %u.%u (APIC ID %u)", cxy, lid, core->apic_id);
        KTEST_EXPECT(t, core->apic_id_seen == acpi->cpu[i].apic_id,
                     "core %u.%u read APIC ID %u, MADT says %u", cxy, lid, core->apic_id_seen,
                     acpi->cpu[i].apic_id);
    }
    KTEST_EXPECT(t, acpi->ncpus == boot_info.topo.ncores, "MADT %u cpus, topology %u cores",
                 acpi->ncpus, boot_info.topo.ncores);
}

/* Global core indexes are dense and each names the right core. */
static void smp_gid_dense(ktest_t *t)
{
    uint32_t gid = 0;

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        for (uint32_t l = 0; l < cluster_tbl[c]->ncores; l++, gid++) {
            core_t *core = core_of(c, l);
            KTEST_EXPECT(t, core->gid == gid && core->cxy == c && core->lid == l &&
                         core->magic == CORE_MAGIC, "core %u.%u has gid %u, expected %u",
                         c, l, core->gid, gid);
        }
}

/* The calling core's LAPIC timer interrupts keep coming. */
static void smp_timer_ticks(ktest_t *t)
{
    core_t *core = core_self();
    uint64_t start = core->ticks;
    uint64_t deadline = rdtsc() + boot_info.tsc_hz;          /* 1 s */
    uint64_t flags = irq_save();

    while (core->ticks < start + 2 && rdtsc() < deadline) {
        cpu_sti_hlt();
        irq_disable();
    }
    irq_restore(flags);
    KTEST_EXPECT(t, core->ticks >= start + 2, "core %u.%u: %lu ticks in 1 s", core->cxy,
                 core->lid, core->ticks - start);
}

/*
 * Regression (bsp_check_timers returned with interrupts off, so the
 * bootstrap core's main thread ran the rest of the boot unpreemptible and
 * deaf to IPIs; the IPI benchmark waited forever for its answer): every
 * core's main thread runs the self-tests with interrupts enabled.
 */
static void smp_main_thread_interruptible(ktest_t *t)
{
    core_t *core = core_self();

    KTEST_EXPECT(t, read_rflags() & RFLAGS_IF, "core %u.%u runs its main thread with "
                 "interrupts off", core->cxy, core->lid);
}

static const ktest_case_t smp_cases[] = {
    { "main_thread_interruptible", KTEST_ON_CORES, smp_main_thread_interruptible },
    { "every_madt_cpu_online", KTEST_ON_BSP,   smp_every_madt_cpu_online },
    { "gid_dense",             KTEST_ON_BSP,   smp_gid_dense },
    { "timer_ticks",           KTEST_ON_CORES, smp_timer_ticks },
};
static const ktest_suite_t smp_suite = { "smp", KTEST_CASES(smp_cases) };
KTEST_SUITE(smp_suite);

/* One slot per core: the round it last reached. */
static volatile uint32_t barrier_slot[MAX_CLUSTERS * MAX_CORES_PER_CLUSTER];

/*
 * In each round every core writes its slot, passes the barrier, and checks
 * that every core has written this round: a core let through early sees a
 * stale slot. Cores arrive with different delays.
 */
static void barrier_rounds(ktest_t *t)
{
    core_t *core = core_self();
    uint32_t ncores = boot_info.topo.ncores, stale = 0;

    for (uint32_t r = 1; r <= 100; r++) {
        udelay((core->gid * 37 + r * 11) % 50);
        barrier_slot[core->gid] = r;
        kernel_barrier();
        for (uint32_t g = 0; g < ncores; g++)
            if (barrier_slot[g] != r)
                stale++;
        kernel_barrier();
    }
    KTEST_EXPECT(t, stale == 0, "core %u.%u saw %u stale slots", core->cxy, core->lid, stale);
}

static const ktest_case_t barrier_cases[] = {
    { "rounds", KTEST_ON_CORES, barrier_rounds },
};
static const ktest_suite_t barrier_suite = { "barrier", KTEST_CASES(barrier_cases) };
KTEST_SUITE(barrier_suite);

/* Distances: 10 to itself, symmetric, farther than 10 to any other cluster. */
static void topology_slit_matrix(ktest_t *t)
{
    const topology_t *tp = &boot_info.topo;

    for (uint32_t a = 0; a < tp->nclusters; a++)
        for (uint32_t b = 0; b < tp->nclusters; b++) {
            uint32_t d = tp->distance[a][b];
            KTEST_EXPECT(t, a == b ? d == 10 : d > 10, "distance %u -> %u is %u", a, b, d);
            KTEST_EXPECT(t, d == tp->distance[b][a], "distance %u <-> %u not symmetric", a, b);
        }
}

/* Clusters are numbered densely in increasing proximity-domain order. */
static void topology_domains_increasing(ktest_t *t)
{
    const topology_t *tp = &boot_info.topo;

    for (uint32_t c = 0; c < tp->nclusters; c++) {
        KTEST_EXPECT(t, cluster_tbl[c] && cluster_tbl[c]->cxy == c &&
                     cluster_tbl[c]->magic == CLUSTER_MAGIC, "cluster %u", c);
        KTEST_EXPECT(t, c == 0 || tp->cluster[c].domain > tp->cluster[c - 1].domain,
                     "cluster %u domain %u after domain %u", c, tp->cluster[c].domain,
                     c ? tp->cluster[c - 1].domain : 0);
    }
}

/* Each core's stack lives in its own cluster's memory (invariant 1). */
static void topology_stacks_local(ktest_t *t)
{
    core_t *core = core_self();
    uint64_t top = virt_to_phys((void *)core->stack_top) - 1;

    KTEST_EXPECT(t, topo_cluster_contains(&boot_info.topo, core->cxy, top, top + 1),
                 "core %u.%u: stack at 0x%lx", core->cxy, core->lid, top);
}

/*
 * Regression (cluster_bringup allocated through a NULL cluster pointer and
 * read a lock at address 0x38 without faulting, because the boot identity
 * map covered page 0): page 0 is unmapped at both of its addresses, its
 * neighbour is not.
 */
static void topology_null_page_unmapped(ktest_t *t)
{
    KTEST_EXPECT(t, !paging_is_mapped(0x38), "virtual page 0 is mapped");
    KTEST_EXPECT(t, !paging_is_mapped(DIRECT_MAP_BASE + 0x38), "direct map of page 0 is mapped");
    KTEST_EXPECT(t, paging_is_mapped(DIRECT_MAP_BASE + PAGE_SIZE), "direct map of page 1 is not");
    KTEST_EXPECT(t, paging_is_mapped((uint64_t)cluster_tbl[0]), "cluster 0's cluster_t is not");
}

static const ktest_case_t topology_cases[] = {
    { "slit_matrix",         KTEST_ON_BSP,   topology_slit_matrix },
    { "domains_increasing",  KTEST_ON_BSP,   topology_domains_increasing },
    { "stacks_local",        KTEST_ON_CORES, topology_stacks_local },
    { "null_page_unmapped",  KTEST_ON_CORES, topology_null_page_unmapped },
};
static const ktest_suite_t topology_suite = { "topology", KTEST_CASES(topology_cases) };
KTEST_SUITE(topology_suite);
