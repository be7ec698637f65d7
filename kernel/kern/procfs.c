/*
 * procfs.c - /proc and /sys (see procfs.h): two generated file systems
 * (vfs_gen_ops_t, vfs.h), one per mount.
 */
#include "procfs.h"
#include "process.h"
#include "process_copy.h"
#include "thread.h"
#include "cluster.h"
#include "boot_info.h"
#include "ppm.h"
#include "vfs.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "sysrq.h"

#define NODE_DIR "/sys/devices/system/node"
#define SYSRQ_TRIGGER "/proc/sysrq-trigger"

/* Parses a decimal number at *@s, advancing it; false if none. */
static bool parse_u32(const char **s, uint32_t *out)
{
    uint64_t v = 0;
    const char *p = *s;

    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > 0xffffffffull)
            return false;
    }
    *s = p;
    *out = (uint32_t)v;
    return true;
}

/*
 * "/proc/<pid>" or "/proc/self" followed by @rest: the process (the reference
 * process_t of a TID's thread for "/proc/<tid>", as Linux serves it) and the
 * rest of the path; *@num gets the number in the path (the PID for "self").
 */
static xptr_t proc_path_number(const char *path, const char **rest, uint32_t *num)
{
    const char *s = path + 5;                /* after "/proc" */
    uint32_t pid;

    if (*s++ != '/')
        return XPTR_NULL;
    if (strncmp(s, "self", 4) == 0 && (s[4] == '/' || s[4] == '\0')) {
        xptr_t self = process_current_xp();

        if (self == XPTR_NULL)
            return XPTR_NULL;
        *rest = s + 4;
        *num = process_current_pid();
        return self;
    }
    if (!parse_u32(&s, &pid) || (*s != '/' && *s != '\0'))
        return XPTR_NULL;
    *rest = s;
    *num = pid;
    return process_lookup(pid);
}

/* The same, for "/proc/<pid>..." only: the rest of the path in *@rest. */
static xptr_t proc_path_process(const char *path, const char **rest)
{
    uint32_t num;

    return proc_path_number(path, rest, &num);
}

static int64_t proc_status(process_t *p, uint32_t cxy, char *buf, size_t cap)
{
    uint32_t state = hal_remote_l32(XPTR(cxy, &p->state));
    uint64_t jobctl = hal_remote_l64(XPTR(cxy, &p->sig_jobctl));
    process_counters_t c = { 0 };
    const char *st = state == PROCESS_ZOMBIE ? "Z (zombie)" :
                     (jobctl & SIG_JOBCTL_NOTIFIED) ? "T (stopped)" : "R (running)";

    if (state != PROCESS_ZOMBIE)
        process_counters(XPTR(cxy, p), &c);
    return snprintf(buf, cap,
                    "Name:\t%s\nState:\t%s\nPid:\t%u\nPPid:\t%u\nThreads:\t%u\n"
                    "Cluster:\towner %u reference %u\nCopies:\t%u\n"
                    "FaultsLocal:\t%lu\nFaultsGlobal:\t%lu\nFaultsFalse:\t%lu\nFaultsCow:\t%lu\n"
                    "VmPages:\t%u\nVsegs:\t%u\n",
                    p->name, st,
                    p->pid, p->ppid, hal_remote_l32(XPTR(cxy, &p->nthreads)), p->pid >> 16,
                    p->ref_cxy, c.copies, c.faults[TRACE_FAULT_LOCAL],
                    c.faults[TRACE_FAULT_GLOBAL], c.faults[TRACE_FAULT_FALSE],
                    c.faults[TRACE_FAULT_COW], p->vmm.pages, p->vmm.vsegs);
}

/* The cluster a process is shown in: its owner's, where fork or exec placed it. */
static uint32_t proc_cluster(const process_t *p)
{
    return p->pid >> 16;
}

/* What proc_stat counts over the threads (process_foreach_thread): all, or the one @tid. */
struct proc_threads {
    uint32_t tid;                        /* 0: every thread */
    uint32_t n, sleeping;                /* threads counted, blocked ones among them */
    uint32_t ntids;                      /* tids[] filled (proc_list_tids) */
    uint32_t tids[64];
};

static void proc_count_sleep(xptr_t t, void *arg)
{
    struct proc_threads *pt = arg;
    thread_t *th = GET_PTR(t);
    uint32_t blocked = hal_remote_l32(XPTR(GET_CXY(t), &th->blocked));
    uint32_t tid = hal_remote_l32(XPTR(GET_CXY(t), &th->tid));

    if (pt->tid && tid != pt->tid)
        return;
    pt->n++;
    if (blocked & (THREAD_BLOCKED_SLEEP | THREAD_BLOCKED_LOCK | THREAD_BLOCKED_RPC))
        pt->sleeping++;
}

static void proc_list_tids(xptr_t t, void *arg)
{
    struct proc_threads *pt = arg;

    if (pt->ntids < sizeof(pt->tids) / sizeof(pt->tids[0]))
        pt->tids[pt->ntids++] = hal_remote_l32(XPTR(GET_CXY(t), &((thread_t *)GET_PTR(t))->tid));
}

/*
 * /proc/<pid>/stat, and /proc/<pid>/task/<tid>/stat or /proc/<tid>/stat for
 * thread @tid (0: the whole process), as proc(5) lays it out (52 fields),
 * for ps, top and LTP: pid, (comm), state, ppid, pgrp, session, tty_nr,
 * tpgid, ..., num_threads (field 20), vsize and rss (23, 24), processor
 * (39: the first core of the process's cluster); what Archipel does not
 * count is 0. The state is Z for a zombie, S when every thread counted is
 * blocked (sleep, lock or RPC), else R; -ENOENT for a @tid that is not one
 * of its threads.
 */
static int64_t proc_stat(process_t *p, uint32_t cxy, uint32_t tid, char *buf, size_t cap)
{
    xptr_t xp = XPTR(cxy, p);
    uint32_t state = hal_remote_l32(XPTR(cxy, &p->state));
    uint32_t cl = proc_cluster(p);
    struct proc_threads pt = { .tid = tid };
    char c = 'Z';

    if (state != PROCESS_ZOMBIE) {
        process_foreach_thread(xp, proc_count_sleep, &pt);
        if (tid && pt.n == 0)
            return -ENOENT;
        c = pt.n && pt.n == pt.sleeping ? 'S' : 'R';
    }
    pt.tid = 0;
    pt.n = 0;
    if (state != PROCESS_ZOMBIE)
        process_foreach_thread(xp, proc_count_sleep, &pt);
    return snprintf(buf, cap,
                    "%u (%s) %c %u %u %u 0 -1 0 0 0 0 0 0 0 0 0 20 0 %u 0 0 %lu %u "
                    "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 %u 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                    tid ? tid : p->pid, p->name, c, p->ppid, hal_remote_l32(XPTR(cxy, &p->pgid)),
                    hal_remote_l32(XPTR(cxy, &p->sid)), pt.n,
                    (uint64_t)p->vmm.pages * PAGE_SIZE, p->vmm.pages,
                    cl < boot_info.topo.nclusters ? cluster_tbl[cl]->first_gid : 0);
}

/* "a-b" for a contiguous range of numbers. */
static int64_t fmt_range(char *buf, size_t cap, uint32_t first, uint32_t n)
{
    if (n == 1)
        return snprintf(buf, cap, "%u\n", first);
    return snprintf(buf, cap, "%u-%u\n", first, first + n - 1);
}

static int64_t sys_node_file(const char *path, char *buf, size_t cap)
{
    const char *s = path + sizeof(NODE_DIR) - 1;
    uint32_t n = boot_info.topo.nclusters, cxy;

    if (strcmp(s, "/online") == 0 || strcmp(s, "/possible") == 0 ||
        strcmp(s, "/has_cpu") == 0 || strcmp(s, "/has_memory") == 0)
        return fmt_range(buf, cap, 0, n);
    if (strncmp(s, "/node", 5) != 0)
        return -ENOENT;
    s += 5;
    if (!parse_u32(&s, &cxy) || cxy >= n)
        return -ENOENT;
    if (strcmp(s, "/cpulist") == 0)
        return fmt_range(buf, cap, cluster_tbl[cxy]->first_gid, cluster_tbl[cxy]->ncores);
    if (strcmp(s, "/meminfo") == 0) {
        uint64_t total = cluster_tbl[cxy]->mem_bytes >> 10;
        uint64_t free = ppm_free_count(cxy) * (PAGE_SIZE >> 10);
        uint64_t replicas = hal_remote_l64(XPTR(cxy, &cluster_tbl[cxy]->file_replicas)) *
                            (PAGE_SIZE >> 10);

        return snprintf(buf, cap, "Node %u MemTotal:       %8lu kB\nNode %u MemFree:        %8lu kB\n"
                        "Node %u MemUsed:        %8lu kB\nNode %u FileReplicas:   %8lu kB\n",
                        cxy, total, cxy, free, cxy, total > free ? total - free : 0,
                        cxy, replicas);
    }
    if (strcmp(s, "/numastat") == 0) {
#define NUMASTAT(f) hal_remote_l64(XPTR(cxy, &cluster_tbl[cxy]->numastat.f))
        /* Linux's drivers/base/node.c numastat_show(): six lines, in pages */
        return snprintf(buf, cap, "numa_hit %lu\nnuma_miss %lu\nnuma_foreign %lu\n"
                        "interleave_hit 0\nlocal_node %lu\nother_node %lu\n",
                        NUMASTAT(numa_hit), NUMASTAT(numa_miss), NUMASTAT(numa_foreign),
                        NUMASTAT(local_node), NUMASTAT(other_node));
#undef NUMASTAT
    }
    if (strcmp(s, "/distance") == 0) {
        size_t len = 0;

        for (uint32_t j = 0; j < n && len < cap; j++)
            len += (size_t)snprintf(buf + len, cap - len, j + 1 < n ? "%u " : "%u\n",
                                    boot_info.topo.distance[cxy][j]);
        return (int64_t)len;
    }
    return -ENOENT;
}

/* ---- /proc ------------------------------------------------------------------------ */

/*
 * The machine-wide files busybox's top reads (proc(5)): meminfo (the sum of
 * the clusters), uptime, loadavg (no load accounting: zeros), stat (one
 * line per core; no CPU time accounting: zeros).
 */
static int64_t proc_machine_file(const char *name, char *buf, size_t cap)
{
    if (strcmp(name, "meminfo") == 0) {
        uint64_t total = 0, free = 0;

        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
            total += cluster_tbl[c]->mem_bytes >> 10;
            free += ppm_free_count(c) * (PAGE_SIZE >> 10);
        }
        return snprintf(buf, cap, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n"
                        "MemAvailable:   %8lu kB\nBuffers:               0 kB\n"
                        "Cached:                0 kB\nSwapTotal:             0 kB\n"
                        "SwapFree:              0 kB\n", total, free, free);
    }
    if (strcmp(name, "uptime") == 0) {
        uint64_t ms = tsc_to_ms(rdtsc() - boot_info.boot_tsc);

        return snprintf(buf, cap, "%lu.%02lu 0.00\n", ms / 1000, ms % 1000 / 10);
    }
    if (strcmp(name, "loadavg") == 0)
        return snprintf(buf, cap, "0.00 0.00 0.00 1/1 1\n");
    if (strcmp(name, "stat") == 0) {
        int64_t n = snprintf(buf, cap, "cpu  0 0 0 0 0 0 0 0 0 0\n");

        for (uint32_t g = 0; g < boot_info.topo.ncores && n < (int64_t)cap; g++)
            n += snprintf(buf + n, cap - (size_t)n, "cpu%u 0 0 0 0 0 0 0 0 0 0\n", g);
        return n;
    }
    return -ENOENT;
}

/*
 * /proc/sys/kernel/threads-max and pid_max (proc(5)), read-only: every
 * thread and process takes one entry of its owner cluster's PID table
 * (pid.h), so the machine holds at most nclusters * (PROCESS_MAX - 1) of
 * them, and no PID reaches pid_max (the last cluster's last index + 1).
 */
static int64_t proc_sys_file(const char *path, char *buf, size_t cap)
{
    uint32_t n = boot_info.topo.nclusters;

    if (strcmp(path, "/proc/sys/kernel/threads-max") == 0)
        return snprintf(buf, cap, "%u\n", n * (PROCESS_MAX - 1));
    if (strcmp(path, "/proc/sys/kernel/pid_max") == 0)
        return snprintf(buf, cap, "%u\n", ((n - 1) << 16 | (PROCESS_MAX - 1)) + 1);
    return -ENOENT;
}

static int64_t procfs_gen(const char *path, char *buf, size_t cap)
{
    const char *rest;
    uint32_t num;
    xptr_t xp;
    process_t *p;

    if (strncmp(path, "/proc/", 6) != 0)
        return -ENOENT;
    if (path[6] < '0' || path[6] > '9') {
        int64_t n = proc_machine_file(path + 6, buf, cap);

        if (n != -ENOENT)
            return n;
    }
    if (strcmp(path, SYSRQ_TRIGGER) == 0)
        return 0;                            /* write-only: reads see nothing */
    if (strncmp(path, "/proc/sys/", 10) == 0)
        return proc_sys_file(path, buf, cap);
    xp = proc_path_number(path, &rest, &num);
    p = GET_PTR(xp);
    if (xp == XPTR_NULL)
        return -ENOENT;
    if (strncmp(rest, "/task/", 6) == 0) {          /* /proc/<pid>/task/<tid>/stat */
        const char *t = rest + 6;
        uint32_t tid;

        if (!parse_u32(&t, &tid) || strcmp(t, "/stat") != 0)
            return -ENOENT;
        return proc_stat(p, GET_CXY(xp), tid, buf, cap);
    }
    if (strcmp(rest, "/status") == 0)
        return proc_status(p, GET_CXY(xp), buf, cap);
    if (strcmp(rest, "/maps") == 0)
        return vmm_format_maps(&p->vmm, p->ref_cxy, buf, cap);
    if (strcmp(rest, "/stat") == 0)
        return proc_stat(p, GET_CXY(xp), num == p->pid ? 0 : num, buf, cap);
    if (strcmp(rest, "/cluster") == 0)
        return snprintf(buf, cap, "%u\n", proc_cluster(p));
    if (strcmp(rest, "/cmdline") == 0) {    /* the name and its cluster: what ps and top show */
        int64_t n = snprintf(buf, cap, "%s@c%u", p->name, proc_cluster(p));
        return n + 1 <= (int64_t)cap ? n + 1 : n;   /* NUL-terminated, as Linux's */
    }
    return -ENOENT;
}

/*
 * Appends the record (@type, @nm) to the listing being built in (dbuf, cap)
 * at byte pos, with the next offset off; returns the listing so far from
 * the calling function when it is full. d_ino is the offset, never 0:
 * glibc's readdir skips records of inode 0 as deleted ones.
 */
#define EMIT(type, nm) do {                                                    \
        size_t _p = vfs_dirent_emit(dbuf, cap, pos, (uint64_t)off, off, (type), (nm)); \
        off++;                                                                 \
        if (_p == 0)                                                           \
            return (int64_t)pos;                                               \
        pos = _p;                                                              \
    } while (0)

static int64_t procfs_list(const char *path, void *dbuf, size_t cap)
{
    size_t pos = 0;
    int64_t off = 1;
    char name[24];

    if (strcmp(path, "/proc") == 0) {
        EMIT(DT_DIR, "self");
        EMIT(DT_REG, "loadavg");
        EMIT(DT_REG, "meminfo");
        EMIT(DT_REG, "stat");
        EMIT(DT_REG, "uptime");
        EMIT(DT_REG, "sysrq-trigger");
        EMIT(DT_DIR, "sys");
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            for (uint32_t i = 1; i < PROCESS_MAX; i++)
                if (cluster_tbl[c]->pid_tbl[i] && !((uintptr_t)cluster_tbl[c]->pid_tbl[i] & 1)) {
                    snprintf(name, sizeof(name), "%u", (c << 16) | i);
                    EMIT(DT_DIR, name);
                }
        return (int64_t)pos;
    }
    if (strcmp(path, "/proc/sys") == 0) {
        EMIT(DT_DIR, "kernel");
        return (int64_t)pos;
    }
    if (strcmp(path, "/proc/sys/kernel") == 0) {
        EMIT(DT_REG, "pid_max");
        EMIT(DT_REG, "threads-max");
        return (int64_t)pos;
    }
    if (strncmp(path, "/proc/", 6) == 0) {
        const char *rest, *t;
        xptr_t xp = proc_path_process(path, &rest);
        struct proc_threads pt = { 0 };
        uint32_t tid;

        if (xp == XPTR_NULL)
            return -ENOENT;
        if (strcmp(rest, "/task") == 0) {            /* the TIDs of its threads */
            process_foreach_thread(xp, proc_list_tids, &pt);
            for (uint32_t i = 0; i < pt.ntids; i++) {
                snprintf(name, sizeof(name), "%u", pt.tids[i]);
                EMIT(DT_DIR, name);
            }
            return (int64_t)pos;
        }
        t = rest + 6;
        if (strncmp(rest, "/task/", 6) == 0 && parse_u32(&t, &tid) && *t == '\0') {
            EMIT(DT_REG, "stat");
            return (int64_t)pos;
        }
        if (*rest != '\0')
            return -ENOENT;
        EMIT(DT_REG, "cluster");
        EMIT(DT_REG, "cmdline");
        EMIT(DT_REG, "maps");
        EMIT(DT_REG, "stat");
        EMIT(DT_REG, "status");
        EMIT(DT_DIR, "task");
        return (int64_t)pos;
    }
    return -ENOENT;
}

/*
 * /proc/sysrq-trigger: the first character written runs that SysRq dump
 * (sysrq.h), like Linux's (drivers/tty/sysrq.c, write_sysrq_trigger);
 * every other file is read-only. @buf NULL: may @path be written?
 */
static int64_t procfs_write(const char *path, const void *buf, size_t len)
{
    if (strcmp(path, SYSRQ_TRIGGER) != 0)
        return -EACCES;
    if (buf != NULL && len > 0)
        sysrq_handle(*(const char *)buf);  /* an unknown key prints the help, as on Linux */
    return (int64_t)len;
}

static const vfs_gen_ops_t procfs_ops = {
    .gen   = procfs_gen,
    .list  = procfs_list,
    .write = procfs_write,
};

/* ---- /sys -------------------------------------------------------------------------- */

static int64_t sysfs_gen(const char *path, char *buf, size_t cap)
{
    if (strncmp(path, NODE_DIR, sizeof(NODE_DIR) - 1) == 0)
        return sys_node_file(path, buf, cap);
    return -ENOENT;
}

static int64_t sysfs_list(const char *path, void *dbuf, size_t cap)
{
    size_t pos = 0;
    int64_t off = 1;
    char name[24];

    if (strcmp(path, "/sys") == 0) { EMIT(DT_DIR, "devices"); return (int64_t)pos; }
    if (strcmp(path, "/sys/devices") == 0) { EMIT(DT_DIR, "system"); return (int64_t)pos; }
    if (strcmp(path, "/sys/devices/system") == 0) { EMIT(DT_DIR, "node"); return (int64_t)pos; }
    if (strcmp(path, NODE_DIR) == 0) {
        EMIT(DT_REG, "online");
        EMIT(DT_REG, "possible");
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
            snprintf(name, sizeof(name), "node%u", c);
            EMIT(DT_DIR, name);
        }
        return (int64_t)pos;
    }
    if (strncmp(path, NODE_DIR "/node", sizeof(NODE_DIR) + 4) == 0) {
        const char *s = path + sizeof(NODE_DIR) + 4;
        uint32_t cxy;

        if (!parse_u32(&s, &cxy) || *s != '\0' || cxy >= boot_info.topo.nclusters)
            return -ENOENT;
        EMIT(DT_REG, "cpulist");
        EMIT(DT_REG, "meminfo");
        EMIT(DT_REG, "distance");
        EMIT(DT_REG, "numastat");
        return (int64_t)pos;
    }
    return -ENOENT;
}
#undef EMIT

static const vfs_gen_ops_t sysfs_ops = {
    .gen  = sysfs_gen,
    .list = sysfs_list,
};

void procfs_init(void)
{
    vfs_mount_generated("/proc", &procfs_ops);
    vfs_mount_generated("/sys", &sysfs_ops);
}
