/*
 * uapi/stat.h - file types of st_mode and struct stat of stat(2),
 * fstat(2) and newfstatat(2).
 *
 * From Linux's include/uapi/linux/stat.h (S_IF*) and
 * arch/x86/include/uapi/asm/stat.h (the x86_64 struct stat).
 * tests/host/test_uapi.c checks every value and every field's offset
 * against the system's <linux/stat.h> and <asm/stat.h>.
 */
#ifndef _UAPI_STAT_H_
#define _UAPI_STAT_H_

#include <stdint.h>

#define S_IFMT   0170000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFREG  0100000
#define S_IFIFO  0010000
#define S_IFLNK  0120000          /* in an initramfs only: no symbolic links here */
#define S_ISUID  0004000         /* set-user-ID on execution */
#define S_ISGID  0002000         /* set-group-ID on execution */
#define S_ISVTX  0001000         /* sticky */
#define S_IXGRP  0000010         /* group may execute */

/* struct stat as the x86_64 Linux kernel returns it, 144 bytes */
typedef struct kstat_s {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t __pad0;
    uint64_t st_rdev;
    int64_t  st_size;
    int64_t  st_blksize;
    int64_t  st_blocks;          /* 512-byte units */
    uint64_t st_atime_sec, st_atime_nsec;
    uint64_t st_mtime_sec, st_mtime_nsec;
    uint64_t st_ctime_sec, st_ctime_nsec;
    int64_t  __unused[3];
} kstat_t;

#endif
