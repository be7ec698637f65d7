/*
 * fs_ktest.c - helpers shared by the file-system self-tests (see fs_ktest.h).
 */
#include "fs_ktest.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "rpc.h"
#include "ppm.h"
#include "cpu.h"

void fs_pages_snapshot(fs_pages_t *p)
{
    sched_reap();
    for (int i = 0; i < 10; i++)
        sched_yield();                          /* other cores' idle threads reap theirs */
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        p->free[c] = ppm_free_count(c);
}

void fs_pages_check(ktest_t *t, const fs_pages_t *p, const char *what)
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

bool fs_join_wait(fs_join_t *j, uint64_t ms)
{
    uint64_t deadline = rdtsc() + tsc_from_ms(ms);

    while (__atomic_load_n(&j->left, __ATOMIC_ACQUIRE) != 0) {
        if (rdtsc() > deadline)
            return false;
        sched_yield();
    }
    return true;
}

void fs_sleep_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);

    while (rdtsc() < end)
        sched_yield();
}

bool fs_spawn(uint32_t cxy, void (*fn)(void *), void *arg, const char *name)
{
    rpc_desc_t d = { .type = RPC_THREAD_CREATE,
                     .args.thread_create = { .lid = 0, .entry = fn, .arg = arg,
                                             .name = XPTR(local_cxy(), name) } };

    if (cxy == local_cxy())
        return thread_create(core_self()->lid, THREAD_KERNEL, fn, arg, name) != NULL;
    rpc_send(cxy, &d);
    return d.args.thread_create.thread != XPTR_NULL;
}

int fs_touch(const char *path)
{
    vfs_file_t *f;
    int rc = vfs_open(NULL, path, O_WRONLY | O_CREAT, 0644, &f);

    if (rc == 0)
        vfs_file_put(f);
    return rc;
}
