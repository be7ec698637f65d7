/*
 * uapi/resource.h - resource limits of prlimit64(2), and the struct rusage
 * of wait4(2) and waitid(2).
 *
 * From Linux's include/uapi/asm-generic/resource.h (RLIMIT_*,
 * RLIM_NLIMITS; x86_64 uses the generic values) and
 * include/uapi/linux/resource.h (struct rlimit64, RLIM64_INFINITY).
 * tests/host/test_uapi.c checks every value and the layout against the
 * system's <linux/resource.h>.
 */
#ifndef _UAPI_RESOURCE_H_
#define _UAPI_RESOURCE_H_

#include <stdint.h>

#define RLIMIT_STACK    3        /* bytes of the main thread's stack */
#define RLIMIT_NOFILE   7        /* one more than the highest file descriptor */
#define RLIMIT_MEMLOCK  8        /* bytes that may be locked in memory (mlock) */
#define RLIM_NLIMITS    16       /* resources are 0..RLIM_NLIMITS-1 */
#define RLIM64_INFINITY (~0ull)  /* no limit */

/* struct rlimit64, 16 bytes */
typedef struct krlimit64_s {
    uint64_t rlim_cur;           /* soft limit */
    uint64_t rlim_max;           /* hard limit */
} krlimit64_t;

/* struct rusage (<linux/resource.h>), 144 bytes: two struct timeval, then 14 longs */
typedef struct krusage_s {
    int64_t ru_utime[2];         /* user time: seconds, microseconds */
    int64_t ru_stime[2];         /* system time: seconds, microseconds */
    int64_t ru_maxrss;           /* then ru_ixrss ... ru_nivcsw, in this order */
    int64_t ru_rest[13];
} krusage_t;

#endif
