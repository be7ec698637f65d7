/*
 * genfs_ktest.c - self-tests of generated mounts (ktest=genfs): a test
 * generator mounted on /tmp/kgen, read-only rules, listing, getcwd and
 * "..", unmount. Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"

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

static void genfs_generated(ktest_t *t)
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
            kdirent64_t *e = (kdirent64_t *)(buf + pos);
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

static const ktest_case_t genfs_cases[] = {
    { "generated",               KTEST_ON_BSP, genfs_generated },
};
static const ktest_suite_t genfs_suite = { "genfs", KTEST_CASES(genfs_cases) };
KTEST_SUITE(genfs_suite);
