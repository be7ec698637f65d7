/*
 * smp.c - application processor start-up (see smp.h).
 */
#include "smp.h"
#include "apic.h"
#include "cpu.h"
#include "paging.h"
#include "hal_upcalls.h"

extern const char trampoline_start[], trampoline_end[];
extern const char tr_gdtr[], tr_pm_ptr[], tr_lm_ptr[], tr_pm32[], tr_lm64[], tr_gdt[];
extern const char tr_cr3[], tr_efer[], tr_stack[], tr_entry[], tr_arg[], tr_alive[];

/* Address, in the copy at @page, of the trampoline symbol @sym. */
#define TR_FIELD(page, sym) ((void *)((char *)(page) + ((sym) - trampoline_start)))
#define TR_OFF(sym)         ((uint32_t)((sym) - trampoline_start))

_Static_assert(TRAMPOLINE_PHYS + MAX_CLUSTERS * TRAMPOLINE_STRIDE <= TRAMPOLINE_END,
               "MAX_CLUSTERS trampolines and early stacks do not fit below 640 KiB");

uint64_t smp_trampoline_phys(uint32_t cxy)
{
    return TRAMPOLINE_PHYS + (uint64_t)cxy * TRAMPOLINE_STRIDE;
}

uint64_t smp_early_stack_top(uint32_t cxy)
{
    return (uint64_t)phys_to_virt(smp_trampoline_phys(cxy) + TRAMPOLINE_STRIDE);
}

void smp_trampoline_install(uint32_t cxy)
{
    uint64_t phys = smp_trampoline_phys(cxy);
    char *page = phys_to_virt(phys);
    uint32_t a, b, c, d, efer = EFER_LME;

    memcpy(page, trampoline_start, trampoline_end - trampoline_start);
    cpuid(0x80000001, 0, &a, &b, &c, &d);
    if (d & (1u << 20))                      /* NX supported: same EFER as the BSP */
        efer |= EFER_NXE;
    *(uint32_t *)(TR_FIELD(page, tr_gdtr) + 2) = (uint32_t)phys + TR_OFF(tr_gdt);
    *(uint32_t *)TR_FIELD(page, tr_pm_ptr)     = (uint32_t)phys + TR_OFF(tr_pm32);
    *(uint32_t *)TR_FIELD(page, tr_lm_ptr)     = (uint32_t)phys + TR_OFF(tr_lm64);
    *(uint32_t *)TR_FIELD(page, tr_cr3)        = (uint32_t)paging_kernel_pml4();
    *(uint32_t *)TR_FIELD(page, tr_efer)       = efer;
}

int smp_start_core(uint32_t tramp_cxy, uint32_t apic_id, void (*entry)(void *),
                   void *arg, uint64_t stack_top)
{
    uint64_t phys = smp_trampoline_phys(tramp_cxy);
    char *page = phys_to_virt(phys);
    volatile uint32_t *alive = TR_FIELD(page, tr_alive);

    smp_trampoline_install(tramp_cxy);      /* fresh copy for every start */
    *(uint64_t *)TR_FIELD(page, tr_stack) = stack_top;
    *(uint64_t *)TR_FIELD(page, tr_entry) = (uint64_t)entry;
    *(uint64_t *)TR_FIELD(page, tr_arg)   = (uint64_t)arg;
    *alive = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send_init(apic_id);
    udelay(10000);
    for (int sipi = 0; sipi < 2; sipi++) {
        lapic_send_sipi(apic_id, (uint8_t)(phys >> 12));
        for (int us = 0; us < (sipi ? 100000 : 200); us += 50) {
            if (*alive)
                return 0;
            udelay(50);
        }
    }
    return *alive ? 0 : -ETIMEDOUT;
}
