/*
 * ioapic.c - the I/O APIC (see ioapic.h; Intel 82093AA datasheet, 3.0).
 */
#include "ioapic.h"
#include <stddef.h>
#include "cpu.h"

#define IOAPIC_REGSEL   0x00     /* register select (3.1.1) */
#define IOAPIC_WIN      0x10     /* register data window (3.1.2) */
#define IOAPIC_VER      0x01     /* bits 23:16: index of the last redirection entry */
#define IOAPIC_REDTBL   0x10     /* entry n: low dword 0x10 + 2n, high 0x11 + 2n */

#define RTE_MASKED      (1u << 16)
#define RTE_LEVEL       (1u << 15)   /* trigger mode: 1 level, 0 edge */
#define RTE_ACTIVE_LOW  (1u << 13)   /* pin polarity: 1 low, 0 high */

static volatile uint8_t *ioapic_base;
static uint32_t ioapic_gsi_base;
static uint32_t ioapic_entries;

static uint32_t ioapic_read(uint32_t reg)
{
    *(volatile uint32_t *)(ioapic_base + IOAPIC_REGSEL) = reg;
    return *(volatile uint32_t *)(ioapic_base + IOAPIC_WIN);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(ioapic_base + IOAPIC_REGSEL) = reg;
    *(volatile uint32_t *)(ioapic_base + IOAPIC_WIN) = v;
}

void ioapic_init(uint64_t phys, uint32_t gsi_base)
{
    if (phys == 0)
        return;
    ioapic_base = phys_to_virt(phys);
    ioapic_gsi_base = gsi_base;
    ioapic_entries = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    for (uint32_t i = 0; i < ioapic_entries; i++)
        ioapic_write(IOAPIC_REDTBL + 2 * i, RTE_MASKED);
}

bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t mps_flags)
{
    uint32_t pin, lo;

    if (ioapic_base == NULL || gsi < ioapic_gsi_base || apic_id > 255)
        return false;
    pin = gsi - ioapic_gsi_base;
    if (pin >= ioapic_entries)
        return false;
    lo = vector;                                  /* fixed delivery, physical destination */
    if ((mps_flags & 3) == 3)                     /* MPS polarity 11: active low */
        lo |= RTE_ACTIVE_LOW;
    if (((mps_flags >> 2) & 3) == 3)              /* MPS trigger 11: level */
        lo |= RTE_LEVEL;
    ioapic_write(IOAPIC_REDTBL + 2 * pin + 1, apic_id << 24);
    ioapic_write(IOAPIC_REDTBL + 2 * pin, lo);    /* unmasked last */
    return true;
}
