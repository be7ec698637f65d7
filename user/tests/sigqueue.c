/*
 * sigqueue.c - queued signals as on Linux (man 7 signal, "Real-time
 * signals"; man 3 sigqueue, man 2 rt_sigqueueinfo, man 2 timer_create):
 * several sends of one real-time signal are each delivered, in order,
 * lowest signal first, with their si_value; standard signals do not queue;
 * the queue has a limit (EAGAIN) beyond which kill() still sends but loses
 * the siginfo; rt_sigqueueinfo and rt_tgsigqueueinfo refuse forged si_code
 * (EPERM) except to oneself; a queued signal to a thread in another
 * cluster; POSIX timers deliver SI_TIMER with si_timerid and si_value (one
 * queued signal per timer, later expiries as si_overrun), and
 * SIGEV_THREAD_ID sends to the named thread only (EINVAL for a thread of
 * another process), which libc's SIGEV_THREAD timers use.
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

static const struct timespec zero_ts = { 0, 0 };

/* Blocks @sig in the calling thread. */
static int block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigprocmask(SIG_BLOCK, &s, NULL);
}

/* sigtimedwait for @sig alone, no wait: the signal, or -1 (errno). */
static int take(int sig, siginfo_t *info)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	memset(info, 0, sizeof(*info));
	return sigtimedwait(&s, info, &zero_ts);
}

static int queue_value(pid_t pid, int sig, int v)
{
	union sigval sv = { .sival_int = v };

	return sigqueue(pid, sig, sv);
}

static int t_rt_queue_order_and_values(void)
{
	int r1 = SIGRTMIN + 1, r2 = SIGRTMIN + 2;
	sigset_t set;
	siginfo_t info;
	struct { int sig, code, value; } want[] = {
		{ SIGUSR1, SI_QUEUE, 100 },      /* standard, lowest: first; not queued twice */
		{ r1, SI_QUEUE, 10 }, { r1, SI_QUEUE, 11 }, { r1, SI_USER, -1 },
		{ r2, SI_QUEUE, 1 }, { r2, SI_QUEUE, 2 },
	};

	sigemptyset(&set);
	sigaddset(&set, r1);
	sigaddset(&set, r2);
	sigaddset(&set, SIGUSR1);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	KTAP_CHECK(queue_value(getpid(), r2, 1) == 0);
	KTAP_CHECK(queue_value(getpid(), r1, 10) == 0);
	KTAP_CHECK(queue_value(getpid(), r2, 2) == 0);
	KTAP_CHECK(queue_value(getpid(), r1, 11) == 0);
	KTAP_CHECK(kill(getpid(), r1) == 0);           /* kill() queues a real-time signal too */
	KTAP_CHECK(queue_value(getpid(), SIGUSR1, 100) == 0);
	KTAP_CHECK(queue_value(getpid(), SIGUSR1, 101) == 0);   /* merged */
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&info, 0, sizeof(info));
		int sig = sigtimedwait(&set, &info, &zero_ts);

		KTAP_CHECKF(sig == want[i].sig && info.si_signo == sig &&
			    info.si_code == want[i].code && info.si_pid == getpid() &&
			    (want[i].value < 0 || info.si_value.sival_int == want[i].value),
			    "#%u: sig %d code %d pid %d value %d (want sig %d code %d value %d)",
			    i, sig, info.si_code, info.si_pid, info.si_value.sival_int,
			    want[i].sig, want[i].code, want[i].value);
	}
	KTAP_CHECK_ERRNO(sigtimedwait(&set, &info, &zero_ts), EAGAIN);
	unblock_all();
	return KTAP_PASS;
}

static volatile int h_count, h_values[8], h_codes[8];

static void value_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)uc;
	if (h_count < 8) {
		h_values[h_count] = info->si_value.sival_int;
		h_codes[h_count] = info->si_code;
	}
	h_count++;
}

static int t_rt_handler_gets_each_value(void)
{
	int sig = SIGRTMIN + 3;

	KTAP_CHECK(set_handler(sig, value_handler, 0, NULL) == 0);
	KTAP_CHECK(block(sig) == 0);
	h_count = 0;
	for (int v = 0; v < 3; v++)
		KTAP_CHECK(queue_value(getpid(), sig, 500 + v) == 0);
	unblock_all();                           /* all three run, in order, before this returns */
	KTAP_CHECKF(h_count == 3, "handler ran %d times", h_count);
	for (int v = 0; v < 3; v++)
		KTAP_CHECKF(h_values[v] == 500 + v && h_codes[v] == SI_QUEUE, "#%d: value %d code %d",
			    v, h_values[v], h_codes[v]);
	set_default(sig);
	return KTAP_PASS;
}

static int t_queue_limit_eagain(void)
{
	int sig = SIGRTMIN + 4, n = 0, r;
	siginfo_t info;

	KTAP_CHECK(block(sig) == 0);
	while ((r = queue_value(getpid(), sig, n)) == 0 && n < 1000000)
		n++;
	KTAP_CHECKF(r < 0 && errno == EAGAIN, "%d queued, then %d errno %d", n, r, errno);
	ktap_diag("%d signals queued before EAGAIN", n);
	KTAP_CHECK(kill(getpid(), sig) == 0);          /* still sent, its siginfo lost */
	for (int i = 0; i < n; i++) {
		r = take(sig, &info);
		KTAP_CHECKF(r == sig && info.si_value.sival_int == i, "#%d: %d value %d", i, r,
			    info.si_value.sival_int);
	}
	KTAP_CHECK_ERRNO(take(sig, &info), EAGAIN);
	unblock_all();
	return KTAP_PASS;
}

/* ---- rt_sigqueueinfo / rt_tgsigqueueinfo: forging ------------------------------------ */

static long rt_sigqueueinfo(pid_t pid, int sig, siginfo_t *info)
{
	return syscall(SYS_rt_sigqueueinfo, pid, sig, info);
}

static long rt_tgsigqueueinfo(pid_t tgid, pid_t tid, int sig, siginfo_t *info)
{
	return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, info);
}

static void forged(siginfo_t *info, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = SIGUSR2;
	info->si_code = code;
	info->si_pid = 4242;
	info->si_value.sival_int = 77;
}

struct idle_thread {
	atomic_int tid;
	atomic_int stop;
};

static void *idle_main(void *arg)
{
	struct idle_thread *it = arg;

	atomic_store(&it->tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&it->stop))
		sleep_ms(5);
	return NULL;
}

static int t_sigqueueinfo_forging_eperm(void)
{
	struct idle_thread it = { 0, 0 };
	struct timespec d = test_deadline(WAIT_SEC);
	siginfo_t info;
	pthread_t th;
	pid_t child;
	int fds[2];
	char c;

	KTAP_CHECK(pipe(fds) == 0);
	child = test_fork_in(test_other_cluster());
	if (child == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
	}
	KTAP_CHECK(child > 0);
	close(fds[0]);
	/* to another process: no code >= 0, no SI_TKILL */
	forged(&info, SI_USER);
	KTAP_CHECK_ERRNO(rt_sigqueueinfo(child, SIGUSR2, &info), EPERM);
	forged(&info, SI_KERNEL);
	KTAP_CHECK_ERRNO(rt_sigqueueinfo(child, SIGUSR2, &info), EPERM);
	forged(&info, SI_TKILL);
	KTAP_CHECK_ERRNO(rt_sigqueueinfo(child, SIGUSR2, &info), EPERM);
	forged(&info, SI_TKILL);
	KTAP_CHECK_ERRNO(rt_tgsigqueueinfo(child, child, SIGUSR2, &info), EPERM);
	forged(&info, SI_QUEUE);
	KTAP_CHECK_ERRNO(rt_sigqueueinfo(999999, SIGUSR2, &info), ESRCH);
	KTAP_CHECK_ERRNO(rt_tgsigqueueinfo(0, child, SIGUSR2, &info), EINVAL);
	KTAP_CHECK_ERRNO(rt_sigqueueinfo(getpid(), 65, &info), EINVAL);
	/* to oneself (the main thread's TID is the PID): anything goes, delivered as given */
	KTAP_CHECK(block(SIGUSR2) == 0);
	forged(&info, SI_USER);
	KTAP_CHECK(rt_sigqueueinfo(getpid(), SIGUSR2, &info) == 0);
	KTAP_CHECK(take(SIGUSR2, &info) == SIGUSR2);
	KTAP_CHECKF(info.si_code == SI_USER && info.si_pid == 4242 && info.si_value.sival_int == 77,
		    "code %d pid %d value %d", info.si_code, info.si_pid, info.si_value.sival_int);
	forged(&info, SI_TKILL);
	KTAP_CHECK(rt_tgsigqueueinfo(getpid(), (pid_t)syscall(SYS_gettid), SIGUSR2, &info) == 0);
	KTAP_CHECK(take(SIGUSR2, &info) == SIGUSR2 && info.si_code == SI_TKILL);
	/* ... but not to another thread of one's own process */
	KTAP_CHECK(pthread_create(&th, NULL, idle_main, &it) == 0);
	while (atomic_load(&it.tid) == 0 && !test_expired(&d))
		sleep_ms(1);
	KTAP_CHECK(atomic_load(&it.tid) != 0);
	forged(&info, SI_USER);
	KTAP_CHECK_ERRNO(rt_tgsigqueueinfo(getpid(), atomic_load(&it.tid), SIGUSR2, &info), EPERM);
	atomic_store(&it.stop, 1);
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	unblock_all();
	close(fds[1]);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	return KTAP_PASS;
}

/* ---- a queued signal to a thread in another cluster ------------------------------------ */

struct waiter {
	int        sig, k;
	atomic_int tid;
	atomic_int taken;                        /* signals taken so far */
	int        got[4], values[4], codes[4];
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	sigset_t s;
	siginfo_t info;

	test_pin_to_cluster(w->k);
	sigemptyset(&s);
	sigaddset(&s, w->sig);
	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	for (int i = 0; i < 4; i++) {
		struct timespec ts = { WAIT_SEC, 0 };

		memset(&info, 0, sizeof(info));
		w->got[i] = sigtimedwait(&s, &info, &ts);
		w->values[i] = info.si_value.sival_int;
		w->codes[i] = info.si_code;
		atomic_fetch_add(&w->taken, 1);
	}
	return NULL;
}

static int t_tgsigqueueinfo_other_cluster_in_order(void)
{
	struct waiter w = { .sig = SIGRTMIN + 5, .k = test_other_cluster() };
	struct timespec d = test_deadline(WAIT_SEC);
	siginfo_t info;
	pthread_t th;

	KTAP_CHECK(block(w.sig) == 0);           /* every thread: the waiter inherits it */
	KTAP_CHECK(pthread_create(&th, NULL, waiter_main, &w) == 0);
	while (atomic_load(&w.tid) == 0 && !test_expired(&d))
		sleep_ms(1);
	KTAP_CHECK(atomic_load(&w.tid) != 0);
	for (int i = 0; i < 4; i++) {
		memset(&info, 0, sizeof(info));
		info.si_code = SI_QUEUE;
		info.si_pid = getpid();
		info.si_value.sival_int = 900 + i;
		KTAP_CHECK(rt_tgsigqueueinfo(getpid(), atomic_load(&w.tid), w.sig, &info) == 0);
	}
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	for (int i = 0; i < 4; i++)
		KTAP_CHECKF(w.got[i] == w.sig && w.values[i] == 900 + i && w.codes[i] == SI_QUEUE,
			    "#%d: %d value %d code %d", i, w.got[i], w.values[i], w.codes[i]);
	KTAP_CHECK_ERRNO(take(w.sig, &info), EAGAIN);   /* thread-directed: none for us */
	unblock_all();
	return KTAP_PASS;
}

/* ---- POSIX timers: SI_TIMER and SIGEV_THREAD_ID --------------------------------------- */

/* struct sigevent as the kernel reads it (64 bytes) */
struct ksigevent {
	union sigval value;
	int signo, notify, tid, pad[11];
};

#define K_SIGEV_SIGNAL    0
#define K_SIGEV_THREAD_ID 4

static long k_timer_create(clockid_t clk, struct ksigevent *ev, int *id)
{
	return syscall(SYS_timer_create, clk, ev, id);
}

static long k_timer_arm_ms(int id, long ms)
{
	struct itimerspec its = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000000L } };

	return syscall(SYS_timer_settime, id, 0, &its, NULL);
}

static int t_timer_siginfo(void)
{
	struct ksigevent ev = { .value.sival_int = 1234, .signo = SIGRTMIN + 6,
				.notify = K_SIGEV_SIGNAL };
	sigset_t s;
	siginfo_t info;
	struct timespec ts = { WAIT_SEC, 0 };
	int id = -1;

	KTAP_CHECK(block(ev.signo) == 0);
	KTAP_CHECK(k_timer_create(CLOCK_MONOTONIC, &ev, &id) == 0);
	KTAP_CHECK(k_timer_arm_ms(id, 10) == 0);
	sigemptyset(&s);
	sigaddset(&s, ev.signo);
	memset(&info, 0, sizeof(info));
	KTAP_CHECK(sigtimedwait(&s, &info, &ts) == ev.signo);
	KTAP_CHECKF(info.si_code == SI_TIMER && info.si_value.sival_int == 1234 &&
		    info.si_timerid == id && info.si_overrun == 0,
		    "code %d value %d timerid %d (id %d) overrun %d", info.si_code,
		    info.si_value.sival_int, info.si_timerid, id, info.si_overrun);
	KTAP_CHECK(syscall(SYS_timer_delete, id) == 0);
	/* expiries while its signal is still queued: one signal, the rest as si_overrun */
	{
		struct itimerspec its = { { 0, 1000000L }, { 0, 1000000L } };   /* every 1 ms */

		KTAP_CHECK(k_timer_create(CLOCK_MONOTONIC, &ev, &id) == 0);
		KTAP_CHECK(syscall(SYS_timer_settime, id, 0, &its, NULL) == 0);
		sleep_ms(100);
		memset(&info, 0, sizeof(info));
		KTAP_CHECK(sigtimedwait(&s, &info, &ts) == ev.signo);
		KTAP_CHECKF(info.si_code == SI_TIMER && info.si_overrun >= 1, "code %d overrun %d",
			    info.si_code, info.si_overrun);
		KTAP_CHECK(syscall(SYS_timer_delete, id) == 0);
		while (take(ev.signo, &info) == ev.signo)
			;                            /* one that fired before the delete */
	}
	unblock_all();
	return KTAP_PASS;
}

static int t_sigev_thread_id(void)
{
	struct waiter w = { .sig = SIGRTMIN + 7, .k = test_other_cluster() };
	struct timespec d = test_deadline(WAIT_SEC);
	struct ksigevent ev = { .value.sival_int = 4321, .notify = K_SIGEV_THREAD_ID };
	siginfo_t info;
	pthread_t th;
	pid_t child;
	int id = -1, fds[2];
	char c;

	ev.signo = w.sig;
	KTAP_CHECK(block(w.sig) == 0);
	/* a thread of another process, or no thread at all: EINVAL */
	KTAP_CHECK(pipe(fds) == 0);
	child = fork();
	if (child == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
	}
	KTAP_CHECK(child > 0);
	close(fds[0]);
	ev.tid = child;
	KTAP_CHECK_ERRNO(k_timer_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.tid = 0;
	KTAP_CHECK_ERRNO(k_timer_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	close(fds[1]);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	/* a thread of ours in another cluster gets each expiry, we get none */
	KTAP_CHECK(pthread_create(&th, NULL, waiter_main, &w) == 0);
	while (atomic_load(&w.tid) == 0 && !test_expired(&d))
		sleep_ms(1);
	KTAP_CHECK(atomic_load(&w.tid) != 0);
	ev.tid = atomic_load(&w.tid);
	KTAP_CHECK(k_timer_create(CLOCK_MONOTONIC, &ev, &id) == 0);
	for (int i = 0; i < 4; i++) {
		KTAP_CHECK(k_timer_arm_ms(id, 5) == 0);
		/* the next arming once the waiter took this one (Linux queues one per timer) */
		while (atomic_load(&w.taken) <= i && !test_expired(&d))
			sleep_ms(2);
		KTAP_CHECK_ERRNO(take(w.sig, &info), EAGAIN);
	}
	KTAP_CHECK(pthread_join(th, NULL) == 0);
	for (int i = 0; i < 4; i++)
		KTAP_CHECKF(w.got[i] == w.sig && w.values[i] == 4321 && w.codes[i] == SI_TIMER,
			    "#%d: %d value %d code %d", i, w.got[i], w.values[i], w.codes[i]);
	KTAP_CHECK(syscall(SYS_timer_delete, id) == 0);
	unblock_all();
	return KTAP_PASS;
}

static atomic_int cb_value, cb_calls;

static void timer_callback(union sigval v)
{
	atomic_store(&cb_value, v.sival_int);
	atomic_fetch_add(&cb_calls, 1);
}

/* libc's SIGEV_THREAD (musl: a helper thread the kernel signals by SIGEV_THREAD_ID) */
static int t_sigev_thread_callback(void)
{
	struct sigevent sev;
	struct itimerspec its = { { 0, 0 }, { 0, 10 * 1000000L } };
	struct timespec d = test_deadline(WAIT_SEC);
	timer_t tm;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = timer_callback;
	sev.sigev_value.sival_int = 55;
	KTAP_CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0);
	KTAP_CHECK(timer_settime(tm, 0, &its, NULL) == 0);
	while (atomic_load(&cb_calls) == 0 && !test_expired(&d))
		sleep_ms(2);
	KTAP_CHECKF(atomic_load(&cb_calls) == 1 && atomic_load(&cb_value) == 55,
		    "calls %d value %d", atomic_load(&cb_calls), atomic_load(&cb_value));
	KTAP_CHECK(timer_delete(tm) == 0);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_rt_queue_order_and_values),
	KTAP_CASE(t_rt_handler_gets_each_value),
	KTAP_CASE(t_queue_limit_eagain),
	KTAP_CASE(t_sigqueueinfo_forging_eperm),
	KTAP_CASE(t_tgsigqueueinfo_other_cluster_in_order),
	KTAP_CASE(t_timer_siginfo),
	KTAP_CASE(t_sigev_thread_id),
	KTAP_CASE(t_sigev_thread_callback),
};

int main(void)
{
	nclus = test_clusters(&archipel);
	return ktap_run(cases, KTAP_NCASES(cases));
}
