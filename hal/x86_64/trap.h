/*
 * trap.h - interrupts and exceptions.
 */
#ifndef _TRAP_H_
#define _TRAP_H_

#include <stdint.h>

/* Registers saved by trap_entry.S, lowest address first. */
typedef struct trap_frame_s {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error;          /* CPU error code, or 0 */
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
} trap_frame_t;

/*
 * Interrupt vectors (Intel SDM Vol. 3A, 7.2 "Exception and interrupt
 * vectors": 0-31 are the CPU's exceptions, 32-255 are free for the system).
 * These are the ones the HAL handles or programs itself; the kernel picks
 * its IPI vectors between VEC_TIMER and VEC_PIC_BASE (kernel/kern/ipi.h).
 */
#define VEC_NMI          2       /* non-maskable interrupt (SDM 7.15) */
#define VEC_DOUBLE_FAULT 8
#define VEC_PAGE_FAULT   14
#define VEC_TIMER        0x20    /* LAPIC timer (lapic_timer_start, SDM 11.5.4) */
#define VEC_PIC_BASE     0xe0    /* legacy 8259 PICs, remapped and masked */
#define VEC_SPURIOUS     0xff    /* LAPIC spurious vector (SDM 11.9) */

/* Builds the IDT (bootstrap core, once). */
void idt_init(void);

/* Loads the IDT on the calling core. */
void idt_load(void);

/* C entry of every trap; called by trap_entry.S with the saved frame. */
void hal_trap(trap_frame_t *frame);

/* Mnemonic and name of exception @vector (0-31), e.g. "#PF page fault" (SDM Vol. 3A, 7.15). */
const char *hal_exception_name(uint64_t vector);

#endif
