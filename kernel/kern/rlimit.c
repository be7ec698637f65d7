/*
 * rlimit.c - the resource limits of a process (see rlimit.h).
 */
#include "rlimit.h"
#include "process.h"
#include "vmm.h"
#include "fdtable.h"
#include "uapi/errno.h"

void rlimit_init(krlimit64_t *rlim)
{
    for (uint32_t i = 0; i < RLIM_NLIMITS; i++)
        rlim[i].rlim_cur = rlim[i].rlim_max = RLIM64_INFINITY;
    rlim[RLIMIT_STACK].rlim_cur = rlim[RLIMIT_STACK].rlim_max = USER_STACK_SIZE;
    rlim[RLIMIT_NOFILE].rlim_cur = rlim[RLIMIT_NOFILE].rlim_max = FD_MAX;
    rlim[RLIMIT_MEMLOCK].rlim_cur = rlim[RLIMIT_MEMLOCK].rlim_max = 8ull << 20; /* MLOCK_LIMIT */
}

void rlimit_get(uint32_t res, krlimit64_t *out)
{
    hal_remote_memcpy(XPTR(local_cxy(), out), PROCESS_FIELD(process_current_xp(), rlim[res]),
                      sizeof(*out));
}

int rlimit_set(uint32_t res, const krlimit64_t *lim, int privileged)
{
    krlimit64_t old;

    if (res >= RLIM_NLIMITS || lim->rlim_cur > lim->rlim_max)
        return -EINVAL;
    rlimit_get(res, &old);
    if (lim->rlim_max > old.rlim_max && !privileged)
        return -EPERM;
    if (res == RLIMIT_NOFILE && lim->rlim_max > FD_MAX)
        return -EPERM;                   /* Linux: above fs.nr_open */
    hal_remote_memcpy(PROCESS_FIELD(process_current_xp(), rlim[res]), XPTR(local_cxy(), lim),
                      sizeof(*lim));
    return 0;
}
