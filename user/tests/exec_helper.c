/*
 * exec_helper.c - the program the exec and pipe tests execve(2).
 *
 * Not a test itself: init skips programs named *_helper. It checks what it
 * was given and reports through its exit status (0 = as expected, 10+ = the
 * number of the check that failed), printing a "# exec_helper: ..." line on
 * failure (a KTAP diagnostic in the caller's output).
 *
 *   exec_helper args "alpha" "beta gamma" ""  argv and envp exactly as the
 *                                              exec test passes them
 *   exec_helper pid PID PPID                   getpid() == PID, getppid() == PPID
 *   exec_helper count N arg0 ... arg<N-1>      N arguments named arg<i>
 *   exec_helper fds OPEN CLOSED                fd OPEN is open, fd CLOSED is not
 *   exec_helper exit CODE                      exit(CODE)
 *   (an empty argv)                            argc 1 and argv[0] "", as Linux >= 5.18 makes it
 *   exec_helper wait IN OUT                    writes a byte on fd OUT, then reads fd IN
 *                                              until EOF and exits 0 (the pgrp test)
 *   exec_helper signals                        the signal state execve(2) leaves:
 *                                              SIGUSR1 (was handled) SIG_DFL,
 *                                              SIGUSR2 still SIG_IGN, SIGHUP and
 *                                              SIGTERM still blocked, SIGHUP still
 *                                              pending, no alternate stack
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int fail(int code, const char *what)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "# exec_helper: check %d failed: %s\n", code, what);
	if (n > 0)
		write(1, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return code;
}

static int check_args(int argc, char *argv[])
{
	static const char *const want_env[] = { "ARCHIPEL_TEST=1", "FOO=bar with spaces" };
	int n = 0;

	if (argc != 5)
		return fail(10, "argc != 5");
	if (strcmp(argv[2], "alpha") || strcmp(argv[3], "beta gamma") || strcmp(argv[4], ""))
		return fail(11, "argv[2..4] differ");
	if (argv[5] != NULL)
		return fail(12, "argv[argc] is not NULL");
	for (char **e = environ; *e; e++, n++)
		if (n >= 2 || strcmp(*e, want_env[n]))
			return fail(13, "environ differs");
	if (n != 2)
		return fail(14, "environ has not 2 entries");
	if (!getenv("FOO") || strcmp(getenv("FOO"), "bar with spaces"))
		return fail(15, "getenv(FOO)");
	return 0;
}

static int check_pid(int argc, char *argv[])
{
	if (argc != 4)
		return fail(20, "usage: pid PID PPID");
	if (getpid() != atoi(argv[2]))
		return fail(21, "getpid() changed across execve");
	if (getppid() != atoi(argv[3]))
		return fail(22, "getppid() changed across execve");
	return 0;
}

static int check_count(int argc, char *argv[])
{
	char want[32];
	int n;

	if (argc < 3)
		return fail(30, "usage: count N args...");
	n = atoi(argv[2]);
	if (argc != n + 3)
		return fail(31, "argc != N + 3");
	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "arg%d", i);
		if (strcmp(argv[3 + i], want))
			return fail(32, "an argument differs");
	}
	return 0;
}

static int check_fds(int argc, char *argv[])
{
	if (argc != 4)
		return fail(40, "usage: fds OPEN CLOSED");
	if (fcntl(atoi(argv[2]), F_GETFD) < 0)
		return fail(41, "the fd without FD_CLOEXEC was closed by execve");
	errno = 0;
	if (fcntl(atoi(argv[3]), F_GETFD) != -1 || errno != EBADF)
		return fail(42, "the FD_CLOEXEC fd is still open after execve");
	return 0;
}

static int check_signals(void)
{
	struct sigaction sa;
	sigset_t set;
	stack_t ss;

	if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != SIG_DFL)
		return fail(50, "a handled signal is not back to SIG_DFL");
	if (sigaction(SIGUSR2, NULL, &sa) || sa.sa_handler != SIG_IGN)
		return fail(51, "an ignored signal is no longer ignored");
	if (sigprocmask(SIG_BLOCK, NULL, &set) || !sigismember(&set, SIGHUP) ||
	    !sigismember(&set, SIGTERM))
		return fail(52, "the mask was not kept");
	if (sigpending(&set) || !sigismember(&set, SIGHUP))
		return fail(53, "the pending signal was lost");
	if (sigaltstack(NULL, &ss) || !(ss.ss_flags & SS_DISABLE))
		return fail(54, "the alternate stack survived");
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc == 1 && argv[0][0] == '\0')
		return 0;                      /* execve with an empty argv: Linux gives argv[0] "" */
	if (argc < 2)
		return fail(2, "no mode");
	if (!strcmp(argv[1], "args"))
		return check_args(argc, argv);
	if (!strcmp(argv[1], "pid"))
		return check_pid(argc, argv);
	if (!strcmp(argv[1], "count"))
		return check_count(argc, argv);
	if (!strcmp(argv[1], "fds"))
		return check_fds(argc, argv);
	if (!strcmp(argv[1], "wait") && argc == 4) {
		char c = 'x';
		if (write(atoi(argv[3]), &c, 1) != 1)
			return fail(3, "cannot write the started byte");
		while (read(atoi(argv[2]), &c, 1) > 0)
			;
		return 0;
	}
	if (!strcmp(argv[1], "signals"))
		return check_signals();
	if (!strcmp(argv[1], "exit") && argc == 3)
		return atoi(argv[2]);
	return fail(3, "unknown mode");
}
