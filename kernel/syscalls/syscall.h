/*
 * syscall.h - the Linux x86_64 system-call ABI of Archipel.
 *
 * Numbers are Linux's (arch/x86/entry/syscalls/syscall_64.tbl); arguments
 * come in RDI RSI RDX R10 R8 R9 and the result, or -errno, goes back in
 * RAX. Archipel's private calls start at SYS_ARCHIPEL_BASE (user/include/
 * archipel.h). An unimplemented number returns -ENOSYS and is logged once.
 * Every user pointer goes through hal_copy_from_user / hal_copy_to_user
 * (-EFAULT), never a plain kernel access.
 */
#ifndef _SYSCALL_H_
#define _SYSCALL_H_

#include <stdint.h>
#include "trap.h"

#define SYS_ARCHIPEL_BASE       1000
#define SYS_archipel_fork_place 1000   /* (int cxy): the next fork's child cluster, -1 = DQDT */
#define SYS_archipel_poweroff   1001   /* (int status): PID 1 only */
#define SYS_archipel_counters   1002   /* (struct archipel_counters *) */
#define SYS_archipel_nclusters  1003   /* (): number of clusters */
#define SYS_ARCHIPEL_END        1004

typedef int64_t (*syscall_fn_t)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                uint64_t a4, uint64_t a5);

typedef struct syscall_entry_s {
    syscall_fn_t fn;
    const char  *name;
} syscall_entry_t;

/* Fills the dispatch tables. BSP, once, at boot, before the first user program. */
void syscall_init(void);

/* C entry of SYSCALL (syscall_entry.S): runs the call of @frame->rax, result in @frame->rax. */
void syscall_dispatch(trap_frame_t *frame);

/* The user frame of the calling thread's current system call. */
trap_frame_t *syscall_frame(void);

/* Tables of the two families (Linux numbers), filled in sys_*.c. */
void sys_fs_register(syscall_entry_t *table);
void sys_proc_register(syscall_entry_t *table);
void sys_proc_register_archipel(syscall_entry_t *table);   /* indexed from SYS_ARCHIPEL_BASE */

#define SYSCALL_MAX 512                /* Linux numbers below this */

#endif
