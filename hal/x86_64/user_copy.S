/*
 * user_copy.S - copies between kernel and user memory.
 *
 * STAC/CLAC open and close the SMAP window (Intel SDM Vol. 3A 4.6.1) when
 * the CPU has SMAP; on one without, STAC/CLAC do not exist (#UD), so each
 * routine comes in two variants made by the same macro, "_smap" and
 * "_plain", and hal_user.c picks one at boot. A page fault at one of the
 * marked instructions that the VMM cannot resolve resumes at the matching
 * failure exit (hal_user_fixup).
 */
    .text

.macro SMAP_OPEN variant
    .ifc \variant,smap
    stac
    .endif
.endm

.macro SMAP_CLOSE variant
    .ifc \variant,smap
    clac
    .endif
.endm

/*
 * uint64_t user_copy_<variant>(void *dst, const void *src, size_t n): bytes NOT copied
 * int64_t user_strncpy_<variant>(char *dst, const char *src, size_t cap):
 *   length without the NUL, cap when no NUL was found, -1 on a fault.
 */
.macro USER_COPY_ROUTINES variant
    .globl user_copy_\variant, user_copy_insn_\variant, user_copy_done_\variant
user_copy_\variant:
    SMAP_OPEN \variant
    mov     %rdx, %rcx
user_copy_insn_\variant:
    rep movsb
user_copy_done_\variant:
    SMAP_CLOSE \variant
    mov     %rcx, %rax
    ret

    .globl user_strncpy_\variant, user_strncpy_insn_\variant, user_strncpy_fault_\variant
user_strncpy_\variant:
    SMAP_OPEN \variant
    xor     %eax, %eax
1:  cmp     %rdx, %rax
    je      3f
user_strncpy_insn_\variant:
    movb    (%rsi,%rax), %cl
    movb    %cl, (%rdi,%rax)
    test    %cl, %cl
    jz      3f
    inc     %rax
    jmp     1b
3:  SMAP_CLOSE \variant
    ret
user_strncpy_fault_\variant:
    SMAP_CLOSE \variant
    mov     $-1, %rax
    ret
.endm

    USER_COPY_ROUTINES smap
    USER_COPY_ROUTINES plain

    .globl user_copy_end
user_copy_end:
