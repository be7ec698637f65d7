/*
 * fork_tree.c - where children run: forced placement in every cluster
 * (archipel_fork_place), placement from a remote cluster, a two-level tree
 * placed by the DQDT, the private calls' errors. On Linux the cluster checks
 * are SKIPped and the private calls must fail with ENOSYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define TREE_MAX_CHILDREN 8
#define TREE_GRANDCHILDREN 2

static int nclusters;   /* 0 on Linux */

/* Fork a child placed in cluster c that exits with its cluster (or 250 on error). */
static pid_t fork_reporting_cluster(int c)
{
	pid_t pid = test_fork_in(c);
	if (pid == 0) {
		int here = archipel_cluster();
		_exit(here < 0 || here > 249 ? 250 : here);
	}
	return pid;
}

static int t_place_each_cluster(void)
{
	if (!nclusters)
		return ktap_skip("not Archipel");
	for (int c = 0; c < nclusters; c++) {
		char buf[64];
		pid_t pid = fork_reporting_cluster(c);
		KTAP_CHECKF(pid > 0, "fork placed in cluster %d: errno %d", c, errno);
		int status = test_wait(pid);
		KTAP_CHECKF(test_exited_with(status, c), "child placed in cluster %d: %s", c,
			    test_status_str(status, buf, sizeof(buf)));
	}
	return KTAP_PASS;
}

static int t_pid_names_owner(void)
{
	if (!nclusters)
		return ktap_skip("not Archipel");
	for (int c = 0; c < nclusters; c++) {
		pid_t pid = test_fork_in(c);
		KTAP_CHECK(pid >= 0);
		if (pid == 0) {
			struct archipel_counters k;
			if (archipel_counters(&k) < 0)
				_exit(1);
			_exit(k.owner_cxy == (unsigned)c && k.ref_cxy == (unsigned)c ? 0 : 2);
		}
		int status = test_wait(pid);
		KTAP_CHECKF((pid >> 16) == c, "child placed in cluster %d has pid 0x%x", c, pid);
		KTAP_CHECKF(test_exited_with(status, 0),
			    "child placed in cluster %d: owner/ref cluster differ (status 0x%x)",
			    c, status);
	}
	return KTAP_PASS;
}

static int t_place_from_remote(void)
{
	if (!nclusters)
		return ktap_skip("not Archipel");
	if (nclusters < 2)
		return ktap_skip("one cluster");
	for (int c = 0; c < nclusters; c++) {
		int target = (c + 1) % nclusters;
		pid_t pid = test_fork_in(c);
		KTAP_CHECK(pid >= 0);
		if (pid == 0) {
			/* in cluster c: place a grandchild in the next cluster */
			pid_t g = fork_reporting_cluster(target);
			if (g < 0)
				_exit(251);
			int st = test_wait(g);
			_exit(st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 252);
		}
		int status = test_wait(pid);
		KTAP_CHECKF(test_exited_with(status, target),
			    "grandchild placed from cluster %d into %d: status 0x%x", c, target,
			    status);
	}
	return KTAP_PASS;
}

static int t_place_invalid(void)
{
	if (!nclusters)
		return ktap_skip("not Archipel");
	KTAP_CHECK_ERRNO(archipel_fork_place(nclusters), EINVAL);
	KTAP_CHECK_ERRNO(archipel_fork_place(-2), EINVAL);
	KTAP_CHECK_ERRNO(archipel_fork_place(1 << 20), EINVAL);
	KTAP_CHECK(archipel_fork_place(ARCHIPEL_PLACE_DQDT) == 0);
	return KTAP_PASS;
}

static int t_poweroff_eperm(void)
{
	if (!nclusters)
		return ktap_skip("not Archipel");
	KTAP_CHECK(getpid() != 1);
	KTAP_CHECK_ERRNO(archipel_poweroff(0), EPERM);
	return KTAP_PASS;
}

static uint64_t fault_sum(const struct archipel_counters *k)
{
	return k->faults_local + k->faults_global + k->faults_false + k->faults_cow;
}

static int t_counters(void)
{
	enum { PAGES = 16 };
	struct archipel_counters before, after;

	if (!nclusters)
		return ktap_skip("not Archipel");
	char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	KTAP_CHECK(p != MAP_FAILED);
	memset(&before, 0xff, sizeof(before));
	KTAP_CHECK(archipel_counters(&before) == 0);
	KTAP_CHECK(before.owner_cxy < (unsigned)nclusters);
	KTAP_CHECK(before.ref_cxy < (unsigned)nclusters);
	KTAP_CHECK(before.copies >= 1 && before.copies <= (unsigned)nclusters);
	KTAP_CHECK((before.rpcs > 0 && before.remote_accesses > 0) || nclusters == 1);
	for (int i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	KTAP_CHECK(archipel_counters(&after) == 0);
	KTAP_CHECKF(fault_sum(&after) >= fault_sum(&before) + PAGES,
		    "%d new pages touched, faults %llu -> %llu", PAGES,
		    (unsigned long long)fault_sum(&before), (unsigned long long)fault_sum(&after));
	munmap(p, PAGES * 4096);
	KTAP_CHECK_ERRNO(archipel_counters((void *)1), EFAULT);
	return KTAP_PASS;
}

static int t_linux_enosys(void)
{
	struct archipel_counters k;

	if (nclusters)
		return ktap_skip("Archipel implements the private calls");
	KTAP_CHECK_ERRNO(archipel_nclusters(), ENOSYS);
	KTAP_CHECK_ERRNO(archipel_fork_place(0), ENOSYS);
	KTAP_CHECK_ERRNO(archipel_counters(&k), ENOSYS);
	KTAP_CHECK_ERRNO(archipel_poweroff(0), ENOSYS);
	return KTAP_PASS;
}

/* Is cpu in a cpulist such as "0-3,8,10-11"? */
static int in_cpulist(const char *list, int cpu)
{
	const char *s = list;
	while (*s >= '0' && *s <= '9') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			return 1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int t_getcpu_in_cpulist(void)
{
	unsigned cpu, node;
	char path[80], list[256];

	KTAP_CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0);
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", node);
	int fd = open(path, O_RDONLY);
	KTAP_CHECKF(fd >= 0, "cannot open %s", path);
	ssize_t n = test_read_all(fd, list, sizeof(list) - 1);
	close(fd);
	KTAP_CHECK(n > 0);
	list[n] = '\0';
	KTAP_CHECKF(in_cpulist(list, (int)cpu), "cpu %u not in node %u's cpulist '%s'", cpu,
		    node, list);
	return KTAP_PASS;
}

/* What every process of the DQDT tree reports. */
struct tree_rec {
	int level;      /* 1 child, 2 grandchild */
	int cluster;
	int pid;
};

static struct tree_rec tree[TREE_MAX_CHILDREN * (1 + TREE_GRANDCHILDREN)];
static int tree_count, tree_children;

/* Report, then block until the go pipe is closed. */
static void tree_member(int level, int rp, int gp)
{
	struct tree_rec r = { level, archipel_cluster(), getpid() };
	char c;

	test_write_all(rp, &r, sizeof(r));
	while (read(gp, &c, 1) > 0)
		;
}

static int t_dqdt_tree(void)
{
	int rp[2], gp[2];
	pid_t pids[TREE_MAX_CHILDREN];

	tree_children = nclusters > 1 ? nclusters : 2;
	if (tree_children > TREE_MAX_CHILDREN)
		tree_children = TREE_MAX_CHILDREN;
	KTAP_CHECK(pipe(rp) == 0 && pipe(gp) == 0);
	for (int i = 0; i < tree_children; i++) {
		pids[i] = test_fork_in(ARCHIPEL_PLACE_DQDT);
		KTAP_CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			pid_t g[TREE_GRANDCHILDREN];
			int bad = 0;
			close(rp[0]);
			close(gp[1]);
			for (int j = 0; j < TREE_GRANDCHILDREN; j++) {
				g[j] = test_fork_in(ARCHIPEL_PLACE_DQDT);
				if (g[j] == 0) {
					tree_member(2, rp[1], gp[0]);
					_exit(0);
				}
				bad |= g[j] < 0;
			}
			tree_member(1, rp[1], gp[0]);
			for (int j = 0; j < TREE_GRANDCHILDREN; j++)
				bad |= g[j] > 0 && !test_exited_with(test_wait(g[j]), 0);
			_exit(bad);
		}
	}
	close(rp[1]);
	close(gp[0]);
	int want = tree_children * (1 + TREE_GRANDCHILDREN);
	ssize_t got = test_read_all(rp[0], tree, (size_t)want * sizeof(tree[0]));
	close(gp[1]);   /* everybody may exit now */
	close(rp[0]);
	int failed = 0;
	for (int i = 0; i < tree_children; i++)
		failed += !test_exited_with(test_wait(pids[i]), 0);
	tree_count = got < 0 ? 0 : (int)(got / (ssize_t)sizeof(tree[0]));
	KTAP_CHECKF(tree_count == want, "%d processes reported, expected %d", tree_count, want);
	KTAP_CHECKF(failed == 0, "%d children failed", failed);
	for (int i = 0; i < tree_count; i++) {
		KTAP_CHECK(tree[i].level == 1 || tree[i].level == 2);
		KTAP_CHECK(tree[i].cluster >= 0);
		KTAP_CHECK(!nclusters || tree[i].cluster < nclusters);
	}
	return KTAP_PASS;
}

static int t_dqdt_spreads(void)
{
	int used[TREE_MAX_CHILDREN * 8] = { 0 }, distinct = 0;

	if (!nclusters)
		return ktap_skip("not Archipel");
	if (nclusters < 2)
		return ktap_skip("one cluster");
	KTAP_CHECKF(tree_count > 0, "the dqdt_tree case failed");
	for (int i = 0; i < tree_count; i++) {
		int c = tree[i].cluster;
		if (c >= 0 && c < (int)(sizeof(used) / sizeof(used[0])) && !used[c]++)
			distinct++;
	}
	int want = nclusters < tree_children ? nclusters : tree_children;
	if (distinct < want) {
		for (int i = 0; i < tree_count; i++)
			ktap_diag("level %d pid 0x%x in cluster %d", tree[i].level, tree[i].pid,
				  tree[i].cluster);
	}
	KTAP_CHECKF(distinct >= want, "%d processes in %d distinct clusters, expected >= %d",
		    tree_count, distinct, want);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_place_each_cluster),
	KTAP_CASE(t_pid_names_owner),
	KTAP_CASE(t_place_from_remote),
	KTAP_CASE(t_place_invalid),
	KTAP_CASE(t_poweroff_eperm),
	KTAP_CASE(t_counters),
	KTAP_CASE(t_linux_enosys),
	KTAP_CASE(t_getcpu_in_cpulist),
	KTAP_CASE(t_dqdt_tree),
	KTAP_CASE(t_dqdt_spreads),
};

int main(void)
{
	nclusters = test_nclusters();
	return ktap_run(cases, KTAP_NCASES(cases));
}
