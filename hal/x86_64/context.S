/*
 * context.S - stack switching.
 *
 * void hal_switch_stack(uint64_t stack_top, void (*fn)(void *), void *arg)
 * Continues on a new stack by calling fn(arg) there; fn never returns.
 */
    .text
    .globl hal_switch_stack
hal_switch_stack:
    mov     %rdi, %rsp
    mov     %rdx, %rdi
    xor     %ebp, %ebp
    call    *%rsi
    ud2

/*
 * void hal_context_switch(uint64_t *save_rsp, uint64_t new_rsp)
 * Saves RFLAGS and the callee-saved registers (System V AMD64 ABI) on the
 * current stack, stores the stack pointer in *save_rsp, then restores the
 * same from new_rsp and returns into the other thread. Interrupts are off
 * on entry; each thread gets back the RFLAGS it switched out with.
 */
    .globl hal_context_switch
hal_context_switch:
    pushfq
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    mov     %rsp, (%rdi)
    mov     %rsi, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    popfq
    ret
