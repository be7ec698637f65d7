/*
 * itimer.c - alarm(2), setitimer(2) and getitimer(2) with ITIMER_REAL:
 * the values read back, alarm's remaining seconds, SIGALRM's default
 * action ending the process (in another cluster too), an interval timer
 * counting down and stopping when SIGALRM is ignored (Linux re-arms on
 * dequeue), fork clearing the child's timer, exec keeping it, the end of
 * the process cancelling it, a thread of another cluster arming it, and
 * error numbers; POSIX timers (timer_create...): values, their signal
 * ending the process (relative on CLOCK_MONOTONIC, absolute on
 * CLOCK_REALTIME), not inherited by fork, deleted by exec. Counting the
 * reloads of an interval timer needs a signal handler: it waits for user
 * handlers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "ktap.h"
#include "testutil.h"
#include "threadutil.h"

static const char *helper;

static long tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000L + tv->tv_usec;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int disarm(void)
{
	struct itimerval zero = { { 0, 0 }, { 0, 0 } };

	return setitimer(ITIMER_REAL, &zero, NULL);
}

static int t_disarmed_at_start(void)
{
	struct itimerval cur;

	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECK(tv_us(&cur.it_value) == 0 && tv_us(&cur.it_interval) == 0);
	return KTAP_PASS;
}

static int t_setitimer_getitimer(void)
{
	struct itimerval val = { { 0, 0 }, { 5, 0 } }, old, cur;

	KTAP_CHECK(setitimer(ITIMER_REAL, &val, &old) == 0);
	KTAP_CHECK(tv_us(&old.it_value) == 0 && tv_us(&old.it_interval) == 0);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECKF(tv_us(&cur.it_value) > 4000000 && tv_us(&cur.it_value) <= 5000000,
		    "it_value %ld us after setting 5 s", tv_us(&cur.it_value));
	KTAP_CHECK(tv_us(&cur.it_interval) == 0);
	val = (struct itimerval){ { 2, 250000 }, { 3, 0 } };
	KTAP_CHECK(setitimer(ITIMER_REAL, &val, &old) == 0);
	KTAP_CHECKF(tv_us(&old.it_value) > 4000000 && tv_us(&old.it_value) <= 5000000,
		    "old it_value %ld us", tv_us(&old.it_value));
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECKF(cur.it_interval.tv_sec == 2 && cur.it_interval.tv_usec == 250000,
		    "it_interval %ld.%06ld", (long)cur.it_interval.tv_sec,
		    (long)cur.it_interval.tv_usec);
	KTAP_CHECK(tv_us(&cur.it_value) > 2000000 && tv_us(&cur.it_value) <= 3000000);
	KTAP_CHECK(setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 }, { 0, 0 } }, &old) == 0);
	KTAP_CHECK(old.it_interval.tv_sec == 2 && old.it_interval.tv_usec == 250000);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECK(tv_us(&cur.it_value) == 0 && tv_us(&cur.it_interval) == 0);
	return KTAP_PASS;
}

static int t_errors(void)
{
	struct itimerval cur, bad = { { 0, 0 }, { 0, 1000000 } };

	errno = 0;
	KTAP_CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL);
	bad = (struct itimerval){ { 0, -1 }, { 1, 0 } };
	errno = 0;
	KTAP_CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL);
	bad = (struct itimerval){ { 0, 0 }, { -1, 0 } };
	errno = 0;
	KTAP_CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(getitimer(99, &cur) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(getitimer(ITIMER_REAL, (void *)16) == -1 && errno == EFAULT);
	errno = 0;
	KTAP_CHECK(setitimer(ITIMER_REAL, (void *)16, NULL) == -1 && errno == EFAULT);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0 && tv_us(&cur.it_value) == 0);
	return KTAP_PASS;
}

static int t_alarm_returns_remaining(void)
{
	struct itimerval cur;

	KTAP_CHECK(alarm(10) == 0);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECK(cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_usec == 0));
	KTAP_CHECK(tv_us(&cur.it_interval) == 0);
	unsigned left = alarm(5);
	KTAP_CHECKF(left == 10, "alarm(5) after alarm(10): %u", left);
	left = alarm(0);
	KTAP_CHECKF(left == 5, "alarm(0) after alarm(5): %u", left);
	KTAP_CHECK(alarm(0) == 0);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0 && tv_us(&cur.it_value) == 0);
	return KTAP_PASS;
}

/* A child in cluster @cxy sets alarm(1) and sleeps: SIGALRM's default action ends it. */
static int alarm_kills_in(int cxy)
{
	long t0 = now_ms();
	pid_t pid = test_fork_in(cxy);

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		alarm(1);
		for (;;)
			sleep_ms(10000);
	}
	int status = test_wait_ms(pid, 10000);
	long ms = now_ms() - t0;
	if (status == -2) {
		kill(pid, SIGKILL);
		test_wait(pid);
		ktap_diag("alarm(1) did not end the child within 10 s");
		return KTAP_FAIL;
	}
	KTAP_CHECKF(test_killed_by(status, SIGALRM), "cluster %d: wait status 0x%x", cxy, status);
	KTAP_CHECKF(ms >= 900, "ended after %ld ms, before its second", ms);
	return KTAP_PASS;
}

static int t_alarm_kills(void)
{
	return alarm_kills_in(archipel_cluster() < 0 ? 0 : archipel_cluster());
}

static int t_alarm_kills_other_cluster(void)
{
	if (test_nclusters() < 2)
		return ktap_skip("one cluster");
	return alarm_kills_in(test_other_cluster());
}

/* An interval timer, SIGALRM by default: the first expiry ends the process. */
static void interval_child(void *arg)
{
	(void)arg;
	struct itimerval val = { { 0, 200000 }, { 0, 200000 } };
	if (setitimer(ITIMER_REAL, &val, NULL) != 0)
		_exit(1);
	for (;;)
		sleep_ms(10000);
}

static int t_setitimer_kills(void)
{
	int status = test_in_child(interval_child, NULL);

	KTAP_CHECKF(test_killed_by(status, SIGALRM), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* An armed interval timer: it_value counts down, it_interval stays. */
static int t_value_moves(void)
{
	struct itimerval val = { { 1, 0 }, { 1, 0 } }, a, b;

	KTAP_CHECK(setitimer(ITIMER_REAL, &val, NULL) == 0);
	KTAP_CHECK(getitimer(ITIMER_REAL, &a) == 0);
	sleep_ms(200);
	KTAP_CHECK(getitimer(ITIMER_REAL, &b) == 0);
	KTAP_CHECK(disarm() == 0);
	KTAP_CHECKF(tv_us(&b.it_value) > 0 && tv_us(&a.it_value) - tv_us(&b.it_value) >= 150000,
		    "it_value %ld us, then %ld us 200 ms later", tv_us(&a.it_value),
		    tv_us(&b.it_value));
	KTAP_CHECK(tv_us(&a.it_interval) == 1000000 && tv_us(&b.it_interval) == 1000000);
	return KTAP_PASS;
}

/*
 * SIGALRM ignored: Linux re-arms an interval timer only when its signal is
 * dequeued, so the timer stops after its first expiry, it_interval kept.
 * (Counting the reloads needs a SIGALRM handler: it waits for user handlers.)
 */
static void ignored_child(void *arg)
{
	(void)arg;
	struct itimerval val = { { 0, 100000 }, { 0, 100000 } }, cur;
	if (signal(SIGALRM, SIG_IGN) == SIG_ERR || setitimer(ITIMER_REAL, &val, NULL) != 0)
		_exit(1);
	sleep_ms(350);
	if (getitimer(ITIMER_REAL, &cur) != 0)
		_exit(2);
	if (tv_us(&cur.it_value) != 0)
		_exit(3);
	if (tv_us(&cur.it_interval) != 100000)
		_exit(4);
	_exit(0);
}

static int t_ignored_interval_stops(void)
{
	int status = test_in_child(ignored_child, NULL);

	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* setitimer with it_value 0 disarms and clears it_interval too (Linux's do_setitimer). */
static int t_zero_value_clears_interval(void)
{
	struct itimerval val = { { 3, 0 }, { 0, 0 } }, cur;

	KTAP_CHECK(setitimer(ITIMER_REAL, &val, NULL) == 0);
	KTAP_CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	KTAP_CHECK(disarm() == 0);
	KTAP_CHECK(tv_us(&cur.it_value) == 0 && tv_us(&cur.it_interval) == 0);
	return KTAP_PASS;
}

/* fork: the child's timer is cleared; the parent's goes on. */
static int t_fork_clears(void)
{
	struct itimerval cur;
	pid_t pid;

	KTAP_CHECK(alarm(100) == 0);
	pid = test_fork_in(test_other_cluster());
	if (pid == 0) {
		if (getitimer(ITIMER_REAL, &cur) != 0)
			_exit(1);
		_exit(tv_us(&cur.it_value) == 0 && alarm(0) == 0 ? 0 : 2);
	}
	int status = test_wait(pid);
	unsigned left = alarm(0);
	KTAP_CHECK(pid > 0);
	KTAP_CHECKF(test_exited_with(status, 0), "child: wait status 0x%x", status);
	KTAP_CHECKF(left >= 99 && left <= 100, "parent's alarm: %u left", left);
	return KTAP_PASS;
}

/* exec keeps the timer: the new program is ended by the alarm set before. */
static int t_exec_keeps(void)
{
	struct test_pipes tp;
	char c;
	pid_t pid = test_fork_piped(&tp, test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		alarm(1);
		test_exec_waiting_helper(helper, &tp);
	}
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);       /* the helper runs */
	int status = test_wait_ms(pid, 10000);
	test_pipes_close(&tp);                          /* a helper the alarm missed exits 0 */
	if (status == -2)
		status = test_wait(pid);
	KTAP_CHECKF(test_killed_by(status, SIGALRM), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* A process that exits with its timer armed: the timer goes with it. */
static int t_exit_cancels(void)
{
	pid_t pid = fork();

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		struct itimerval val = { { 0, 50000 }, { 0, 100000 } };
		setitimer(ITIMER_REAL, &val, NULL);
		_exit(3);
	}
	sleep_ms(300);                                  /* a zombie whose timer would fire */
	KTAP_CHECK(test_exited_with(test_wait(pid), 3));
	KTAP_CHECK(disarm() == 0);
	return KTAP_PASS;
}

/*
 * A thread in another cluster than the process's main thread arms the
 * process's timer (kept in the reference cluster, reached by remote access):
 * it reads it back, and SIGALRM ends the whole process.
 */
static void *remote_arm_thread(void *arg)
{
	struct itimerval val = { { 0, 0 }, { 0, 300000 } }, cur;

	if (test_pin_to_cluster((int)(intptr_t)arg) < 0)
		return (void *)1;
	if (setitimer(ITIMER_REAL, &val, NULL) != 0 || getitimer(ITIMER_REAL, &cur) != 0)
		return (void *)2;
	if (tv_us(&cur.it_value) <= 0 || tv_us(&cur.it_value) > 300000)
		return (void *)3;
	return NULL;
}

static void remote_arm_child(void *arg)
{
	(void)arg;
	pthread_t th;
	void *ret;
	struct itimerval cur;

	if (pthread_create(&th, NULL, remote_arm_thread, (void *)(intptr_t)test_other_cluster()))
		_exit(10);
	if (pthread_join(th, &ret) || ret != NULL)
		_exit(11 + (int)(intptr_t)ret);
	if (getitimer(ITIMER_REAL, &cur) != 0 || tv_us(&cur.it_value) <= 0)
		_exit(20);                     /* the main thread sees the same timer */
	for (;;)
		sleep_ms(10000);
}

static int t_armed_from_other_cluster(void)
{
	int status = test_in_child(remote_arm_child, NULL);

	KTAP_CHECKF(test_killed_by(status, SIGALRM), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* ---- POSIX timers ------------------------------------------------------------------ */

static long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

static int t_timer_errors(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;
	timer_t t;

	errno = 0;
	KTAP_CHECK(timer_create(99, NULL, &t) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	ev.sigev_signo = 65;
	errno = 0;
	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, NULL, &t) == 0);
	its.it_value.tv_nsec = 1000000000;
	errno = 0;
	KTAP_CHECK(timer_settime(t, 0, &its, NULL) == -1 && errno == EINVAL);
	its = (struct itimerspec){ { 0, -1 }, { 1, 0 } };
	errno = 0;
	KTAP_CHECK(timer_settime(t, 0, &its, NULL) == -1 && errno == EINVAL);
	KTAP_CHECK(timer_delete(t) == 0);
	errno = 0;
	KTAP_CHECK(timer_gettime(t, &cur) == -1 && errno == EINVAL);
	KTAP_CHECK(timer_delete(t) != 0);   /* musl returns -EINVAL itself, errno untouched */
	return KTAP_PASS;
}

static int t_timer_settime_gettime(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { { 0, 0 }, { 5, 0 } }, old, cur, a, b;
	timer_t t;

	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	KTAP_CHECK(timer_gettime(t, &cur) == 0);
	KTAP_CHECK(ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0);
	KTAP_CHECK(timer_settime(t, 0, &its, &old) == 0);
	KTAP_CHECK(ts_ns(&old.it_value) == 0);
	KTAP_CHECK(timer_gettime(t, &cur) == 0);
	KTAP_CHECKF(ts_ns(&cur.it_value) > 4000000000L && ts_ns(&cur.it_value) <= 5000000000L,
		    "it_value %ld ns after setting 5 s", ts_ns(&cur.it_value));
	its = (struct itimerspec){ { 0, 100000000 }, { 0, 100000000 } };
	KTAP_CHECK(timer_settime(t, 0, &its, &old) == 0);
	KTAP_CHECK(ts_ns(&old.it_value) > 4000000000L && ts_ns(&old.it_interval) == 0);
	KTAP_CHECK(timer_gettime(t, &a) == 0);
	sleep_ms(350);                     /* three expiries: the interval re-arms it */
	KTAP_CHECK(timer_gettime(t, &b) == 0);
	KTAP_CHECK(timer_delete(t) == 0);
	KTAP_CHECKF(labs(ts_ns(&a.it_interval) - 100000000L) <= 1000, "it_interval %ld ns",
		    ts_ns(&a.it_interval));
	KTAP_CHECKF(ts_ns(&b.it_value) > 0 && ts_ns(&b.it_value) <= 100000000L,
		    "it_value %ld ns 350 ms into a 100 ms interval", ts_ns(&b.it_value));
	return KTAP_PASS;
}

/* A timer's signal, default action: it ends the process. @abs: TIMER_ABSTIME on CLOCK_REALTIME. */
static void timer_child(void *arg)
{
	bool abs = arg != NULL;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = abs ? SIGUSR2 : SIGUSR1 };
	struct itimerspec its = { { 0, 0 }, { 0, 200000000 } };
	clockid_t clock = abs ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	timer_t t;

	if (timer_create(clock, &ev, &t) != 0)
		_exit(1);
	if (abs) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		its.it_value.tv_sec = now.tv_sec + (now.tv_nsec + 200000000L) / 1000000000L;
		its.it_value.tv_nsec = (now.tv_nsec + 200000000L) % 1000000000L;
	}
	if (timer_settime(t, abs ? TIMER_ABSTIME : 0, &its, NULL) != 0)
		_exit(2);
	for (;;)
		sleep_ms(10000);
}

static int timer_kills(bool abs, int sig)
{
	long t0 = now_ms();
	int status = test_in_child(timer_child, abs ? (void *)1 : NULL);
	long ms = now_ms() - t0;

	KTAP_CHECKF(test_killed_by(status, sig), "wait status 0x%x", status);
	KTAP_CHECKF(ms >= 150, "ended after %ld ms, before its 200 ms", ms);
	return KTAP_PASS;
}

static int t_timer_signal_kills(void) { return timer_kills(false, SIGUSR1); }
static int t_timer_abstime_realtime(void) { return timer_kills(true, SIGUSR2); }

/* fork: the child has none of the parent's POSIX timers. */
static int t_timer_not_inherited(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec cur;
	timer_t t;
	pid_t pid;

	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	pid = test_fork_in(test_other_cluster());
	if (pid == 0) {
		errno = 0;
		_exit(timer_gettime(t, &cur) == -1 && errno == EINVAL ? 0 : 1);
	}
	int status = test_wait(pid);
	KTAP_CHECK(timer_delete(t) == 0);
	KTAP_CHECK(pid > 0);
	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

/* exec deletes the POSIX timers: an armed one no longer fires. */
static int t_timer_deleted_by_exec(void)
{
	struct test_pipes tp;
	char c;
	pid_t pid = test_fork_piped(&tp, test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
		struct itimerspec its = { { 0, 0 }, { 0, 200000000 } };
		timer_t t;
		if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 || timer_settime(t, 0, &its, NULL) != 0)
			_exit(99);
		test_exec_waiting_helper(helper, &tp);
	}
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);       /* the helper runs */
	sleep_ms(500);                                  /* past the timer's 200 ms */
	test_pipes_close(&tp);                          /* the helper exits 0 */
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "wait status 0x%x", status);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_disarmed_at_start),
	KTAP_CASE(t_setitimer_getitimer),
	KTAP_CASE(t_errors),
	KTAP_CASE(t_alarm_returns_remaining),
	KTAP_CASE(t_alarm_kills),
	KTAP_CASE(t_alarm_kills_other_cluster),
	KTAP_CASE(t_setitimer_kills),
	KTAP_CASE(t_value_moves),
	KTAP_CASE(t_ignored_interval_stops),
	KTAP_CASE(t_zero_value_clears_interval),
	KTAP_CASE(t_fork_clears),
	KTAP_CASE(t_exec_keeps),
	KTAP_CASE(t_exit_cancels),
	KTAP_CASE(t_armed_from_other_cluster),
	KTAP_CASE(t_timer_errors),
	KTAP_CASE(t_timer_settime_gettime),
	KTAP_CASE(t_timer_signal_kills),
	KTAP_CASE(t_timer_abstime_realtime),
	KTAP_CASE(t_timer_not_inherited),
	KTAP_CASE(t_timer_deleted_by_exec),
};

int main(int argc, char *argv[])
{
	(void)argc;
	helper = test_helper_path(argv[0]);
	return ktap_run(cases, KTAP_NCASES(cases));
}
