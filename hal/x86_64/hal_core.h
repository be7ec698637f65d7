/*
 * hal_core.h - per-core x86_64 state: GDT, TSS and the interrupt stacks.
 *
 * Lives inside each core_t, in the memory of the core's cluster.
 * Descriptor formats: Intel SDM Vol. 3A, 3.4.5 (segment descriptors),
 * 8.2.3 (64-bit TSS), 8.7 (TSS descriptor in IA-32e mode).
 */
#ifndef _HAL_CORE_H_
#define _HAL_CORE_H_

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

#endif
