/*
 * cow.c - copy-on-write after fork, on every kind of private memory: DATA
 * (initialised globals), BSS, heap (malloc), stack and an anonymous mmap.
 * Isolation in both directions, concurrent writers, three generations, the
 * pages of a parent that has exited, fork after a COW break, and (Archipel)
 * the COW fault counter. Children go to another cluster when there are
 * several, so that the copies are made across clusters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define PAGE       4096
#define WORDS      (2 * PAGE / sizeof(long))    /* two pages per region */
#define NREGIONS   5

static long g_data[WORDS] = { 1 };              /* .data */
static long g_bss[WORDS];                       /* .bss */
static long *g_heap;                            /* malloc */
static long *g_anon;                            /* mmap MAP_ANONYMOUS */
static const char *const region_names[NREGIONS] = { "data", "bss", "heap", "stack", "anon" };

struct regions {
	long *r[NREGIONS];
};

static struct regions regions_with(long *stack)
{
	struct regions R = { { g_data, g_bss, g_heap, stack, g_anon } };
	return R;
}

/* Write a value-dependent pattern into every word of every region. */
static void fill(const struct regions *R, long value)
{
	for (int i = 0; i < NREGIONS; i++) {
		volatile long *p = R->r[i];
		for (size_t w = 0; w < WORDS; w++)
			p[w] = value ^ (long)(w * 0x9e3779b1UL) ^ ((long)i << 56);
	}
}

/* Index of the first region that does not hold fill(value)'s pattern, or -1. */
static int check(const struct regions *R, long value)
{
	for (int i = 0; i < NREGIONS; i++) {
		volatile long *p = R->r[i];
		for (size_t w = 0; w < WORDS; w++)
			if (p[w] != (value ^ (long)(w * 0x9e3779b1UL) ^ ((long)i << 56)))
				return i;
	}
	return -1;
}

/* Exit code of a child: 0 ok, 10+region of the first mismatch. */
static int code_of(int bad)
{
	return bad < 0 ? 0 : 10 + bad;
}

static int expect_child_ok(int status, const char *who)
{
	char buf[64];
	if (test_exited_with(status, 0))
		return KTAP_PASS;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) >= 10 &&
	    WEXITSTATUS(status) < 10 + NREGIONS)
		ktap_diag("%s saw wrong data in region %s", who,
			  region_names[WEXITSTATUS(status) - 10]);
	else
		ktap_diag("%s %s", who, test_status_str(status, buf, sizeof(buf)));
	return KTAP_FAIL;
}

#define CHECK_REGIONS(R, v) do {                                                   \
	int bad_ = check(R, v);                                                    \
	KTAP_CHECKF(bad_ < 0, "region %s does not hold the value written",         \
		    bad_ < 0 ? "" : region_names[bad_]);                           \
} while (0)

static int t_parent_write_not_seen_by_child(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);
	int p[2];
	char c = 0;

	fill(&R, 0x1111);
	KTAP_CHECK(pipe(p) == 0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)   /* the parent has written its new values */
			_exit(2);
		_exit(code_of(check(&R, 0x1111)));
	}
	close(p[0]);
	fill(&R, 0x2222);
	KTAP_CHECK(write(p[1], &c, 1) == 1);
	close(p[1]);
	KTAP_CHECK(expect_child_ok(test_wait(pid), "child") == KTAP_PASS);
	CHECK_REGIONS(&R, 0x2222);
	return KTAP_PASS;
}

static int t_child_write_not_seen_by_parent(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);
	struct test_pipes tp;
	signed char r = 0;

	fill(&R, 0x3333);
	pid_t pid = test_fork_piped(&tp, test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		fill(&R, 0x4444);
		r = (signed char)check(&R, 0x4444);
		write(tp.up[1], &r, 1);
		if (read(tp.down[0], &r, 1) != 1)   /* the parent has checked its copy */
			_exit(2);
		_exit(code_of(check(&R, 0x4444)));
	}
	KTAP_CHECK(read(tp.up[0], &r, 1) == 1);
	KTAP_CHECKF(r < 0, "the child's own write is not visible to it (region %d)", r);
	CHECK_REGIONS(&R, 0x3333);          /* while the child lives */
	KTAP_CHECK(write(tp.down[1], &r, 1) == 1);
	test_pipes_close(&tp);
	KTAP_CHECK(expect_child_ok(test_wait(pid), "child") == KTAP_PASS);
	CHECK_REGIONS(&R, 0x3333);          /* and after it exited */
	return KTAP_PASS;
}

static int t_both_write_concurrently(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);
	struct test_pipes tp;
	char c = 0;

	fill(&R, 0x5555);
	pid_t pid = test_fork_piped(&tp, test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		fill(&R, 0x6666);
		write(tp.up[1], &c, 1);
		if (read(tp.down[0], &c, 1) != 1)
			_exit(2);
		_exit(code_of(check(&R, 0x6666)));
	}
	fill(&R, 0x7777);
	KTAP_CHECK(read(tp.up[0], &c, 1) == 1);    /* both have written */
	KTAP_CHECK(write(tp.down[1], &c, 1) == 1);
	test_pipes_close(&tp);
	CHECK_REGIONS(&R, 0x7777);
	KTAP_CHECK(expect_child_ok(test_wait(pid), "child") == KTAP_PASS);
	return KTAP_PASS;
}

/*
 * Three generations: parent (P), child (C) and grandchild (G) share the
 * original pages. Barrier 1: C and G have checked that they see the original.
 * Then each writes its own value. Barrier 2: all have written. Each checks it
 * still sees its own value. C and G report one byte each on the report pipe
 * (0 = good), the test's main process (P) coordinates the barriers.
 */
static void generation(const struct regions *R, long mine, int rp, int gp)
{
	signed char r = (signed char)check(R, 0x8888);
	char c;

	write(rp, &r, 1);                    /* barrier 1: saw the original (or not) */
	if (read(gp, &c, 1) != 1)
		_exit(2);
	fill(R, mine);
	write(rp, &c, 1);                    /* barrier 2: written */
	if (read(gp, &c, 1) != 1)
		_exit(2);
	r = (signed char)check(R, mine);
	write(rp, &r, 1);                    /* result */
}

static int t_three_generations(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);
	int rp[2], gc[2], gg[2];            /* report pipe; go pipes of C and of G */
	signed char r[2];
	char go = 0;
	int n = test_nclusters();
	int here = archipel_cluster();

	fill(&R, 0x8888);
	KTAP_CHECK(pipe(rp) == 0 && pipe(gc) == 0 && pipe(gg) == 0);
	pid_t pid = test_fork_in(n > 1 ? (here + 1) % n : 0);
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		close(rp[0]);
		close(gc[1]);
		close(gg[1]);
		pid_t g = test_fork_in(n > 1 ? (here + 2) % n : 0);
		if (g == 0) {
			close(gc[0]);
			generation(&R, 0xbbbb, rp[1], gg[0]);
			_exit(0);
		}
		close(gg[0]);
		generation(&R, 0xaaaa, rp[1], gc[0]);
		_exit(g > 0 && test_exited_with(test_wait(g), 0) ? 0 : 3);
	}
	close(rp[1]);
	close(gc[0]);
	close(gg[0]);
	KTAP_CHECK(test_read_all(rp[0], r, 2) == 2);
	KTAP_CHECKF(r[0] < 0 && r[1] < 0, "child or grandchild does not see the original data");
	fill(&R, 0x9999);
	KTAP_CHECK(write(gc[1], &go, 1) == 1 && write(gg[1], &go, 1) == 1);
	KTAP_CHECK(test_read_all(rp[0], r, 2) == 2);   /* all have written */
	KTAP_CHECK(write(gc[1], &go, 1) == 1 && write(gg[1], &go, 1) == 1);
	KTAP_CHECK(test_read_all(rp[0], r, 2) == 2);
	close(rp[0]);
	close(gc[1]);
	close(gg[1]);
	KTAP_CHECKF(r[0] < 0 && r[1] < 0, "a generation sees another's write");
	CHECK_REGIONS(&R, 0x9999);
	KTAP_CHECK(expect_child_ok(test_wait(pid), "child") == KTAP_PASS);
	return KTAP_PASS;
}

/*
 * COW after the parent exits: the child writes its own values, forks a
 * grandchild (sharing the child's pages), and exits. The grandchild waits
 * for that (EOF on a pipe only the child held), then checks it sees the
 * child's values, overwrites them and checks again; it reports to the test
 * through the report pipe.
 */
static int t_after_parent_exit(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);
	int rp[2];
	signed char r[2] = { 99, 99 };

	fill(&R, 0xcccc);
	KTAP_CHECK(pipe(rp) == 0);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		int held[2];
		char c;
		close(rp[0]);
		fill(&R, 0xdddd);
		if (pipe(held) < 0)
			_exit(2);
		pid_t g = fork();
		if (g == 0) {
			close(held[1]);
			while (read(held[0], &c, 1) > 0)    /* EOF: the child exited */
				;
			r[0] = (signed char)check(&R, 0xdddd);
			fill(&R, 0xeeee);
			r[1] = (signed char)check(&R, 0xeeee);
			write(rp[1], r, 2);
			_exit(0);
		}
		_exit(g > 0 ? 0 : 3);
	}
	close(rp[1]);
	KTAP_CHECK(expect_child_ok(test_wait(pid), "child") == KTAP_PASS);
	ssize_t got = test_read_all(rp[0], r, 2);   /* EOF when the grandchild is done */
	close(rp[0]);
	KTAP_CHECKF(got == 2, "no report from the grandchild (got %zd bytes)", got);
	KTAP_CHECKF(r[0] < 0, "grandchild: the exited parent's values are lost (region %s)",
		    region_names[r[0] >= 0 && r[0] < NREGIONS ? r[0] : 0]);
	KTAP_CHECKF(r[1] < 0, "grandchild: its own write is not visible (region %s)",
		    region_names[r[1] >= 0 && r[1] < NREGIONS ? r[1] : 0]);
	CHECK_REGIONS(&R, 0xcccc);
	return KTAP_PASS;
}

static int t_refork_sees_latest(void)
{
	long stack[WORDS];
	struct regions R = regions_with(stack);

	fill(&R, 0x1357);
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(code_of(check(&R, 0x1357)));
	KTAP_CHECK(expect_child_ok(test_wait(pid), "first child") == KTAP_PASS);
	fill(&R, 0x2468);                   /* pages no longer shared: written in place */
	pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(code_of(check(&R, 0x2468)));
	KTAP_CHECK(expect_child_ok(test_wait(pid), "second child") == KTAP_PASS);
	CHECK_REGIONS(&R, 0x2468);
	return KTAP_PASS;
}

static int t_many_pages(void)
{
	enum { SIZE = 1 << 20 };
	unsigned char *buf = malloc(SIZE);

	KTAP_CHECK(buf != NULL);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 12));
	pid_t pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		for (size_t i = 0; i < SIZE; i += PAGE)
			if (buf[i] != (unsigned char)(i * 7 + (i >> 12)))
				_exit(1);
		for (size_t i = 0; i < SIZE; i++)
			buf[i] = (unsigned char)~(i * 7 + (i >> 12));
		for (size_t i = 0; i < SIZE; i++)
			if (buf[i] != (unsigned char)~(i * 7 + (i >> 12)))
				_exit(2);
		_exit(0);
	}
	int status = test_wait(pid);
	size_t bad = SIZE;
	for (size_t i = 0; i < SIZE && bad == SIZE; i++)
		if (buf[i] != (unsigned char)(i * 7 + (i >> 12)))
			bad = i;
	free(buf);
	KTAP_CHECKF(test_exited_with(status, 0), "child status 0x%x (1: saw wrong data, "
		    "2: its writes did not stick)", status);
	KTAP_CHECKF(bad == SIZE, "parent's byte %zu changed by the child's write", bad);
	return KTAP_PASS;
}

static int t_cow_faults_counted(void)
{
	enum { PAGES = 8 };
	int n = test_nclusters();

	if (!n)
		return ktap_skip("not Archipel");
	char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	memset(p, 0x5a, PAGES * PAGE);
	pid_t pid = test_fork_in(archipel_cluster());   /* same cluster: PTEs copied at fork */
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		struct archipel_counters a, b;
		volatile char sum = 0;
		for (int i = 0; i < PAGES; i++)
			sum += p[i * PAGE];          /* mapped, read-only */
		if (archipel_counters(&a) < 0)
			_exit(1);
		for (int i = 0; i < PAGES; i++)
			p[i * PAGE] = 1;             /* one COW fault per page */
		if (archipel_counters(&b) < 0)
			_exit(1);
		_exit(b.faults_cow >= a.faults_cow + PAGES ? 0 : 2);
	}
	int status = test_wait(pid);
	munmap(p, PAGES * PAGE);
	KTAP_CHECKF(test_exited_with(status, 0),
		    "child status 0x%x (2: faults_cow grew by less than %d)", status, PAGES);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_parent_write_not_seen_by_child),
	KTAP_CASE(t_child_write_not_seen_by_parent),
	KTAP_CASE(t_both_write_concurrently),
	KTAP_CASE(t_three_generations),
	KTAP_CASE(t_after_parent_exit),
	KTAP_CASE(t_refork_sees_latest),
	KTAP_CASE(t_many_pages),
	KTAP_CASE(t_cow_faults_counted),
};

int main(void)
{
	g_heap = malloc(WORDS * sizeof(long));
	g_anon = mmap(NULL, WORDS * sizeof(long), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!g_heap || g_anon == MAP_FAILED) {
		ktap_plan(1);
		ktap_diag("cannot allocate the heap or anonymous region: %s", strerror(errno));
		ktap_result(0, "setup");
		return 1;
	}
	return ktap_run(cases, KTAP_NCASES(cases));
}
