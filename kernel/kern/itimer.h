/*
 * itimer.h - the ITIMER_REAL interval timer of a process (getitimer(2),
 * setitimer(2), alarm(2)).
 *
 * A process's timer (its expiry and reload, in TSC cycles) lives in its
 * reference process_t (process.h), linked while armed in the list of
 * armed timers of the reference cluster (cluster_t.itimer_root, under
 * cluster_t.itimer_lock, RANK_ITIMER). One kernel thread per cluster
 * ("itimer", on the cluster's first core) sleeps until the earliest
 * expiry of its list: the LAPIC tick of that core wakes it (the scheduler
 * ends timed sleeps at the first tick after their deadline, TICK_US), so
 * a timer fires within one tick of its expiry. The thread reloads or
 * disarms each expired timer and sends SIGALRM by process_kill()
 * (signal.h) outside the lock: nothing is sent from the interrupt.
 * Linux re-arms an interval timer when its SIGALRM is dequeued; here it is
 * re-armed when it fires, except when SIGALRM is ignored: then, as on
 * Linux, the timer stops after that expiry (it_interval kept).
 * The timer is the reference cluster's rather than the calling thread's:
 * a process's timer then has one home whatever cluster its threads run
 * in, and the main thread of a process runs there (fork creates it there).
 * fork clears the child's timer, exec keeps it, the end of the process
 * (process_release) cancels it.
 */
#ifndef _ITIMER_H_
#define _ITIMER_H_

#include <stdint.h>
#include "uapi/time.h"

struct cluster_s;
struct core_s;
struct process_s;

/* Boot, by cluster_init(): the lock and the empty list of cluster @cl. */
void itimer_cluster_init(struct cluster_s *cl);

/*
 * Boot, once per cluster on its first core once the scheduler runs:
 * starts the cluster's timer thread. Panics without memory.
 */
void itimer_thread_start(struct core_s *core);

/*
 * setitimer(2) ITIMER_REAL for the calling process: arms the timer with
 * *@val (it_value 0: disarms, it_interval cleared as on Linux) after writing the previous setting in *@old
 * (may be NULL). A user thread, any cluster; takes the itimer lock of the
 * reference cluster. @return 0, or -EINVAL (a negative field, or
 * tv_usec >= 1000000).
 */
int itimer_set(const kitimerval_t *val, kitimerval_t *old);

/*
 * getitimer(2) ITIMER_REAL: the calling process's setting, in *@cur
 * (it_value: the time left; 0 when disarmed). Any cluster; takes the
 * itimer lock of the reference cluster.
 */
void itimer_get(kitimerval_t *cur);

/*
 * The process whose reference is @p (local) ends: its timer is disarmed.
 * In @p's cluster; takes its itimer lock.
 */
void itimer_cancel(struct process_s *p);

#endif
