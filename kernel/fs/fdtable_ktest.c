/*
 * fdtable_ktest.c - self-tests of descriptor tables (ktest=fdtable): install,
 * dup3, close-on-exec, copy, -EMFILE, and the open file's reference count.
 * Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "vfs_internal.h"
#include "fdtable.h"
#include "kcm.h"

static void fdtable_fd_table(ktest_t *t)
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

static const ktest_case_t fdtable_cases[] = {
    { "fd_table",                KTEST_ON_BSP, fdtable_fd_table },
};
static const ktest_suite_t fdtable_suite = { "fdtable", KTEST_CASES(fdtable_cases) };
KTEST_SUITE(fdtable_suite);
