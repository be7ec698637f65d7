/*
 * layout.h - the kernel's virtual address space, shared by C and assembly.
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (later issues)
 *   0xffff800000000000 - ...                 direct map of all physical memory
 *   0xffffffff80000000 - 0xffffffffbfffffff  kernel image (physical 0 - 1 GiB)
 *
 * The kernel is loaded by GRUB at physical 1 MiB (KERNEL_LOAD_PHYS) and
 * linked at KERNEL_VMA + its physical address (-mcmodel=kernel).
 */
#ifndef _LAYOUT_H_
#define _LAYOUT_H_

#define KERNEL_VMA        0xffffffff80000000
#define KERNEL_LOAD_PHYS  0x100000
#define DIRECT_MAP_BASE   0xffff800000000000
#define BOOT_STACK_SIZE   16384          /* bytes, bootstrap core's stack */

/*
 * AP start-up area, below 1 MiB (never managed by a PPM): per cluster two
 * 4 KiB pages, the trampoline (its page number is the SIPI vector) and the
 * early stack of the cluster's first core, used until that core has built
 * its cluster and moved to a stack in the cluster's own memory.
 */
#define TRAMPOLINE_PHYS   0x10000
#define TRAMPOLINE_STRIDE 0x2000
#define TRAMPOLINE_END    0x9f000        /* the EBDA may start at 0x9fc00 */

/* Boot-time segment selectors (boot GDT and per-core GDT, hal/x86_64/cpu.c) */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10

#endif
