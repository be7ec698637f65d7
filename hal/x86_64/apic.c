/*
 * apic.c - local APIC, IPIs, timer and its calibration (see apic.h).
 */
#include "apic.h"
#include "cpu.h"
#include "trap.h"
#include <stddef.h>

#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define ICR_FIXED       (0u << 8)
#define ICR_NMI         (4u << 8)
#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)
#define ICR_PENDING     (1u << 12)
#define ICR_ASSERT      (1u << 14)
#define ICR_LEVEL       (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)

static volatile uint8_t *lapic_base;
static uint64_t tsc_per_us = 1000;     /* replaced by lapic_calibrate() */

static inline uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(lapic_base + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(lapic_base + reg) = v;
}

void pic_disable(void)
{
    /* ICW1-4: cascade, vectors VEC_PIC_BASE.., 8086 mode; then mask all */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, VEC_PIC_BASE);
    outb(0xa1, VEC_PIC_BASE + 8);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void lapic_set_base(uint64_t phys)
{
    lapic_base = phys_to_virt(phys);
}

void lapic_init(void)
{
    /* IA32_APIC_BASE bit 11: global enable (SDM Vol. 3A, 11.4.4) */
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static void lapic_icr(uint32_t apic_id, uint32_t lo)
{
    uint64_t flags = irq_save();

    while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
        cpu_pause();
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, lo);
    while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
        cpu_pause();
    irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    lapic_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_ipi_others(uint8_t vector)
{
    lapic_icr(0, ICR_ALL_BUT_SELF | ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi_others(void)
{
    if (lapic_base == NULL)
        return;                              /* too early: no other core runs */
    lapic_icr(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}

void lapic_send_nmi(uint32_t apic_id)
{
    if (lapic_base != NULL)
        lapic_icr(apic_id, ICR_NMI | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
    lapic_icr(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t vector)
{
    lapic_icr(apic_id, ICR_STARTUP | ICR_ASSERT | vector);
}

/* PIT channel 2, one-shot (mode 0), gated by port 0x61 bit 0; OUT2 is bit 5. */
#define PIT_HZ 1193182u

void lapic_calibrate(uint64_t *tsc_hz, uint32_t *lapic_ticks_per_ms)
{
    const uint32_t ms = 10;
    const uint16_t count = (uint16_t)(PIT_HZ * ms / 1000);
    uint64_t t0, t1;
    uint32_t l1;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb0);                         /* channel 2, lo/hi, mode 0, binary */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);

    lapic_write(LAPIC_TIMER_DIV, 0x3);        /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    /* restart the count: toggle the gate */
    outb(0x61, inb(0x61) & ~0x01);
    outb(0x61, inb(0x61) | 0x01);
    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        cpu_pause();
    t1 = rdtsc();
    l1 = lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);

    *tsc_hz = (t1 - t0) * (1000 / ms);
    *lapic_ticks_per_ms = (0xffffffffu - l1) / ms;
    tsc_per_us = *tsc_hz / 1000000;
    if (tsc_per_us == 0)
        tsc_per_us = 1;
}

void lapic_timer_start(uint32_t period_us, uint32_t ticks_per_ms)
{
    uint64_t count = (uint64_t)ticks_per_ms * period_us / 1000;

    if (count == 0)
        count = 1;
    lapic_write(LAPIC_TIMER_DIV, 0x3);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

void udelay(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_per_us;

    while (rdtsc() < end)
        cpu_pause();
}
