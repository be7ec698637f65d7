/*
 * uapi/statfs.h - the answer of statfs(2) / fstatfs(2).
 *
 * From Linux's include/uapi/asm-generic/statfs.h (struct statfs, 64-bit:
 * every word a long but f_fsid) and include/uapi/linux/magic.h (the f_type
 * of a tmpfs, which Archipel's RAM file system reports: man 2 statfs).
 * tests/host/test_uapi.c checks the layout and values against the system's
 * <asm/statfs.h> and <linux/magic.h>.
 */
#ifndef _UAPI_STATFS_H_
#define _UAPI_STATFS_H_

#include <stdint.h>

#define TMPFS_MAGIC 0x01021994

/* struct statfs (x86_64), 120 bytes */
typedef struct kstatfs_s {
    int64_t  f_type;        /* the file system's magic number */
    int64_t  f_bsize;       /* optimal transfer block size, bytes */
    uint64_t f_blocks;      /* blocks of f_frsize bytes in the file system */
    uint64_t f_bfree;       /* free blocks */
    uint64_t f_bavail;      /* free blocks for an unprivileged user */
    uint64_t f_files;       /* inodes */
    uint64_t f_ffree;       /* free inodes */
    int32_t  f_fsid[2];     /* file system ID */
    int64_t  f_namelen;     /* longest file name, bytes */
    int64_t  f_frsize;      /* fragment size, bytes */
    int64_t  f_flags;       /* ST_* mount flags */
    int64_t  f_spare[4];
} kstatfs_t;

#endif
