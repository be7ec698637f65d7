/*
 * vmbench - the cost of replicated virtual memory (make bench).
 *
 * A process whose threads run in C clusters has C copies of its page table
 * (C = 1, 2, 4, 8, at most the number of clusters); every downgrade (COW set
 * and break, munmap, mprotect) must reach every copy and shoot down its TLBs.
 * Figures, all from one boot so that their ratios mean something:
 *
 *   bench: cow_fault_copies_C n=N median=M p99=P cycles
 *       cycles per page of the parent's first write to each page after a fork,
 *       with worker threads in C-1 other clusters that have read every page
 *       (then parked on a condition variable) and the main thread in the
 *       reference cluster
 *   bench: munmap_page_copies_C ... cycles, bench: mprotect_page_copies_C ... cycles
 *       one munmap / mprotect(PROT_READ) of a whole region mapped in C copies,
 *       in cycles per page
 *   bench: first_touch_clusters_N n=N median=M min=L pages/s
 *       aggregate first-touch faults per second of N threads in N clusters,
 *       each faulting its own region at the same time (median and worst run)
 *   bench: traffic OP n=N remote_accesses=A rpcs=R shootdowns=S
 *       machine-wide counts per operation (medians; the cost of reading the
 *       counters is measured next to each operation and subtracted) for a
 *       local fault, a global fault, a COW fault and the munmap of one page
 *       mapped in 4 clusters (Archipel only)
 *
 * Cycles are user-mode RDTSC deltas. tools/bench.py reads every "bench:" line.
 * Runs on Linux too: there, pinning to a node that does not exist is skipped
 * (the threads run wherever Linux puts them) and there are no traffic figures.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "archipel.h"
#include "benchutil.h"
#include "threadutil.h"

#define PAGE       4096
#define MAXW       8            /* workers at most */
#define ROUNDS     15           /* runs per figure */
#define PAGES      32           /* pages per region (cow, munmap, mprotect) */
#define FT_PAGES   64           /* pages per thread (first touch) */
#define FT_ROUNDS  9
#define OPS        31           /* operations per traffic figure */

static int nclus;               /* clusters (1 on Linux) */
static int archipel;            /* running on Archipel */
static int home;                /* the main thread's cluster: the reference cluster */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- placement ------------------------------------------------------------------- */

/* Pin the caller to cluster k's cpus; a node that does not exist is skipped. */
static void pin_to_cluster(int k)
{
	if (test_pin_to_cluster(k) < 0)
		printf("vmbench: warning: cannot run in cluster %d\n", k);
}

/* The k-th cluster away from home (k may exceed the clusters on Linux). */
static int cluster_at(int k)
{
	return archipel ? (home + k) % nclus : k;
}

/* ---- workers ----------------------------------------------------------------------- */

struct worker {
	pthread_t th;
	int cluster;
	int state;                    /* 0 idle, 1 busy, 2 done, 3 quit; guarded by mu */
	void (*fn)(void *);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static struct worker workers[MAXW];
static int nworkers;

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pin_to_cluster(w->cluster);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->state != 1 && w->state != 3)
			pthread_cond_wait(&w->cv, &w->mu);      /* parked */
		if (w->state == 3)
			break;
		pthread_mutex_unlock(&w->mu);
		w->fn(w->arg);
		pthread_mutex_lock(&w->mu);
		w->state = 2;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* n workers in the clusters first, first+1, ... away from home. */
static void workers_start(int n, int first)
{
	for (nworkers = 0; nworkers < n; nworkers++) {
		struct worker *w = &workers[nworkers];
		memset(w, 0, sizeof(*w));
		w->cluster = cluster_at(first + nworkers);
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		if (pthread_create(&w->th, NULL, worker_main, w)) {
			printf("vmbench: pthread_create failed\n");
			exit(1);
		}
	}
}

/* Run fn(args[i]) on the first n workers at once and wait for all. */
static void workers_run(int n, void (*fn)(void *), void **args)
{
	for (int i = 0; i < n; i++) {
		struct worker *w = &workers[i];
		pthread_mutex_lock(&w->mu);
		w->fn = fn;
		w->arg = args[i];
		w->state = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	for (int i = 0; i < n; i++) {
		struct worker *w = &workers[i];
		pthread_mutex_lock(&w->mu);
		while (w->state != 2)
			pthread_cond_wait(&w->cv, &w->mu);
		w->state = 0;
		pthread_mutex_unlock(&w->mu);
	}
}

/* The same argument for all. */
static void workers_run_all(int n, void (*fn)(void *), void *arg)
{
	void *args[MAXW];
	for (int i = 0; i < n; i++)
		args[i] = arg;
	workers_run(n, fn, args);
}

static void workers_stop(void)
{
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		pthread_mutex_lock(&w->mu);
		w->state = 3;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
	}
	nworkers = 0;
}

/* ---- regions ------------------------------------------------------------------------ */

static char *region(int pages)
{
	char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("vmbench: mmap failed\n");
		exit(1);
	}
	return p;
}

static void write_pages(char *p, int pages, char v)
{
	for (int i = 0; i < pages; i++)
		((volatile char *)p)[i * PAGE] = v;
}

/* A worker reads every page of the PAGES-page region: its copy maps them. */
static void read_region(void *arg)
{
	volatile char *p = arg;
	char sum = 0;
	for (int i = 0; i < PAGES; i++)
		sum += p[i * PAGE];
	(void)sum;
}

/* A worker reads one page. */
static void read_page(void *arg)
{
	(void)*(volatile char *)arg;
}

/*
 * Fork a child in the home cluster that says it runs (so that its own start-up
 * is over before the parent measures), then waits for EOF on *done_fd and exits.
 */
static pid_t fork_waiting_child(int *done_fd)
{
	int go[2], ready[2];
	char b = 0;

	if (pipe(go) || pipe(ready))
		exit(1);
	if (archipel)
		archipel_fork_place(home);
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (write(ready[1], &b, 1) != 1)
			_exit(1);
		while (read(go[0], &b, 1) > 0)            /* until the parent is done */
			;
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (pid < 0 || read(ready[0], &b, 1) != 1) {
		printf("vmbench: fork failed\n");
		exit(1);
	}
	close(ready[0]);
	*done_fd = go[1];
	return pid;
}

static void print_copies(const char *what, int c)
{
	struct archipel_counters k;
	if (archipel && archipel_counters(&k) == 0)
		printf("vmbench: %s with threads in %d cluster(s): %llu process copies\n", what, c,
		       (unsigned long long)k.copies);
}

/* ---- figures -------------------------------------------------------------------------- */

static void bench_cow(int c)
{
	uint64_t v[ROUNDS];
	char name[64];

	workers_start(c - 1, 1);
	for (int r = 0; r < ROUNDS; r++) {
		char *p = region(PAGES);
		int done;
		write_pages(p, PAGES, 1);
		workers_run_all(c - 1, read_region, p);       /* then they park */
		if (r == 0)
			print_copies("cow", c);
		pid_t pid = fork_waiting_child(&done);
		uint64_t t0 = bench_rdtsc();
		write_pages(p, PAGES, 2);                     /* one COW fault per page */
		v[r] = (bench_rdtsc() - t0) / PAGES;
		close(done);
		waitpid(pid, NULL, 0);
		munmap(p, PAGES * PAGE);
	}
	workers_stop();
	snprintf(name, sizeof(name), "cow_fault_copies_%d", c);
	bench_report(name, v, ROUNDS);
}

static void bench_downgrade(int c, int mprot)
{
	uint64_t v[ROUNDS];
	char name[64];

	workers_start(c - 1, 1);
	for (int r = 0; r < ROUNDS; r++) {
		char *p = region(PAGES);
		write_pages(p, PAGES, 1);
		workers_run_all(c - 1, read_region, p);
		uint64_t t0 = bench_rdtsc();
		if (mprot)
			mprotect(p, PAGES * PAGE, PROT_READ);
		else
			munmap(p, PAGES * PAGE);
		v[r] = (bench_rdtsc() - t0) / PAGES;
		if (mprot)
			munmap(p, PAGES * PAGE);
	}
	workers_stop();
	snprintf(name, sizeof(name), "%s_page_copies_%d", mprot ? "mprotect" : "munmap", c);
	bench_report(name, v, ROUNDS);
}

struct ft_arg {
	char *p;
	pthread_barrier_t *b;
	struct timespec t0, t1;
};

static void first_touch(void *arg)
{
	struct ft_arg *a = arg;

	pthread_barrier_wait(a->b);
	clock_gettime(CLOCK_MONOTONIC, &a->t0);
	write_pages(a->p, FT_PAGES, 1);
	clock_gettime(CLOCK_MONOTONIC, &a->t1);
}

static double ts_sec(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* N threads in N clusters (the first at home) fault their own regions at once. */
static void bench_first_touch(int n)
{
	uint64_t v[FT_ROUNDS];
	struct ft_arg a[MAXW];
	void *args[MAXW];
	pthread_barrier_t b;

	workers_start(n, 0);
	pthread_barrier_init(&b, NULL, (unsigned)n);
	for (int r = 0; r < FT_ROUNDS; r++) {
		for (int i = 0; i < n; i++) {
			a[i].p = region(FT_PAGES);
			a[i].b = &b;
			args[i] = &a[i];
		}
		workers_run(n, first_touch, args);
		double t0 = ts_sec(&a[0].t0), t1 = ts_sec(&a[0].t1);
		for (int i = 1; i < n; i++) {
			if (ts_sec(&a[i].t0) < t0)
				t0 = ts_sec(&a[i].t0);
			if (ts_sec(&a[i].t1) > t1)
				t1 = ts_sec(&a[i].t1);
		}
		v[r] = t1 > t0 ? (uint64_t)((double)n * FT_PAGES / (t1 - t0)) : 0;
		for (int i = 0; i < n; i++)
			munmap(a[i].p, FT_PAGES * PAGE);
	}
	pthread_barrier_destroy(&b);
	workers_stop();
	qsort(v, FT_ROUNDS, sizeof(v[0]), bench_cmp_u64);
	printf("bench: first_touch_clusters_%d n=%d median=%llu min=%llu pages/s\n", n, FT_ROUNDS,
	       (unsigned long long)v[FT_ROUNDS / 2], (unsigned long long)v[0]);
	fflush(stdout);
}

/* ---- traffic per operation ---------------------------------------------------------------- */

struct traffic {
	int n;
	int64_t d[3][OPS];            /* remote_accesses, rpcs, shootdowns */
};

/*
 * Read the counters three times around an operation: c0, c1 (nothing in
 * between: the cost of a reading), op, c2. Records (c2 - c1) - (c1 - c0).
 */
static void counters(struct archipel_counters *c)
{
	if (archipel_counters(c) < 0)
		memset(c, 0, sizeof(*c));
}

static void traffic_add(struct traffic *t, const struct archipel_counters *c)
{
	const uint64_t x[3][3] = {
		{ c[0].remote_accesses, c[1].remote_accesses, c[2].remote_accesses },
		{ c[0].rpcs, c[1].rpcs, c[2].rpcs },
		{ c[0].shootdowns, c[1].shootdowns, c[2].shootdowns },
	};
	for (int k = 0; k < 3; k++)
		t->d[k][t->n] = (int64_t)(x[k][2] - x[k][1]) - (int64_t)(x[k][1] - x[k][0]);
	t->n++;
}

static void traffic_report(const char *name, struct traffic *t)
{
	for (int k = 0; k < 3; k++)
		qsort(t->d[k], (size_t)t->n, sizeof(int64_t), cmp_i64);
	printf("bench: traffic %s n=%d remote_accesses=%lld rpcs=%lld shootdowns=%lld\n", name,
	       t->n, (long long)t->d[0][t->n / 2], (long long)t->d[1][t->n / 2],
	       (long long)t->d[2][t->n / 2]);
	fflush(stdout);
}

/* A worker: read each page of the region once, measuring each (a global fault). */
struct global_arg {
	char *p;
	struct traffic *t;
};

static void global_faults(void *arg)
{
	struct global_arg *g = arg;
	struct archipel_counters c[3];

	for (int i = 0; i < OPS; i++) {
		counters(&c[0]);
		counters(&c[1]);
		(void)((volatile char *)g->p)[i * PAGE];
		counters(&c[2]);
		traffic_add(g->t, c);
	}
}

static void bench_traffic(void)
{
	struct archipel_counters c[3];
	struct traffic t;
	char *p;

	/* local fault: first touch by the main thread in the reference cluster */
	memset(&t, 0, sizeof(t));
	p = region(OPS);
	for (int i = 0; i < OPS; i++) {
		counters(&c[0]);
		counters(&c[1]);
		((volatile char *)p)[i * PAGE] = 1;
		counters(&c[2]);
		traffic_add(&t, c);
	}
	munmap(p, OPS * PAGE);
	traffic_report("fault_local", &t);

	/* global fault: a thread in another cluster reads pages the reference maps */
	if (nclus >= 2) {
		struct global_arg g = { region(OPS), &t };
		memset(&t, 0, sizeof(t));
		write_pages(g.p, OPS, 1);
		workers_start(1, 1);
		workers_run_all(1, global_faults, &g);
		workers_stop();
		munmap(g.p, OPS * PAGE);
		traffic_report("fault_global", &t);
	}

	/* COW fault: the parent's first write to a page shared with a child */
	memset(&t, 0, sizeof(t));
	p = region(OPS);
	write_pages(p, OPS, 1);
	int done;
	pid_t pid = fork_waiting_child(&done);
	for (int i = 0; i < OPS; i++) {
		counters(&c[0]);
		counters(&c[1]);
		((volatile char *)p)[i * PAGE] = 2;
		counters(&c[2]);
		traffic_add(&t, c);
	}
	close(done);
	waitpid(pid, NULL, 0);
	munmap(p, OPS * PAGE);
	traffic_report("fault_cow", &t);

	/* munmap of one page mapped in 4 clusters (all, if fewer) */
	int w = (nclus < 4 ? nclus : 4) - 1;
	memset(&t, 0, sizeof(t));
	workers_start(w, 1);
	for (int i = 0; i < OPS; i++) {
		p = region(1);
		write_pages(p, 1, 1);
		workers_run_all(w, read_page, p);
		counters(&c[0]);
		counters(&c[1]);
		munmap(p, PAGE);
		counters(&c[2]);
		traffic_add(&t, c);
	}
	workers_stop();
	char name[64];
	snprintf(name, sizeof(name), "munmap_1page_%dclusters", w + 1);
	traffic_report(name, &t);
}

int main(void)
{
	struct archipel_counters k;
	static const int sizes[] = { 1, 2, 4, 8 };

	nclus = test_clusters(&archipel);
	home = archipel && archipel_counters(&k) == 0 ? (int)k.ref_cxy : 0;
	pin_to_cluster(home);                  /* the main thread stays in the reference */
	int maxc = archipel ? nclus : 8;       /* Linux: threads unpinned beyond node 0 */
	printf("vmbench: %d cluster(s), main thread in cluster %d%s\n", nclus, home,
	       archipel ? "" : " (not Archipel: no pinning beyond existing nodes)");
	fflush(stdout);
	for (int i = 0; i < 4 && sizes[i] <= maxc; i++)
		bench_cow(sizes[i]);
	for (int i = 0; i < 4 && sizes[i] <= maxc; i++)
		bench_downgrade(sizes[i], 0);
	for (int i = 0; i < 4 && sizes[i] <= maxc; i++)
		bench_downgrade(sizes[i], 1);
	for (int i = 0; i < 4 && sizes[i] <= maxc; i++)
		bench_first_touch(sizes[i]);
	if (archipel)
		bench_traffic();
	else
		printf("vmbench: no traffic figures (not Archipel)\n");
	return 0;
}
