/*
 * uapi/dirent.h - the records of getdents64(2).
 *
 * From Linux's include/linux/dirent.h (struct linux_dirent64) and the
 * DT_* file types of include/linux/fs_types.h: part of the ABI although
 * Linux does not export them as uapi headers; libc copies them (glibc's
 * <dirent.h>: DT_*, struct dirent64), and tests/host/test_uapi.c checks
 * every value and field offset against that copy.
 */
#ifndef _UAPI_DIRENT_H_
#define _UAPI_DIRENT_H_

#include <stdint.h>

/* d_type */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_REG     8

/* struct linux_dirent64: d_reclen is a multiple of 8 */
typedef struct kdirent64_s {
    uint64_t d_ino;
    int64_t  d_off;              /* position of the next record (opaque) */
    uint16_t d_reclen;           /* bytes of this record, padding included */
    uint8_t  d_type;             /* DT_* */
    char     d_name[];           /* NUL-terminated */
} kdirent64_t;

#endif
