/*
 * hal_cpu.h - bringing one core to its running state.
 */
#ifndef _HAL_CPU_H_
#define _HAL_CPU_H_

#include "hal_core.h"

/*
 * Sets up the calling core with @percpu as its identity: GS base ->
 * @percpu, its per-core area (the kernel's core_t, laid out as hal_core.h
 * says), the core's own GDT and TSS in @arch (IST1 = @arch->ist_top, its
 * NMI / double fault stack, which the caller has set), the shared IDT.
 * Runs on the core itself, with interrupts disabled.
 */
void hal_cpu_init(void *percpu, hal_core_arch_t *arch);

/*
 * Ends the QEMU run with @status (0..127) through the isa-debug-exit device
 * (port 0xf4: QEMU exits with (status << 1) | 1), falling back to the
 * PIIX4 ACPI power-off (port 0x604) and then to halting. Never returns.
 */
void hal_poweroff(uint32_t status) __attribute__((noreturn));

/* Halts the calling core for good, interrupts off. */
void hal_halt_forever(void) __attribute__((noreturn));

#endif
