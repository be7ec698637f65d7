/*
 * mlock.c - msync and the mlock family (man 2 msync, man 2 mlock): their
 * argument checks, the ranges that must be mapped, mlock's resident pages
 * and RLIMIT_MEMLOCK for an unprivileged caller.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define PG 4096

/* Three pages mapped, the middle one unmapped: a hole at p + PG. */
static char *map_with_hole(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || munmap(p + PG, PG) != 0)
		return NULL;
	return p;
}

static int t_msync_checks(void)
{
	char *p = map_with_hole();

	KTAP_CHECK(p != NULL);
	KTAP_CHECK(msync(p, PG, MS_SYNC) == 0);
	KTAP_CHECK(msync(p, PG, MS_ASYNC | MS_INVALIDATE) == 0);
	KTAP_CHECK_ERRNO(msync(p + 1, PG, MS_SYNC), EINVAL);
	KTAP_CHECK_ERRNO(msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL);
	KTAP_CHECK_ERRNO(msync(p, PG, 0x100), EINVAL);
	KTAP_CHECK_ERRNO(msync(p, 3 * PG, MS_SYNC), ENOMEM);
	munmap(p, 3 * PG);
	return KTAP_PASS;
}

/* LTP's mmap01 pattern: write through a shared file mapping, msync, read the file. */
static int t_msync_shared_file(void)
{
	char path[64], buf[8];
	int fd;
	char *m;

	snprintf(path, sizeof(path), "/tmp/mlock.%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	KTAP_CHECK(fd >= 0 && ftruncate(fd, PG) == 0);
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	KTAP_CHECK(m != MAP_FAILED);
	memcpy(m + 100, "synced", 6);
	KTAP_CHECK(msync(m, PG, MS_SYNC) == 0);
	KTAP_CHECK(pread(fd, buf, 6, 100) == 6 && memcmp(buf, "synced", 6) == 0);
	munmap(m, PG);
	close(fd);
	KTAP_CHECK(unlink(path) == 0);
	return KTAP_PASS;
}

static int t_mlock_checks(void)
{
	char *p = map_with_hole();

	KTAP_CHECK(p != NULL);
	KTAP_CHECK(mlock(p, PG) == 0);
	KTAP_CHECK(p[0] == 0 && p[PG - 1] == 0);       /* resident, still zero */
	KTAP_CHECK(munlock(p, PG) == 0);
	KTAP_CHECK(mlock(p + 2 * PG + 7, 10) == 0);    /* rounded to its page */
	KTAP_CHECK_ERRNO(mlock(p, 3 * PG), ENOMEM);
	KTAP_CHECK_ERRNO(munlock(p, 3 * PG), ENOMEM);
	KTAP_CHECK_ERRNO(syscall(SYS_mlock2, p, PG, 0x80), EINVAL);
	KTAP_CHECK(syscall(SYS_mlock2, p, PG, MLOCK_ONFAULT) == 0);
	munlock(p, PG);
	munlock(p + 2 * PG, PG);
	munmap(p, 3 * PG);
	return KTAP_PASS;
}

static int child_memlock_limit(void)
{
	struct rlimit rl = { 0, 0 };
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || setuid(65534) != 0)
		return 1;
	rl.rlim_cur = rl.rlim_max = PG;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		return 2;
	if (mlock(p, PG) != 0)
		return 3;
	errno = 0;
	if (mlock(p, 2 * PG) != -1 || errno != ENOMEM)   /* more than the limit */
		return 4;
	rl.rlim_cur = rl.rlim_max = 0;
	if (munlock(p, PG) != 0 || setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		return 5;
	errno = 0;
	if (mlock(p, PG) != -1 || errno != EPERM)        /* no right to lock at all */
		return 6;
	return 0;
}

static int t_memlock_limit_unprivileged(void)
{
	pid_t pid;

	if (geteuid() != 0)
		return ktap_skip("not run as root");
	pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(child_memlock_limit());
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_msync_checks),
	KTAP_CASE(t_msync_shared_file),
	KTAP_CASE(t_mlock_checks),
	KTAP_CASE(t_memlock_limit_unprivileged),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
