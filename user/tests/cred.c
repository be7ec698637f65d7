/*
 * cred.c - user and group IDs (man 7 credentials): the get/set calls with
 * Linux's privilege rules, supplementary groups, the file-system IDs as the
 * owner of new files, inheritance over fork and exec. Every change is made
 * in a child, so the test program itself stays root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static char TMPF[64];

/* Runs @fn in a child (another cluster when there are several); KTAP_PASS iff it exits 0. */
static int in_child(int (*fn)(void))
{
	pid_t pid = test_fork_in(test_other_cluster());

	if (pid < 0)
		return KTAP_FAIL;
	if (pid == 0)
		_exit(fn());
	return test_exited_with(test_wait(pid), 0) ? KTAP_PASS : KTAP_FAIL;
}

#define CHILD_CHECK(cond, code) do { if (!(cond)) return (code); } while (0)

static int t_root_at_start(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (getuid() != 0)
		return ktap_skip("not run as root");
	KTAP_CHECK(geteuid() == 0 && getgid() == 0 && getegid() == 0);
	KTAP_CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0);
	KTAP_CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 0 && ge == 0 && gs == 0);
	KTAP_CHECK(setfsuid(-1) == 0 && setfsgid(-1) == 0);   /* -1: only asks */
	return KTAP_PASS;
}

static int child_setres(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	CHILD_CHECK(setresgid(100, 101, 102) == 0, 1);
	CHILD_CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 100 && ge == 101 && gs == 102, 2);
	CHILD_CHECK(setresuid(200, 201, 202) == 0, 3);
	CHILD_CHECK(getresuid(&r, &e, &s) == 0 && r == 200 && e == 201 && s == 202, 4);
	CHILD_CHECK(getuid() == 200 && geteuid() == 201 && getgid() == 100 && getegid() == 101, 5);
	/* unprivileged now: only the IDs it has */
	errno = 0;
	CHILD_CHECK(setresuid(-1, 0, -1) == -1 && errno == EPERM, 6);
	errno = 0;
	CHILD_CHECK(setuid(0) == -1 && errno == EPERM, 7);
	CHILD_CHECK(setresuid(-1, 202, -1) == 0 && geteuid() == 202, 8);   /* the saved one */
	CHILD_CHECK(setuid(200) == 0 && getuid() == 200 && geteuid() == 200, 9);
	CHILD_CHECK(getresuid(&r, &e, &s) == 0 && s == 202, 10);   /* unprivileged setuid keeps it */
	errno = 0;
	CHILD_CHECK(setgroups(0, NULL) == -1 && errno == EPERM, 11);
	return 0;
}

static int t_setresuid_rules(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	return in_child(child_setres);
}

static int child_setuid_root(void)
{
	uid_t r, e, s;

	CHILD_CHECK(setuid(300) == 0, 1);                 /* privileged: all three */
	CHILD_CHECK(getresuid(&r, &e, &s) == 0 && r == 300 && e == 300 && s == 300, 2);
	errno = 0;
	CHILD_CHECK(setuid(0) == -1 && errno == EPERM, 3);
	return 0;
}

static int t_setuid_drops_root(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	KTAP_CHECK_ERRNO(syscall(SYS_setuid, -1), EINVAL);
	return in_child(child_setuid_root);
}

static int child_setreuid(void)
{
	uid_t r, e, s;

	CHILD_CHECK(setreuid(400, 500) == 0, 1);
	CHILD_CHECK(getresuid(&r, &e, &s) == 0 && r == 400 && e == 500 && s == 500, 2);
	CHILD_CHECK(setreuid(-1, 400) == 0, 3);        /* to the real ID: saved unchanged */
	CHILD_CHECK(getresuid(&r, &e, &s) == 0 && r == 400 && e == 400 && s == 500, 4);
	errno = 0;
	CHILD_CHECK(setreuid(600, -1) == -1 && errno == EPERM, 5);
	return 0;
}

static int t_setreuid_rules(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	return in_child(child_setreuid);
}

static int child_groups(void)
{
	gid_t set[3] = { 5, 6, 7 }, got[8];

	CHILD_CHECK(setgroups(3, set) == 0, 1);
	CHILD_CHECK(getgroups(0, NULL) == 3, 2);
	CHILD_CHECK(getgroups(8, got) == 3 && got[0] == 5 && got[1] == 6 && got[2] == 7, 3);
	errno = 0;
	CHILD_CHECK(getgroups(2, got) == -1 && errno == EINVAL, 4);
	if (fork() == 0)                                /* inherited over fork */
		_exit(getgroups(8, got) == 3 && got[2] == 7 ? 0 : 1);
	CHILD_CHECK(test_exited_with(test_wait(-1), 0), 5);
	CHILD_CHECK(setgroups(0, NULL) == 0 && getgroups(0, NULL) == 0, 6);
	return 0;
}

static int t_supplementary_groups(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	return in_child(child_groups);
}

static int child_owner(void)
{
	struct stat st;
	int fd;

	CHILD_CHECK(setfsgid(77) == 0, 1);             /* returns the old one */
	CHILD_CHECK(setfsuid(66) == 0, 2);
	fd = open(TMPF, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHILD_CHECK(fd >= 0, 3);
	CHILD_CHECK(fstat(fd, &st) == 0 && st.st_uid == 66 && st.st_gid == 77, 4);
	close(fd);
	CHILD_CHECK(setfsuid(0) == 66, 5);
	CHILD_CHECK(unlink(TMPF) == 0, 6);
	return 0;
}

static int t_new_file_owner_is_fsuid(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	unlink(TMPF);
	return in_child(child_owner);
}

static int child_inherit(void)
{
	pid_t pid;

	CHILD_CHECK(setresgid(11, 12, 13) == 0 && setresuid(21, 22, 23) == 0, 1);
	pid = fork();
	CHILD_CHECK(pid >= 0, 2);
	if (pid == 0) {
		uid_t r, e, s;
		gid_t gr, ge, gs;

		_exit(getresuid(&r, &e, &s) == 0 && r == 21 && e == 22 && s == 23 &&
		      getresgid(&gr, &ge, &gs) == 0 && gr == 11 && ge == 12 && gs == 13 ? 0 : 1);
	}
	CHILD_CHECK(test_exited_with(test_wait(pid), 0), 3);
	return 0;
}

static int t_inherited_over_fork(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	KTAP_CHECK(in_child(child_inherit) == KTAP_PASS);
	KTAP_CHECK(getuid() == 0 && geteuid() == 0);   /* the parent kept its own */
	return KTAP_PASS;
}

static int child_exec_perm(void)
{
	char *argv[] = { TMPF, NULL }, *envp[] = { NULL };
	int fd = open(TMPF, O_RDWR | O_CREAT | O_TRUNC, 0700);   /* root's, owner-only */

	CHILD_CHECK(fd >= 0, 1);
	CHILD_CHECK(write(fd, "\177ELF", 4) == 4, 2);
	close(fd);
	CHILD_CHECK(setuid(65534) == 0, 3);
	errno = 0;
	execve(TMPF, argv, envp);               /* no execute right for "other" */
	return errno == EACCES ? 0 : 4;
}

/* man 2 execve, EACCES: execute permission is checked against the caller's IDs. */
static int t_exec_needs_permission(void)
{
	if (getuid() != 0)
		return ktap_skip("not run as root");
	unlink(TMPF);
	KTAP_CHECK(in_child(child_exec_perm) == KTAP_PASS);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_exec_needs_permission),
	KTAP_CASE(t_root_at_start),
	KTAP_CASE(t_setresuid_rules),
	KTAP_CASE(t_setuid_drops_root),
	KTAP_CASE(t_setreuid_rules),
	KTAP_CASE(t_supplementary_groups),
	KTAP_CASE(t_new_file_owner_is_fsuid),
	KTAP_CASE(t_inherited_over_fork),
};

int main(void)
{
	snprintf(TMPF, sizeof(TMPF), "/tmp/cred.%d", (int)getpid());
	return ktap_run(cases, KTAP_NCASES(cases));
}
