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
