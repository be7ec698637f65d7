/*
 * exec.c - execve(2): argv and envp reach the new program, the pid and
 * parent survive, close-on-exec, exec from vfork, and every error (ENOENT,
 * EACCES, ENOEXEC, ENOTDIR, EFAULT) leaves the caller intact.
 * The new program is exec_helper, next to this test (/tests/exec_helper).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ktap.h"
#include "testutil.h"

#define NOTELF "/tmp/notelf"

static const char *helper;
extern char **environ;

/* Fork a child (in another cluster) that execs helper with argv/envp; return its wait status. */
static int run_helper(char *const argv[], char *const envp[])
{
	pid_t pid = test_fork_in(test_other_cluster());
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(helper, argv, envp);
		_exit(100 + (errno & 0x1f));
	}
	return test_wait(pid);
}

static int check_helper_status(int status)
{
	char buf[64];
	KTAP_CHECKF(test_exited_with(status, 0), "exec_helper %s (100+errno: exec failed)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

static int t_argv_envp(void)
{
	char *argv[] = { (char *)helper, "args", "alpha", "beta gamma", "", NULL };
	char *envp[] = { "ARCHIPEL_TEST=1", "FOO=bar with spaces", NULL };
	return check_helper_status(run_helper(argv, envp));
}

static int t_many_args(void)
{
	enum { N = 100 };
	static char names[N][16];
	char *argv[N + 4];
	char count[16];
	char *envp[] = { NULL };

	snprintf(count, sizeof(count), "%d", N);
	argv[0] = (char *)helper;
	argv[1] = "count";
	argv[2] = count;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "arg%d", i);
		argv[3 + i] = names[i];
	}
	argv[N + 3] = NULL;
	return check_helper_status(run_helper(argv, envp));
}

/* execve_empty_argv: Linux (>= 5.18) runs a program given no argv with argc 1, argv[0] "". */
static int t_empty_argv_gives_one_arg(void)
{
	char *argv[] = { NULL };
	char *envp[] = { NULL };

	return check_helper_status(run_helper(argv, envp));
}

static int t_keeps_pid(void)
{
	char ppid[16];
	snprintf(ppid, sizeof(ppid), "%d", getpid());
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		char me[16];
		snprintf(me, sizeof(me), "%d", getpid());
		char *argv[] = { (char *)helper, "pid", me, ppid, NULL };
		char *envp[] = { NULL };
		execve(helper, argv, envp);
		_exit(100 + (errno & 0x1f));
	}
	return check_helper_status(test_wait(pid));
}

static int t_cloexec_closed(void)
{
	int keep = open("/", O_RDONLY | O_DIRECTORY);
	int gone = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	KTAP_CHECK(keep >= 0 && gone >= 0);
	char a[16], b[16];
	snprintf(a, sizeof(a), "%d", keep);
	snprintf(b, sizeof(b), "%d", gone);
	char *argv[] = { (char *)helper, "fds", a, b, NULL };
	char *envp[] = { NULL };
	int status = run_helper(argv, envp);
	close(keep);
	close(gone);
	return check_helper_status(status);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* execve(2): handled signals back to SIG_DFL; ignored ones, the mask, pending ones stay. */
static int t_signal_state(void)
{
	static char altstack[16384];
	pid_t pid = test_fork_in(test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)helper, "signals", NULL };
		stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
		sigset_t set;

		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGHUP);
		sigaltstack(&ss, NULL);
		execve(helper, argv, environ);
		_exit(100 + (errno & 0x1f));
	}
	return check_helper_status(test_wait(pid));
}

static int t_exec_from_vfork(void)
{
	char *argv[] = { (char *)helper, "exit", "33", NULL };
	char *envp[] = { NULL };
	pid_t pid = vfork();
	if (pid == 0) {
		execve(helper, argv, envp);
		_exit(100);
	}
	KTAP_CHECK(pid > 0);
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 33), "wait status 0x%x", status);
	return KTAP_PASS;
}

static int t_exit_status_through_exec(void)
{
	char *argv[] = { (char *)helper, "exit", "77", NULL };
	char *envp[] = { NULL };
	int status = run_helper(argv, envp);
	KTAP_CHECKF(test_exited_with(status, 77), "wait status 0x%x", status);
	return KTAP_PASS;
}

static char *const no_args[] = { "x", NULL };
static char *const no_env[] = { NULL };

static int t_enoent(void)
{
	KTAP_CHECK_ERRNO(execve("/tests/no_such_program", no_args, no_env), ENOENT);
	KTAP_CHECK_ERRNO(execve("/no_such_dir/prog", no_args, no_env), ENOENT);
	KTAP_CHECK_ERRNO(execve("", no_args, no_env), ENOENT);
	return KTAP_PASS;
}

static int t_eacces(void)
{
	const char *plain = test_plain_file();
	struct stat st;

	KTAP_CHECK(test_stat(plain, &st) == 0);
	KTAP_CHECKF((st.st_mode & 0111) == 0, "%s has mode %o", plain, st.st_mode & 07777);
	KTAP_CHECK_ERRNO(execve(plain, no_args, no_env), EACCES);
	KTAP_CHECK_ERRNO(execve("/tmp", no_args, no_env), EACCES);   /* a directory */
	return KTAP_PASS;
}

static int t_enoexec(void)
{
	static const char garbage[] = "\x7f" "ELG not an ELF file, no #! either\n\x01\x02\x03";
	unlink(NOTELF);
	int fd = open(NOTELF, O_WRONLY | O_CREAT | O_EXCL, 0755);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(test_write_all(fd, garbage, sizeof(garbage)) == sizeof(garbage));
	KTAP_CHECK(close(fd) == 0);
	struct stat st;
	KTAP_CHECK(test_stat(NOTELF, &st) == 0);
	KTAP_CHECKF((st.st_mode & 0777) == 0755, "mode %o", st.st_mode & 07777);
	errno = 0;
	int r = execve(NOTELF, no_args, no_env);
	int err = errno;
	unlink(NOTELF);
	KTAP_CHECKF(r == -1 && err == ENOEXEC, "execve returned %d errno %d (%s)", r, err,
		    strerror(err));
	return KTAP_PASS;
}

static int t_enotdir(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/x", test_plain_file());
	KTAP_CHECK_ERRNO(execve(path, no_args, no_env), ENOTDIR);
	return KTAP_PASS;
}

static int t_efault_path(void)
{
	KTAP_CHECK_ERRNO(syscall(SYS_execve, (char *)1, no_args, no_env), EFAULT);
	KTAP_CHECK_ERRNO(syscall(SYS_execve, (char *)0xffff800000000000UL, no_args, no_env),
			 EFAULT);
	return KTAP_PASS;
}

static int t_efault_argv(void)
{
	/* in a child: a kernel that wrongly accepted this must not replace the test */
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		errno = 0;
		syscall(SYS_execve, helper, (char **)1, no_env);
		if (errno != EFAULT)
			_exit(1);
		char *bad_argv[] = { (char *)helper, (char *)1, NULL };
		errno = 0;
		syscall(SYS_execve, helper, bad_argv, no_env);
		if (errno != EFAULT)
			_exit(2);
		char *bad_envp[] = { (char *)0xffff800000000000UL, NULL };
		char *argv[] = { (char *)helper, "exit", "5", NULL };   /* 5: exec succeeded */
		errno = 0;
		syscall(SYS_execve, helper, argv, bad_envp);
		_exit(errno == EFAULT ? 0 : 3);
	}
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0),
		    "status 0x%x (1: argv, 2: argv[1], 3 or 5: envp[0] not EFAULT)", status);
	return KTAP_PASS;
}

static int t_alive_after_errors(void)
{
	/* the failed execs above left this process whole: fork, exit, wait still work */
	static int data = 1234;
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(data == 1234 ? 0 : 1);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_argv_envp),
	KTAP_CASE(t_many_args),
	KTAP_CASE(t_keeps_pid),
	KTAP_CASE(t_cloexec_closed),
	KTAP_CASE(t_signal_state),
	KTAP_CASE(t_exec_from_vfork),
	KTAP_CASE(t_exit_status_through_exec),
	KTAP_CASE(t_enoent),
	KTAP_CASE(t_eacces),
	KTAP_CASE(t_enoexec),
	KTAP_CASE(t_enotdir),
	KTAP_CASE(t_efault_path),
	KTAP_CASE(t_efault_argv),
	KTAP_CASE(t_alive_after_errors),
	KTAP_CASE(t_empty_argv_gives_one_arg),
};

int main(int argc, char *argv[])
{
	(void)argc;
	helper = test_helper_path(argv[0]);
	int status = ktap_run(cases, KTAP_NCASES(cases));
	unlink(NOTELF);   /* in case t_enoexec failed half-way */
	return status;
}
