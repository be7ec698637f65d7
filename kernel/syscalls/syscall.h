/*
 * syscall.h - the Linux x86_64 system-call ABI of Archipel.
 *
 * Numbers are Linux's, __NR_<name> of uapi/unistd_64.h (Linux's
 * arch/x86/entry/syscalls/syscall_64.tbl); arguments come in RDI RSI RDX
 * R10 R8 R9 and the result, or -errno, goes back in RAX. Archipel's private
 * calls start at SYS_ARCHIPEL_BASE (uapi/archipel.h, user/include/
 * archipel.h). An unimplemented number returns -ENOSYS and is logged once
 * with its Linux name. Every user pointer goes through hal_copy_from_user /
 * hal_copy_to_user (-EFAULT), never a plain kernel access.
 */
#ifndef _SYSCALL_H_
#define _SYSCALL_H_

#include <stdint.h>
#include "trap.h"
#include "uapi/unistd_64.h"
#include "uapi/archipel.h"

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
void sys_pgrp_register(syscall_entry_t *table);    /* process groups, sessions, ITIMER_REAL */
void sys_attr_register(syscall_entry_t *table);    /* chmod, chown, umask, truncate, statfs */
void sys_cred_register(syscall_entry_t *table);    /* user and group IDs (cred.h) */
void sys_rlimit_register(syscall_entry_t *table);  /* resource limits (rlimit.h) */
void sys_mm_register(syscall_entry_t *table);      /* msync, mlock, munlock */
void sys_proc_register_archipel(syscall_entry_t *table);   /* indexed from SYS_ARCHIPEL_BASE */

#define SYSCALL_MAX 512                /* Linux numbers below this */

/*
 * Registration, in the sys_*_register() functions above (their parameter
 * is `table`). Each entry is named after its handler without the sys_
 * prefix: the name a debugger shows.
 *   SYSCALL_ENTRY(mmap)           table[__NR_mmap] = sys_mmap, "mmap"
 *   SYSCALL_ENTRY_AS(lstat, stat) table[__NR_lstat] = sys_stat, "stat": a
 *                                 call served by another call's handler
 *   SYSCALL_ENTRY_ARCHIPEL(nclusters)  table[SYS_archipel_nclusters -
 *                                 SYS_ARCHIPEL_BASE] = sys_archipel_nclusters,
 *                                 "archipel_nclusters": a private call
 */
#define SYSCALL_ENTRY(name)        SYSCALL_ENTRY_AS(name, name)
#define SYSCALL_ENTRY_AS(name, fn) (table[__NR_##name] = (syscall_entry_t){ sys_##fn, #fn })
#define SYSCALL_ENTRY_ARCHIPEL(name)                                              \
    (table[SYS_archipel_##name - SYS_ARCHIPEL_BASE] =                             \
         (syscall_entry_t){ sys_archipel_##name, "archipel_" #name })

#endif
