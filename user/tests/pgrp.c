/*
 * pgrp.c - process groups and sessions (man 2 setpgid, setsid, getsid,
 * kill): the getters, inheritance over fork (children in other clusters),
 * setpgid's and setsid's rules and error numbers, kill(-pgrp) and kill(0)
 * reaching every member in every cluster, kill(-1, 0), wait4 by group, and
 * the console's TIOCGPGRP / TIOCSPGRP (Archipel only: on Linux the terminal
 * is the host's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "ktap.h"
#include "testutil.h"

#define MEMBERS 4

static const char *helper;

/* The cluster of the @i-th child: round robin over the clusters (0 on Linux). */
static int cluster_of(int i)
{
	int n = test_nclusters();
	return n > 0 ? i % n : 0;
}

/* A child in cluster @cxy that exits when @down_r reads EOF (after a byte on @up_w). */
static pid_t spawn_member(int cxy, int up_w, int down_r, int down_w, int up_r)
{
	pid_t pid = test_fork_in(cxy);

	if (pid == 0) {
		char c = 'r';
		close(down_w);
		close(up_r);
		if (write(up_w, &c, 1) != 1)
			_exit(90);
		while (read(down_r, &c, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

/* Reads @n bytes from @fd; true when all came. */
static bool read_bytes(int fd, int n)
{
	char c;

	for (int i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1)
			return false;
	return true;
}

static int t_getters_agree(void)
{
	pid_t self = getpid();

	KTAP_CHECK(getpgrp() == getpgid(0));
	KTAP_CHECK(getpgid(self) == getpgid(0));
	KTAP_CHECK(getsid(self) == getsid(0));
	KTAP_CHECK(getpgid(0) > 0 && getsid(0) > 0);
	return KTAP_PASS;
}

static int t_getters_esrch(void)
{
	int status;
	pid_t gone = fork();

	KTAP_CHECK(gone >= 0);
	if (gone == 0)
		_exit(0);
	status = test_wait(gone);
	KTAP_CHECK(test_exited_with(status, 0));
	errno = 0;
	KTAP_CHECK(getpgid(gone) == -1 && errno == ESRCH);
	errno = 0;
	KTAP_CHECK(getsid(gone) == -1 && errno == ESRCH);
	errno = 0;
	KTAP_CHECK(getpgid(-5) == -1 && errno == ESRCH);
	return KTAP_PASS;
}

static int t_init_leads_its_session(void)
{
	if (test_nclusters() == 0)
		return ktap_skip("PID 1 of the host may not lead a session");
	KTAP_CHECK(getpgid(1) == 1);
	KTAP_CHECK(getsid(1) == 1);
	return KTAP_PASS;
}

/* fork: a child in every cluster has the parent's group and session. */
static int t_fork_inherits(void)
{
	int n = test_nclusters() > 0 ? test_nclusters() : 1;

	for (int i = 0; i < n; i++) {
		pid_t pgrp = getpgrp(), sid = getsid(0);
		pid_t pid = test_fork_in(cluster_of(i));

		KTAP_CHECK(pid >= 0);
		if (pid == 0)
			_exit(getpgrp() == pgrp && getsid(0) == sid ? 0 : 1);
		KTAP_CHECKF(test_exited_with(test_wait(pid), 0), "child in cluster %d", cluster_of(i));
		KTAP_CHECK(getpgid(pid) == -1 && errno == ESRCH);   /* reaped */
	}
	return KTAP_PASS;
}

/* setpgid(0, 0) makes a new group, kept by the caller's own children. */
static void new_group_child(void *arg)
{
	(void)arg;
	if (setpgid(0, 0) != 0 || getpgrp() != getpid())
		_exit(1);
	pid_t gc = test_fork_in(test_other_cluster());
	if (gc == 0)
		_exit(getpgrp() == getppid() ? 0 : 1);
	if (gc < 0 || !test_exited_with(test_wait(gc), 0))
		_exit(2);
	/* the group of a (live) child: setpgid(child, 0), then back to the caller's group */
	int p[2];
	char c;
	if (pipe(p) != 0)
		_exit(3);
	gc = test_fork_in(test_other_cluster());
	if (gc == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (gc < 0 || setpgid(gc, 0) != 0 || getpgid(gc) != gc)
		_exit(4);
	if (setpgid(gc, getpgrp()) != 0 || getpgid(gc) != getpgrp())
		_exit(5);
	close(p[1]);
	if (!test_exited_with(test_wait(gc), 0))
		_exit(6);
	_exit(0);
}

static int t_setpgid_new_group(void)
{
	int status = test_in_child(new_group_child, NULL);

	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

static int t_setpgid_errors(void)
{
	int status;
	pid_t gone = fork();

	KTAP_CHECK(gone >= 0);
	if (gone == 0)
		_exit(0);
	KTAP_CHECK(test_exited_with(test_wait(gone), 0));
	errno = 0;
	KTAP_CHECK(setpgid(0, -1) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(setpgid(gone, 0) == -1 && errno == ESRCH);        /* no such process */
	errno = 0;
	KTAP_CHECK(setpgid(1, 0) == -1 && errno == ESRCH);           /* not a child */
	errno = 0;
	KTAP_CHECK(setpgid(0, gone) == -1 && errno == EPERM);        /* no such group */
	/* the caller's own group is left as it was */
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		errno = 0;
		if (setpgid(0, gone) != -1 || errno != EPERM)
			_exit(1);
		_exit(getpgrp() == getpgid(getppid()) ? 0 : 2);
	}
	status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* A session leader cannot change its group; its parent cannot move it (other session). */
static int t_setpgid_session_leader(void)
{
	struct test_pipes tp;
	char c;
	pid_t pid = test_fork_piped(&tp, test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		int code = 0;
		if (setsid() != getpid())
			code = 1;
		errno = 0;
		if (!code && (setpgid(0, 0) != -1 || errno != EPERM))
			code = 2;
		c = (char)code;
		write(tp.up[1], &c, 1);
		read(tp.down[0], &c, 1);              /* until the parent has tried */
		_exit(code);
	}
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);
	errno = 0;
	int rc = setpgid(pid, pid);
	int err = errno;
	errno = 0;
	int rc2 = setpgid(pid, getpgrp());
	int err2 = errno;
	test_pipes_close(&tp);
	KTAP_CHECKF(test_exited_with(test_wait(pid), 0), "the child's checks: %d", c);
	KTAP_CHECKF(rc == -1 && err == EPERM, "setpgid(leader, leader): %d errno %d", rc, err);
	KTAP_CHECKF(rc2 == -1 && err2 == EPERM, "setpgid(leader, ours): %d errno %d", rc2, err2);
	return KTAP_PASS;
}

/* EACCES: the child has exec'd. */
static int t_setpgid_after_exec(void)
{
	struct test_pipes tp;
	char c;
	pid_t pid = test_fork_piped(&tp, test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		test_exec_waiting_helper(helper, &tp);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);     /* the helper runs */
	errno = 0;
	int rc = setpgid(pid, pid);
	int err = errno;
	test_pipes_close(&tp);
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "exec_helper wait: status 0x%x", status);
	KTAP_CHECKF(rc == -1 && err == EACCES, "setpgid after exec: %d errno %d", rc, err);
	return KTAP_PASS;
}

static void setsid_child(void *arg)
{
	(void)arg;
	pid_t self = getpid();
	if (getpgrp() == self)
		_exit(1);                      /* a fork child never leads a group */
	if (setsid() != self || getsid(0) != self || getpgrp() != self)
		_exit(2);
	errno = 0;
	if (setsid() != -1 || errno != EPERM)
		_exit(3);                      /* now a group leader */
	pid_t gc = test_fork_in(test_other_cluster());
	if (gc == 0)
		_exit(getsid(0) == getppid() && getpgrp() == getppid() ? 0 : 1);
	if (gc < 0 || !test_exited_with(test_wait(gc), 0))
		_exit(4);
	_exit(0);
}

static int t_setsid(void)
{
	int status = test_in_child(setsid_child, NULL);

	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

static void group_leader_setsid(void *arg)
{
	(void)arg;
	if (setpgid(0, 0) != 0)
		_exit(1);
	errno = 0;
	_exit(setsid() == -1 && errno == EPERM ? 0 : 2);
}

static int t_setsid_group_leader_eperm(void)
{
	int status = test_in_child(group_leader_setsid, NULL);

	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* wait4(0): a child of the caller's group; wait4(-pgrp): a child of that group. */
static int t_wait_by_group(void)
{
	int up[2], down[2], status;
	pid_t other, same;

	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0);
	other = spawn_member(test_other_cluster(), up[1], down[0], down[1], up[0]);
	KTAP_CHECK(other > 0);
	same = spawn_member(test_other_cluster(), up[1], down[0], down[1], up[0]);
	KTAP_CHECK(same > 0);
	close(up[1]);
	close(down[0]);
	KTAP_CHECK(read_bytes(up[0], 2));
	KTAP_CHECK(setpgid(other, other) == 0);
	close(down[1]);                                  /* both exit 0 */
	close(up[0]);
	pid_t first = waitpid(0, &status, 0);
	KTAP_CHECKF(first == same, "wait4(0) reaped %d, want %d (our group)", first, same);
	errno = 0;
	KTAP_CHECK(waitpid(0, &status, WNOHANG) == -1 && errno == ECHILD);
	pid_t second = waitpid(-other, &status, 0);
	KTAP_CHECKF(second == other, "wait4(-%d) reaped %d", other, second);
	KTAP_CHECK(test_exited_with(status, 0));
	errno = 0;
	KTAP_CHECK(waitpid(-other, &status, WNOHANG) == -1 && errno == ECHILD);
	return KTAP_PASS;
}

/* kill(-pgrp): a group of MEMBERS children spread over the clusters, all killed. */
static int t_kill_pgrp(void)
{
	int up[2], down[2];
	pid_t pids[MEMBERS];

	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0);
	for (int i = 0; i < MEMBERS; i++) {
		pids[i] = spawn_member(cluster_of(i + 1), up[1], down[0], down[1], up[0]);
		KTAP_CHECK(pids[i] > 0);
		KTAP_CHECK(setpgid(pids[i], pids[0]) == 0);       /* pids[0] leads the group */
	}
	close(up[1]);
	close(down[0]);
	KTAP_CHECK(read_bytes(up[0], MEMBERS));
	for (int i = 0; i < MEMBERS; i++)
		KTAP_CHECK(getpgid(pids[i]) == pids[0]);
	KTAP_CHECK(kill(-pids[0], 0) == 0);                    /* probe */
	KTAP_CHECK(kill(-pids[0], SIGTERM) == 0);
	close(down[1]);                                        /* a member the signal missed exits 0 */
	close(up[0]);
	for (int i = 0; i < MEMBERS; i++) {
		int status = test_wait(pids[i]);
		KTAP_CHECKF(test_killed_by(status, SIGTERM), "member %d (cluster %d): status 0x%x",
			    i, cluster_of(i + 1), status);
	}
	errno = 0;
	KTAP_CHECK(kill(-pids[0], 0) == -1 && errno == ESRCH);  /* the group is gone */
	return KTAP_PASS;
}

/*
 * kill(0): a child makes its own group, forks MEMBERS grandchildren over the
 * clusters (they inherit it) and signals its group: all die, itself too.
 * A grandchild that survives writes 's' once its pipe reads EOF.
 */
static int t_kill_zero(void)
{
	int up[2], down[2], go[2];
	char c;
	pid_t pid;

	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0 && pipe(go) == 0);
	pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (setpgid(0, 0) != 0)
			_exit(1);
		for (int i = 0; i < MEMBERS; i++) {
			pid_t gc = test_fork_in(cluster_of(i + 1));
			if (gc == 0) {
				close(go[0]);
				c = 'r';
				close(down[1]);
				write(up[1], &c, 1);
				while (read(down[0], &c, 1) > 0)
					;
				c = 's';
				write(up[1], &c, 1);    /* survived */
				_exit(0);
			}
			if (gc < 0)
				_exit(2);
		}
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		kill(0, SIGUSR1);
		_exit(4);                             /* not reached: the caller is in its group */
	}
	close(go[0]);
	close(up[1]);
	close(down[0]);
	KTAP_CHECK(read_bytes(up[0], MEMBERS));
	c = 'g';
	KTAP_CHECK(write(go[1], &c, 1) == 1);
	int status = test_wait(pid);
	close(go[1]);
	close(down[1]);
	int survivors = 0;
	while (read(up[0], &c, 1) == 1)               /* EOF once every grandchild is gone */
		survivors += c == 's';
	close(up[0]);
	KTAP_CHECKF(test_killed_by(status, SIGUSR1), "the sender: status 0x%x", status);
	KTAP_CHECKF(survivors == 0, "%d of %d grandchildren survived kill(0)", survivors, MEMBERS);
	return KTAP_PASS;
}

/* kill(0, 0), kill(-1, 0) with another process around, kill(-nogroup) = ESRCH. */
static int t_kill_probes(void)
{
	int up[2], down[2];
	pid_t pid, gone;

	KTAP_CHECK(kill(0, 0) == 0);
	KTAP_CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid = spawn_member(test_other_cluster(), up[1], down[0], down[1], up[0]);
	KTAP_CHECK(pid > 0);
	close(up[1]);
	close(down[0]);
	KTAP_CHECK(read_bytes(up[0], 1));
	KTAP_CHECK(kill(-1, 0) == 0);
	close(down[1]);
	close(up[0]);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	gone = fork();
	KTAP_CHECK(gone >= 0);
	if (gone == 0)
		_exit(0);
	KTAP_CHECK(test_exited_with(test_wait(gone), 0));
	errno = 0;
	KTAP_CHECK(kill(-gone, 0) == -1 && errno == ESRCH);
	errno = 0;
	KTAP_CHECK(kill(-gone, SIGTERM) == -1 && errno == ESRCH);
	errno = 0;
	KTAP_CHECK(kill(0, 99) == -1 && errno == EINVAL);
	return KTAP_PASS;
}

/* The console's foreground group: init's at boot, set by TIOCSPGRP in the session. */
static void tty_child(void *arg)
{
	pid_t orig = *(pid_t *)arg, got = 0, bogus = 0x7ffe;
	/* a background group changing the terminal gets SIGTTOU unless it ignores it */
	signal(SIGTTOU, SIG_IGN);
	if (setpgid(0, 0) != 0)
		_exit(1);
	if (ioctl(1, TIOCSPGRP, &(pid_t){ getpid() }) != 0)
		_exit(2);
	if (ioctl(1, TIOCGPGRP, &got) != 0 || got != getpid())
		_exit(3);
	errno = 0;
	if (ioctl(1, TIOCSPGRP, &bogus) != -1 || errno != ESRCH)
		_exit(4);
	errno = 0;
	if (ioctl(1, TIOCSPGRP, &(pid_t){ -2 }) != -1 || errno != EINVAL)
		_exit(5);
	errno = 0;
	if (ioctl(1, TIOCSPGRP, (void *)16) != -1 || errno != EFAULT)
		_exit(6);
	if (ioctl(1, TIOCSPGRP, &orig) != 0)
		_exit(7);
	/* a new session has no controlling terminal: ENOTTY (man 2const TIOCSPGRP) */
	pid_t gc = fork();
	if (gc == 0) {
		if (setsid() != getpid())
			_exit(1);
		errno = 0;
		if (ioctl(1, TIOCGPGRP, &got) != -1 || errno != ENOTTY)
			_exit(2);
		errno = 0;
		if (ioctl(1, TIOCSPGRP, &(pid_t){ getpid() }) != -1 || errno != ENOTTY)
			_exit(3);
		_exit(0);
	}
	if (gc < 0 || !test_exited_with(test_wait(gc), 0))
		_exit(8);
	_exit(0);
}

static int t_tty_foreground_group(void)
{
	pid_t fg = 0;
	int status;

	if (test_nclusters() == 0)
		return ktap_skip("the host's terminal: job control of the caller's shell");
	KTAP_CHECK(ioctl(1, TIOCGPGRP, &fg) == 0);
	KTAP_CHECKF(fg == getpgrp(), "foreground group %d, ours %d", fg, getpgrp());
	status = test_in_child(tty_child, &fg);
	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	KTAP_CHECK(ioctl(1, TIOCGPGRP, &fg) == 0 && fg == getpgrp());
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_getters_agree),
	KTAP_CASE(t_getters_esrch),
	KTAP_CASE(t_init_leads_its_session),
	KTAP_CASE(t_fork_inherits),
	KTAP_CASE(t_setpgid_new_group),
	KTAP_CASE(t_setpgid_errors),
	KTAP_CASE(t_setpgid_session_leader),
	KTAP_CASE(t_setpgid_after_exec),
	KTAP_CASE(t_setsid),
	KTAP_CASE(t_setsid_group_leader_eperm),
	KTAP_CASE(t_wait_by_group),
	KTAP_CASE(t_kill_pgrp),
	KTAP_CASE(t_kill_zero),
	KTAP_CASE(t_kill_probes),
	KTAP_CASE(t_tty_foreground_group),
};

int main(int argc, char *argv[])
{
	(void)argc;
	helper = test_helper_path(argv[0]);
	return ktap_run(cases, KTAP_NCASES(cases));
}
