/*
 * sys_pgrp.c - system calls of process groups and sessions (pgrp.h)
 * (Linux x86_64 ABI; see syscall.h).
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "pgrp.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

/* ---- process groups and sessions (man 2 setpgid, man 2 setsid, man 2 getsid) ------ */

static int64_t sys_setpgid(ARGS)
{
    return pgrp_setpgid((int64_t)(int32_t)a0, (int64_t)(int32_t)a1);
}

static int64_t sys_getpgid(ARGS)
{
    return pgrp_getpgid((int64_t)(int32_t)a0);
}

static int64_t sys_getpgrp(ARGS)
{
    return pgrp_getpgid(0);
}

static int64_t sys_setsid(ARGS)
{
    return pgrp_setsid();
}

static int64_t sys_getsid(ARGS)
{
    return pgrp_getsid((int64_t)(int32_t)a0);
}

void sys_pgrp_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(setpgid);
    SYSCALL_ENTRY(getpgid);
    SYSCALL_ENTRY(getpgrp);
    SYSCALL_ENTRY(setsid);
    SYSCALL_ENTRY(getsid);
}
