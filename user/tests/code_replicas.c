/*
 * code_replicas.c - program text across clusters: the per-cluster replica
 * of each file page (kernel/mm/mapper.h), made once by the first process
 * copy of a cluster that runs the code and shared by every later one, and
 * the fault-around of CODE faults (Linux's do_fault_around): a fault maps
 * the pages of its 64 KiB window that the cluster already holds.
 *
 * The code is CODE_PAGES functions, each aligned on its own page. Children
 * forked into the last cluster run them; the node's FileReplicas
 * (/sys/devices/system/node/node<N>/meminfo) and the child's fault counters
 * (archipel_counters) say what the kernel did. On Linux the cases SKIP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "nodeutil.h"

#define CODE_PAGES 16

static int nclusters;   /* 0 on Linux */

/* CODE_PAGES functions, one page each: calling all of them touches CODE_PAGES text pages. */
#define PAGE_FN(i) \
	__attribute__((noinline, aligned(4096))) static int code_page_##i(int x) \
	{ return x * 3 + i; }
PAGE_FN(0) PAGE_FN(1) PAGE_FN(2) PAGE_FN(3) PAGE_FN(4) PAGE_FN(5) PAGE_FN(6) PAGE_FN(7)
PAGE_FN(8) PAGE_FN(9) PAGE_FN(10) PAGE_FN(11) PAGE_FN(12) PAGE_FN(13) PAGE_FN(14) PAGE_FN(15)

static int (*const code_fns[CODE_PAGES])(int) = {
	code_page_0, code_page_1, code_page_2, code_page_3, code_page_4, code_page_5,
	code_page_6, code_page_7, code_page_8, code_page_9, code_page_10, code_page_11,
	code_page_12, code_page_13, code_page_14, code_page_15,
};

/* Runs every page's function; returns their sum (so none is optimised away). */
static int run_code_pages(void)
{
	int sum = 0;
	for (int i = 0; i < CODE_PAGES; i++)
		sum += code_fns[i](i);
	return sum;
}

/* The sum run_code_pages() returns: x * 3 + i with x = i. */
static int expected_sum(void)
{
	int sum = 0;
	for (int i = 0; i < CODE_PAGES; i++)
		sum += i * 4;
	return sum;
}

/* kB of node's FileReplicas line, or -1 (no such line: the kernel keeps no replicas). */
static long node_replicas_kb(int node)
{
	return node_meminfo_kb(node, "FileReplicas");
}

/*
 * Forks a child into cluster @c that runs the code pages and exits 0 when
 * their sum is right and, if @max_faults >= 0, the run took at most
 * @max_faults local faults (else 3); 2 when the counters are unreadable.
 */
static pid_t fork_running_code(int c, long max_faults)
{
	pid_t pid = test_fork_in(c);
	if (pid != 0)
		return pid;
	struct archipel_counters before, after;
	if (archipel_counters(&before) < 0)
		_exit(2);
	int sum = run_code_pages();
	if (archipel_counters(&after) < 0)
		_exit(2);
	if (sum != expected_sum())
		_exit(1);
	if (max_faults >= 0 && (long)(after.faults_local - before.faults_local) > max_faults) {
		fprintf(stderr, "# %d code pages took %llu local faults\n", CODE_PAGES,
			(unsigned long long)(after.faults_local - before.faults_local));
		_exit(3);
	}
	_exit(0);
}

/* The cluster the children run in: another than ours when there are two. */
static int target_cluster(void)
{
	int self = archipel_cluster();
	return self == nclusters - 1 ? 0 : nclusters - 1;
}

static int t_code_runs_in_every_cluster(void)
{
	char buf[64];
	if (!nclusters) {
		KTAP_CHECK(run_code_pages() == expected_sum());
		return KTAP_PASS;
	}
	for (int c = 0; c < nclusters; c++) {
		pid_t pid = fork_running_code(c, -1);
		KTAP_CHECKF(pid > 0, "fork into cluster %d: errno %d", c, errno);
		int status = test_wait(pid);
		KTAP_CHECKF(test_exited_with(status, 0), "child in cluster %d: %s", c,
			    test_status_str(status, buf, sizeof(buf)));
	}
	return KTAP_PASS;
}

/* The second process copy of a cluster to run the code makes no new replica. */
static int t_replica_made_once(void)
{
	char buf[64];
	int c = target_cluster();
	if (!nclusters)
		return ktap_skip("not Archipel");
	pid_t pid = fork_running_code(c, -1);
	KTAP_CHECK(pid > 0);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	/* read twice: the first read runs (and may replicate) the reading code itself */
	long before = node_replicas_kb(c);
	before = node_replicas_kb(c);
	KTAP_CHECKF(before >= 0, "node %d meminfo has no FileReplicas line", c);
	pid = fork_running_code(c, -1);
	KTAP_CHECK(pid > 0);
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "second child: %s",
		    test_status_str(status, buf, sizeof(buf)));
	long after = node_replicas_kb(c);
	KTAP_CHECKF(after == before, "node %d FileReplicas %ld kB -> %ld kB for code it already held",
		    c, before, after);
	return KTAP_PASS;
}

/*
 * Once the cluster holds the pages, the CODE_PAGES pages (at most two
 * aligned 16-page windows) fault at most twice: fault-around maps the rest.
 */
static int t_fault_around(void)
{
	char buf[64];
	int c = target_cluster();
	if (!nclusters)
		return ktap_skip("not Archipel");
	pid_t pid = fork_running_code(c, -1);          /* the cluster gets the pages */
	KTAP_CHECK(pid > 0);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	pid = fork_running_code(c, 2);
	KTAP_CHECK(pid > 0);
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0), "child with the pages cached: %s (3: too many faults)",
		    test_status_str(status, buf, sizeof(buf)));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_code_runs_in_every_cluster),
	KTAP_CASE(t_replica_made_once),
	KTAP_CASE(t_fault_around),
};

int main(void)
{
	nclusters = test_nclusters();
	return ktap_run(cases, KTAP_NCASES(cases));
}
