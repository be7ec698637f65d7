/*
 * null.c - /dev/null (Linux's drivers/char/mem.c): reads are at end of
 * file, writes vanish whole, lseek stays at 0. Any cluster, no state.
 */
#include "vfs_internal.h"

static int64_t null_read(vfs_file_t *f, void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return 0;
}

static int64_t null_write(vfs_file_t *f, const void *buf, size_t n)
{
    (void)f;
    (void)buf;
    return (int64_t)n;
}

static int64_t null_lseek(vfs_file_t *f, int64_t off, int whence)
{
    (void)f;
    (void)off;
    (void)whence;
    return 0;                          /* like Linux */
}

const vfs_file_ops_t null_fops = {
    .read  = null_read,
    .write = null_write,
    .lseek = null_lseek,
};
