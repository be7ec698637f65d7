/*
 * fs_ktest.c - self-tests of the VFS, RAM file system, pipes, generated
 * mounts and descriptor tables (ktest=vfs).
 *
 * Every case runs on the bootstrap core, after kernel_main's vfs_init();
 * helper threads run in another cluster when there is one. Each case checks
 * that every cluster has as many free pages at its end as at its start.
 */
#include "ktest.h"
#include "vfs_internal.h"
#include "fdtable.h"
#include "boot_info.h"
#include "cluster.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "kcm.h"
#include "ppm.h"
#include "cpu.h"
#include "kstring.h"
#include "kerrno.h"

#define MIB (1u << 20)

/* ---- helpers ------------------------------------------------------------------- */

#define NEED_VFS(t) \
    do { if (vfs_root() == NULL) { \
        ktest_fail((t), "vfs_init() was not called before the self-tests"); return; } } while (0)

typedef struct fs_pages_s {
    uint64_t free[MAX_CLUSTERS];
} fs_pages_t;

/* Free pages of every cluster, once the threads that exited before are reaped. */
static void fs_pages_snapshot(fs_pages_t *p)
{
    sched_reap();
    for (int i = 0; i < 10; i++)
        sched_yield();                          /* other cores' idle threads reap theirs */
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        p->free[c] = ppm_free_count(c);
}

/*
 * Fails @t for every cluster that has fewer free pages than in @p (a leak),
 * after letting exited threads be reaped (up to 2 s). More is not a leak:
 * threads of earlier tests may have been reaped meanwhile.
 */
static void fs_pages_check(ktest_t *t, const fs_pages_t *p, const char *what)
{
    uint64_t deadline = rdtsc() + 2 * boot_info.tsc_hz;
    bool ok;

    do {
        sched_reap();
        ok = true;
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            ok &= ppm_free_count(c) >= p->free[c];
        if (!ok)
            sched_yield();
    } while (!ok && rdtsc() < deadline);
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        if (ppm_free_count(c) < p->free[c])
            ktest_fail(t, "%s: cluster %u has %lu free pages, %lu before", what, c,
                       ppm_free_count(c), p->free[c]);
}

/* The cluster helper threads run in: another one when there is one. */
static uint32_t fs_other_cluster(void)
{
    return (local_cxy() + 1) % boot_info.topo.nclusters;
}

/*
 * Waits for helper threads (any cluster) that each call fs_join_done() once,
 * as their last access to the shared job (it lives on the waiter's stack).
 */
typedef struct fs_join_s {
    volatile uint32_t left;
} fs_join_t;

static void fs_join_init(fs_join_t *j, uint32_t n)
{
    j->left = n;
}

static void fs_join_done(fs_join_t *j)
{
    __atomic_sub_fetch(&j->left, 1, __ATOMIC_ACQ_REL);
}

static bool fs_join_wait(fs_join_t *j, uint64_t ms)
{
    uint64_t deadline = rdtsc() + tsc_from_ms(ms);

    while (__atomic_load_n(&j->left, __ATOMIC_ACQUIRE) != 0) {
        if (rdtsc() > deadline)
            return false;
        sched_yield();
    }
    return true;
}

/* Sleeps about @ms milliseconds, other threads running. */
static void fs_sleep_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);

    while (rdtsc() < end)
        sched_yield();
}

/* Starts a kernel thread in cluster @cxy (by RPC when remote). @return false on failure. */
static bool fs_spawn(uint32_t cxy, void (*fn)(void *), void *arg, const char *name)
{
    rpc_desc_t d = { .type = RPC_THREAD_CREATE,
                     .args = { 0, (uint64_t)fn, (uint64_t)arg, XPTR(local_cxy(), name) } };

    if (cxy == local_cxy())
        return thread_create(core_self()->lid, THREAD_KERNEL, fn, arg, name) != NULL;
    rpc_send(cxy, &d);
    return d.args[0] != XPTR_NULL;
}

/* Byte @pos of the test stream. */
static uint8_t fs_pattern(uint64_t pos)
{
    return (uint8_t)((pos >> 3) ^ (pos * 13) ^ (pos >> 17));
}

/* Opens @path and drops the file: creates an empty regular file. */
static int fs_touch(const char *path)
{
    vfs_file_t *f;
    int rc = vfs_open(NULL, path, O_WRONLY | O_CREAT, 0644, &f);

    if (rc == 0)
        vfs_file_put(f);
    return rc;
}

/* ---- boot tree ------------------------------------------------------------------- */

static void vfs_boot_tree(ktest_t *t)
{
    static const char msg[] = "    # vfs: /dev/console write\n";
    vfs_file_t *f;
    kstat_t st;
    char buf[64];
    int64_t n;
    int rc;

    NEED_VFS(t);
    rc = vfs_open(NULL, "/etc/archipel-release", O_RDONLY, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open /etc/archipel-release: %d", rc);
    if (rc == 0) {
        n = vfs_read(f, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        KTEST_EXPECT(t, n > 0 && strncmp(buf, "Archipel", 8) == 0, "read %ld: '%s'", n, buf);
        vfs_file_put(f);
    }
    rc = vfs_stat(NULL, "/dev/console", &st);
    KTEST_EXPECT(t, rc == 0 && st.st_mode == (S_IFCHR | 0620) && st.st_rdev == 0x501,
                 "/dev/console: %d, mode 0%o, rdev 0x%lx", rc, st.st_mode, st.st_rdev);
    rc = vfs_stat(NULL, "/tmp", &st);
    KTEST_EXPECT(t, rc == 0 && st.st_mode == (S_IFDIR | 01777), "/tmp: %d, mode 0%o", rc,
                 st.st_mode);
    for (int i = 0; i < 3; i++) {
        static const char *const dirs[] = { "/dev", "/proc", "/sys" };
        rc = vfs_stat(NULL, dirs[i], &st);
        KTEST_EXPECT(t, rc == 0 && (st.st_mode & S_IFMT) == S_IFDIR, "%s: %d", dirs[i], rc);
    }
    rc = vfs_open(NULL, "/dev/console", O_RDWR, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open /dev/console: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_file_is_tty(f) && !vfs_file_is_pipe(f), "console is no tty");
        KTEST_EXPECT(t, vfs_lseek(f, 0, SEEK_SET) == -ESPIPE, "console lseek");
        vfs_fstat(f, &st);
        KTEST_EXPECT(t, st.st_mode == (S_IFCHR | 0620) && st.st_rdev == VFS_MKDEV(5, 1),
                     "console fstat mode 0%o", st.st_mode);
        n = vfs_write(f, msg, sizeof(msg) - 1);
        KTEST_EXPECT(t, n == (int64_t)sizeof(msg) - 1, "console write: %ld", n);
        vfs_file_put(f);
    }
    rc = vfs_open(NULL, "/dev/null", O_RDWR, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open /dev/null: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_write(f, buf, 10) == 10 && vfs_read(f, buf, 10) == 0, "/dev/null");
        KTEST_EXPECT(t, !vfs_file_is_tty(f), "/dev/null is a tty");
        vfs_file_put(f);
    }
}

/* ---- lookup ---------------------------------------------------------------------- */

static void vfs_lookup_errors(ktest_t *t)
{
    static const struct { const char *path; int rc; } cases[] = {
        { "",                               -ENOENT },
        { "/",                              0 },
        { "///",                            0 },
        { "/nonexistent",                   -ENOENT },
        { "/nonexistent/x",                 -ENOENT },
        { "/etc/archipel-release",          0 },
        { "//etc///archipel-release",       0 },
        { "/etc/./archipel-release",        0 },
        { "/etc/../etc/archipel-release",   0 },
        { "/../../etc/archipel-release",    0 },
        { "etc/archipel-release",           0 },
        { "/etc/",                          0 },
        { "/etc/archipel-release/",         -ENOTDIR },
        { "/etc/archipel-release/.",        -ENOTDIR },
        { "/etc/archipel-release/x",        -ENOTDIR },
        { "/etc/archipel-release/x/y",      -ENOTDIR },
    };
    fs_pages_t pages;
    vfs_inode_t *cwd, *ino;
    vfs_file_t *f;
    uint64_t size;
    kstat_t st;
    char *p;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = vfs_stat(NULL, cases[i].path, &st);
        KTEST_EXPECT(t, rc == cases[i].rc, "stat '%s': %d, expected %d", cases[i].path, rc,
                     cases[i].rc);
    }

    /* component and path lengths */
    p = kmem_alloc(VFS_PATH_MAX + 8);
    if (p == NULL) {
        ktest_fail(t, "no memory");
        return;
    }
    p[0] = '/';
    memset(p + 1, 'a', 256);
    p[256] = '\0';                                       /* 255-byte component */
    rc = vfs_stat(NULL, p, &st);
    KTEST_EXPECT(t, rc == -ENOENT, "255-byte name: %d", rc);
    p[256] = 'a';
    p[257] = '\0';                                       /* 256-byte component */
    rc = vfs_stat(NULL, p, &st);
    KTEST_EXPECT(t, rc == -ENAMETOOLONG, "256-byte name: %d", rc);
    memcpy(p, "/tmp/", 5);
    for (int i = 5; i < VFS_PATH_MAX - 1; i += 2)
        memcpy(p + i, "./", 2);
    p[VFS_PATH_MAX - 1] = '\0';                          /* 4095 bytes: the longest */
    rc = vfs_stat(NULL, p, &st);
    KTEST_EXPECT(t, rc == 0 && (st.st_mode & S_IFMT) == S_IFDIR, "4095-byte path: %d", rc);
    p[VFS_PATH_MAX - 1] = '.';
    p[VFS_PATH_MAX] = '\0';                              /* 4096 bytes */
    rc = vfs_stat(NULL, p, &st);
    KTEST_EXPECT(t, rc == -ENAMETOOLONG, "4096-byte path: %d", rc);
    rc = vfs_lookup_dir(NULL, p, &cwd);
    KTEST_EXPECT(t, rc == -ENAMETOOLONG, "lookup_dir of a 4096-byte path: %d", rc);
    kmem_free(p);

    /* relative to a cwd */
    rc = vfs_lookup_dir(NULL, "/etc", &cwd);
    KTEST_EXPECT(t, rc == 0, "lookup_dir /etc: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_stat(cwd, "archipel-release", &st) == 0, "relative stat");
        KTEST_EXPECT(t, vfs_stat(cwd, "../etc/./archipel-release", &st) == 0, "relative ..");
        KTEST_EXPECT(t, vfs_stat(cwd, "/etc", &st) == 0, "absolute with a cwd");
        KTEST_EXPECT(t, vfs_stat(cwd, "etc", &st) == -ENOENT, "relative etc in /etc");
        vfs_inode_put(cwd);
    }
    rc = vfs_lookup_dir(NULL, "/etc/archipel-release", &cwd);
    KTEST_EXPECT(t, rc == -ENOTDIR, "lookup_dir of a file: %d", rc);
    rc = vfs_lookup_dir(NULL, "/nonexistent", &cwd);
    KTEST_EXPECT(t, rc == -ENOENT, "lookup_dir of nothing: %d", rc);

    /* errors of the namespace operations */
    KTEST_EXPECT(t, (rc = vfs_mkdir(NULL, "/tmp", 0755)) == -EEXIST, "mkdir /tmp: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_mkdir(NULL, "/", 0755)) == -EEXIST, "mkdir /: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_mkdir(NULL, "/nonexistent/x", 0755)) == -ENOENT,
                 "mkdir in nothing: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_mkdir(NULL, "/etc/archipel-release/x", 0755)) == -ENOTDIR,
                 "mkdir in a file: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/etc/archipel-release", O_RDONLY | O_CREAT | O_EXCL,
                                   0644, &f)) == -EEXIST, "O_EXCL: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/etc", O_WRONLY, 0, &f)) == -EISDIR,
                 "write-open a directory: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/etc", O_RDWR, 0, &f)) == -EISDIR,
                 "rw-open a directory: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/etc/archipel-release", O_RDONLY | O_DIRECTORY, 0,
                                   &f)) == -ENOTDIR, "O_DIRECTORY on a file: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/tmp/ktest-new/", O_RDWR | O_CREAT, 0644, &f))
                 == -EISDIR, "O_CREAT with a trailing slash: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/nonexistent", O_RDONLY, 0, &f)) == -ENOENT,
                 "open nothing: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/nonexistent/x", O_RDWR | O_CREAT, 0644, &f))
                 == -ENOENT, "create in nothing: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/etc", 0)) == -EISDIR, "unlink a dir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/etc/archipel-release", AT_REMOVEDIR)) == -ENOTDIR,
                 "rmdir a file: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/etc", AT_REMOVEDIR)) == -ENOTEMPTY,
                 "rmdir a full dir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/nonexistent", 0)) == -ENOENT, "unlink: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/", AT_REMOVEDIR)) == -EBUSY, "rmdir /: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/.", AT_REMOVEDIR)) == -EINVAL,
                 "rmdir .: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/etc/archipel-release/", 0)) == -ENOTDIR,
                 "unlink file/: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open_exec(NULL, "/etc", &ino, &size)) == -EACCES,
                 "exec a directory: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open_exec(NULL, "/nonexistent", &ino, &size)) == -ENOENT,
                 "exec nothing: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open_exec(NULL, "/etc/archipel-release/x", &ino, &size))
                 == -ENOTDIR, "exec under a file: %d", rc);
    fs_pages_check(t, &pages, "lookup");
}

/* ---- regular files --------------------------------------------------------------- */

static void vfs_file_io(ktest_t *t)
{
    enum { N = 10000, HOLE = 5 * 4096 + 100 };
    fs_pages_t pages;
    vfs_file_t *f, *g;
    uint8_t *w, *r;
    kstat_t st;
    int64_t n;
    page_t *pg;
    bool same = true;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    w = kmem_alloc(2 * 8192);
    if (w == NULL) {
        ktest_fail(t, "no memory");
        return;
    }
    r = w + 8192;
    for (int i = 0; i < 8192; i++)
        w[i] = fs_pattern(i);
    rc = vfs_open(NULL, "/tmp/ktest-file", O_RDWR | O_CREAT | O_EXCL, 0644, &f);
    KTEST_EXPECT(t, rc == 0, "create: %d", rc);
    if (rc) {
        kmem_free(w);
        return;
    }
    KTEST_EXPECT(t, (n = vfs_write(f, w, 8192)) == 8192, "write: %ld", n);
    KTEST_EXPECT(t, (n = vfs_write(f, w, N - 8192)) == N - 8192, "write: %ld", n);
    vfs_fstat(f, &st);
    KTEST_EXPECT(t, st.st_size == N && st.st_nlink == 1 && st.st_blksize == 4096 &&
                 st.st_blocks == 24 && st.st_mode == (S_IFREG | 0644) && st.st_dev == VFS_DEV,
                 "fstat: size %ld nlink %lu blocks %ld mode 0%o", st.st_size, st.st_nlink,
                 st.st_blocks, st.st_mode);
    KTEST_EXPECT(t, vfs_lseek(f, 0, SEEK_CUR) == N, "offset after writes");
    KTEST_EXPECT(t, vfs_lseek(f, 0, SEEK_SET) == 0, "rewind");
    KTEST_EXPECT(t, (n = vfs_read(f, r, 8192)) == 8192 && memcmp(r, w, 8192) == 0,
                 "read back: %ld", n);
    KTEST_EXPECT(t, (n = vfs_read(f, r, 8192)) == N - 8192 && memcmp(r, w, N - 8192) == 0,
                 "read the tail: %ld", n);
    KTEST_EXPECT(t, vfs_read(f, r, 8192) == 0, "read at the end");
    KTEST_EXPECT(t, vfs_lseek(f, -1, SEEK_SET) == -EINVAL, "seek before 0");
    KTEST_EXPECT(t, vfs_lseek(f, 0, 7) == -EINVAL, "bad whence");
    KTEST_EXPECT(t, vfs_lseek(f, -2 * N, SEEK_END) == -EINVAL, "seek before 0 from the end");
    KTEST_EXPECT(t, vfs_lseek(f, -10, SEEK_END) == N - 10, "SEEK_END");
    KTEST_EXPECT(t, vfs_read(f, r, 100) == 10 && memcmp(r, w + N - 8192 - 10, 10) == 0,
                 "read from SEEK_END - 10");

    /* a hole: pages 3 and 4 stay unallocated and read as zeros */
    KTEST_EXPECT(t, vfs_lseek(f, HOLE, SEEK_SET) == HOLE, "seek past the end");
    KTEST_EXPECT(t, vfs_write(f, w, 10) == 10, "write after a hole");
    vfs_fstat(f, &st);
    KTEST_EXPECT(t, st.st_size == HOLE + 10 && st.st_blocks == 32, "size %ld, blocks %ld",
                 st.st_size, st.st_blocks);
    KTEST_EXPECT(t, mapper_page(vfs_inode_mapper(vfs_file_inode(f)), 3) == NULL &&
                 mapper_page(vfs_inode_mapper(vfs_file_inode(f)), 4) == NULL, "a hole has pages");
    KTEST_EXPECT(t, mapper_page(vfs_inode_mapper(vfs_file_inode(f)), 5) != NULL, "no page 5");
    KTEST_EXPECT(t, mapper_page(vfs_inode_mapper(vfs_file_inode(f)), 6) == NULL, "a page past the end");
    pg = mapper_page(vfs_inode_mapper(vfs_file_inode(f)), 0);
    KTEST_EXPECT(t, pg && memcmp(ppm_page_to_virt(pg), w, 4096) == 0, "page 0 content");
    vfs_lseek(f, 4 * 4096, SEEK_SET);
    n = vfs_read(f, r, 4096);
    for (int i = 0; i < 4096; i++)
        same &= r[i] == 0;
    KTEST_EXPECT(t, n == 4096 && same, "a hole reads as zeros (%ld)", n);

    /* access modes */
    rc = vfs_open(NULL, "/tmp/ktest-file", O_RDONLY, 0, &g);
    KTEST_EXPECT(t, rc == 0, "open O_RDONLY: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_write(g, w, 1) == -EBADF, "write to O_RDONLY");
        vfs_file_put(g);
    }
    rc = vfs_open(NULL, "/tmp/ktest-file", O_WRONLY | O_APPEND, 0, &g);
    KTEST_EXPECT(t, rc == 0, "open O_APPEND: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_read(g, r, 1) == -EBADF, "read from O_WRONLY");
        vfs_lseek(g, 0, SEEK_SET);
        KTEST_EXPECT(t, vfs_write(g, w, 5) == 5 && vfs_inode_size(vfs_file_inode(g)) ==
                     HOLE + 15, "O_APPEND: size %lu", vfs_inode_size(vfs_file_inode(g)));
        KTEST_EXPECT(t, (vfs_file_flags(g) & O_APPEND) && (vfs_file_flags(g) & O_ACCMODE) ==
                     O_WRONLY, "flags 0%o", vfs_file_flags(g));
        vfs_file_put(g);
    }
    rc = vfs_open(NULL, "/tmp", O_RDONLY, 0, &g);
    KTEST_EXPECT(t, rc == 0, "open /tmp: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_read(g, r, 10) == -EISDIR, "read a directory");
        vfs_file_put(g);
    }
    rc = vfs_open(NULL, "/tmp/ktest-file", O_RDWR | O_TRUNC, 0, &g);
    KTEST_EXPECT(t, rc == 0, "open O_TRUNC: %d", rc);
    if (rc == 0) {
        vfs_fstat(g, &st);
        KTEST_EXPECT(t, st.st_size == 0 && st.st_blocks == 0, "O_TRUNC: size %ld", st.st_size);
        KTEST_EXPECT(t, vfs_write(g, w, 3000) == 3000, "write after O_TRUNC");
        vfs_file_put(g);
    }

    /* unlinked while open: still readable until the last reference */
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/ktest-file", 0)) == 0, "unlink: %d", rc);
    KTEST_EXPECT(t, vfs_stat(NULL, "/tmp/ktest-file", &st) == -ENOENT, "stat after unlink");
    vfs_fstat(f, &st);
    KTEST_EXPECT(t, st.st_nlink == 0 && st.st_size == 3000, "fstat after unlink: nlink %lu",
                 st.st_nlink);
    vfs_lseek(f, 0, SEEK_SET);
    KTEST_EXPECT(t, vfs_read(f, r, 8192) == 3000 && memcmp(r, w, 3000) == 0,
                 "read after unlink");
    vfs_file_put(f);
    kmem_free(w);
    fs_pages_check(t, &pages, "file io");
}

/* ---- directories ------------------------------------------------------------------ */

static void vfs_getdents_format(ktest_t *t)
{
    static const struct { const char *name; uint8_t type; } want[] = {
        { ".", DT_DIR }, { "..", DT_DIR }, { "a", DT_REG }, { "bb", DT_REG },
        { "ccc", DT_REG }, { "sub", DT_DIR },
    };
    fs_pages_t pages;
    uint8_t buf[512];
    uint32_t seen = 0, records = 0;
    vfs_file_t *f;
    kstat_t st;
    int64_t n;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    rc = vfs_mkdir(NULL, "/tmp/kd", 0755);
    KTEST_EXPECT(t, rc == 0, "mkdir: %d", rc);
    KTEST_EXPECT(t, fs_touch("/tmp/kd/a") == 0 && fs_touch("/tmp/kd/bb") == 0 &&
                 fs_touch("/tmp/kd/ccc") == 0, "create");
    KTEST_EXPECT(t, vfs_mkdir(NULL, "/tmp/kd/sub/", 0700) == 0, "mkdir with a slash");
    vfs_stat(NULL, "/tmp/kd", &st);
    KTEST_EXPECT(t, st.st_nlink == 3, "nlink of a dir with one subdir: %lu", st.st_nlink);
    rc = vfs_open(NULL, "/tmp/kd", O_RDONLY | O_DIRECTORY, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open: %d", rc);
    if (rc)
        goto cleanup;
    n = vfs_getdents64(f, buf, sizeof(buf));
    KTEST_EXPECT(t, n > 0, "getdents64: %ld", n);
    for (int64_t pos = 0; pos < n;) {
        vfs_dirent64_t *d = (vfs_dirent64_t *)(buf + pos);
        size_t len = strlen(d->d_name);
        bool known = false;

        KTEST_EXPECT(t, d->d_reclen % 8 == 0 && d->d_reclen >= 24 &&
                     offsetof(vfs_dirent64_t, d_name) + len < d->d_reclen,
                     "record at %ld: reclen %u, name %s", pos, d->d_reclen, d->d_name);
        for (uint32_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
            if (strcmp(d->d_name, want[i].name) == 0) {
                known = true;
                KTEST_EXPECT(t, d->d_type == want[i].type && !(seen & (1u << i)),
                             "%s: type %u", d->d_name, d->d_type);
                seen |= 1u << i;
            }
        }
        KTEST_EXPECT(t, known, "unexpected name '%s'", d->d_name);
        if (strcmp(d->d_name, "bb") == 0) {
            vfs_stat(NULL, "/tmp/kd/bb", &st);
            KTEST_EXPECT(t, d->d_ino == st.st_ino, "d_ino %lu, st_ino %lu", d->d_ino, st.st_ino);
        }
        if (d->d_reclen == 0)
            break;
        pos += d->d_reclen;
    }
    KTEST_EXPECT(t, seen == 0x3f, "names seen: 0x%x", seen);
    KTEST_EXPECT(t, vfs_getdents64(f, buf, sizeof(buf)) == 0, "second call not at the end");

    /* one record per call with a 24-byte buffer; too small a buffer is -EINVAL */
    KTEST_EXPECT(t, vfs_lseek(f, 0, SEEK_SET) == 0, "rewind");
    KTEST_EXPECT(t, vfs_getdents64(f, buf, 16) == -EINVAL, "16-byte buffer");
    while ((n = vfs_getdents64(f, buf, 24)) > 0) {
        KTEST_EXPECT(t, n == 24, "one record: %ld", n);
        records++;
    }
    KTEST_EXPECT(t, n == 0 && records == 6, "%u records one by one, then %ld", records, n);
    vfs_file_put(f);
    rc = vfs_open(NULL, "/tmp/kd/a", O_RDONLY, 0, &f);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_getdents64(f, buf, sizeof(buf)) == -ENOTDIR, "getdents on a file");
        vfs_file_put(f);
    }
cleanup:
    KTEST_EXPECT(t, vfs_unlink(NULL, "/tmp/kd/a", 0) == 0 && vfs_unlink(NULL, "/tmp/kd/bb", 0)
                 == 0 && vfs_unlink(NULL, "/tmp/kd/ccc", 0) == 0, "unlink");
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kd/sub/", AT_REMOVEDIR)) == 0, "rmdir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kd", AT_REMOVEDIR)) == 0, "rmdir: %d", rc);
    KTEST_EXPECT(t, vfs_stat(NULL, "/tmp/kd", &st) == -ENOENT, "still there");
    fs_pages_check(t, &pages, "getdents");
}

static void vfs_getcwd_paths(ktest_t *t)
{
    fs_pages_t pages;
    vfs_inode_t *d, *p;
    vfs_file_t *f;
    kstat_t st;
    char buf[64];
    int64_t n;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    KTEST_EXPECT(t, vfs_mkdir(NULL, "/tmp/kc", 0755) == 0 &&
                 vfs_mkdir(NULL, "/tmp/kc/deep", 0755) == 0, "mkdir");
    rc = vfs_lookup_dir(NULL, "/tmp//kc/./deep/", &d);
    KTEST_EXPECT(t, rc == 0, "lookup_dir: %d", rc);
    if (rc)
        return;
    n = vfs_getcwd(d, buf, sizeof(buf));
    KTEST_EXPECT(t, n == 13 && strcmp(buf, "/tmp/kc/deep") == 0, "getcwd: %ld '%s'", n, buf);
    KTEST_EXPECT(t, vfs_getcwd(d, buf, 13) == 13, "exact buffer");
    KTEST_EXPECT(t, vfs_getcwd(d, buf, 12) == -ERANGE, "short buffer");
    if (vfs_lookup_dir(d, "..", &p) == 0) {
        n = vfs_getcwd(p, buf, sizeof(buf));
        KTEST_EXPECT(t, n == 8 && strcmp(buf, "/tmp/kc") == 0, "getcwd ..: '%s'", buf);
        vfs_inode_put(p);
    }
    if (vfs_lookup_dir(d, "../../../../..", &p) == 0) {
        n = vfs_getcwd(p, buf, sizeof(buf));
        KTEST_EXPECT(t, n == 2 && strcmp(buf, "/") == 0 && p == vfs_root(), "getcwd /: '%s'",
                     buf);
        vfs_inode_put(p);
    }
    KTEST_EXPECT(t, vfs_mkdir(d, "rel", 0755) == 0, "relative mkdir");
    KTEST_EXPECT(t, vfs_stat(NULL, "/tmp/kc/deep/rel", &st) == 0 && st.st_ino != 0, "rel");
    KTEST_EXPECT(t, vfs_unlink(d, "rel/", AT_REMOVEDIR) == 0, "relative rmdir");

    /* a removed working directory */
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kc/deep", AT_REMOVEDIR)) == 0, "rmdir: %d", rc);
    KTEST_EXPECT(t, (n = vfs_getcwd(d, buf, sizeof(buf))) == -ENOENT, "getcwd: %ld", n);
    KTEST_EXPECT(t, (rc = vfs_open(d, "x", O_RDWR | O_CREAT, 0644, &f)) == -ENOENT,
                 "create in a removed dir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_mkdir(d, "y", 0755)) == -ENOENT, "mkdir in a removed dir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kc", AT_REMOVEDIR)) == 0, "rmdir: %d", rc);
    vfs_inode_put(d);
    fs_pages_check(t, &pages, "getcwd");
}

/* ---- pipes ------------------------------------------------------------------------ */

typedef struct fs_pipe_job_s {
    fs_join_t        join;
    vfs_file_t      *file;       /* the helper's end: it drops this reference */
    volatile int64_t result;     /* bytes moved, or a negative errno */
    volatile int64_t result2;
    volatile uint64_t bad;       /* bytes that differ from the pattern */
} fs_pipe_job_t;

/* Writes 1 MiB of the pattern in chunks of 1 to 1000 bytes, then closes. */
static void fs_pipe_writer(void *arg)
{
    fs_pipe_job_t *j = arg;
    uint8_t chunk[1000];
    uint64_t pos = 0;
    uint32_t sz = 1;
    int64_t rc = 0;

    while (pos < MIB) {
        uint32_t n = sz < MIB - pos ? sz : (uint32_t)(MIB - pos);

        for (uint32_t i = 0; i < n; i++)
            chunk[i] = fs_pattern(pos + i);
        rc = vfs_write(j->file, chunk, n);
        if (rc != n)
            break;
        pos += n;
        sz = sz * 7 % 1000 + 1;
    }
    j->result = rc < 0 ? rc : (int64_t)pos;
    vfs_file_put(j->file);                  /* the reader sees the end of file */
    fs_join_done(&j->join);
}

/* Reads to the end of file in chunks of 7 to 1499 bytes, checking the pattern. */
static void fs_pipe_reader(void *arg)
{
    fs_pipe_job_t *j = arg;
    uint8_t buf[1500];
    uint64_t total = 0, bad = 0;
    uint32_t sz = 7;
    int64_t n;

    while ((n = vfs_read(j->file, buf, sz)) > 0) {
        for (int64_t i = 0; i < n; i++)
            bad += buf[i] != fs_pattern(total + i);
        total += (uint64_t)n;
        sz = sz * 13 % 1493 + 7;
    }
    j->result = n < 0 ? n : (int64_t)total;
    j->bad = bad;
    vfs_file_put(j->file);
    fs_join_done(&j->join);
}

/* One write of 100000 bytes (blocks when the pipe is full), then one of 10. */
static void fs_pipe_big_writer(void *arg)
{
    fs_pipe_job_t *j = arg;
    uint8_t *buf = kmem_alloc(100000);

    if (buf) {
        j->result = vfs_write(j->file, buf, 100000);
        j->result2 = vfs_write(j->file, buf, 10);
        kmem_free(buf);
    } else {
        j->result = -ENOMEM;
    }
    vfs_file_put(j->file);
    fs_join_done(&j->join);
}

/* 1 MiB from a writer thread in another cluster to this one, byte for byte. */
static void vfs_pipe_1mib_remote_writer(ktest_t *t)
{
    fs_pipe_job_t job = { .result = 0 };
    uint64_t total = 0, bad = 0;
    fs_pages_t pages;
    vfs_file_t *rd, *wr;
    uint32_t sz = 1;
    uint8_t *buf;
    int64_t n = 0;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    buf = kmem_alloc(2048);
    rc = vfs_pipe(&rd, &wr, 0);
    KTEST_EXPECT(t, rc == 0 && buf, "pipe: %d", rc);
    if (rc || !buf) {
        kmem_free(buf);
        return;
    }
    job.file = wr;
    fs_join_init(&job.join, 1);
    if (!fs_spawn(fs_other_cluster(), fs_pipe_writer, &job, "pipe writer")) {
        ktest_fail(t, "no writer thread");
        vfs_file_put(wr);
        fs_join_done(&job.join);
    }
    while ((n = vfs_read(rd, buf, sz)) > 0) {
        for (int64_t i = 0; i < n; i++)
            bad += buf[i] != fs_pattern(total + i);
        total += (uint64_t)n;
        sz = sz * 13 % 2048 + 1;
    }
    KTEST_EXPECT(t, fs_join_wait(&job.join, 20000), "the writer did not finish");
    KTEST_EXPECT(t, n == 0 && total == MIB && bad == 0,
                 "read %lu bytes (%lu wrong), last read %ld", total, bad, n);
    KTEST_EXPECT(t, job.result == MIB, "writer: %ld", job.result);
    vfs_file_put(rd);
    kmem_free(buf);
    fs_pages_check(t, &pages, "pipe");
}

/* 1 MiB from this cluster to a reader thread in another cluster. */
static void vfs_pipe_1mib_remote_reader(ktest_t *t)
{
    fs_pipe_job_t job = { .result = 0 };
    fs_pages_t pages;
    vfs_file_t *rd, *wr;
    uint64_t pos = 0;
    uint32_t sz = 3;
    uint8_t *buf;
    int64_t n = 0;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    buf = kmem_alloc(4096);
    rc = vfs_pipe(&rd, &wr, 0);
    KTEST_EXPECT(t, rc == 0 && buf, "pipe: %d", rc);
    if (rc || !buf) {
        kmem_free(buf);
        return;
    }
    job.file = rd;
    fs_join_init(&job.join, 1);
    if (!fs_spawn(fs_other_cluster(), fs_pipe_reader, &job, "pipe reader")) {
        ktest_fail(t, "no reader thread");
        vfs_file_put(rd);
        fs_join_done(&job.join);
    }
    while (pos < MIB) {
        uint32_t len = sz < MIB - pos ? sz : (uint32_t)(MIB - pos);

        for (uint32_t i = 0; i < len; i++)
            buf[i] = fs_pattern(pos + i);
        n = vfs_write(wr, buf, len);
        if (n != len)
            break;
        pos += len;
        sz = sz * 11 % 4096 + 1;
    }
    KTEST_EXPECT(t, pos == MIB, "wrote %lu bytes, last write %ld", pos, n);
    vfs_file_put(wr);
    KTEST_EXPECT(t, fs_join_wait(&job.join, 20000), "the reader did not finish");
    KTEST_EXPECT(t, job.result == MIB && job.bad == 0, "reader: %ld bytes, %lu wrong",
                 job.result, job.bad);
    kmem_free(buf);
    fs_pages_check(t, &pages, "pipe");
}

static void vfs_pipe_eof_epipe(ktest_t *t)
{
    fs_pipe_job_t job;
    fs_pages_t pages;
    vfs_file_t *rd, *wr;
    uint8_t buf[4096];
    kstat_t st;
    int64_t n;
    bool ok = true;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    memset(buf, 'x', sizeof(buf));

    /* end of file once the writer is gone and the pipe is drained */
    if (vfs_pipe(&rd, &wr, 0) == 0) {
        KTEST_EXPECT(t, vfs_write(wr, "abc", 3) == 3, "write");
        vfs_file_put(wr);
        KTEST_EXPECT(t, (n = vfs_read(rd, buf, 10)) == 3 && memcmp(buf, "abc", 3) == 0,
                     "read: %ld", n);
        KTEST_EXPECT(t, (n = vfs_read(rd, buf, 10)) == 0, "EOF: %ld", n);
        vfs_file_put(rd);
    }
    /* -EPIPE once the reader is gone */
    if (vfs_pipe(&rd, &wr, 0) == 0) {
        vfs_file_put(rd);
        KTEST_EXPECT(t, (n = vfs_write(wr, "abc", 3)) == -EPIPE, "EPIPE: %ld", n);
        vfs_file_put(wr);
    }
    /* O_NONBLOCK, atomic small writes, and what a pipe is not */
    if (vfs_pipe(&rd, &wr, O_NONBLOCK) == 0) {
        KTEST_EXPECT(t, (n = vfs_read(rd, buf, 10)) == -EAGAIN, "empty: %ld", n);
        for (int i = 0; i < PIPE_BUF_SIZE / 4096; i++)
            ok &= vfs_write(wr, buf, 4096) == 4096;
        KTEST_EXPECT(t, ok, "filling the pipe");
        KTEST_EXPECT(t, (n = vfs_write(wr, buf, 1)) == -EAGAIN, "full: %ld", n);
        KTEST_EXPECT(t, vfs_read(rd, buf, 100) == 100, "read 100");
        KTEST_EXPECT(t, (n = vfs_write(wr, buf, 4096)) == -EAGAIN, "atomic write: %ld", n);
        KTEST_EXPECT(t, (n = vfs_write(wr, buf, 100)) == 100, "write 100: %ld", n);
        KTEST_EXPECT(t, vfs_file_flags(rd) & O_NONBLOCK, "flags");
        KTEST_EXPECT(t, vfs_file_is_pipe(rd) && !vfs_file_is_tty(rd), "is_pipe");
        vfs_fstat(rd, &st);
        KTEST_EXPECT(t, st.st_mode == (S_IFIFO | 0600), "mode 0%o", st.st_mode);
        KTEST_EXPECT(t, vfs_lseek(rd, 0, SEEK_SET) == -ESPIPE, "lseek");
        KTEST_EXPECT(t, vfs_getdents64(rd, buf, 100) == -ENOTDIR, "getdents");
        KTEST_EXPECT(t, vfs_read(wr, buf, 1) == -EBADF && vfs_write(rd, buf, 1) == -EBADF,
                     "wrong ends");
        vfs_file_put(rd);
        vfs_file_put(wr);
    }
    /* a reader asleep in another cluster wakes up at end of file */
    if (vfs_pipe(&rd, &wr, 0) == 0) {
        job = (fs_pipe_job_t){ .file = rd, .result = 1 };
        fs_join_init(&job.join, 1);
        if (fs_spawn(fs_other_cluster(), fs_pipe_reader, &job, "pipe reader")) {
            fs_sleep_ms(30);
            vfs_file_put(wr);
            KTEST_EXPECT(t, fs_join_wait(&job.join, 10000), "the reader did not wake up");
            KTEST_EXPECT(t, job.result == 0, "reader: %ld", job.result);
        } else {
            ktest_fail(t, "no thread");
            vfs_file_put(rd);
            vfs_file_put(wr);
        }
    }
    /* a writer asleep on a full pipe in another cluster gets -EPIPE */
    if (vfs_pipe(&rd, &wr, 0) == 0) {
        job = (fs_pipe_job_t){ .file = wr, .result = 1, .result2 = 1 };
        fs_join_init(&job.join, 1);
        if (fs_spawn(fs_other_cluster(), fs_pipe_big_writer, &job, "pipe writer")) {
            fs_sleep_ms(30);
            vfs_file_put(rd);
            KTEST_EXPECT(t, fs_join_wait(&job.join, 10000), "the writer did not wake up");
            KTEST_EXPECT(t, job.result == PIPE_BUF_SIZE && job.result2 == -EPIPE,
                         "writer: %ld then %ld", job.result, job.result2);
        } else {
            ktest_fail(t, "no thread");
            vfs_file_put(rd);
            vfs_file_put(wr);
        }
    }
    fs_pages_check(t, &pages, "pipe");
}

/* ---- generated mounts ------------------------------------------------------------- */

static int64_t fs_gen(const char *path, char *buf, size_t cap)
{
    int n;

    if (strcmp(path, "/tmp/kgen/hello") == 0)
        n = snprintf(buf, cap, "hello from %s\n", path);
    else if (strcmp(path, "/tmp/kgen/dir/leaf") == 0)
        n = snprintf(buf, cap, "leaf\n");
    else
        return -ENOENT;
    return n < (int)cap ? n : (int64_t)cap;
}

static int64_t fs_list(const char *path, void *buf, size_t cap)
{
    size_t pos = 0;

    if (strcmp(path, "/tmp/kgen") == 0) {
        pos = vfs_dirent_emit(buf, cap, pos, 1, 1, DT_DIR, ".");
        pos = vfs_dirent_emit(buf, cap, pos, 2, 2, DT_DIR, "..");
        pos = vfs_dirent_emit(buf, cap, pos, 3, 3, DT_REG, "hello");
        pos = vfs_dirent_emit(buf, cap, pos, 4, 4, DT_DIR, "dir");
    } else if (strcmp(path, "/tmp/kgen/dir") == 0) {
        pos = vfs_dirent_emit(buf, cap, pos, 5, 1, DT_REG, "leaf");
    } else {
        return -ENOTDIR;
    }
    return (int64_t)pos;
}

static const vfs_gen_ops_t fs_gen_ops = { .gen = fs_gen, .list = fs_list };

static void vfs_generated(ktest_t *t)
{
    static const char *const names[] = { ".", "..", "hello", "dir" };
    fs_pages_t pages;
    vfs_inode_t *d, *p;
    vfs_file_t *f;
    char buf[256];
    uint32_t seen = 0;
    kstat_t st;
    int64_t n;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    vfs_mount_generated("/tmp/kgen", &fs_gen_ops);
    rc = vfs_open(NULL, "/tmp/kgen/hello", O_RDONLY, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open: %d", rc);
    if (rc == 0) {
        n = vfs_read(f, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        KTEST_EXPECT(t, strcmp(buf, "hello from /tmp/kgen/hello\n") == 0, "read '%s'", buf);
        KTEST_EXPECT(t, vfs_read(f, buf, 10) == 0, "end of a generated file");
        KTEST_EXPECT(t, vfs_lseek(f, 6, SEEK_SET) == 6 && vfs_read(f, buf, 4) == 4 &&
                     memcmp(buf, "from", 4) == 0, "seek in a generated file");
        KTEST_EXPECT(t, vfs_write(f, buf, 1) == -EBADF, "write");
        vfs_fstat(f, &st);
        KTEST_EXPECT(t, st.st_mode == (S_IFREG | 0444) && st.st_size == 0, "fstat 0%o %ld",
                     st.st_mode, st.st_size);
        vfs_file_put(f);
    }
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/tmp/kgen/hello", O_WRONLY, 0, &f)) == -EACCES,
                 "O_WRONLY: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/tmp/kgen/hello", O_RDWR, 0, &f)) == -EACCES,
                 "O_RDWR: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/tmp/kgen/nope", O_RDONLY, 0, &f)) == -ENOENT,
                 "missing: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_open(NULL, "/tmp/kgen/new", O_RDWR | O_CREAT, 0644, &f))
                 == -EACCES, "create: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_mkdir(NULL, "/tmp/kgen/x", 0755)) == -EACCES, "mkdir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kgen/hello", 0)) == -EACCES, "unlink: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kgen", AT_REMOVEDIR)) == -EBUSY,
                 "rmdir a mount: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_stat(NULL, "/tmp/kgen/dir", &st)) == 0 &&
                 (st.st_mode & S_IFMT) == S_IFDIR, "stat dir: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_stat(NULL, "/tmp/kgen/hello/x", &st)) == -ENOTDIR,
                 "under a generated file: %d", rc);
    KTEST_EXPECT(t, (rc = vfs_stat(NULL, "/tmp/kgen/dir/../hello", &st)) == 0 &&
                 (st.st_mode & S_IFMT) == S_IFREG, "..: %d", rc);

    rc = vfs_open(NULL, "/tmp/kgen", O_RDONLY | O_DIRECTORY, 0, &f);
    KTEST_EXPECT(t, rc == 0, "open the mount: %d", rc);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_getdents64(f, buf, 16) == -EINVAL, "small buffer");
        n = vfs_getdents64(f, buf, sizeof(buf));
        for (int64_t pos = 0; pos < n && n > 0;) {
            vfs_dirent64_t *e = (vfs_dirent64_t *)(buf + pos);
            for (int i = 0; i < 4; i++)
                if (strcmp(e->d_name, names[i]) == 0)
                    seen |= 1u << i;
            if (e->d_reclen == 0)
                break;
            pos += e->d_reclen;
        }
        KTEST_EXPECT(t, seen == 0xf, "listing: %ld bytes, names 0x%x", n, seen);
        KTEST_EXPECT(t, vfs_getdents64(f, buf, sizeof(buf)) == 0, "end of the listing");
        vfs_file_put(f);
    }
    rc = vfs_lookup_dir(NULL, "/tmp/kgen/dir", &d);
    KTEST_EXPECT(t, rc == 0, "lookup_dir: %d", rc);
    if (rc == 0) {
        n = vfs_getcwd(d, buf, sizeof(buf));
        KTEST_EXPECT(t, n == 14 && strcmp(buf, "/tmp/kgen/dir") == 0, "getcwd '%s'", buf);
        KTEST_EXPECT(t, vfs_stat(d, "leaf", &st) == 0, "relative stat");
        if (vfs_open(d, "leaf", O_RDONLY, 0, &f) == 0) {
            KTEST_EXPECT(t, vfs_read(f, buf, 10) == 5 && memcmp(buf, "leaf\n", 5) == 0, "leaf");
            vfs_file_put(f);
        }
        if (vfs_lookup_dir(d, "..", &p) == 0) {
            vfs_getcwd(p, buf, sizeof(buf));
            KTEST_EXPECT(t, strcmp(buf, "/tmp/kgen") == 0, "getcwd .. '%s'", buf);
            vfs_inode_put(p);
        }
        if (vfs_lookup_dir(d, "../..", &p) == 0) {
            vfs_getcwd(p, buf, sizeof(buf));
            KTEST_EXPECT(t, strcmp(buf, "/tmp") == 0, "getcwd ../.. '%s'", buf);
            vfs_inode_put(p);
        }
        vfs_inode_put(d);
    }
    KTEST_EXPECT(t, vfs_unmount_generated("/tmp/kgen") == 0, "unmount");
    KTEST_EXPECT(t, vfs_unmount_generated("/tmp/kgen") == -ENOENT, "unmount twice");
    KTEST_EXPECT(t, (rc = vfs_unlink(NULL, "/tmp/kgen", AT_REMOVEDIR)) == 0, "rmdir: %d", rc);
    fs_pages_check(t, &pages, "generated");
}

/* ---- descriptor tables ------------------------------------------------------------ */

static void vfs_fd_table(ktest_t *t)
{
    fs_pages_t pages;
    fd_table_t *tb, *cp;
    vfs_file_t *f, *g;
    int rc, n = 0;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    tb = kmem_alloc(sizeof(*tb));
    cp = kmem_alloc(sizeof(*cp));
    rc = vfs_open(NULL, "/dev/null", O_RDWR, 0, &f);
    KTEST_EXPECT(t, tb && cp && rc == 0, "setup: %d", rc);
    if (!tb || !cp || rc) {
        kmem_free(tb);
        kmem_free(cp);
        return;
    }
    fd_table_init(tb);
    KTEST_EXPECT(t, fd_install(tb, f, 0, false) == 0 && f->refcount == 1, "install 0");
    g = fd_get(tb, 0);
    KTEST_EXPECT(t, g == f && f->refcount == 2, "fd_get: refcount %u", f->refcount);
    vfs_file_put(g);
    KTEST_EXPECT(t, !fd_get(tb, 1) && !fd_get(tb, -1) && !fd_get(tb, FD_MAX), "fd_get of nothing");
    KTEST_EXPECT(t, (rc = fd_dup3(tb, 0, 5, true)) == 5 && f->refcount == 2, "dup3: %d", rc);
    KTEST_EXPECT(t, fd_get_cloexec(tb, 5) && !fd_get_cloexec(tb, 0), "cloexec of a dup");
    KTEST_EXPECT(t, (rc = fd_install(tb, vfs_file_get(f), 0, false)) == 1, "lowest: %d", rc);
    KTEST_EXPECT(t, (rc = fd_install(tb, vfs_file_get(f), 5, false)) == 6, "minfd 5: %d", rc);
    rc = fd_install(tb, vfs_file_get(f), FD_MAX, false);
    KTEST_EXPECT(t, rc == -EINVAL, "minfd FD_MAX: %d", rc);
    if (rc < 0)
        vfs_file_put(f);                    /* not consumed */
    KTEST_EXPECT(t, f->refcount == 4, "refcount %u", f->refcount);
    KTEST_EXPECT(t, (rc = fd_dup3(tb, 0, 0, false)) == 0, "dup2 to itself: %d", rc);
    KTEST_EXPECT(t, (rc = fd_dup3(tb, 9, 3, false)) == -EBADF, "dup3 of nothing: %d", rc);
    KTEST_EXPECT(t, (rc = fd_dup3(tb, 0, FD_MAX, false)) == -EINVAL, "dup3 range: %d", rc);
    KTEST_EXPECT(t, (rc = fd_dup3(tb, 0, 5, false)) == 5 && f->refcount == 4 &&
                 !fd_get_cloexec(tb, 5), "dup3 over an open fd: %d, refcount %u", rc,
                 f->refcount);
    KTEST_EXPECT(t, fd_set_cloexec(tb, 6, true) == 0 && fd_get_cloexec(tb, 6), "set cloexec");
    KTEST_EXPECT(t, fd_set_cloexec(tb, 7, true) == -EBADF, "set cloexec of nothing");
    KTEST_EXPECT(t, fd_close(tb, 7) == -EBADF && fd_close(tb, -1) == -EBADF, "close nothing");
    KTEST_EXPECT(t, fd_close(tb, 1) == 0 && f->refcount == 3 && !fd_get(tb, 1), "close 1");
    KTEST_EXPECT(t, fd_table_copy(cp, tb) == 0 && f->refcount == 6, "copy: refcount %u",
                 f->refcount);
    KTEST_EXPECT(t, fd_get_cloexec(cp, 6) && !fd_get_cloexec(cp, 5), "copied cloexec");
    fd_table_close_on_exec(cp);
    g = fd_get(cp, 5);
    KTEST_EXPECT(t, g == f && !fd_get(cp, 6) && f->refcount == 6, "close_on_exec: %u",
                 f->refcount);
    if (g)
        vfs_file_put(g);
    while ((rc = fd_install(tb, vfs_file_get(f), 0, false)) >= 0)
        n++;
    vfs_file_put(f);
    KTEST_EXPECT(t, rc == -EMFILE && n == FD_MAX - 3, "%d installs then %d", n, rc);
    g = vfs_file_get(f);                    /* to watch the count reach ours alone */
    fd_table_close_all(tb);
    fd_table_close_all(cp);
    KTEST_EXPECT(t, f->refcount == 1, "refcount after close_all: %u", f->refcount);
    vfs_file_put(g);
    kmem_free(tb);
    kmem_free(cp);
    fs_pages_check(t, &pages, "fd table");
}

/* ---- pages for exec and mmap ------------------------------------------------------ */

static void vfs_exec_pages(ktest_t *t)
{
    fs_pages_t pages;
    vfs_inode_t *ino;
    vfs_file_t *f;
    uint8_t buf[1000];
    uint64_t size = 0;
    page_t *pg;
    bool ok = true;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    for (int i = 0; i < 1000; i++)
        buf[i] = fs_pattern(i);
    rc = vfs_open(NULL, "/tmp/kx", O_WRONLY | O_CREAT | O_EXCL, 0755, &f);
    KTEST_EXPECT(t, rc == 0, "create: %d", rc);
    if (rc)
        return;
    for (int i = 0; i < 5; i++)
        ok &= vfs_write(f, buf, 1000) == 1000;
    vfs_file_put(f);
    KTEST_EXPECT(t, ok, "write");
    KTEST_EXPECT(t, fs_touch("/tmp/kn") == 0, "create");
    KTEST_EXPECT(t, (rc = vfs_open_exec(NULL, "/tmp/kn", &ino, &size)) == -EACCES,
                 "exec without x: %d", rc);
    rc = vfs_open_exec(NULL, "/tmp/kx", &ino, &size);
    KTEST_EXPECT(t, rc == 0 && size == 5000, "open_exec: %d, size %lu", rc, size);
    if (rc == 0) {
        KTEST_EXPECT(t, vfs_inode_mode(ino) == (S_IFREG | 0755), "mode");
        pg = mapper_page(vfs_inode_mapper(ino), 1);
        ok = pg != NULL;
        for (int i = 0; ok && i < 4096; i++)
            ok &= ((uint8_t *)ppm_page_to_virt(pg))[i] ==
                  (i < 904 ? buf[(4096 + i) % 1000] : 0);
        KTEST_EXPECT(t, ok, "page 1: file bytes then zeros");
        KTEST_EXPECT(t, mapper_page(vfs_inode_mapper(ino), 2) == NULL, "page past the end");
        pg = mapper_page_get(vfs_inode_mapper(ino), 0);
        KTEST_EXPECT(t, pg && pg->refcount == 2, "page_get: refcount %u", pg ? pg->refcount : 0);
        /* the file goes; the mapped page outlives it */
        KTEST_EXPECT(t, vfs_unlink(NULL, "/tmp/kx", 0) == 0, "unlink");
        vfs_inode_put(ino);
        if (pg) {
            KTEST_EXPECT(t, pg->refcount == 1 && ((uint8_t *)ppm_page_to_virt(pg))[5] == buf[5],
                         "page after the file: refcount %u", pg->refcount);
            mapper_page_put(pg);
        }
    }
    KTEST_EXPECT(t, vfs_unlink(NULL, "/tmp/kn", 0) == 0, "unlink");
    fs_pages_check(t, &pages, "exec pages");
}

/* ---- concurrency ----------------------------------------------------------------- */

typedef struct fs_race_s {
    fs_join_t         join;
    volatile uint32_t errors;
} fs_race_t;

/* 100 rounds of mkdir, create, write, read, getdents, unlink, rmdir in /tmp. */
static void fs_race_worker(void *arg)
{
    fs_race_t *r = arg;
    char dir[32], path[48];
    uint8_t buf[256], back[256];
    uint32_t errors = 0, c = local_cxy();

    for (int i = 0; i < 256; i++)
        buf[i] = (uint8_t)(i + c);
    snprintf(dir, sizeof(dir), "/tmp/race%u", c);
    /*
     * About 400 rounds in all, shared by the clusters: every round takes the
     * namespace lock for writing, and under TCG a hand-over to a vCPU of
     * another cluster costs tens of microseconds, so 16 clusters x 100
     * rounds took over a minute on the 16x4 boot.
     */
    int rounds = 400 / (int)boot_info.topo.nclusters;
    if (rounds < 10)
        rounds = 10;
    for (int i = 0; i < rounds; i++) {
        vfs_file_t *f;
        int64_t n;

        snprintf(path, sizeof(path), "%s/f%d", dir, i % 7);
        errors += vfs_mkdir(NULL, dir, 0755) != 0;
        if (vfs_open(NULL, path, O_RDWR | O_CREAT | O_EXCL, 0644, &f) == 0) {
            errors += vfs_write(f, buf, 256) != 256;
            errors += vfs_lseek(f, 0, SEEK_SET) != 0;
            errors += vfs_read(f, back, 256) != 256 || memcmp(buf, back, 256) != 0;
            vfs_file_put(f);
        } else {
            errors++;
        }
        if (vfs_open(NULL, "/tmp", O_RDONLY, 0, &f) == 0) {
            while ((n = vfs_getdents64(f, back, sizeof(back))) > 0)
                ;
            errors += n != 0;
            vfs_file_put(f);
        }
        errors += vfs_unlink(NULL, path, 0) != 0;
        errors += vfs_unlink(NULL, dir, AT_REMOVEDIR) != 0;
    }
    __atomic_add_fetch(&r->errors, errors, __ATOMIC_RELAXED);
    fs_join_done(&r->join);
}

/* One thread per cluster edits /tmp at once. */
static void vfs_concurrent_edits(ktest_t *t)
{
    uint32_t n = boot_info.topo.nclusters;
    fs_race_t race = { .errors = 0 };
    fs_pages_t pages;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    fs_join_init(&race.join, n);
    for (uint32_t c = 0; c < n; c++) {
        if (!fs_spawn(c, fs_race_worker, &race, "vfs race")) {
            ktest_fail(t, "no thread in cluster %u", c);
            fs_join_done(&race.join);
        }
    }
    KTEST_EXPECT(t, fs_join_wait(&race.join, 60000), "workers did not finish");
    KTEST_EXPECT(t, race.errors == 0, "%u errors", race.errors);
    fs_pages_check(t, &pages, "concurrent edits");
}

static const ktest_case_t vfs_cases[] = {
    { "boot_tree",              KTEST_ON_BSP, vfs_boot_tree },
    { "lookup_errors",          KTEST_ON_BSP, vfs_lookup_errors },
    { "file_io",                KTEST_ON_BSP, vfs_file_io },
    { "getdents_format",        KTEST_ON_BSP, vfs_getdents_format },
    { "getcwd_paths",           KTEST_ON_BSP, vfs_getcwd_paths },
    { "pipe_1mib_remote_writer", KTEST_ON_BSP, vfs_pipe_1mib_remote_writer },
    { "pipe_1mib_remote_reader", KTEST_ON_BSP, vfs_pipe_1mib_remote_reader },
    { "pipe_eof_epipe",         KTEST_ON_BSP, vfs_pipe_eof_epipe },
    { "generated",              KTEST_ON_BSP, vfs_generated },
    { "fd_table",               KTEST_ON_BSP, vfs_fd_table },
    { "exec_pages",             KTEST_ON_BSP, vfs_exec_pages },
    { "concurrent_edits",       KTEST_ON_BSP, vfs_concurrent_edits },
};
static const ktest_suite_t vfs_suite = { "vfs", KTEST_CASES(vfs_cases) };
KTEST_SUITE(vfs_suite);
