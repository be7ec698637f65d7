/*
 * hal_core.h - per-core x86_64 state: the words of the per-core area the
 * HAL uses through GS, and the GDT, TSS and interrupt stacks.
 *
 * The per-core area is the kernel's core_t, in the memory of the core's
 * cluster; hal_cpu_init() points the core's GS base at it. The HAL owns the
 * layout of its first words (HAL_GS_* below) and reaches them only through
 * GS (%gs:HAL_GS_* in the entry assembly, in hal_core_cxy() and in
 * hal_gpt_activate()), so it needs no kernel type while the kernel keeps
 * one object per core: core.h places core_t's fields at these offsets and
 * asserts it at compile time. hal_core_arch_t (GDT, TSS, IST stack) is
 * embedded in core_t and handed to hal_cpu_init().
 * Descriptor formats: Intel SDM Vol. 3A, 3.4.5 (segment descriptors),
 * 8.2.3 (64-bit TSS), 8.7 (TSS descriptor in IA-32e mode).
 */
#ifndef _HAL_CORE_H_
#define _HAL_CORE_H_

/* Offsets (bytes) of the HAL's words in the per-core area GS points at */
#define HAL_GS_SELF        0     /* void *: the area's own address */
#define HAL_GS_KSTACK_TOP  8     /* uint64_t: kernel stack top of the running thread (SYSCALL) */
#define HAL_GS_USER_RSP    16    /* uint64_t: user RSP saved by the SYSCALL entry */
#define HAL_GS_ACTIVE_GPT  24    /* const hal_gpt_t *: the GPT in CR3, NULL: the kernel's */
#define HAL_GS_CXY         32    /* uint32_t: the core's cluster */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* GDT selectors: the order user code32/data/code64 is what SYSRET expects */
#define GDT_NULL     0
#define GDT_KCODE    1     /* 0x08 */
#define GDT_KDATA    2     /* 0x10 */
#define GDT_UCODE32  3     /* 0x18 */
#define GDT_UDATA    4     /* 0x20 */
#define GDT_UCODE    5     /* 0x28 */
#define GDT_TSS      6     /* 0x30, two slots */
#define GDT_ENTRIES  8

#define IST_STACK_ORDER 1     /* NMI and double fault stack: 2^1 pages = 8 KiB */

typedef struct tss_s {
    uint32_t reserved0;
    uint64_t rsp[3];          /* stacks for privilege changes to rings 0-2 */
    uint64_t reserved1;
    uint64_t ist[7];          /* interrupt stack table, IST1..IST7 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed)) tss_t;

typedef struct hal_core_arch_s {
    uint64_t gdt[GDT_ENTRIES];
    tss_t    tss;
    uint64_t ist_top;         /* top of the NMI / double fault stack (IST1), set before hal_cpu_init */
} hal_core_arch_t;

/* The cluster of the calling core (HAL_GS_CXY). Any context, once hal_cpu_init() ran. */
static inline uint32_t hal_core_cxy(void)
{
    uint32_t cxy;

    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(cxy) : "i"(HAL_GS_CXY));
    return cxy;
}

#endif /* __ASSEMBLER__ */

#endif
