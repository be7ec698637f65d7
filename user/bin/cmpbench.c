/*
 * cmpbench - the benchmark `make bench-linux` runs on Archipel and on Linux.
 *
 * Plain Linux x86_64 ABI only (no Archipel call), so that the very same static
 * binary runs on both kernels and on the host. Prints one line per figure:
 *
 *     cmpbench: tsc_mhz=F                     TSC frequency calibrated in this run
 *     cmpbench: NAME n=N median=M p99=P ns median_cycles=MC p99_cycles=PC
 *     cmpbench: done status=S
 *
 * Every figure is timed with RDTSC (user mode); "ns" converts with F, which is
 * calibrated against clock_gettime(CLOCK_MONOTONIC) over CALIB_MS of busy
 * waiting. Under QEMU TCG the guest TSC counts the host's TSC ticks from the
 * moment the virtual machine starts, so cycles are the same physical unit on
 * every guest kernel: tools/bench_linux.py compares cycles.
 *
 * Figures (p99 by nearest rank; n = samples):
 *   boot_to_main      TSC read by the first instruction of main(): the time from
 *                     the VM start (firmware, GRUB, kernel boot, init, the exec of
 *                     this program) to here. n=1. Meaningful only in a fresh VM.
 *   null_syscall      one getppid(), mean of a batch of BATCH calls.
 *   fork_exit_wait    fork(); the child _exit(0)s; the parent waitpid()s.
 *   fork_exec_wait    fork(); the child execve()s this binary with --exit (it
 *                     exits at once); the parent waitpid()s.
 *   cow_fault_page    per page: the child's first write to each of PAGES pages
 *                     that the parent wrote before fork().
 *   first_touch_page  per page: first write to each of PAGES pages of a fresh
 *                     anonymous private mapping.
 *   mmap_touch_munmap per call: mmap of SMALL pages, one write to each, munmap.
 *   fork_dirty16m_exit_wait
 *                     fork_exit_wait of a process with DIRTY_MB MiB of written
 *                     anonymous memory (written again between rounds, untimed).
 *   fork_tree_exec    a tree of TREE_PROCS processes: the root forks 2 children,
 *                     each execs this binary with --tree D, forks 2 more and waits
 *                     for them, down TREE_DEPTH levels; from the first fork to the
 *                     root's last wait.
 *   pf_procs_N, pf_threads_N (N = 1, 2, 4, 8)
 *                     will-it-scale's page_fault1: N processes (or threads) each
 *                     PF_LOOPS times mmap PF_MB MiB, write every page, munmap;
 *                     cycles of the whole run per page fault (the inverse of the
 *                     faults per second summed over the N tasks: lower is better).
 *   signal_self       kill(getpid(), SIGUSR1): the handler runs, then rt_sigreturn;
 *                     one round trip.
 *   signal_remote     a round trip of SIGUSR1 between the main thread, pinned to
 *                     the first CPU, and a thread pinned to the last one (another
 *                     NUMA node when there is one): tgkill(2) to the peer, asleep
 *                     in pause(2); its handler tgkills back; the main thread,
 *                     asleep in sigtimedwait(2), takes it. Both sleep, so on one
 *                     CPU it measures the same path, not the scheduler's tick.
 *
 * Options: --exit (exit 0 at once: the program fork_exec_wait execs), --tree D
 * (a fork_tree_exec node: fork 2 children running --tree D-1, wait; D = 0: exit),
 * --quick (few rounds: a check that it runs, e.g. on the host in make test),
 * --only NAME (run that figure only, e.g. under trace=1 for an analysis).
 * Exit status 0 if every figure was measured, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "benchutil.h"

#define PAGE     4096
#define MAXN     64         /* most samples of one figure */
#define BATCH    200        /* getppid() calls per null_syscall sample */
#define PAGES    64         /* pages of the COW and first-touch regions */
#define SMALL    4          /* pages of one mmap_touch_munmap call */
#define CALIB_MS 100        /* TSC calibration interval */
#define SIG_WAIT_MS 2000    /* a signal not handled by then is a failure, not a hang */
#define DIRTY_MB 16         /* fork_dirty16m_exit_wait: MiB written before each fork */
#define TREE_DEPTH 5        /* fork_tree_exec: levels below the root */
#define TREE_PROCS 63       /* 1 + 2 + 4 + ... + 2^TREE_DEPTH */
#define PF_MB    1          /* pf_*: MiB of one mmap */
#define PF_LOOPS 2          /* pf_*: mmap/touch/munmap rounds of one task */

extern char **environ;

static double tsc_mhz;      /* TSC ticks per microsecond */
static const char *self;    /* path of this binary, for fork_exec_wait */
static int failures;
static const char *only;    /* --only NAME: run that figure only */

/* True if figure @name is to be run. */
static int want(const char *name)
{
	return !only || strcmp(only, name) == 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC MHz: TSC ticks over CALIB_MS ms of CLOCK_MONOTONIC (busy wait). */
static double calibrate(void)
{
	uint64_t n0 = mono_ns(), c0 = bench_rdtsc(), n1, c1;

	do {
		n1 = mono_ns();
		c1 = bench_rdtsc();
	} while (n1 - n0 < CALIB_MS * 1000000ull);
	return (double)(c1 - c0) * 1000.0 / (double)(n1 - n0);
}

static uint64_t to_ns(uint64_t cycles)
{
	return (uint64_t)((double)cycles * 1000.0 / tsc_mhz + 0.5);
}

/* Prints the figure line of @n samples @v (cycles); sorts @v. */
static void report(const char *name, uint64_t *v, int n)
{
	if (n <= 0) {
		printf("cmpbench: %s failed: no sample\n", name);
		failures++;
		return;
	}
	int p99 = bench_sort(v, n);
	uint64_t med = v[n / 2], hi = v[p99];
	printf("cmpbench: %s n=%d median=%llu p99=%llu ns median_cycles=%llu p99_cycles=%llu\n",
	       name, n, (unsigned long long)to_ns(med), (unsigned long long)to_ns(hi),
	       (unsigned long long)med, (unsigned long long)hi);
	fflush(stdout);
}

static void fail(const char *name, const char *what)
{
	printf("cmpbench: %s failed: %s: %s\n", name, what, strerror(errno));
	fflush(stdout);
	failures++;
}

static void bench_null_syscall(int rounds)
{
	uint64_t v[MAXN];

	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++)
			getppid();
		v[r] = (bench_rdtsc() - t0) / BATCH;
	}
	report("null_syscall", v, rounds);
}

/* fork + (execve of this binary with --exit, if @exec_child) + exit + wait. */
static void bench_fork(int exec_child, int rounds)
{
	const char *name = exec_child ? "fork_exec_wait" : "fork_exit_wait";
	uint64_t v[MAXN];
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		int status;
		uint64_t t0 = bench_rdtsc();
		pid_t pid = fork();
		if (pid < 0) {
			fail(name, "fork");
			return;
		}
		if (pid == 0) {
			if (exec_child) {
				char *argv[] = { (char *)self, "--exit", NULL };
				execve(self, argv, environ);
				_exit(127);
			}
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid) {
			fail(name, "waitpid");
			return;
		}
		uint64_t t = bench_rdtsc() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("cmpbench: %s failed: child status %#x\n", name, status);
			failures++;
			return;
		}
		v[n++] = t;
	}
	report(name, v, n);
}

/* fork + exit + wait with DIRTY_MB MiB of private memory written before each fork. */
static void bench_fork_dirty(int rounds)
{
	const char *name = "fork_dirty16m_exit_wait";
	const size_t bytes = (size_t)DIRTY_MB << 20;
	char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t v[MAXN];
	int n = 0;

	if (buf == MAP_FAILED) {
		fail(name, "mmap");
		return;
	}
	for (int r = 0; r < rounds; r++) {
		int status;
		for (size_t off = 0; off < bytes; off += PAGE)
			buf[off] = (char)r;                 /* dirty again, private again */
		uint64_t t0 = bench_rdtsc();
		pid_t pid = fork();
		if (pid < 0) {
			fail(name, "fork");
			break;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
			fail(name, "waitpid");
			break;
		}
		v[n++] = bench_rdtsc() - t0;
	}
	munmap(buf, bytes);
	report(name, v, n);
}

/* A fork_tree_exec node of @depth: 2 children exec'ing --tree depth-1. @return 0 if all exited 0. */
static int tree_node(int depth)
{
	pid_t kids[2];
	int bad = 0;

	if (depth <= 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char d[12];
			snprintf(d, sizeof(d), "%d", depth - 1);
			char *argv[] = { (char *)self, "--tree", d, NULL };
			execve(self, argv, environ);
			_exit(127);
		}
		if (kids[i] < 0)
			bad = 1;
	}
	for (int i = 0; i < 2; i++) {
		int status;
		if (kids[i] > 0 && (waitpid(kids[i], &status, 0) != kids[i] ||
				    !WIFEXITED(status) || WEXITSTATUS(status) != 0))
			bad = 1;
	}
	return bad;
}

static void bench_fork_tree(int rounds)
{
	uint64_t v[MAXN];
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		if (tree_node(TREE_DEPTH)) {
			printf("cmpbench: fork_tree_exec failed: a process of the tree failed\n");
			failures++;
			return;
		}
		v[n++] = bench_rdtsc() - t0;
	}
	report("fork_tree_exec", v, n);
}

/* One page_fault1 task: PF_LOOPS times mmap PF_MB MiB, write each page, munmap. @return 0 or -1. */
static int pf_task(void)
{
	const size_t bytes = (size_t)PF_MB << 20;

	for (int l = 0; l < PF_LOOPS; l++) {
		char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
		if (buf == MAP_FAILED)
			return -1;
		for (size_t off = 0; off < bytes; off += PAGE)
			buf[off] = 1;
		munmap(buf, bytes);
	}
	return 0;
}

static void *pf_thread(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)pf_task();
}

/* page_fault1 with @tasks processes (or threads if @threads): cycles per fault of the run. */
static void bench_pf(int tasks, int threads, int rounds)
{
	const uint64_t faults = (uint64_t)tasks * PF_LOOPS * ((PF_MB << 20) / PAGE);
	char name[32];
	uint64_t v[MAXN];
	int n = 0;

	snprintf(name, sizeof(name), "pf_%s_%d", threads ? "threads" : "procs", tasks);
	for (int r = 0; r < rounds; r++) {
		pid_t pids[8];
		pthread_t tids[8];
		int bad = 0;
		uint64_t t0 = bench_rdtsc();

		for (int i = 0; i < tasks; i++) {
			if (threads) {
				if (pthread_create(&tids[i], NULL, pf_thread, NULL) != 0)
					bad = 1, tids[i] = 0;
			} else {
				pids[i] = fork();
				if (pids[i] == 0)
					_exit(pf_task() ? 1 : 0);
				if (pids[i] < 0)
					bad = 1;
			}
		}
		for (int i = 0; i < tasks; i++) {
			if (threads) {
				void *ret = NULL;
				if (tids[i] && (pthread_join(tids[i], &ret) != 0 || ret != NULL))
					bad = 1;
			} else {
				int status;
				if (pids[i] > 0 && (waitpid(pids[i], &status, 0) != pids[i] ||
						    !WIFEXITED(status) || WEXITSTATUS(status) != 0))
					bad = 1;
			}
		}
		if (bad) {
			printf("cmpbench: %s failed: a task failed\n", name);
			failures++;
			return;
		}
		v[n++] = (bench_rdtsc() - t0) / faults;
	}
	report(name, v, n);
}

static char *map_pages(int pages)
{
	char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Per page: the child's first write to each of PAGES pages shared with its parent. */
static void bench_cow(int rounds)
{
	uint64_t v[MAXN];
	char *buf = map_pages(PAGES);
	int n = 0;

	if (!buf) {
		fail("cow_fault_page", "mmap");
		return;
	}
	for (int p = 0; p < PAGES; p++)
		buf[p * PAGE] = 1;                       /* present in the parent */
	for (int r = 0; r < rounds; r++) {
		int fd[2];
		uint64_t per = 0;
		if (pipe(fd)) {
			fail("cow_fault_page", "pipe");
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			fail("cow_fault_page", "fork");
			close(fd[0]);
			close(fd[1]);
			break;
		}
		if (pid == 0) {
			uint64_t t0 = bench_rdtsc();
			for (int p = 0; p < PAGES; p++)
				buf[p * PAGE] = 2;               /* one COW fault per page */
			per = (bench_rdtsc() - t0) / PAGES;
			_exit(write(fd[1], &per, sizeof(per)) == sizeof(per) ? 0 : 1);
		}
		close(fd[1]);
		ssize_t got = read(fd[0], &per, sizeof(per));
		close(fd[0]);
		waitpid(pid, NULL, 0);
		if (got == sizeof(per))
			v[n++] = per;
	}
	munmap(buf, (size_t)PAGES * PAGE);
	report("cow_fault_page", v, n);
}

/* Per page: first write to each page of a fresh PAGES-page anonymous mapping. */
static void bench_first_touch(int rounds)
{
	uint64_t v[MAXN];
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		char *buf = map_pages(PAGES);
		if (!buf) {
			fail("first_touch_page", "mmap");
			break;
		}
		uint64_t t0 = bench_rdtsc();
		for (int p = 0; p < PAGES; p++)
			buf[p * PAGE] = 1;
		v[n++] = (bench_rdtsc() - t0) / PAGES;
		munmap(buf, (size_t)PAGES * PAGE);
	}
	report("first_touch_page", v, n);
}

/* Per call: mmap SMALL pages, write each once, munmap. */
static void bench_mmap_cycle(int rounds)
{
	uint64_t v[MAXN];
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();
		char *buf = map_pages(SMALL);
		if (!buf) {
			fail("mmap_touch_munmap", "mmap");
			break;
		}
		for (int p = 0; p < SMALL; p++)
			buf[p * PAGE] = 1;
		if (munmap(buf, (size_t)SMALL * PAGE)) {
			fail("mmap_touch_munmap", "munmap");
			break;
		}
		v[n++] = bench_rdtsc() - t0;
	}
	report("mmap_touch_munmap", v, n);
}

/* ---- signals ---------------------------------------------------------------------- */

static volatile sig_atomic_t handled;     /* signals taken by the main thread's handler */
static volatile pid_t main_tid, peer_tid; /* the two threads of signal_remote */
static volatile sig_atomic_t peer_stop;
static __thread int is_peer;              /* this thread is signal_remote's peer */

static pid_t bench_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static int bench_tgkill(pid_t tid, int sig)
{
	return (int)syscall(SYS_tgkill, getpid(), tid, sig);
}

/* SIGUSR1: the peer answers the main thread; the main thread counts. */
static void on_usr1(int sig)
{
	(void)sig;
	if (is_peer)
		bench_tgkill(main_tid, SIGUSR1);
	else
		handled++;
}

/* Pins the calling thread to CPU @cpu. @return 0 or -1 (errno set). */
static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Spins until handled moves past @before; 0, or -1 after SIG_WAIT_MS. */
static int wait_handled(sig_atomic_t before)
{
	uint64_t limit = bench_rdtsc() + (uint64_t)(tsc_mhz * 1000.0 * SIG_WAIT_MS);

	while (handled == before)
		if (bench_rdtsc() > limit)
			return -1;
	return 0;
}

static void bench_signal_self(int rounds)
{
	uint64_t v[MAXN];
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		sig_atomic_t before = handled;
		uint64_t t0 = bench_rdtsc();

		if (kill(getpid(), SIGUSR1) != 0) {
			fail("signal_self", "kill");
			break;
		}
		if (wait_handled(before) != 0) {
			errno = ETIMEDOUT;
			fail("signal_self", "handler");
			break;
		}
		v[n++] = bench_rdtsc() - t0;
	}
	report("signal_self", v, n);
}

static void *peer_main(void *arg)
{
	sigset_t usr1;

	is_peer = 1;
	pin_to_cpu(*(int *)arg);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	peer_tid = bench_gettid();
	while (!peer_stop)
		pause();                         /* each SIGUSR1 runs on_usr1, then EINTR */
	return NULL;
}

static void bench_signal_remote(int rounds)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int last = ncpu > 1 ? (int)ncpu - 1 : 0;
	struct timespec limit = { SIG_WAIT_MS / 1000, (SIG_WAIT_MS % 1000) * 1000000L };
	sigset_t usr1, old;
	uint64_t v[MAXN];
	pthread_t peer;
	int n = 0;

	main_tid = bench_gettid();
	peer_tid = 0;
	peer_stop = 0;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (pin_to_cpu(0) != 0 || pthread_create(&peer, NULL, peer_main, &last) != 0) {
		fail("signal_remote", "pin or pthread_create");
		return;
	}
	pthread_sigmask(SIG_BLOCK, &usr1, &old);    /* the answer waits for sigtimedwait */
	while (peer_tid == 0)
		sched_yield();
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_rdtsc();

		if (bench_tgkill(peer_tid, SIGUSR1) != 0) {
			fail("signal_remote", "tgkill");
			break;
		}
		if (sigtimedwait(&usr1, NULL, &limit) != SIGUSR1) {
			fail("signal_remote", "no answer");
			break;
		}
		v[n++] = bench_rdtsc() - t0;
	}
	peer_stop = 1;
	bench_tgkill(peer_tid, SIGUSR1);         /* out of pause(); its answer is taken below */
	pthread_join(peer, NULL);
	sigtimedwait(&usr1, NULL, &limit);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	report("signal_remote", v, n);
}

int main(int argc, char **argv)
{
	uint64_t boot = bench_rdtsc();                 /* first thing: the boot figure */
	int quick = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--exit") == 0)
			return 0;
		if (strcmp(argv[i], "--tree") == 0 && i + 1 < argc) {
			self = argv[0];
			return tree_node(atoi(argv[i + 1]));
		}
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: cmpbench [--quick] [--only NAME] | --exit | --tree D\n");
			return 2;
		}
	}
	self = (argc > 0 && strchr(argv[0], '/')) ? argv[0] : "/bin/cmpbench";
	tsc_mhz = calibrate();
	printf("cmpbench: tsc_mhz=%.3f\n", tsc_mhz);
	if (want("boot_to_main"))
		report("boot_to_main", &boot, 1);
	if (want("null_syscall"))
		bench_null_syscall(quick ? 5 : 31);
	if (want("fork_exit_wait"))
		bench_fork(0, quick ? 3 : 21);
	if (want("fork_exec_wait"))
		bench_fork(1, quick ? 3 : 15);
	if (want("fork_dirty16m_exit_wait"))
		bench_fork_dirty(quick ? 2 : 9);
	if (want("fork_tree_exec"))
		bench_fork_tree(quick ? 1 : 5);
	if (want("cow_fault_page"))
		bench_cow(quick ? 3 : 15);
	if (want("first_touch_page"))
		bench_first_touch(quick ? 3 : 15);
	if (want("mmap_touch_munmap"))
		bench_mmap_cycle(quick ? 5 : 31);
	for (int t = 0; t < 2; t++)
		for (int k = 1; k <= 8; k *= 2) {
			char name[32];
			snprintf(name, sizeof(name), "pf_%s_%d", t ? "threads" : "procs", k);
			if (want(name))
				bench_pf(k, t, quick ? 1 : 3);
		}
	if (want("signal_self") || want("signal_remote")) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			fail("signal_self", "sigaction");
		else {
			if (want("signal_self"))
				bench_signal_self(quick ? 5 : 31);
			if (want("signal_remote"))
				bench_signal_remote(quick ? 5 : 31);
		}
	}
	printf("cmpbench: done status=%d\n", failures ? 1 : 0);
	fflush(stdout);
	return failures ? 1 : 0;
}
