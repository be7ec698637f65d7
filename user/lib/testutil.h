/*
 * testutil.h - helpers shared by the user test programs (header only).
 *
 * Processes: fork a child in a chosen cluster (with two pipes to it if
 * wanted), wait for it, run a function in a child (that may fault), describe
 * or check a wait status. I/O: read or write a
 * whole buffer, the getdents64(2) record, stat(2). Everything works on Linux
 * too: there, archipel_nclusters() fails and placement is ignored. Also used
 * by init (user/init/init.c).
 */
#ifndef _TESTUTIL_H_
#define _TESTUTIL_H_

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "archipel.h"

/* Number of clusters on Archipel, 0 on another kernel (Linux). */
static inline int test_nclusters(void)
{
	int n = archipel_nclusters();
	return n > 0 ? n : 0;
}

/*
 * The clusters a program spreads its threads over: archipel_nclusters() on
 * Archipel, 1 on another kernel (Linux). Sets *@archipel to 1 on Archipel,
 * else 0.
 */
static inline int test_clusters(int *archipel)
{
	int n = archipel_nclusters();

	*archipel = n > 0;
	return n > 0 ? n : 1;
}

/* A cluster other than the caller's when there are several, else the caller's (0 on Linux). */
static inline int test_other_cluster(void)
{
	int n = test_nclusters();
	int self = archipel_cluster();

	if (n <= 1 || self < 0)
		return self < 0 ? 0 : self;
	return (self + 1) % n;
}

/*
 * fork(2) with the child in cluster cxy (Archipel; -1 = DQDT), plain fork
 * elsewhere. Returns fork's result; a refused placement fails with -1.
 */
static inline pid_t test_fork_in(int cxy)
{
	if (test_nclusters() > 0 && archipel_fork_place(cxy) < 0)
		return -1;
	return fork();
}

/*
 * Two pipes between a parent and the child it forks (test_fork_piped): the
 * child writes to up[1] and reads from down[0], the parent reads from up[0]
 * and writes to down[1].
 */
struct test_pipes {
	int up[2], down[2];
};

/*
 * test_fork_in(cxy) with the two pipes of @tp between parent and child;
 * each side closes the ends it does not use. Returns fork's result, or -1
 * (no pipe end left open) when a pipe or the child could not be made.
 */
static inline pid_t test_fork_piped(struct test_pipes *tp, int cxy)
{
	if (pipe(tp->up) < 0)
		return -1;
	if (pipe(tp->down) < 0) {
		close(tp->up[0]);
		close(tp->up[1]);
		return -1;
	}
	pid_t pid = test_fork_in(cxy);
	if (pid != 0) {                 /* the parent, or no child */
		close(tp->up[1]);
		close(tp->down[0]);
	}
	if (pid <= 0) {                 /* the child, or no child */
		close(tp->up[0]);
		close(tp->down[1]);
	}
	return pid;
}

/* The parent is done with the child of test_fork_piped(): closes its ends. */
static inline void test_pipes_close(struct test_pipes *tp)
{
	close(tp->up[0]);
	close(tp->down[1]);
}

/*
 * In the child of test_fork_piped(@tp): execs "@helper wait IN OUT"
 * (user/tests/exec_helper.c), which writes one byte on the child's up pipe
 * once it runs, then reads the down pipe until the parent closes it and
 * exits 0. Never returns: _exit(100 + errno) when the exec fails.
 */
static inline void __attribute__((noreturn))
test_exec_waiting_helper(const char *helper, const struct test_pipes *tp)
{
	char in[16], out[16];
	char *argv[] = { (char *)helper, "wait", in, out, NULL };

	snprintf(in, sizeof(in), "%d", tp->down[0]);
	snprintf(out, sizeof(out), "%d", tp->up[1]);
	execv(helper, argv);
	_exit(100 + errno);
}

/* Wait for child pid (retrying EINTR); returns its wait status, or -1. */
static inline int test_wait(pid_t pid)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, 0);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/*
 * Wait for child pid at most ms milliseconds (polling with WNOHANG).
 * Returns its wait status, -1 if waitpid fails, -2 on timeout (the child is
 * left running: the caller makes it exit, then test_wait()s it).
 */
static inline int test_wait_ms(pid_t pid, long ms)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 }, t0, t;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			return -2;
		nanosleep(&tick, NULL);
	}
}

/*
 * Run fn(arg) in a child process (plain fork(2): the caller's cluster), which
 * then exits 0 unless fn killed it. Returns its wait status, or -1.
 */
static inline int test_in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return test_wait(pid);
}

/* Store 1 to / load the byte at p: what a test_in_child() child does to fault. */
static inline void test_write_byte(void *p)
{
	*(volatile char *)p = 1;
}

static inline void test_read_byte(void *p)
{
	(void)*(volatile char *)p;
}

/* True iff status says "exited with code". */
static inline int test_exited_with(int status, int code)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* True iff status says "killed by signal sig". */
static inline int test_killed_by(int status, int sig)
{
	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* "exited with status N" / "killed by signal N" / "no status" in buf. */
static inline const char *test_status_str(int status, char *buf, size_t size)
{
	if (status == -1)
		snprintf(buf, size, "no status (wait failed)");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "wait status 0x%x", status);
	return buf;
}

/*
 * In a KTAP test function (ktap.h): fails the case unless the wait status
 * @status says "killed by SIGSEGV"; @what names what the child touched.
 */
#define TEST_CHECK_SEGV(status, what) do {                                       \
	char b_[64];                                                             \
	int s_ = (status);                                                       \
	KTAP_CHECKF(test_killed_by(s_, SIGSEGV), "%s: child %s, expected SIGSEGV", \
		    (what), test_status_str(s_, b_, sizeof(b_)));                  \
} while (0)

/* Write all len bytes (retrying short writes); returns len or -1. */
static inline ssize_t test_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Read until len bytes or EOF; returns the bytes read, or -1. */
static inline ssize_t test_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* One record of getdents64(2), as Linux lays it out (musl declares none). */
struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;          /* bytes of the record, NUL and padding included */
	unsigned char d_type;             /* DT_* */
	char d_name[];
};

/*
 * stat(2) through newfstatat: musl's stat() uses the older SYS_stat, which
 * the Archipel kernel does not implement.
 */
static inline int test_stat(const char *path, struct stat *st)
{
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

/*
 * Path of exec_helper: next to the running test (argv0's directory), or
 * /tests/exec_helper when argv0 has no '/'. Returns a static buffer.
 */
static inline const char *test_helper_path(const char *argv0)
{
	static char path[256];
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/exec_helper", (int)(slash - argv0), argv0);
	else
		snprintf(path, sizeof(path), "/tests/exec_helper");
	return path;
}

/*
 * A regular file that exists, mode 0644 (readable, not executable):
 * /etc/archipel-release in Archipel's initramfs, /etc/passwd elsewhere.
 */
static inline const char *test_plain_file(void)
{
	struct stat st;

	if (test_stat("/etc/archipel-release", &st) == 0)
		return "/etc/archipel-release";
	return "/etc/passwd";
}

#endif /* _TESTUTIL_H_ */
