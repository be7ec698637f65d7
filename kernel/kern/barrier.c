/*
 * barrier.c - hierarchical sense-reversing kernel barrier (see barrier.h).
 */
#include "barrier.h"
#include "cluster.h"
#include "boot_info.h"
#include "apic.h"
#include "trap.h"
#include "cpu.h"

/* Top level: one arrival per cluster. Lives in the kernel image's cluster. */
static struct {
    volatile uint32_t count;
    volatile uint32_t sense;
} top_barrier;

/* Halts until *@word == @value; a wake IPI or a timer tick re-checks. */
static void barrier_wait_for(volatile uint32_t *word, uint32_t value)
{
    uint64_t flags = irq_save();

    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != value) {
        cpu_sti_hlt();
        irq_disable();
    }
    irq_restore(flags);
}

void kernel_barrier(void)
{
    core_t *core = core_self();
    cluster_t *cl = core->cluster;
    uint32_t sense = !core->barrier_sense;

    core->barrier_sense = sense;
    if (__atomic_add_fetch(&cl->barrier.count, 1, __ATOMIC_ACQ_REL) == cl->ncores) {
        /* last of the cluster: represent it at the top level */
        cl->barrier.count = 0;
        if (__atomic_add_fetch(&top_barrier.count, 1, __ATOMIC_ACQ_REL) ==
            boot_info.topo.nclusters) {
            top_barrier.count = 0;
            __atomic_store_n(&top_barrier.sense, sense, __ATOMIC_RELEASE);
            lapic_send_ipi_others(VEC_WAKE);
        } else {
            barrier_wait_for(&top_barrier.sense, sense);
        }
        __atomic_store_n(&cl->barrier.sense, sense, __ATOMIC_RELEASE);
        for (uint32_t l = 0; l < cl->ncores; l++)
            if (&cl->core[l] != core)
                lapic_send_ipi(cl->core[l].apic_id, VEC_WAKE);
    } else {
        barrier_wait_for(&cl->barrier.sense, sense);
    }
}
