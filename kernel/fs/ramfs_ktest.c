/*
 * ramfs_ktest.c - self-tests of the RAM file system (ktest=ramfs): regular
 * file I/O, holes, access modes, unlink while open; getdents64 of a
 * directory. Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "kcm.h"
#include "ppm.h"

/* ---- regular files --------------------------------------------------------------- */

static void ramfs_file_io(ktest_t *t)
{
    enum { N = 10000, HOLE = 5 * 4096 + 100 };
    fs_pages_t pages;
    vfs_file_t *f, *g;
    uint8_t *w, *r;
    kstat_t st;
    int64_t n;
    mapper_t *m;
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
    m = vfs_inode_mapper(vfs_file_inode(f));
    KTEST_EXPECT(t, mapper_page(m, 3) == NULL && mapper_page(m, 4) == NULL, "a hole has pages");
    KTEST_EXPECT(t, mapper_page(m, 5) != NULL, "no page 5");
    KTEST_EXPECT(t, mapper_page(m, 6) == NULL, "a page past the end");
    pg = mapper_page(m, 0);
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

static void ramfs_getdents_format(ktest_t *t)
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
        kdirent64_t *d = (kdirent64_t *)(buf + pos);
        size_t len = strlen(d->d_name);
        bool known = false;

        KTEST_EXPECT(t, d->d_reclen % 8 == 0 && d->d_reclen >= 24 &&
                     offsetof(kdirent64_t, d_name) + len < d->d_reclen,
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

static const ktest_case_t ramfs_cases[] = {
    { "file_io",                 KTEST_ON_BSP, ramfs_file_io },
    { "getdents_format",         KTEST_ON_BSP, ramfs_getdents_format },
};
static const ktest_suite_t ramfs_suite = { "ramfs", KTEST_CASES(ramfs_cases) };
KTEST_SUITE(ramfs_suite);
