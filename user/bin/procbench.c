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
 * Signals: signal_roundtrip_local is kill(self) -> handler -> rt_sigreturn;
 * signal_pingpong_remote (several clusters only) is one round trip between
 * two threads in two clusters, each waiting in sigsuspend (two signals, two
 * wake-ups across clusters), with its remote accesses and RPCs on a
 * "bench: traffic" line.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "archipel.h"
#include "benchutil.h"
#include "threadutil.h"

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

/* ---- signals ------------------------------------------------------------------------- */

static volatile int sig_seen, ping_seen;
static volatile pid_t main_tid;
static atomic_int pong_ready, pong_stop;
static volatile pid_t pong_tid;

static void on_sig(int sig)
{
	(void)sig;
	sig_seen++;
}

static void bench_signal_local(int rounds)
{
	uint64_t v[64];
	pid_t me = getpid();

	signal(SIGUSR1, on_sig);
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		kill(me, SIGUSR1);
		v[r] = bench_rdtsc() - t0;
	}
	signal(SIGUSR1, SIG_DFL);
	bench_report("signal_roundtrip_local", v, rounds);
}

/* The worker's SIGUSR1 handler answers the main thread with SIGUSR2. */
static void on_ping(int sig)
{
	(void)sig;
	syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
}

static void on_pong(int sig)
{
	(void)sig;
	ping_seen++;
}

static void *pong_main(void *arg)
{
	sigset_t none;

	(void)arg;
	sigemptyset(&none);
	test_pin_to_cluster((self_cluster + 1) % nclusters);
	pong_tid = (pid_t)syscall(SYS_gettid);
	atomic_store(&pong_ready, 1);
	while (!atomic_load(&pong_stop))
		sigsuspend(&none);           /* SIGUSR1 is blocked in between */
	return NULL;
}

static void counters_now(struct archipel_counters *c)
{
	if (archipel_counters(c) < 0)
		memset(c, 0, sizeof(*c));
}

static void bench_signal_remote(int rounds)
{
	uint64_t v[64];
	int64_t ra[64], rp[64];
	struct archipel_counters c[2];
	sigset_t both, none, old;
	pthread_t th;

	main_tid = (pid_t)syscall(SYS_gettid);
	signal(SIGUSR1, on_ping);
	signal(SIGUSR2, on_pong);
	sigemptyset(&none);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, &old);     /* the worker inherits it */
	if (pthread_create(&th, NULL, pong_main, NULL))
		return;
	while (!atomic_load(&pong_ready))
		sched_yield();
	for (int r = 0; r < rounds; r++) {
		int before = ping_seen;

		counters_now(&c[0]);
		uint64_t t0 = bench_rdtsc();
		syscall(SYS_tgkill, getpid(), pong_tid, SIGUSR1);
		while (ping_seen == before)
			sigsuspend(&none);
		v[r] = bench_rdtsc() - t0;
		counters_now(&c[1]);
		ra[r] = (int64_t)(c[1].remote_accesses - c[0].remote_accesses);
		rp[r] = (int64_t)(c[1].rpcs - c[0].rpcs);
	}
	atomic_store(&pong_stop, 1);
	syscall(SYS_tgkill, getpid(), pong_tid, SIGUSR1);
	pthread_join(th, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	bench_report("signal_pingpong_remote", v, rounds);
	bench_sort((uint64_t *)ra, rounds);      /* small non-negative counts */
	bench_sort((uint64_t *)rp, rounds);
	printf("bench: traffic signal_pingpong_remote n=%d remote_accesses=%lld rpcs=%lld "
	       "shootdowns=0\n", rounds, (long long)ra[rounds / 2], (long long)rp[rounds / 2]);
	fflush(stdout);
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
	bench_signal_local(31);
	if (nclusters > 1)
		bench_signal_remote(31);
	bench_first_touch(15, 64);
	bench_mmap_cycle(31, 16);
	for (int remote = 0; remote < 2; remote++) {
		bench_fork(remote, 0, 21);
		bench_fork(remote, 1, 15);
		bench_cow(remote, 15, 32);
	}
	return 0;
}
