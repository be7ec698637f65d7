/*
 * uapi/sigevent.h - struct sigevent of timer_create(2) and its notify
 * types (man 7 sigevent).
 *
 * From Linux's include/uapi/asm-generic/siginfo.h (x86_64 uses the generic
 * one). tests/host/test_uapi.c checks every value and layout against the
 * system's <asm-generic/siginfo.h>.
 */
#ifndef _UAPI_SIGEVENT_H_
#define _UAPI_SIGEVENT_H_

#include <stdint.h>

#define SIGEV_SIGNAL    0        /* notify with signal sigev_signo */
#define SIGEV_NONE      1        /* no notification */
#define SIGEV_THREAD    2        /* a thread (libc's business: it never reaches the kernel) */
#define SIGEV_THREAD_ID 4        /* the signal to thread sigev_tid (of the calling process) */

/* struct sigevent, 64 bytes */
typedef struct ksigevent_s {
    uint64_t sigev_value;        /* sigval_t: the si_value of the signal */
    int32_t  sigev_signo;
    int32_t  sigev_notify;       /* SIGEV_* */
    int32_t  sigev_tid;          /* SIGEV_THREAD_ID: the target thread (_sigev_un._tid) */
    int32_t  pad[11];
} ksigevent_t;

#endif
