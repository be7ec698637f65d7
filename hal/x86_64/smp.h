/*
 * smp.h - starting application processors (INIT-SIPI-SIPI).
 *
 * Sequence: Intel SDM Vol. 3A, 9.4.4.1 ("Typical BSP Initialization
 * Sequence"): INIT IPI, wait 10 ms, start-up IPI, wait 200 us, and a second
 * start-up IPI only if the core has not started. Each cluster has its own
 * trampoline page (TRAMPOLINE_PHYS + cxy * TRAMPOLINE_STRIDE), so the
 * clusters' first cores can start their local cores at the same time, and
 * right after it the early stack page of the cluster's first core.
 */
#ifndef _SMP_H_
#define _SMP_H_

#include <stdint.h>

/* Copies the trampoline to the page of cluster @cxy (smp_start_core does, before each start). */
void smp_trampoline_install(uint32_t cxy);

/* Physical address of cluster @cxy's trampoline page. */
uint64_t smp_trampoline_phys(uint32_t cxy);

/*
 * Top (virtual, direct map) of the early stack of cluster @cxy's first
 * core: the 4 KiB page after its trampoline, usable until that core runs on
 * its own stack.
 */
uint64_t smp_early_stack_top(uint32_t cxy);

/*
 * Starts the core @apic_id through cluster @tramp_cxy's trampoline: it will
 * run @entry(@arg) on the stack ending at @stack_top (virtual), in long
 * mode with the kernel page tables, interrupts off.
 * Runs on a core whose LAPIC is enabled; the caller must not reuse the same
 * trampoline page until the started core has signalled it left it
 * (entry's first act).
 * @return 0 when the core ran the trampoline's first instruction, or
 *         -ETIMEDOUT when it did not answer within 100 ms.
 */
int smp_start_core(uint32_t tramp_cxy, uint32_t apic_id, void (*entry)(void *),
                   void *arg, uint64_t stack_top);

#endif
