/*
 * fileattr.c - file attributes and the calls LTP's library set-up needs:
 * chmod/fchmod/fchmodat, chown/fchown/lchown/fchownat (owner in st_uid /
 * st_gid, set-user-ID cleared), umask (applied to open(O_CREAT) and mkdir),
 * truncate/ftruncate (grow as a hole, shrink, zeroed tail, errors),
 * statfs/fstatfs, and writable MAP_SHARED file mappings: the file's own
 * pages, seen by read(2) and by a child forked into another cluster.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static char TMPF[64], TMPD[64];

static int make_file(mode_t mode)
{
	unlink(TMPF);
	return open(TMPF, O_RDWR | O_CREAT | O_EXCL, mode);
}

static int t_chmod_sets_mode_bits(void)
{
	struct stat st;
	int fd = make_file(0600);

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(chmod(TMPF, 04751) == 0);
	KTAP_CHECK(stat(TMPF, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 04751);
	KTAP_CHECK(fchmod(fd, 0640) == 0);
	KTAP_CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640);
	KTAP_CHECK(fchmodat(AT_FDCWD, TMPF, 0444, 0) == 0);
	KTAP_CHECK(stat(TMPF, &st) == 0 && (st.st_mode & 07777) == 0444);
	KTAP_CHECK_ERRNO(chmod("/tmp/no/such/file", 0644), ENOENT);
	KTAP_CHECK_ERRNO(fchmod(-1, 0644), EBADF);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static int t_chown_sets_owner(void)
{
	struct stat st;
	int fd = make_file(0644);

	if (geteuid() != 0)
		return ktap_skip("needs root to give a file away");
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(chown(TMPF, 65534, 65534) == 0);
	KTAP_CHECK(stat(TMPF, &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534);
	KTAP_CHECK(fchown(fd, -1, 0) == 0);          /* -1: unchanged */
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_uid == 65534 && st.st_gid == 0);
	KTAP_CHECK(lchown(TMPF, 0, -1) == 0);
	KTAP_CHECK(fchownat(AT_FDCWD, TMPF, -1, 7, 0) == 0);
	KTAP_CHECK(stat(TMPF, &st) == 0 && st.st_uid == 0 && st.st_gid == 7);
	KTAP_CHECK(fchownat(fd, "", 3, -1, AT_EMPTY_PATH) == 0);
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_uid == 3);
	KTAP_CHECK_ERRNO(fchownat(AT_FDCWD, TMPF, 0, 0, 0x8000000), EINVAL);
	KTAP_CHECK_ERRNO(chown("/tmp/no/such/file", 0, 0), ENOENT);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

/* man 2 chown: a change of owner clears set-user-ID, and set-group-ID with group exec. */
static int t_chown_clears_setuid(void)
{
	struct stat st;
	int fd = make_file(0644);

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(fchmod(fd, 06755) == 0);
	KTAP_CHECK(fchown(fd, geteuid(), -1) == 0);
	KTAP_CHECK(fstat(fd, &st) == 0);
	KTAP_CHECKF((st.st_mode & 07777) == 0755, "mode %o after chown", st.st_mode & 07777);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static int t_umask_applies_to_creation(void)
{
	struct stat st;
	mode_t old = umask(027);
	int fd;

	KTAP_CHECK(umask(027) == 027);
	fd = make_file(0666);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640);
	close(fd);
	rmdir(TMPD);
	KTAP_CHECK(mkdir(TMPD, 0777) == 0);
	KTAP_CHECK(stat(TMPD, &st) == 0 && (st.st_mode & 0777) == 0750);
	KTAP_CHECK(rmdir(TMPD) == 0);
	KTAP_CHECK(umask(old) == 027);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

/* umask is inherited over fork. */
static int t_umask_inherited_by_child(void)
{
	mode_t old = umask(0073);
	pid_t pid = fork();

	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(umask(0) == 0073 ? 0 : 1);
	umask(old);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	return KTAP_PASS;
}

static int t_truncate_grows_and_shrinks(void)
{
	char buf[8192];
	struct stat st;
	int fd = make_file(0644);

	KTAP_CHECK(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	KTAP_CHECK(write(fd, buf, 6000) == 6000);
	KTAP_CHECK(ftruncate(fd, 5000) == 0);
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_size == 5000);
	KTAP_CHECK(truncate(TMPF, 9000) == 0);     /* grows: the bytes past 5000 read as zeros */
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_size == 9000);
	KTAP_CHECK(pread(fd, buf, sizeof(buf), 0) == 8192);
	KTAP_CHECK(buf[4999] == 'x' && buf[5000] == 0 && buf[6000] == 0 && buf[8191] == 0);
	KTAP_CHECK(ftruncate(fd, 0) == 0);
	KTAP_CHECK(fstat(fd, &st) == 0 && st.st_size == 0 && st.st_blocks == 0);
	KTAP_CHECK_ERRNO(ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open(TMPF, O_RDONLY);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK_ERRNO(ftruncate(fd, 10), EINVAL);  /* not open for writing */
	close(fd);
	KTAP_CHECK_ERRNO(truncate("/tmp", 0), EISDIR);
	KTAP_CHECK_ERRNO(truncate("/tmp/no/such/file", 0), ENOENT);
	KTAP_CHECK_ERRNO(ftruncate(-1, 0), EBADF);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static int t_statfs_reports_memory(void)
{
	struct statfs a, b;
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(statfs("/tmp", &a) == 0);
	KTAP_CHECK(fstatfs(fd, &b) == 0);
	close(fd);
	KTAP_CHECK(a.f_bsize > 0 && a.f_blocks > 0 && a.f_bfree <= a.f_blocks);
	KTAP_CHECK(a.f_bavail <= a.f_blocks && a.f_namelen >= 255);
	KTAP_CHECK(b.f_type == a.f_type && b.f_bsize == a.f_bsize);
	KTAP_CHECK_ERRNO(statfs("/tmp/no/such/file", &a), ENOENT);
	KTAP_CHECK_ERRNO(fstatfs(-1, &a), EBADF);
	KTAP_CHECK_ERRNO(syscall(SYS_statfs, "/tmp", 8L), EFAULT);   /* libc would touch it */
	return KTAP_PASS;
}

/* LTP's result area: a file, ftruncate'd, mapped MAP_SHARED and written by a child. */
static int t_shared_file_mapping(void)
{
	char buf[16];
	int fd = make_file(0600);
	volatile int *map;
	pid_t pid;

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(ftruncate(fd, 2 * 4096) == 0);
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	KTAP_CHECK(map != MAP_FAILED);
	map[0] = 0x41424344;                       /* reaches the file */
	KTAP_CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "DCBA", 4) == 0);
	KTAP_CHECK(pwrite(fd, "wxyz", 4, 4096) == 4);   /* the file reaches the mapping */
	KTAP_CHECK(map[1024] == 0x7a797877);
	pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		map[1] = 1234;                     /* the child's write, from another cluster */
		_exit(map[0] == 0x41424344 ? 0 : 1);
	}
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	KTAP_CHECK(map[1] == 1234);
	KTAP_CHECK(pread(fd, buf, 4, 4) == 4 && *(int *)buf == 1234);
	KTAP_CHECK(munmap((void *)map, 2 * 4096) == 0);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

/* man 2 mmap: EACCES for a shared writable mapping of a file not open read-write. */
static int t_shared_mapping_needs_rdwr(void)
{
	int fd = make_file(0600);

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(ftruncate(fd, 4096) == 0);
	close(fd);
	fd = open(TMPF, O_RDONLY);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		   errno == EACCES);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

/* mmap's checks in Linux's order (mm/mmap.c, do_mmap), and MAP_SHARED_VALIDATE (LTP's mmap06, mmap20). */
static int t_mmap_checks_and_validate(void)
{
	char buf[4];
	char *m;
	int fd = make_file(0600);

	KTAP_CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	close(fd);
	fd = open(TMPF, O_WRONLY);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), EINVAL);  /* before EACCES */
	KTAP_CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0), EACCES);
	close(fd);
	fd = open(TMPF, O_RDWR);
	KTAP_CHECK(fd >= 0);
	KTAP_CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, 0, fd, 0), EINVAL);   /* no type */
	KTAP_CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_SHARED, 99, 0), EBADF);  /* before length */
	KTAP_CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x400, fd, 0),
			 EOPNOTSUPP);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fd, 0);
	KTAP_CHECK(m != MAP_FAILED);
	memcpy(m, "vldt", 4);
	KTAP_CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "vldt", 4) == 0);
	munmap(m, 4096);
	close(fd);
	KTAP_CHECK(unlink(TMPF) == 0);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_chmod_sets_mode_bits),
	KTAP_CASE(t_chown_sets_owner),
	KTAP_CASE(t_chown_clears_setuid),
	KTAP_CASE(t_umask_applies_to_creation),
	KTAP_CASE(t_umask_inherited_by_child),
	KTAP_CASE(t_truncate_grows_and_shrinks),
	KTAP_CASE(t_statfs_reports_memory),
	KTAP_CASE(t_shared_file_mapping),
	KTAP_CASE(t_shared_mapping_needs_rdwr),
	KTAP_CASE(t_mmap_checks_and_validate),
};

int main(void)
{
	snprintf(TMPF, sizeof(TMPF), "/tmp/fileattr.%d", (int)getpid());
	snprintf(TMPD, sizeof(TMPD), "/tmp/fileattr.d.%d", (int)getpid());
	return ktap_run(cases, KTAP_NCASES(cases));
}
