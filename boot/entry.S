/*
 * entry.S - multiboot2 header and the bootstrap core's way to 64-bit mode.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, EAX = multiboot2
 * magic, EBX = physical address of the boot information (Multiboot2
 * Specification 2.0, 3.3 "I386 machine state"). We build boot page tables
 * mapping the first 4 GiB three times (identity, direct map, kernel image),
 * enter long mode (Intel SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode") and
 * jump to kernel_boot() in the higher half.
 */
#include "layout.h"

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386    0

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* module alignment tag (spec 3.1.10): modules on page boundaries */
    .balign 8
    .word 6, 0
    .long 8
    /* end tag */
    .balign 8
    .word 0, 0
    .long 8
mb2_header_end:

/* ------------------------------------------------------------------------ */
    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov     %eax, boot_mb2_magic
    mov     %ebx, boot_mb2_info
    mov     $boot_stack32_top, %esp

    /* long mode available? CPUID 0x80000001 EDX bit 29 (SDM Vol. 2A, CPUID) */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    test    $(1 << 29), %edx
    jz      no_long_mode
    mov     %edx, %ebp                  /* keep the NX bit (20) for later */

    /* zero the 7 boot page-table pages */
    mov     $boot_pml4, %edi
    mov     $(7 * 1024), %ecx
    xor     %eax, %eax
    rep stosl

    /* 2048 PD entries: 2 MiB pages covering physical 0 - 4 GiB */
    xor     %ecx, %ecx
1:  mov     %ecx, %eax
    shl     $21, %eax
    or      $0x83, %eax                 /* present | writable | 2 MiB page */
    mov     %eax, boot_pd(, %ecx, 8)
    inc     %ecx
    cmp     $2048, %ecx
    jne     1b

    /* PDPT for the low half and direct map: 4 x 1 GiB */
    mov     $boot_pd, %eax
    or      $0x3, %eax
    mov     %eax, boot_pdpt_low
    add     $4096, %eax
    mov     %eax, boot_pdpt_low + 8
    add     $4096, %eax
    mov     %eax, boot_pdpt_low + 16
    add     $4096, %eax
    mov     %eax, boot_pdpt_low + 24

    /* PDPT for the kernel image: -2 GiB -> physical 0 - 2 GiB */
    mov     $boot_pd, %eax
    or      $0x3, %eax
    mov     %eax, boot_pdpt_high + 510 * 8
    add     $4096, %eax
    mov     %eax, boot_pdpt_high + 511 * 8

    /* PML4: identity (0), direct map (256), kernel (511) */
    mov     $boot_pdpt_low, %eax
    or      $0x3, %eax
    mov     %eax, boot_pml4
    mov     %eax, boot_pml4 + 256 * 8
    mov     $boot_pdpt_high, %eax
    or      $0x3, %eax
    mov     %eax, boot_pml4 + 511 * 8

    /* CR4.PAE, CR3, EFER.LME (+NXE when present), CR0.PG|WP */
    mov     %cr4, %eax
    or      $(1 << 5), %eax
    mov     %eax, %cr4
    mov     $boot_pml4, %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx
    rdmsr
    or      $(1 << 8), %eax
    test    $(1 << 20), %ebp
    jz      2f
    or      $(1 << 11), %eax
2:  wrmsr
    mov     %cr0, %eax
    or      $0x80010001, %eax
    mov     %eax, %cr0

    lgdt    boot_gdtr
    ljmp    $SEL_KCODE, $long_mode_low

no_long_mode:
    /* say it on COM1 (BIOS-initialised) and stop */
    mov     $no_lm_msg, %esi
3:  lodsb
    test    %al, %al
    jz      5f
    mov     %al, %bl
    mov     $0x3fd, %dx
4:  inb     %dx, %al
    test    $0x20, %al
    jz      4b
    mov     $0x3f8, %dx
    mov     %bl, %al
    outb    %al, %dx
    jmp     3b
5:  cli
    hlt
    jmp     5b

    .code64
long_mode_low:
    mov     $SEL_KDATA, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    xor     %eax, %eax
    mov     %ax, %fs
    mov     %ax, %gs
    movabs  $long_mode_high, %rax
    jmp     *%rax

/* ------------------------------------------------------------------------ */
    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff            /* 0x10: kernel data */
boot_gdt_end:
boot_gdtr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt
    .globl boot_mb2_magic, boot_mb2_info
boot_mb2_magic:
    .long 0
boot_mb2_info:
    .long 0
no_lm_msg:
    .asciz "Archipel: this CPU has no long mode (x86_64): cannot boot\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
    .globl boot_pd
boot_pd:        .skip 4 * 4096
boot_stack32:   .skip 1024
boot_stack32_top:

/* ------------------------------------------------------------------------ */
    .text
long_mode_high:
    movabs  $boot_stack_top, %rsp
    xor     %ebp, %ebp
    mov     boot_mb2_magic, %edi
    mov     boot_mb2_info, %esi
    call    kernel_boot
6:  cli
    hlt
    jmp     6b

    .bss
    .balign 16
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:
