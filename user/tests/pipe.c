/*
 * pipe.c - pipes between clusters and file-descriptor semantics: 1 MiB
 * checked byte for byte from a child in another cluster, EOF, EPIPE and
 * SIGPIPE, atomic PIPE_BUF writes from two writers, a reader woken by a
 * remote writer, dup/dup2/dup3, pipe2(O_CLOEXEC), fcntl, close-on-exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static const char *helper;

/* The byte at position i of the 1 MiB stream. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i ^ (i >> 8) ^ (i >> 16) ^ 0x5c);
}

static int t_one_mib_across_clusters(void)
{
	enum { TOTAL = 1 << 20 };
	static unsigned char buf[8192];
	int p[2];

	KTAP_CHECK(pipe(p) == 0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		size_t done = 0, chunk = 1;
		while (done < TOTAL) {
			size_t n = chunk < TOTAL - done ? chunk : TOTAL - done;
			for (size_t i = 0; i < n; i++)
				buf[i] = pattern(done + i);
			if (test_write_all(p[1], buf, n) < 0)
				_exit(1);
			done += n;
			chunk = chunk * 3 % 8191 + 1;   /* odd sizes, 1..8191 bytes */
		}
		_exit(0);
	}
	close(p[1]);
	size_t got = 0;
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf) - (got % 7));
		if (n < 0 && errno == EINTR)
			continue;
		KTAP_CHECK(n >= 0);
		if (n == 0)
			break;                          /* EOF: the writer exited */
		for (ssize_t i = 0; i < n; i++)
			KTAP_CHECKF(buf[i] == pattern(got + (size_t)i),
				    "byte %zu is 0x%02x, expected 0x%02x", got + (size_t)i,
				    buf[i], pattern(got + (size_t)i));
		got += (size_t)n;
		KTAP_CHECKF(got <= TOTAL, "more than %d bytes", TOTAL);
	}
	close(p[0]);
	KTAP_CHECKF(got == TOTAL, "received %zu bytes, expected %d", got, TOTAL);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static int t_eof_after_close(void)
{
	int p[2];
	char buf[8];

	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(write(p[1], "abc", 3) == 3);
	KTAP_CHECK(close(p[1]) == 0);
	KTAP_CHECK(read(p[0], buf, sizeof(buf)) == 3);   /* data first... */
	KTAP_CHECK(memcmp(buf, "abc", 3) == 0);
	KTAP_CHECK(read(p[0], buf, sizeof(buf)) == 0);   /* ...then EOF, again and again */
	KTAP_CHECK(read(p[0], buf, sizeof(buf)) == 0);
	KTAP_CHECK(close(p[0]) == 0);
	KTAP_CHECK_ERRNO(close(p[0]), EBADF);
	return KTAP_PASS;
}

static int t_epipe_when_ignored(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int p[2];

	KTAP_CHECK(sigaction(SIGPIPE, &ign, &old) == 0);
	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(close(p[0]) == 0);
	KTAP_CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
	close(p[1]);
	KTAP_CHECK(sigaction(SIGPIPE, &old, NULL) == 0);
	return KTAP_PASS;
}

static int t_sigpipe_kills(void)
{
	int p[2];

	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(close(p[0]) == 0);   /* before fork: no process has a read end */
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		write(p[1], "x", 1);   /* no reader: SIGPIPE, default action */
		_exit(0);
	}
	close(p[1]);
	int status = test_wait(pid);
	char buf[64];
	KTAP_CHECKF(test_killed_by(status, SIGPIPE), "writer %s, expected SIGPIPE",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

static int t_atomic_pipe_buf_writes(void)
{
	enum { RECORD = 4096, RECORDS = 24 };    /* PIPE_BUF = 4096: never interleaved */
	static unsigned char rec[RECORD];
	int p[2];
	pid_t pids[2];
	int count[2] = { 0, 0 };

	KTAP_CHECK(pipe(p) == 0);
	for (int w = 0; w < 2; w++) {
		pids[w] = test_fork_in(w == 0 ? archipel_cluster() : test_other_cluster());
		KTAP_CHECK(pids[w] >= 0);
		if (pids[w] == 0) {
			close(p[0]);
			memset(rec, 'A' + w, RECORD);
			for (int i = 0; i < RECORDS; i++)
				if (write(p[1], rec, RECORD) != RECORD)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	for (;;) {
		ssize_t n = test_read_all(p[0], rec, RECORD);
		KTAP_CHECK(n >= 0);
		if (n == 0)
			break;
		KTAP_CHECKF(n == RECORD, "a short record of %zd bytes", n);
		KTAP_CHECKF(rec[0] == 'A' || rec[0] == 'B', "record starts with 0x%02x", rec[0]);
		for (int i = 1; i < RECORD; i++)
			KTAP_CHECKF(rec[i] == rec[0], "writes of PIPE_BUF bytes were interleaved");
		count[rec[0] - 'A']++;
	}
	close(p[0]);
	for (int w = 0; w < 2; w++)
		KTAP_CHECK(test_exited_with(test_wait(pids[w]), 0));
	KTAP_CHECKF(count[0] == RECORDS && count[1] == RECORDS, "records %d and %d, expected %d",
		    count[0], count[1], RECORDS);
	return KTAP_PASS;
}

static int t_reader_woken_by_remote_writer(void)
{
	int p[2];
	char c = 0;
	struct timespec t0, t1;

	KTAP_CHECK(pipe(p) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec d = { 0, 30 * 1000 * 1000 };
		close(p[0]);
		nanosleep(&d, NULL);        /* let the parent block in read() first */
		_exit(write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	KTAP_CHECK(read(p[0], &c, 1) == 1 && c == 'w');   /* blocks about 30 ms */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	KTAP_CHECK(read(p[0], &c, 1) == 0);
	close(p[0]);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	KTAP_CHECKF(ms >= 20, "read returned %ld ms after fork, the writer slept 30 ms", ms);
	return KTAP_PASS;
}

static int t_dup_lowest_and_shared(void)
{
	int p[2];
	char buf[4];

	KTAP_CHECK(pipe(p) == 0);
	int d = dup(p[1]);
	KTAP_CHECK(d > p[1]);
	KTAP_CHECK(close(d) == 0);
	KTAP_CHECK(dup(p[1]) == d);         /* the lowest free descriptor again */
	KTAP_CHECK(close(p[1]) == 0);       /* the pipe stays open through d */
	KTAP_CHECK(write(d, "dup", 3) == 3);
	KTAP_CHECK(read(p[0], buf, 3) == 3 && memcmp(buf, "dup", 3) == 0);
	KTAP_CHECK(close(d) == 0);          /* last writer gone: EOF */
	KTAP_CHECK(read(p[0], buf, 1) == 0);
	KTAP_CHECK(close(p[0]) == 0);
	KTAP_CHECK_ERRNO(dup(p[0]), EBADF);
	return KTAP_PASS;
}

static int t_dup2_semantics(void)
{
	int a[2], b[2];
	char c;

	KTAP_CHECK(pipe(a) == 0 && pipe(b) == 0);
	KTAP_CHECK(dup2(a[1], a[1]) == a[1]);       /* same fd: nothing happens */
	KTAP_CHECK(dup2(a[1], b[1]) == b[1]);       /* b[1] closed, now writes to a */
	KTAP_CHECK(read(b[0], &c, 1) == 0);         /* b lost its only writer: EOF */
	KTAP_CHECK(write(b[1], "2", 1) == 1);
	KTAP_CHECK(read(a[0], &c, 1) == 1 && c == '2');
	KTAP_CHECK(dup2(a[0], 100) == 100);         /* above every open fd */
	KTAP_CHECK(fcntl(100, F_GETFD) == 0);
	KTAP_CHECK_ERRNO(dup2(1000000, 5), EBADF);
	KTAP_CHECK_ERRNO(dup2(a[0], -1), EBADF);
	close(100);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	return KTAP_PASS;
}

/* raw dup3: musl's dup3() turns flags 0 into dup2 and checks old == new itself */
static int sys_dup3(int oldfd, int newfd, int flags)
{
	return (int)syscall(SYS_dup3, oldfd, newfd, flags);
}

static int t_dup3_cloexec(void)
{
	int p[2];

	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(sys_dup3(p[0], 50, O_CLOEXEC) == 50);
	KTAP_CHECK(fcntl(50, F_GETFD) == FD_CLOEXEC);
	KTAP_CHECK(sys_dup3(p[0], 51, 0) == 51);
	KTAP_CHECK(fcntl(51, F_GETFD) == 0);
	KTAP_CHECK(sys_dup3(p[1], 51, O_CLOEXEC) == 51);   /* replaces an open fd */
	KTAP_CHECK(fcntl(51, F_GETFD) == FD_CLOEXEC);
	KTAP_CHECK((fcntl(51, F_GETFL) & O_ACCMODE) == O_WRONLY);
	int d = dup(50);
	KTAP_CHECK(d >= 0);
	KTAP_CHECK(fcntl(d, F_GETFD) == 0);                /* dup never copies FD_CLOEXEC */
	close(d);
	KTAP_CHECK_ERRNO(sys_dup3(p[0], p[0], 0), EINVAL);
	KTAP_CHECK_ERRNO(sys_dup3(p[0], 52, 0x40000000), EINVAL);
	KTAP_CHECK_ERRNO(sys_dup3(1000000, 52, 0), EBADF);
	close(50);
	close(51);
	close(p[0]);
	close(p[1]);
	return KTAP_PASS;
}

static int t_pipe2_cloexec(void)
{
	int p[2], q[2];

	KTAP_CHECK(pipe2(p, O_CLOEXEC) == 0);
	KTAP_CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	KTAP_CHECK(pipe(q) == 0);
	KTAP_CHECK(fcntl(q[0], F_GETFD) == 0 && fcntl(q[1], F_GETFD) == 0);
	KTAP_CHECK_ERRNO(pipe2(q, 0x40000000), EINVAL);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	return KTAP_PASS;
}

static int t_fcntl(void)
{
	int p[2];

	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0);
	KTAP_CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	KTAP_CHECK(fcntl(p[0], F_SETFD, 0) == 0);
	KTAP_CHECK(fcntl(p[0], F_GETFD) == 0);
	KTAP_CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
	KTAP_CHECK((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	int d = fcntl(p[1], F_DUPFD, 40);
	KTAP_CHECK(d >= 40);
	KTAP_CHECK(fcntl(d, F_GETFD) == 0);
	int e = fcntl(p[1], F_DUPFD_CLOEXEC, 40);
	KTAP_CHECK(e > 40 && e != d);
	KTAP_CHECK(fcntl(e, F_GETFD) == FD_CLOEXEC);
	KTAP_CHECK_ERRNO(fcntl(1000000, F_GETFD), EBADF);
	close(d);
	close(e);
	close(p[0]);
	close(p[1]);
	return KTAP_PASS;
}

static int t_cloexec_across_exec(void)
{
	int keep[2], gone[2];
	char a[16], b[16];

	KTAP_CHECK(pipe(keep) == 0 && pipe2(gone, O_CLOEXEC) == 0);
	snprintf(a, sizeof(a), "%d", keep[1]);
	snprintf(b, sizeof(b), "%d", gone[1]);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)helper, "fds", a, b, NULL };
		char *envp[] = { NULL };
		execve(helper, argv, envp);
		_exit(100);
	}
	close(keep[1]);
	close(gone[1]);
	int status = test_wait(pid);
	char c;
	KTAP_CHECK(read(keep[0], &c, 1) == 0);
	close(keep[0]);
	close(gone[0]);
	KTAP_CHECKF(test_exited_with(status, 0), "exec_helper status 0x%x (41: fd closed, "
		    "42: FD_CLOEXEC fd still open, 100: exec failed)", status);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_one_mib_across_clusters),
	KTAP_CASE(t_eof_after_close),
	KTAP_CASE(t_epipe_when_ignored),
	KTAP_CASE(t_sigpipe_kills),
	KTAP_CASE(t_atomic_pipe_buf_writes),
	KTAP_CASE(t_reader_woken_by_remote_writer),
	KTAP_CASE(t_dup_lowest_and_shared),
	KTAP_CASE(t_dup2_semantics),
	KTAP_CASE(t_dup3_cloexec),
	KTAP_CASE(t_pipe2_cloexec),
	KTAP_CASE(t_fcntl),
	KTAP_CASE(t_cloexec_across_exec),
};

int main(int argc, char *argv[])
{
	(void)argc;
	helper = test_helper_path(argv[0]);
	return ktap_run(cases, KTAP_NCASES(cases));
}
