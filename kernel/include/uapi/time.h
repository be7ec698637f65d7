/*
 * uapi/time.h - clock identifiers, clock_nanosleep(2) flags, the
 * gettimeofday(2) structures and getitimer(2)'s timers.
 *
 * From Linux's include/uapi/linux/time.h. struct timespec of
 * clock_gettime(2) and nanosleep(2) is in uapi/time_types.h.
 * tests/host/test_uapi.c checks every value and layout against the
 * system's <linux/time.h>.
 */
#ifndef _UAPI_TIME_H_
#define _UAPI_TIME_H_

#include <stdint.h>
#include "time_types.h"

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7

#define TIMER_ABSTIME 1          /* clock_nanosleep(2): the time is absolute */

/* struct timeval, 16 bytes */
typedef struct ktimeval_s {
    int64_t tv_sec;
    int64_t tv_usec;             /* microseconds, 0..999999 */
} ktimeval_t;

/* getitimer(2) / setitimer(2): which timer */
#define ITIMER_REAL    0         /* real time: SIGALRM */
#define ITIMER_VIRTUAL 1         /* user CPU time: SIGVTALRM (not implemented: EINVAL) */
#define ITIMER_PROF    2         /* user + system CPU time: SIGPROF (not implemented: EINVAL) */

/* struct itimerval, 32 bytes */
typedef struct kitimerval_s {
    ktimeval_t it_interval;      /* reload after each expiry; 0: one shot */
    ktimeval_t it_value;         /* time to the next expiry; 0: disarmed */
} kitimerval_t;

/* struct itimerspec of timer_settime(2), 32 bytes (struct timespec: uapi/time_types.h) */
typedef struct kitimerspec_s {
    ktimespec_t it_interval;
    ktimespec_t it_value;
} kitimerspec_t;

/* struct timezone, 8 bytes */
typedef struct ktimezone_s {
    int32_t tz_minuteswest;      /* minutes west of Greenwich */
    int32_t tz_dsttime;          /* type of DST correction */
} ktimezone_t;

#endif
