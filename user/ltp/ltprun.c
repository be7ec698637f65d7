/*
 * ltprun.c - runs LTP's tests from a runtest file, without a shell (make ltp).
 *
 * The guest of make ltp has no shell: this static program replaces LTP's runltp/kirk.
 * On Archipel, init runs it (kernel command line "-- /opt/ltp/ltprun ARGS"); on Linux
 * (make ltp-linux) it is /init itself, PID 1: it then mounts /proc, /sys, /dev and a
 * tmpfs on /dev/shm first, reaps orphans, and powers the machine off at the end.
 *
 * Usage: ltprun [-f RUNTEST] [-t SECONDS] [-m TIMEOUT_MUL] [-r RUNTIME_MUL] [-a NAME] [NAME...]
 *   -f  the runtest file (default /opt/ltp/runtest/syscalls): lines "name binary args...",
 *       '#' comments and blank lines ignored
 *   -t  seconds before a test's process group is killed with SIGKILL (default 120):
 *       the test counts as TIMEOUT
 *   -m  LTP_TIMEOUT_MUL given to the tests (default 1): scales LTP's own timeouts
 *   -r  LTP_RUNTIME_MUL given to the tests (default 0.1): scales the run time of the
 *       tests that loop for a while (.runtime, e.g. fork13's 600 s)
 *   -a  start after the entry NAME (tools/ltp.py resumes a run after a crash this way)
 *   NAME...  run only these runtest entries (default: all)
 *
 * For every entry, in file order:
 *   ltp: run NAME
 *   ...the test's stdout and stderr, as they come...
 *   ltp: result NAME RESULT STATUS SECONDSs | FIRST-TFAIL-OR-TBROK-LINE
 * RESULT is PASS (exit 0), BROK (TBROK bit), FAIL (TFAIL or TWARN bit, or any other
 * status), CONF (TCONF bit alone), TIMEOUT (killed after -t), SIGNAL (killed by a
 * signal it did not ask for); STATUS is "exit N", "signal N" or "-". The exit bits are
 * LTP's (include/tst_res_flags.h: TFAIL 1, TBROK 2, TWARN 4, TINFO 16, TCONF 32; see
 * do_exit() in lib/tst_test.c). An entry whose arguments need a shell (quotes, $, |,
 * ;, &, <, >, backquote, or a .sh binary) is not run: CONF with reason "needs a shell".
 * The test runs in its own process group with cwd /tmp, and environment PATH=
 * /opt/ltp/testcases/bin:/bin, LTPROOT=/opt/ltp, TMPDIR=/tmp, LTP_TIMEOUT_MUL,
 * LTP_RUNTIME_MUL, HOME=/.
 * Once the test's first process has exited, its group is killed (leftover children)
 * and its output is read until every writer is gone (at most 5 s more).
 * The run ends with
 *   LTP: P passed, F failed, B broken, C conf, T timeouts, S signals
 * Exit status 0 (the run completed), 2 for bad arguments or an unreadable runtest file.
 *
 * Waiting without poll(2): a 200 ms interval timer (setitimer, SIGALRM without
 * SA_RESTART) interrupts the blocking read of the test's pipe, so the deadline and
 * the test's end are checked at least five times a second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#define LTPROOT        "/opt/ltp"
#define DEFAULT_RUNTEST LTPROOT "/runtest/syscalls"
#define MAX_ARGS       64
#define LINE_LEN       1024
#define REASON_LEN     240
#define DRAIN_SECONDS  5
#define TICK_US        200000

enum result { R_PASS, R_FAIL, R_BROK, R_CONF, R_TIMEOUT, R_SIGNAL, R_COUNT };
static const char *const result_names[R_COUNT] = {
	"PASS", "FAIL", "BROK", "CONF", "TIMEOUT", "SIGNAL"
};

/* LTP's exit bits (include/tst_res_flags.h). */
#define LTP_TFAIL 1
#define LTP_TBROK 2
#define LTP_TWARN 4
#define LTP_TCONF 32

static int counts[R_COUNT];
static int timeout_s = 120;
static const char *timeout_mul = "1";
static const char *runtime_mul = "0.1";
static volatile sig_atomic_t ticks;

/* One console line, written with a single write(2). */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char line[LINE_LEN + 256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, n) < 0) {
		/* nowhere to report it */
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

/* Does this runtest entry need a shell to run? */
static int needs_shell(const char *binary, const char *rest)
{
	size_t n = strlen(binary);

	if (n > 3 && strcmp(binary + n - 3, ".sh") == 0)
		return 1;
	return strpbrk(rest, "'\"$|;&<>`\\*?(){}") != NULL;
}

/* Remember the first TFAIL/TBROK line of the test's output (ANSI colours removed). */
static void scan_line(const char *line, char *reason)
{
	char clean[REASON_LEN];
	size_t j = 0;

	if (reason[0] || (!strstr(line, "TFAIL") && !strstr(line, "TBROK")))
		return;
	for (size_t i = 0; line[i] && j < sizeof(clean) - 1; i++) {
		if (line[i] == '\033') {            /* ESC [ ... m */
			while (line[i] && line[i] != 'm')
				i++;
			if (!line[i])
				break;
			continue;
		}
		clean[j++] = (line[i] == '\t' || line[i] == '\r') ? ' ' : line[i];
	}
	clean[j] = '\0';
	snprintf(reason, REASON_LEN, "%s", clean);
}

/* Feed output bytes: echo them and scan complete lines. */
static void feed(const char *buf, size_t n, char *line, size_t *len, char *reason)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(1, buf + off, n - off);

		if (w <= 0)
			break;
		off += w;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || *len == LINE_LEN - 1) {
			line[*len] = '\0';
			scan_line(line, reason);
			*len = 0;
			if (buf[i] == '\n')
				continue;
		}
		line[(*len)++] = buf[i];
	}
}

/* Reap any child but @keep (orphans re-parented to us when we are PID 1). */
static void reap_others(pid_t keep, int *keep_status, int *keep_done)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == keep) {
			*keep_status = st;
			*keep_done = 1;
		}
	}
}

static char *const *test_env(void)
{
	static char mul[64], rmul[64];
	static char *env[] = {
		"PATH=" LTPROOT "/testcases/bin:/bin:/sbin", "LTPROOT=" LTPROOT, "TMPDIR=/tmp",
		"HOME=/", "TERM=dumb", "LTP_COLORIZE_OUTPUT=0", mul, rmul, NULL
	};

	snprintf(mul, sizeof(mul), "LTP_TIMEOUT_MUL=%s", timeout_mul);
	snprintf(rmul, sizeof(rmul), "LTP_RUNTIME_MUL=%s", runtime_mul);
	return env;
}

/* Run one entry; returns its result and fills @status_text and @reason. */
static enum result run_test(const char *name, char **argv, char *status_text, char *reason)
{
	char path[512], buf[4096], line[LINE_LEN];
	size_t line_len = 0;
	int fds[2], st = 0, done = 0, eof = 0, timed_out = 0;
	double start = now_s(), drain_until = 0;
	pid_t pid;

	reason[0] = '\0';
	strcpy(status_text, "-");
	snprintf(path, sizeof(path), "%s%s", argv[0][0] == '/' ? "" : LTPROOT "/testcases/bin/",
		 argv[0]);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(reason, REASON_LEN, "ltprun: pipe: %s", strerror(errno));
		return R_BROK;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(reason, REASON_LEN, "ltprun: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return R_BROK;
	}
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		sigset_t none;

		setitimer(ITIMER_REAL, &off, NULL);
		sigaction(SIGALRM, &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		if (chdir("/tmp") < 0) {
			/* the test reports what it cannot do */
		}
		execve(path, argv, test_env());
		dprintf(2, "ltprun: TBROK: cannot execute %s: %s\n", path, strerror(errno));
		_exit(LTP_TBROK);
	}
	setpgid(pid, pid);
	close(fds[1]);
	(void)name;
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n > 0) {
			feed(buf, n, line, &line_len, reason);
			continue;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		if (errno != EINTR)
			break;
		if (!done)
			reap_others(pid, &st, &done);
		if (done && drain_until == 0) {
			kill(-pid, SIGKILL);         /* leftovers of the test */
			drain_until = now_s() + DRAIN_SECONDS;
		}
		if (drain_until && now_s() > drain_until)
			break;
		if (!done && now_s() - start > timeout_s) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			drain_until = now_s() + DRAIN_SECONDS;
		}
	}
	close(fds[0]);
	if (line_len) {
		line[line_len] = '\0';
		scan_line(line, reason);
		if (write(1, "\n", 1) < 0) {
			/* console gone */
		}
	}
	/* Output closed before the test ended: wait for it, under the same deadline. */
	while (!done) {
		if (waitpid(pid, &st, 0) == pid) {
			done = 1;
			break;
		}
		if (errno != EINTR)
			break;
		if (!timed_out && now_s() - start > timeout_s) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			drain_until = now_s() + DRAIN_SECONDS;
		}
		if (timed_out && now_s() > drain_until)
			break;
	}
	kill(-pid, SIGKILL);
	(void)eof;
	if (!done) {
		snprintf(reason, REASON_LEN, "ltprun: the test's process was never reaped (%s)",
			 timed_out ? "killed after the timeout" : "its output ended");
		return R_TIMEOUT;
	}
	if (timed_out) {
		snprintf(status_text, 32, "-");
		snprintf(reason, REASON_LEN, "killed after %d s", timeout_s);
		return R_TIMEOUT;
	}
	if (WIFSIGNALED(st)) {
		snprintf(status_text, 32, "signal %d", WTERMSIG(st));
		if (!reason[0])
			snprintf(reason, REASON_LEN, "killed by signal %d (%s)", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
		return R_SIGNAL;
	}
	st = WEXITSTATUS(st);
	snprintf(status_text, 32, "exit %d", st);
	if (st == 0)
		return R_PASS;
	if (st & LTP_TBROK)
		return R_BROK;
	if (st & (LTP_TFAIL | LTP_TWARN)) {
		if (!reason[0] && (st & LTP_TWARN))
			snprintf(reason, REASON_LEN, "TWARN: the test reported warnings");
		return R_FAIL;
	}
	if (st == LTP_TCONF)
		return R_CONF;
	if (!reason[0])
		snprintf(reason, REASON_LEN, "unexpected exit status %d", st);
	return R_FAIL;
}

static int selected(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return 1;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* Linux as PID 1: the file systems LTP expects (Archipel's kernel provides its own). */
static void linux_pid1_setup(void)
{
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/dev/shm", 01777);
	mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=1777");
	chmod("/tmp", 01777);
}

/* Linux as PID 1: end the VM with status 0 through isa-debug-exit (port 0xf4). */
static void linux_pid1_poweroff(void)
{
	int fd = open("/dev/port", O_WRONLY);
	char zero = 0;

	sync();
	if (fd >= 0) {
		if (pwrite(fd, &zero, 1, 0xf4) < 0) {
			/* fall through to reboot() */
		}
		close(fd);
	}
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *runtest = DEFAULT_RUNTEST, *after = NULL;
	struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART */
	struct itimerval tick = { { 0, TICK_US }, { 0, TICK_US } };
	char text[LINE_LEN], status_text[32], reason[REASON_LEN];
	int opt, pid1 = getpid() == 1, total = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "f:t:m:r:a:")) != -1) {
		switch (opt) {
		case 'r': runtime_mul = optarg; break;
		case 'a': after = optarg; break;
		case 'f': runtest = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		case 'm': timeout_mul = optarg; break;
		default:
			fprintf(stderr, "usage: ltprun [-f RUNTEST] [-t SECONDS] [-m MUL] [-r MUL] [-a NAME] [NAME...]\n");
			return 2;
		}
	}
	if (timeout_s <= 0) {
		fprintf(stderr, "ltprun: -t needs a positive number of seconds\n");
		return 2;
	}
	if (pid1)
		linux_pid1_setup();
	f = fopen(runtest, "r");
	if (f == NULL) {
		say("ltprun: cannot open %s: %s", runtest, strerror(errno));
		if (pid1)
			linux_pid1_poweroff();
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
	say("ltp: start %s timeout %d s LTP_TIMEOUT_MUL=%s LTP_RUNTIME_MUL=%s", runtest, timeout_s,
	    timeout_mul, runtime_mul);
	while (fgets(text, sizeof(text), f) != NULL) {
		char *args[MAX_ARGS + 1], *name, *binary, *rest, *save = NULL;
		enum result r;
		double t0;
		int n = 0;

		text[strcspn(text, "\n")] = '\0';
		name = strtok_r(text, " \t", &save);
		if (name == NULL || name[0] == '#')
			continue;
		if (after != NULL) {
			if (strcmp(name, after) == 0)
				after = NULL;
			continue;
		}
		if (!selected(name, argc, argv, optind))
			continue;
		binary = strtok_r(NULL, " \t", &save);
		rest = save ? save : (char *)"";
		total++;
		say("ltp: run %s", name);
		if (binary == NULL) {
			say("ltp: result %s BROK - 0.0s | ltprun: runtest line has no binary", name);
			counts[R_BROK]++;
			continue;
		}
		if (needs_shell(binary, rest)) {
			say("ltp: result %s CONF - 0.0s | needs a shell", name);
			counts[R_CONF]++;
			continue;
		}
		args[n++] = binary;
		for (char *a; n < MAX_ARGS && (a = strtok_r(NULL, " \t", &save)) != NULL;)
			args[n++] = a;
		args[n] = NULL;
		t0 = now_s();
		r = run_test(name, args, status_text, reason);
		counts[r]++;
		say("ltp: result %s %s %s %.1fs | %s", name, result_names[r], status_text,
		    now_s() - t0, reason);
	}
	fclose(f);
	say("LTP: %d passed, %d failed, %d broken, %d conf, %d timeouts, %d signals (%d tests)",
	    counts[R_PASS], counts[R_FAIL], counts[R_BROK], counts[R_CONF], counts[R_TIMEOUT],
	    counts[R_SIGNAL], total);
	if (pid1)
		linux_pid1_poweroff();
	return 0;
}
