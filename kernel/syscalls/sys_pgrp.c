/*
 * sys_pgrp.c - system calls of process groups, sessions (pgrp.h) and the
 * timers of a process (itimer.h) (Linux x86_64 ABI; see syscall.h).
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "pgrp.h"
#include "itimer.h"
#include "hal_user.h"
#include "uapi/errno.h"
#include "uapi/time.h"
#include "uapi/sigevent.h"
#include <stddef.h>

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

/* ---- ITIMER_REAL (man 2 getitimer, man 2 alarm) ----------------------------------- */

static int64_t sys_getitimer(ARGS)
{
    kitimerval_t cur;

    if ((int32_t)a0 != ITIMER_REAL)
        return -EINVAL;                  /* ITIMER_VIRTUAL and ITIMER_PROF: not implemented */
    itimer_get(&cur);
    return hal_copy_to_user(a1, &cur, sizeof(cur)) ? -EFAULT : 0;
}

static int64_t sys_setitimer(ARGS)
{
    kitimerval_t val = { { 0, 0 }, { 0, 0 } }, old;
    int rc;

    if ((int32_t)a0 != ITIMER_REAL)
        return -EINVAL;
    /* Linux (kernel/time/itimer.c) takes a NULL new value as a zero one: disarm */
    if (a1 && hal_copy_from_user(&val, a1, sizeof(val)))
        return -EFAULT;
    rc = itimer_set(&val, &old);
    if (rc == 0 && a2 && hal_copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return rc;
}

/* alarm(2): seconds, 0 cancels; returns the seconds left of the previous alarm, rounded */
static int64_t sys_alarm(ARGS)
{
    kitimerval_t val = { { 0, 0 }, { (int64_t)(uint32_t)a0, 0 } }, old;

    itimer_set(&val, &old);
    /* Linux's alarm_setitimer: never 0 for an armed timer; >= .5 s rounds up */
    if ((old.it_value.tv_sec == 0 && old.it_value.tv_usec) || old.it_value.tv_usec >= 500000)
        old.it_value.tv_sec++;
    return old.it_value.tv_sec;
}

/* ---- POSIX timers (man 2 timer_create, timer_settime, timer_delete) ---------------- */

static int64_t sys_timer_create(ARGS)
{
    ksigevent_t ev;
    int32_t id;

    /* the fields used (libc's struct may be only that long: musl's ksigevent is) */
    if (a1 && hal_copy_from_user(&ev, a1, offsetof(ksigevent_t, pad)))
        return -EFAULT;
    if (!hal_user_range_ok(a2, sizeof(id)))
        return -EFAULT;
    id = ptimer_create(a0, a1 ? &ev : NULL);
    if (id >= 0 && hal_copy_to_user(a2, &id, sizeof(id))) {
        ptimer_delete(id);
        return -EFAULT;
    }
    return id < 0 ? id : 0;
}

static int64_t sys_timer_settime(ARGS)
{
    kitimerspec_t val, old;
    int rc;

    if (a1 & ~(uint64_t)TIMER_ABSTIME)
        return -EINVAL;
    if (hal_copy_from_user(&val, a2, sizeof(val)))
        return -EFAULT;
    rc = ptimer_settime((int64_t)(int32_t)a0, a1, &val, &old);
    if (rc == 0 && a3 && hal_copy_to_user(a3, &old, sizeof(old)))
        return -EFAULT;
    return rc;
}

static int64_t sys_timer_gettime(ARGS)
{
    kitimerspec_t cur;
    int rc = ptimer_gettime((int64_t)(int32_t)a0, &cur);

    if (rc == 0 && hal_copy_to_user(a1, &cur, sizeof(cur)))
        return -EFAULT;
    return rc;
}

static int64_t sys_timer_getoverrun(ARGS)
{
    return ptimer_getoverrun((int64_t)(int32_t)a0);
}

static int64_t sys_timer_delete(ARGS)
{
    return ptimer_delete((int64_t)(int32_t)a0);
}

void sys_pgrp_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(setpgid);
    SYSCALL_ENTRY(getpgid);
    SYSCALL_ENTRY(getpgrp);
    SYSCALL_ENTRY(setsid);
    SYSCALL_ENTRY(getsid);
    SYSCALL_ENTRY(getitimer);
    SYSCALL_ENTRY(setitimer);
    SYSCALL_ENTRY(alarm);
    SYSCALL_ENTRY(timer_create);
    SYSCALL_ENTRY(timer_settime);
    SYSCALL_ENTRY(timer_gettime);
    SYSCALL_ENTRY(timer_getoverrun);
    SYSCALL_ENTRY(timer_delete);
}
