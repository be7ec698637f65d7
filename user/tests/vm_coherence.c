/*
 * vm_coherence.c - one address space, threads in several clusters: every
 * cluster's copy of the page table must agree with the reference. Disjoint
 * writes seen everywhere, a race on the first fault of one page (one page
 * allocated, the other faults global or false), fork with threads in four
 * clusters (COW in every copy), munmap and mprotect shot down in every
 * cluster (a stale TLB entry or PTE copy would let a touch through), partial
 * munmap/mprotect (the split and the merge in /proc/self/maps), shared and
 * private anonymous memory across fork, MAP_POPULATE, MAP_FIXED over a page
 * another cluster maps, and the mmap/munmap/mprotect errors.
 *
 * Threads are "workers": each pins itself to a cluster (sched_setaffinity to
 * the cpus of /sys/devices/system/node/node<k>/cpulist, checked with getcpu),
 * then runs the functions the main thread posts to it, and parks on a
 * condition variable in between. On Linux every worker runs in node 0 and
 * the fault-counter checks are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "threadutil.h"

#define PAGE      4096UL
#define WORDS     (PAGE / sizeof(uint64_t))
#define WAIT_SEC  30            /* deadline of every wait for another thread */
#define NW        4             /* workers of most cases */

static int nclus;               /* clusters: archipel_nclusters() on Archipel, else 1 */
static int archipel;            /* running on Archipel */

/* ---- placement ---------------------------------------------------------------- */

/* Cluster of worker i of w: distinct clusters spread over the machine when w <= nclus. */
static int spread(int i, int w)
{
	return nclus >= w ? i * nclus / w : i % nclus;
}

/* A cluster other than k when there are several. */
static int other_than(int k)
{
	return (k + 1) % nclus;
}

/* The caller's cluster (0 on Linux). */
static int here(void)
{
	return archipel ? archipel_cluster() : 0;
}

/* ---- workers --------------------------------------------------------------------- */

enum { W_IDLE, W_BUSY, W_DONE, W_QUIT };

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

/* Touch 32 KiB of stack below the caller: later calls fault no stack page. */
static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char pad[32 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int pinned = test_pin_to_cluster(w->cluster);

	prefault_stack();
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

/* Start a worker in cluster k; 0 once it runs there, -1 (and no thread left) if not. */
static int worker_start(struct worker *w, int k)
{
	struct timespec d = test_deadline(WAIT_SEC);
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

static void worker_post(struct worker *w, long (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->state = W_BUSY;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Wait for the posted function: its return value, or -1000 after WAIT_SEC. */
static long worker_wait(struct worker *w)
{
	struct timespec d = test_deadline(WAIT_SEC);
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

static long worker_call(struct worker *w, long (*fn)(void *), void *arg)
{
	worker_post(w, fn, arg);
	return worker_wait(w);
}

static void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	int busy = w->state == W_BUSY;
	w->state = W_QUIT;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (!busy)                    /* a timed-out worker is left behind */
		pthread_join(w->th, NULL);
}

struct crew {
	int n;
	struct worker w[NW];
};

/* Start n workers in clusters spread(i, n); 0, or -1 with none left running. */
static int crew_start(struct crew *c, int n)
{
	c->n = 0;
	for (int i = 0; i < n; i++) {
		if (worker_start(&c->w[i], spread(i, n)) < 0) {
			ktap_diag("worker %d could not run in cluster %d", i, spread(i, n));
			while (c->n > 0)
				worker_stop(&c->w[--c->n]);
			return -1;
		}
		c->n++;
	}
	return 0;
}

/* Run fn(args[i]) on every worker at once; the first non-zero result, or 0. */
static long crew_run(struct crew *c, long (*fn)(void *), void *const *args)
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

static void crew_stop(struct crew *c)
{
	for (int i = 0; i < c->n; i++)
		worker_stop(&c->w[i]);
	c->n = 0;
}

/* ---- page patterns --------------------------------------------------------------- */

static uint64_t pattern(uint64_t tag, size_t page, size_t word)
{
	return (tag << 40) ^ (page << 16) ^ word ^ 0x5a5a000000000000ULL;
}

static void fill_page(char *base, size_t page, uint64_t tag)
{
	volatile uint64_t *w = (uint64_t *)(base + page * PAGE);
	for (size_t i = 0; i < WORDS; i++)
		w[i] = pattern(tag, page, i);
}

static int page_holds(const char *base, size_t page, uint64_t tag)
{
	const volatile uint64_t *w = (const uint64_t *)(base + page * PAGE);
	for (size_t i = 0; i < WORDS; i++)
		if (w[i] != pattern(tag, page, i))
			return 0;
	return 1;
}

#define CHECK_SEGV(status, what) do {                                              \
	char b_[64];                                                               \
	int s_ = (status);                                                         \
	KTAP_CHECKF(test_killed_by(s_, SIGSEGV), "%s: child %s, expected SIGSEGV", \
		    what, test_status_str(s_, b_, sizeof(b_)));                    \
} while (0)

/* ---- /proc/self/maps ------------------------------------------------------------- */

struct vma {
	uintptr_t start, end;
	char perms[5];
};

static char maps_buf[64 * 1024];

/*
 * The entries of /proc/self/maps that overlap [lo, hi) in @v (at most max),
 * and the total number of lines in @total. Returns the overlap count, or -1.
 */
static int maps_overlap(uintptr_t lo, uintptr_t hi, struct vma *v, int max, int *total)
{
	int fd = open("/proc/self/maps", O_RDONLY), n = 0;

	if (fd < 0)
		return -1;
	ssize_t len = test_read_all(fd, maps_buf, sizeof(maps_buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	maps_buf[len] = '\0';
	*total = 0;
	for (char *line = maps_buf; *line; ) {
		char *nl = strchr(line, '\n');
		unsigned long a, b;
		char perms[5];
		if (nl)
			*nl = '\0';
		if (sscanf(line, "%lx-%lx %4s", &a, &b, perms) == 3) {
			(*total)++;
			if (a < hi && b > lo && n < max) {
				v[n].start = a;
				v[n].end = b;
				memcpy(v[n].perms, perms, 5);
				n++;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	for (int i = 1; i < n; i++)           /* by address, whatever the file's order */
		for (int j = i; j > 0 && v[j].start < v[j - 1].start; j--) {
			struct vma t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

/* ---- cases ----------------------------------------------------------------------- */

#define DW_PAGES 8              /* pages per worker */

struct dw_arg {
	char *base;
	int idx, n;
	pthread_barrier_t *b;
};

/*
 * Round 1: worker i writes its own pages (tag i+1); all check all pages.
 * Round 2: worker i rewrites the pages of worker i+1 (tag 100+i); all check.
 * Returns 0, or 1000 * round + the first wrong page + 1.
 */
static long dw_worker(void *a)
{
	struct dw_arg *d = a;
	int n = d->n, bad = 0;

	for (int p = 0; p < DW_PAGES; p++)
		fill_page(d->base, (size_t)(d->idx * DW_PAGES + p), (uint64_t)d->idx + 1);
	pthread_barrier_wait(d->b);
	for (int p = 0; p < n * DW_PAGES && !bad; p++)
		if (!page_holds(d->base, (size_t)p, (uint64_t)(p / DW_PAGES) + 1))
			bad = 1000 + p + 1;
	pthread_barrier_wait(d->b);
	int next = (d->idx + 1) % n;
	for (int p = 0; p < DW_PAGES; p++)
		fill_page(d->base, (size_t)(next * DW_PAGES + p), 100 + (uint64_t)d->idx);
	pthread_barrier_wait(d->b);
	for (int p = 0; p < n * DW_PAGES && !bad; p++) {
		int writer = (p / DW_PAGES + n - 1) % n;
		if (!page_holds(d->base, (size_t)p, 100 + (uint64_t)writer))
			bad = 2000 + p + 1;
	}
	return bad;
}

static int t_disjoint_writes_seen_everywhere(void)
{
	struct crew c;
	struct dw_arg args[NW];
	void *argp[NW];
	pthread_barrier_t b;
	size_t len = NW * DW_PAGES * PAGE;
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(base != MAP_FAILED);
	KTAP_CHECK(crew_start(&c, NW) == 0);
	pthread_barrier_init(&b, NULL, NW);
	for (int i = 0; i < NW; i++) {
		args[i] = (struct dw_arg){ base, i, NW, &b };
		argp[i] = &args[i];
	}
	long r = crew_run(&c, dw_worker, argp);
	struct archipel_counters k;
	int copies_ok = 1, want = 0;
	if (archipel && archipel_counters(&k) == 0) {
		int seen[64] = { 0 };        /* the reference, and the workers' clusters */
		seen[k.ref_cxy % 64] = 1;
		for (int i = 0; i < NW; i++)
			seen[c.w[i].cluster % 64] = 1;
		for (int i = 0; i < 64; i++)
			want += seen[i];
		copies_ok = k.copies >= (uint64_t)want && k.copies <= (uint64_t)nclus;
		if (!copies_ok)
			ktap_diag("%llu process copies with threads in %d clusters",
				  (unsigned long long)k.copies, want);
	}
	crew_stop(&c);
	pthread_barrier_destroy(&b);
	munmap(base, len);
	KTAP_CHECKF(r != -1000, "a worker timed out");
	KTAP_CHECKF(r == 0, "a worker saw a wrong page %ld in round %ld (1: pages written by "
		    "their own cluster, 2: pages rewritten by another cluster)", r % 1000 - 1,
		    r / 1000);
	KTAP_CHECK(copies_ok);
	return KTAP_PASS;
}

#define RACE_ROUNDS 4           /* round 0 warms up every path */

struct race_arg {
	volatile char *page;
	int idx, n;
	pthread_barrier_t *b;
};

static long race_touch(void *a)
{
	struct race_arg *r = a;

	pthread_barrier_wait(r->b);
	r->page[r->idx * 64] = (char)(r->idx + 1);
	return 0;
}

static long race_check(void *a)
{
	struct race_arg *r = a;

	for (int round = 0; round < RACE_ROUNDS; round++)
		for (int i = 0; i < r->n; i++)
			if (r->page[round * PAGE + i * 64] != (char)(i + 1))
				return 1 + round;
	return 0;
}

static int t_first_fault_race_one_page(void)
{
	int n = nclus < 2 ? 2 : nclus < NW ? nclus : NW;        /* distinct clusters */
	struct crew c;
	struct race_arg args[NW];
	void *argp[NW];
	pthread_barrier_t b;
	struct archipel_counters before[RACE_ROUNDS], after[RACE_ROUNDS];
	char *region = mmap(NULL, RACE_ROUNDS * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(region != MAP_FAILED);
	KTAP_CHECK(crew_start(&c, n) == 0);
	pthread_barrier_init(&b, NULL, (unsigned)n);
	memset(before, 0, sizeof(before));
	memset(after, 0, sizeof(after));
	long r = 0;
	for (int round = 0; round < RACE_ROUNDS && !r; round++) {
		for (int i = 0; i < n; i++) {
			args[i] = (struct race_arg){ region + round * PAGE, i, n, &b };
			argp[i] = &args[i];
		}
		archipel_counters(&before[round]);
		r = crew_run(&c, race_touch, argp);
		archipel_counters(&after[round]);
	}
	for (int i = 0; i < n && !r; i++) {
		args[i] = (struct race_arg){ region, i, n, NULL };
		argp[i] = &args[i];
	}
	long seen = r ? 0 : crew_run(&c, race_check, argp);   /* from every cluster */
	crew_stop(&c);
	pthread_barrier_destroy(&b);
	KTAP_CHECKF(r == 0, "a worker timed out");
	KTAP_CHECKF(seen == 0, "a cluster misses a write to the page of round %ld", seen - 1);
	for (int round = 0; round < RACE_ROUNDS; round++)
		for (int i = 0; i < n; i++)
			KTAP_CHECKF(region[round * PAGE + i * 64] == (char)(i + 1),
				    "round %d: worker %d's write is lost", round, i);
	munmap(region, RACE_ROUNDS * PAGE);
	if (!archipel)
		return KTAP_PASS;
	int nonref = 0;
	for (int i = 0; i < n; i++)
		nonref += c.w[i].cluster != (int)before[0].ref_cxy;
	for (int round = 1; round < RACE_ROUNDS; round++) {
		struct archipel_counters *x = &before[round], *y = &after[round];
		uint64_t local = y->faults_local - x->faults_local;
		uint64_t others = (y->faults_global - x->faults_global) +
				  (y->faults_false - x->faults_false);
		KTAP_CHECKF(local == 1, "round %d: %d workers faulting one fresh page at once "
			    "made %llu local faults (pages allocated), expected 1", round, n,
			    (unsigned long long)local);
		KTAP_CHECKF(y->faults_cow == x->faults_cow, "round %d: COW faults", round);
		/*
		 * Every worker outside the reference cluster whose copy lacks the PTE
		 * faults: all but the one that allocated (the worker in the
		 * reference cluster, if any, may find the PTE set by the allocator).
		 */
		if (nonref >= 2)
			KTAP_CHECKF(others >= (uint64_t)nonref - 1, "round %d: %llu global+false "
				    "faults for %d workers outside the reference cluster", round,
				    (unsigned long long)others, nonref);
	}
	return KTAP_PASS;
}

#define FK_PAGES 16
#define FK_BEFORE 0xa0          /* tag written before fork */
#define FK_CHILD  0xc0
#define FK_PARENT 0xe0          /* + worker index */

struct fk_arg {
	char *base;
	int idx, n;
	pthread_barrier_t *b;
};

/* Before the fork: write every page (a writable PTE and TLB entry in every cluster). */
static long fk_prefork(void *a)
{
	struct fk_arg *f = a;

	for (int p = 0; p < FK_PAGES; p++)
		((volatile uint64_t *)(f->base + p * PAGE))[0] = pattern(FK_BEFORE, (size_t)p, 0);
	return 0;
}

/* After: still the old data; write a share of the pages; all see the parent's writes. */
static long fk_postfork(void *a)
{
	struct fk_arg *f = a;
	long bad = 0;

	for (int p = 0; p < FK_PAGES && !bad; p++)
		if (!page_holds(f->base, (size_t)p, FK_BEFORE))
			bad = 100 + p;
	pthread_barrier_wait(f->b);
	for (int p = f->idx; p < FK_PAGES; p += f->n)
		fill_page(f->base, (size_t)p, FK_PARENT + (uint64_t)f->idx);
	pthread_barrier_wait(f->b);
	for (int p = 0; p < FK_PAGES && !bad; p++)
		if (!page_holds(f->base, (size_t)p, FK_PARENT + (uint64_t)(p % f->n)))
			bad = 200 + p;
	return bad;
}

static int t_fork_with_threads_in_clusters(void)
{
	struct crew c;
	struct fk_arg args[NW];
	void *argp[NW];
	pthread_barrier_t b;
	int up[2], down[2];
	char *base = mmap(NULL, FK_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(base != MAP_FAILED);
	for (int p = 0; p < FK_PAGES; p++)
		fill_page(base, (size_t)p, FK_BEFORE);
	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0);
	KTAP_CHECK(crew_start(&c, NW) == 0);
	pthread_barrier_init(&b, NULL, NW);
	for (int i = 0; i < NW; i++) {
		args[i] = (struct fk_arg){ base, i, NW, &b };
		argp[i] = &args[i];
	}
	long r = crew_run(&c, fk_prefork, argp);       /* then they park */
	pid_t pid = r ? -1 : test_fork_in(other_than(here()));
	if (pid == 0) {
		char res = 0;
		for (int p = 0; p < FK_PAGES && !res; p++)
			if (!page_holds(base, (size_t)p, FK_BEFORE))
				res = 1;
		for (int p = 0; p < FK_PAGES; p++)
			fill_page(base, (size_t)p, FK_CHILD);
		if (write(up[1], &res, 1) != 1 || read(down[0], &res, 1) != 1)
			_exit(9);
		for (int p = 0; p < FK_PAGES; p++)
			if (!page_holds(base, (size_t)p, FK_CHILD))
				_exit(2);       /* a parent thread's write reached the child */
		_exit(res);
	}
	char res = 0;
	if (pid > 0 && read(up[0], &res, 1) == 1)       /* the child has written */
		r = crew_run(&c, fk_postfork, argp);
	int mine = 0;
	for (int p = 0; p < FK_PAGES && !mine; p++)
		if (!page_holds(base, (size_t)p, FK_PARENT + (uint64_t)(p % NW)))
			mine = p + 1;
	if (pid > 0)
		write(down[1], &res, 1);
	int status = pid > 0 ? test_wait(pid) : -1;
	crew_stop(&c);
	pthread_barrier_destroy(&b);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	munmap(base, FK_PAGES * PAGE);
	KTAP_CHECK(pid > 0);
	KTAP_CHECKF(r == 0, "parent worker: %ld (1xx: saw the child's write on page xx, 2xx: "
		    "page xx lacks the parent's writes, -1000: timed out)", r);
	KTAP_CHECKF(mine == 0, "main thread: page %d lacks the parent's writes", mine - 1);
	char buf[64];
	KTAP_CHECKF(test_exited_with(status, 0), "child %s (1: did not see the data of before "
		    "the fork, 2: saw a parent thread's write)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

/* ---- shootdowns ------------------------------------------------------------------ */

struct sd_arg {
	volatile char *page;
	int write;                    /* touch = write (else read) */
	atomic_int ready, go;
};

static void sd_touch(struct sd_arg *s)
{
	if (s->write)
		s->page[0]++;
	else
		(void)s->page[0];
}

/* Touch the page, keep touching it until told, then touch it once more. */
static long sd_toucher(void *a)
{
	struct sd_arg *s = a;

	sd_touch(s);
	atomic_store(&s->ready, 1);
	while (!atomic_load(&s->go)) {
		sd_touch(s);
		sched_yield();
	}
	sd_touch(s);                  /* must fault: the page is gone or read-only */
	return 0;
}

/*
 * In a child process: a worker in cluster k touches a page, the main thread
 * (elsewhere) unmaps it or makes it read-only, the worker touches it again.
 * The child must die of SIGSEGV; it exits 1 if the worker got through.
 */
static void sd_child(int k, int write)
{
	struct worker w;
	struct sd_arg s = { .write = write };
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		_exit(3);
	memset(p, 1, 2 * PAGE);
	s.page = p + PAGE;
	if (worker_start(&w, k) < 0)
		_exit(4);
	worker_post(&w, sd_toucher, &s);
	struct timespec d = test_deadline(WAIT_SEC);
	while (!atomic_load(&s.ready) && !test_expired(&d))
		sched_yield();
	if (!atomic_load(&s.ready))
		_exit(5);
	if (write ? mprotect(p, 2 * PAGE, PROT_READ) : munmap(p, 2 * PAGE))
		_exit(6);
	atomic_store(&s.go, 1);
	_exit(worker_wait(&w) == 0 ? 1 : 7);
}

static int shootdown_case(int write)
{
	for (int k = 0; k < nclus; k++) {
		pid_t pid = test_fork_in(other_than(k));    /* the child's main: elsewhere */
		KTAP_CHECK(pid >= 0);
		if (pid == 0)
			sd_child(k, write);
		int status = test_wait(pid);
		char buf[64];
		KTAP_CHECKF(test_killed_by(status, SIGSEGV), "toucher in cluster %d: child %s, "
			    "expected SIGSEGV (exit 1: the %s after %s went through; 4: no "
			    "worker; 5: not ready; 6: %s failed)", k,
			    test_status_str(status, buf, sizeof(buf)), write ? "write" : "read",
			    write ? "mprotect(PROT_READ)" : "munmap", write ? "mprotect" : "munmap");
	}
	return KTAP_PASS;
}

static int t_munmap_shot_down_in_every_cluster(void)
{
	return shootdown_case(0);
}

static int t_mprotect_shot_down_in_every_cluster(void)
{
	return shootdown_case(1);
}

/* ---- partial munmap / mprotect ------------------------------------------------------ */

struct range_op {
	char *addr;
	size_t len;
	int prot;                     /* -1: munmap */
	const char *check;            /* bytes that must hold 'a'+page: page index list */
	char *base;
};

/* In a worker: run the range operation (from another cluster than the reference). */
static long range_op_run(void *a)
{
	struct range_op *o = a;
	return o->prot < 0 ? munmap(o->addr, o->len) : mprotect(o->addr, o->len, o->prot);
}

/* In a worker: every page listed in o->check holds its fill byte; then write it back. */
static long range_check(void *a)
{
	struct range_op *o = a;
	for (const char *c = o->check; *c; c++) {
		volatile char *pg = o->base + (size_t)(*c - '0') * PAGE;
		if (pg[0] != 'a' + (*c - '0') || pg[PAGE - 1] != 'a' + (*c - '0'))
			return *c - '0' + 1;
		pg[1] = pg[0];
	}
	return 0;
}

static int t_partial_munmap_splits(void)
{
	enum { N = 5 };
	struct worker w;
	struct vma v[8];
	int total0, total;
	char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	uintptr_t b = (uintptr_t)p;

	KTAP_CHECK(p != MAP_FAILED);
	for (int i = 0; i < N; i++)
		memset(p + i * PAGE, 'a' + i, PAGE);
	KTAP_CHECK(maps_overlap(b, b + N * PAGE, v, 8, &total0) == 1);
	KTAP_CHECK(worker_start(&w, other_than(here())) == 0);
	struct range_op all = { .base = p, .check = "01234" };
	long r = worker_call(&w, range_check, &all);     /* the worker's copy maps all */
	/* the middle page, unmapped by the worker (not in the reference cluster) */
	struct range_op mid = { p + 2 * PAGE, PAGE, -1, "0134", p };
	long r2 = r ? r : worker_call(&w, range_op_run, &mid);
	long r3 = r2 ? r2 : worker_call(&w, range_check, &mid);
	worker_stop(&w);
	KTAP_CHECKF(r == 0 && r2 == 0 && r3 == 0, "worker: %ld / munmap %ld / %ld", r, r2, r3);
	int n = maps_overlap(b, b + N * PAGE, v, 8, &total);
	KTAP_CHECKF(n == 2 && v[0].end == b + 2 * PAGE && v[1].start == b + 3 * PAGE,
		    "after munmap of the middle page: %d entries", n);
	KTAP_CHECKF(total == total0 + 1, "maps has %d lines, %d before", total, total0);
	KTAP_CHECK(range_check(&mid) == 0);            /* and in the main thread */
	CHECK_SEGV(test_in_child(test_read_byte, p + 2 * PAGE), "read of the unmapped middle page");
	/* the head and the tail, from the main thread */
	KTAP_CHECK(munmap(p, PAGE) == 0 && munmap(p + 4 * PAGE, PAGE) == 0);
	n = maps_overlap(b, b + N * PAGE, v, 8, &total);
	KTAP_CHECKF(n == 2 && v[0].start == b + PAGE && v[0].end == b + 2 * PAGE &&
		    v[1].start == b + 3 * PAGE && v[1].end == b + 4 * PAGE,
		    "after munmap of the head and the tail: %d entries", n);
	struct range_op left = { .base = p, .check = "13" };
	KTAP_CHECK(range_check(&left) == 0);
	CHECK_SEGV(test_in_child(test_write_byte, p), "write to the unmapped head");
	CHECK_SEGV(test_in_child(test_write_byte, p + 4 * PAGE), "write to the unmapped tail");
	KTAP_CHECK(munmap(p, N * PAGE) == 0);           /* across the holes */
	KTAP_CHECK(maps_overlap(b, b + N * PAGE, v, 8, &total) == 0);
	return KTAP_PASS;
}

static int t_partial_mprotect_splits_and_merges(void)
{
	enum { N = 6 };
	struct worker w;
	struct vma v[8];
	int total0, total;
	char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	uintptr_t b = (uintptr_t)p;

	KTAP_CHECK(p != MAP_FAILED);
	for (int i = 0; i < N; i++)
		memset(p + i * PAGE, 'a' + i, PAGE);
	KTAP_CHECK(maps_overlap(b, b + N * PAGE, v, 8, &total0) == 1);
	KTAP_CHECK(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ) == 0);
	int n = maps_overlap(b, b + N * PAGE, v, 8, &total);
	KTAP_CHECKF(n == 3 && v[0].end == b + 2 * PAGE && v[1].start == b + 2 * PAGE &&
		    v[1].end == b + 4 * PAGE && v[2].start == b + 4 * PAGE,
		    "after mprotect of the middle: %d entries", n);
	KTAP_CHECKF(!strcmp(v[0].perms, "rw-p") && !strcmp(v[1].perms, "r--p") &&
		    !strcmp(v[2].perms, "rw-p"), "permissions %s %s %s", v[0].perms,
		    v[1].perms, v[2].perms);
	KTAP_CHECKF(total == total0 + 2, "maps has %d lines, %d before", total, total0);
	CHECK_SEGV(test_in_child(test_write_byte, p + 2 * PAGE), "write to the read-only middle");
	CHECK_SEGV(test_in_child(test_write_byte, p + 4 * PAGE - 1), "write to the read-only middle end");
	/* from another cluster: the outer pieces are writable, the middle readable */
	KTAP_CHECK(worker_start(&w, other_than(here())) == 0);
	struct range_op outer = { .base = p, .check = "0145" };
	struct range_op middle = { .base = p, .check = "23" };
	long r = worker_call(&w, range_check, &outer);
	/* back to read-write, by the worker (not in the reference cluster) */
	struct range_op back = { p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, "", p };
	long r2 = r ? r : worker_call(&w, range_op_run, &back);
	long r3 = r2 ? r2 : worker_call(&w, range_check, &middle);   /* writes the middle */
	worker_stop(&w);
	KTAP_CHECKF(r == 0 && r2 == 0 && r3 == 0, "worker: outer %ld / mprotect %ld / "
		    "middle %ld", r, r2, r3);
	n = maps_overlap(b, b + N * PAGE, v, 8, &total);
	KTAP_CHECKF(n == 1 && v[0].start <= b && v[0].end >= b + N * PAGE &&
		    !strcmp(v[0].perms, "rw-p"), "after mprotect back: %d entries (not merged)",
		    n);
	KTAP_CHECKF(total == total0, "maps has %d lines, %d before the split", total, total0);
	struct range_op all = { .base = p, .check = "012345" };
	KTAP_CHECK(range_check(&all) == 0);
	KTAP_CHECK(munmap(p, N * PAGE) == 0);
	return KTAP_PASS;
}

/* ---- shared and private anonymous memory ------------------------------------------------ */

#define SH_PAGES 6              /* 0..3 written before the fork, 4 and 5 after */

struct sh_arg {
	char *s;
	uint64_t tag;
	int pages;
};

static long sh_check(void *a)
{
	struct sh_arg *x = a;
	for (int p = 0; p < x->pages; p++)
		if (!page_holds(x->s, (size_t)p, x->tag))
			return p + 1;
	return 0;
}

static int t_map_shared_vs_private_across_fork(void)
{
	struct worker w;
	int up[2], down[2];
	char *s = mmap(NULL, SH_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	char *v = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(s != MAP_FAILED && v != MAP_FAILED);
	for (int p = 0; p < 4; p++)
		fill_page(s, (size_t)p, 0xa);
	fill_page(v, 0, 0xa);
	fill_page(v, 1, 0xa);
	KTAP_CHECK(worker_start(&w, other_than(here())) == 0);
	struct sh_arg before = { s, 0xa, 4 };
	long r = worker_call(&w, sh_check, &before);     /* its cluster maps them too */
	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid_t pid = test_fork_in(other_than(here()));
	if (pid == 0) {
		char c = 0;
		int bad = 0;
		for (int p = 0; p < 4; p++)
			bad |= !page_holds(s, (size_t)p, 0xa);
		if (bad || !page_holds(v, 0, 0xa))
			_exit(1);
		for (int p = 0; p < 5; p++)               /* page 4: first touched here */
			fill_page(s, (size_t)p, 0xc);
		fill_page(v, 0, 0xc);
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(9);
		for (int p = 0; p < 4; p++)
			bad |= !page_holds(s, (size_t)p, 0xe);
		if (bad || !page_holds(s, 5, 0xe))        /* page 5: first touched by the parent */
			_exit(2);
		if (!page_holds(v, 0, 0xc) || !page_holds(v, 1, 0xa))
			_exit(3);
		_exit(0);
	}
	char c = 0;
	int got = pid > 0 && read(up[0], &c, 1) == 1;
	struct sh_arg child_wrote = { s, 0xc, 5 };
	long seen_here = got ? sh_check(&child_wrote) : -1;
	long seen_there = got ? worker_call(&w, sh_check, &child_wrote) : -1;
	int private_kept = page_holds(v, 0, 0xa) && page_holds(v, 1, 0xa);
	for (int p = 0; p < 4; p++)
		fill_page(s, (size_t)p, 0xe);
	fill_page(s, 5, 0xe);
	fill_page(v, 0, 0xe);
	if (pid > 0)
		write(down[1], &c, 1);
	int status = pid > 0 ? test_wait(pid) : -1;
	worker_stop(&w);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	munmap(s, SH_PAGES * PAGE);
	munmap(v, 2 * PAGE);
	KTAP_CHECK(pid > 0 && got);
	KTAP_CHECKF(r == 0, "worker: shared page %ld wrong before the fork", r - 1);
	KTAP_CHECKF(seen_here == 0, "parent does not see the child's write to shared page %ld",
		    seen_here - 1);
	KTAP_CHECKF(seen_there == 0, "parent's thread in cluster %d does not see the child's "
		    "write to shared page %ld", w.cluster, seen_there - 1);
	KTAP_CHECKF(private_kept, "the child's write to MAP_PRIVATE memory reached the parent");
	char buf[64];
	KTAP_CHECKF(test_exited_with(status, 0), "child %s (1: wrong data before its writes, "
		    "2: does not see the parent's shared writes, 3: private memory changed)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

/* ---- MAP_POPULATE, MAP_FIXED, errors ---------------------------------------------------- */

/* Touch every page; the local faults it took (-1 if the counters cannot be read). */
static long __attribute__((noinline)) touch_counting(char *p, int pages, struct archipel_counters *d)
{
	struct archipel_counters a, b;

	if (archipel_counters(&a) < 0)
		return -1;
	for (int i = 0; i < pages; i++)
		((volatile char *)p)[i * PAGE + 8] = (char)i;
	if (archipel_counters(&b) < 0)
		return -1;
	d->faults_global = b.faults_global - a.faults_global;
	d->faults_false = b.faults_false - a.faults_false;
	return (long)(b.faults_local - a.faults_local);
}

static int t_map_populate_no_later_faults(void)
{
	enum { N = 16 };
	struct archipel_counters d;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *warm = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, flags | MAP_POPULATE, -1, 0);
	char *lazy = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
	char *pop = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, flags | MAP_POPULATE, -1, 0);

	KTAP_CHECK(warm != MAP_FAILED && lazy != MAP_FAILED && pop != MAP_FAILED);
	if (archipel) {
		touch_counting(warm, N, &d);           /* the code and stack of the measure */
		long l = touch_counting(lazy, N, &d);
		KTAP_CHECKF(l >= N, "touching %d fresh pages made %ld local faults", N, l);
		struct archipel_counters k;
		KTAP_CHECK(archipel_counters(&k) == 0);
		int in_ref = archipel_cluster() == (int)k.ref_cxy;
		l = touch_counting(pop, N, &d);
		KTAP_CHECKF(l == 0, "touching %d MAP_POPULATE pages made %ld local faults", N, l);
		/* in the reference cluster, the populated PTEs are the caller's own */
		KTAP_CHECKF(!in_ref || (d.faults_global == 0 && d.faults_false == 0),
			    "touching %d MAP_POPULATE pages in the reference cluster made %llu "
			    "global, %llu false faults", N, (unsigned long long)d.faults_global,
			    (unsigned long long)d.faults_false);
	}
	for (int i = 0; i < N; i++)
		pop[i * PAGE + 8] = (char)i;
	for (int i = 0; i < N; i++)
		KTAP_CHECKF(pop[i * PAGE + 8] == (char)i && pop[i * PAGE] == 0 &&
			    pop[i * PAGE + PAGE - 1] == 0, "populated page %d: wrong data", i);
	munmap(warm, N * PAGE);
	munmap(lazy, N * PAGE);
	munmap(pop, N * PAGE);
	return KTAP_PASS;
}

struct fx_arg {
	volatile char *p;
	char val;
};

static long fx_read(void *a)
{
	return ((struct fx_arg *)a)->p[0];
}

static long fx_write(void *a)
{
	struct fx_arg *f = a;
	f->p[0] = f->val;
	return 0;
}

static int t_map_fixed_replaces(void)
{
	struct worker w;
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	KTAP_CHECK(p != MAP_FAILED);
	memset(p, 7, 4 * PAGE);
	KTAP_CHECK(worker_start(&w, other_than(here())) == 0);
	struct fx_arg one = { p + PAGE, 9 }, two = { p + 2 * PAGE, 0 };
	long before1 = worker_call(&w, fx_read, &one);   /* its cluster maps the old pages */
	long before2 = worker_call(&w, fx_read, &two);
	char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	char *ro = mmap(p + 2 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			-1, 0);
	long after1 = worker_call(&w, fx_read, &one);
	long after2 = worker_call(&w, fx_read, &two);
	long wrote = worker_call(&w, fx_write, &one);
	worker_stop(&w);
	KTAP_CHECK(before1 == 7 && before2 == 7);
	KTAP_CHECK(q == p + PAGE && ro == p + 2 * PAGE);
	KTAP_CHECKF(after1 == 0 && after2 == 0, "a thread in cluster %d still reads the "
		    "replaced pages (%ld, %ld)", w.cluster, after1, after2);
	KTAP_CHECK(wrote == 0 && q[0] == 9);            /* one new page, seen from both */
	KTAP_CHECK(q[1] == 0 && q[PAGE - 1] == 0 && ro[0] == 0 && ro[PAGE - 1] == 0);
	KTAP_CHECK(p[0] == 7 && p[3 * PAGE] == 7 && p[PAGE - 1] == 7);
	CHECK_SEGV(test_in_child(test_write_byte, ro), "write to the PROT_READ MAP_FIXED page");
	KTAP_CHECK(munmap(p, 4 * PAGE) == 0);
	return KTAP_PASS;
}

static void *mmap_raw(void *addr, size_t len, int prot, int flags)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, -1, 0);
}

static int t_mmap_errors(void)
{
	const int anon = MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;
	char *p = mmap(NULL, 2 * PAGE, rw, MAP_PRIVATE | anon, -1, 0);

	KTAP_CHECK(p != MAP_FAILED);
	KTAP_CHECK_ERRNO(mmap_raw(NULL, 0, rw, MAP_PRIVATE | anon) == MAP_FAILED ? -1 : 0,
			 EINVAL);
	KTAP_CHECK_ERRNO(mmap_raw(p + 1, PAGE, rw, MAP_PRIVATE | anon | MAP_FIXED) ==
			 MAP_FAILED ? -1 : 0, EINVAL);
	KTAP_CHECK_ERRNO(mmap_raw(NULL, PAGE, rw, anon) == MAP_FAILED ? -1 : 0, EINVAL);
	KTAP_CHECK_ERRNO(munmap(p + 1, PAGE), EINVAL);
	KTAP_CHECK_ERRNO(munmap(p, 0), EINVAL);
	KTAP_CHECK(p[0] == 0);                         /* the failed calls left it alone */
	KTAP_CHECK(munmap(p, 2 * PAGE) == 0);
	KTAP_CHECK_ERRNO(syscall(SYS_mprotect, p, 2 * PAGE, PROT_READ), ENOMEM);
	KTAP_CHECK(munmap(p, 2 * PAGE) == 0);           /* nothing there: not an error */
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_disjoint_writes_seen_everywhere),
	KTAP_CASE(t_first_fault_race_one_page),
	KTAP_CASE(t_fork_with_threads_in_clusters),
	KTAP_CASE(t_munmap_shot_down_in_every_cluster),
	KTAP_CASE(t_mprotect_shot_down_in_every_cluster),
	KTAP_CASE(t_partial_munmap_splits),
	KTAP_CASE(t_partial_mprotect_splits_and_merges),
	KTAP_CASE(t_map_shared_vs_private_across_fork),
	KTAP_CASE(t_map_populate_no_later_faults),
	KTAP_CASE(t_map_fixed_replaces),
	KTAP_CASE(t_mmap_errors),
};

int main(void)
{
	nclus = archipel_nclusters();
	archipel = nclus > 0;
	if (!archipel)
		nclus = 1;
	prefault_stack();
	return ktap_run(cases, KTAP_NCASES(cases));
}
