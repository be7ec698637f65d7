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

/* Interrupt vectors of the kernel (Intel SDM Vol. 3A, 7.2: 32-255 are free) */
#define VEC_NMI          2
#define VEC_DOUBLE_FAULT 8
#define VEC_PAGE_FAULT   14
#define VEC_TIMER        0x20    /* LAPIC timer */
#define VEC_WAKE         0x21    /* IPI: wake a halted core and reschedule */
#define VEC_RPC          0x22    /* IPI: a request was posted to this cluster's RPC FIFO */
#define VEC_PING         0x23    /* IPI: benchmark, answer with VEC_PONG */
#define VEC_PONG         0x24    /* IPI: benchmark, answer to VEC_PING */
#define VEC_SHOOTDOWN    0x25    /* IPI: flush this core's TLB and acknowledge (vmm.c) */
#define VEC_PIC_BASE     0xe0    /* legacy 8259 PICs, remapped and masked */
#define VEC_SPURIOUS     0xff    /* LAPIC spurious vector */

/* Builds the IDT (bootstrap core, once). */
void idt_init(void);

/* Loads the IDT on the calling core. */
void idt_load(void);

/* C entry of every trap; called by trap_entry.S with the saved frame. */
void hal_trap(trap_frame_t *frame);

/* Mnemonic and name of exception @vector (0-31), e.g. "#PF page fault" (Intel SDM Vol. 3A, 7.15). */
const char *hal_exception_name(uint64_t vector);

#endif
