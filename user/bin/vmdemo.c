/*
 * vmdemo - a small workload that exercises every VM trace event, for
 * `make trace PROG=build/user/bin/vmdemo` (docs/tracing.md).
 *
 *   vmdemo [PAGES]      (default 16 pages, at most 1024)
 *
 * 1. main touches PAGES pages of an anonymous buffer (local faults);
 * 2. one thread per NUMA node (it pins itself to that node's cpus with
 *    sched_setaffinity) reads every page and waits, spinning in user mode:
 *    in the other nodes a process copy appears and its faults are global
 *    (the PTE comes from the reference GPT); in main's node the thread shares
 *    the reference GPT on the other core;
 * 3. main write-protects the first half of the buffer while the threads spin
 *    on their cores (TLB shootdowns), then releases them; they exit (their
 *    copies are torn down);
 * 4. main forks: the child writes every page (COW faults) and execs
 *    /bin/hello (on a host without it: itself with --exit); the parent
 *    waits for it and writes the second half (COW, the page now reused).
 *
 * Prints one line per step; exits 0 when every step worked, 1 otherwise.
 * Runs on Linux too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "nodeutil.h"

#define PAGE      4096
#define MAX_PAGES 1024
#define MAX_NODES 64

static volatile unsigned char *buf;
static long npages;
static volatile int release;      /* main -> threads: stop spinning */
static volatile int arrived;      /* threads that read every page */
static volatile int failed;       /* a thread could not move to its node */

static int die(const char *what)
{
	perror(what);
	return 1;
}

/* The number of NUMA nodes (from sysfs, as on Linux). */
static int count_nodes(void)
{
	cpu_set_t set;
	int n = 0;

	while (n < MAX_NODES && node_cpus(n, &set) > 0)
		n++;
	return n > 0 ? n : 1;
}

/* A reader thread: moves to the node @arg, reads every page, spins until released. */
static void *reader(void *arg)
{
	int node = (int)(intptr_t)arg;
	unsigned sum = 0;
	cpu_set_t set;

	if (node_cpus(node, &set) <= 0 || sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "vmdemo: cannot move a thread to node %d\n", node);
		failed = 1;
	}
	for (long i = 0; i < npages; i++)
		sum += buf[i * PAGE];
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	while (!release)
		;                           /* stay on this core: its TLB holds the buffer */
	return (void *)(uintptr_t)sum;
}

int main(int argc, char *argv[])
{
	pthread_t threads[MAX_NODES];
	int nodes = count_nodes(), nthreads = 0, status;
	unsigned cpu, self_node;
	pid_t child;

	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;                          /* the program exec'd by the child */
	npages = argc > 1 ? strtol(argv[1], NULL, 0) : 16;
	if (npages < 2 || npages > MAX_PAGES) {
		fprintf(stderr, "vmdemo: PAGES must be 2..%d\n", MAX_PAGES);
		return 2;
	}
	if (syscall(SYS_getcpu, &cpu, &self_node, NULL) < 0)
		return die("vmdemo: getcpu");
	buf = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return die("vmdemo: mmap");
	for (long i = 0; i < npages; i++)
		buf[i * PAGE] = (unsigned char)i;
	printf("vmdemo: %ld pages touched in node %u (local faults)\n", npages, self_node);

	for (int node = 0; node < nodes; node++) {
		if (pthread_create(&threads[nthreads], NULL, reader, (void *)(intptr_t)node)) {
			fprintf(stderr, "vmdemo: cannot start a thread in node %d\n", node);
			return 1;
		}
		nthreads++;
	}
	while (arrived < nthreads)
		sched_yield();
	printf("vmdemo: %d threads, one per node, read every page (global faults)\n", nthreads);

	if (mprotect((void *)buf, (npages / 2) * PAGE, PROT_READ))
		return die("vmdemo: mprotect");
	release = 1;
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (mprotect((void *)buf, (npages / 2) * PAGE, PROT_READ | PROT_WRITE))
		return die("vmdemo: mprotect");
	printf("vmdemo: first half write-protected under the threads (shootdowns), threads done\n");

	fflush(stdout);
	child = fork();
	if (child < 0)
		return die("vmdemo: fork");
	if (child == 0) {
		for (long i = 0; i < npages; i++)
			buf[i * PAGE] ^= 0xff;         /* COW: a private copy of every page */
		if (access("/bin/hello", X_OK) == 0)
			execl("/bin/hello", "hello", "from", "vmdemo's", "child", (char *)NULL);
		else                               /* on a host without /bin/hello */
			execl(argv[0], argv[0], "--exit", (char *)NULL);
		perror("vmdemo: exec");
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child)
		return die("vmdemo: waitpid");
	for (long i = npages / 2; i < npages; i++)
		buf[i * PAGE] += 1;                /* COW again: now the only sharer */
	for (long i = 0; i < npages; i++)
		if (buf[i * PAGE] != (unsigned char)(i + (i >= npages / 2))) {
			fprintf(stderr, "vmdemo: page %ld holds %u: the child's write leaked\n",
				i, buf[i * PAGE]);
			return 1;
		}
	printf("vmdemo: child %d exited with status %d; parent wrote its pages (COW)\n",
	       child, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return !failed && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
