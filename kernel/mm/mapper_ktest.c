/*
 * mapper_ktest.c - self-tests of the page cache (ktest=mapper): the pages
 * exec and mmap get from a file (vfs_open_exec, mapper_page,
 * mapper_page_get), and a mapped page that outlives its file. Helpers and
 * rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "mapper.h"
#include "page.h"
#include "ppm.h"

static void mapper_exec_pages(ktest_t *t)
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

static const ktest_case_t mapper_cases[] = {
    { "exec_pages",              KTEST_ON_BSP, mapper_exec_pages },
};
static const ktest_suite_t mapper_suite = { "mapper", KTEST_CASES(mapper_cases) };
KTEST_SUITE(mapper_suite);
