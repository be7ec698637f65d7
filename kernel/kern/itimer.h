/*
 * itimer.h - the timers of a process: the ITIMER_REAL interval timer
 * (getitimer(2), setitimer(2), alarm(2)) and the POSIX per-process timers
 * (timer_create(2), timer_settime(2), timer_gettime(2), timer_delete(2)).
 *
 * Every timer is an itimer_t in the process's reference process_t
 * (process.h): `itimer` for ITIMER_REAL, `ptimer[]` for the POSIX ones
 * (their timer_t is the index). An armed timer is linked in the list of
 * armed timers of the reference cluster (cluster_t.itimer_root, under
 * cluster_t.itimer_lock, RANK_ITIMER); its fields are written under that
 * lock, by remote access from a thread of another cluster. One kernel
 * thread per cluster ("itimer", on the cluster's first core) sleeps until
 * the earliest expiry of its list: the LAPIC tick of that core wakes it
 * (the scheduler ends timed sleeps at the first tick after their
 * deadline, TICK_US), so a timer fires within one tick of its expiry. The
 * thread re-arms or disarms each expired timer and sends its signal
 * outside the lock (nothing is sent from the interrupt): ITIMER_REAL's by
 * process_kill(), a POSIX timer's with its siginfo (si_code SI_TIMER,
 * si_timerid, si_overrun, si_value) by signal_send_process(), or with
 * SIGEV_THREAD_ID by signal_send_thread() to its thread, in whatever
 * cluster that thread runs (signal.h). The timers are the reference cluster's rather than the
 * calling thread's: a process's timers then have one home whatever
 * cluster its threads run in, and its main thread runs there (fork
 * creates it there).
 *
 * Linux re-arms an interval timer when its signal is dequeued; here it is
 * re-armed when it fires, except an ITIMER_REAL whose SIGALRM is ignored:
 * as on Linux, it stops after that expiry (it_interval kept). fork clears
 * the child's timers; exec keeps ITIMER_REAL and deletes the POSIX timers;
 * the end of the process (process_release) cancels them all.
 */
#ifndef _ITIMER_H_
#define _ITIMER_H_

#include <stdint.h>
#include <stdbool.h>
#include "xlist.h"
#include "uapi/time.h"
#include "uapi/sigevent.h"

#define PTIMER_MAX 16            /* POSIX timers per process (timer_create: EAGAIN beyond) */

struct cluster_s;
struct core_s;
struct process_s;

/* One timer, in a reference process_t; fields under its cluster's itimer lock. */
typedef struct itimer_s {
    xlist_entry_t list;          /* in the reference cluster's armed timers */
    uint64_t      expire;        /* TSC of the next expiry; 0: disarmed */
    uint64_t      interval;      /* its reload, TSC cycles; 0: one shot */
    uint32_t      pid;           /* the process it signals */
    int32_t       sig;           /* its signal; 0: none (SIGEV_NONE) */
    uint32_t      used;          /* ptimer[]: created (timer_create) */
    uint32_t      overrun;       /* expiries missed by the last one (timer_getoverrun) */
    uint32_t      real;          /* the process's ITIMER_REAL */
    uint32_t      clock;         /* a POSIX timer's CLOCK_REALTIME or CLOCK_MONOTONIC */
    uint32_t      tid;           /* a POSIX timer's SIGEV_THREAD_ID target; 0: the process */
    uint32_t      id;            /* a POSIX timer's timer_t (si_timerid) */
    uint64_t      value;         /* a POSIX timer's si_value (sigev_value) */
} itimer_t;

/* Boot, by cluster_init(): the lock and the empty list of cluster @cl. */
void itimer_cluster_init(struct cluster_s *cl);

/*
 * Boot, once per cluster on its first core once the scheduler runs:
 * starts the cluster's timer thread. Panics without memory.
 */
void itimer_thread_start(struct core_s *core);

/*
 * setitimer(2) ITIMER_REAL for the calling process: arms the timer with
 * *@val (it_value 0: disarms, it_interval cleared as on Linux) after
 * writing the previous setting in *@old (may be NULL). A user thread, any
 * cluster; takes the itimer lock of the reference cluster. @return 0, or
 * -EINVAL (a negative field, or tv_usec >= 1000000).
 */
int itimer_set(const kitimerval_t *val, kitimerval_t *old);

/*
 * getitimer(2) ITIMER_REAL: the calling process's setting, in *@cur
 * (it_value: the time left; 0 when disarmed). Any cluster; takes the
 * itimer lock of the reference cluster.
 */
void itimer_get(kitimerval_t *cur);

/*
 * timer_create(2) for the calling process on clock @clock with the
 * notification *@ev (NULL: SIGALRM). Any cluster; takes the itimer lock
 * of the reference cluster. @return the timer id (0..PTIMER_MAX-1), or
 * -EINVAL (a clock other than CLOCK_REALTIME / CLOCK_MONOTONIC, a bad
 * signal, SIGEV_THREAD_ID or another notify type), -EAGAIN (no free slot).
 */
int ptimer_create(uint64_t clock, const ksigevent_t *ev);

/*
 * timer_settime(2): arms timer @id with *@val (absolute on its clock with
 * TIMER_ABSTIME in @flags; it_value 0 disarms) after writing the previous
 * setting in *@old (may be NULL). timer_gettime(2): its setting in *@cur.
 * timer_delete(2): deletes it. timer_getoverrun(2): its overrun count.
 * Any cluster; take the itimer lock of the reference cluster.
 * @return 0 (the count for getoverrun), or -EINVAL (no such timer, a bad
 * time).
 */
int ptimer_settime(int64_t id, uint64_t flags, const kitimerspec_t *val, kitimerspec_t *old);
int ptimer_gettime(int64_t id, kitimerspec_t *cur);
int ptimer_delete(int64_t id);
int ptimer_getoverrun(int64_t id);

/*
 * exec: the POSIX timers of the process whose reference is @p (local) are
 * deleted (ITIMER_REAL stays). In @p's cluster; takes its itimer lock.
 */
void itimer_exec(struct process_s *p);

/*
 * The process whose reference is @p (local) ends: every timer of it is
 * disarmed. In @p's cluster; takes its itimer lock.
 */
void itimer_cancel(struct process_s *p);

#endif
