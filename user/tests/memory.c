/*
 * memory.c - the address space: a 64 MiB anonymous mapping, brk growth and
 * shrink, 1 MiB of stack growth, a file mapping, mprotect and munmap (a
 * touch of what is gone or read-only kills a child with SIGSEGV), and the
 * mmap errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define PAGE 4096UL
#define MIB  (1024UL * 1024UL)

static int expect_segv(int status, const char *what)
{
	char buf[64];
	KTAP_CHECKF(test_killed_by(status, SIGSEGV), "%s: child %s, expected SIGSEGV", what,
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

static int t_anon_64mib(void)
{
	const size_t size = 64 * MIB;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(p != MAP_FAILED);
	KTAP_CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
	for (size_t off = 0; off < size; off += PAGE) {
		uint64_t *w = (uint64_t *)(p + off);
		if (w[1] != 0) {
			ktap_diag("page at offset %zu is not zero-filled", off);
			munmap(p, size);
			return KTAP_FAIL;
		}
		w[0] = off ^ 0xa5a5a5a5a5a5a5a5ULL;
		w[PAGE / 8 - 1] = ~off;
	}
	for (size_t off = 0; off < size; off += PAGE) {
		uint64_t *w = (uint64_t *)(p + off);
		if (w[0] != (off ^ 0xa5a5a5a5a5a5a5a5ULL) || w[PAGE / 8 - 1] != ~off) {
			ktap_diag("page at offset %zu lost its pattern", off);
			munmap(p, size);
			return KTAP_FAIL;
		}
	}
	KTAP_CHECK(munmap(p, size) == 0);
	KTAP_CHECK(expect_segv(test_in_child(test_read_byte, p + size / 2), "read after munmap")
		   == KTAP_PASS);
	return KTAP_PASS;
}

static int t_munmap_hole(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	memset(p, 0x11, 3 * PAGE);
	KTAP_CHECK(munmap(p + PAGE, PAGE) == 0);
	KTAP_CHECK(p[0] == 0x11 && p[PAGE - 1] == 0x11);
	KTAP_CHECK(p[2 * PAGE] == 0x11 && p[3 * PAGE - 1] == 0x11);
	p[0] = 0x22;
	p[2 * PAGE] = 0x33;
	KTAP_CHECK(p[0] == 0x22 && p[2 * PAGE] == 0x33);
	KTAP_CHECK(expect_segv(test_in_child(test_read_byte, p + PAGE), "read in the hole") == KTAP_PASS);
	KTAP_CHECK(munmap(p, 3 * PAGE) == 0);   /* across the hole: fine */
	return KTAP_PASS;
}

/* The brk(2) system call itself (musl's brk()/sbrk(n) refuse to move the break). */
static char *sys_brk(char *addr)
{
	return (char *)syscall(SYS_brk, addr);
}

static int t_brk_grow_shrink(void)
{
	const long grow = 8 * MIB;
	char *start = sys_brk(NULL);

	KTAP_CHECK(start != NULL && start == sbrk(0));
	KTAP_CHECK(sys_brk(start + grow) == start + grow);
	KTAP_CHECK((char *)sbrk(0) == start + grow);
	for (long off = 0; off < grow; off += PAGE)
		start[off] = (char)(off >> 12);
	for (long off = 0; off < grow; off += PAGE)
		KTAP_CHECKF(start[off] == (char)(off >> 12), "brk page at offset %ld lost its "
			    "value", off);
	KTAP_CHECK(sys_brk(start) == start);
	KTAP_CHECK(sbrk(0) == start);
	/* the released range is gone (start rounded up to a page boundary) */
	char *gone = (char *)(((uintptr_t)start + PAGE - 1) & ~(PAGE - 1)) + 2 * PAGE;
	KTAP_CHECK(expect_segv(test_in_child(test_write_byte, gone), "write above the shrunk brk")
		   == KTAP_PASS);
	/* an impossible break is refused: brk returns the current one */
	KTAP_CHECK(sys_brk((char *)0x7ffffffff000UL) == start);
	KTAP_CHECK(sbrk(0) == start);
	return KTAP_PASS;
}

/* 256 frames of 4 KiB: about 1 MiB of stack. */
static unsigned long recurse(int depth)
{
	volatile unsigned char frame[4096];
	for (size_t i = 0; i < sizeof(frame); i += 512)
		frame[i] = (unsigned char)(depth + i);
	unsigned long sum = depth ? recurse(depth - 1) : 0;
	for (size_t i = 0; i < sizeof(frame); i += 512)
		sum += frame[i];
	return sum;
}

static void grow_stack(void *arg)
{
	unsigned long want = *(unsigned long *)arg;
	_exit(recurse(255) == want ? 0 : 1);
}

static int t_stack_growth_1mib(void)
{
	unsigned long want = 0;
	for (int depth = 0; depth <= 255; depth++)
		for (size_t i = 0; i < 4096; i += 512)
			want += (unsigned char)(depth + i);
	int status = test_in_child(grow_stack, &want);
	char buf[64];
	KTAP_CHECKF(test_exited_with(status, 0), "child that recursed 1 MiB deep %s",
		    test_status_str(status, buf, sizeof(buf)));
	KTAP_CHECK(recurse(255) == want);   /* and in this process too */
	return KTAP_PASS;
}

static int t_file_mapping(void)
{
	const char *path = test_plain_file();
	char data[4096];
	int fd = open(path, O_RDONLY);

	KTAP_CHECKF(fd >= 0, "open %s", path);
	ssize_t n = test_read_all(fd, data, sizeof(data));
	KTAP_CHECK(n > 0);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);   /* the mapping stays */
	KTAP_CHECK(p != MAP_FAILED);
	KTAP_CHECKF(memcmp(p, data, (size_t)n) == 0, "mapping of %s differs from read()", path);
	if ((size_t)n < PAGE)
		for (size_t i = (size_t)n; i < PAGE; i++)
			KTAP_CHECKF(p[i] == 0, "byte %zu after the end of file is not 0", i);
	KTAP_CHECK(expect_segv(test_in_child(test_write_byte, p), "write to a PROT_READ file mapping")
		   == KTAP_PASS);
	KTAP_CHECK(munmap(p, PAGE) == 0);
	return KTAP_PASS;
}

static int t_file_mapping_private_write(void)
{
	const char *path = test_plain_file();
	char first;
	int fd = open(path, O_RDONLY);

	KTAP_CHECK(fd >= 0);
	KTAP_CHECK(read(fd, &first, 1) == 1);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	KTAP_CHECK(p != MAP_FAILED);
	KTAP_CHECK(p[0] == first);
	p[0] = (char)~first;                /* private copy: the file is untouched */
	KTAP_CHECK(p[0] == (char)~first);
	char again;
	KTAP_CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, &again, 1) == 1);
	close(fd);
	KTAP_CHECKF(again == first, "a MAP_PRIVATE write reached the file");
	KTAP_CHECK(munmap(p, PAGE) == 0);
	return KTAP_PASS;
}

static int t_mprotect_read_only(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	p[0] = 42;
	p[PAGE] = 43;
	KTAP_CHECK(mprotect(p, PAGE, PROT_READ) == 0);
	KTAP_CHECK(p[0] == 42);              /* still readable */
	KTAP_CHECK(expect_segv(test_in_child(test_write_byte, p), "write to a PROT_READ page")
		   == KTAP_PASS);
	p[PAGE] = 44;                        /* the other page is still writable */
	KTAP_CHECK(p[0] == 42 && p[PAGE] == 44);
	KTAP_CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 45;
	KTAP_CHECK(p[0] == 45);
	KTAP_CHECK(mprotect(p, PAGE, PROT_NONE) == 0);
	KTAP_CHECK(expect_segv(test_in_child(test_read_byte, p), "read of a PROT_NONE page")
		   == KTAP_PASS);
	KTAP_CHECK(munmap(p, 2 * PAGE) == 0);
	return KTAP_PASS;
}

static int t_mmap_errors(void)
{
	KTAP_CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
			 MAP_FAILED ? -1 : 0, EINVAL);
	KTAP_CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0) ==
			 MAP_FAILED ? -1 : 0, EBADF);
	KTAP_CHECK_ERRNO(munmap((void *)0x1001, PAGE), EINVAL);
	/* raw calls: musl's mprotect rounds the address down to a page */
	KTAP_CHECK_ERRNO(syscall(SYS_mprotect, 0x1001UL, PAGE, PROT_READ), EINVAL);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_CHECK(p != MAP_FAILED && munmap(p, PAGE) == 0);
	KTAP_CHECK_ERRNO(syscall(SYS_mprotect, p, PAGE, PROT_READ), ENOMEM);   /* unmapped */
	return KTAP_PASS;
}

static int t_mmap_fixed(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	memset(p, 7, 4 * PAGE);
	char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	KTAP_CHECK(q == p + PAGE);
	KTAP_CHECK(q[0] == 0 && q[PAGE - 1] == 0);   /* fresh zero page replaced the old one */
	KTAP_CHECK(p[0] == 7 && p[2 * PAGE] == 7);
	KTAP_CHECK(munmap(p, 4 * PAGE) == 0);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_anon_64mib),
	KTAP_CASE(t_munmap_hole),
	KTAP_CASE(t_brk_grow_shrink),
	KTAP_CASE(t_stack_growth_1mib),
	KTAP_CASE(t_file_mapping),
	KTAP_CASE(t_file_mapping_private_write),
	KTAP_CASE(t_mprotect_read_only),
	KTAP_CASE(t_mmap_errors),
	KTAP_CASE(t_mmap_fixed),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
