/*
 * namei_ktest.c - self-tests of path resolution and the namespace
 * operations (ktest=namei): lookup rules and errors, getcwd, concurrent
 * edits from every cluster. Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "kcm.h"

static void namei_lookup_errors(ktest_t *t)
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
    p = kmem_alloc(PATH_MAX + 8);
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
    for (int i = 5; i < PATH_MAX - 1; i += 2)
        memcpy(p + i, "./", 2);
    p[PATH_MAX - 1] = '\0';                          /* 4095 bytes: the longest */
    rc = vfs_stat(NULL, p, &st);
    KTEST_EXPECT(t, rc == 0 && (st.st_mode & S_IFMT) == S_IFDIR, "4095-byte path: %d", rc);
    p[PATH_MAX - 1] = '.';
    p[PATH_MAX] = '\0';                              /* 4096 bytes */
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

static void namei_getcwd_paths(ktest_t *t)
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
static void namei_concurrent_edits(ktest_t *t)
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

static const ktest_case_t namei_cases[] = {
    { "lookup_errors",           KTEST_ON_BSP, namei_lookup_errors },
    { "getcwd_paths",            KTEST_ON_BSP, namei_getcwd_paths },
    { "concurrent_edits",        KTEST_ON_BSP, namei_concurrent_edits },
};
static const ktest_suite_t namei_suite = { "namei", KTEST_CASES(namei_cases) };
KTEST_SUITE(namei_suite);
