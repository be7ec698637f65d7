/*
 * signals_wait.c - waiting for signals and signals between threads, as on
 * Linux (man 7 signal): rt_sigsuspend, pause woken by a child in another
 * cluster, nanosleep's remaining time, EINTR versus SA_RESTART on a pipe
 * read and on FUTEX_WAIT, a thread-directed signal to a thread running in user mode in
 * another cluster (the IPI), a process-directed signal taken by the one
 * thread that does not block it, musl's pthread_cancel of a thread blocked
 * in read (its cleanup handler runs), and SIGCHLD to the parent when a child
 * exits or is killed (si_code, si_pid, si_status), and rt_sigtimedwait
 * (a poll, a timeout, a signal from another cluster while it waits).
 *
 * Threads go to other clusters with test_pin_to_cluster (Archipel); on
 * Linux everything runs in node 0 and the cluster checks are skipped.
 * Every wait has a deadline, so a lost signal fails the case instead of
 * hanging the suite.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "threadutil.h"
#include "sigutil.h"

#define WAIT_SEC 20

static int nclus, archipel;

/* ---- waiting for a signal ------------------------------------------------------ */

static int t_sigsuspend(void)
{
	sigset_t usr1, none, now;
	int fds[2];
	pid_t child;

	KTAP_CHECK(pipe(fds) == 0);
	KTAP_CHECK(fcntl_nonblock(fds[0]) == 0);
	KTAP_CHECK(set_handler(SIGUSR1, count_handler, 0, NULL) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	got_count = 0;
	child = pester_parent(SIGUSR1, fds[0]);
	KTAP_CHECK(child > 0);
	KTAP_CHECK_ERRNO(sigsuspend(&none), EINTR);
	KTAP_CHECK(got_count >= 1);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	KTAP_CHECK(sigismember(&now, SIGUSR1));      /* the old mask is back */
	KTAP_CHECK(write(fds[1], "x", 1) == 1);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	unblock_all();
	set_default(SIGUSR1);
	close(fds[0]);
	close(fds[1]);
	return KTAP_PASS;
}

static int t_pause_signal_from_child(void)
{
	int fds[2];
	pid_t child;

	KTAP_CHECK(pipe(fds) == 0);
	KTAP_CHECK(fcntl_nonblock(fds[0]) == 0);
	KTAP_CHECK(set_handler(SIGUSR2, count_handler, 0, NULL) == 0);
	got_count = 0;
	child = pester_parent(SIGUSR2, fds[0]);
	KTAP_CHECK(child > 0);
	KTAP_CHECK_ERRNO(pause(), EINTR);
	KTAP_CHECK(got_count >= 1);
	KTAP_CHECK(write(fds[1], "x", 1) == 1);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	set_default(SIGUSR2);
	close(fds[0]);
	close(fds[1]);
	return KTAP_PASS;
}

static int t_nanosleep_remaining(void)
{
	struct timespec ts = { 5, 0 }, rem = { -1, -1 };
	int fds[2];
	pid_t child;

	KTAP_CHECK(pipe(fds) == 0);
	KTAP_CHECK(fcntl_nonblock(fds[0]) == 0);
	KTAP_CHECK(set_handler(SIGUSR1, count_handler, SA_RESTART, NULL) == 0);
	got_count = 0;
	child = pester_parent(SIGUSR1, fds[0]);
	KTAP_CHECK(child > 0);
	/* not restarted, even with SA_RESTART (man 7 signal); the time left is written */
	KTAP_CHECK_ERRNO(nanosleep(&ts, &rem), EINTR);
	KTAP_CHECK(got_count >= 1);
	KTAP_CHECKF(rem.tv_sec >= 1 && rem.tv_sec <= 5 && rem.tv_nsec >= 0 &&
		    rem.tv_nsec < 1000000000L, "remaining %lld.%09ld", (long long)rem.tv_sec,
		    rem.tv_nsec);
	KTAP_CHECK(write(fds[1], "x", 1) == 1);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	set_default(SIGUSR1);
	close(fds[0]);
	close(fds[1]);
	return KTAP_PASS;
}

/*
 * A child that sends SIGUSR1 to its parent after 300 ms, then writes a byte
 * 300 ms later (margins for a loaded TCG machine: the parent must be in its
 * read by then).
 */
static pid_t signal_then_write(int wfd)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(300);
		kill(getppid(), SIGUSR1);
		sleep_ms(300);
		_exit(write(wfd, "y", 1) == 1 ? 0 : 1);
	}
	return pid;
}

static int t_eintr_and_restart_pipe_read(void)
{
	int fds[2];
	char c = 0;
	pid_t child;
	ssize_t n;

	KTAP_CHECK(pipe(fds) == 0);
	KTAP_CHECK(set_handler(SIGUSR1, count_handler, 0, NULL) == 0);
	got_count = 0;
	child = signal_then_write(fds[1]);
	KTAP_CHECK(child > 0);
	n = read(fds[0], &c, 1);
	KTAP_CHECKF(n == -1 && errno == EINTR, "without SA_RESTART: read %zd (%s)", n,
		    strerror(errno));
	KTAP_CHECK(got_count == 1);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	KTAP_CHECK(read(fds[0], &c, 1) == 1 && c == 'y');

	KTAP_CHECK(set_handler(SIGUSR1, count_handler, SA_RESTART, NULL) == 0);
	got_count = 0;
	child = signal_then_write(fds[1]);
	KTAP_CHECK(child > 0);
	n = read(fds[0], &c, 1);
	KTAP_CHECKF(n == 1 && c == 'y', "with SA_RESTART: read %zd (%s)", n,
		    n < 0 ? strerror(errno) : "");
	KTAP_CHECK(got_count == 1);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	set_default(SIGUSR1);
	close(fds[0]);
	close(fds[1]);
	return KTAP_PASS;
}

/* ---- threads in other clusters ------------------------------------------------ */

static volatile pid_t handled_tid;
static volatile int handled_cluster;

static void where_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)info; (void)uc;
	handled_cluster = archipel_cluster();
	handled_tid = my_gettid();
}

struct spinner {
	int cluster;
	int unblock;                 /* unblock SIGUSR2 in this thread */
	atomic_int ready;
	volatile pid_t tid;
	int pinned;
};

/* Spins in user mode (no system call) until a handler ran in this thread, or 20 s. */
static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	struct timespec d = test_deadline(WAIT_SEC);
	sigset_t usr2;

	s->pinned = test_pin_to_cluster(s->cluster);
	if (s->unblock) {
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
	}
	s->tid = my_gettid();
	atomic_store(&s->ready, 1);
	for (unsigned long i = 0; handled_tid != s->tid; i++)
		if ((i & 0xfffff) == 0 && test_expired(&d))
			break;
	return NULL;
}

static int t_thread_kill_other_cluster(void)
{
	struct spinner s = { .cluster = test_other_cluster() };
	pthread_t th;

	KTAP_CHECK(set_handler(SIGUSR1, where_handler, 0, NULL) == 0);
	handled_tid = 0;
	KTAP_CHECK(pthread_create(&th, NULL, spinner_main, &s) == 0);
	while (!atomic_load(&s.ready))
		sched_yield();
	KTAP_CHECK(s.pinned >= 0);
	KTAP_CHECK(pthread_kill(th, SIGUSR1) == 0);
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	KTAP_CHECKF(handled_tid == s.tid, "handled by %d, target %d", handled_tid, s.tid);
	if (archipel && nclus > 1)
		KTAP_CHECKF(handled_cluster == s.cluster, "handled in cluster %d, not %d",
			    handled_cluster, s.cluster);
	set_default(SIGUSR1);
	return KTAP_PASS;
}

static int t_process_signal_to_unblocked_thread(void)
{
	struct spinner s = { .cluster = test_other_cluster(), .unblock = 1 };
	sigset_t usr2;
	pthread_t th;

	KTAP_CHECK(set_handler(SIGUSR2, where_handler, 0, NULL) == 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr2, NULL) == 0);   /* the new thread inherits it */
	handled_tid = 0;
	KTAP_CHECK(pthread_create(&th, NULL, spinner_main, &s) == 0);
	while (!atomic_load(&s.ready))
		sched_yield();
	KTAP_CHECK(kill(getpid(), SIGUSR2) == 0);
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	KTAP_CHECKF(handled_tid == s.tid, "handled by %d, worker %d", handled_tid, s.tid);
	unblock_all();
	set_default(SIGUSR2);
	return KTAP_PASS;
}

static volatile int cleaned_up;

static void cleanup(void *arg)
{
	(void)arg;
	cleaned_up = 1;
}

struct reader {
	int fd;
	int cluster;
	atomic_int ready;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	char c;

	test_pin_to_cluster(r->cluster);
	pthread_cleanup_push(cleanup, NULL);
	atomic_store(&r->ready, 1);
	read(r->fd, &c, 1);                  /* a cancellation point: nothing ever comes */
	pthread_cleanup_pop(0);
	return (void *)1;
}

static int t_pthread_cancel_blocked_read(void)
{
	struct reader r = { .cluster = test_other_cluster() };
	int fds[2];
	pthread_t th;
	void *ret = NULL;

	KTAP_CHECK(pipe(fds) == 0);
	r.fd = fds[0];
	cleaned_up = 0;
	KTAP_CHECK(pthread_create(&th, NULL, reader_main, &r) == 0);
	while (!atomic_load(&r.ready))
		sched_yield();
	sleep_ms(50);                        /* it blocks in read */
	KTAP_CHECK(pthread_cancel(th) == 0);
	KTAP_CHECK(pthread_join(th, &ret) == 0);
	KTAP_CHECKF(ret == PTHREAD_CANCELED, "returned %p", ret);
	KTAP_CHECK(cleaned_up == 1);
	close(fds[0]);
	close(fds[1]);
	return KTAP_PASS;
}

/* futex(2) FUTEX_WAIT is restarted under SA_RESTART, else EINTR (man 7 signal) */
struct fwaiter {
	atomic_int word;
	atomic_int ready;
	int cluster;
	long rc;
	int err;
};

static void *fwaiter_main(void *arg)
{
	struct fwaiter *w = arg;

	test_pin_to_cluster(w->cluster);
	atomic_store(&w->ready, 1);
	w->rc = syscall(SYS_futex, &w->word, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
	w->err = errno;
	return NULL;
}

static int futex_interrupted(int flags, long *rc, int *err)
{
	struct fwaiter w = { .cluster = test_other_cluster() };
	pthread_t th;

	if (set_handler(SIGUSR1, count_handler, flags, NULL) ||
	    pthread_create(&th, NULL, fwaiter_main, &w))
		return -1;
	while (!atomic_load(&w.ready))
		sched_yield();
	sleep_ms(300);                       /* it sleeps in FUTEX_WAIT */
	pthread_kill(th, SIGUSR1);
	sleep_ms(300);
	atomic_store(&w.word, 1);
	syscall(SYS_futex, &w.word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
	pthread_join(th, NULL);
	*rc = w.rc;
	*err = w.err;
	set_default(SIGUSR1);
	return 0;
}

static int t_futex_wait_eintr_and_restart(void)
{
	long rc;
	int err;

	got_count = 0;
	KTAP_CHECK(futex_interrupted(0, &rc, &err) == 0);
	KTAP_CHECKF(rc == -1 && err == EINTR, "without SA_RESTART: %ld (%s)", rc, strerror(err));
	KTAP_CHECK(got_count == 1);
	got_count = 0;
	KTAP_CHECK(futex_interrupted(SA_RESTART, &rc, &err) == 0);
	KTAP_CHECKF(rc == 0 || (rc == -1 && err == EAGAIN), "with SA_RESTART: %ld (%s)", rc,
		    strerror(err));
	KTAP_CHECK(got_count == 1);
	return KTAP_PASS;
}

/* SIGCHLD to the parent when a child ends, with si_code, si_pid and si_status */
static volatile int chld_code, chld_status, chld_count;
static volatile pid_t chld_pid;

static void chld_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)uc;
	chld_code = info->si_code;
	chld_pid = info->si_pid;
	chld_status = info->si_status;
	chld_count++;
}

/* Forks a child (another cluster) that ends by @how, sigsuspends until its SIGCHLD. */
static int child_ends(int how, pid_t *pid)
{
	sigset_t chld, none;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &chld, NULL);     /* no race with sigsuspend */
	chld_count = 0;
	*pid = test_fork_in(test_other_cluster());
	if (*pid == 0) {
		if (how)
			kill(getpid(), SIGKILL);
		_exit(7);
	}
	if (*pid < 0)
		return -1;
	errno = 0;
	sigsuspend(&none);
	unblock_all();
	return errno == EINTR ? 0 : -1;
}

static int t_sigchld_on_child_end(void)
{
	pid_t pid;

	KTAP_CHECK(set_handler(SIGCHLD, chld_handler, SA_RESTART, NULL) == 0);
	KTAP_CHECK(child_ends(0, &pid) == 0);
	KTAP_CHECKF(chld_count == 1 && chld_code == CLD_EXITED && chld_pid == pid &&
		    chld_status == 7, "exit: count %d code %d pid %d (%d) status %d", chld_count,
		    chld_code, chld_pid, pid, chld_status);
	KTAP_CHECK(test_exited_with(test_wait(pid), 7));
	KTAP_CHECK(child_ends(1, &pid) == 0);
	KTAP_CHECKF(chld_count == 1 && chld_code == CLD_KILLED && chld_pid == pid &&
		    chld_status == SIGKILL, "kill: count %d code %d pid %d (%d) status %d",
		    chld_count, chld_code, chld_pid, pid, chld_status);
	KTAP_CHECK(test_killed_by(test_wait(pid), SIGKILL));
	set_default(SIGCHLD);
	return KTAP_PASS;
}

/* A parent blocked in waitpid gets its child, not EINTR, and the SIGCHLD handler runs too */
static int t_sigchld_during_waitpid(void)
{
	int status = 0;
	pid_t pid, got;

	KTAP_CHECK(set_handler(SIGCHLD, chld_handler, 0, NULL) == 0);     /* no SA_RESTART */
	chld_count = 0;
	pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		sleep_ms(100);               /* the parent is waiting by then */
		_exit(3);
	}
	got = waitpid(pid, &status, 0);
	KTAP_CHECKF(got == pid, "waitpid returned %d (%s)", got, got < 0 ? strerror(errno) : "");
	KTAP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	KTAP_CHECKF(chld_count == 1 && chld_pid == pid, "handler ran %d times", chld_count);
	set_default(SIGCHLD);
	return KTAP_PASS;
}

/* rt_sigtimedwait(2): sigtimedwait, sigwaitinfo */
struct delayed_kill {
	int cluster;
	int sig;
};

static void *delayed_kill_main(void *arg)
{
	struct delayed_kill *d = arg;

	test_pin_to_cluster(d->cluster);
	sleep_ms(100);
	kill(getpid(), d->sig);              /* process-directed: every thread blocks it */
	return NULL;
}

static int t_sigtimedwait(void)
{
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50000000 };
	struct delayed_kill d = { .cluster = test_other_cluster(), .sig = SIGUSR2 };
	sigset_t set;
	siginfo_t info;
	pthread_t th;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	KTAP_CHECK(kill(getpid(), SIGUSR1) == 0);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(sigtimedwait(&set, &info, &zero) == SIGUSR1);
	KTAP_CHECKF(info.si_signo == SIGUSR1 && info.si_code == SI_USER &&
		    info.si_pid == getpid(), "signo %d code %d pid %d", info.si_signo,
		    info.si_code, info.si_pid);
	KTAP_CHECK_ERRNO(sigtimedwait(&set, &info, &zero), EAGAIN);
	KTAP_CHECK_ERRNO(sigtimedwait(&set, &info, &short_wait), EAGAIN);
	/* woken by a signal sent by another thread while it waits */
	KTAP_CHECK(pthread_create(&th, NULL, delayed_kill_main, &d) == 0);
	KTAP_CHECK(sigwaitinfo(&set, &info) == SIGUSR2);
	KTAP_CHECK(info.si_signo == SIGUSR2 && info.si_pid == getpid());
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	KTAP_CHECK(sigpending(&set) == 0 && !sigismember(&set, SIGUSR2));
	unblock_all();
	return KTAP_PASS;
}

/*
 * Regression (stop_cont_race): SIGSTOP then SIGCONT sent back to back to a
 * sleeping child. A child that dequeued the SIGSTOP before the SIGCONT came
 * used to begin its stop afterwards and stay stopped for ever (busybox's
 * `sleep 1 & kill -STOP $!; kill -CONT $!; wait $!` hung). Each child must
 * end after its 20 ms sleep, never stopped.
 */
static int t_stop_cont_race(void)
{
	char buf[64];
	for (int i = 0; i < 40; i++) {
		pid_t pid = test_fork_in(i % (nclus ? nclus : 1));
		KTAP_CHECK(pid >= 0);
		if (pid == 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (i & 1)
			sched_yield();                  /* vary the moment of the signals */
		KTAP_CHECK(kill(pid, SIGSTOP) == 0);
		KTAP_CHECK(kill(pid, SIGCONT) == 0);
		int status = test_wait_ms(pid, 10000);
		if (status < 0) {                       /* -2: still there after 10 s */
			kill(pid, SIGKILL);
			test_wait(pid);
		}
		KTAP_CHECKF(test_exited_with(status, 0),
			    "round %d: the child stopped then continued: %s", i,
			    test_status_str(status, buf, sizeof(buf)));
	}
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_stop_cont_race),
	KTAP_CASE(t_sigsuspend),
	KTAP_CASE(t_pause_signal_from_child),
	KTAP_CASE(t_nanosleep_remaining),
	KTAP_CASE(t_eintr_and_restart_pipe_read),
	KTAP_CASE(t_futex_wait_eintr_and_restart),
	KTAP_CASE(t_thread_kill_other_cluster),
	KTAP_CASE(t_process_signal_to_unblocked_thread),
	KTAP_CASE(t_pthread_cancel_blocked_read),
	KTAP_CASE(t_sigchld_on_child_end),
	KTAP_CASE(t_sigchld_during_waitpid),
	KTAP_CASE(t_sigtimedwait),
};

int main(void)
{
	nclus = test_clusters(&archipel);
	return ktap_run(cases, KTAP_NCASES(cases));
}
