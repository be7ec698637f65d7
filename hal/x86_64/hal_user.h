/*
 * hal_user.h - user mode on x86_64: SYSCALL set-up, SMEP/SMAP/NX, the user
 * FPU/SSE state, and copies between kernel and user memory.
 *
 * References: Intel SDM Vol. 3A 2.5 (CR0, CR4 bits), 4.6 (SMEP, SMAP,
 * execute-disable), 5.8.8 (SYSCALL/SYSRET MSRs), 13.x and Vol. 2A FXSAVE
 * (the 512-byte legacy FPU/SSE area).
 */
#ifndef _HAL_USER_H_
#define _HAL_USER_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "trap.h"

#define USER_END        0x00007ffffffff000ull   /* first byte above user space (Linux TASK_SIZE) */
#define HAL_FPU_SIZE    512                     /* bytes of an FXSAVE area, 16-byte aligned */
#define VEC_SYSCALL     0x100                   /* trap_frame_t.vector of a system call */
#define SEL_UCODE_RPL3  0x2b
#define SEL_UDATA_RPL3  0x23

/*
 * Per-core user-mode set-up: EFER.SCE, STAR/LSTAR/FMASK, CR4.OSFXSR,
 * OSXMMEXCPT, and SMEP/SMAP when the CPU has them (CPUID.07H:EBX bits 7
 * and 20). Every core, at boot, after hal_cpu_init().
 */
void hal_user_init_core(void);

/* What the boot report says about the protections in force. */
bool hal_user_smep(void);
bool hal_user_smap(void);

/* Fills @area (HAL_FPU_SIZE bytes, 16-aligned) with the FPU state of a new program (FCW 0x37f, MXCSR 0x1f80). */
void hal_fpu_init_state(void *area);
/* FXSAVE / FXRSTOR of the calling core's FPU/SSE registers. */
void hal_fpu_save(void *area);
void hal_fpu_restore(const void *area);

/* A user range [@addr, @addr + @n) lies entirely in user space. */
static inline bool hal_user_range_ok(uint64_t addr, size_t n)
{
    return addr < USER_END && n <= USER_END - addr;
}

/*
 * Copies @n bytes between kernel memory and user memory of the calling
 * thread's process. A user page not yet mapped is faulted in like a user
 * access would; an address outside user space, or one the process may not
 * access that way, gives -EFAULT. Threads with interrupts enabled (a fault
 * may block). @return 0 or -EFAULT (some bytes may have been copied).
 */
int hal_copy_from_user(void *dst, uint64_t usrc, size_t n);
int hal_copy_to_user(uint64_t udst, const void *src, size_t n);

/*
 * Copies the NUL-terminated user string at @usrc into @dst (capacity @cap
 * bytes, NUL included). @return its length (bytes, without the NUL),
 * -EFAULT, or -ENAMETOOLONG when no NUL is found in @cap bytes.
 */
int64_t hal_strncpy_from_user(char *dst, uint64_t usrc, size_t cap);

/*
 * A page fault in kernel mode at a user address: true when it happened in
 * one of the copy routines above, after redirecting @f to the routine's
 * failure exit (the fault could not be resolved).
 */
bool hal_user_fixup(trap_frame_t *f);

/* The instruction at @rip belongs to the user-copy routines. */
bool hal_user_copy_rip(uint64_t rip);

#endif
