/*
 * ramfs.c - the RAM file system: inodes and directories (see vfs.h,
 * vfs_internal.h); a regular file keeps its data in its mapper (mapper.h).
 *
 * Inodes and dentries are kmem objects of the cluster of the thread that
 * creates them. Whoever drops the last reference frees them, in any
 * cluster, with vfs_kfree().
 */
#include "vfs_internal.h"
#include "kcm.h"
#include "ppm.h"
#include "kstring.h"
#include "kerrno.h"
#include "core.h"

vfs_inode_t *ramfs_inode_alloc(vfs_kind_t kind, uint32_t mode)
{
    vfs_inode_t *ino = kmem_alloc(sizeof(*ino));

    if (ino == NULL)
        return NULL;
    ino->kind = kind;
    ino->cxy = local_cxy();
    ino->refcount = 1;
    ino->mode = mode;
    ino->ino = vfs_new_ino();
    switch (kind) {
    case VFS_REG:
        mapper_init(&ino->reg, ino->cxy);
        break;
    case VFS_DIR:
        list_root_init(&ino->dir.entries);
        ino->dir.next_cookie = 3;        /* 1: ".", 2: ".." */
        ino->dir.mnt = -1;
        break;
    case VFS_FIFO:
        if (pipe_init(ino) < 0) {
            kmem_free(ino);
            return NULL;
        }
        break;
    default:
        break;
    }
    ino->magic = VFS_INODE_MAGIC;
    return ino;
}

vfs_inode_t *ramfs_inode_free(vfs_inode_t *ino)
{
    vfs_inode_t *parent = NULL;

    switch (ino->kind) {
    case VFS_REG:
        mapper_truncate(&ino->reg);
        break;
    case VFS_DIR:
        parent = ino->dir.parent;
        break;
    case VFS_FIFO:
        pipe_release(ino);
        break;
    case VFS_GEN_FILE:
    case VFS_GEN_DIR:
        vfs_kfree(ino->gen.path);
        vfs_kfree(ino->gen.buf);
        break;
    default:
        break;
    }
    ino->magic = 0;
    vfs_kfree(ino);
    return parent;
}

/* ---- directories ------------------------------------------------------------- */

vfs_dentry_t *ramfs_dir_find_locked(vfs_inode_t *dir, const char *name, size_t len)
{
    list_entry_t *it;

    LIST_FOREACH(&dir->dir.entries, it) {
        vfs_dentry_t *d = LIST_ELEMENT(it, vfs_dentry_t, link);
        if (d->namelen == len && memcmp(d->name, name, len) == 0)
            return d;
    }
    return NULL;
}

int ramfs_dir_link_locked(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t *child)
{
    vfs_dentry_t *d = kmem_alloc(sizeof(*d) + len + 1);

    if (d == NULL)
        return -ENOMEM;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->namelen = (uint32_t)len;
    d->inode = child;
    d->cookie = dir->dir.next_cookie++;
    list_add_last(&dir->dir.entries, &d->link);
    if (child->kind == VFS_DIR) {
        child->nlink = 2;
        child->dir.parent = vfs_inode_get(dir);
        child->dir.dentry = d;
        dir->nlink++;
    } else {
        child->nlink++;
    }
    return 0;
}

void ramfs_dir_unlink_locked(vfs_inode_t *dir, vfs_dentry_t *d)
{
    vfs_inode_t *child = d->inode;

    list_unlink(&d->link);
    if (child->kind == VFS_DIR) {
        child->nlink = 0;
        child->dir.dentry = NULL;        /* parent stays referenced until the child is freed */
        dir->nlink--;
    } else {
        child->nlink--;
    }
}

static uint8_t ramfs_dtype(const vfs_inode_t *ino)
{
    switch (ino->mode & S_IFMT) {
    case S_IFDIR: return DT_DIR;
    case S_IFREG: return DT_REG;
    case S_IFCHR: return DT_CHR;
    case S_IFIFO: return DT_FIFO;
    default:      return DT_UNKNOWN;
    }
}

int64_t ramfs_getdents(vfs_inode_t *dir, void *buf, size_t n, uint64_t *pos)
{
    size_t out = 0, next;
    list_entry_t *it;
    int64_t rc = 0;

    vfs_tree_rd_lock();
    if (dir->nlink == 0)                 /* removed: empty */
        goto done;
    if (*pos <= 1) {
        next = vfs_dirent_emit(buf, n, out, dir->ino, 2, DT_DIR, ".");
        if (next == 0)
            goto full;
        out = next;
        *pos = 2;
    }
    if (*pos <= 2) {
        vfs_inode_t *up = dir->dir.parent ? dir->dir.parent : dir;
        next = vfs_dirent_emit(buf, n, out, up->ino, 3, DT_DIR, "..");
        if (next == 0)
            goto full;
        out = next;
        *pos = 3;
    }
    LIST_FOREACH(&dir->dir.entries, it) {
        vfs_dentry_t *d = LIST_ELEMENT(it, vfs_dentry_t, link);

        if (d->cookie < *pos)
            continue;
        next = vfs_dirent_emit(buf, n, out, d->inode->ino, (int64_t)d->cookie + 1,
                               ramfs_dtype(d->inode), d->name);
        if (next == 0)
            goto full;
        out = next;
        *pos = d->cookie + 1;
    }
    goto done;
full:
    if (out == 0)
        rc = -EINVAL;                    /* not even one record fits */
done:
    vfs_tree_rd_unlock();
    return rc < 0 ? rc : (int64_t)out;
}

/* ---- regular file data ---------------------------------------------------------- */

uint64_t vfs_inode_size(vfs_inode_t *ino)
{
    if (ino->kind != VFS_REG)
        return 0;
    return mapper_size(&ino->reg);
}

mapper_t *vfs_inode_mapper(vfs_inode_t *ino)
{
    return ino->kind == VFS_REG ? &ino->reg : NULL;
}
