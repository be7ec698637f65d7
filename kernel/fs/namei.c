/*
 * namei.c - path resolution and the namespace operations built on it:
 * open, mkdir, unlink/rmdir, stat, lookup_dir, getcwd, open_exec.
 *
 * A path is walked one component at a time; each step is one call of the
 * directory's lookup operation (vfs_inode_ops_t), which takes the tree lock
 * (vfs_tree, read) only for the lookup in that directory (ramfs.c) and
 * returns a referenced inode, so the walk itself holds references, not the
 * lock, and a step into a generated mount (genfs.c) calls its generator
 * with no VFS lock held. An edit (create, link, unlink) resolves the parent
 * directory the same way, checks what does not depend on the directory's
 * kind, then calls the directory's operation (NULL: a read-only directory,
 * -EACCES), which takes the tree lock for writing and re-checks that the
 * parent is still linked (nlink > 0) before changing it.
 *
 * Rules (Linux path_resolution(7), without symbolic links): absolute or
 * relative to @cwd (the root when @cwd is NULL); "." and ".." (".." of the
 * root is the root); repeated slashes are one; a trailing slash requires a
 * directory; an empty path is -ENOENT; a component longer than
 * NAME_MAX bytes or a path of PATH_MAX bytes or more is
 * -ENAMETOOLONG; a non-directory before the last component is -ENOTDIR.
 */
#include "vfs_internal.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "printk.h"

static bool vfs_is_dot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/*
 * One step: the entry @name (@len bytes) of directory @dir, referenced, in
 * *@out. @return 0, -ENOTDIR (@dir is not a directory), -ENOENT, or an
 * error of a generated mount.
 */
static int vfs_step(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    if (!vfs_is_dir(dir))
        return -ENOTDIR;
    if (len == 1 && name[0] == '.') {
        *out = vfs_inode_get(dir);
        return 0;
    }
    return dir->iops->lookup(dir, name, len, out);
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

    while (plen < PATH_MAX && path[plen])
        plen++;
    if (plen >= PATH_MAX)
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
        if (len > NAME_MAX) {
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
    else if (dir->iops->link == NULL)
        rc = -EACCES;                           /* read-only generated mount */
    else if (last.slash && !vfs_is_dir(ino))
        rc = -EISDIR;
    if (rc == 0)
        rc = dir->iops->link(dir, &last, ino);
    vfs_inode_put(dir);
    if (rc)
        vfs_inode_put(ino);
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
    } else if ((flags & O_CREAT) && !vfs_is_dot(last.name, last.len) && dir->iops->create) {
        rc = dir->iops->create(dir, &last, flags, mode, &ino);
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
    } else if (ino->iops->may_open) {
        rc = ino->iops->may_open(ino, flags);  /* generated files, pipes */
    }
    if (rc) {
        vfs_inode_put(ino);
        return rc;
    }
    if ((flags & O_TRUNC) && acc != O_RDONLY && ino->iops->truncate)
        ino->iops->truncate(ino);
    return vfs_file_new(ino, flags, out);
}

int vfs_mkdir(vfs_inode_t *cwd, const char *path, uint32_t mode)
{
    vfs_inode_t *ino = vfs_dir_new(S_IFDIR | (mode & 07777));

    if (ino == NULL)
        return -ENOMEM;
    return vfs_link_new(cwd, path, ino);
}

int vfs_unlink(vfs_inode_t *cwd, const char *path, int flags)
{
    bool rmdir = flags & AT_REMOVEDIR;
    vfs_inode_t *dir;
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
    else if (dir->iops->unlink == NULL)
        rc = -EACCES;
    if (rc == 0)
        rc = dir->iops->unlink(dir, &last, rmdir);
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
    if (!vfs_is_dir(dir))
        return -ENOTDIR;
    return dir->iops->getcwd(dir, buf, cap);
}

int vfs_open_exec(vfs_inode_t *cwd, const char *path, vfs_inode_t **out, uint64_t *size)
{
    vfs_inode_t *ino;
    int rc = vfs_lookup(cwd, path, &ino);

    if (rc)
        return rc;
    if (ino->mapper == NULL || vfs_permission(ino, 1)) {  /* not a regular file, or no x for us */
        vfs_inode_put(ino);
        return -EACCES;
    }
    *size = vfs_inode_size(ino);
    *out = ino;
    return 0;
}
