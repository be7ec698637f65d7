/*
 * fs_ktest.h - helpers shared by the self-tests of the file systems and the
 * page cache (kernel/fs/<unit>_ktest.c, kernel/mm/mapper_ktest.c; bodies in
 * fs_ktest.c).
 *
 * Every case of those suites runs on the bootstrap core, after
 * kernel_main's vfs_init(); helper threads run in another cluster when
 * there is one. Each case checks that every cluster has as many free pages
 * at its end as at its start (fs_pages_snapshot, fs_pages_check). Helper
 * threads are started with ktest_spawn_in() and waited for with a
 * ktest_join_t (ktest.h).
 */
#ifndef _FS_KTEST_H_
#define _FS_KTEST_H_

#include <stdint.h>
#include <stdbool.h>
#include "ktest.h"
#include "vfs.h"
#include "boot_info.h"
#include "core.h"
#include "kstring.h"
#include "uapi/errno.h"

#define MIB (1u << 20)

/* Fails the case and returns when vfs_init() has not run. */
#define NEED_VFS(t) \
    do { if (vfs_root() == NULL) { \
        ktest_fail((t), "vfs_init() was not called before the self-tests"); return; } } while (0)

/* Free pages of every cluster (fs_pages_snapshot). */
typedef struct fs_pages_s {
    uint64_t free[MAX_CLUSTERS];
} fs_pages_t;

/* Free pages of every cluster, once the threads that exited before are reaped. */
void fs_pages_snapshot(fs_pages_t *p);

/*
 * Fails @t for every cluster that has fewer free pages than in @p (a leak),
 * after letting exited threads be reaped (up to 2 s). More is not a leak:
 * threads of earlier tests may have been reaped meanwhile.
 */
void fs_pages_check(ktest_t *t, const fs_pages_t *p, const char *what);

/* The cluster helper threads run in: another one when there is one. */
static inline uint32_t fs_other_cluster(void)
{
    return (local_cxy() + 1) % boot_info.topo.nclusters;
}

/*
 * The core a helper thread of cluster @cxy runs on (ktest_spawn_in): the
 * calling core in its own cluster, core 0 in another.
 */
static inline uint32_t fs_helper_lid(uint32_t cxy)
{
    return cxy == local_cxy() ? core_self()->lid : 0;
}

/* Byte @pos of the test stream. */
static inline uint8_t fs_pattern(uint64_t pos)
{
    return (uint8_t)((pos >> 3) ^ (pos * 13) ^ (pos >> 17));
}

/* Opens @path and drops the file: creates an empty regular file. */
int fs_touch(const char *path);

#endif
