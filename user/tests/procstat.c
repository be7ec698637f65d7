/*
 * procstat.c - the /proc files LTP's library reads: /proc/<pid>/stat (the
 * state of a sleeping, running and zombie process, its ids), /proc/meminfo,
 * /proc/sys/kernel/pid_max; and uname's release, which it parses as a version.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "ktap.h"
#include "testutil.h"

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* State letter and ppid of @pid from /proc/<pid>/stat, or 0. */
static char stat_state(pid_t pid, int *ppid, int *self)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(path, buf, sizeof(buf)) <= 0)
		return 0;
	*self = atoi(buf);
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return 0;
	*ppid = atoi(p + 4);
	return p[2];
}

/* Polls until @pid's state is @want (at most ~5 s: a 10 ms sleep per try). */
static char wait_state(pid_t pid, char want)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int ppid, self;
	char c = 0;

	for (int i = 0; i < 500; i++) {
		c = stat_state(pid, &ppid, &self);
		if (c == want)
			break;
		nanosleep(&tick, NULL);
	}
	return c;
}

static int t_stat_states(void)
{
	int fds[2], ppid = 0, self = 0;
	char c;
	pid_t pid;

	KTAP_CHECK(pipe(fds) == 0);
	pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		char b;

		close(fds[1]);
		_exit(read(fds[0], &b, 1) == 1 ? 0 : 1);  /* sleeps in read */
	}
	close(fds[0]);
	c = wait_state(pid, 'S');
	KTAP_CHECKF(c == 'S', "state '%c' while blocked in read", c);
	KTAP_CHECK(stat_state(pid, &ppid, &self) == 'S' && ppid == getpid() && self == pid);
	KTAP_CHECK(write(fds[1], "x", 1) == 1);
	c = wait_state(pid, 'Z');
	KTAP_CHECKF(c == 'Z', "state '%c' after exit, before wait", c);
	close(fds[1]);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	KTAP_CHECK(stat_state(getpid(), &ppid, &self) == 'R' && self == getpid());
	return KTAP_PASS;
}

static int t_meminfo(void)
{
	char buf[1024], *p;
	long total, free, avail;

	KTAP_CHECK(slurp("/proc/meminfo", buf, sizeof(buf)) > 0);
	p = strstr(buf, "MemTotal:");
	KTAP_CHECK(p != NULL && (total = atol(p + 9)) > 0);
	p = strstr(buf, "MemFree:");
	KTAP_CHECK(p != NULL && (free = atol(p + 8)) > 0 && free <= total);
	p = strstr(buf, "MemAvailable:");
	KTAP_CHECK(p != NULL && (avail = atol(p + 13)) > 0 && avail <= total);
	KTAP_CHECK(strstr(buf, "SwapFree:") != NULL);
	return KTAP_PASS;
}

static int t_pid_max(void)
{
	char buf[64];
	long max;

	KTAP_CHECK(slurp("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0);
	max = atol(buf);
	KTAP_CHECKF(max > getpid() && max > 1, "pid_max %ld, pid %d", max, (int)getpid());
	return KTAP_PASS;
}

/* uname's release reads as a Linux version, "%d.%d.%d..." (LTP's tst_kvercmp). */
static int t_uname_release_is_a_version(void)
{
	struct utsname u;
	int a = 0, b = 0, c = 0;

	KTAP_CHECK(uname(&u) == 0);
	KTAP_CHECKF(sscanf(u.release, "%d.%d.%d", &a, &b, &c) == 3 && a >= 3,
		    "release '%s'", u.release);
	return KTAP_PASS;
}

static volatile int thread_tid;
static int thread_pipe[2];

static void *blocked_reader(void *arg)
{
	char b;

	(void)arg;
	thread_tid = (int)syscall(SYS_gettid);
	return (void *)(long)read(thread_pipe[0], &b, 1);     /* sleeps */
}

/* A thread's own state: /proc/<pid>/task/<tid>/stat and /proc/<tid>/stat (LTP's futex tests). */
static int t_thread_stat(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char path[96], buf[512], *p = NULL;
	pthread_t th;
	int found = 0;
	DIR *d;
	struct dirent *e;

	KTAP_CHECK(pipe(thread_pipe) == 0);
	thread_tid = 0;
	KTAP_CHECK(pthread_create(&th, NULL, blocked_reader, NULL) == 0);
	for (int i = 0; i < 500 && !thread_tid; i++)
		nanosleep(&tick, NULL);
	KTAP_CHECK(thread_tid > 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)getpid(), thread_tid);
	for (int i = 0; i < 500; i++) {
		p = slurp(path, buf, sizeof(buf)) > 0 ? strrchr(buf, ')') : NULL;
		if (p && p[2] == 'S')
			break;
		nanosleep(&tick, NULL);
	}
	KTAP_CHECKF(p && p[2] == 'S', "thread %d: '%s'", thread_tid, p ? buf : "(no stat)");
	KTAP_CHECK(atoi(buf) == thread_tid);
	snprintf(path, sizeof(path), "/proc/%d/stat", thread_tid);
	KTAP_CHECK(slurp(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')) && p[2] == 'S');
	snprintf(path, sizeof(path), "/proc/%d/task", (int)getpid());
	d = opendir(path);
	KTAP_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (atoi(e->d_name) == thread_tid || atoi(e->d_name) == getpid())
			found++;
	closedir(d);
	KTAP_CHECKF(found == 2, "%d of the 2 threads listed in %s", found, path);
	KTAP_CHECK(write(thread_pipe[1], "x", 1) == 1);
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_thread_stat),
	KTAP_CASE(t_uname_release_is_a_version),
	KTAP_CASE(t_stat_states),
	KTAP_CASE(t_meminfo),
	KTAP_CASE(t_pid_max),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
