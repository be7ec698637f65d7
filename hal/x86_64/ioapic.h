/*
 * ioapic.h - the I/O APIC: routing one external interrupt (a GSI) to a
 * vector of one core.
 *
 * Register layout: Intel 82093AA I/O Advanced Programmable Interrupt
 * Controller (IOAPIC) datasheet, 3.0 (IOREGSEL at +0x00, IOWIN at +0x10;
 * IOAPICVER 0x01; the redirection table at 0x10 + 2 * n, 3.2.4). QEMU's
 * ioapic emulates it. The GSI of an ISA IRQ and its polarity and trigger
 * come from the MADT's interrupt source overrides (acpi.h, isa_gsi[] and
 * isa_flags[]). Only the first I/O APIC is used (QEMU has one).
 */
#ifndef _IOAPIC_H_
#define _IOAPIC_H_

#include <stdint.h>
#include <stdbool.h>

/*
 * Records the first I/O APIC (@phys: its MMIO base, mapped uncached by the
 * caller; @gsi_base: its first GSI) and masks every redirection entry.
 * Bootstrap core, once, before any ioapic_route(). @phys 0: no I/O APIC,
 * every later ioapic_route() fails.
 */
void ioapic_init(uint64_t phys, uint32_t gsi_base);

/*
 * Routes GSI @gsi to @vector (32-254) of the core with APIC ID @apic_id
 * (physical destination, 8 bits), fixed delivery, and unmasks it.
 * @mps_flags: the MPS INTI flags of the MADT override (0: ISA defaults,
 * edge triggered, active high). No lock: one writer per GSI (the
 * bootstrap core at boot). @return true, or false (no I/O APIC, @gsi
 * outside its redirection table, @apic_id above 255).
 */
bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t mps_flags);

#endif
