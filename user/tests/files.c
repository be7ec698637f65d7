/*
 * files.c - the file system and the small system calls: files in /tmp
 * (create, read, write, seek, stat, holes, append, truncate, unlink while
 * open), path errors, directories (mkdir, getdents64, unlinkat, chdir,
 * getcwd), readv/writev, /dev/console, uname, clocks, getrandom, ids,
 * rlimits, /proc/<pid>/maps and status, /sys/devices/system/node.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

/* Scratch paths in /tmp, made unique by the pid (the test may run twice at once on a host). */
static char TMPF[64], TMPD[64], TMPC[64];

static int nclusters;   /* 0 on Linux */

/* dst = dir + "/" + name */
static const char *path_in(char *dst, size_t size, const char *dir, const char *name)
{
	snprintf(dst, size, "%s/%s", dir, name);
	return dst;
}

/* Read a whole (small) file into buf, NUL-terminated; returns its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = test_read_all(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int t_create_write_read_seek(void)
{
	static char out[10000], in[10000];
	struct stat st;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 31 + 7);
	unlink(TMPF);
	int fd = open(TMPF, O_RDWR | O_CREAT | O_TRUNC, 0644);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(test_write_all(fd, out, sizeof(out)) == sizeof(out));
	KTAP_CHECK(lseek(fd, 0, SEEK_CUR) == sizeof(out));
	KTAP_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	KTAP_CHECK(test_read_all(fd, in, sizeof(in)) == sizeof(in));
	KTAP_CHECK(memcmp(in, out, sizeof(out)) == 0);
	KTAP_CHECK(read(fd, in, 1) == 0);                          /* at the end */
	KTAP_CHECK(fstat(fd, &st) == 0);
	KTAP_CHECK(S_ISREG(st.st_mode) && st.st_size == sizeof(out));
	KTAP_CHECK((st.st_mode & 0777) == 0644);
	KTAP_CHECK(lseek(fd, -100, SEEK_END) == sizeof(out) - 100);
	KTAP_CHECK(read(fd, in, 200) == 100);
	KTAP_CHECK(memcmp(in, out + sizeof(out) - 100, 100) == 0);
	KTAP_CHECK(lseek(fd, 5000, SEEK_SET) == 5000 && lseek(fd, 10, SEEK_CUR) == 5010);
	KTAP_CHECK(read(fd, in, 1) == 1 && in[0] == out[5010]);
	KTAP_CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	/* a hole: write past the end, the gap reads as zeros */
	KTAP_CHECK(lseek(fd, 20000, SEEK_SET) == 20000);
	KTAP_CHECK(write(fd, "end", 3) == 3);
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_size == 20003);
	KTAP_CHECK(lseek(fd, 15000, SEEK_SET) == 15000);
	KTAP_CHECK(read(fd, in, 100) == 100);
	for (int i = 0; i < 100; i++)
		KTAP_CHECKF(in[i] == 0, "byte %d of the hole is 0x%02x", 15000 + i, in[i]);
	KTAP_CHECK(close(fd) == 0);
	struct stat st2;
	KTAP_CHECK(test_stat(TMPF, &st2) == 0 && st2.st_size == 20003 && st2.st_ino == st.st_ino);
	KTAP_CHECK(unlink(TMPF) == 0);
	KTAP_CHECK_ERRNO(test_stat(TMPF, &st2), ENOENT);
	return KTAP_PASS;
}

static int t_append_and_truncate(void)
{
	char buf[16];

	unlink(TMPF);
	int fd = open(TMPF, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	KTAP_CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
	close(fd);
	fd = open(TMPF, O_WRONLY | O_APPEND);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	KTAP_CHECK(write(fd, "ab", 2) == 2);                       /* goes to the end anyway */
	close(fd);
	KTAP_CHECK(slurp(TMPF, buf, sizeof(buf)) == 12 && !strcmp(buf, "0123456789ab"));
	fd = open(TMPF, O_RDWR | O_TRUNC);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(lseek(fd, 0, SEEK_END) == 0);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static int t_unlink_while_open(void)
{
	char buf[8];

	unlink(TMPF);
	int fd = open(TMPF, O_RDWR | O_CREAT | O_EXCL, 0600);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(write(fd, "kept", 4) == 4);
	KTAP_CHECK(unlink(TMPF) == 0);
	KTAP_CHECK_ERRNO(open(TMPF, O_RDONLY), ENOENT);
	KTAP_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	KTAP_CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "kept", 4));   /* data lives on */
	KTAP_CHECK(close(fd) == 0);
	return KTAP_PASS;
}

static int t_path_errors(void)
{
	char path[128];

	unlink(TMPF);
	int fd = open(TMPF, O_WRONLY | O_CREAT | O_EXCL, 0644);
	KTAP_CHECK(fd >= 0);
	close(fd);
	KTAP_CHECK_ERRNO(open(TMPF, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	KTAP_CHECK(unlink(TMPF) == 0);
	KTAP_CHECK_ERRNO(unlink(TMPF), ENOENT);
	KTAP_CHECK_ERRNO(open("/tmp/no_such_file", O_RDONLY), ENOENT);
	KTAP_CHECK_ERRNO(open("/no_such_dir/file", O_WRONLY | O_CREAT, 0644), ENOENT);
	KTAP_CHECK_ERRNO(open("", O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "%s/x", test_plain_file());
	KTAP_CHECK_ERRNO(open(path, O_RDONLY), ENOTDIR);
	KTAP_CHECK_ERRNO(open(test_plain_file(), O_RDONLY | O_DIRECTORY), ENOTDIR);
	KTAP_CHECK_ERRNO(open("/tmp", O_WRONLY), EISDIR);
	KTAP_CHECK_ERRNO(open("/tmp", O_RDWR), EISDIR);
	KTAP_CHECK_ERRNO(openat(AT_FDCWD, "/tmp", O_WRONLY), EISDIR);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	KTAP_CHECK(fd >= 0);
	char b;
	KTAP_CHECK_ERRNO(read(fd, &b, 1), EISDIR);
	close(fd);
	KTAP_CHECK_ERRNO(read(1000000, &b, 1), EBADF);
	KTAP_CHECK_ERRNO(close(1000000), EBADF);
	return KTAP_PASS;
}

static int t_openat_relative_to_dir(void)
{
	char buf[8];

	mkdir(TMPD, 0755);
	int dfd = open(TMPD, O_RDONLY | O_DIRECTORY);
	KTAP_CHECK(dfd >= 0);
	int fd = openat(dfd, "rel", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	KTAP_CHECK(fd >= 0 && write(fd, "at", 2) == 2);
	close(fd);
	char rel[128];
	KTAP_CHECK(slurp(path_in(rel, sizeof(rel), TMPD, "rel"), buf, sizeof(buf)) == 2 &&
		   !strcmp(buf, "at"));
	struct stat st;
	KTAP_CHECK(fstatat(dfd, "rel", &st, 0) == 0 && st.st_size == 2);
	KTAP_CHECK(unlinkat(dfd, "rel", 0) == 0);
	close(dfd);
	KTAP_CHECK(unlinkat(AT_FDCWD, TMPD, AT_REMOVEDIR) == 0);
	return KTAP_PASS;
}

static int t_directories(void)
{
	static const char *const names[] = { "alpha", "beta", "gamma" };
	int seen[3] = { 0, 0, 0 };
	char path[128];
	struct stat st;

	mkdir(TMPD, 0755);
	KTAP_CHECK(test_stat(TMPD, &st) == 0 && S_ISDIR(st.st_mode));
	KTAP_CHECK_ERRNO(mkdir(TMPD, 0755), EEXIST);
	KTAP_CHECK_ERRNO(mkdir("/tmp/no_such_dir/sub", 0755), ENOENT);
	for (int i = 0; i < 3; i++) {
		path_in(path, sizeof(path), TMPD, names[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		KTAP_CHECK(fd >= 0);
		close(fd);
	}
	DIR *d = opendir(TMPD);
	KTAP_CHECK(d != NULL);
	struct dirent *e;
	int others = 0;
	while ((e = readdir(d)) != NULL) {
		int known = 0;
		for (int i = 0; i < 3; i++)
			if (!strcmp(e->d_name, names[i])) {
				seen[i]++;
				known = 1;
				KTAP_CHECKF(e->d_type == DT_REG || e->d_type == DT_UNKNOWN,
					    "%s has d_type %d", e->d_name, e->d_type);
			}
		if (!known && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			others++;
	}
	closedir(d);
	for (int i = 0; i < 3; i++)
		KTAP_CHECKF(seen[i] == 1, "%s listed %d times", names[i], seen[i]);
	KTAP_CHECKF(others == 0, "%d unexpected entries", others);
	KTAP_CHECK_ERRNO(unlinkat(AT_FDCWD, TMPD, AT_REMOVEDIR), ENOTEMPTY);
	KTAP_CHECK_ERRNO(unlink(TMPD), EISDIR);
	path_in(path, sizeof(path), TMPD, names[0]);
	KTAP_CHECK_ERRNO(unlinkat(AT_FDCWD, path, AT_REMOVEDIR), ENOTDIR);
	for (int i = 0; i < 3; i++) {
		path_in(path, sizeof(path), TMPD, names[i]);
		KTAP_CHECK(unlink(path) == 0);
	}
	KTAP_CHECK(unlinkat(AT_FDCWD, TMPD, AT_REMOVEDIR) == 0);
	KTAP_CHECK_ERRNO(test_stat(TMPD, &st), ENOENT);
	return KTAP_PASS;
}

static int t_getdents64_raw(void)
{
	static char buf[4096];
	int found_tmp = 0;

	int fd = open("/", O_RDONLY | O_DIRECTORY);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, 1), EINVAL);   /* too small */
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		KTAP_CHECK(n >= 0);
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			KTAP_CHECKF(d->d_reclen >= offsetof(struct linux_dirent64, d_name) + 2 &&
				    d->d_reclen % 8 == 0 &&
				    off + d->d_reclen <= n, "bad d_reclen %u", d->d_reclen);
			if (!strcmp(d->d_name, "tmp")) {
				found_tmp++;
				KTAP_CHECK(d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
			}
			off += d->d_reclen;
		}
	}
	KTAP_CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == 0);   /* stays at the end */
	close(fd);
	KTAP_CHECKF(found_tmp == 1, "/tmp listed %d times in /", found_tmp);
	fd = open(test_plain_file(), O_RDONLY);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	return KTAP_PASS;
}

static int t_chdir_getcwd(void)
{
	char cwd[256], small[4], buf[8];
	char saved[256];

	KTAP_CHECK(getcwd(saved, sizeof(saved)) != NULL);
	mkdir(TMPC, 0755);
	KTAP_CHECK(chdir(TMPC) == 0);
	KTAP_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	KTAP_CHECKF(!strcmp(cwd, TMPC), "getcwd says '%s'", cwd);
	int fd = open("rel", O_WRONLY | O_CREAT | O_TRUNC, 0644);   /* relative to the cwd */
	KTAP_CHECK(fd >= 0 && write(fd, "cwd", 3) == 3);
	close(fd);
	char rel[128];
	KTAP_CHECK(slurp(path_in(rel, sizeof(rel), TMPC, "rel"), buf, sizeof(buf)) == 3);
	KTAP_CHECK(chdir("..") == 0);
	KTAP_CHECK(getcwd(cwd, sizeof(cwd)) != NULL && !strcmp(cwd, "/tmp"));
	KTAP_CHECK(unlink(path_in(rel, sizeof(rel), TMPC + 5, "rel")) == 0);   /* relative */
	KTAP_CHECK_ERRNO(chdir(test_plain_file()), ENOTDIR);
	KTAP_CHECK_ERRNO(chdir("/no_such_dir"), ENOENT);
	KTAP_CHECK(getcwd(cwd, sizeof(cwd)) != NULL && !strcmp(cwd, "/tmp"));   /* unchanged */
	errno = 0;
	KTAP_CHECK(syscall(SYS_getcwd, small, sizeof(small)) == -1 && errno == ERANGE);
	KTAP_CHECK(chdir("/") == 0);
	KTAP_CHECK(getcwd(cwd, sizeof(cwd)) != NULL && !strcmp(cwd, "/"));
	KTAP_CHECK(unlinkat(AT_FDCWD, TMPC, AT_REMOVEDIR) == 0);
	KTAP_CHECK(chdir(saved) == 0);
	return KTAP_PASS;
}

static int t_cwd_inherited_by_child(void)
{
	char saved[256];

	KTAP_CHECK(getcwd(saved, sizeof(saved)) != NULL);
	KTAP_CHECK(chdir("/tmp") == 0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		char cwd[64];
		_exit(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/tmp") ? 0 : 1);
	}
	KTAP_CHECK(chdir(saved) == 0);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static int t_readv_writev(void)
{
	char a[] = "first-", b[] = "second-", c[] = "third";
	char x[4], y[9], z[6];
	struct iovec out[3] = { { a, 6 }, { b, 7 }, { c, 5 } };
	struct iovec in[3] = { { x, 4 }, { y, 9 }, { z, 5 } };

	unlink(TMPF);
	int fd = open(TMPF, O_RDWR | O_CREAT | O_TRUNC, 0644);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(writev(fd, out, 3) == 18);
	KTAP_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	KTAP_CHECK(readv(fd, in, 3) == 18);
	KTAP_CHECK(!memcmp(x, "firs", 4) && !memcmp(y, "t-second-", 9) && !memcmp(z, "third", 5));
	struct iovec none = { NULL, 0 };
	KTAP_CHECK(writev(fd, &none, 1) == 0);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static int t_console_is_a_tty(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0 && !nclusters)
		return ktap_skip("no /dev/console here (%s)", strerror(errno));
	KTAP_CHECK(fd >= 0);
	struct stat st;
	KTAP_CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
	int tty = isatty(fd);
	close(fd);
	if (!tty && !nclusters)
		return ktap_skip("/dev/console is not a terminal on this host");
	KTAP_CHECK(tty);
	return KTAP_PASS;
}

static int t_uname(void)
{
	struct utsname u;

	KTAP_CHECK(uname(&u) == 0);
	KTAP_CHECK(u.sysname[0] && u.nodename[0] && u.release[0] && u.version[0]);
	KTAP_CHECKF(!strcmp(u.machine, "x86_64"), "machine '%s'", u.machine);
	const char *want = nclusters ? "Archipel" : "Linux";
	KTAP_CHECKF(!strcmp(u.sysname, want), "sysname '%s', expected '%s'", u.sysname, want);
	return KTAP_PASS;
}

static int t_clocks(void)
{
	struct timespec t0, t1, d = { 0, 10 * 1000 * 1000 };
	struct timeval tv;

	KTAP_CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	KTAP_CHECK(nanosleep(&d, NULL) == 0);
	KTAP_CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	KTAP_CHECKF(ns >= 10000000LL, "nanosleep(10 ms) took %lld ns", ns);
	KTAP_CHECKF(ns < 10000000000LL, "nanosleep(10 ms) took %lld ns", ns);
	KTAP_CHECK(t1.tv_nsec >= 0 && t1.tv_nsec < 1000000000L);
	KTAP_CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0);
	KTAP_CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	ns = (t0.tv_sec - t1.tv_sec) * 1000000000LL + (t0.tv_nsec - t1.tv_nsec);
	KTAP_CHECKF(ns >= 10000000LL, "clock_nanosleep(10 ms) took %lld ns", ns);
	KTAP_CHECK(clock_gettime(CLOCK_REALTIME, &t1) == 0);
	KTAP_CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	d.tv_nsec = 1000000000L;
	KTAP_CHECK_ERRNO(nanosleep(&d, NULL), EINVAL);
	return KTAP_PASS;
}

static int t_getrandom(void)
{
	unsigned char a[64], b[64];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	KTAP_CHECK(getrandom(a, sizeof(a), 0) == sizeof(a));
	KTAP_CHECK(getrandom(b, sizeof(b), 0) == sizeof(b));
	KTAP_CHECK(memcmp(a, b, sizeof(a)) != 0);
	int zeros = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	KTAP_CHECKF(zeros < 16, "%d zero bytes out of 64", zeros);
	return KTAP_PASS;
}

static int t_ids_and_limits(void)
{
	struct rlimit rl;

	KTAP_CHECK(getuid() == geteuid() && getgid() == getegid());
	KTAP_CHECK(gettid() == getpid());            /* single-threaded */
	KTAP_CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > 0);
	KTAP_CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 3);
	return KTAP_PASS;
}

static int t_proc_maps(void)
{
	static char buf[16384];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", getpid());
	ssize_t n = slurp(path, buf, sizeof(buf));
	KTAP_CHECKF(n > 0, "cannot read %s", path);
	KTAP_CHECKF(strstr(buf, "[stack]") != NULL, "%s has no [stack] line", path);
	/* every line starts with "start-end perms" in hex */
	unsigned long lo, hi;
	char perms[8];
	KTAP_CHECK(sscanf(buf, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo < hi);
	/* the line of main()'s code is executable */
	unsigned long code = (unsigned long)(void *)t_proc_maps;
	int found = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo <= code && code < hi)
			found = perms[2] == 'x';
	}
	KTAP_CHECKF(found, "no executable line of %s covers the code at 0x%lx", path, code);
	return KTAP_PASS;
}

static int t_proc_status_cluster(void)
{
	static char buf[4096];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", getpid());
	KTAP_CHECKF(slurp(path, buf, sizeof(buf)) > 0, "cannot read %s", path);
	KTAP_CHECK(strncmp(buf, "Name:", 5) == 0 || strstr(buf, "\nName:") != NULL);
	if (!nclusters)
		return ktap_skip("Cluster line is Archipel's (Linux has none)");
	char *line = strncmp(buf, "Cluster", 7) == 0 ? buf : strstr(buf, "\nCluster");
	KTAP_CHECKF(line != NULL, "%s has no line starting with 'Cluster'", path);
	return KTAP_PASS;
}

static int t_sys_nodes(void)
{
	char buf[1024], path[80];

	KTAP_CHECK(slurp("/sys/devices/system/node/node0/cpulist", buf, sizeof(buf)) > 0);
	KTAP_CHECKF(buf[0] >= '0' && buf[0] <= '9', "node0 cpulist is '%s'", buf);
	KTAP_CHECK(slurp("/sys/devices/system/node/node0/meminfo", buf, sizeof(buf)) > 0);
	KTAP_CHECKF(strstr(buf, "Node 0 MemFree:") != NULL, "no 'Node 0 MemFree:' line");
	if (!nclusters)
		return KTAP_PASS;
	for (int n = 0; n < nclusters; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", n);
		KTAP_CHECKF(slurp(path, buf, sizeof(buf)) > 0, "cannot read %s", path);
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nclusters);
	KTAP_CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_create_write_read_seek),
	KTAP_CASE(t_append_and_truncate),
	KTAP_CASE(t_unlink_while_open),
	KTAP_CASE(t_path_errors),
	KTAP_CASE(t_openat_relative_to_dir),
	KTAP_CASE(t_directories),
	KTAP_CASE(t_getdents64_raw),
	KTAP_CASE(t_chdir_getcwd),
	KTAP_CASE(t_cwd_inherited_by_child),
	KTAP_CASE(t_readv_writev),
	KTAP_CASE(t_console_is_a_tty),
	KTAP_CASE(t_uname),
	KTAP_CASE(t_clocks),
	KTAP_CASE(t_getrandom),
	KTAP_CASE(t_ids_and_limits),
	KTAP_CASE(t_proc_maps),
	KTAP_CASE(t_proc_status_cluster),
	KTAP_CASE(t_sys_nodes),
};

/* Remove what a failed case may have left in /tmp (the leak check would count it). */
static void cleanup(void)
{
	static const char *const names[] = { "alpha", "beta", "gamma", "rel" };
	char path[128];

	unlink(TMPF);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unlink(path_in(path, sizeof(path), TMPD, names[i]));
		unlink(path_in(path, sizeof(path), TMPC, names[i]));
	}
	unlinkat(AT_FDCWD, TMPD, AT_REMOVEDIR);
	unlinkat(AT_FDCWD, TMPC, AT_REMOVEDIR);
}

int main(void)
{
	snprintf(TMPF, sizeof(TMPF), "/tmp/files_test.%d", getpid());
	snprintf(TMPD, sizeof(TMPD), "/tmp/files_dir.%d", getpid());
	snprintf(TMPC, sizeof(TMPC), "/tmp/files_cwd.%d", getpid());
	nclusters = test_nclusters();
	int status = ktap_run(cases, KTAP_NCASES(cases));
	cleanup();
	return status;
}
