/*
 * namei.c - path resolution and the namespace operations built on it:
 * open, mkdir, unlink/rmdir, stat, lookup_dir, getcwd, open_exec.
 *
 * A path is walked one component at a time; each step takes the tree lock
 * (vfs_tree, read) only for the lookup in one directory and returns a
 * referenced inode, so the walk itself holds references, not the lock, and
 * a step into a generated mount (genfs.c) calls its generator with no VFS
 * lock held. An edit (create, link, unlink) resolves the parent directory
 * the same way, then takes the tree lock for writing and re-checks that the
 * parent is still linked (nlink > 0) before changing it.
 *
 * Rules (Linux path_resolution(7), without symbolic links): absolute or
 * relative to @cwd (the root when @cwd is NULL); "." and ".." (".." of the
 * root is the root); repeated slashes are one; a trailing slash requires a
 * directory; an empty path is -ENOENT; a component longer than
 * VFS_NAME_MAX bytes or a path of VFS_PATH_MAX bytes or more is
 * -ENAMETOOLONG; a non-directory before the last component is -ENOTDIR.
 */
#include "vfs_internal.h"
#include "kstring.h"
#include "kerrno.h"
#include "printk.h"

/* The last component of a path, as vfs_walk() leaves it. */
typedef struct vfs_last_s {
    char   name[VFS_NAME_MAX + 1];
    size_t len;            /* bytes; 0 when the path names its start directory ("/") */
    bool   slash;          /* the path ended with '/' */
} vfs_last_t;

bool vfs_is_dir(const vfs_inode_t *ino)
{
    return ino->kind == VFS_DIR || ino->kind == VFS_GEN_DIR;
}

static bool vfs_is_dot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* A RAM directory we may edit (not the root of a generated mount)? */
static bool vfs_is_ram_dir(const vfs_inode_t *ino)
{
    return ino->kind == VFS_DIR && ino->dir.mnt < 0;
}

/*
 * One step: the entry @name (@len bytes) of directory @dir, referenced, in
 * *@out. @return 0, -ENOTDIR (@dir is not a directory), -ENOENT, or an
 * error of a generated mount.
 */
static int vfs_step(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    bool dotdot = len == 2 && name[0] == '.' && name[1] == '.';
    vfs_dentry_t *d;
    int rc = 0;

    if (!vfs_is_dir(dir))
        return -ENOTDIR;
    if (len == 1 && name[0] == '.') {
        *out = vfs_inode_get(dir);
        return 0;
    }
    if (dir->kind == VFS_GEN_DIR || (dir->dir.mnt >= 0 && !dotdot))
        return genfs_lookup(dir, name, len, out);
    vfs_tree_rd_lock();
    if (dotdot)
        *out = vfs_inode_get(dir->dir.parent ? dir->dir.parent : dir);
    else if (dir->nlink == 0 || (d = ramfs_dir_find_locked(dir, name, len)) == NULL)
        rc = -ENOENT;
    else
        *out = vfs_inode_get(d->inode);
    vfs_tree_rd_unlock();
    return rc;
}

/*
 * Resolves every component of @path but the last: its directory (or what
 * stands there) referenced in *@dir, the last component in *@last.
 * @return 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG.
 */
static int vfs_walk(vfs_inode_t *cwd, const char *path, vfs_inode_t **dir, vfs_last_t *last)
{
    vfs_inode_t *cur, *root = vfs_root();
    const char *p = path;
    size_t plen = 0;

    while (plen < VFS_PATH_MAX && path[plen])
        plen++;
    if (plen >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    if (plen == 0 || root == NULL)
        return -ENOENT;
    cur = vfs_inode_get(path[0] == '/' || cwd == NULL ? root : cwd);
    last->len = 0;
    last->slash = false;
    for (;;) {
        const char *c, *q;
        vfs_inode_t *next;
        size_t len;
        int rc;

        while (*p == '/')
            p++;
        if (*p == '\0')
            break;                              /* only slashes: the start directory */
        for (c = p; *p && *p != '/'; p++)
            ;
        len = (size_t)(p - c);
        if (len > VFS_NAME_MAX) {
            vfs_inode_put(cur);
            return -ENAMETOOLONG;
        }
        for (q = p; *q == '/'; q++)
            ;
        if (*q == '\0') {                       /* the last component */
            memcpy(last->name, c, len);
            last->name[len] = '\0';
            last->len = len;
            last->slash = q != p;
            break;
        }
        rc = vfs_step(cur, c, len, &next);
        vfs_inode_put(cur);
        if (rc)
            return rc;
        cur = next;
    }
    *dir = cur;
    return 0;
}

int vfs_lookup(vfs_inode_t *cwd, const char *path, vfs_inode_t **out)
{
    vfs_inode_t *dir, *ino;
    vfs_last_t last;
    int rc = vfs_walk(cwd, path, &dir, &last);

    if (rc)
        return rc;
    if (last.len == 0) {
        *out = dir;
        return 0;
    }
    rc = vfs_step(dir, last.name, last.len, &ino);
    vfs_inode_put(dir);
    if (rc)
        return rc;
    if (last.slash && !vfs_is_dir(ino)) {
        vfs_inode_put(ino);
        return -ENOTDIR;
    }
    *out = ino;
    return 0;
}

int vfs_link_new(vfs_inode_t *cwd, const char *path, vfs_inode_t *ino)
{
    vfs_inode_t *dir;
    vfs_last_t last;
    int rc = vfs_walk(cwd, path, &dir, &last);

    if (rc) {
        vfs_inode_put(ino);
        return rc;
    }
    if (last.len == 0 || vfs_is_dot(last.name, last.len))
        rc = -EEXIST;
    else if (!vfs_is_dir(dir))
        rc = -ENOTDIR;
    else if (!vfs_is_ram_dir(dir))
        rc = -EACCES;                           /* read-only generated mount */
    else if (last.slash && ino->kind != VFS_DIR)
        rc = -EISDIR;
    if (rc == 0) {
        vfs_tree_wr_lock();
        if (dir->nlink == 0)
            rc = -ENOENT;                       /* the directory was removed meanwhile */
        else if (ramfs_dir_find_locked(dir, last.name, last.len))
            rc = -EEXIST;
        else
            rc = ramfs_dir_link_locked(dir, last.name, last.len, ino);
        vfs_tree_wr_unlock();
    }
    vfs_inode_put(dir);
    if (rc)
        vfs_inode_put(ino);
    return rc;
}

/*
 * O_CREAT in RAM directory @dir: the existing entry @last, or a new
 * regular file of @mode. @return 0 and a referenced inode in *@out, or
 * -EEXIST (O_EXCL), -EISDIR (trailing slash), -ENOENT (@dir removed), -ENOMEM.
 */
static int vfs_create(vfs_inode_t *dir, const vfs_last_t *last, int flags, uint32_t mode,
                      vfs_inode_t **out)
{
    vfs_inode_t *ino = NULL;
    vfs_dentry_t *d;
    int rc = 0;

    vfs_tree_wr_lock();
    if (dir->nlink == 0) {
        rc = -ENOENT;
    } else if ((d = ramfs_dir_find_locked(dir, last->name, last->len)) != NULL) {
        if (flags & O_EXCL)
            rc = -EEXIST;
        else
            ino = vfs_inode_get(d->inode);
    } else if (last->slash) {
        rc = -EISDIR;
    } else if ((ino = ramfs_inode_alloc(VFS_REG, S_IFREG | (mode & 07777))) == NULL) {
        rc = -ENOMEM;
    } else {
        vfs_inode_get(ino);                     /* ours; the link consumes the first */
        rc = ramfs_dir_link_locked(dir, last->name, last->len, ino);
        if (rc) {
            ramfs_inode_free(ino);              /* never visible: nobody else has it */
            ino = NULL;
        }
    }
    vfs_tree_wr_unlock();
    *out = ino;
    return rc;
}

int vfs_open(vfs_inode_t *cwd, const char *path, int flags, uint32_t mode, vfs_file_t **out)
{
    int acc = flags & O_ACCMODE, rc;
    vfs_inode_t *dir, *ino = NULL;
    vfs_last_t last;

    if (acc == O_ACCMODE)
        return -EINVAL;
    rc = vfs_walk(cwd, path, &dir, &last);
    if (rc)
        return rc;
    if (last.len == 0) {
        ino = dir;                              /* "/" */
        dir = NULL;
    } else if ((flags & O_CREAT) && !vfs_is_dot(last.name, last.len) && vfs_is_ram_dir(dir)) {
        rc = vfs_create(dir, &last, flags, mode, &ino);
    } else {
        rc = vfs_step(dir, last.name, last.len, &ino);
        if (rc == -ENOENT && (flags & O_CREAT))
            rc = -EACCES;                       /* creation under a generated mount */
    }
    if (dir)
        vfs_inode_put(dir);
    if (rc)
        return rc;
    if (vfs_is_dir(ino)) {
        if (acc != O_RDONLY || (flags & O_CREAT))
            rc = -EISDIR;
    } else if (last.slash || (flags & O_DIRECTORY)) {
        rc = -ENOTDIR;
    } else if (ino->kind == VFS_GEN_FILE && acc != O_RDONLY) {
        rc = -EACCES;
    } else if (ino->kind == VFS_FIFO) {
        rc = -ENOENT;                           /* no named pipes (no mknod) */
    }
    if (rc) {
        vfs_inode_put(ino);
        return rc;
    }
    if (ino->kind == VFS_REG && (flags & O_TRUNC) && acc != O_RDONLY)
        mapper_truncate(&ino->reg);
    return vfs_file_new(ino, flags, out);
}

int vfs_mkdir(vfs_inode_t *cwd, const char *path, uint32_t mode)
{
    vfs_inode_t *ino = ramfs_inode_alloc(VFS_DIR, S_IFDIR | (mode & 07777));

    if (ino == NULL)
        return -ENOMEM;
    return vfs_link_new(cwd, path, ino);
}

/* The unlink / rmdir checks on @child, entry of @last. Tree lock held. */
static int vfs_unlink_check_locked(vfs_inode_t *child, const vfs_last_t *last, bool rmdir)
{
    if (rmdir) {
        if (child->kind != VFS_DIR)
            return -ENOTDIR;
        if (!list_is_empty(&child->dir.entries))
            return -ENOTEMPTY;
        if (child->dir.mnt >= 0)
            return -EBUSY;                      /* a generated mount's root */
        return 0;
    }
    if (child->kind == VFS_DIR)
        return -EISDIR;
    return last->slash ? -ENOTDIR : 0;
}

int vfs_unlink(vfs_inode_t *cwd, const char *path, int flags)
{
    bool rmdir = flags & AT_REMOVEDIR;
    vfs_inode_t *dir, *child = NULL;
    vfs_dentry_t *d = NULL;
    vfs_last_t last;
    int rc = vfs_walk(cwd, path, &dir, &last);

    if (rc)
        return rc;
    if (last.len == 0)
        rc = rmdir ? -EBUSY : -EISDIR;          /* "/" */
    else if (last.len == 1 && last.name[0] == '.')
        rc = rmdir ? -EINVAL : -EISDIR;
    else if (vfs_is_dot(last.name, last.len))
        rc = rmdir ? -ENOTEMPTY : -EISDIR;      /* ".." */
    else if (!vfs_is_dir(dir))
        rc = -ENOTDIR;
    else if (!vfs_is_ram_dir(dir))
        rc = -EACCES;
    if (rc == 0) {
        vfs_tree_wr_lock();
        d = dir->nlink ? ramfs_dir_find_locked(dir, last.name, last.len) : NULL;
        if (d == NULL) {
            rc = -ENOENT;
        } else {
            child = d->inode;
            rc = vfs_unlink_check_locked(child, &last, rmdir);
            if (rc == 0)
                ramfs_dir_unlink_locked(dir, d);
        }
        vfs_tree_wr_unlock();
        if (rc == 0) {
            vfs_kfree(d);
            vfs_inode_put(child);               /* the link's reference */
        }
    }
    vfs_inode_put(dir);
    return rc;
}

int vfs_stat(vfs_inode_t *cwd, const char *path, kstat_t *st)
{
    vfs_inode_t *ino;
    int rc = vfs_lookup(cwd, path, &ino);

    if (rc)
        return rc;
    vfs_fill_stat(ino, st);
    vfs_inode_put(ino);
    return 0;
}

int vfs_lookup_dir(vfs_inode_t *cwd, const char *path, vfs_inode_t **out)
{
    vfs_inode_t *ino;
    int rc = vfs_lookup(cwd, path, &ino);

    if (rc)
        return rc;
    if (!vfs_is_dir(ino)) {
        vfs_inode_put(ino);
        return -ENOTDIR;
    }
    *out = ino;
    return 0;
}

int64_t vfs_getcwd(vfs_inode_t *dir, char *buf, size_t cap)
{
    size_t total = 0, pos;
    vfs_inode_t *d;
    int64_t rc;

    if (dir->kind == VFS_GEN_DIR) {
        size_t len = strlen(dir->gen.path) + 1;
        if (len > cap)
            return -ERANGE;
        memcpy(buf, dir->gen.path, len);
        return (int64_t)len;
    }
    if (dir->kind != VFS_DIR)
        return -ENOTDIR;
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

int vfs_open_exec(vfs_inode_t *cwd, const char *path, vfs_inode_t **out, uint64_t *size)
{
    vfs_inode_t *ino;
    int rc = vfs_lookup(cwd, path, &ino);

    if (rc)
        return rc;
    if (ino->kind != VFS_REG || !(ino->mode & 0111)) {
        vfs_inode_put(ino);
        return -EACCES;
    }
    *size = vfs_inode_size(ino);
    *out = ino;
    return 0;
}
