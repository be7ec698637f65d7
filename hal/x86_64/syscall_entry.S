/*
 * syscall_entry.S - the SYSCALL entry point and the first entry into user mode.
 *
 * SYSCALL (Intel SDM Vol. 2B, "SYSCALL"): RIP -> RCX, RFLAGS -> R11, CS/SS
 * from IA32_STAR[47:32], RIP from IA32_LSTAR, RFLAGS &= ~IA32_FMASK. The
 * stack is not switched: we take the running thread's kernel stack from
 * the per-core area's word HAL_GS_KSTACK_TOP (hal_core.h) after SWAPGS, and
 * build the same trap_frame_t as an interrupt from user mode (trap.h), so
 * that every way back to user mode is trap_return's IRETQ. Linux x86_64 system-call ABI: number in
 * RAX, arguments in RDI RSI RDX R10 R8 R9, result in RAX.
 */
#include "trap_frame.inc"
#include "hal_core.h"
#define SEL_UCODE_RPL3 0x2b
#define SEL_UDATA_RPL3 0x23
#define VEC_SYSCALL    0x100          /* not a hardware vector: the frame came from SYSCALL */

    .text
    .globl syscall_entry
syscall_entry:
    swapgs
    mov     %rsp, %gs:HAL_GS_USER_RSP
    mov     %gs:HAL_GS_KSTACK_TOP, %rsp
    pushq   $SEL_UDATA_RPL3             /* ss */
    pushq   %gs:HAL_GS_USER_RSP         /* rsp */
    pushq   %r11                        /* rflags */
    pushq   $SEL_UCODE_RPL3             /* cs */
    pushq   %rcx                        /* rip */
    pushq   $0                          /* error */
    pushq   $VEC_SYSCALL                /* vector */
    PUSH_GPRS
    cld
    xor     %ebp, %ebp                  /* the backtrace stops here */
    mov     %rsp, %rdi
    sti
    call    syscall_dispatch            /* kernel/syscalls/syscall.c */
    cli
    jmp     trap_return

/*
 * void hal_user_enter(void)
 * First code of a new user thread, entered by hal_context_switch's RET with
 * the thread's initial trap_frame_t at the top of its kernel stack, just
 * above the return address slot.
 */
    .globl hal_user_enter
hal_user_enter:
    cli
    jmp     trap_return
