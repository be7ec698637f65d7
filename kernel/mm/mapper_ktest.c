/*
 * mapper_ktest.c - self-tests of the page cache (ktest=mapper): the pages
 * exec and mmap get from a file (vfs_open_exec, mapper_page,
 * mapper_page_get), a mapped page that outlives its file, and the
 * per-cluster replicas of file pages (mapper_page_get_local). Helpers and
 * rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "mapper.h"
#include "page.h"
#include "ppm.h"
#include "cluster.h"
#include "hal_remote.h"

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

/* What the replica worker (another cluster) saw. */
typedef struct mapper_replica_job_s {
    mapper_t   *m;
    xptr_t      join;
    page_t     *first;       /* its first mapper_page_get_local(0) */
    page_t     *second;      /* the second one: the same page */
    uint64_t    before;      /* its cluster's file_replicas before the first call */
    uint64_t    made;        /* its cluster's file_replicas after the first call, minus before */
    bool        same_bytes;  /* the replica holds the page's bytes */
    uint32_t    refs;        /* the replica's refcount with both references held */
} mapper_replica_job_t;

static void mapper_replica_worker(void *arg)
{
    mapper_replica_job_t *job = arg;
    cluster_t *c = cluster_tbl[local_cxy()];
    uint64_t before = __atomic_load_n(&c->file_replicas, __ATOMIC_ACQUIRE);
    page_t *page = mapper_page(job->m, 0);

    job->before = before;
    job->first = mapper_page_get_local(job->m, 0);
    job->made = __atomic_load_n(&c->file_replicas, __ATOMIC_ACQUIRE) - before;
    job->second = mapper_page_get_local(job->m, 0);
    job->same_bytes = job->first && page &&
                      memcmp(ppm_page_to_virt(job->first), ppm_page_to_virt(page), PAGE_SIZE) == 0;
    job->refs = job->first ? __atomic_load_n(&job->first->refcount, __ATOMIC_ACQUIRE) : 0;
    if (job->second)
        mapper_page_put(job->second);     /* the worker keeps job->first for the case */
    ktest_join_done(job->join);
}

/*
 * A cluster that maps a page of a file living elsewhere gets one replica,
 * the same for every later caller, with the page's bytes; a write to the
 * page unlinks it (the holder keeps its old bytes); the last reference
 * frees it. In the file's own cluster the file's page itself is returned.
 */
static void mapper_replicas(ktest_t *t)
{
    fs_pages_t pages;
    mapper_replica_job_t job = { 0 };
    ktest_join_t join;
    uint32_t cxy = fs_other_cluster();
    vfs_inode_t *ino;
    vfs_file_t *f;
    uint8_t buf[1000];
    uint64_t size = 0;
    page_t *pg;
    int rc;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    for (int i = 0; i < 1000; i++)
        buf[i] = fs_pattern(i);
    rc = vfs_open(NULL, "/tmp/kr", O_WRONLY | O_CREAT | O_EXCL, 0755, &f);
    KTEST_EXPECT(t, rc == 0, "create: %d", rc);
    if (rc)
        return;
    for (int i = 0; i < 5; i++)
        KTEST_EXPECT(t, vfs_write(f, buf, 1000) == 1000, "write %d", i);
    rc = vfs_open_exec(NULL, "/tmp/kr", &ino, &size);
    KTEST_EXPECT(t, rc == 0 && size == 5000, "open_exec: %d, size %lu", rc, size);
    if (rc) {
        vfs_file_put(f);
        vfs_unlink(NULL, "/tmp/kr", 0);
        return;
    }
    job.m = vfs_inode_mapper(ino);

    /* in the file's own cluster: the page itself */
    pg = mapper_page_get_local(job.m, 0);
    KTEST_EXPECT(t, pg && pg == mapper_page(job.m, 0), "own cluster: the file's page");
    if (pg)
        mapper_page_put(pg);

    if (cxy != local_cxy()) {
        job.join = XPTR(local_cxy(), &join);
        ktest_join_init(&join, 1);
        if (ktest_spawn_in(cxy, fs_helper_lid(cxy), mapper_replica_worker, &job, "replica")
            == XPTR_NULL) {
            ktest_fail(t, "no thread in cluster %u", cxy);
            ktest_join_done(job.join);
        }
        KTEST_EXPECT(t, ktest_join_wait(&join, 5000), "replica worker did not finish");
        pg = job.first;
        KTEST_EXPECT(t, pg && pg->cxy == cxy && pg != mapper_page(job.m, 0),
                     "a replica in cluster %u: cxy %u", cxy, pg ? pg->cxy : 0);
        KTEST_EXPECT(t, job.second == pg, "the second caller gets the same replica");
        KTEST_EXPECT(t, job.made == 1, "file_replicas of cluster %u grew by %lu", cxy, job.made);
        KTEST_EXPECT(t, job.same_bytes, "the replica holds the page's bytes");
        KTEST_EXPECT(t, job.refs == 3, "chain + two callers: refcount %u", job.refs);
        /* a write to the page unlinks the replica; its holder keeps the old bytes */
        KTEST_EXPECT(t, vfs_lseek(f, 0, SEEK_SET) == 0, "lseek");
        KTEST_EXPECT(t, vfs_write(f, "X", 1) == 1, "rewrite byte 0");
        KTEST_EXPECT(t, mapper_page(job.m, 0)->priv == NULL, "the page has no replica left");
        KTEST_EXPECT(t, hal_remote_l64(XPTR(cxy, &cluster_tbl[cxy]->file_replicas)) == job.before,
                     "file_replicas of cluster %u back to %lu", cxy, job.before);
        if (pg) {
            KTEST_EXPECT(t, pg->refcount == 1 && pg->owner == NULL &&
                            ((uint8_t *)ppm_page_to_virt(pg))[0] == buf[0],
                         "unlinked replica: refcount %u, old bytes", pg->refcount);
            mapper_page_put(pg);             /* the last reference: freed in its cluster */
        }
    }
    vfs_file_put(f);
    vfs_inode_put(ino);
    KTEST_EXPECT(t, vfs_unlink(NULL, "/tmp/kr", 0) == 0, "unlink");
    fs_pages_check(t, &pages, "replica pages");
}

static const ktest_case_t mapper_cases[] = {
    { "exec_pages",              KTEST_ON_BSP, mapper_exec_pages },
    { "replicas",                KTEST_ON_BSP, mapper_replicas },
};
static const ktest_suite_t mapper_suite = { "mapper", KTEST_CASES(mapper_cases) };
KTEST_SUITE(mapper_suite);
