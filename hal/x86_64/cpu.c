/*
 * cpu.c - per-core GDT, TSS and segment set-up; power-off.
 */
#include <stdint.h>
#include "hal_cpu.h"
#include "cpu.h"
#include "trap.h"
#include "hal_upcalls.h"

/* Segment descriptor flags (Intel SDM Vol. 3A, 3.4.5) */
#define SEG_KCODE64 0x00af9a000000ffffull   /* P, DPL0, code exec/read, L */
#define SEG_KDATA   0x00cf92000000ffffull   /* P, DPL0, data read/write */
#define SEG_UCODE32 0x00cffa000000ffffull   /* P, DPL3, 32-bit code */
#define SEG_UDATA   0x00cff2000000ffffull   /* P, DPL3, data */
#define SEG_UCODE64 0x00affa000000ffffull   /* P, DPL3, code, L */

static void gdt_set_tss(uint64_t *gdt, const tss_t *tss)
{
    uint64_t base = (uint64_t)tss;
    uint64_t limit = sizeof(tss_t) - 1;

    /* 64-bit TSS descriptor, type 9 (available), present (SDM Vol. 3A, 8.2.3) */
    gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS + 1] = base >> 32;
}

void hal_cpu_init(void *percpu, hal_core_arch_t *a)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;

    wrmsr(MSR_GS_BASE, (uint64_t)percpu);

    memset(&a->tss, 0, sizeof(a->tss));
    a->tss.ist[0] = a->ist_top;
    a->tss.iomap_base = sizeof(tss_t);
    a->gdt[GDT_NULL]    = 0;
    a->gdt[GDT_KCODE]   = SEG_KCODE64;
    a->gdt[GDT_KDATA]   = SEG_KDATA;
    a->gdt[GDT_UCODE32] = SEG_UCODE32;
    a->gdt[GDT_UDATA]   = SEG_UDATA;
    a->gdt[GDT_UCODE]   = SEG_UCODE64;
    gdt_set_tss(a->gdt, &a->tss);

    gdtr.limit = sizeof(a->gdt) - 1;
    gdtr.base  = (uint64_t)a->gdt;
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq $0x08\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw $0x10, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w1\n\t"
        :: "m"(gdtr), "r"((uint16_t)(GDT_TSS * 8)) : "rax", "memory");
    /* loading a null FS/GS selector must not clear the GS base on this CPU */
    wrmsr(MSR_GS_BASE, (uint64_t)percpu);
    idt_load();
}

void hal_halt_forever(void)
{
    for (;;) {
        irq_disable();
        cpu_hlt();
    }
}

void hal_poweroff(uint32_t status)
{
    irq_disable();
    outl(0xf4, status);          /* QEMU isa-debug-exit */
    outw(0x604, 0x2000);         /* QEMU PIIX4 PM1a_CNT: SLP_TYP=S5 | SLP_EN */
    hal_halt_forever();
}
