/*
 * sigutil.h - what the signal tests (user/tests/signals*.c) share: installing
 * a SA_SIGINFO handler, a counting handler, and a child that signals its
 * parent until told to stop.
 */
#ifndef _SIGUTIL_H_
#define _SIGUTIL_H_

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static inline pid_t my_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline int set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
			      const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	if (mask)
		sa.sa_mask = *mask;
	else
		sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static inline void set_default(int sig)
{
	signal(sig, SIG_DFL);
}

static inline void unblock_all(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Handlers run this many times (count_handler counts). */
static volatile int got_count;

static inline void count_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)info; (void)uc;
	got_count++;
}

static inline int fcntl_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * A child (in another cluster when there are several) that sends @sig to
 * its parent every 20 ms until it reads a byte on @fd (non-blocking), or 10 s.
 */
static inline pid_t pester_parent(int sig, int fd)
{
	pid_t pid = test_fork_in(test_other_cluster());

	if (pid == 0) {
		char c;

		for (int i = 0; i < 500; i++) {
			sleep_ms(20);
			kill(getppid(), sig);
			if (read(fd, &c, 1) == 1)
				_exit(0);
		}
		_exit(1);
	}
	return pid;
}

#endif
