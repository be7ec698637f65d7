/*
 * vfs_ktest.c - self-tests of the VFS core (ktest=vfs): the tree vfs_init()
 * builds, /dev/console and /dev/null. Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"

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

static const ktest_case_t vfs_cases[] = {
    { "boot_tree",               KTEST_ON_BSP, vfs_boot_tree },
};
static const ktest_suite_t vfs_suite = { "vfs", KTEST_CASES(vfs_cases) };
KTEST_SUITE(vfs_suite);
