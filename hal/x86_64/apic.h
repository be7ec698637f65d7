/*
 * apic.h - local APIC (xAPIC, memory mapped) and the legacy timers used to
 * calibrate it. Register offsets and ICR format: Intel SDM Vol. 3A, 11.4
 * (local APIC registers), 11.5.4 (APIC timer), 11.6.1 (ICR). PIT: Intel
 * 8254 data sheet, channel 2 gated through port 0x61.
 */
#ifndef _APIC_H_
#define _APIC_H_

#include <stdint.h>

/* Remaps and masks the legacy 8259 PICs (bootstrap core, once). */
void pic_disable(void);

/* Records the LAPIC MMIO address (from the MADT) for every core. */
void lapic_set_base(uint64_t phys);

/* Enables the calling core's LAPIC (software enable, spurious vector). */
void lapic_init(void);

/* The calling core's LAPIC ID (bits 31:24 of the ID register). */
uint32_t lapic_id(void);

/* Signals end of interrupt to the calling core's LAPIC. */
void lapic_eoi(void);

/*
 * Measures, with PIT channel 2 over 10 ms, the TSC frequency (Hz) and the
 * LAPIC timer counts per ms at divide-by-16. Bootstrap core, once, with
 * interrupts off.
 */
void lapic_calibrate(uint64_t *tsc_hz, uint32_t *lapic_ticks_per_ms);

/* Starts the calling core's periodic LAPIC timer on VEC_TIMER. @period_us: microseconds. */
void lapic_timer_start(uint32_t period_us, uint32_t ticks_per_ms);

/* Sends fixed interrupt @vector to the core with APIC ID @apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);

/* Sends fixed interrupt @vector to every core but the caller. */
void lapic_send_ipi_others(uint8_t vector);

/* Sends an NMI to every core but the caller (panic: stop them). */
void lapic_send_nmi_others(void);

/*
 * Sends an NMI to the core of local APIC ID @apic_id (ICR delivery mode
 * 100b, SDM Vol. 3A 11.6.1): it is taken even with interrupts disabled.
 * Used to fetch a stuck core's backtrace (kernel/kern/lockup.h).
 */
void lapic_send_nmi(uint32_t apic_id);

/* Sends INIT, then start-up with @vector (= trampoline page number), to @apic_id. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t vector);

/* Busy-waits @us microseconds on the TSC (after lapic_calibrate()). */
void udelay(uint64_t us);

#endif
