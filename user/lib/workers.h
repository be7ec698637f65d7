/*
 * workers.h - worker threads pinned to clusters, for the user tests that
 * make one address space work from several clusters (vm_coherence.c);
 * header only.
 *
 * A worker pins itself to a cluster (test_pin_to_cluster: sched_setaffinity
 * to the cpus of /sys/devices/system/node/node<k>/cpulist, checked with
 * getcpu), pre-faults its stack, then runs the functions the main thread
 * posts to it (worker_post, worker_wait, worker_call) and parks on a
 * condition variable in between, so that it touches nothing else. A crew
 * is a few workers spread over the clusters, run together (crew_run).
 * Every wait for a worker ends after WORKER_WAIT_SEC seconds, so that a
 * lost wake-up fails a case instead of hanging the suite. On Linux without
 * node information the workers run where Linux puts them.
 *
 * Include with _GNU_SOURCE defined (threadutil.h); diagnostics go through
 * ktap.h.
 */
#ifndef _WORKERS_H_
#define _WORKERS_H_

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "ktap.h"
#include "threadutil.h"

#define WORKER_WAIT_SEC 30      /* deadline of every wait for a worker */
#define CREW_MAX        4       /* workers of a crew at most */

enum { W_IDLE, W_BUSY, W_DONE, W_QUIT };

/* One worker thread (worker_start); the caller's memory. */
struct worker {
	pthread_t th;
	int cluster;                  /* where it runs */
	int started;                  /* 0 starting, 1 running in its cluster, -1 failed */
	int state;                    /* W_*: guarded by mu */
	long (*fn)(void *);
	void *arg;
	long ret;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Touches 32 KiB of stack below the caller: its later calls fault no stack page. */
static void __attribute__((noinline, unused)) worker_prefault_stack(void)
{
	volatile char pad[32 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

/* The worker thread: pins itself, says so, then runs what is posted until told to quit. */
static inline void *worker_main(void *arg)
{
	struct worker *w = arg;
	int pinned = test_pin_to_cluster(w->cluster);

	worker_prefault_stack();
	pthread_mutex_lock(&w->mu);
	w->started = pinned < 0 ? -1 : 1;
	pthread_cond_broadcast(&w->cv);
	for (;;) {
		while (w->state != W_BUSY && w->state != W_QUIT)
			pthread_cond_wait(&w->cv, &w->mu);      /* parked */
		if (w->state == W_QUIT)
			break;
		pthread_mutex_unlock(&w->mu);
		long ret = w->fn(w->arg);
		pthread_mutex_lock(&w->mu);
		w->ret = ret;
		w->state = W_DONE;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * Starts worker @w in cluster @k and waits (WORKER_WAIT_SEC at most) until
 * it runs there. Returns 0, or -1 (and no thread left) when it does not.
 */
static inline int worker_start(struct worker *w, int k)
{
	struct timespec d = test_deadline(WORKER_WAIT_SEC);
	int r = 0;

	memset(w, 0, sizeof(*w));
	w->cluster = k;
	pthread_mutex_init(&w->mu, NULL);
	test_cond_init(&w->cv);
	if (pthread_create(&w->th, NULL, worker_main, w))
		return -1;
	pthread_mutex_lock(&w->mu);
	while (w->started == 0 && r == 0)
		r = pthread_cond_timedwait(&w->cv, &w->mu, &d);
	w->state = w->started == 1 ? W_IDLE : W_QUIT;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->started == 1)
		return 0;
	if (r == 0)
		pthread_join(w->th, NULL);
	return -1;
}

/* Has idle worker @w run @fn(@arg); returns at once (worker_wait() collects it). */
static inline void worker_post(struct worker *w, long (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->state = W_BUSY;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Waits for the posted function: its return value, or -1000 after WORKER_WAIT_SEC. */
static inline long worker_wait(struct worker *w)
{
	struct timespec d = test_deadline(WORKER_WAIT_SEC);
	long ret = -1000;
	int r = 0;

	pthread_mutex_lock(&w->mu);
	while (w->state != W_DONE && r == 0)
		r = pthread_cond_timedwait(&w->cv, &w->mu, &d);
	if (w->state == W_DONE) {
		ret = w->ret;
		w->state = W_IDLE;
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

/* worker_post() then worker_wait(): runs @fn(@arg) in @w's cluster. */
static inline long worker_call(struct worker *w, long (*fn)(void *), void *arg)
{
	worker_post(w, fn, arg);
	return worker_wait(w);
}

/*
 * Tells @w to quit and joins it; a worker still busy (its function timed
 * out) is left behind, not joined.
 */
static inline void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	int busy = w->state == W_BUSY;
	w->state = W_QUIT;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (!busy)                    /* a timed-out worker is left behind */
		pthread_join(w->th, NULL);
}

/* Up to CREW_MAX workers started, run and stopped together. */
struct crew {
	int n;                        /* workers running */
	struct worker w[CREW_MAX];
};

/*
 * The cluster of worker @i of @n on a machine of @nclus clusters: distinct
 * clusters spread over the machine when n <= nclus, round robin otherwise.
 */
static inline int crew_cluster(int i, int n, int nclus)
{
	return nclus >= n ? i * nclus / n : i % nclus;
}

/*
 * Starts @n (<= CREW_MAX) workers, worker i in cluster crew_cluster(i, n,
 * @nclus). Returns 0, or -1 (a KTAP diagnostic says which worker failed)
 * with none left running.
 */
static inline int crew_start(struct crew *c, int n, int nclus)
{
	c->n = 0;
	for (int i = 0; i < n; i++) {
		if (worker_start(&c->w[i], crew_cluster(i, n, nclus)) < 0) {
			ktap_diag("worker %d could not run in cluster %d", i,
				  crew_cluster(i, n, nclus));
			while (c->n > 0)
				worker_stop(&c->w[--c->n]);
			return -1;
		}
		c->n++;
	}
	return 0;
}

/*
 * Runs @fn(@args[i]) on every worker i of @c at once and waits for all.
 * Returns the first non-zero result (in worker order; -1000: timed out), or 0.
 */
static inline long crew_run(struct crew *c, long (*fn)(void *), void *const *args)
{
	long first = 0;

	for (int i = 0; i < c->n; i++)
		worker_post(&c->w[i], fn, args[i]);
	for (int i = 0; i < c->n; i++) {
		long r = worker_wait(&c->w[i]);
		if (r && !first)
			first = r;
	}
	return first;
}

/* Stops every worker of @c (worker_stop). */
static inline void crew_stop(struct crew *c)
{
	for (int i = 0; i < c->n; i++)
		worker_stop(&c->w[i]);
	c->n = 0;
}

#endif /* _WORKERS_H_ */
