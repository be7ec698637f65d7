/*
 * cpio.h - walking a cpio "newc" archive (the initramfs format).
 *
 * Format: cpio(5), "New ASCII Format": each entry is a 110-byte header
 * ("070701" then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink,
 * mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize,
 * check), the NUL-terminated name padded to a multiple of 4 bytes, the data
 * padded likewise; the entry named "TRAILER!!!" ends the archive. Pure: the
 * host unit tests build it as is.
 */
#ifndef _CPIO_H_
#define _CPIO_H_

#include <stddef.h>
#include <stdint.h>

typedef struct cpio_entry_s {
    const char *name;       /* NUL-terminated, inside the archive */
    uint32_t    mode;       /* file type and permissions (st_mode) */
    const void *data;       /* file contents, inside the archive */
    uint32_t    size;       /* bytes of data */
} cpio_entry_t;

/*
 * Reads the entry at byte @*offset of the archive @buf of @len bytes and
 * advances @*offset to the next one.
 * @return 1 with @out filled, 0 at the trailer, or -EINVAL when the header
 *         magic or a hex field is bad, or the name or data runs past @len.
 */
int cpio_next(const void *buf, size_t len, size_t *offset, cpio_entry_t *out);

/*
 * Counts the entries of a whole archive (trailer excluded).
 * @return the count, or -EINVAL as cpio_next(), also when no trailer ends it.
 */
int cpio_count(const void *buf, size_t len);

#endif
