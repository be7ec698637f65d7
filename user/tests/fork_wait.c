/*
 * fork_wait.c - fork, exit and wait basics: exit codes, death by signal,
 * waiting for a given pid, WNOHANG, ECHILD, getppid, vfork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "ktap.h"
#include "testutil.h"

/* A child that blocks reading fd until EOF, then exits 0. */
static pid_t spawn_blocked(int *write_end)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return -1;
	pid_t pid = test_fork_in(test_other_cluster());
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (pid < 0)
		close(p[1]);
	else
		*write_end = p[1];
	return pid;
}

static int t_exit_codes(void)
{
	static const int codes[] = { 0, 1, 255 };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int status;
		pid_t pid = fork();
		KTAP_CHECK(pid >= 0);
		if (pid == 0)
			_exit(codes[i]);
		KTAP_CHECK(wait4(pid, &status, 0, NULL) == pid);
		KTAP_CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == codes[i],
			    "exit(%d) gave wait status 0x%x", codes[i], status);
		KTAP_CHECK(!WIFSIGNALED(status));
	}
	return KTAP_PASS;
}

static int t_libc_exit(void)
{
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		exit(7);   /* libc exit: atexit handlers, stdio flush, exit_group */
	KTAP_CHECK(test_exited_with(test_wait(pid), 7));
	return KTAP_PASS;
}

static int kill_with(int sig)
{
	int fd, status;
	pid_t pid = spawn_blocked(&fd);

	KTAP_CHECK(pid > 0);
	KTAP_CHECK(kill(pid, 0) == 0);     /* alive: signal 0 only checks */
	KTAP_CHECK(kill(pid, sig) == 0);
	status = test_wait_ms(pid, 10000);
	close(fd);                                  /* EOF: a child the signal missed exits */
	if (status == -2) {
		test_wait(pid);
		ktap_diag("signal %d did not end the child within 10 s", sig);
		return KTAP_FAIL;
	}
	KTAP_CHECK(status != -1);
	KTAP_CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == sig,
		    "expected death by signal %d, wait status 0x%x", sig, status);
	KTAP_CHECK(!WIFEXITED(status));
	return KTAP_PASS;
}

static int t_killed_by_sigkill(void) { return kill_with(SIGKILL); }
static int t_killed_by_sigterm(void) { return kill_with(SIGTERM); }

static int t_waitpid_specific(void)
{
	pid_t pids[4];

	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		KTAP_CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(10 + i);
	}
	for (int i = 3; i >= 0; i--) {      /* reverse order: not the first to exit */
		int status;
		KTAP_CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		KTAP_CHECKF(test_exited_with(status, 10 + i), "child %d: status 0x%x", i, status);
	}
	return KTAP_PASS;
}

static int t_wait_any_collects_all(void)
{
	enum { N = 12 };
	int seen[N] = { 0 };

	for (int i = 0; i < N; i++) {
		pid_t pid = fork();
		KTAP_CHECK(pid >= 0);
		if (pid == 0)
			_exit(i);
	}
	for (int i = 0; i < N; i++) {
		int status;
		pid_t r = wait4(-1, &status, 0, NULL);
		KTAP_CHECK(r > 0);
		KTAP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) < N);
		seen[WEXITSTATUS(status)]++;
	}
	for (int i = 0; i < N; i++)
		KTAP_CHECKF(seen[i] == 1, "exit code %d seen %d times", i, seen[i]);
	KTAP_CHECK_ERRNO(wait4(-1, NULL, 0, NULL), ECHILD);
	return KTAP_PASS;
}

static int t_wnohang(void)
{
	int fd, status;
	pid_t pid = spawn_blocked(&fd);

	KTAP_CHECK(pid > 0);
	KTAP_CHECK(waitpid(pid, &status, WNOHANG) == 0);   /* still running */
	close(fd);                                         /* EOF: the child exits */
	KTAP_CHECK(waitpid(pid, &status, 0) == pid);
	KTAP_CHECK(test_exited_with(status, 0));
	return KTAP_PASS;
}

static int t_echild(void)
{
	KTAP_CHECK_ERRNO(wait4(-1, NULL, 0, NULL), ECHILD);
	KTAP_CHECK_ERRNO(wait4(-1, NULL, WNOHANG, NULL), ECHILD);
	KTAP_CHECK_ERRNO(waitpid(getpid(), NULL, 0), ECHILD);   /* not our child */
	KTAP_CHECK_ERRNO(waitpid(1, NULL, WNOHANG), ECHILD);
	return KTAP_PASS;
}

/* wait4_int_min_esrch: waitpid(INT_MIN) names no process group: ESRCH (LTP's waitpid04). */
static int t_wait4_int_min_esrch(void)
{
	KTAP_CHECK_ERRNO(waitpid(INT_MIN, NULL, 0), ESRCH);
	KTAP_CHECK_ERRNO(waitpid(INT_MIN, NULL, WNOHANG), ESRCH);
	return KTAP_PASS;
}

static int t_kill_reaped_esrch(void)
{
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	KTAP_CHECK_ERRNO(kill(pid, 0), ESRCH);
	KTAP_CHECK_ERRNO(kill(pid, SIGTERM), ESRCH);
	return KTAP_PASS;
}

static int t_getppid_in_child(void)
{
	pid_t parent = getpid();
	int p[2];
	pid_t child_pid = 0;

	KTAP_CHECK(pipe(p) == 0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		pid_t me = getpid();
		close(p[0]);
		test_write_all(p[1], &me, sizeof(me));
		_exit(getppid() == parent ? 0 : 1);
	}
	close(p[1]);
	KTAP_CHECK(test_read_all(p[0], &child_pid, sizeof(child_pid)) == sizeof(child_pid));
	close(p[0]);
	KTAP_CHECKF(child_pid == pid, "fork returned %d, child's getpid() is %d", pid, child_pid);
	KTAP_CHECK(child_pid != parent);
	KTAP_CHECKF(test_exited_with(test_wait(pid), 0), "child's getppid() != parent's pid");
	return KTAP_PASS;
}

static int t_vfork_exit(void)
{
	int status;
	pid_t pid = vfork();

	if (pid == 0)
		_exit(42);
	KTAP_CHECK(pid > 0);
	KTAP_CHECK(waitpid(pid, &status, 0) == pid);
	KTAP_CHECKF(test_exited_with(status, 42), "wait status 0x%x", status);
	return KTAP_PASS;
}

static int t_rusage_accepted(void)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(3);
	KTAP_CHECK(wait4(pid, &status, 0, &ru) == pid);
	KTAP_CHECK(test_exited_with(status, 3));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_exit_codes),
	KTAP_CASE(t_libc_exit),
	KTAP_CASE(t_killed_by_sigkill),
	KTAP_CASE(t_killed_by_sigterm),
	KTAP_CASE(t_waitpid_specific),
	KTAP_CASE(t_wait_any_collects_all),
	KTAP_CASE(t_wnohang),
	KTAP_CASE(t_echild),
	KTAP_CASE(t_wait4_int_min_esrch),
	KTAP_CASE(t_kill_reaped_esrch),
	KTAP_CASE(t_getppid_in_child),
	KTAP_CASE(t_vfork_exit),
	KTAP_CASE(t_rusage_accepted),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
