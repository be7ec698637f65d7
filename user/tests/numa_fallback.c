/*
 * numa_fallback.c - Linux's default memory policy across clusters: a
 * process whose cluster runs out of free pages gets its anonymous pages
 * from the other clusters (nearest first), instead of dying of SIGSEGV,
 * and the nodes' numastat (/sys/devices/system/node/node<N>/numastat)
 * counts it: numa_foreign on the wanted node, numa_miss and other_node on
 * the nodes that gave the pages.
 *
 * A child placed in one cluster maps and touches 16 MiB more than that
 * cluster has free. Page-table pages still come from the process's own
 * cluster only, so the child first touches one byte per 2 MiB (every
 * page-table page made while the cluster has memory), then every page.
 * On Linux and on one cluster the cases SKIP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "nodeutil.h"

#define PAGE 4096UL
#define MIB  (1024UL * 1024UL)

static int nclusters;   /* 0 on Linux */

/* One counter of node's numastat ("numa_miss 12"), or -1. */
static long node_numastat(int node, const char *key)
{
	char buf[512];
	size_t klen = strlen(key);

	if (node_read(node, "numastat", buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return strtol(line + klen + 1, NULL, 10);
	}
	return -1;
}

/* Sum of a numastat counter over every node but @skip. */
static long others_numastat(int skip, const char *key)
{
	long sum = 0;
	for (int i = 0; i < nclusters; i++)
		if (i != skip)
			sum += node_numastat(i, key);
	return sum;
}

/*
 * In the child (cluster c): maps and fills @bytes, checks every page kept
 * its pattern. Exit 0 on success, 1 when the mapping fails, 2 on a lost
 * pattern.
 */
static void fill_and_check(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (size_t off = 0; off < bytes; off += 2 * MIB)
		p[off] = 1;                           /* every page-table page, while there is room */
	for (size_t off = 0; off < bytes; off += PAGE)
		*(uint64_t *)(p + off) = off ^ 0x5a5a5a5a5a5a5a5aULL;
	for (size_t off = 0; off < bytes; off += PAGE)
		if (*(uint64_t *)(p + off) != (off ^ 0x5a5a5a5a5a5a5a5aULL))
			_exit(2);
	munmap(p, bytes);
	_exit(0);
}

static int t_fallback_to_other_clusters(void)
{
	char buf[64];
	if (!nclusters)
		return ktap_skip("not Archipel");
	if (nclusters < 2)
		return ktap_skip("one cluster: nowhere to fall back");
	int c = nclusters - 1;
	long free_kb = node_meminfo_kb(c, "MemFree");
	long total_free = 0;
	for (int i = 0; i < nclusters; i++)
		total_free += node_meminfo_kb(i, "MemFree");
	KTAP_CHECKF(free_kb > 0, "node %d MemFree unreadable", c);
	size_t bytes = (size_t)free_kb * 1024 + 16 * MIB;
	if (total_free - free_kb < 48 * 1024)
		return ktap_skip("the other clusters have less than 48 MiB free");
	long foreign = node_numastat(c, "numa_foreign");
	long miss = others_numastat(c, "numa_miss");
	long other = others_numastat(c, "other_node");
	KTAP_CHECKF(foreign >= 0 && miss >= 0 && other >= 0, "numastat unreadable");

	pid_t pid = test_fork_in(c);
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		fill_and_check(bytes);
	int status = test_wait(pid);
	KTAP_CHECKF(test_exited_with(status, 0),
		    "child touching %zu MiB in cluster %d (%ld MiB free there): %s", bytes / MIB, c,
		    free_kb / 1024, test_status_str(status, buf, sizeof(buf)));
	long pages_over = (long)(16 * MIB / PAGE);
	KTAP_CHECKF(node_numastat(c, "numa_foreign") - foreign >= pages_over,
		    "node %d numa_foreign grew by %ld, want >= %ld", c,
		    node_numastat(c, "numa_foreign") - foreign, pages_over);
	KTAP_CHECKF(others_numastat(c, "numa_miss") - miss >= pages_over,
		    "other nodes' numa_miss grew by %ld", others_numastat(c, "numa_miss") - miss);
	KTAP_CHECKF(others_numastat(c, "other_node") - other >= pages_over,
		    "other nodes' other_node grew by %ld", others_numastat(c, "other_node") - other);
	return KTAP_PASS;
}

/* The numastat file has Linux's six lines, numa_hit counting this test's own pages. */
static int t_numastat_format(void)
{
	static const char *const keys[] = { "numa_hit", "numa_miss", "numa_foreign",
					    "interleave_hit", "local_node", "other_node" };
	if (!nclusters)
		return ktap_skip("not Archipel");
	for (int n = 0; n < nclusters; n++)
		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			KTAP_CHECKF(node_numastat(n, keys[k]) >= 0, "node %d has no %s", n, keys[k]);
	int here = archipel_cluster();
	long hit = node_numastat(here, "numa_hit");
	char *p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	for (int i = 0; i < 64; i++)
		p[i * PAGE] = 1;
	long now = node_numastat(archipel_cluster(), "numa_hit");
	munmap(p, 64 * PAGE);
	if (archipel_cluster() == here)
		KTAP_CHECKF(now - hit >= 64, "numa_hit of node %d grew by %ld for 64 pages", here,
			    now - hit);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_numastat_format),
	KTAP_CASE(t_fallback_to_other_clusters),
};

int main(void)
{
	nclusters = test_nclusters();
	return ktap_run(cases, KTAP_NCASES(cases));
}
