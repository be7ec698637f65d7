/*
 * procbench - process and virtual-memory micro-benchmarks (make bench).
 *
 * Prints one line per figure in the kernel benchmark format that
 * tools/bench.py reads:
 *     bench: NAME n=N median=M p99=P cycles
 * Cycles are user-mode RDTSC deltas. "_local" figures place the child in
 * the parent's cluster, "_remote" ones in the next cluster (on one cluster
 * both are local). Every figure comes from the same boot, so compare ratios.
 * `procbench --exit` exits at once: the program exec'd by fork_exec_wait.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "archipel.h"
#include "benchutil.h"

#define PAGE 4096

static int nclusters, self_cluster;

/* Places the next fork: the caller's cluster, or the next one. */
static void place(int remote)
{
	int n = nclusters > 0 ? nclusters : 1;
	archipel_fork_place(remote ? (self_cluster + 1) % n : self_cluster);
}

static void bench_fork(int remote, int exec_child, int n)
{
	uint64_t v[64];
	char name[64];

	for (int i = 0; i < n; i++) {
		place(remote);
		uint64_t t0 = bench_rdtsc();
		pid_t pid = fork();
		if (pid == 0) {
			if (exec_child) {
				char *argv[] = { "/bin/procbench", "--exit", NULL };
				execve(argv[0], argv, (char *[]){ NULL });
			}
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		v[i] = bench_rdtsc() - t0;
	}
	snprintf(name, sizeof(name), "%s_%s", exec_child ? "fork_exec_wait" : "fork_exit_wait",
		 remote ? "remote" : "local");
	bench_report(name, v, n);
}

/* Per-page cost of the child's first write to each of @pages shared pages. */
static void bench_cow(int remote, int rounds, int pages)
{
	uint64_t v[64];
	char *buf = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd[2];

	for (int p = 0; p < pages; p++)
		buf[p * PAGE] = 1;                       /* present in the parent */
	for (int r = 0; r < rounds; r++) {
		if (pipe(fd))
			return;
		place(remote);
		pid_t pid = fork();
		if (pid == 0) {
			uint64_t t0 = bench_rdtsc();
			for (int p = 0; p < pages; p++)
				buf[p * PAGE] = 2;               /* one COW fault per page */
			uint64_t per = (bench_rdtsc() - t0) / (uint64_t)pages;
			if (write(fd[1], &per, sizeof(per)) != sizeof(per))
				_exit(1);
			_exit(0);
		}
		close(fd[1]);
		if (read(fd[0], &v[r], sizeof(v[r])) != sizeof(v[r]))
			v[r] = 0;
		close(fd[0]);
		waitpid(pid, NULL, 0);
	}
	munmap(buf, (size_t)pages * PAGE);
	bench_report(remote ? "cow_fault_page_remote" : "cow_fault_page_local", v, rounds);
}

static void bench_first_touch(int rounds, int pages)
{
	uint64_t v[64];

	for (int r = 0; r < rounds; r++) {
		char *buf = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0 = bench_rdtsc();
		for (int p = 0; p < pages; p++)
			buf[p * PAGE] = 1;
		v[r] = (bench_rdtsc() - t0) / (uint64_t)pages;
		munmap(buf, (size_t)pages * PAGE);
	}
	bench_report("first_touch_page", v, rounds);
}

static void bench_mmap_cycle(int rounds, int pages)
{
	uint64_t v[64];

	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		char *buf = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (int p = 0; p < pages; p++)
			buf[p * PAGE] = 1;
		munmap(buf, (size_t)pages * PAGE);
		v[r] = bench_rdtsc() - t0;
	}
	bench_report("mmap_touch16_munmap", v, rounds);
}

static void bench_null_syscall(int rounds, int batch)
{
	uint64_t v[64];

	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < batch; i++)
			getppid();
		v[r] = (bench_rdtsc() - t0) / (uint64_t)batch;
	}
	bench_report("null_syscall", v, rounds);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;
	nclusters = archipel_nclusters();
	self_cluster = archipel_cluster();
	if (nclusters <= 0) {
		nclusters = 1;               /* on Linux: the placement calls fail, harmlessly */
		self_cluster = 0;
	}
	printf("procbench: %d cluster(s), running in cluster %d\n", nclusters, self_cluster);
	bench_null_syscall(31, 200);
	bench_first_touch(15, 64);
	bench_mmap_cycle(31, 16);
	for (int remote = 0; remote < 2; remote++) {
		bench_fork(remote, 0, 21);
		bench_fork(remote, 1, 15);
		bench_cow(remote, 15, 32);
	}
	return 0;
}
