/*
 * testutil.h - helpers shared by the user test programs (header only).
 *
 * Processes: fork a child in a chosen cluster, wait for it, run a function
 * in a child (that may fault), describe a wait status. I/O: read or write a whole buffer. Everything works on Linux too:
 * there, archipel_nclusters() fails and placement is ignored.
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
