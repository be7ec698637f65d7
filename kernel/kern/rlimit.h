/*
 * rlimit.h - the resource limits of a process (man 2 getrlimit).
 *
 * One table per process, in the reference process_t (process_t.rlim),
 * reached by remote access from any cluster; PID 1 starts with Linux's
 * defaults where this kernel has a fixed size (RLIMIT_STACK: the 8 MiB
 * stack exec maps, soft and hard; RLIMIT_NOFILE: FD_MAX, the size of the
 * descriptor table; RLIMIT_MEMLOCK: Linux's 8 MiB MLOCK_LIMIT) and
 * RLIM64_INFINITY elsewhere; fork copies the table,
 * exec keeps it. The limits are stored and checked with Linux's rules
 * (soft <= hard; raising a hard limit needs privilege; RLIMIT_NOFILE's
 * hard limit cannot exceed FD_MAX) but not enforced yet: the stack, the
 * descriptor table and the address space keep their own fixed sizes.
 */
#ifndef _RLIMIT_H_
#define _RLIMIT_H_

#include <stdint.h>
#include "uapi/resource.h"

/* Fills @rlim (RLIM_NLIMITS entries) with PID 1's limits. Any cluster. */
void rlimit_init(krlimit64_t *rlim);

/* Copies the calling process's limit @res into @out (remote read of the reference). */
void rlimit_get(uint32_t res, krlimit64_t *out);

/*
 * Sets the calling process's limit @res to @lim, privileged when
 * @privileged (effective user ID 0). @return 0, or -EINVAL (soft above
 * hard, @res out of range), -EPERM (a hard limit raised without privilege,
 * or RLIMIT_NOFILE above FD_MAX).
 */
int rlimit_set(uint32_t res, const krlimit64_t *lim, int privileged);

#endif
