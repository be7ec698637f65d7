/*
 * smp_ktest.c - self-tests of the booted cores (ktest=smp): every MADT CPU
 * online, dense global indexes, timer ticks, interrupts on in the main threads.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "apic.h"
#include "cpu.h"

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
