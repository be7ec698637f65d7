/*
 * user_copy.S - copies between kernel and user memory.
 *
 * STAC/CLAC open and close the SMAP window (Intel SDM Vol. 3A 4.6.1) when
 * the CPU has SMAP; on one without, the kernel patches nothing: it calls
 * the variants without STAC/CLAC (hal_user.c picks at boot). A page fault
 * at one of the marked instructions that the VMM cannot resolve resumes at
 * the matching failure exit (hal_user_fixup).
 */
    .text

/* uint64_t user_copy_smap(void *dst, const void *src, size_t n): bytes NOT copied */
    .globl user_copy_smap, user_copy_plain, user_copy_insn_smap, user_copy_insn_plain
    .globl user_copy_done_smap, user_copy_done_plain
user_copy_smap:
    stac
    mov     %rdx, %rcx
user_copy_insn_smap:
    rep movsb
user_copy_done_smap:
    clac
    mov     %rcx, %rax
    ret

user_copy_plain:
    mov     %rdx, %rcx
user_copy_insn_plain:
    rep movsb
user_copy_done_plain:
    mov     %rcx, %rax
    ret

/*
 * int64_t user_strncpy_smap(char *dst, const char *src, size_t cap):
 * length without the NUL, cap when no NUL was found, -1 on a fault.
 */
    .globl user_strncpy_smap, user_strncpy_plain, user_strncpy_insn_smap, user_strncpy_insn_plain
    .globl user_strncpy_fault_smap, user_strncpy_fault_plain
user_strncpy_smap:
    stac
    xor     %eax, %eax
1:  cmp     %rdx, %rax
    je      3f
user_strncpy_insn_smap:
    movb    (%rsi,%rax), %cl
    movb    %cl, (%rdi,%rax)
    test    %cl, %cl
    jz      3f
    inc     %rax
    jmp     1b
3:  clac
    ret
user_strncpy_fault_smap:
    clac
    mov     $-1, %rax
    ret

user_strncpy_plain:
    xor     %eax, %eax
1:  cmp     %rdx, %rax
    je      3f
user_strncpy_insn_plain:
    movb    (%rsi,%rax), %cl
    movb    %cl, (%rdi,%rax)
    test    %cl, %cl
    jz      3f
    inc     %rax
    jmp     1b
3:  ret
user_strncpy_fault_plain:
    mov     $-1, %rax
    ret
    .globl user_copy_end
user_copy_end:
