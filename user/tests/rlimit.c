/*
 * rlimit.c - resource limits (man 2 getrlimit): set and read back, soft
 * above hard refused, a hard limit raised only by root, lowered for good
 * by others, inherited over fork; prlimit64 of another process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static int t_set_and_get(void)
{
	struct rlimit rl = { 0, 0 };

	KTAP_CHECK(setrlimit(RLIMIT_CORE, &rl) == 0);   /* lowered for good: this process only */
	KTAP_CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == 0);
	return KTAP_PASS;
}

static int t_soft_above_hard_is_einval(void)
{
	struct rlimit rl = { 2000, 1000 };

	KTAP_CHECK_ERRNO(setrlimit(RLIMIT_FSIZE, &rl), EINVAL);
	KTAP_CHECK_ERRNO(syscall(SYS_prlimit64, 0, 99, NULL, &rl), EINVAL);
	return KTAP_PASS;
}

static int child_unprivileged(void)
{
	struct rlimit rl = { 100, 200 };

	if (setuid(65534) != 0)
		return 1;
	if (setrlimit(RLIMIT_DATA, &rl) != 0)           /* lowering: allowed */
		return 2;
	rl.rlim_max = 300;
	errno = 0;
	if (setrlimit(RLIMIT_DATA, &rl) != -1 || errno != EPERM)  /* raising the hard one */
		return 3;
	rl.rlim_cur = 200;
	rl.rlim_max = 200;
	if (setrlimit(RLIMIT_DATA, &rl) != 0)           /* the soft one, up to the hard one */
		return 4;
	return 0;
}

static int t_raising_hard_needs_root(void)
{
	pid_t pid;

	if (geteuid() != 0)
		return ktap_skip("not run as root");
	pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(child_unprivileged());
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static int t_inherited_over_fork(void)
{
	struct rlimit rl = { 12345, 23456 };
	pid_t pid = fork();

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		if (setrlimit(RLIMIT_MSGQUEUE, &rl) != 0)
			_exit(1);
		pid = fork();
		if (pid == 0) {
			struct rlimit got;

			_exit(getrlimit(RLIMIT_MSGQUEUE, &got) == 0 && got.rlim_cur == 12345 &&
			      got.rlim_max == 23456 ? 0 : 2);
		}
		_exit(test_exited_with(test_wait(pid), 0) ? 0 : 3);
	}
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_set_and_get),
	KTAP_CASE(t_soft_above_hard_is_einval),
	KTAP_CASE(t_raising_hard_needs_root),
	KTAP_CASE(t_inherited_over_fork),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
