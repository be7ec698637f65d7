/*
 * uapi/time_types.h - struct timespec of clock_gettime(2), nanosleep(2),
 * clock_nanosleep(2) and futex(2) timeouts.
 *
 * From Linux's include/uapi/linux/time_types.h (struct __kernel_timespec,
 * the x86_64 struct timespec). tests/host/test_uapi.c checks its layout
 * against the system's <linux/time_types.h>.
 */
#ifndef _UAPI_TIME_TYPES_H_
#define _UAPI_TIME_TYPES_H_

#include <stdint.h>

/* struct timespec, 16 bytes */
typedef struct ktimespec_s {
    int64_t tv_sec;
    int64_t tv_nsec;             /* nanoseconds, 0..999999999 */
} ktimespec_t;

#endif
