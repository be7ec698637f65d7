/*
 * hal_gpt.c - x86_64 4-level page tables for process copies (see hal_gpt.h).
 * PTE format: Intel SDM Vol. 3A, 4.5, tables 4-15 to 4-20.
 */
#include "hal_gpt.h"
#include "cpu.h"
#include "paging.h"
#include "hal_upcalls.h"
#include "hal_core.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_COW  (1ull << 9)       /* software (ignored by the CPU) */
#define PTE_FILE (1ull << 10)      /* software */
#define PTE_SHARED (1ull << 11)    /* software */
#define PTE_XD   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Upper levels are permissive; the leaf PTE decides (SDM 4.6: rights combine by AND). */
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

static uint64_t attr_to_pte(uint32_t attr, uint64_t ppn)
{
    uint64_t pte = (ppn << 12) | PTE_P;

    if (attr & GPT_WRITABLE) pte |= PTE_W;
    if (attr & GPT_USER)     pte |= PTE_U;
    if (!(attr & GPT_EXEC))  pte |= PTE_XD;
    if (attr & GPT_ACCESSED) pte |= PTE_A;
    if (attr & GPT_DIRTY)    pte |= PTE_D;
    if (attr & GPT_COW)      pte |= PTE_COW;
    if (attr & GPT_FILE)     pte |= PTE_FILE;
    if (attr & GPT_SHARED)   pte |= PTE_SHARED;
    return pte;
}

static uint32_t pte_to_attr(uint64_t pte)
{
    uint32_t attr = 0;

    if (!(pte & PTE_P))
        return 0;
    attr |= GPT_MAPPED;
    if (pte & PTE_W)    attr |= GPT_WRITABLE;
    if (pte & PTE_U)    attr |= GPT_USER;
    if (!(pte & PTE_XD)) attr |= GPT_EXEC;
    if (pte & PTE_A)    attr |= GPT_ACCESSED;
    if (pte & PTE_D)    attr |= GPT_DIRTY;
    if (pte & PTE_COW)  attr |= GPT_COW;
    if (pte & PTE_FILE) attr |= GPT_FILE;
    if (pte & PTE_SHARED) attr |= GPT_SHARED;
    return attr;
}

static inline unsigned level_index(uint64_t vpn, int level)
{
    return (vpn >> (9 * level)) & 511;        /* level 3 = PML4 ... 0 = PT */
}

int hal_gpt_create(hal_gpt_t *gpt)
{
    uint64_t root = ppm_remote_alloc_zeroed(hal_core_cxy());
    uint64_t *pml4, *kpml4 = phys_to_virt(paging_kernel_pml4());

    if (root == 0)
        return -ENOMEM;
    pml4 = phys_to_virt(root);
    memcpy(pml4 + 256, kpml4 + 256, 256 * sizeof(uint64_t));     /* the upper half */
    gpt->root   = root;
    gpt->cxy    = hal_core_cxy();
    gpt->tables = 0;
    return 0;
}

static void gpt_free_table(uint64_t phys, int level)
{
    uint64_t *t = phys_to_virt(phys);

    if (level > 0) {
        for (int i = 0; i < 512; i++)
            if (t[i] & PTE_P)
                gpt_free_table(t[i] & PTE_ADDR, level - 1);
    }
    ppm_free_phys(phys);
}

void hal_gpt_destroy(hal_gpt_t *gpt)
{
    uint64_t *pml4 = phys_to_virt(gpt->root);

    for (int i = 0; i < 256; i++)
        if (pml4[i] & PTE_P)
            gpt_free_table(pml4[i] & PTE_ADDR, 2);
    ppm_free_phys(gpt->root);
    gpt->root = 0;
    gpt->tables = 0;
}

/* Address of the leaf PTE of @vpn, or NULL when a table is missing (remote reads). */
static xptr_t gpt_leaf(xptr_t gpt_xp, uint64_t vpn)
{
    uint32_t cxy = GET_CXY(gpt_xp);
    hal_gpt_t *gpt = GET_PTR(gpt_xp);
    uint64_t table = hal_remote_l64(XPTR(cxy, &gpt->root));

    for (int level = 3; level > 0; level--) {
        uint64_t e = hal_remote_l64(XPTR(cxy, (uint64_t *)phys_to_virt(table) +
                                              level_index(vpn, level)));
        if (!(e & PTE_P))
            return XPTR_NULL;
        table = e & PTE_ADDR;
    }
    return XPTR(cxy, (uint64_t *)phys_to_virt(table) + level_index(vpn, 0));
}

int hal_gpt_map(hal_gpt_t *gpt, uint64_t vpn, uint32_t attr, uint64_t ppn)
{
    uint64_t *table = phys_to_virt(gpt->root);

    for (int level = 3; level > 0; level--) {
        uint64_t *e = &table[level_index(vpn, level)];

        if (!(*e & PTE_P)) {
            uint64_t phys = ppm_remote_alloc_zeroed(hal_core_cxy());

            if (phys == 0)
                return -ENOMEM;          /* tables already added stay: they are empty */
            gpt->tables++;
            *e = phys | TABLE_FLAGS;
        }
        table = phys_to_virt(*e & PTE_ADDR);
    }
    __atomic_store_n(&table[level_index(vpn, 0)], attr_to_pte(attr | GPT_MAPPED, ppn),
                     __ATOMIC_RELEASE);
    return 0;
}

int hal_gpt_map_xp(xptr_t gpt_xp, uint64_t vpn, uint32_t attr, uint64_t ppn)
{
    uint32_t cxy = GET_CXY(gpt_xp);
    hal_gpt_t *gpt = GET_PTR(gpt_xp);
    uint64_t table = hal_remote_l64(XPTR(cxy, &gpt->root));

    if (cxy == hal_core_cxy())
        return hal_gpt_map(gpt, vpn, attr, ppn);
    for (int level = 3; level > 0; level--) {
        xptr_t e = XPTR(cxy, (uint64_t *)phys_to_virt(table) + level_index(vpn, level));
        uint64_t v = hal_remote_l64(e);

        if (!(v & PTE_P)) {
            uint64_t phys = ppm_remote_alloc_zeroed(cxy);

            if (phys == 0)
                return -ENOMEM;          /* tables already added stay: they are empty */
            hal_remote_atomic_add(XPTR(cxy, &gpt->tables), 1);
            v = phys | TABLE_FLAGS;
            hal_remote_s64(e, v);
        }
        table = v & PTE_ADDR;
    }
    hal_remote_s64(XPTR(cxy, (uint64_t *)phys_to_virt(table) + level_index(vpn, 0)),
                   attr_to_pte(attr | GPT_MAPPED, ppn));
    return 0;
}

uint32_t hal_gpt_get(xptr_t gpt_xp, uint64_t vpn, uint64_t *ppn)
{
    xptr_t leaf = gpt_leaf(gpt_xp, vpn);
    uint64_t pte;

    if (leaf == XPTR_NULL)
        return 0;
    pte = hal_remote_l64(leaf);
    if (ppn)
        *ppn = (pte & PTE_ADDR) >> 12;
    return pte_to_attr(pte);
}

static tlb_flush_t flush_one(uint64_t vpn)
{
    return (tlb_flush_t){ .vpn_min = vpn, .vpn_max = vpn };
}

tlb_flush_t hal_gpt_update(xptr_t gpt_xp, uint64_t vpn, uint32_t attr, uint64_t ppn)
{
    xptr_t leaf = gpt_leaf(gpt_xp, vpn);

    if (leaf == XPTR_NULL)
        return TLB_FLUSH_NONE;
    hal_remote_s64(leaf, attr_to_pte(attr | GPT_MAPPED, ppn));
    return flush_one(vpn);
}

tlb_flush_t hal_gpt_unmap(xptr_t gpt_xp, uint64_t vpn)
{
    xptr_t leaf = gpt_leaf(gpt_xp, vpn);

    if (leaf == XPTR_NULL || !(hal_remote_l64(leaf) & PTE_P))
        return TLB_FLUSH_NONE;
    hal_remote_s64(leaf, 0);
    return flush_one(vpn);
}

bool hal_gpt_next(xptr_t gpt_xp, uint64_t vpn, uint64_t end, uint64_t *found,
                  uint32_t *attr, uint64_t *ppn)
{
    uint32_t cxy = GET_CXY(gpt_xp);
    hal_gpt_t *gpt = GET_PTR(gpt_xp);
    uint64_t root = hal_remote_l64(XPTR(cxy, &gpt->root));

    while (vpn < end) {
        uint64_t table = root;
        int level;

        for (level = 3; level >= 0; level--) {
            uint64_t e = hal_remote_l64(XPTR(cxy, (uint64_t *)phys_to_virt(table) +
                                                  level_index(vpn, level)));
            if (!(e & PTE_P))
                break;
            if (level == 0) {
                *found = vpn;
                *attr = pte_to_attr(e);
                if (ppn)
                    *ppn = (e & PTE_ADDR) >> 12;
                return true;
            }
            table = e & PTE_ADDR;
        }
        /* nothing at this level: skip to the next entry of that level */
        uint64_t span = 1ull << (9 * level);

        vpn = (vpn & ~(span - 1)) + span;
    }
    return false;
}

void hal_gpt_activate(const hal_gpt_t *gpt)
{
    uint64_t root = gpt ? gpt->root : paging_kernel_pml4();
    const hal_gpt_t *record = gpt;

    /*
     * Published in the per-core area (HAL_GS_ACTIVE_GPT) before the page walks
     * of the new CR3 can start (shootdown races): XCHG with a memory operand is
     * locked (Intel SDM Vol. 3A, 9.1.2.2), and no load or store is reordered
     * with a locked instruction (9.2.2).
     */
    __asm__ volatile("xchgq %0, %%gs:%c1" : "+r"(record) : "i"(HAL_GS_ACTIVE_GPT) : "memory");
    if (read_cr3() != root)
        write_cr3(root);
}

void hal_tlb_flush_local(tlb_flush_t flush)
{
    if (tlb_flush_empty(flush))
        return;
    if (flush.vpn_max - flush.vpn_min >= 64) {
        write_cr3(read_cr3());
        return;
    }
    for (uint64_t vpn = flush.vpn_min; vpn <= flush.vpn_max; vpn++)
        __asm__ volatile("invlpg (%0)" :: "r"(vpn << 12) : "memory");
}
