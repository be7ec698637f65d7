/*
 * vfs_attr.c - the attributes of an inode that system calls change: mode
 * bits, owner and group, size; and the file system's figures (statfs).
 * See vfs.h, "attributes".
 */
#include "vfs_internal.h"
#include "cluster.h"
#include "ppm.h"
#include "boot_info.h"
#include "hal_remote.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "cred.h"

int vfs_resolve(vfs_inode_t *cwd, const char *path, vfs_inode_t **out)
{
    return vfs_lookup(cwd, path, out);
}

int vfs_permission(vfs_inode_t *ino, uint32_t mask)
{
    uint32_t mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED), bits;
    cred_t c;

    cred_get(&c);
    if (c.fsuid == 0) {                  /* root: anything but executing a file with no x bit */
        if ((mask & 1) && !vfs_is_dir(ino) && !(mode & 0111))
            return -EACCES;
        return 0;
    }
    if (c.fsuid == __atomic_load_n(&ino->uid, __ATOMIC_RELAXED))
        bits = mode >> 6;
    else if (cred_in_group(&c, __atomic_load_n(&ino->gid, __ATOMIC_RELAXED)))
        bits = mode >> 3;
    else
        bits = mode;
    return (mask & 7 & ~bits) ? -EACCES : 0;
}

int vfs_chmod(vfs_inode_t *ino, uint32_t mode)
{
    uint32_t old = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);

    __atomic_store_n(&ino->mode, (old & S_IFMT) | (mode & 07777), __ATOMIC_RELAXED);
    return 0;
}

int vfs_chown(vfs_inode_t *ino, uint32_t uid, uint32_t gid)
{
    uint32_t mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);

    if (uid != (uint32_t)-1)
        __atomic_store_n(&ino->uid, uid, __ATOMIC_RELAXED);
    if (gid != (uint32_t)-1)
        __atomic_store_n(&ino->gid, gid, __ATOMIC_RELAXED);
    if ((uid != (uint32_t)-1 || gid != (uint32_t)-1) && (mode & S_IFMT) != S_IFDIR) {
        mode &= ~(uint32_t)S_ISUID;
        if (mode & S_IXGRP)
            mode &= ~(uint32_t)S_ISGID;  /* a group-executable set-group-ID file */
        __atomic_store_n(&ino->mode, mode, __ATOMIC_RELAXED);
    }
    return 0;
}

int vfs_truncate(vfs_inode_t *ino, int64_t size)
{
    if (vfs_is_dir(ino))
        return -EISDIR;
    if (size < 0 || ino->mapper == NULL || (ino->mode & S_IFMT) != S_IFREG)
        return -EINVAL;
    return mapper_resize(ino->mapper, (uint64_t)size);
}

void vfs_statfs(vfs_inode_t *ino, kstatfs_t *st)
{
    uint64_t total = 0, free = 0;

    (void)ino;                           /* one file system */
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];     /* read-mostly since boot */

        total += hal_remote_l64(XPTR(c, &cl->ppm.buddy.managed_pages));
        free += ppm_free_count(c);
    }
    memset(st, 0, sizeof(*st));
    st->f_type = TMPFS_MAGIC;
    st->f_bsize = PAGE_SIZE;
    st->f_frsize = PAGE_SIZE;
    st->f_blocks = total;
    st->f_bfree = free;
    st->f_bavail = free;
    st->f_files = total;
    st->f_ffree = free;
    st->f_namelen = NAME_MAX;
}
