/*
 * trap_entry.S - the 256 interrupt and exception entry stubs.
 *
 * Each stub pushes a dummy error code when the CPU pushes none (Intel SDM
 * Vol. 3A, 7.3 table 7-1: vectors 8, 10-14, 17, 21, 29, 30 push one), then
 * its vector, and jumps to trap_common which saves the general registers
 * into a trap_frame_t (trap.h) and calls hal_trap(frame).
 */
#include "trap_frame.inc"

    .text

.macro TRAP_STUB vec
    .balign 16
trap_stub_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq   $0
    .endif
    pushq   $\vec
    jmp     trap_common
.endm

    .altmacro
.macro TRAP_STUBS from, to
    TRAP_STUB \from
    .if \to-\from
    TRAP_STUBS %(\from+1), \to
    .endif
.endm

    TRAP_STUBS 0, 63
    TRAP_STUBS 64, 127
    TRAP_STUBS 128, 191
    TRAP_STUBS 192, 255

trap_common:
    /* from user mode (CS.RPL = 3, at 24(%rsp)): take the kernel's GS base */
    testb   $3, 24(%rsp)
    jz      1f
    swapgs
1:
    /* the frame: r15 .. rax, then vector, error, and the CPU's rip cs rflags rsp ss */
    PUSH_GPRS
    cld
    mov     %rsp, %rdi
    call    hal_trap
    /*
     * Return to the context in the frame at %rsp: shared by interrupts,
     * exceptions, system calls (syscall_entry.S) and the first entry of a
     * user thread. Interrupts are off here.
     */
    .globl trap_return
trap_return:
    testb   $3, 18*8(%rsp)              /* frame CS: back to user mode? */
    jz      2f
    cmpq    $2, 15*8(%rsp)              /* an NMI (VEC_NMI, a backtrace asked by another */
    je      3f                          /* core): no scheduling on the NMI's IST stack */
    mov     %rsp, %rdi
    call    thread_user_return          /* signals, migration: may not return */
3:
    cli
    swapgs
2:
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    add     $16, %rsp                   /* vector and error code */
    iretq

    /* table of the stubs' addresses, for idt_init() */
.macro TRAP_ADDR vec
    .quad trap_stub_\vec
.endm
.macro TRAP_ADDRS from, to
    TRAP_ADDR \from
    .if \to-\from
    TRAP_ADDRS %(\from+1), \to
    .endif
.endm

    .section .rodata
    .balign 8
    .globl trap_stub_table
trap_stub_table:
    TRAP_ADDRS 0, 63
    TRAP_ADDRS 64, 127
    TRAP_ADDRS 128, 191
    TRAP_ADDRS 192, 255
