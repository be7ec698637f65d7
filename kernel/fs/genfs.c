/*
 * genfs.c - generated mounts (/proc, /sys): every path under a mount's
 * prefix is served by its generator, read-only.
 *
 * The prefix itself is a RAM directory marked with the mount's index
 * (dir.mnt) whose operations tables are swapped for the mount's own: copies
 * of its RAM tables where lookup (but for ".."), the listing and the edits
 * (NULL: read-only, -EACCES) are the generator's. A lookup under it builds
 * a transient inode (a generated directory when the mount's list() accepts
 * the path, else a generated file when gen() does) holding the absolute
 * path and, for a file, the content generated at that moment: an open file
 * serves that snapshot. The inode lives while referenced (open files, a
 * cwd) and is freed with its buffers at the last reference. Generators run
 * in the caller's thread with no VFS lock held. The mount table is written
 * at boot (vfs_mount_generated) and read-only afterwards.
 */
#include "vfs_internal.h"
#include "kcm.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "printk.h"

#define VFS_MAX_MOUNTS 4                /* generated mounts (/proc, /sys, ...) */

/* Generated mount: read-mostly after boot. */
typedef struct vfs_mount_s {
    char          prefix[VFS_GEN_PATH_MAX];
    size_t        len;            /* strlen(prefix) */
    const vfs_gen_ops_t *ops;     /* NULL: a free slot */
    vfs_inode_t  *root;           /* the RAM directory at prefix (referenced) */
    const vfs_inode_ops_t *ram_iops;  /* root's own tables, given back at unmount */
    const vfs_file_ops_t  *ram_fops;
    vfs_inode_ops_t root_iops;    /* root's tables while mounted: ram_*, generator's lookup */
    vfs_file_ops_t  root_fops;    /* ... and listing */
} vfs_mount_t;

static vfs_mount_t vfs_mounts[VFS_MAX_MOUNTS];

static const vfs_inode_ops_t genfs_file_iops, genfs_dir_iops;
static const vfs_file_ops_t genfs_file_fops, genfs_dir_fops;

/* A stable st_ino for a generated path (FNV-1a, top bit set: RAM inodes count from 1). */
static uint64_t genfs_ino(const char *path)
{
    uint64_t h = 0xcbf29ce484222325ull;

    while (*path)
        h = (h ^ (uint8_t)*path++) * 0x100000001b3ull;
    return h | (1ull << 63);
}

/* A kmem copy of @s, or NULL. */
static char *genfs_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kmem_alloc(n);

    if (d)
        memcpy(d, s, n);
    return d;
}

/* (hang task) The generator accepts writes to @path (vfs_gen_ops_t.write). */
static bool genfs_writable(const vfs_mount_t *m, const char *path)
{
    return m->ops->write != NULL && m->ops->write(path, NULL, 0) >= 0;
}

/*
 * The transient inode for @path under mount @mnt: a directory if list()
 * accepts it, else a file if gen() does. @return 0 and a referenced inode
 * in *@out, or gen()'s error (-ENOENT), -ENOMEM.
 */
static int genfs_make(int mnt, const char *path, vfs_inode_t **out)
{
    const vfs_mount_t *m = &vfs_mounts[mnt];
    char *scratch = kmem_alloc(VFS_GEN_CAP);
    vfs_inode_t *ino = NULL;
    int64_t r = 0;
    bool dir;

    if (scratch == NULL)
        return -ENOMEM;
    dir = m->ops->list && m->ops->list(path, scratch, VFS_GEN_CAP) >= 0;
    if (!dir) {
        r = m->ops->gen(path, scratch, VFS_GEN_CAP);
        if (r < 0) {
            kmem_free(scratch);
            return r < -4095 ? -EIO : (int)r;
        }
        if (r > VFS_GEN_CAP)
            r = VFS_GEN_CAP;
    }
    ino = vfs_inode_alloc(dir ? &genfs_dir_iops : &genfs_file_iops,
                          dir ? &genfs_dir_fops : &genfs_file_fops,
                          dir ? S_IFDIR | 0555 : genfs_writable(m, path) ? S_IFREG | 0200
                                                                        : S_IFREG | 0444);
    if (ino == NULL)
        goto nomem;
    ino->ino = genfs_ino(path);
    ino->nlink = dir ? 2 : 1;
    ino->gen.mnt = mnt;
    ino->gen.path = genfs_strdup(path);
    if (ino->gen.path == NULL)
        goto nomem;
    if (!dir) {
        ino->gen.buf = kmem_alloc(r ? (size_t)r : 1);
        if (ino->gen.buf == NULL)
            goto nomem;
        memcpy(ino->gen.buf, scratch, (size_t)r);
        ino->gen.len = (uint64_t)r;
    }
    kmem_free(scratch);
    *out = ino;
    return 0;
nomem:
    if (ino)
        vfs_inode_put(ino);
    kmem_free(scratch);
    return -ENOMEM;
}

/*
 * Entry @name (@len bytes) of the generated directory at @base (absolute)
 * under mount @mnt: a referenced transient inode in *@out, or the mount's
 * root for ".." of a directory just under it. @return 0, -ENAMETOOLONG,
 * gen()'s error (-ENOENT), -ENOMEM.
 */
static int genfs_lookup_in(int mnt, const char *base, const char *name, size_t len,
                           vfs_inode_t **out)
{
    size_t blen = strlen(base);
    char path[VFS_GEN_PATH_MAX];

    if (len == 2 && name[0] == '.' && name[1] == '.') {     /* only from a generated dir */
        while (blen > 0 && base[blen - 1] != '/')
            blen--;
        if (blen > 0)
            blen--;                                      /* the slash */
        if (blen <= vfs_mounts[mnt].len) {
            *out = vfs_inode_get(vfs_mounts[mnt].root);
            return 0;
        }
        memcpy(path, base, blen);
        path[blen] = '\0';
    } else {
        if (blen + 1 + len + 1 > VFS_GEN_PATH_MAX)
            return -ENAMETOOLONG;
        memcpy(path, base, blen);
        path[blen] = '/';
        memcpy(path + blen + 1, name, len);
        path[blen + 1 + len] = '\0';
    }
    return genfs_make(mnt, path, out);
}

/* lookup of a generated directory. */
static int genfs_dir_lookup(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    return genfs_lookup_in(dir->gen.mnt, dir->gen.path, name, len, out);
}

/* lookup of a mount's root: ".." is its RAM directory's, the rest the generator's. */
static int genfs_root_lookup(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    const vfs_mount_t *m = &vfs_mounts[dir->dir.mnt];

    if (len == 2 && name[0] == '.' && name[1] == '.')
        return m->ram_iops->lookup(dir, name, len, out);
    return genfs_lookup_in(dir->dir.mnt, m->prefix, name, len, out);
}

/* getcwd of a generated directory: its own path. */
static int64_t genfs_dir_getcwd(vfs_inode_t *dir, char *buf, size_t cap)
{
    size_t len = strlen(dir->gen.path) + 1;

    if (len > cap)
        return -ERANGE;
    memcpy(buf, dir->gen.path, len);
    return (int64_t)len;
}

/* Generated files are read-only (-EACCES for O_WRONLY, O_RDWR) unless the generator writes them. */
static int genfs_file_may_open(vfs_inode_t *ino, int flags)
{
    if ((flags & O_ACCMODE) == O_RDONLY)
        return 0;
    return genfs_writable(&vfs_mounts[ino->gen.mnt], ino->gen.path) ? 0 : -EACCES;
}

/* (hang task) A write to a writable generated file goes to its generator (no offset). */
static int64_t genfs_write(vfs_file_t *f, const void *buf, size_t n)
{
    const vfs_inode_t *ino = f->inode;
    const vfs_mount_t *m = &vfs_mounts[ino->gen.mnt];

    if (m->ops->write == NULL)
        return -EBADF;
    return m->ops->write(ino->gen.path, buf, n);
}

static vfs_inode_t *genfs_destroy(vfs_inode_t *ino)
{
    vfs_kfree(ino->gen.path);
    vfs_kfree(ino->gen.buf);
    return NULL;
}

/* Copies up to @n bytes at the file offset from the content generated at lookup. */
static int64_t genfs_read(vfs_file_t *f, void *buf, size_t n)
{
    const vfs_inode_t *ino = f->inode;
    uint64_t got = 0;

    vfs_qlock(f->cxy, &f->lock);
    if (f->offset < ino->gen.len) {
        got = ino->gen.len - f->offset < n ? ino->gen.len - f->offset : n;
        memcpy(buf, ino->gen.buf + f->offset, got);
        f->offset += got;
    }
    vfs_qunlock(f->cxy, &f->lock);
    return (int64_t)got;
}

static int64_t genfs_lseek(vfs_file_t *f, int64_t off, int whence)
{
    return vfs_lseek_sized(f, off, whence, (int64_t)f->inode->gen.len);
}

/* Fills f->list with the listing of directory @path of mount @mnt. @return 0 or -ENOMEM. */
static int genfs_list(vfs_file_t *f, int mnt, const char *path)
{
    const vfs_mount_t *m = &vfs_mounts[mnt];
    char *scratch;
    int64_t r;

    f->list = NULL;
    f->list_len = 0;
    if (m->ops->list == NULL)
        return 0;                                        /* an empty directory */
    scratch = kmem_alloc(VFS_GEN_CAP);
    if (scratch == NULL)
        return -ENOMEM;
    r = m->ops->list(path, scratch, VFS_GEN_CAP);
    if (r > VFS_GEN_CAP)
        r = VFS_GEN_CAP;
    if (r > 0) {
        f->list = kmem_alloc((size_t)r);
        if (f->list == NULL) {
            kmem_free(scratch);
            return -ENOMEM;
        }
        memcpy(f->list, scratch, (size_t)r);
        f->list_len = (uint64_t)r;
    }
    kmem_free(scratch);
    return 0;
}

static int genfs_dir_open(vfs_file_t *f)
{
    return genfs_list(f, f->inode->gen.mnt, f->inode->gen.path);
}

static int genfs_root_open(vfs_file_t *f)
{
    int mnt = f->inode->dir.mnt;

    return genfs_list(f, mnt, vfs_mounts[mnt].prefix);
}

/* getdents64 from the listing made at open: whole records from byte f->offset. */
static int64_t genfs_getdents(vfs_file_t *f, void *buf, size_t n)
{
    uint64_t pos, end;

    vfs_qlock(f->cxy, &f->lock);
    pos = end = f->offset;
    while (end + offsetof(kdirent64_t, d_name) <= f->list_len) {
        uint16_t reclen;

        memcpy(&reclen, f->list + end + offsetof(kdirent64_t, d_reclen), sizeof(reclen));
        if (reclen < offsetof(kdirent64_t, d_name) || end + reclen > f->list_len ||
            end + reclen - pos > n)
            break;
        end += reclen;
    }
    memcpy(buf, f->list + pos, end - pos);
    f->offset = end;
    vfs_qunlock(f->cxy, &f->lock);
    if (end == pos && pos + offsetof(kdirent64_t, d_name) <= f->list_len)
        return -EINVAL;                 /* the next record does not fit */
    return (int64_t)(end - pos);
}

static const vfs_inode_ops_t genfs_file_iops = {
    .may_open = genfs_file_may_open,
    .destroy  = genfs_destroy,
};

static const vfs_file_ops_t genfs_file_fops = {
    .read     = genfs_read,
    .write    = genfs_write,
    .lseek    = genfs_lseek,
};

static const vfs_inode_ops_t genfs_dir_iops = {
    .lookup   = genfs_dir_lookup,
    .getcwd   = genfs_dir_getcwd,
    .destroy  = genfs_destroy,
};

static const vfs_file_ops_t genfs_dir_fops = {
    .open     = genfs_dir_open,
    .lseek    = vfs_lseek_dir,
    .getdents = genfs_getdents,
};

/* Creates every missing directory of the absolute @path (mode 0555). */
static int genfs_mkdir_p(const char *path)
{
    char buf[VFS_GEN_PATH_MAX];
    size_t len = strlen(path);
    int rc = 0;

    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len && rc == 0; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        rc = vfs_mkdir(NULL, buf, 0555);
        if (rc == -EEXIST)
            rc = 0;
        buf[i] = path[i];
    }
    return rc;
}

/* The slot of @prefix, or of a free slot when @free; -1 if none. */
static int genfs_slot(const char *prefix, bool free)
{
    for (int i = 0; i < VFS_MAX_MOUNTS; i++)
        if (free ? vfs_mounts[i].ops == NULL
                 : (vfs_mounts[i].ops && strcmp(vfs_mounts[i].prefix, prefix) == 0))
            return i;
    return -1;
}

void vfs_mount_generated(const char *prefix, const vfs_gen_ops_t *ops)
{
    size_t len = strlen(prefix);
    vfs_inode_t *root;
    vfs_mount_t *m;
    int slot, rc;

    if (vfs_root() == NULL || ops == NULL || ops->gen == NULL || prefix[0] != '/' || len < 2 ||
        len >= VFS_GEN_PATH_MAX || prefix[len - 1] == '/' || genfs_slot(prefix, false) >= 0) {
        pr_warn("vfs: cannot mount a generator at '%s'", prefix);
        return;
    }
    slot = genfs_slot(prefix, true);
    rc = genfs_mkdir_p(prefix);
    if (rc == 0)
        rc = vfs_lookup_dir(NULL, prefix, &root);
    /* only an editable (RAM) directory, not yet a mount's root, may become one */
    if (rc == 0 && root->iops->link == NULL) {
        vfs_inode_put(root);
        rc = -EBUSY;
    }
    if (rc || slot < 0) {
        pr_warn("vfs: cannot mount a generator at '%s' (%d)", prefix, slot < 0 ? -EBUSY : rc);
        if (rc == 0)
            vfs_inode_put(root);
        return;
    }
    m = &vfs_mounts[slot];
    memcpy(m->prefix, prefix, len + 1);
    m->len = len;
    m->root = root;
    m->ram_iops = root->iops;
    m->ram_fops = root->fops;
    m->root_iops = *root->iops;
    m->root_iops.lookup = genfs_root_lookup;
    m->root_iops.create = NULL;
    m->root_iops.link = NULL;
    m->root_iops.unlink = NULL;
    m->root_fops = *root->fops;
    m->root_fops.open = genfs_root_open;
    m->root_fops.getdents = genfs_getdents;
    __atomic_store_n(&m->ops, ops, __ATOMIC_RELEASE);
    __atomic_store_n(&root->dir.mnt, slot, __ATOMIC_RELEASE);
    __atomic_store_n(&root->iops, &m->root_iops, __ATOMIC_RELEASE);
    __atomic_store_n(&root->fops, &m->root_fops, __ATOMIC_RELEASE);
}

int vfs_unmount_generated(const char *prefix)
{
    int slot = genfs_slot(prefix, false);
    vfs_inode_t *root;

    if (slot < 0)
        return -ENOENT;
    root = vfs_mounts[slot].root;
    __atomic_store_n(&root->iops, vfs_mounts[slot].ram_iops, __ATOMIC_RELEASE);
    __atomic_store_n(&root->fops, vfs_mounts[slot].ram_fops, __ATOMIC_RELEASE);
    __atomic_store_n(&root->dir.mnt, -1, __ATOMIC_RELEASE);
    vfs_mounts[slot].root = NULL;
    __atomic_store_n(&vfs_mounts[slot].ops, NULL, __ATOMIC_RELEASE);
    vfs_inode_put(root);
    return 0;
}
