/*
 * paging.c - direct map and identity map management (see paging.h).
 */
#include "paging.h"
#include "cpu.h"
#include "hal_upcalls.h"
#include <stdbool.h>

#define PTE_P    0x001ull
#define PTE_W    0x002ull
#define PTE_PWT  0x008ull
#define PTE_PCD  0x010ull
#define PTE_PS   0x080ull
#define GIB      (1ull << 30)

/* boot page tables of entry.S, at their physical (= identity) addresses */
extern uint64_t boot_pml4[512];
extern uint64_t boot_pd[4 * 512];

/* 4 KiB page table of the first 2 MiB: page 0 left unmapped, so NULL faults */
static uint64_t low_pt[512] __attribute__((aligned(4096)));

#define POOL_PAGES 16           /* without 1 GiB pages: directories for 16 GiB beyond 4 GiB */
static uint64_t pd_pool[POOL_PAGES][512] __attribute__((aligned(4096)));

static uint64_t *table_virt(uint64_t entry)
{
    return phys_to_virt(entry & 0x000ffffffffff000ull);
}

int paging_init(uint64_t ram_end)
{
    uint64_t *pml4 = phys_to_virt((uint64_t)boot_pml4);
    uint64_t *pdpt = table_virt(pml4[256]);
    uint64_t *pd   = phys_to_virt((uint64_t)boot_pd);
    uint64_t ngib  = (ram_end + GIB - 1) / GIB;
    uint32_t a, b, c, d;
    bool gbpages;

    cpuid(0x80000001, 0, &a, &b, &c, &d);
    gbpages = (d >> 26) & 1;             /* CPUID.80000001H:EDX.Page1GB */

    if (pd[0] & PTE_PS) {
        for (int i = 1; i < 512; i++)
            low_pt[i] = ((uint64_t)i << 12) | PTE_P | PTE_W;
        low_pt[0] = 0;
        pd[0] = virt_to_phys(low_pt) | PTE_P | PTE_W;
    }

    if (ngib > 512)
        return -E2BIG;
    if (!gbpages && ngib > 4 + POOL_PAGES)
        return -E2BIG;
    for (uint64_t g = 4; g < ngib; g++) {
        if (gbpages) {
            pdpt[g] = (g * GIB) | PTE_P | PTE_W | PTE_PS;
        } else {
            uint64_t *dir = pd_pool[g - 4];
            for (int i = 0; i < 512; i++)
                dir[i] = (g * GIB + ((uint64_t)i << 21)) | PTE_P | PTE_W | PTE_PS;
            pdpt[g] = virt_to_phys(dir) | PTE_P | PTE_W;
        }
    }
    write_cr3(read_cr3());
    return 0;
}

void paging_set_uncached(uint64_t phys)
{
    uint64_t *pd = phys_to_virt((uint64_t)boot_pd);

    if (phys < 4 * GIB) {
        pd[phys >> 21] |= PTE_PCD | PTE_PWT;
        write_cr3(read_cr3());
    }
}

uint64_t paging_kernel_pml4(void)
{
    return (uint64_t)boot_pml4;
}

void paging_drop_identity(void)
{
    uint64_t *pml4 = phys_to_virt((uint64_t)boot_pml4);

    pml4[0] = 0;
}

void paging_flush_local(void)
{
    write_cr3(read_cr3());
}

bool paging_is_mapped(uint64_t va)
{
    uint64_t *table = phys_to_virt(read_cr3() & 0x000ffffffffff000ull);

    for (int level = 3; level >= 0; level--) {
        uint64_t e = table[(va >> (12 + 9 * level)) & 511];

        if (!(e & PTE_P))
            return false;
        if (level == 0 || (level <= 2 && (e & PTE_PS)))
            return true;
        table = table_virt(e);
    }
    return true;
}
