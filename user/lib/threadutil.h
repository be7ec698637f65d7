/*
 * threadutil.h - helpers of the user tests that run threads in several
 * clusters (threads.c, vm_coherence.c); header only.
 *
 * Placement: pin the calling thread to a cluster and check that it runs
 * there. Waiting: condition variables on CLOCK_MONOTONIC and deadlines on
 * that clock, so that a lost wake-up fails a case after a bounded time
 * instead of hanging the suite. Include with _GNU_SOURCE defined (cpu_set_t,
 * sched_setaffinity). On Linux the threads stay where they are when sysfs
 * has no node information.
 */
#ifndef _THREADUTIL_H_
#define _THREADUTIL_H_

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "archipel.h"
#include "nodeutil.h"
#include "testutil.h"

/*
 * Move the calling thread into cluster @k (all its cpus, from
 * /sys/devices/system/node/node<k>/cpulist) and check with getcpu that it
 * runs there. Returns 1 (pinned and verified), 0 (Linux without node
 * information: not pinned) or -1 (failed).
 */
static inline int test_pin_to_cluster(int k)
{
	cpu_set_t set;

	if (node_cpus(k, &set) <= 0)
		return test_nclusters() > 0 ? -1 : 0;
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return archipel_cluster() == k ? 1 : -1;
}

/* pthread_cond_init(@cv) on CLOCK_MONOTONIC, the clock of test_deadline(). */
static inline int test_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int r;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	r = pthread_cond_init(cv, &attr);
	pthread_condattr_destroy(&attr);
	return r;
}

/* now + @sec seconds on CLOCK_MONOTONIC: the deadline of a timed wait. */
static inline struct timespec test_deadline(int sec)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += sec;
	return t;
}

/* True once CLOCK_MONOTONIC has reached the deadline @d. */
static inline int test_expired(const struct timespec *d)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > d->tv_sec || (t.tv_sec == d->tv_sec && t.tv_nsec >= d->tv_nsec);
}

#endif /* _THREADUTIL_H_ */
