/*
 * mem_devices.c - /dev/zero and /dev/full (Linux's drivers/char/mem.c;
 * man 4 zero, man 4 full). /dev/null is null.c. Any cluster, no state.
 *
 * /dev/zero: reads give zero bytes, writes vanish whole, lseek stays at 0.
 * /dev/full: reads give zero bytes, writes fail with ENOSPC, lseek at 0.
 * mmap of /dev/zero is not supported (the VMM maps regular files only; an
 * anonymous mapping is what to use): mmap returns ENODEV.
 */
#include "vfs_internal.h"
#include "kstring.h"
#include "uapi/errno.h"

static int64_t zero_read(vfs_file_t *f, void *buf, size_t n)
{
    (void)f;
    memset(buf, 0, n);
    return (int64_t)n;
}

static int64_t zero_write(vfs_file_t *f, const void *buf, size_t n)
{
    (void)f;
    (void)buf;
    return (int64_t)n;
}

static int64_t full_write(vfs_file_t *f, const void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return -ENOSPC;
}

static int64_t mem_lseek(vfs_file_t *f, int64_t off, int whence)
{
    (void)f;
    (void)off;
    (void)whence;
    return 0;                          /* like Linux's null_lseek */
}

const vfs_file_ops_t zero_fops = {
    .read  = zero_read,
    .write = zero_write,
    .lseek = mem_lseek,
};

const vfs_file_ops_t full_fops = {
    .read  = zero_read,
    .write = full_write,
    .lseek = mem_lseek,
};
