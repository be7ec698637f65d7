/*
 * sys_rlimit.c - prlimit64, getrlimit, setrlimit (Linux x86_64 ABI; see
 * syscall.h and rlimit.h; man 2 getrlimit). Only the caller's own limits:
 * another process's pid is -ESRCH.
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "rlimit.h"
#include "cred.h"
#include "process.h"
#include "hal_user.h"
#include "uapi/errno.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

/* Limit @res: the old value to user @uold (if not 0), then the new one from @unew (if not 0). */
static int64_t do_rlimit(uint64_t res, uint64_t unew, uint64_t uold)
{
    krlimit64_t lim, old;
    cred_t c;

    if (res >= RLIM_NLIMITS)
        return -EINVAL;
    if (unew && hal_copy_from_user(&lim, unew, sizeof(lim)))
        return -EFAULT;
    rlimit_get((uint32_t)res, &old);
    if (unew) {
        int rc;

        cred_get(&c);
        rc = rlimit_set((uint32_t)res, &lim, c.euid == 0);
        if (rc)
            return rc;
    }
    if (uold && hal_copy_to_user(uold, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

static int64_t sys_prlimit64(ARGS)
{
    if (a0 != 0 && a0 != process_current_pid())
        return -ESRCH;
    return do_rlimit(a1, a2, a3);
}

static int64_t sys_getrlimit(ARGS) { return do_rlimit(a0, 0, a1); }
static int64_t sys_setrlimit(ARGS) { return do_rlimit(a0, a1, 0); }

void sys_rlimit_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(prlimit64);
    SYSCALL_ENTRY(getrlimit);
    SYSCALL_ENTRY(setrlimit);
}
