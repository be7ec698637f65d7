/*
 * tty.c - the console as a terminal (man 3 termios, man 2const TCGETS,
 * TIOCSCTTY, TIOCGSID, tty_ioctl(4)), job control on it (SIGTTIN, SIGTTOU
 * with TOSTOP), and the device nodes /dev/tty, /dev/zero, /dev/full,
 * /dev/urandom, /dev/random with getrandom(2) (man 4 zero, full, random).
 *
 * On Archipel the suite's stdin/stdout are the console and nobody types:
 * what can be checked without input is. On the host, the terminal is
 * /dev/tty when there is one (else those cases are skipped), and the
 * values Archipel fixes (80x24, session 1) are not checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <poll.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "ktap.h"
#include "testutil.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004            /* Linux 5.6; older C libraries lack the name */
#endif

/* The terminal to test: the console (Archipel's stdin), the host's /dev/tty, or -1. */
static int term_fd(void)
{
	if (test_nclusters() > 0)
		return 0;
	return open("/dev/tty", O_RDWR | O_NOCTTY);
}

static void term_close(int fd)
{
	if (fd > 0 && test_nclusters() == 0)
		close(fd);
}

#define NEED_TERM(fd) do {                                                      \
		if ((fd) < 0)                                                   \
			return ktap_skip("no controlling terminal on this host"); \
	} while (0)

static int t_tcgets_defaults(void)
{
	struct termios t;
	int fd = term_fd();

	NEED_TERM(fd);
	KTAP_CHECK(ioctl(fd, TCGETS, &t) == 0);
	term_close(fd);
	if (test_nclusters() == 0)
		return KTAP_PASS;               /* the host's settings are its shell's */
	KTAP_CHECKF((t.c_lflag & (ICANON | ECHO | ISIG | ECHOE | ECHOK | IEXTEN)) ==
		    (ICANON | ECHO | ISIG | ECHOE | ECHOK | IEXTEN), "c_lflag 0%o", t.c_lflag);
	KTAP_CHECK((t.c_iflag & ICRNL) && (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	KTAP_CHECK(t.c_cc[VINTR] == 3 && t.c_cc[VQUIT] == 28 && t.c_cc[VERASE] == 127);
	KTAP_CHECK(t.c_cc[VKILL] == 21 && t.c_cc[VEOF] == 4 && t.c_cc[VSUSP] == 26);
	KTAP_CHECK(t.c_cc[VWERASE] == 23 && t.c_cc[VMIN] == 1 && t.c_cc[VTIME] == 0);
	return KTAP_PASS;
}

/* TCSETS, TCSETSW, TCSETSF take the settings TCGETS then reads; bad pointers: EFAULT. */
static int t_tcsets_roundtrip(void)
{
	struct termios orig, raw, got;
	int fd = term_fd();

	NEED_TERM(fd);
	KTAP_CHECK(ioctl(fd, TCGETS, &orig) == 0);
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	KTAP_CHECK(ioctl(fd, TCSETS, &raw) == 0);
	KTAP_CHECK(ioctl(fd, TCGETS, &got) == 0);
	KTAP_CHECK(!(got.c_lflag & (ICANON | ECHO)) && got.c_cc[VMIN] == 0);
	raw.c_cc[VTIME] = 3;
	KTAP_CHECK(ioctl(fd, TCSETSW, &raw) == 0);
	KTAP_CHECK(ioctl(fd, TCGETS, &got) == 0 && got.c_cc[VTIME] == 3);
	KTAP_CHECK(ioctl(fd, TCSETSF, &orig) == 0);
	KTAP_CHECK(ioctl(fd, TCGETS, &got) == 0);
	KTAP_CHECK(got.c_lflag == orig.c_lflag && got.c_iflag == orig.c_iflag);
	KTAP_CHECK(!memcmp(got.c_cc, orig.c_cc, VEOL2 + 1));   /* the kernel's NCCS: 19 */
	errno = 0;
	KTAP_CHECK(ioctl(fd, TCGETS, (void *)16) == -1 && errno == EFAULT);
	errno = 0;
	KTAP_CHECK(ioctl(fd, TCSETS, (void *)16) == -1 && errno == EFAULT);
	KTAP_CHECK(ioctl(fd, TCFLSH, TCIFLUSH) == 0);
	errno = 0;
	KTAP_CHECK(ioctl(fd, TCFLSH, 7) == -1 && errno == EINVAL);
	term_close(fd);
	return KTAP_PASS;
}

/* Non-canonical reads with nothing typed: MIN 0 TIME 0 and MIN 0 TIME 1 give 0. */
static int t_raw_read_nothing_typed(void)
{
	struct termios orig, raw;
	char c;
	int avail = -1;

	if (test_nclusters() == 0)
		return ktap_skip("the host's terminal may have input pending");
	KTAP_CHECK(ioctl(0, TCGETS, &orig) == 0);
	KTAP_CHECK(ioctl(0, FIONREAD, &avail) == 0 && avail == 0);
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	KTAP_CHECK(ioctl(0, TCSETS, &raw) == 0);
	ssize_t n0 = read(0, &c, 1);
	raw.c_cc[VTIME] = 1;                    /* a tenth of a second */
	KTAP_CHECK(ioctl(0, TCSETS, &raw) == 0);
	ssize_t n1 = read(0, &c, 1);
	KTAP_CHECK(ioctl(0, TCSETS, &orig) == 0);
	KTAP_CHECKF(n0 == 0 && n1 == 0, "reads gave %zd and %zd", n0, n1);
	/* canonical and non-blocking: EAGAIN */
	int fd = open("/dev/console", O_RDONLY | O_NOCTTY | O_NONBLOCK);
	KTAP_CHECK(fd >= 0);
	errno = 0;
	KTAP_CHECK(read(fd, &c, 1) == -1 && errno == EAGAIN);
	close(fd);
	return KTAP_PASS;
}

static int t_winsize(void)
{
	struct winsize ws, set, got;
	int fd = term_fd();

	NEED_TERM(fd);
	KTAP_CHECK(ioctl(fd, TIOCGWINSZ, &ws) == 0);
	if (test_nclusters() > 0)
		KTAP_CHECKF(ws.ws_row == 24 && ws.ws_col == 80, "%ux%u", ws.ws_col, ws.ws_row);
	set = ws;
	set.ws_row = 50;
	set.ws_col = 132;
	signal(SIGWINCH, SIG_IGN);
	KTAP_CHECK(ioctl(fd, TIOCSWINSZ, &set) == 0);
	KTAP_CHECK(ioctl(fd, TIOCGWINSZ, &got) == 0 && got.ws_row == 50 && got.ws_col == 132);
	KTAP_CHECK(ioctl(fd, TIOCSWINSZ, &ws) == 0);
	signal(SIGWINCH, SIG_DFL);
	errno = 0;
	KTAP_CHECK(ioctl(fd, TIOCGWINSZ, (void *)16) == -1 && errno == EFAULT);
	term_close(fd);
	return KTAP_PASS;
}

/* A new session (setsid) has no terminal: ENOTTY, ENXIO for /dev/tty, EPERM without stealing. */
static void new_session_child(void *arg)
{
	pid_t sid = 0;
	int fd;

	(void)arg;
	if (setsid() != getpid())
		_exit(1);
	errno = 0;
	if (ioctl(0, TIOCGSID, &sid) != -1 || errno != ENOTTY)
		_exit(2);
	errno = 0;
	if (open("/dev/tty", O_RDWR) != -1 || errno != ENXIO)
		_exit(3);
	/* the console belongs to the suite's session: not taken by an open, nor without force */
	fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		_exit(4);
	errno = 0;
	if (ioctl(fd, TIOCGPGRP, &sid) != -1 || errno != ENOTTY)
		_exit(5);
	errno = 0;
	if (ioctl(fd, TIOCSCTTY, 0) != -1 || errno != EPERM)
		_exit(6);
	errno = 0;
	if (ioctl(fd, TIOCNOTTY) != -1 || errno != ENOTTY)
		_exit(7);
	_exit(0);
}

/* TIOCSCTTY by a process that leads no session: EPERM. */
static void not_leader_child(void *arg)
{
	(void)arg;
	errno = 0;
	if (ioctl(0, TIOCSCTTY, 0) != -1 || errno != EPERM)
		_exit(1);
	_exit(0);
}

static int t_controlling_terminal(void)
{
	pid_t sid = 0;
	int status;

	if (test_nclusters() == 0)
		return ktap_skip("the host's session and terminal are its shell's");
	KTAP_CHECK(ioctl(0, TIOCGSID, &sid) == 0);
	KTAP_CHECKF(sid == getsid(0), "TIOCGSID %d, getsid %d", sid, getsid(0));
	int fd = open("/dev/tty", O_RDWR);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(isatty(fd) && ioctl(fd, TIOCGSID, &sid) == 0 && sid == getsid(0));
	close(fd);
	status = test_in_child(new_session_child, NULL);
	KTAP_CHECKF(test_exited_with(status, 0), "new session: status 0x%x", status);
	status = test_in_child(not_leader_child, NULL);
	KTAP_CHECKF(test_exited_with(status, 0), "non-leader: status 0x%x", status);
	KTAP_CHECK(ioctl(0, TIOCGSID, &sid) == 0 && sid == getsid(0));
	return KTAP_PASS;
}

static volatile sig_atomic_t got_sig;

static void on_sig(int sig)
{
	got_sig = sig;
}

/* In a background group: read gets SIGTTIN (EINTR after the handler), EIO when ignored. */
static void background_read_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sig };   /* no SA_RESTART */
	char c;

	(void)arg;
	if (setpgid(0, 0) != 0)
		_exit(1);
	sigaction(SIGTTIN, &sa, NULL);
	errno = 0;
	if (read(0, &c, 1) != -1 || errno != EINTR || got_sig != SIGTTIN)
		_exit(2);
	signal(SIGTTIN, SIG_IGN);
	errno = 0;
	if (read(0, &c, 1) != -1 || errno != EIO)
		_exit(3);
	_exit(0);
}

/* With TOSTOP a background write gets SIGTTOU; TCSETS too, even without TOSTOP. */
static void background_write_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sig };
	static const char msg[] = "# tty: a background write\n";
	struct termios t;
	int fd = open("/dev/tty", O_RDWR);

	(void)arg;
	if (fd < 0 || setpgid(0, 0) != 0)
		_exit(1);
	sigaction(SIGTTOU, &sa, NULL);
	errno = 0;
	if (write(fd, msg, sizeof(msg) - 1) != -1 || errno != EINTR || got_sig != SIGTTOU)
		_exit(2);
	got_sig = 0;
	if (ioctl(fd, TCGETS, &t) != 0)
		_exit(3);
	errno = 0;
	if (ioctl(fd, TCSETS, &t) != -1 || errno != EINTR || got_sig != SIGTTOU)
		_exit(4);
	signal(SIGTTOU, SIG_IGN);               /* ignored: the write goes through */
	if (write(fd, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		_exit(5);
	_exit(0);
}

static int t_background_job_control(void)
{
	struct termios orig, t;
	int status;

	if (test_nclusters() == 0)
		return ktap_skip("the host's terminal belongs to its shell's job control");
	status = test_in_child(background_read_child, NULL);
	KTAP_CHECKF(test_exited_with(status, 0), "read: status 0x%x", status);
	KTAP_CHECK(ioctl(0, TCGETS, &orig) == 0);
	t = orig;
	t.c_lflag |= TOSTOP;
	KTAP_CHECK(ioctl(0, TCSETS, &t) == 0);
	status = test_in_child(background_write_child, NULL);
	KTAP_CHECK(ioctl(0, TCSETS, &orig) == 0);
	KTAP_CHECKF(test_exited_with(status, 0), "write: status 0x%x", status);
	return KTAP_PASS;
}

/* A console read without SA_RESTART: EINTR once the handler ran. */
static void read_eintr_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sig };
	char c;

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);   /* blocked by the parent until now */
	ssize_t n = read(0, &c, 1);
	_exit(n == -1 && errno == EINTR && got_sig == SIGUSR1 ? 0 : 1);
}

/* With SA_RESTART the read goes on after the handler: exit 1 if it ever returns. */
static void read_restart_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	char c;

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	(void)read(0, &c, 1);
	_exit(1);
}

/* Signals @pid with SIGUSR1 every 50 ms until it ends or @ms pass; its status, or -2. */
static int usr1_until_exit(pid_t pid, long ms)
{
	for (long t = 0; t < ms; t += 50) {
		kill(pid, SIGUSR1);
		int status = test_wait_ms(pid, 50);
		if (status != -2)
			return status;
	}
	return -2;
}

/* A reader of the console (nothing typed) is interrupted, or restarted, by a handler. */
static int t_console_read_interrupted(void)
{
	int status;
	pid_t pid;

	sigset_t usr1, old;

	if (test_nclusters() == 0)
		return ktap_skip("the host's terminal may have input");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);    /* no SIGUSR1 before the child's handler */
	pid = fork();
	if (pid == 0)
		read_eintr_child(NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	KTAP_CHECK(pid > 0);
	status = usr1_until_exit(pid, 10000);
	if (status == -2)
		kill(pid, SIGKILL), test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "no SA_RESTART: status 0x%x", status);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = fork();
	if (pid == 0)
		read_restart_child(NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	KTAP_CHECK(pid > 0);
	status = usr1_until_exit(pid, 500);      /* handlers run, the read goes on */
	KTAP_CHECKF(status == -2, "SA_RESTART: the read returned (status 0x%x)", status);
	kill(pid, SIGKILL);
	KTAP_CHECK(test_killed_by(test_wait(pid), SIGKILL));
	return KTAP_PASS;
}

static bool all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int t_dev_zero_full(void)
{
	unsigned char buf[300];
	int fd;

	fd = open("/dev/zero", O_RDWR);
	KTAP_CHECK(fd >= 0);
	memset(buf, 0xaa, sizeof(buf));
	KTAP_CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf) && all_zero(buf, sizeof(buf)));
	KTAP_CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf));
	KTAP_CHECK(lseek(fd, 100, SEEK_SET) == 0);
	close(fd);
	fd = open("/dev/full", O_RDWR);
	KTAP_CHECK(fd >= 0);
	memset(buf, 0xaa, sizeof(buf));
	KTAP_CHECK(read(fd, buf, 10) == 10 && all_zero(buf, 10));
	errno = 0;
	KTAP_CHECK(write(fd, buf, 10) == -1 && errno == ENOSPC);
	close(fd);
	return KTAP_PASS;
}

/* mmap of /dev/zero is anonymous memory; MAP_SHARED is shared with a child. */
static int t_dev_zero_mmap(void)
{
	int fd = open("/dev/zero", O_RDWR);
	KTAP_CHECK(fd >= 0);
	unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	KTAP_CHECK(p != MAP_FAILED);
	KTAP_CHECK(all_zero(p, 8192));
	p[5000] = 7;
	KTAP_CHECK(p[5000] == 7);
	munmap(p, 8192);
	volatile int *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	KTAP_CHECK(s != MAP_FAILED);
	pid_t pid = fork();
	if (pid == 0) {
		s[1] = 42;
		_exit(0);
	}
	KTAP_CHECK(pid > 0 && test_exited_with(test_wait(pid), 0));
	KTAP_CHECKF(s[1] == 42, "shared /dev/zero page: %d", s[1]);
	munmap((void *)s, 4096);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	errno = 0;
	KTAP_CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == ENODEV);
	close(fd);
	return KTAP_PASS;
}

static int t_dev_random(void)
{
	static const char *const paths[] = { "/dev/urandom", "/dev/random" };
	unsigned char a[64], b[64];

	for (int i = 0; i < 2; i++) {
		int fd = open(paths[i], O_RDONLY);

		KTAP_CHECKF(fd >= 0, "%s", paths[i]);
		KTAP_CHECK(read(fd, a, sizeof(a)) == sizeof(a));
		KTAP_CHECK(read(fd, b, sizeof(b)) == sizeof(b));
		KTAP_CHECKF(memcmp(a, b, sizeof(a)) && !all_zero(a, sizeof(a)), "%s repeats", paths[i]);
		close(fd);
	}
	return KTAP_PASS;
}

static int t_getrandom_flags(void)
{
	unsigned char a[40], b[40];
	unsigned count[256] = { 0 }, big[4096];

	KTAP_CHECK(getrandom(a, sizeof(a), GRND_NONBLOCK) == sizeof(a));
	KTAP_CHECK(getrandom(b, sizeof(b), GRND_RANDOM) == sizeof(b));
	KTAP_CHECK(memcmp(a, b, sizeof(a)) != 0);
	KTAP_CHECK(getrandom(a, sizeof(a), GRND_INSECURE) == sizeof(a));
	errno = 0;
	KTAP_CHECK(getrandom(a, sizeof(a), 0x40) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(getrandom(a, sizeof(a), GRND_RANDOM | GRND_INSECURE) == -1 && errno == EINVAL);
	errno = 0;
	KTAP_CHECK(getrandom((void *)16, 8, 0) == -1 && errno == EFAULT);
	KTAP_CHECK(getrandom(a, 0, 0) == 0);
	/* every byte value shows up in 16 KiB (a stuck or biased generator fails) */
	KTAP_CHECK(getrandom(big, sizeof(big), 0) == sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++)
		count[((unsigned char *)big)[i]]++;
	for (int v = 0; v < 256; v++)
		KTAP_CHECKF(count[v] > 0, "byte value %d never seen", v);
	return KTAP_PASS;
}

/* poll(2) on pipes, a closed fd and the console (nothing typed: a timeout). */
static int t_poll(void)
{
	int p[2];
	struct pollfd pf[3];
	char c = 'x';

	KTAP_CHECK(pipe(p) == 0);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	pf[2] = (struct pollfd){ .fd = 1000, .events = POLLIN };
	KTAP_CHECK(poll(pf, 1, 0) == 0 && pf[0].revents == 0);
	KTAP_CHECK(poll(pf, 3, 0) == 2);
	KTAP_CHECK(pf[1].revents == POLLOUT && pf[2].revents == POLLNVAL && pf[0].revents == 0);
	KTAP_CHECK(poll(pf, 1, 30) == 0);       /* a timeout: nothing to read */
	KTAP_CHECK(write(p[1], &c, 1) == 1);
	KTAP_CHECK(poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN);
	KTAP_CHECK(read(p[0], &c, 1) == 1);
	close(p[1]);
	KTAP_CHECK(poll(pf, 1, -1) == 1 && pf[0].revents == POLLHUP);
	close(p[0]);
	errno = 0;
	KTAP_CHECK(poll((void *)16, 1, 0) == -1 && errno == EFAULT);
	if (test_nclusters() > 0) {              /* the console: nothing typed */
		pf[0] = (struct pollfd){ .fd = 0, .events = POLLIN | POLLOUT };
		KTAP_CHECK(poll(pf, 1, 20) == 1 && pf[0].revents == POLLOUT);
		pf[0].events = POLLIN;
		KTAP_CHECK(poll(pf, 1, 20) == 0 && pf[0].revents == 0);
	}
	return KTAP_PASS;
}

/*
 * What busybox's ps reads: /proc/<pid> entries (regression: generated
 * directories gave d_ino 0, which glibc's readdir skips, so ps listed
 * nothing), /proc/self/stat's first fields, and Archipel's
 * /proc/self/cluster and cmdline ("name@c<cluster>").
 */
static int t_proc_for_ps(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int numeric = 0, zero_ino = 0;
	char buf[512], comm[64], state;
	int pid, ppid, pgrp, sid;

	KTAP_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			numeric++;
		if (e->d_ino == 0)
			zero_ino++;
	}
	closedir(d);
	KTAP_CHECKF(numeric >= 2 && zero_ino == 0, "%d processes, %d entries of inode 0",
		    numeric, zero_ino);
	int fd = open("/proc/self/stat", O_RDONLY);
	KTAP_CHECK(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	KTAP_CHECK(n > 0);
	buf[n] = '\0';
	KTAP_CHECKF(sscanf(buf, "%d (%63[^)]) %c %d %d %d", &pid, comm, &state, &ppid, &pgrp, &sid) == 6,
		    "stat '%s'", buf);
	KTAP_CHECKF(pid == getpid() && ppid == getppid() && pgrp == getpgrp() && sid == getsid(0),
		    "stat '%s'", buf);
	if (test_nclusters() > 0) {
		int cl = -1;
		fd = open("/proc/self/cluster", O_RDONLY);
		KTAP_CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0);
		close(fd);
		KTAP_CHECK(sscanf(buf, "%d", &cl) == 1 && cl >= 0 && cl < test_nclusters());
		char want_cmd[80];
		snprintf(want_cmd, sizeof(want_cmd), "tty@c%d", cl);
		fd = open("/proc/self/cmdline", O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		close(fd);
		KTAP_CHECKF(n == (ssize_t)strlen(want_cmd) + 1 && !strcmp(buf, want_cmd),
			    "cmdline '%s', expected '%s'", n > 0 ? buf : "", want_cmd);
	}
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_tcgets_defaults),
	KTAP_CASE(t_tcsets_roundtrip),
	KTAP_CASE(t_raw_read_nothing_typed),
	KTAP_CASE(t_winsize),
	KTAP_CASE(t_controlling_terminal),
	KTAP_CASE(t_background_job_control),
	KTAP_CASE(t_console_read_interrupted),
	KTAP_CASE(t_dev_zero_full),
	KTAP_CASE(t_dev_zero_mmap),
	KTAP_CASE(t_dev_random),
	KTAP_CASE(t_getrandom_flags),
	KTAP_CASE(t_poll),
	KTAP_CASE(t_proc_for_ps),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
