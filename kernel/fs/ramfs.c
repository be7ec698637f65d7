/*
 * ramfs.c - the RAM file system: directories and regular files, filled
 * from the initramfs at boot (see vfs.h, vfs_internal.h). A regular file
 * keeps its data in its mapper (mapper.h); a directory is a list of
 * dentries guarded by the namespace lock (vfs_tree_*).
 *
 * Inodes and dentries are kmem objects of the cluster of the thread that
 * creates them. Whoever drops the last reference frees them, in any
 * cluster, with vfs_kfree().
 *
 * Every edit (create, link, unlink) takes the tree lock for writing and
 * re-checks that the directory is still linked (nlink > 0) before changing
 * it: the path walk that found the directory (namei.c) held a reference on
 * it, not the lock.
 */
#include "vfs_internal.h"
#include "kcm.h"
#include "kstring.h"
#include "uapi/errno.h"

static const vfs_inode_ops_t ramfs_dir_iops, ramfs_file_iops;
static const vfs_file_ops_t ramfs_dir_fops, ramfs_file_fops;

vfs_inode_t *ramfs_dir_new(uint32_t mode)
{
    vfs_inode_t *ino = vfs_inode_alloc(&ramfs_dir_iops, &ramfs_dir_fops, mode);

    if (ino == NULL)
        return NULL;
    list_root_init(&ino->dir.entries);
    ino->dir.next_cookie = 3;            /* 1: ".", 2: ".." */
    ino->dir.mnt = -1;
    return ino;
}

/* A new empty regular file of @mode (S_IFREG | permissions), unlinked; NULL when out of memory. */
static vfs_inode_t *ramfs_file_new(uint32_t mode)
{
    vfs_inode_t *ino = vfs_inode_alloc(&ramfs_file_iops, &ramfs_file_fops, mode);

    if (ino == NULL)
        return NULL;
    mapper_init(&ino->data, ino->cxy);
    ino->mapper = &ino->data;
    return ino;
}

/* ---- directories ------------------------------------------------------------- */

/* Entry @name (@len bytes) of directory @dir, or NULL. Tree lock held. */
static vfs_dentry_t *ramfs_find_locked(vfs_inode_t *dir, const char *name, size_t len)
{
    list_entry_t *it;

    LIST_FOREACH(&dir->dir.entries, it) {
        vfs_dentry_t *d = LIST_ELEMENT(it, vfs_dentry_t, link);
        if (d->namelen == len && memcmp(d->name, name, len) == 0)
            return d;
    }
    return NULL;
}

/* Links @child as @name in @dir (consumes one reference of @child). Tree write lock held. */
static int ramfs_link_locked(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t *child)
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
    if (vfs_is_dir(child)) {
        child->nlink = 2;
        child->dir.parent = vfs_inode_get(dir);
        child->dir.dentry = d;
        dir->nlink++;
    } else {
        child->nlink++;
    }
    return 0;
}

/* Removes @d from @dir; the caller frees it with vfs_kfree after the lock. Tree write lock held. */
static void ramfs_unlink_locked(vfs_inode_t *dir, vfs_dentry_t *d)
{
    vfs_inode_t *child = d->inode;

    list_unlink(&d->link);
    if (vfs_is_dir(child)) {
        child->nlink = 0;
        child->dir.dentry = NULL;        /* parent stays referenced until the child is freed */
        dir->nlink--;
    } else {
        child->nlink--;
    }
}

static int ramfs_lookup(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    bool dotdot = len == 2 && name[0] == '.' && name[1] == '.';
    vfs_dentry_t *d;
    int rc = 0;

    vfs_tree_rd_lock();
    if (dotdot)
        *out = vfs_inode_get(dir->dir.parent ? dir->dir.parent : dir);
    else if (dir->nlink == 0 || (d = ramfs_find_locked(dir, name, len)) == NULL)
        rc = -ENOENT;
    else
        *out = vfs_inode_get(d->inode);
    vfs_tree_rd_unlock();
    return rc;
}

static int ramfs_create(vfs_inode_t *dir, const vfs_last_t *last, int flags, uint32_t mode,
                        vfs_inode_t **out)
{
    vfs_inode_t *ino = NULL;
    vfs_dentry_t *d;
    int rc = 0;

    vfs_tree_wr_lock();
    if (dir->nlink == 0) {
        rc = -ENOENT;
    } else if ((d = ramfs_find_locked(dir, last->name, last->len)) != NULL) {
        if (flags & O_EXCL)
            rc = -EEXIST;
        else
            ino = vfs_inode_get(d->inode);
    } else if (last->slash) {
        rc = -EISDIR;
    } else if ((ino = ramfs_file_new(S_IFREG | (mode & 07777))) == NULL) {
        rc = -ENOMEM;
    } else {
        vfs_inode_get(ino);                     /* ours; the link consumes the first */
        rc = ramfs_link_locked(dir, last->name, last->len, ino);
        if (rc) {
            vfs_inode_free(ino);                /* never visible: nobody else has it */
            ino = NULL;
        }
    }
    vfs_tree_wr_unlock();
    *out = ino;
    return rc;
}

static int ramfs_link(vfs_inode_t *dir, const vfs_last_t *last, vfs_inode_t *child)
{
    int rc;

    vfs_tree_wr_lock();
    if (dir->nlink == 0)
        rc = -ENOENT;                           /* the directory was removed meanwhile */
    else if (ramfs_find_locked(dir, last->name, last->len))
        rc = -EEXIST;
    else
        rc = ramfs_link_locked(dir, last->name, last->len, child);
    vfs_tree_wr_unlock();
    return rc;
}

/* The unlink / rmdir checks on @child, entry of @last. Tree lock held. */
static int ramfs_unlink_check_locked(vfs_inode_t *child, const vfs_last_t *last, bool rmdir)
{
    if (rmdir) {
        if (!vfs_is_dir(child))
            return -ENOTDIR;
        if (!list_is_empty(&child->dir.entries))
            return -ENOTEMPTY;
        if (child->dir.mnt >= 0)
            return -EBUSY;                      /* a generated mount's root */
        return 0;
    }
    if (vfs_is_dir(child))
        return -EISDIR;
    return last->slash ? -ENOTDIR : 0;
}

static int ramfs_unlink(vfs_inode_t *dir, const vfs_last_t *last, bool rmdir)
{
    vfs_inode_t *child = NULL;
    vfs_dentry_t *d;
    int rc;

    vfs_tree_wr_lock();
    d = dir->nlink ? ramfs_find_locked(dir, last->name, last->len) : NULL;
    if (d == NULL) {
        rc = -ENOENT;
    } else {
        child = d->inode;
        rc = ramfs_unlink_check_locked(child, last, rmdir);
        if (rc == 0)
            ramfs_unlink_locked(dir, d);
    }
    vfs_tree_wr_unlock();
    if (rc == 0) {
        vfs_kfree(d);
        vfs_inode_put(child);                   /* the link's reference */
    }
    return rc;
}

static int64_t ramfs_getcwd(vfs_inode_t *dir, char *buf, size_t cap)
{
    size_t total = 0, pos;
    vfs_inode_t *d;
    int64_t rc;

    vfs_tree_rd_lock();
    if (dir->nlink == 0) {
        rc = -ENOENT;                           /* removed (Linux getcwd(2) too) */
        goto out;
    }
    for (d = dir; d->dir.dentry; d = d->dir.parent)
        total += 1 + d->dir.dentry->namelen;
    rc = (int64_t)(total ? total + 1 : 2);
    if ((size_t)rc > cap) {
        rc = -ERANGE;
        goto out;
    }
    if (total == 0) {
        memcpy(buf, "/", 2);
        goto out;
    }
    pos = total;
    buf[pos] = '\0';
    for (d = dir; d->dir.dentry; d = d->dir.parent) {
        pos -= d->dir.dentry->namelen;
        memcpy(buf + pos, d->dir.dentry->name, d->dir.dentry->namelen);
        buf[--pos] = '/';
    }
out:
    vfs_tree_rd_unlock();
    return rc;
}

static void ramfs_dir_getattr(vfs_inode_t *dir, kstat_t *st)
{
    (void)dir;
    st->st_size = PAGE_SIZE;
}

static vfs_inode_t *ramfs_dir_destroy(vfs_inode_t *dir)
{
    return dir->dir.parent;
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

/* getdents64 of RAM directory @dir from cookie *@pos. Takes the tree lock (read). */
static int64_t ramfs_getdents_at(vfs_inode_t *dir, void *buf, size_t n, uint64_t *pos)
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

static int64_t ramfs_getdents(vfs_file_t *f, void *buf, size_t n)
{
    int64_t r;

    vfs_qlock(f->cxy, &f->lock);
    r = ramfs_getdents_at(f->inode, buf, n, &f->offset);
    vfs_qunlock(f->cxy, &f->lock);
    return r;
}

static const vfs_inode_ops_t ramfs_dir_iops = {
    .lookup   = ramfs_lookup,
    .create   = ramfs_create,
    .link     = ramfs_link,
    .unlink   = ramfs_unlink,
    .getcwd   = ramfs_getcwd,
    .getattr  = ramfs_dir_getattr,
    .destroy  = ramfs_dir_destroy,
};

static const vfs_file_ops_t ramfs_dir_fops = {
    .lseek    = vfs_lseek_dir,
    .getdents = ramfs_getdents,
};

/* ---- regular files -------------------------------------------------------------- */

static void ramfs_file_truncate(vfs_inode_t *ino)
{
    mapper_truncate(ino->mapper);
}

static void ramfs_file_getattr(vfs_inode_t *ino, kstat_t *st)
{
    st->st_size = (int64_t)mapper_size(ino->mapper);
    st->st_blocks = (int64_t)(mapper_nalloc(ino->mapper) * (PAGE_SIZE / 512));
}

static vfs_inode_t *ramfs_file_destroy(vfs_inode_t *ino)
{
    mapper_truncate(ino->mapper);
    return NULL;
}

static int64_t ramfs_read(vfs_file_t *f, void *buf, size_t n)
{
    int64_t r;

    vfs_qlock(f->cxy, &f->lock);
    r = mapper_read(f->inode->mapper, buf, n, f->offset);
    if (r > 0)
        f->offset += (uint64_t)r;
    vfs_qunlock(f->cxy, &f->lock);
    return r;
}

static int64_t ramfs_write(vfs_file_t *f, const void *buf, size_t n)
{
    uint64_t end;
    int64_t r;

    vfs_qlock(f->cxy, &f->lock);
    r = mapper_write(f->inode->mapper, buf, n, f->offset, vfs_file_flags(f) & O_APPEND, &end);
    f->offset = end;
    vfs_qunlock(f->cxy, &f->lock);
    return r;
}

static int64_t ramfs_lseek(vfs_file_t *f, int64_t off, int whence)
{
    return vfs_lseek_sized(f, off, whence, (int64_t)mapper_size(f->inode->mapper));
}

static const vfs_inode_ops_t ramfs_file_iops = {
    .truncate = ramfs_file_truncate,
    .getattr  = ramfs_file_getattr,
    .destroy  = ramfs_file_destroy,
};

static const vfs_file_ops_t ramfs_file_fops = {
    .read     = ramfs_read,
    .write    = ramfs_write,
    .lseek    = ramfs_lseek,
};
