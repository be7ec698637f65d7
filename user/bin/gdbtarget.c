/*
 * gdbtarget.c - builds a process state worth looking at with the GDB
 * commands of tools/gdb/archipel.py, then stops at recognisable calls for
 * the scripted GDB session of tests/e2e/test_gdb.py (booted alone with
 * the kernel command line `-- /bin/gdbtarget`).
 *
 * State, on a machine of N >= 2 clusters, the process's reference cluster R
 * and O = (R + 1) % N:
 *  - GDBT_PAGES anonymous pages at the fixed address GDBT_ADDR (read-write),
 *    all written by the main thread (so mapped in the reference GPT);
 *  - one worker thread pinned to every other cluster, each of which reads
 *    every page: the process has exactly N copies, and each copy maps the
 *    same physical pages as the reference (global faults);
 *  - a child forked into cluster O (its owner and reference), which writes
 *    page 2 (its own copy), while the parent writes page 1 after the fork
 *    (the parent's copy): page 0 stays shared copy-on-write by both.
 *
 * Stop points, in this order (the only calls of their kind in that boot):
 *  1. uname(2) by the main thread: the state above is complete, every
 *     other thread is blocked (workers and child in read(2) on a pipe);
 *  2. mprotect(2) of page 3 to read-only by one worker (the worker of
 *     cluster O on a 2-cluster machine): an RPC_VMM to the reference
 *     cluster R, which runs it holding the VSL and GPT locks of the
 *     reference copy;
 *  3. the first write to a fresh anonymous page: a page fault that
 *     allocates a page (buddy_alloc under the PPM busylock).
 * Then everything ends and the program exits 0 (init powers off).
 *
 * It prints "gdbtarget: ..." lines on the way. On Linux (no clusters) it
 * runs with one worker on node 0 and exits 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archipel.h"
#include "nodeutil.h"

#define GDBT_ADDR   0x500000000000UL   /* keep in sync with tests/e2e/test_gdb.py */
#define GDBT_PAGES  4
#define PAGE        4096UL
#define MAX_WORKERS 64

static volatile uint8_t *area;
static int go[2], ready[2];             /* main -> workers, workers -> main */

static void fail(const char *what)
{
	printf("gdbtarget: %s failed\n", what);
	exit(1);
}

static void put(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		fail("write");
}

static char get(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		fail("read");
	return c;
}

/* Worker: pins itself to cluster (intptr_t)arg, reads every page, then obeys go[]. */
static void *worker(void *arg)
{
	int k = (int)(intptr_t)arg;
	cpu_set_t set;
	unsigned sum = 0;

	if (node_cpus(k, &set) > 0 && sched_setaffinity(0, sizeof(set), &set) < 0)
		fail("sched_setaffinity");
	for (unsigned i = 0; i < GDBT_PAGES; i++)
		sum += area[i * PAGE];
	if (sum != 0 + 1 + 2 + 3)
		fail("worker read");
	put(ready[1], 'r');
	for (;;) {
		char c = get(go[0]);
		if (c == 'q')
			return NULL;
		if (c == 'm') {             /* stop point 2 */
			if (mprotect((void *)(area + 3 * PAGE), PAGE, PROT_READ) < 0)
				fail("mprotect");
			put(ready[1], 'm');
		}
	}
}

int main(void)
{
	struct archipel_counters c;
	int nclus = archipel_nclusters(), ref = 0, other = 0, nworkers = 0;
	int child_go[2], child_ready[2];
	pthread_t tid[MAX_WORKERS];
	struct utsname u;

	if (nclus < 1)
		nclus = 1;                  /* Linux */
	if (archipel_counters(&c) == 0)
		ref = (int)c.ref_cxy;
	other = (ref + 1) % nclus;

	area = mmap((void *)GDBT_ADDR, GDBT_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (area == MAP_FAILED)
		fail("mmap");
	for (unsigned i = 0; i < GDBT_PAGES; i++)
		area[i * PAGE] = (uint8_t)i;
	if (pipe(go) < 0 || pipe(ready) < 0 || pipe(child_go) < 0 || pipe(child_ready) < 0)
		fail("pipe");

	/* One worker in every other cluster (one on node 0 on Linux). */
	for (int k = 0; k < nclus || nworkers == 0; k++) {
		if (k == ref && nclus > 1)
			continue;
		if (nworkers == MAX_WORKERS ||
		    pthread_create(&tid[nworkers], NULL, worker, (void *)(intptr_t)k) != 0)
			fail("pthread_create");
		nworkers++;
	}
	for (int i = 0; i < nworkers; i++)
		get(ready[0]);

	archipel_fork_place(other);
	pid_t child = fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		area[2 * PAGE] = 42;        /* the child's own copy of page 2 */
		put(child_ready[1], 'r');
		get(child_go[0]);
		_exit(0);
	}
	get(child_ready[0]);
	area[1 * PAGE] = 41;                /* the parent's own copy of page 1 */
	printf("gdbtarget: ready pid %d ref %d child %d in %d, %d copies\n",
	       (int)getpid(), ref, (int)child, other, nworkers + 1);
	fflush(stdout);

	uname(&u);                          /* stop point 1 */

	/* Stop point 2: the worker of cluster `other` mprotects page 3 (one 'm' only). */
	put(go[1], 'm');
	if (get(ready[0]) != 'm')
		fail("mprotect reply");

	/* Stop point 3: a fault that allocates a page. */
	volatile uint8_t *fresh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		fail("mmap fresh");
	fresh[0] = 1;

	for (int i = 0; i < nworkers; i++)
		put(go[1], 'q');
	for (int i = 0; i < nworkers; i++)
		pthread_join(tid[i], NULL);
	put(child_go[1], 'q');
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("child");
	printf("gdbtarget: done\n");
	return 0;
}
