/*
 * threads.c - POSIX threads across clusters: one thread per cluster created
 * and joined, a mutex-protected counter, condition variables (ping-pong
 * between two clusters, a broadcast to every cluster), futexes (errors and
 * timeouts, a wake and a requeue across clusters, a process-shared futex in
 * MAP_SHARED memory), the exit of one thread versus exit_group, CPU affinity
 * (pinning moves a thread, the mask is inherited, pinning another thread,
 * errors), thread ids and thread-local storage.
 *
 * Thread i goes to cluster i % nclusters: it pins itself with
 * sched_setaffinity(0, ...) to the cpus of
 * /sys/devices/system/node/node<k>/cpulist, and getcpu(2) must then say it
 * runs in node k. On Linux everything runs in node 0 and the Archipel-only
 * checks are skipped. Every wait has a deadline (WAIT_SEC), so a lost wake-up
 * fails the case instead of hanging the suite.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "nodeutil.h"
#include "threadutil.h"

#define PAGE      4096
#define WAIT_SEC  20            /* deadline of every wait for another thread */
#define MAXT      64            /* threads per case at most (one per cluster) */

/* futex(2) operations (musl has no <linux/futex.h>) */
#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_WAIT_PRIVATE    (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE    (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)

static int nclus;               /* clusters: archipel_nclusters() on Archipel, else 1 */
static int archipel;            /* running on Archipel */

/* ---- helpers ---------------------------------------------------------------- */

/* Cluster of the i-th thread of a case. */
static int cluster_of(int i)
{
	return i % nclus;
}

/*
 * With mu held: wait on cv until cond holds. 0, or ETIMEDOUT if the wait
 * reached its deadline (WAIT_SEC), even if cond holds by then: a wait that
 * long is a lost wake-up.
 */
#define WAIT_UNTIL(cv, mu, cond) __extension__ ({                              \
	struct timespec d_ = test_deadline(WAIT_SEC);                          \
	int r_ = 0;                                                            \
	while (!(cond) && r_ == 0)                                             \
		r_ = pthread_cond_timedwait(cv, mu, &d_);                      \
	r_;                                                                    \
})

static long futex(void *uaddr, int op, int val, const struct timespec *ts, void *uaddr2)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, 0);  /* val3 0: CMP_REQUEUE's */
}

static pid_t sys_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Number of threads for "one per cluster" cases that need at least @min. */
static int per_cluster(int min)
{
	return nclus < min ? min : nclus > MAXT ? MAXT : nclus;
}

/* ---- create and join ----------------------------------------------------------- */

#define RET_MAGIC 0x7e5a0000L

static void *t_create_join_thread(void *arg)
{
	int k = (int)(intptr_t)arg;

	if (test_pin_to_cluster(k) < 0)
		return (void *)-1L;
	sched_yield();
	if (archipel && archipel_cluster() != k)          /* and it stays there */
		return (void *)-2L;
	return (void *)(RET_MAGIC + k);
}

static int t_create_join_per_cluster(void)
{
	pthread_t th[MAXT];
	int n = per_cluster(1);

	for (int i = 0; i < n; i++)
		KTAP_CHECKF(pthread_create(&th[i], NULL, t_create_join_thread,
					   (void *)(intptr_t)cluster_of(i)) == 0,
			    "pthread_create of thread %d failed", i);
	int bad = -1;
	long got = 0;
	for (int i = 0; i < n; i++) {
		void *ret = NULL;
		KTAP_CHECK(pthread_join(th[i], &ret) == 0);
		if ((long)ret != RET_MAGIC + cluster_of(i) && bad < 0) {
			bad = i;
			got = (long)ret;
		}
	}
	KTAP_CHECKF(bad < 0, "thread %d (cluster %d) returned %ld (-1: not running in its "
		    "cluster after sched_setaffinity, -2: left it)", bad, cluster_of(bad), got);
	return KTAP_PASS;
}

/* ---- mutex ---------------------------------------------------------------------------- */

#define MUTEX_ITERS 500

static struct {
	pthread_mutex_t mu;
	pthread_barrier_t start;
	volatile long counter;
	atomic_int inside;            /* threads between lock and unlock */
	atomic_int overlaps;          /* times a thread found another inside */
} mx;

static void *t_mutex_thread(void *arg)
{
	int k = (int)(intptr_t)arg;
	int pinned = test_pin_to_cluster(k);

	pthread_barrier_wait(&mx.start);
	if (pinned < 0)
		return (void *)-1L;
	for (int i = 0; i < MUTEX_ITERS; i++) {
		pthread_mutex_lock(&mx.mu);
		if (atomic_fetch_add(&mx.inside, 1) != 0)
			atomic_fetch_add(&mx.overlaps, 1);
		long v = mx.counter;
		if (i % 8 == 0)
			sched_yield();      /* let the others try: they must block */
		mx.counter = v + 1;
		atomic_fetch_sub(&mx.inside, 1);
		pthread_mutex_unlock(&mx.mu);
	}
	return NULL;
}

static int t_mutex_counter(void)
{
	pthread_t th[MAXT];
	int n = per_cluster(2), failed = 0;

	pthread_mutex_init(&mx.mu, NULL);
	pthread_barrier_init(&mx.start, NULL, (unsigned)n);
	mx.counter = 0;
	atomic_store(&mx.overlaps, 0);
	for (int i = 0; i < n; i++)
		KTAP_CHECK(pthread_create(&th[i], NULL, t_mutex_thread,
					  (void *)(intptr_t)cluster_of(i)) == 0);
	for (int i = 0; i < n; i++) {
		void *ret;
		KTAP_CHECK(pthread_join(th[i], &ret) == 0);
		failed += ret != NULL;
	}
	pthread_barrier_destroy(&mx.start);
	KTAP_CHECKF(failed == 0, "%d thread(s) not in their cluster", failed);
	KTAP_CHECKF(atomic_load(&mx.overlaps) == 0, "%d times two threads held the mutex",
		    atomic_load(&mx.overlaps));
	KTAP_CHECKF(mx.counter == (long)n * MUTEX_ITERS, "counter %ld, expected %ld",
		    mx.counter, (long)n * MUTEX_ITERS);
	return KTAP_PASS;
}

/* ---- condition variables ------------------------------------------------------------- */

#define PINGPONG_ROUNDS 100

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv[2];
	int turn;                     /* whose turn: 0 or 1 */
	int exchanges;
} pp;

/* Side s waits for its turn, hands it over, PINGPONG_ROUNDS times. */
static void *t_pingpong_thread(void *arg)
{
	int s = (int)(intptr_t)arg, k = s ? test_other_cluster() : archipel_cluster();
	long err = 0;

	if (!archipel)
		k = 0;
	if (test_pin_to_cluster(k) < 0)
		return (void *)1L;
	pthread_mutex_lock(&pp.mu);
	for (int r = 0; r < PINGPONG_ROUNDS && !err; r++) {
		if (WAIT_UNTIL(&pp.cv[s], &pp.mu, pp.turn == s)) {
			err = 2;
			break;
		}
		pp.turn = !s;
		pp.exchanges++;
		pthread_cond_signal(&pp.cv[!s]);
	}
	pthread_mutex_unlock(&pp.mu);
	if (!err && archipel && archipel_cluster() != k)
		err = 3;
	return (void *)err;
}

static int t_condvar_pingpong(void)
{
	pthread_t th[2];
	void *ret[2];

	pthread_mutex_init(&pp.mu, NULL);
	test_cond_init(&pp.cv[0]);
	test_cond_init(&pp.cv[1]);
	pp.turn = 0;
	pp.exchanges = 0;
	for (int s = 0; s < 2; s++)
		KTAP_CHECK(pthread_create(&th[s], NULL, t_pingpong_thread, (void *)(intptr_t)s)
			   == 0);
	for (int s = 0; s < 2; s++)
		KTAP_CHECK(pthread_join(th[s], &ret[s]) == 0);
	for (int s = 0; s < 2; s++)
		KTAP_CHECKF(ret[s] == NULL, "side %d: %ld (1: pinning failed, 2: no wake-up "
			    "within %d s after %d exchanges, 3: left its cluster)", s,
			    (long)ret[s], WAIT_SEC, pp.exchanges);
	KTAP_CHECK(pp.exchanges == 2 * PINGPONG_ROUNDS);
	return KTAP_PASS;
}

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv, arrived_cv;
	int arrived, go, woken;
} bc;

static void *t_broadcast_thread(void *arg)
{
	int k = (int)(intptr_t)arg;
	long err = 0;

	if (test_pin_to_cluster(k) < 0)
		err = 1;
	pthread_mutex_lock(&bc.mu);
	bc.arrived++;
	pthread_cond_signal(&bc.arrived_cv);
	if (WAIT_UNTIL(&bc.cv, &bc.mu, bc.go))     /* all wait here when go is set */
		err = 2;
	else
		bc.woken++;
	pthread_mutex_unlock(&bc.mu);
	return (void *)err;
}

static int t_condvar_broadcast(void)
{
	pthread_t th[MAXT];
	int n = per_cluster(2), bad = 0;

	pthread_mutex_init(&bc.mu, NULL);
	test_cond_init(&bc.cv);
	test_cond_init(&bc.arrived_cv);
	bc.arrived = bc.go = bc.woken = 0;
	for (int i = 0; i < n; i++)
		KTAP_CHECK(pthread_create(&th[i], NULL, t_broadcast_thread,
					  (void *)(intptr_t)cluster_of(i)) == 0);
	pthread_mutex_lock(&bc.mu);
	int r = WAIT_UNTIL(&bc.arrived_cv, &bc.mu, bc.arrived == n);
	bc.go = 1;                  /* each arrived thread is now queued on bc.cv */
	pthread_cond_broadcast(&bc.cv);
	pthread_mutex_unlock(&bc.mu);
	for (int i = 0; i < n; i++) {
		void *ret;
		KTAP_CHECK(pthread_join(th[i], &ret) == 0);
		bad += ret != NULL;
	}
	KTAP_CHECKF(r == 0, "only %d of %d threads arrived", bc.arrived, n);
	KTAP_CHECKF(bad == 0 && bc.woken == n, "the broadcast woke %d of %d threads "
		    "(%d failed to pin or timed out)", bc.woken, n, bad);
	return KTAP_PASS;
}

/* ---- futexes ----------------------------------------------------------------------------- */

static int t_futex_errors_and_timeout(void)
{
	static int word = 5;
	struct timespec ts = { 0, 30 * 1000 * 1000 }, t0;

	KTAP_CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL), EAGAIN);
	KTAP_CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL) == 0);   /* nobody waits */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	KTAP_CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 5, &ts, NULL), ETIMEDOUT);
	double ms = elapsed_ms(&t0);
	KTAP_CHECKF(ms >= 29.0 && ms < 5000.0, "a 30 ms futex timeout took %.1f ms", ms);
	KTAP_CHECK_ERRNO(futex((void *)1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL), EINVAL);
	KTAP_CHECK_ERRNO(futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL), EFAULT);
	return KTAP_PASS;
}

static struct {
	int word;                     /* futex waited on */
	int word2;                    /* requeue target */
	atomic_int ready;             /* waiters about to wait */
	atomic_int wakes;             /* FUTEX_WAIT returned 0 */
	atomic_int timeouts;          /* FUTEX_WAIT returned ETIMEDOUT */
	atomic_int pin_failed;
} fx;

/* Wait on fx.word until it is non-zero, counting wake-ups and timeouts. */
static void *t_futex_waiter(void *arg)
{
	struct timespec ts = { WAIT_SEC, 0 };

	if (test_pin_to_cluster((int)(intptr_t)arg) < 0)
		atomic_fetch_add(&fx.pin_failed, 1);
	atomic_fetch_add(&fx.ready, 1);
	while (__atomic_load_n(&fx.word, __ATOMIC_SEQ_CST) == 0) {
		long r = futex(&fx.word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL);
		if (r == 0)
			atomic_fetch_add(&fx.wakes, 1);
		else if (errno == ETIMEDOUT) {
			atomic_fetch_add(&fx.timeouts, 1);
			break;
		}
	}
	return NULL;
}

/*
 * Repeat op until it has reported @want waiters in total (woken or requeued),
 * for at most WAIT_SEC seconds. Returns the total.
 */
static long futex_until(int *uaddr, int op, int val, long nr2, int *uaddr2, long want)
{
	struct timespec t0;
	long total = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (total < want && elapsed_ms(&t0) < WAIT_SEC * 1000.0) {
		long r = futex(uaddr, op, val, (const struct timespec *)nr2, uaddr2);
		if (r > 0)
			total += r;
		else
			sched_yield();
	}
	return total;
}

static void fx_reset(void)
{
	fx.word = fx.word2 = 0;
	atomic_store(&fx.ready, 0);
	atomic_store(&fx.wakes, 0);
	atomic_store(&fx.timeouts, 0);
	atomic_store(&fx.pin_failed, 0);
}

static int t_futex_wake_across_clusters(void)
{
	pthread_t th;

	fx_reset();
	KTAP_CHECK(pthread_create(&th, NULL, t_futex_waiter,
				  (void *)(intptr_t)(archipel ? test_other_cluster() : 0)) == 0);
	/* a FUTEX_WAKE from here finds the waiter of the other cluster */
	long found = futex_until(&fx.word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 1);
	__atomic_store_n(&fx.word, 1, __ATOMIC_SEQ_CST);
	futex(&fx.word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL);
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	KTAP_CHECK(atomic_load(&fx.pin_failed) == 0);
	KTAP_CHECKF(found == 1, "FUTEX_WAKE never found the waiter in %d s", WAIT_SEC);
	KTAP_CHECKF(atomic_load(&fx.wakes) >= 1 && atomic_load(&fx.timeouts) == 0,
		    "waiter: %d wake-ups, %d timeouts", atomic_load(&fx.wakes),
		    atomic_load(&fx.timeouts));
	return KTAP_PASS;
}

static int t_futex_requeue(void)
{
	pthread_t th[2];

	fx_reset();
	for (int i = 0; i < 2; i++)
		KTAP_CHECK(pthread_create(&th[i], NULL, t_futex_waiter,
					  (void *)(intptr_t)cluster_of(i + 1)) == 0);
	/* a requeue that expects another value of word (1) fails and moves nobody */
	errno = 0;
	long refused = syscall(SYS_futex, &fx.word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (long)INT_MAX,
			       &fx.word2, 1) == -1 ? errno : 0;
	/*
	 * move both waiters from word (value 0, as expected) to word2 without
	 * waking them; FUTEX_CMP_REQUEUE returns the waiters woken plus moved
	 */
	long moved = futex_until(&fx.word, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &fx.word2, 2);
	long stray = futex(&fx.word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL);
	__atomic_store_n(&fx.word, 1, __ATOMIC_SEQ_CST);
	long woken = futex_until(&fx.word2, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, moved);
	futex(&fx.word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL);     /* in any case */
	for (int i = 0; i < 2; i++)
		KTAP_CHECK(pthread_join(th[i], NULL) == 0);
	KTAP_CHECK(atomic_load(&fx.pin_failed) == 0);
	KTAP_CHECKF(refused == EAGAIN, "FUTEX_CMP_REQUEUE with the wrong value: errno %ld",
		    refused);
	KTAP_CHECKF(moved == 2, "FUTEX_CMP_REQUEUE moved %ld of 2 waiters", moved);
	KTAP_CHECKF(stray == 0, "%ld waiter(s) still on the first futex after the requeue",
		    stray);
	KTAP_CHECKF(woken == 2, "FUTEX_WAKE on the requeue target woke %ld of 2", woken);
	KTAP_CHECKF(atomic_load(&fx.wakes) == 2 && atomic_load(&fx.timeouts) == 0,
		    "waiters: %d wake-ups, %d timeouts", atomic_load(&fx.wakes),
		    atomic_load(&fx.timeouts));
	return KTAP_PASS;
}

/* A futex in MAP_SHARED memory meets across processes (and clusters). */
static int t_futex_shared_across_fork(void)
{
	int *word = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(word != MAP_FAILED);
	*word = 0;
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { WAIT_SEC, 0 };
		while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == 0)
			if (futex(word, FUTEX_WAIT, 0, &ts, NULL) < 0 && errno == ETIMEDOUT)
				_exit(1);
		_exit(0);
	}
	long found = futex_until(word, FUTEX_WAKE, 1, 0, NULL, 1);
	__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
	futex(word, FUTEX_WAKE, INT_MAX, NULL, NULL);
	int status = test_wait(pid);
	char buf[64];
	munmap(word, PAGE);
	KTAP_CHECKF(found == 1, "FUTEX_WAKE never found the child waiting on the shared word");
	KTAP_CHECKF(test_exited_with(status, 0), "child %s (1: its wait timed out)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

/* ---- thread exit vs process exit ------------------------------------------------------- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int a_joined;
	int parked;
} ex;

/* pthread_exit from a nested call, not from the thread's start function. */
static void __attribute__((noinline)) exit_nested(long value)
{
	pthread_exit((void *)value);
}

static void *t_exit_a(void *arg)
{
	if (test_pin_to_cluster((int)(intptr_t)arg) < 0)
		return (void *)-1L;
	exit_nested(0xa11);
	return (void *)-2L;                  /* pthread_exit returned */
}

/* B outlives A: it waits until A has been joined, then returns. */
static void *t_exit_b(void *arg)
{
	long ret = 0xb22;

	if (test_pin_to_cluster((int)(intptr_t)arg) < 0)
		ret = -1;
	pthread_mutex_lock(&ex.mu);
	if (WAIT_UNTIL(&ex.cv, &ex.mu, ex.a_joined))
		ret = -3;
	pthread_mutex_unlock(&ex.mu);
	return (void *)ret;
}

static int t_pthread_exit_one_thread(void)
{
	pthread_t a, b;
	void *ra = NULL, *rb = NULL;

	pthread_mutex_init(&ex.mu, NULL);
	test_cond_init(&ex.cv);
	ex.a_joined = 0;
	KTAP_CHECK(pthread_create(&b, NULL, t_exit_b, (void *)(intptr_t)cluster_of(2)) == 0);
	KTAP_CHECK(pthread_create(&a, NULL, t_exit_a, (void *)(intptr_t)cluster_of(1)) == 0);
	KTAP_CHECK(pthread_join(a, &ra) == 0);
	pthread_mutex_lock(&ex.mu);
	ex.a_joined = 1;
	pthread_cond_signal(&ex.cv);
	pthread_mutex_unlock(&ex.mu);
	KTAP_CHECK(pthread_join(b, &rb) == 0);
	KTAP_CHECKF((long)ra == 0xa11, "pthread_exit value %ld (-1: pinning failed)", (long)ra);
	KTAP_CHECKF((long)rb == 0xb22, "the other thread returned %ld (-3: timed out)",
		    (long)rb);
	return KTAP_PASS;
}

static void *t_parked(void *arg)
{
	if (test_pin_to_cluster((int)(intptr_t)arg) < 0)
		_exit(20);
	pthread_mutex_lock(&ex.mu);
	ex.parked++;
	pthread_cond_broadcast(&ex.cv);
	for (;;)                             /* until exit_group ends the process */
		pthread_cond_wait(&ex.cv, &ex.mu);
	return NULL;
}

static void *t_exiter(void *arg)
{
	int others = (int)(intptr_t)arg >> 8;

	if (test_pin_to_cluster((int)(intptr_t)arg & 0xff) < 0)
		_exit(20);
	pthread_mutex_lock(&ex.mu);
	if (WAIT_UNTIL(&ex.cv, &ex.mu, ex.parked == others))
		_exit(21);
	pthread_mutex_unlock(&ex.mu);
	exit(3);                             /* exit_group: the whole process */
}

static int t_exit_group_from_worker(void)
{
	pid_t pid = test_fork_in(test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t th[MAXT];
		int n = per_cluster(3);
		pthread_mutex_init(&ex.mu, NULL);
		test_cond_init(&ex.cv);
		ex.parked = 0;
		for (int i = 1; i < n; i++)
			if (pthread_create(&th[i], NULL, t_parked, (void *)(intptr_t)cluster_of(i)))
				_exit(22);
		if (pthread_create(&th[0], NULL, t_exiter,
				   (void *)(intptr_t)(((n - 1) << 8) | cluster_of(1))))
			_exit(22);
		pthread_join(th[0], NULL);       /* never returns: exit(3) ends us all */
		_exit(23);
	}
	int status = test_wait_ms(pid, WAIT_SEC * 1000L);
	if (status == -2) {
		kill(pid, SIGKILL);
		test_wait(pid);
		KTAP_CHECKF(0, "the child still runs %d s after a thread called exit(3)",
			    WAIT_SEC);
	}
	char buf[64];
	KTAP_CHECKF(test_exited_with(status, 3), "child %s, expected exit status 3 (20: "
		    "pinning failed, 21: threads did not park, 22: pthread_create failed, "
		    "23: the exiting thread only ended itself)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

/* ---- affinity -------------------------------------------------------------------------------- */

struct aff_report {
	cpu_set_t mask;               /* sched_getaffinity of the thread */
	int cluster;                  /* getcpu node */
	unsigned cpu;                 /* getcpu cpu */
	int err;
};

static void aff_fill(struct aff_report *r)
{
	unsigned node = 0;
	r->err = sched_getaffinity(0, sizeof(r->mask), &r->mask) < 0 ||
		 syscall(SYS_getcpu, &r->cpu, &node, NULL) < 0;
	r->cluster = (int)node;
}

static void *t_aff_child(void *arg)
{
	aff_fill(arg);
	return NULL;
}

/* Pins itself to cluster k, reports its mask, and that of a thread it creates. */
static void *t_aff_thread(void *arg)
{
	struct aff_report *r = arg;
	pthread_t th;

	if (test_pin_to_cluster(r[0].cluster) < 0)
		return (void *)1L;
	aff_fill(&r[0]);
	if (pthread_create(&th, NULL, t_aff_child, &r[1]) || pthread_join(th, NULL))
		return (void *)2L;
	return NULL;
}

static int t_affinity(void)
{
	cpu_set_t set, before, node;
	unsigned cpu = 0, nd = 0;

	KTAP_CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	KTAP_CHECK(syscall(SYS_getcpu, &cpu, &nd, NULL) == 0);
	KTAP_CHECKF(CPU_ISSET(cpu, &set), "the current cpu %u is not in the mask", cpu);
	before = set;

	CPU_ZERO(&set);
	KTAP_CHECK_ERRNO(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	CPU_SET(CPU_SETSIZE - 1, &set);                       /* a cpu that does not exist */
	KTAP_CHECK_ERRNO(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	KTAP_CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	KTAP_CHECKF(CPU_EQUAL(&set, &before), "a refused sched_setaffinity changed the mask");

	/* a thread pins itself to another cluster; a thread it creates inherits the mask */
	struct aff_report r[2];
	pthread_t th;
	void *ret;
	int k = archipel ? test_other_cluster() : 0;
	memset(r, 0, sizeof(r));
	r[0].cluster = k;
	KTAP_CHECK(pthread_create(&th, NULL, t_aff_thread, r) == 0);
	KTAP_CHECK(pthread_join(th, &ret) == 0);
	KTAP_CHECKF(ret == NULL, "thread: %ld (1: not in cluster %d after sched_setaffinity, "
		    "2: could not create a thread)", (long)ret, k);
	KTAP_CHECK(!r[0].err && !r[1].err);
	if (node_cpus(k, &node) <= 0) {
		KTAP_CHECK(!archipel);
		return KTAP_PASS;                 /* Linux without node information */
	}
	KTAP_CHECKF(CPU_EQUAL(&r[0].mask, &node), "the pinned thread's mask is not node %d's "
		    "cpus (%d cpus in it)", k, CPU_COUNT(&r[0].mask));
	KTAP_CHECKF(CPU_ISSET(r[0].cpu, &node), "the pinned thread runs on cpu %u", r[0].cpu);
	KTAP_CHECKF(CPU_EQUAL(&r[1].mask, &node), "a thread created by the pinned thread did "
		    "not inherit its mask (%d cpus)", CPU_COUNT(&r[1].mask));
	KTAP_CHECKF(CPU_ISSET(r[1].cpu, &node) && (!archipel || r[1].cluster == k),
		    "the inheriting thread runs on cpu %u node %d, outside node %d", r[1].cpu,
		    r[1].cluster, k);
	KTAP_CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	KTAP_CHECKF(CPU_EQUAL(&set, &before), "another thread's pinning changed main's mask");
	return KTAP_PASS;
}

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready, moved;
} mv;

/* Pinned in cluster 0, waits until told it was moved, then reports its cluster. */
static void *t_moved_thread(void *arg)
{
	long ret;

	(void)arg;
	if (test_pin_to_cluster(0) < 0)
		return (void *)-1L;
	pthread_mutex_lock(&mv.mu);
	mv.ready = 1;
	pthread_cond_signal(&mv.cv);
	int r = WAIT_UNTIL(&mv.cv, &mv.mu, mv.moved);
	pthread_mutex_unlock(&mv.mu);
	if (r)
		return (void *)-2L;
	sched_yield();                  /* a return to user mode even if it never slept */
	ret = archipel_cluster();
	return (void *)ret;
}

static int t_setaffinity_other_thread(void)
{
	cpu_set_t one;
	pthread_t th;
	void *ret;

	if (nclus < 2)
		return ktap_skip("needs 2 clusters");
	KTAP_CHECK(node_cpus(1, &one) > 0);
	pthread_mutex_init(&mv.mu, NULL);
	test_cond_init(&mv.cv);
	mv.ready = mv.moved = 0;
	KTAP_CHECK(pthread_create(&th, NULL, t_moved_thread, NULL) == 0);
	pthread_mutex_lock(&mv.mu);
	int r = WAIT_UNTIL(&mv.cv, &mv.mu, mv.ready);
	pthread_mutex_unlock(&mv.mu);
	int set = r ? -1 : pthread_setaffinity_np(th, sizeof(one), &one);
	pthread_mutex_lock(&mv.mu);
	mv.moved = 1;
	pthread_cond_signal(&mv.cv);
	pthread_mutex_unlock(&mv.mu);
	KTAP_CHECK(pthread_join(th, &ret) == 0);
	KTAP_CHECKF(r == 0, "the thread did not get ready in cluster 0 (returned %ld)",
		    (long)ret);
	KTAP_CHECKF(set == 0, "pthread_setaffinity_np: error %d", set);
	KTAP_CHECKF((long)ret == 1, "after pthread_setaffinity_np to node 1 the thread runs "
		    "in cluster %ld", (long)ret);
	return KTAP_PASS;
}

/* ---- ids and TLS ------------------------------------------------------------------------------ */

static __thread long tls_value = 999;

static struct {
	pthread_barrier_t all_set;
	pid_t tid[MAXT], pid[MAXT];
	int tls_ok[MAXT];
} ids;

static void *t_ids_thread(void *arg)
{
	int i = (int)(intptr_t)arg;

	if (test_pin_to_cluster(cluster_of(i)) < 0)
		ids.tls_ok[i] = -1;
	if (tls_value != 999)            /* a fresh copy of the initial image */
		ids.tls_ok[i] = -2;
	tls_value = 1000 + i;
	ids.tid[i] = sys_gettid();
	ids.pid[i] = getpid();
	pthread_barrier_wait(&ids.all_set);   /* every thread has written its own copy */
	if (ids.tls_ok[i] == 0)
		ids.tls_ok[i] = tls_value == 1000 + i ? 1 : -3;
	return NULL;
}

static int t_tid_pid_tls(void)
{
	pthread_t th[MAXT];
	int n = per_cluster(2);
	pid_t me = getpid();

	memset(&ids, 0, sizeof(ids));
	pthread_barrier_init(&ids.all_set, NULL, (unsigned)n);
	tls_value = 999;
	for (int i = 0; i < n; i++)
		KTAP_CHECK(pthread_create(&th[i], NULL, t_ids_thread, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < n; i++)
		KTAP_CHECK(pthread_join(th[i], NULL) == 0);
	pthread_barrier_destroy(&ids.all_set);
	KTAP_CHECKF(sys_gettid() == me, "main thread: gettid %d != getpid %d", sys_gettid(), me);
	KTAP_CHECK(tls_value == 999);
	for (int i = 0; i < n; i++) {
		KTAP_CHECKF(ids.tls_ok[i] == 1, "thread %d: TLS check %d (-1: pinning failed, "
			    "-2: initial value wrong, -3: changed by another thread)", i,
			    ids.tls_ok[i]);
		KTAP_CHECKF(ids.pid[i] == me, "thread %d: getpid %d, main's %d", i, ids.pid[i], me);
		KTAP_CHECKF(ids.tid[i] > 0 && ids.tid[i] != me, "thread %d: gettid %d", i,
			    ids.tid[i]);
		for (int j = 0; j < i; j++)
			KTAP_CHECKF(ids.tid[i] != ids.tid[j], "threads %d and %d: same tid %d", j,
				    i, ids.tid[i]);
	}
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_create_join_per_cluster),
	KTAP_CASE(t_mutex_counter),
	KTAP_CASE(t_condvar_pingpong),
	KTAP_CASE(t_condvar_broadcast),
	KTAP_CASE(t_futex_errors_and_timeout),
	KTAP_CASE(t_futex_wake_across_clusters),
	KTAP_CASE(t_futex_requeue),
	KTAP_CASE(t_futex_shared_across_fork),
	KTAP_CASE(t_pthread_exit_one_thread),
	KTAP_CASE(t_exit_group_from_worker),
	KTAP_CASE(t_affinity),
	KTAP_CASE(t_setaffinity_other_thread),
	KTAP_CASE(t_tid_pid_tls),
};

int main(void)
{
	nclus = archipel_nclusters();
	archipel = nclus > 0;
	if (!archipel)
		nclus = 1;
	return ktap_run(cases, KTAP_NCASES(cases));
}
