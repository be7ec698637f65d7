/*
 * threads_max.c - thread exhaustion gives an error, never a hang (issue 17):
 * a process creates threads (small stacks, each parked in sem_wait) until
 * pthread_create(3) fails; on Archipel it must fail with EAGAIN (clone(2)
 * at the TID limit: a process's TIDs come from its owner cluster's PID
 * table, PROCESS_MAX - 1 = 1023 entries shared with the PIDs of that
 * cluster, kernel/kern/pid.h), and so must a fork placed in that cluster
 * meanwhile. Then every thread is released and joined,
 * and the freed TIDs can be used again (AGAIN threads, at the limit). On Linux the limits are far higher:
 * the loop stops at THREADS_CAP without an error, which is fine there.
 * Pages: init's leak check after the program covers them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define THREADS_CAP   4096       /* stop there without an error (Linux) */
#define THREAD_STACK  16384      /* bytes of each thread's stack, carved from one mapping */
#define AGAIN         64         /* threads created again once all are joined */

static sem_t go;

static void *parked(void *arg)
{
	while (sem_wait(&go) != 0 && errno == EINTR)
		;
	return arg;
}

static int t_create_until_eagain_then_join(void)
{
	pthread_t *th = calloc(THREADS_CAP, sizeof(*th));
	pthread_attr_t at;
	int archipel, n = 0, err = 0;
	char *stacks;

	test_clusters(&archipel);
	KTAP_CHECK(th != NULL);
	KTAP_CHECK(sem_init(&go, 0, 0) == 0);
	KTAP_CHECK(pthread_attr_init(&at) == 0);
	/* the stacks are carved out of one mapping: no mmap per thread, so the
	   cost of a creation does not grow with the number of vsegs */
	stacks = mmap(NULL, (size_t)THREADS_CAP * THREAD_STACK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_CHECK(stacks != MAP_FAILED);
	for (; n < THREADS_CAP; n++) {
		KTAP_CHECK(pthread_attr_setstack(&at, stacks + (size_t)n * THREAD_STACK,
						 THREAD_STACK) == 0);
		err = pthread_create(&th[n], &at, parked, (void *)(intptr_t)(n + 1));
		if (err)
			break;
	}
	ktap_diag("%d threads created, then %s", n, err ? strerror(err) : "the cap");
	/* the owner cluster's table is full: a fork placed there fails too, at once */
	int fork_errno = 0;
	if (archipel && err == EAGAIN) {
		pid_t c = test_fork_in(getpid() >> 16);

		fork_errno = c < 0 ? errno : 0;
		if (c == 0)
			_exit(0);
		if (c > 0)
			test_wait(c);
	}
	/* release and join them all, whatever the outcome, before any check */
	for (int i = 0; i < n; i++)
		KTAP_CHECK(sem_post(&go) == 0);
	int bad = 0;
	for (int i = 0; i < n; i++) {
		void *ret;

		if (pthread_join(th[i], &ret) != 0 || ret != (void *)(intptr_t)(i + 1))
			bad++;
	}
	KTAP_CHECKF(bad == 0, "%d of %d threads not joined with their value", bad, n);
	if (archipel) {
		KTAP_CHECKF(err == EAGAIN, "pthread_create failed with %d (%s), expected EAGAIN",
			    err, strerror(err));
		KTAP_CHECKF(n >= 100, "only %d threads before EAGAIN", n);
		KTAP_CHECKF(fork_errno == EAGAIN, "fork into the full cluster: errno %d, expected "
			    "EAGAIN", fork_errno);
	} else {
		KTAP_CHECKF(err == 0 || err == EAGAIN, "pthread_create: %s", strerror(err));
	}
	/* the TIDs came back: the table was full, threads can be created again */
	int again = 0, want = n < AGAIN ? n : AGAIN;
	for (; again < want; again++) {
		KTAP_CHECK(pthread_attr_setstack(&at, stacks + (size_t)again * THREAD_STACK,
						 THREAD_STACK) == 0);
		if (pthread_create(&th[again], &at, parked, NULL) != 0)
			break;
	}
	for (int i = 0; i < again; i++)
		KTAP_CHECK(sem_post(&go) == 0);
	for (int i = 0; i < again; i++)
		KTAP_CHECK(pthread_join(th[i], NULL) == 0);
	KTAP_CHECKF(again == want, "only %d of %d threads the second time", again, want);
	pthread_attr_destroy(&at);
	munmap(stacks, (size_t)THREADS_CAP * THREAD_STACK);
	sem_destroy(&go);
	free(th);
	return KTAP_PASS;
}

/* A number read from a /proc file, or -1. */
static long proc_number(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t r = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return r > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * proc(5)'s /proc/sys/kernel/threads-max and pid_max are there; on Archipel
 * they say what the PID tables hold: 1023 entries per cluster, PIDs below
 * (last cluster << 16 | 1023) + 1.
 */
static int t_threads_max_and_pid_max(void)
{
	int archipel, n = test_clusters(&archipel);
	long tmax = proc_number("/proc/sys/kernel/threads-max");
	long pmax = proc_number("/proc/sys/kernel/pid_max");

	KTAP_CHECKF(tmax > 0 && pmax > 0, "threads-max %ld, pid_max %ld", tmax, pmax);
	KTAP_CHECKF(getpid() < pmax, "pid %d, pid_max %ld", getpid(), pmax);
	if (archipel) {
		KTAP_CHECKF(tmax == 1023L * n, "threads-max %ld with %d clusters", tmax, n);
		KTAP_CHECKF(pmax == ((long)(n - 1) << 16 | 1023) + 1, "pid_max %ld", pmax);
	}
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_threads_max_and_pid_max),
	KTAP_CASE(t_create_until_eagain_then_join),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
