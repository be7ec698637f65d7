/*
 * trampoline.S - application processor start-up code.
 *
 * A copy of this blob is placed, per cluster, in a 4 KiB page below 1 MiB;
 * the SIPI vector is that page's number, so the core starts here in real
 * mode with CS = page << 8, IP = 0 (Intel SDM Vol. 3A, 9.4.4 "MP
 * Initialization Example" and 11.6.1 "ICR"). It goes through protected mode
 * to long mode with the kernel's boot page tables (which keep the identity
 * map of the first 4 GiB until every core is online) and jumps to tr_entry
 * with tr_arg in RDI, on stack tr_stack. smp.c patches the tr_* fields of
 * the copy before each start-up IPI.
 */
#include "layout.h"

    .section .rodata
    .balign 16
    .globl trampoline_start, trampoline_end
    .globl tr_gdtr, tr_pm_ptr, tr_lm_ptr, tr_pm32, tr_lm64, tr_gdt
    .globl tr_cr3, tr_efer, tr_stack, tr_entry, tr_arg, tr_alive

    .code16
trampoline_start:
    cli
    cld
    mov     %cs, %ax
    mov     %ax, %ds
    xor     %ebx, %ebx
    mov     %cs, %bx
    shl     $4, %ebx                    /* EBX = physical address of this page */
    movl    $1, (tr_alive - trampoline_start)
    lgdtl   (tr_gdtr - trampoline_start)
    mov     %cr0, %eax
    or      $1, %eax                    /* CR0.PE */
    mov     %eax, %cr0
    ljmpl   *(tr_pm_ptr - trampoline_start)

    .code32
tr_pm32:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr4, %eax
    or      $(1 << 5), %eax             /* CR4.PAE */
    mov     %eax, %cr4
    mov     (tr_cr3 - trampoline_start)(%ebx), %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx           /* IA32_EFER */
    rdmsr
    or      (tr_efer - trampoline_start)(%ebx), %eax
    wrmsr
    mov     %cr0, %eax
    or      $0x80010000, %eax           /* CR0.PG | CR0.WP */
    mov     %eax, %cr0
    ljmpl   *(tr_lm_ptr - trampoline_start)(%ebx)

    .code64
tr_lm64:
    mov     %ebx, %ebx                  /* upper half is undefined after the switch */
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     (tr_stack - trampoline_start)(%rbx), %rsp
    mov     (tr_arg - trampoline_start)(%rbx), %rdi
    mov     (tr_entry - trampoline_start)(%rbx), %rax
    xor     %ebp, %ebp
    jmp     *%rax

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00af9a000000ffff            /* 0x18: 64-bit code */
tr_gdtr:
    .word 31
    .long 0                             /* patched: page + (tr_gdt - start) */
tr_pm_ptr:
    .long 0                             /* patched: page + (tr_pm32 - start) */
    .word 0x08
tr_lm_ptr:
    .long 0                             /* patched: page + (tr_lm64 - start) */
    .word 0x18
tr_cr3:
    .long 0                             /* patched: boot PML4 (below 4 GiB) */
tr_efer:
    .long 0                             /* patched: EFER bits to set (LME, NXE) */
tr_alive:
    .long 0                             /* set to 1 by the core in real mode */
    .balign 8
tr_stack:
    .quad 0                             /* patched: top of the core's boot stack */
tr_entry:
    .quad 0                             /* patched: 64-bit entry point */
tr_arg:
    .quad 0                             /* patched: argument (its core_t) */
trampoline_end:
