/*
 * pipe_ktest.c - self-tests of pipes (ktest=pipe): 1 MiB each way with the
 * other end in another cluster, end of file, -EPIPE, O_NONBLOCK, sleepers
 * woken by the close of the other end. Helpers and rules: fs_ktest.h.
 */
#include "fs_ktest.h"
#include "kcm.h"
#include "thread.h"
#include "hal_remote.h"

typedef struct fs_pipe_job_s {
    xptr_t           join;       /* the waiter's ktest_join_t */
    vfs_file_t      *file;       /* the helper's end: it drops this reference */
    volatile int64_t result;     /* bytes moved, or a negative errno */
    volatile int64_t result2;
    volatile uint64_t bad;       /* bytes that differ from the pattern */
    volatile int     writing;    /* fs_pipe_big_writer: set just before its first write */
    xptr_t           thread;     /* the helper thread (fs_pipe_helper) */
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
    ktest_join_done(j->join);
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
    ktest_join_done(j->join);
}

/* One write of 100000 bytes (blocks when the pipe is full), then one of 10. */
static void fs_pipe_big_writer(void *arg)
{
    fs_pipe_job_t *j = arg;
    uint8_t *buf = kmem_alloc(100000);

    if (buf) {
        j->writing = 1;
        j->result = vfs_write(j->file, buf, 100000);
        j->result2 = vfs_write(j->file, buf, 10);
        kmem_free(buf);
    } else {
        j->result = -ENOMEM;
    }
    vfs_file_put(j->file);
    ktest_join_done(j->join);
}

/*
 * Gives the pipe end @end to a helper thread @name running @fn(@job) in
 * another cluster (fs_other_cluster), counted by @join (initialised here). When no
 * thread can be made, fails @t with @no_thread, drops @end and counts the
 * helper done. @return true when the helper runs.
 */
static bool fs_pipe_helper(ktest_t *t, fs_pipe_job_t *job, ktest_join_t *join,
                           vfs_file_t *end, void (*fn)(void *), const char *name,
                           const char *no_thread)
{
    uint32_t cxy = fs_other_cluster();

    job->file = end;
    job->join = XPTR(local_cxy(), join);
    ktest_join_init(join, 1);
    job->thread = ktest_spawn_in(cxy, fs_helper_lid(cxy), fn, job, name);
    if (job->thread != XPTR_NULL)
        return true;
    ktest_fail(t, "%s", no_thread);
    vfs_file_put(end);
    ktest_join_done(job->join);
    return false;
}

/*
 * A blocking pipe (@rd, @wr) and a buffer of @size bytes (kmem) for a 1 MiB
 * case. @return the buffer, or NULL (and @t failed) when either is missing.
 */
static uint8_t *fs_pipe_open(ktest_t *t, vfs_file_t **rd, vfs_file_t **wr, size_t size)
{
    uint8_t *buf = kmem_alloc(size);
    int rc = vfs_pipe(rd, wr, 0);

    KTEST_EXPECT(t, rc == 0 && buf, "pipe: %d", rc);
    if (rc == 0 && buf)
        return buf;
    kmem_free(buf);
    return NULL;
}

/* 1 MiB from a writer thread in another cluster to this one, byte for byte. */
static void pipe_1mib_remote_writer(ktest_t *t)
{
    fs_pipe_job_t job = { .result = 0 };
    ktest_join_t join;
    uint64_t total = 0, bad = 0;
    fs_pages_t pages;
    vfs_file_t *rd, *wr;
    uint32_t sz = 1;
    uint8_t *buf;
    int64_t n = 0;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    buf = fs_pipe_open(t, &rd, &wr, 2048);
    if (!buf)
        return;
    fs_pipe_helper(t, &job, &join, wr, fs_pipe_writer, "pipe writer", "no writer thread");
    while ((n = vfs_read(rd, buf, sz)) > 0) {
        for (int64_t i = 0; i < n; i++)
            bad += buf[i] != fs_pattern(total + i);
        total += (uint64_t)n;
        sz = sz * 13 % 2048 + 1;
    }
    KTEST_EXPECT(t, ktest_join_wait(&join, 20000), "the writer did not finish");
    KTEST_EXPECT(t, n == 0 && total == MIB && bad == 0,
                 "read %lu bytes (%lu wrong), last read %ld", total, bad, n);
    KTEST_EXPECT(t, job.result == MIB, "writer: %ld", job.result);
    vfs_file_put(rd);
    kmem_free(buf);
    fs_pages_check(t, &pages, "pipe");
}

/* 1 MiB from this cluster to a reader thread in another cluster. */
static void pipe_1mib_remote_reader(ktest_t *t)
{
    fs_pipe_job_t job = { .result = 0 };
    ktest_join_t join;
    fs_pages_t pages;
    vfs_file_t *rd, *wr;
    uint64_t pos = 0;
    uint32_t sz = 3;
    uint8_t *buf;
    int64_t n = 0;

    NEED_VFS(t);
    fs_pages_snapshot(&pages);
    buf = fs_pipe_open(t, &rd, &wr, 4096);
    if (!buf)
        return;
    fs_pipe_helper(t, &job, &join, rd, fs_pipe_reader, "pipe reader", "no reader thread");
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
    KTEST_EXPECT(t, ktest_join_wait(&join, 20000), "the reader did not finish");
    KTEST_EXPECT(t, job.result == MIB && job.bad == 0, "reader: %ld bytes, %lu wrong",
                 job.result, job.bad);
    kmem_free(buf);
    fs_pages_check(t, &pages, "pipe");
}

static void pipe_eof_epipe(ktest_t *t)
{
    fs_pipe_job_t job;
    ktest_join_t join;
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
        job = (fs_pipe_job_t){ .result = 1 };
        if (fs_pipe_helper(t, &job, &join, rd, fs_pipe_reader, "pipe reader", "no thread")) {
            ktest_sleep_ms(30);
            vfs_file_put(wr);
            KTEST_EXPECT(t, ktest_join_wait(&join, 10000), "the reader did not wake up");
            KTEST_EXPECT(t, job.result == 0, "reader: %ld", job.result);
        } else {
            vfs_file_put(wr);
        }
    }
    /* a writer asleep on a full pipe in another cluster gets -EPIPE */
    if (vfs_pipe(&rd, &wr, 0) == 0) {
        job = (fs_pipe_job_t){ .result = 1, .result2 = 1 };
        if (fs_pipe_helper(t, &job, &join, wr, fs_pipe_big_writer, "pipe writer",
                           "no thread")) {
            /*
             * Close the read end once the writer sleeps on the full pipe (its
             * only sleep after `writing`), not after a fixed delay: a slow
             * host may not have run it yet (test pipe_eof_epipe, flaky under load).
             */
            for (int ms = 0; ms < 10000; ms += 5) {
                if (job.writing &&
                    (hal_remote_l32(job.thread + offsetof(thread_t, blocked)) & THREAD_BLOCKED_SLEEP))
                    break;
                ktest_sleep_ms(5);
            }
            vfs_file_put(rd);
            KTEST_EXPECT(t, ktest_join_wait(&join, 10000), "the writer did not wake up");
            KTEST_EXPECT(t, job.result == PIPE_BUF_SIZE && job.result2 == -EPIPE,
                         "writer: %ld then %ld", job.result, job.result2);
        } else {
            vfs_file_put(rd);
        }
    }
    fs_pages_check(t, &pages, "pipe");
}

static const ktest_case_t pipe_cases[] = {
    { "pipe_1mib_remote_writer", KTEST_ON_BSP, pipe_1mib_remote_writer },
    { "pipe_1mib_remote_reader", KTEST_ON_BSP, pipe_1mib_remote_reader },
    { "pipe_eof_epipe",          KTEST_ON_BSP, pipe_eof_epipe },
};
static const ktest_suite_t pipe_suite = { "pipe", KTEST_CASES(pipe_cases) };
KTEST_SUITE(pipe_suite);
