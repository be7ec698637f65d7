/*
 * init.c - PID 1 of Archipel (/sbin/init in the initramfs).
 *
 * The kernel starts it as argv = { "/sbin/init", ARGS... } where ARGS are the
 * words after "--" on the kernel command line (none without "--").
 *
 * With ARGS: run ARGS[0] (a path; without '/', searched in /bin, /sbin,
 * /tests) with argv = ARGS, wait for it, print
 *     init: <path> exited with status S
 *     init: <path> killed by signal N (NAME)
 * and power off with S, 128+N if killed, or 127 if it could not be executed
 * ("init: cannot execute <path>: <strerror>").
 *
 * With ARGS = "--tty" PROGRAM...: the same, but PROGRAM runs as a login
 * shell would after getty: the leader of a new session (setsid) whose
 * controlling terminal is the console (TIOCSCTTY with 1, taking it from
 * init's session), its own group in the foreground (make shell).
 *
 * Without ARGS: the user test suite. Every regular file of /tests, in name
 * order, except the helpers (names ending in "_helper", run by the tests
 * themselves), is run in turn:
 *     init: run /tests/<name>
 *     ...its KTAP output...
 *     init: /tests/<name> exited with status S       (or killed by signal N (NAME))
 * then, for every node N (cluster), the free memory before and after the suite
 * from /sys/devices/system/node/node<N>/meminfo (MemFree plus FileReplicas:
 * the per-cluster replicas of file pages are a cache the kernel keeps, made
 * by the first process copy of a cluster that maps a file page, not a leak):
 *     init: node N free before X kB after Y kB
 *     init: leak: node N lost Z kB                     (only if X != Y)
 * and finally
 *     init: summary P programs, F failed
 * The machine powers off with 0 iff no program failed and nothing leaked, 1
 * otherwise. Not on Archipel (archipel_nclusters() fails, e.g. when testing
 * init on Linux) the leak check is skipped and init exits instead of powering
 * off.
 *
 * Every child is collected: wait4(-1) returns our own children and orphans
 * re-parented to init alike; orphans are just reaped.
 *
 * Memory discipline (for the leak check): init allocates nothing between
 * the two measurements. No malloc; its buffers are static and touched, and
 * its stack pre-faulted, before the first measurement.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "archipel.h"
#include "testutil.h"

#define TESTS_DIR      "/tests"
#define HELPER_SUFFIX  "_helper"
#define MAX_PROGRAMS   128
#define NAME_LEN       64
#define MAX_NODES      64
#define SETTLE_TRIES   100     /* leak check: re-reads, 10 ms apart, while memory settles */

static char *const child_envp[] = {
	"PATH=/bin:/sbin:/tests", "HOME=/", "TERM=linux", NULL
};

static char program_names[MAX_PROGRAMS][NAME_LEN];
static char dents_buf[8192];
static char meminfo_buf[2048];
static long free_before[MAX_NODES], free_after[MAX_NODES];

/* One console line, written with a single write(2). */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	test_write_all(1, line, (size_t)n);
}

static const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
		return names[sig];
	return "unknown";
}

/* fds 0, 1, 2 on /dev/console if the kernel did not open them. */
static void open_console(void)
{
	if (fcntl(1, F_GETFD) >= 0)
		return;
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* Power off with status; only returns (by exiting) where the call fails, e.g. on Linux. */
static void __attribute__((noreturn)) power_off(int status)
{
	archipel_poweroff(status);
	exit(status);
}

/*
 * Child side of run_program: exec path (searching PATH if it has no '/').
 * Never returns: exits 127 with a message if no exec succeeds.
 */
static void __attribute__((noreturn)) exec_program(const char *path, char *const argv[])
{
	int err = ENOENT;

	if (strchr(path, '/')) {
		execve(path, argv, child_envp);
		err = errno;
	} else {
		static const char *const dirs[] = { "/bin", "/sbin", "/tests" };
		char full[256];
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(full, sizeof(full), "%s/%s", dirs[i], path);
			execve(full, argv, child_envp);
			if (errno != ENOENT)
				err = errno;
		}
	}
	say("init: cannot execute %s: %s", path, strerror(err));
	_exit(127);
}

/*
 * Run path with argv, wait for it (reaping any orphan that exits meanwhile),
 * print how it ended. Returns the status to report: the exit status,
 * 128+signal if killed, 127 if it could not be executed or forked.
 */
static int run_program(const char *path, char *const argv[], int tty)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		say("init: cannot fork for %s: %s", path, strerror(errno));
		return 127;
	}
	if (pid == 0) {
		if (tty && (setsid() < 0 || ioctl(0, TIOCSCTTY, 1) < 0))
			say("init: %s gets no controlling terminal: %s", path, strerror(errno));
		exec_program(path, argv);
	}
	for (;;) {
		pid_t r = wait4(-1, &status, 0, NULL);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			say("init: wait for %s failed: %s", path, strerror(errno));
			return 127;
		}
		/* r > 0: an orphan re-parented to init; it is reaped, nothing more. */
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		say("init: %s killed by signal %d (%s)", path, sig, signal_name(sig));
		return 128 + sig;
	}
	say("init: %s exited with status %d", path, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

static int is_helper(const char *name)
{
	size_t n = strlen(name), s = strlen(HELPER_SUFFIX);
	return n >= s && strcmp(name + n - s, HELPER_SUFFIX) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The test programs of /tests (regular files, helpers excluded), sorted; returns their count. */
static int list_programs(void)
{
	int count = 0;
	int fd = open(TESTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		say("init: cannot open %s: %s", TESTS_DIR, strerror(errno));
		return 0;
	}
	for (;;) {
		long n = syscall(SYS_getdents64, fd, dents_buf, sizeof(dents_buf));
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(dents_buf + off);
			off += d->d_reclen;
			if (d->d_name[0] == '.' || is_helper(d->d_name))
				continue;
			if (d->d_type != DT_REG) {
				struct stat st;
				char path[NAME_LEN + sizeof(TESTS_DIR) + 1];
				if (d->d_type != DT_UNKNOWN)
					continue;
				snprintf(path, sizeof(path), "%s/%.*s", TESTS_DIR, NAME_LEN - 1, d->d_name);
				if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) < 0 ||
				    !S_ISREG(st.st_mode))
					continue;
			}
			if (strlen(d->d_name) >= NAME_LEN) {
				say("init: %s/%s: name too long, not run", TESTS_DIR, d->d_name);
				continue;
			}
			if (count == MAX_PROGRAMS) {
				say("init: more than %d programs in %s, the rest are not run",
				    MAX_PROGRAMS, TESTS_DIR);
				break;
			}
			strcpy(program_names[count++], d->d_name);
		}
	}
	close(fd);
	qsort(program_names, (size_t)count, NAME_LEN, cmp_names);
	return count;
}

/* Free kB of node from its meminfo ("Node N MemFree:   X kB" plus "FileReplicas"), or -1. */
static long node_free_kb(int node)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = 0, n;
	while (len < (ssize_t)sizeof(meminfo_buf) - 1 &&
	       (n = read(fd, meminfo_buf + len, sizeof(meminfo_buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	meminfo_buf[len < 0 ? 0 : len] = '\0';
	long free_kb = -1, cached_kb = 0;
	for (char *line = meminfo_buf; line && *line; line = strchr(line, '\n')) {
		int id;
		long kb;
		if (*line == '\n')
			line++;
		if (sscanf(line, "Node %d MemFree: %ld kB", &id, &kb) == 2 && id == node)
			free_kb = kb;
		else if (sscanf(line, "Node %d FileReplicas: %ld kB", &id, &kb) == 2 && id == node)
			cached_kb = kb;
	}
	return free_kb < 0 ? -1 : free_kb + cached_kb;
}

/* Read the free kB of nodes 0..n-1 into out[]. */
static void measure_free(int n, long out[])
{
	for (int i = 0; i < n; i++)
		out[i] = node_free_kb(i);
}

/* Fault in the stack init will use, so that the suite does not grow it. */
static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char pad[64 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

/*
 * Reap what is left once the suite is over (orphans). Returns 0 when init
 * has no child any more, -1 if some still run after about 5 s.
 */
static int reap_leftovers(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int tries = 0; tries < 500; tries++) {
		int status;
		pid_t r = wait4(-1, &status, WNOHANG, NULL);
		if (r < 0 && errno == ECHILD)
			return 0;
		if (r == 0)
			nanosleep(&tick, NULL);
	}
	return -1;
}

/* The default test suite; returns the power-off status (0 all good, 1 otherwise). */
static int run_suite(void)
{
	int nodes = archipel_nclusters();
	int count = list_programs();
	int failed = 0, leaked = 0;

	if (nodes > MAX_NODES)
		nodes = MAX_NODES;
	memset(free_before, 0, sizeof(free_before));
	memset(free_after, 0, sizeof(free_after));
	prefault_stack();
	if (nodes > 0) {
		/* the boot thread that started init exits now: let its core reap it first */
		struct timespec settle = { 0, 50 * 1000 * 1000 };
		nanosleep(&settle, NULL);
		measure_free(nodes, free_before);   /* warm-up: the kernel may cache these files */
		measure_free(nodes, free_before);
	}

	for (int i = 0; i < count; i++) {
		char path[NAME_LEN + sizeof(TESTS_DIR) + 1];
		snprintf(path, sizeof(path), "%s/%.*s", TESTS_DIR, NAME_LEN - 1, program_names[i]);
		char *argv[] = { path, NULL };
		say("init: run %s", path);
		if (run_program(path, argv, 0) != 0)
			failed++;
	}

	if (reap_leftovers() < 0) {
		say("init: leak: processes still running after the suite");
		leaked = 1;
	}
	if (nodes > 0) {
		/* Frees done by other clusters may lag behind exit: let them settle. */
		struct timespec tick = { 0, 10 * 1000 * 1000 };
		for (int tries = 0; ; tries++) {
			measure_free(nodes, free_after);
			if (!memcmp(free_before, free_after, (size_t)nodes * sizeof(long)) ||
			    tries == SETTLE_TRIES)
				break;
			nanosleep(&tick, NULL);
		}
		for (int i = 0; i < nodes; i++) {
			say("init: node %d free before %ld kB after %ld kB", i, free_before[i],
			    free_after[i]);
			if (free_before[i] < 0 || free_after[i] < 0) {
				say("init: leak: node %d meminfo unreadable", i);
				leaked = 1;
			} else if (free_before[i] != free_after[i]) {
				say("init: leak: node %d lost %ld kB", i, free_before[i] - free_after[i]);
				leaked = 1;
			}
		}
	} else {
		say("init: leak check skipped: not running on Archipel");
	}
	say("init: summary %d programs, %d failed", count, failed);
	return failed == 0 && !leaked ? 0 : 1;
}

int main(int argc, char *argv[])
{
	open_console();
	if (chdir("/") < 0)
		say("init: chdir /: %s", strerror(errno));
	if (argc > 2 && strcmp(argv[1], "--tty") == 0)
		power_off(run_program(argv[2], &argv[2], 1));
	if (argc > 1)
		power_off(run_program(argv[1], &argv[1], 0));
	power_off(run_suite());
}
