/*
 * genfs.c - generated mounts (/proc, /sys): every path under a mount's
 * prefix is served by its generator, read-only.
 *
 * The prefix itself is a RAM directory marked with the mount's index. A
 * lookup under it builds a transient inode (VFS_GEN_DIR when the mount's
 * list() accepts the path, else VFS_GEN_FILE when gen() does) holding the
 * absolute path and, for a file, the content generated at that moment: an
 * open file serves that snapshot. The inode lives while referenced (open
 * files, a cwd) and is freed with its buffers at the last reference.
 * Generators run in the caller's thread with no VFS lock held. The mount
 * table is written at boot (vfs_mount_generated) and read-only afterwards.
 */
#include "vfs_internal.h"
#include "kcm.h"
#include "kstring.h"
#include "kerrno.h"
#include "printk.h"

vfs_mount_t vfs_mounts[VFS_MAX_MOUNTS];

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
    dir = m->list && m->list(path, scratch, VFS_GEN_CAP) >= 0;
    if (!dir) {
        r = m->gen(path, scratch, VFS_GEN_CAP);
        if (r < 0) {
            kmem_free(scratch);
            return r < -4095 ? -EIO : (int)r;
        }
        if (r > VFS_GEN_CAP)
            r = VFS_GEN_CAP;
    }
    ino = ramfs_inode_alloc(dir ? VFS_GEN_DIR : VFS_GEN_FILE,
                            dir ? S_IFDIR | 0555 : S_IFREG | 0444);
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

int genfs_lookup(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out)
{
    bool gen = dir->kind == VFS_GEN_DIR;
    int mnt = gen ? dir->gen.mnt : dir->dir.mnt;
    const char *base = gen ? dir->gen.path : vfs_mounts[mnt].prefix;
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

const char *genfs_path(const vfs_inode_t *ino)
{
    if (ino->kind == VFS_GEN_DIR || ino->kind == VFS_GEN_FILE)
        return ino->gen.path;
    if (ino->kind == VFS_DIR && ino->dir.mnt >= 0)
        return vfs_mounts[ino->dir.mnt].prefix;
    return NULL;
}

bool genfs_is_listed(const vfs_inode_t *dir)
{
    return dir->kind == VFS_GEN_DIR || (dir->kind == VFS_DIR && dir->dir.mnt >= 0);
}

int genfs_open_dir(vfs_file_t *f)
{
    vfs_inode_t *dir = f->inode;
    const vfs_mount_t *m = &vfs_mounts[dir->kind == VFS_GEN_DIR ? dir->gen.mnt : dir->dir.mnt];
    char *scratch;
    int64_t r;

    f->list = NULL;
    f->list_len = 0;
    if (m->list == NULL)
        return 0;                                        /* an empty directory */
    scratch = kmem_alloc(VFS_GEN_CAP);
    if (scratch == NULL)
        return -ENOMEM;
    r = m->list(genfs_path(dir), scratch, VFS_GEN_CAP);
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
        if (free ? vfs_mounts[i].gen == NULL
                 : (vfs_mounts[i].gen && strcmp(vfs_mounts[i].prefix, prefix) == 0))
            return i;
    return -1;
}

void vfs_mount_generated(const char *prefix, vfs_gen_t gen,
                         int64_t (*list)(const char *path, void *dirent_buf, size_t cap))
{
    size_t len = strlen(prefix);
    vfs_inode_t *root;
    int slot, rc;

    if (vfs_root() == NULL || gen == NULL || prefix[0] != '/' || len < 2 ||
        len >= VFS_GEN_PATH_MAX || prefix[len - 1] == '/' || genfs_slot(prefix, false) >= 0) {
        pr_warn("vfs: cannot mount a generator at '%s'", prefix);
        return;
    }
    slot = genfs_slot(prefix, true);
    rc = genfs_mkdir_p(prefix);
    if (rc == 0)
        rc = vfs_lookup_dir(NULL, prefix, &root);
    if (rc == 0 && (root->kind != VFS_DIR || root->dir.mnt >= 0)) {
        vfs_inode_put(root);
        rc = -EBUSY;
    }
    if (rc || slot < 0) {
        pr_warn("vfs: cannot mount a generator at '%s' (%d)", prefix, slot < 0 ? -EBUSY : rc);
        if (rc == 0)
            vfs_inode_put(root);
        return;
    }
    memcpy(vfs_mounts[slot].prefix, prefix, len + 1);
    vfs_mounts[slot].len = len;
    vfs_mounts[slot].list = list;
    vfs_mounts[slot].root = root;
    __atomic_store_n(&vfs_mounts[slot].gen, gen, __ATOMIC_RELEASE);
    __atomic_store_n(&root->dir.mnt, slot, __ATOMIC_RELEASE);
}

int vfs_unmount_generated(const char *prefix)
{
    int slot = genfs_slot(prefix, false);
    vfs_inode_t *root;

    if (slot < 0)
        return -ENOENT;
    root = vfs_mounts[slot].root;
    __atomic_store_n(&root->dir.mnt, -1, __ATOMIC_RELEASE);
    vfs_mounts[slot].root = NULL;
    __atomic_store_n(&vfs_mounts[slot].gen, NULL, __ATOMIC_RELEASE);
    vfs_inode_put(root);
    return 0;
}
