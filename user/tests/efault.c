/*
 * efault.c - every system call that takes a user pointer fails with EFAULT
 * for a bad one, and leaks nothing (no file descriptor, no dead kernel).
 *
 * Each call is tried with two bad pointers, one KTAP case each:
 *   <call>_<arg>_low     (void *)1: user half, unmapped
 *   <call>_<arg>_kernel  0xffff800000000000: the kernel's direct map
 * The calls go through syscall(2) so that libc checks nothing. Only the calls
 * that Linux itself fails with EFAULT are listed (checked on the host:
 * set_tid_address is exempt, Linux does not check it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static int file_fd, dir_fd, pipe_w;
static struct stat st_buf;
static char *const args[] = { "x", NULL };
static char *const env[] = { NULL };

static long c_read(void *bad)
{
	lseek(file_fd, 0, SEEK_SET);
	return syscall(SYS_read, file_fd, bad, 16);
}
static long c_write(void *bad)        { return syscall(SYS_write, pipe_w, bad, 16); }
static long c_readv_iov(void *bad)    { return syscall(SYS_readv, file_fd, bad, 1); }
static long c_readv_base(void *bad)
{
	struct iovec iov = { bad, 16 };
	lseek(file_fd, 0, SEEK_SET);
	return syscall(SYS_readv, file_fd, &iov, 1);
}
static long c_writev_iov(void *bad)   { return syscall(SYS_writev, pipe_w, bad, 1); }
static long c_writev_base(void *bad)
{
	struct iovec iov = { bad, 16 };
	return syscall(SYS_writev, pipe_w, &iov, 1);
}
static long c_open_path(void *bad)    { return syscall(SYS_open, bad, O_RDONLY); }
static long c_openat_path(void *bad)  { return syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY); }
static long c_fstat_buf(void *bad)    { return syscall(SYS_fstat, file_fd, bad); }
static long c_newfstatat_path(void *bad)
{
	return syscall(SYS_newfstatat, AT_FDCWD, bad, &st_buf, 0);
}
static long c_newfstatat_buf(void *bad)
{
	return syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0);
}
static long c_pipe_fds(void *bad)     { return syscall(SYS_pipe, bad); }
static long c_pipe2_fds(void *bad)    { return syscall(SYS_pipe2, bad, O_CLOEXEC); }
static long c_wait4_status(void *bad)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -2;
	long r = syscall(SYS_wait4, pid, bad, 0, NULL);
	int e = errno;
	waitpid(pid, NULL, 0);   /* reap it if the failed wait4 did not (ECHILD otherwise) */
	errno = e;
	return r;
}
static long c_rt_sigaction_act(void *bad)
{
	return syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8);
}
static long c_rt_sigaction_oldact(void *bad)
{
	return syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad, 8);
}
static long c_rt_sigprocmask_set(void *bad)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8);
}
static long c_rt_sigprocmask_oldset(void *bad)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8);
}
static long c_uname_buf(void *bad)    { return syscall(SYS_uname, bad); }
static long c_clock_gettime_tp(void *bad)
{
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad);
}
static long c_gettimeofday_tv(void *bad) { return syscall(SYS_gettimeofday, bad, NULL); }
static long c_nanosleep_req(void *bad)   { return syscall(SYS_nanosleep, bad, NULL); }
static long c_clock_nanosleep_req(void *bad)
{
	return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL);
}
static long c_getcpu_cpu(void *bad)   { return syscall(SYS_getcpu, bad, NULL, NULL); }
static long c_getcpu_node(void *bad)  { return syscall(SYS_getcpu, NULL, bad, NULL); }
static long c_getcwd_buf(void *bad)   { return syscall(SYS_getcwd, bad, 4096); }
static long c_getdents64_buf(void *bad)
{
	lseek(dir_fd, 0, SEEK_SET);
	return syscall(SYS_getdents64, dir_fd, bad, 4096);
}
static long c_mkdir_path(void *bad)   { return syscall(SYS_mkdir, bad, 0755); }
static long c_unlink_path(void *bad)  { return syscall(SYS_unlink, bad); }
static long c_unlinkat_path(void *bad)
{
	return syscall(SYS_unlinkat, AT_FDCWD, bad, AT_REMOVEDIR);
}
static long c_chdir_path(void *bad)   { return syscall(SYS_chdir, bad); }
static long c_execve_path(void *bad)  { return syscall(SYS_execve, bad, args, env); }
static long c_getrandom_buf(void *bad) { return syscall(SYS_getrandom, bad, 16, 0); }
static long c_prlimit64_new(void *bad)
{
	return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, bad, NULL);
}
static long c_prlimit64_old(void *bad)
{
	return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad);
}

struct call {
	const char *name;
	long (*fn)(void *bad);
};

#define CALL(f) { #f + 2, f }

static const struct call calls[] = {
	CALL(c_read), CALL(c_write), CALL(c_readv_iov), CALL(c_readv_base),
	CALL(c_writev_iov), CALL(c_writev_base), CALL(c_open_path), CALL(c_openat_path),
	CALL(c_fstat_buf), CALL(c_newfstatat_path), CALL(c_newfstatat_buf),
	CALL(c_pipe_fds), CALL(c_pipe2_fds), CALL(c_wait4_status),
	CALL(c_rt_sigaction_act), CALL(c_rt_sigaction_oldact),
	CALL(c_rt_sigprocmask_set), CALL(c_rt_sigprocmask_oldset),
	CALL(c_uname_buf), CALL(c_clock_gettime_tp), CALL(c_gettimeofday_tv),
	CALL(c_nanosleep_req), CALL(c_clock_nanosleep_req),
	CALL(c_getcpu_cpu), CALL(c_getcpu_node), CALL(c_getcwd_buf), CALL(c_getdents64_buf),
	CALL(c_mkdir_path), CALL(c_unlink_path), CALL(c_unlinkat_path), CALL(c_chdir_path),
	CALL(c_execve_path), CALL(c_getrandom_buf), CALL(c_prlimit64_new),
	CALL(c_prlimit64_old),
};
#define NCALLS ((int)(sizeof(calls) / sizeof(calls[0])))

static const struct {
	const char *suffix;
	void *ptr;
} bad_ptrs[] = {
	{ "low", (void *)1 },
	{ "kernel", (void *)0xffff800000000000UL },
};

/* The lowest free file descriptor (what the next open would get). */
static int lowest_free_fd(void)
{
	int fd = dup(0);
	if (fd >= 0)
		close(fd);
	return fd;
}

int main(void)
{
	int p[2];

	file_fd = open(test_plain_file(), O_RDONLY);
	dir_fd = open("/", O_RDONLY | O_DIRECTORY);
	if (file_fd < 0 || dir_fd < 0 || pipe(p) < 0) {
		ktap_plan(1);
		ktap_diag("setup failed: %s", strerror(errno));
		ktap_result(0, "setup");
		return 1;
	}
	pipe_w = p[1];

	ktap_plan(NCALLS * 2);
	for (int i = 0; i < NCALLS; i++) {
		for (int b = 0; b < 2; b++) {
			char name[80];
			snprintf(name, sizeof(name), "%s_%s", calls[i].name, bad_ptrs[b].suffix);
			int before = lowest_free_fd();
			errno = 0;
			long r = calls[i].fn(bad_ptrs[b].ptr);
			int err = errno;
			int after = lowest_free_fd();
			int ok = r == -1 && err == EFAULT && before == after;
			if (r != -1 || err != EFAULT)
				ktap_diag("%s(%p) returned %ld errno %d (%s), expected -1 EFAULT",
					  calls[i].name, bad_ptrs[b].ptr, r, err, strerror(err));
			if (before != after)
				ktap_diag("a file descriptor leaked: lowest free fd %d -> %d",
					  before, after);
			ktap_result(ok, name);
		}
	}
	ktap_diag("%d passed, %d failed", ktap_number - ktap_failures, ktap_failures);
	return ktap_failures ? 1 : 0;
}
