/*
 * sigstop.c - job control signals and the waits that report them, as on
 * Linux (man 7 signal, man 2 wait, man 2 sigaction): SIGSTOP / SIGCONT of
 * a process with a thread in each of four clusters (a counter each thread
 * increments stays still while stopped and moves again after SIGCONT);
 * wait4's WUNTRACED / WCONTINUED statuses, once per change; waitid(2)
 * field by field (P_PID, P_PGID, P_ALL, WNOWAIT, WNOHANG, the errors);
 * SIGCHLD CLD_STOPPED / CLD_CONTINUED and SA_NOCLDSTOP; SIGTSTP with a
 * handler (runs, no stop) and with its default action (stops); SIGKILL of
 * a stopped process; SIGTSTP dropped for an orphaned group; SIGHUP and
 * SIGCONT to a stopped group that its parent's exit orphans; a blocked read and sleeps (nanosleep, clock_nanosleep)
 * across a stop and continue go on, without EINTR; SIGKILL of a process whose threads block in a futex,
 * a pipe read and nanosleep in four clusters; no zombies with SIGCHLD
 * ignored or SA_NOCLDWAIT.
 *
 * The stopped processes are children that join a process group of their
 * own (setpgid), so that their group is not orphaned: Linux discards
 * SIGTSTP sent to an orphaned group (man 7 signal). Every wait has a
 * deadline, so a lost stop or continue fails the case instead of hanging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "threadutil.h"
#include "sigutil.h"

#define WAIT_MS 20000
#define NWORKERS 4

static int nclus, archipel;

/* Shared with the children (MAP_SHARED): what their threads do. */
struct shm {
	atomic_long count[NWORKERS];         /* each worker thread's progress */
	atomic_int  ready;                   /* workers that reached their loop or wait */
	atomic_int  futex_word;              /* never changes: FUTEX_WAIT blocks on it */
};

static struct shm *shm_new(void)
{
	struct shm *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED)
		return NULL;
	memset(s, 0, sizeof(*s));
	return s;
}

/* waitpid() retried on EINTR; returns its result. */
static pid_t waitpid_retry(pid_t pid, int *st, int options)
{
	pid_t r;

	do {
		r = waitpid(pid, st, options);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* Waits (polling, bounded) until *@v >= @n. Returns 1, or 0 at the deadline. */
static int wait_at_least(atomic_int *v, int n)
{
	struct timespec d = test_deadline(WAIT_MS / 1000);

	while (atomic_load(v) < n)
		if (test_expired(&d))
			return 0;
		else
			sleep_ms(2);
	return 1;
}

/* ---- a child with a counting thread in each of four clusters ---------------------- */

struct worker_arg {
	struct shm *s;
	int         k;
};

static void *counter_main(void *arg)
{
	struct worker_arg *w = arg;

	test_pin_to_cluster(w->k % (nclus > 0 ? nclus : 1));
	atomic_fetch_add(&w->s->ready, 1);
	for (;;) {
		atomic_fetch_add(&w->s->count[w->k], 1);
		sleep_ms(1);
	}
	return NULL;
}

/* A child whose NWORKERS threads (one per cluster) count; its main thread pauses. */
static pid_t spawn_counters(struct shm *s)
{
	static struct worker_arg args[NWORKERS];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setpgid(0, 0);
	for (int k = 0; k < NWORKERS; k++) {
		pthread_t th;

		args[k].s = s;
		args[k].k = k;
		if (pthread_create(&th, NULL, counter_main, &args[k]) != 0)
			_exit(3);
	}
	for (;;)
		pause();
}

/* Waits until every counter is above @base[]. Returns 1, or 0 at the deadline. */
static int counters_pass(struct shm *s, const long *base)
{
	struct timespec d = test_deadline(WAIT_MS / 1000);

	for (int k = 0; k < NWORKERS; k++)
		while (atomic_load(&s->count[k]) <= base[k])
			if (test_expired(&d))
				return 0;
			else
				sleep_ms(2);
	return 1;
}

static int t_stop_cont_threads_in_four_clusters(void)
{
	struct shm *s = shm_new();
	long zero[NWORKERS] = { 0 }, at_stop[NWORKERS], later[NWORKERS];
	int st;
	pid_t child;

	KTAP_CHECK(s != NULL);
	child = spawn_counters(s);
	KTAP_CHECK(child > 0);
	KTAP_CHECK(wait_at_least(&s->ready, NWORKERS));
	KTAP_CHECK(counters_pass(s, zero));
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child);
	KTAP_CHECKF(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status 0x%x", st);
	/* every thread is parked: no counter moves, however long we look */
	for (int k = 0; k < NWORKERS; k++)
		at_stop[k] = atomic_load(&s->count[k]);
	sleep_ms(300);
	for (int k = 0; k < NWORKERS; k++) {
		later[k] = atomic_load(&s->count[k]);
		KTAP_CHECKF(later[k] == at_stop[k], "worker %d moved while stopped: %ld -> %ld",
			    k, at_stop[k], later[k]);
	}
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WCONTINUED) == child);
	KTAP_CHECKF(WIFCONTINUED(st), "status 0x%x", st);
	KTAP_CHECK(counters_pass(s, at_stop));    /* every thread runs again */
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	st = test_wait(child);
	KTAP_CHECKF(test_killed_by(st, SIGKILL), "status 0x%x", st);
	munmap(s, sizeof(*s));
	return KTAP_PASS;
}

/* ---- wait4's reports ------------------------------------------------------------ */

/* A child in its own group that pauses until killed. */
static pid_t spawn_pauser(void)
{
	pid_t pid = test_fork_in(test_other_cluster());

	if (pid == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	if (pid > 0)
		setpgid(pid, pid);           /* either one may run first */
	return pid;
}

/* The first letter of the State line of /proc/@pid/status ('T': stopped), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *s;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	s = strstr(buf, "State:\t");
	if (s == NULL)
		return 0;
	return s[7];
}

static int t_wait4_stop_and_continue_reported_once(void)
{
	pid_t child = spawn_pauser();
	int st;

	KTAP_CHECK(child > 0);
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child);
	KTAP_CHECKF(st == 0x137f, "status 0x%x (0x7f | SIGSTOP << 8 expected)", st);
	KTAP_CHECKF(proc_state(child) == 'T', "State %c", proc_state(child));  /* T (stopped) */
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED | WNOHANG) == 0);   /* once per stop */
	KTAP_CHECK(waitpid_retry(child, &st, WNOHANG) == 0);   /* no WUNTRACED: not reported */
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WCONTINUED) == child);
	KTAP_CHECKF(st == 0xffff, "status 0x%x", st);
	KTAP_CHECKF(proc_state(child) != 'T', "State %c", proc_state(child));
	KTAP_CHECK(waitpid_retry(child, &st, WCONTINUED | WUNTRACED | WNOHANG) == 0);
	/* a stop report is dropped by a SIGCONT that comes before the wait */
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	{
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		KTAP_CHECK(waitid(P_PID, child, &info, WSTOPPED | WNOWAIT) == 0);
		KTAP_CHECK(info.si_code == CLD_STOPPED);
	}
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED | WCONTINUED) == child);
	KTAP_CHECKF(st == 0xffff, "status 0x%x", st);
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	st = test_wait(child);
	KTAP_CHECKF(test_killed_by(st, SIGKILL), "status 0x%x", st);
	return KTAP_PASS;
}

/* ---- waitid ----------------------------------------------------------------------- */

static int check_info(const siginfo_t *info, int code, pid_t pid, int status)
{
	if (info->si_signo != SIGCHLD || info->si_code != code || info->si_pid != pid ||
	    info->si_uid != getuid() || info->si_status != status || info->si_errno != 0) {
		ktap_diag("siginfo: signo %d errno %d code %d pid %d uid %d status %d "
			  "(want code %d pid %d status %d)", info->si_signo, info->si_errno,
			  info->si_code, info->si_pid, (int)info->si_uid, info->si_status,
			  code, pid, status);
		return 0;
	}
	return 1;
}

static int t_waitid_fields(void)
{
	siginfo_t info;
	pid_t child = spawn_pauser();

	KTAP_CHECK(child > 0);
	/* errors */
	KTAP_CHECK_ERRNO(waitid(P_ALL, 0, &info, 0), EINVAL);          /* no W* flag */
	KTAP_CHECK_ERRNO(waitid(P_PID, 0, &info, WEXITED), EINVAL);
	KTAP_CHECK_ERRNO(waitid((idtype_t)77, 0, &info, WEXITED), EINVAL);
	KTAP_CHECK_ERRNO(waitid(P_ALL, 0, &info, WEXITED | 0x100), EINVAL);
	KTAP_CHECK_ERRNO(waitid(P_PID, 999999, &info, WEXITED | WNOHANG), ECHILD);
	KTAP_CHECK_ERRNO(waitid((idtype_t)3 /* P_PIDFD */, 0, &info, WEXITED), EBADF);
	/* WNOHANG, nothing to report: 0, and the fields are zeroed */
	memset(&info, 0x5a, sizeof(info));
	KTAP_CHECK(waitid(P_PID, child, &info, WEXITED | WSTOPPED | WNOHANG) == 0);
	KTAP_CHECKF(info.si_signo == 0 && info.si_pid == 0 && info.si_code == 0,
		    "signo %d pid %d code %d", info.si_signo, info.si_pid, info.si_code);
	/* stopped: WNOWAIT leaves it waitable */
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_PID, child, &info, WSTOPPED | WNOWAIT) == 0);
	KTAP_CHECK(check_info(&info, CLD_STOPPED, child, SIGSTOP));
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_PGID, child, &info, WSTOPPED) == 0);
	KTAP_CHECK(check_info(&info, CLD_STOPPED, child, SIGSTOP));
	memset(&info, 0x5a, sizeof(info));
	KTAP_CHECK(waitid(P_PID, child, &info, WSTOPPED | WNOHANG) == 0);
	KTAP_CHECK(info.si_pid == 0);                                 /* reported once */
	/* continued */
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_ALL, 0, &info, WCONTINUED) == 0);
	KTAP_CHECK(check_info(&info, CLD_CONTINUED, child, SIGCONT));
	/* killed: WNOWAIT first, then reaped */
	KTAP_CHECK(kill(child, SIGTERM) == 0);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_PID, child, &info, WEXITED | WNOWAIT) == 0);
	KTAP_CHECK(check_info(&info, CLD_KILLED, child, SIGTERM));
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_PID, child, &info, WEXITED) == 0);
	KTAP_CHECK(check_info(&info, CLD_KILLED, child, SIGTERM));
	KTAP_CHECK_ERRNO(waitid(P_PID, child, &info, WEXITED | WNOHANG), ECHILD);
	/* exited, in our own group (P_PGID 0), with a NULL siginfo allowed */
	child = test_fork_in(test_other_cluster());
	if (child == 0)
		_exit(7);
	KTAP_CHECK(child > 0);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(waitid(P_PGID, 0, &info, WEXITED) == 0);
	KTAP_CHECK(check_info(&info, CLD_EXITED, child, 7));
	child = fork();
	if (child == 0)
		_exit(0);
	KTAP_CHECK(child > 0);
	KTAP_CHECK(waitid(P_PID, child, NULL, WEXITED) == 0);
	KTAP_CHECK_ERRNO(waitid(P_PID, child, &info, WEXITED), ECHILD);
	return KTAP_PASS;
}

/* ---- SIGCHLD on stop and continue, SA_NOCLDSTOP --------------------------------- */

static volatile int chld_count, chld_code, chld_status, chld_pid;

static void chld_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)uc;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_pid = info->si_pid;
	chld_count++;
}

/* Waits (bounded) until the SIGCHLD handler has run @n times in all. */
static int chld_wait(int n)
{
	struct timespec d = test_deadline(WAIT_MS / 1000);

	while (chld_count < n)
		if (test_expired(&d))
			return 0;
		else
			sleep_ms(2);
	return 1;
}

static int t_sigchld_on_stop_and_continue(void)
{
	pid_t child;
	int st;

	chld_count = 0;
	KTAP_CHECK(set_handler(SIGCHLD, chld_handler, SA_RESTART, NULL) == 0);
	child = spawn_pauser();
	KTAP_CHECK(child > 0);
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(chld_wait(1));
	KTAP_CHECKF(chld_code == CLD_STOPPED && chld_status == SIGSTOP && chld_pid == child,
		    "code %d status %d pid %d", chld_code, chld_status, chld_pid);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child && WIFSTOPPED(st));
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(chld_wait(2));
	KTAP_CHECKF(chld_code == CLD_CONTINUED && chld_status == SIGCONT && chld_pid == child,
		    "code %d status %d pid %d", chld_code, chld_status, chld_pid);
	KTAP_CHECK(waitpid_retry(child, &st, WCONTINUED) == child && WIFCONTINUED(st));
	/* SA_NOCLDSTOP: no SIGCHLD for either, but wait still reports them */
	KTAP_CHECK(set_handler(SIGCHLD, chld_handler, SA_RESTART | SA_NOCLDSTOP, NULL) == 0);
	chld_count = 0;
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child && WIFSTOPPED(st));
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WCONTINUED) == child && WIFCONTINUED(st));
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	KTAP_CHECK(chld_wait(1));                   /* the exit is still signalled ... */
	KTAP_CHECKF(chld_code == CLD_KILLED, "code %d", chld_code);  /* ... and only it */
	KTAP_CHECK(chld_count == 1);
	st = test_wait(child);
	KTAP_CHECK(test_killed_by(st, SIGKILL));
	set_default(SIGCHLD);
	return KTAP_PASS;
}

/* ---- SIGTSTP: a handler, or the default action; SIGKILL of a stopped process ------- */

static int tstp_fd = -1;

static void tstp_handler(int sig)
{
	(void)sig;
	if (write(tstp_fd, "t", 1) != 1)
		_exit(4);
}

static int t_sigtstp_handler_then_default(void)
{
	struct test_pipes tp;
	pid_t child = test_fork_piped(&tp, test_other_cluster());
	char c;
	int st;

	if (child == 0) {
		setpgid(0, 0);
		tstp_fd = tp.up[1];
		signal(SIGTSTP, tstp_handler);
		if (write(tp.up[1], "r", 1) != 1)
			_exit(2);
		if (read(tp.down[0], &c, 1) != 1)    /* restarted after the handler (SA_RESTART) */
			_exit(3);
		signal(SIGTSTP, SIG_DFL);
		if (write(tp.up[1], "d", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	KTAP_CHECK(child > 0);
	setpgid(child, child);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1 && c == 'r');
	KTAP_CHECK(kill(child, SIGTSTP) == 0);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1 && c == 't');          /* the handler ran */
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED | WNOHANG) == 0);   /* not stopped */
	KTAP_CHECK(write(tp.down[1], "g", 1) == 1);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1 && c == 'd');
	KTAP_CHECK(kill(child, SIGTSTP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child);
	KTAP_CHECKF(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "status 0x%x", st);
	/* SIGKILL ends a stopped process */
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	st = test_wait(child);
	KTAP_CHECKF(test_killed_by(st, SIGKILL), "status 0x%x", st);
	test_pipes_close(&tp);
	return KTAP_PASS;
}

/*
 * SIGTSTP to a process of an orphaned process group (here: a new session)
 * is discarded (man 7 signal; Linux's get_signal); SIGSTOP still stops it.
 * A real-time signal sent after SIGTSTP is taken after it (lowest number
 * first), so its handler running proves the SIGTSTP was taken and dropped.
 */
static void rt_mark_handler(int sig)
{
	(void)sig;
	if (write(tstp_fd, "m", 1) != 1)
		_exit(4);
}

static int t_sigtstp_orphaned_group_discarded(void)
{
	struct test_pipes tp;
	pid_t child = test_fork_piped(&tp, test_other_cluster());
	struct timespec d;
	char c = 0;
	int st;

	if (child == 0) {
		tstp_fd = tp.up[1];
		signal(SIGRTMIN, rt_mark_handler);
		if (setsid() < 0 || write(tp.up[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	KTAP_CHECK(child > 0);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1 && c == 'r');
	KTAP_CHECK(fcntl_nonblock(tp.up[0]) == 0);
	KTAP_CHECK(kill(child, SIGTSTP) == 0);
	KTAP_CHECK(kill(child, SIGRTMIN) == 0);
	d = test_deadline(WAIT_MS / 1000);
	while (read(tp.up[0], &c, 1) != 1 && !test_expired(&d))
		sleep_ms(2);
	KTAP_CHECKF(c == 'm', "the handler did not run: stopped by SIGTSTP?");
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED | WNOHANG) == 0);
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child);
	KTAP_CHECKF(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status 0x%x", st);
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	KTAP_CHECK(test_killed_by(test_wait(child), SIGKILL));
	test_pipes_close(&tp);
	return KTAP_PASS;
}

/* A stop interrupts a blocked read, which is restarted (not EINTR) after SIGCONT. */
static int t_stop_restarts_blocked_read(void)
{
	struct test_pipes tp;
	pid_t child = test_fork_piped(&tp, test_other_cluster());
	char c;
	int st;

	if (child == 0) {
		setpgid(0, 0);
		if (write(tp.up[1], "r", 1) != 1)
			_exit(2);
		ssize_t n = read(tp.down[0], &c, 1);   /* stopped and continued meanwhile */
		_exit(n == 1 && c == 'x' ? 0 : n < 0 ? 10 + errno % 100 : 5);
	}
	KTAP_CHECK(child > 0);
	setpgid(child, child);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);
	sleep_ms(50);                            /* most likely blocked in read by now */
	KTAP_CHECK(kill(child, SIGSTOP) == 0);
	KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child && WIFSTOPPED(st));
	KTAP_CHECK(kill(child, SIGCONT) == 0);
	KTAP_CHECK(write(tp.down[1], "x", 1) == 1);
	st = test_wait(child);
	KTAP_CHECKF(test_exited_with(st, 0), "status 0x%x (exit 10 + errno: EINTR leaked)", st);
	test_pipes_close(&tp);
	return KTAP_PASS;
}

/*
 * A stop interrupts nanosleep, clock_nanosleep (relative and absolute) and
 * a FUTEX_WAIT with a timeout: after SIGCONT they wait on to their
 * deadline and return 0 (ETIMEDOUT for the futex), not EINTR (Linux's
 * restart_syscall).
 */
static int ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static int futex_word;

static int t_stop_does_not_end_sleeps(void)
{
	for (int kind = 0; kind < 4; kind++) {
		struct test_pipes tp;
		pid_t child = test_fork_piped(&tp, test_other_cluster());
		char c;
		int st;

		if (child == 0) {
			struct timespec t0, d = { 0, 400 * 1000000L }, rem, abs;
			int r;

			setpgid(0, 0);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			abs = t0;
			abs.tv_nsec += d.tv_nsec;
			if (abs.tv_nsec >= 1000000000L) {
				abs.tv_sec++;
				abs.tv_nsec -= 1000000000L;
			}
			if (write(tp.up[1], "s", 1) != 1)
				_exit(2);
			if (kind == 0)
				r = nanosleep(&d, &rem);
			else if (kind == 1)
				r = clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &rem);
			else if (kind == 2)
				r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
			else
				r = (int)syscall(SYS_futex, &futex_word, 0 /* FUTEX_WAIT */, 0, &d,
						 NULL, 0);
			if (kind == 3)
				r = r < 0 && errno == ETIMEDOUT ? 0 : r < 0 ? errno : 99;
			else if (kind == 0 && r < 0)
				r = errno;               /* nanosleep: -1 and errno */
			if (r != 0)
				_exit(10 + r % 100);     /* 14: EINTR leaked */
			_exit(ms_since(&t0) >= 400 ? 0 : 3);   /* not ended early */
		}
		KTAP_CHECK(child > 0);
		setpgid(child, child);
		KTAP_CHECK(read(tp.up[0], &c, 1) == 1);
		sleep_ms(50);                        /* most likely asleep by now */
		KTAP_CHECK(kill(child, SIGSTOP) == 0);
		KTAP_CHECK(waitpid_retry(child, &st, WUNTRACED) == child && WIFSTOPPED(st));
		KTAP_CHECK(kill(child, SIGCONT) == 0);
		st = test_wait(child);
		KTAP_CHECKF(test_exited_with(st, 0), "kind %d: status 0x%x (exit 3: early, 14: "
			    "EINTR)", kind, st);
		test_pipes_close(&tp);
	}
	return KTAP_PASS;
}

/*
 * A stopped process whose group the exit of its parent orphans gets SIGHUP
 * then SIGCONT (POSIX; Linux's kill_orphaned_pgrp): here its SIGHUP handler
 * runs once it is continued and reports over a pipe to the test.
 */
static int hup_fd = -1;

static void hup_handler(int sig)
{
	(void)sig;
	if (write(hup_fd, "h", 1) != 1)
		_exit(4);
	_exit(0);
}

static int t_orphaned_stopped_group_gets_hup_and_cont(void)
{
	int up[2], mid[2];
	struct timespec d;
	pid_t middle;
	char c = 0;
	int st;

	KTAP_CHECK(pipe(up) == 0 && pipe(mid) == 0);
	middle = fork();
	if (middle == 0) {
		pid_t child = test_fork_in(test_other_cluster());

		if (child == 0) {
			hup_fd = up[1];
			signal(SIGHUP, hup_handler);
			setpgid(0, 0);
			if (write(mid[1], "c", 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
		if (child < 0 || read(mid[0], &c, 1) != 1)
			_exit(2);
		setpgid(child, child);
		if (kill(child, SIGSTOP) || waitpid_retry(child, &st, WUNTRACED) != child ||
		    !WIFSTOPPED(st))
			_exit(3);
		_exit(0);                    /* its group is now orphaned, with a stopped member */
	}
	KTAP_CHECK(middle > 0);
	close(up[1]);
	st = test_wait(middle);
	KTAP_CHECKF(test_exited_with(st, 0), "middle process: status 0x%x", st);
	KTAP_CHECK(fcntl_nonblock(up[0]) == 0);
	d = test_deadline(WAIT_MS / 1000);
	while (read(up[0], &c, 1) != 1 && !test_expired(&d))
		sleep_ms(2);
	KTAP_CHECKF(c == 'h', "no SIGHUP handler ran in the orphaned stopped process");
	close(up[0]);
	close(mid[0]);
	close(mid[1]);
	return KTAP_PASS;
}

/* ---- SIGKILL of a process blocked in four clusters -------------------------------- */

struct blocker {
	struct shm *s;
	int         k, fd;
};

static void *blocker_main(void *arg)
{
	struct blocker *b = arg;
	struct timespec long_sleep = { 1000, 0 };
	char c;

	test_pin_to_cluster(b->k % (nclus > 0 ? nclus : 1));
	atomic_fetch_add(&b->s->ready, 1);
	switch (b->k) {
	case 0:
		syscall(SYS_futex, &b->s->futex_word, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
		break;
	case 1:
		if (read(b->fd, &c, 1) < 0)
			break;
		break;
	default:
		nanosleep(&long_sleep, NULL);
		break;
	}
	for (;;)
		pause();
	return NULL;
}

static int t_sigkill_blocked_in_four_clusters(void)
{
	struct shm *s = shm_new();
	int fds[2], st;
	pid_t child;

	KTAP_CHECK(s != NULL);
	KTAP_CHECK(pipe(fds) == 0);
	child = fork();
	if (child == 0) {
		static struct blocker b[NWORKERS];

		for (int k = 0; k < NWORKERS; k++) {
			pthread_t th;

			b[k] = (struct blocker){ s, k, fds[0] };
			if (pthread_create(&th, NULL, blocker_main, &b[k]) != 0)
				_exit(3);
		}
		for (;;)
			pause();
	}
	KTAP_CHECK(child > 0);
	KTAP_CHECK(wait_at_least(&s->ready, NWORKERS));
	sleep_ms(50);                            /* most likely all blocked by now */
	KTAP_CHECK(kill(child, SIGKILL) == 0);
	st = test_wait_ms(child, WAIT_MS);
	KTAP_CHECKF(st >= 0 && test_killed_by(st, SIGKILL), "status %d", st);
	close(fds[0]);
	close(fds[1]);
	munmap(s, sizeof(*s));
	return KTAP_PASS;
}

/* ---- no zombies ------------------------------------------------------------------- */

#define NZOMBIES 20

/*
 * In a child process (the disposition is process-wide): SIGCHLD set to
 * SIG_IGN (@nocldwait 0) or a handler with SA_NOCLDWAIT (1); forks
 * NZOMBIES children spread over the clusters that end at once; wait4 then
 * blocks until they are all gone and fails with ECHILD; no PID of theirs
 * is left (kill(pid, 0): ESRCH). Exits 0, or the number of the failed step.
 */
static void no_zombies_child(int nocldwait)
{
	pid_t pids[NZOMBIES];
	struct timespec d;

	if (nocldwait) {
		if (set_handler(SIGCHLD, count_handler, SA_NOCLDWAIT | SA_RESTART, NULL))
			_exit(1);
	} else {
		signal(SIGCHLD, SIG_IGN);
	}
	for (int i = 0; i < NZOMBIES; i++) {
		pids[i] = test_fork_in(nclus > 0 ? i % nclus : -1);
		if (pids[i] == 0) {
			if (i % 2)
				sleep_ms(20);       /* some still run when the wait starts */
			_exit(i);
		}
		if (pids[i] < 0)
			_exit(2);
	}
	for (;;) {
		pid_t r = wait4(-1, NULL, 0, NULL);

		if (r >= 0)
			_exit(3);            /* a zombie was reported */
		if (errno == ECHILD)
			break;
		if (errno != EINTR)
			_exit(4);
	}
	d = test_deadline(WAIT_MS / 1000);
	for (int i = 0; i < NZOMBIES; i++)
		while (kill(pids[i], 0) == 0)
			if (test_expired(&d))
				_exit(5);    /* still there */
			else
				sleep_ms(2);
	_exit(0);
}

static void no_zombies_ign(void *arg) { (void)arg; no_zombies_child(0); }
static void no_zombies_nocldwait(void *arg) { (void)arg; no_zombies_child(1); }

static int t_sigchld_ignored_no_zombies(void)
{
	int st = test_in_child(no_zombies_ign, NULL);

	KTAP_CHECKF(test_exited_with(st, 0), "status 0x%x", st);
	return KTAP_PASS;
}

static int t_sa_nocldwait_no_zombies(void)
{
	int st = test_in_child(no_zombies_nocldwait, NULL);

	KTAP_CHECKF(test_exited_with(st, 0), "status 0x%x", st);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_stop_cont_threads_in_four_clusters),
	KTAP_CASE(t_wait4_stop_and_continue_reported_once),
	KTAP_CASE(t_waitid_fields),
	KTAP_CASE(t_sigchld_on_stop_and_continue),
	KTAP_CASE(t_sigtstp_handler_then_default),
	KTAP_CASE(t_sigtstp_orphaned_group_discarded),
	KTAP_CASE(t_stop_restarts_blocked_read),
	KTAP_CASE(t_stop_does_not_end_sleeps),
	KTAP_CASE(t_orphaned_stopped_group_gets_hup_and_cont),
	KTAP_CASE(t_sigkill_blocked_in_four_clusters),
	KTAP_CASE(t_sigchld_ignored_no_zombies),
	KTAP_CASE(t_sa_nocldwait_no_zombies),
};

int main(void)
{
	nclus = test_clusters(&archipel);
	return ktap_run(cases, KTAP_NCASES(cases));
}
