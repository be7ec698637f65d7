/*
 * vfs.c - the VFS core: boot (vfs_init), inode and open-file references,
 * read / write / lseek / stat / getdents64 through each inode's operations
 * tables (vfs_inode_ops_t, vfs_file_ops_t in vfs_internal.h).
 *
 * The namespace is one tree for the whole machine (like the console, a
 * shared object outside invariant 1's per-cluster state): its root and its
 * rwlock live in the kernel image. Objects are plain direct-map pointers
 * reachable from every cluster; whoever drops the last reference frees the
 * object, in its own cluster (vfs_kfree, ppm_free_any). See
 * vfs_internal.h for the lock order.
 */
#include "vfs_internal.h"
#include "random.h"
#include "uapi/poll.h"
#include "kcm.h"
#include "ppm.h"
#include "cpio.h"
#include "rpc.h"
#include "core.h"
#include "cpu.h"
#include "printk.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "boot_info.h"
#include "cred.h"

static rwlock_t vfs_tree;             /* the namespace (vfs_internal.h) */
static xptr_t vfs_tree_xp;             /* it, named in its true cluster */
static vfs_inode_t *vfs_root_ino;      /* written once by vfs_init */
static uint64_t vfs_ino_next = 1;      /* atomic */

/* ---- memory ---------------------------------------------------------------------- */

/* Frees the kmem object @ptr (NULL ignored) of any cluster (kmem_free_any: RPC when remote). */
void vfs_kfree(void *ptr)
{
    kmem_free_any(ptr);
}

uint32_t vfs_cxy_of(const void *p)
{
    uint64_t phys = virt_to_phys(p);

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        if (topo_cluster_contains(&boot_info.topo, c, phys, phys + 1))
            return c;
    return boot_info.bsp_cxy;          /* not in any SRAT range: only ever named this way */
}

void vfs_tree_rd_lock(void)   { remote_rwlock_rd_acquire(vfs_tree_xp); }
void vfs_tree_rd_unlock(void) { remote_rwlock_rd_release(vfs_tree_xp); }
void vfs_tree_wr_lock(void)   { remote_rwlock_wr_acquire(vfs_tree_xp); }
void vfs_tree_wr_unlock(void) { remote_rwlock_wr_release(vfs_tree_xp); }

/* ---- inodes ---------------------------------------------------------------------- */

vfs_inode_t *vfs_inode_alloc(const vfs_inode_ops_t *iops, const vfs_file_ops_t *fops,
                             uint32_t mode)
{
    vfs_inode_t *ino = kmem_alloc(sizeof(*ino));

    if (ino == NULL)
        return NULL;
    ino->iops = iops;
    ino->fops = fops;
    ino->cxy = local_cxy();
    ino->refcount = 1;
    ino->mode = mode;
    cred_fs_ids(&ino->uid, &ino->gid);   /* the creator's file-system IDs (man 2 open) */
    ino->ino = __atomic_fetch_add(&vfs_ino_next, 1, __ATOMIC_RELAXED);
    ino->magic = VFS_INODE_MAGIC;
    return ino;
}

vfs_inode_t *vfs_inode_free(vfs_inode_t *ino)
{
    vfs_inode_t *parent = ino->iops->destroy ? ino->iops->destroy(ino) : NULL;

    ino->magic = 0;
    vfs_kfree(ino);
    return parent;
}

vfs_inode_t *vfs_dir_new(uint32_t mode)
{
    return ramfs_dir_new(mode);
}

vfs_inode_t *vfs_root(void)
{
    return vfs_root_ino;
}

vfs_inode_t *vfs_inode_get(vfs_inode_t *ino)
{
    assert(ino->magic == VFS_INODE_MAGIC);
    __atomic_add_fetch(&ino->refcount, 1, __ATOMIC_ACQ_REL);
    return ino;
}

void vfs_inode_put(vfs_inode_t *ino)
{
    /* a freed directory drops its reference on its parent: iterate, no recursion */
    while (ino != NULL) {
        assert(ino->magic == VFS_INODE_MAGIC);
        if (__atomic_sub_fetch(&ino->refcount, 1, __ATOMIC_ACQ_REL) != 0)
            break;
        ino = vfs_inode_free(ino);
    }
}

uint32_t vfs_inode_mode(vfs_inode_t *ino)
{
    return ino->mode;
}

bool vfs_is_dir(const vfs_inode_t *ino)
{
    return (ino->mode & S_IFMT) == S_IFDIR;
}

uint64_t vfs_inode_size(vfs_inode_t *ino)
{
    return ino->mapper ? mapper_size(ino->mapper) : 0;
}

mapper_t *vfs_inode_mapper(vfs_inode_t *ino)
{
    return ino->mapper;
}

void vfs_fill_stat(vfs_inode_t *ino, kstat_t *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = VFS_DEV;
    st->st_ino = ino->ino;
    st->st_mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);
    st->st_uid = __atomic_load_n(&ino->uid, __ATOMIC_RELAXED);
    st->st_gid = __atomic_load_n(&ino->gid, __ATOMIC_RELAXED);
    st->st_nlink = __atomic_load_n(&ino->nlink, __ATOMIC_RELAXED);
    st->st_rdev = ino->rdev;
    st->st_blksize = PAGE_SIZE;
    if (ino->iops->getattr)
        ino->iops->getattr(ino, st);    /* else size 0 (devices, generated files), like Linux */
}

/* ---- open files ------------------------------------------------------------------ */

int vfs_file_new(vfs_inode_t *ino, int flags, vfs_file_t **out)
{
    vfs_file_t *f = kmem_alloc(sizeof(*f));
    int rc;

    if (f == NULL) {
        vfs_inode_put(ino);
        return -ENOMEM;
    }
    f->refcount = 1;
    f->cxy = local_cxy();
    f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);    /* O_NOCTTY: below */
    remote_queuelock_init(XPTR(f->cxy, &f->lock), "vfs file", RANK_VFS_FILE);
    f->offset = 0;
    f->inode = ino;
    f->magic = VFS_FILE_MAGIC;
    if (ino->fops->open && (rc = ino->fops->open(f)) != 0) {
        vfs_file_put(f);
        return rc;
    }
    f->flags &= ~O_NOCTTY;               /* seen by open (a terminal's), not kept */
    *out = f;
    return 0;
}

vfs_file_t *vfs_file_get(vfs_file_t *f)
{
    assert(f->magic == VFS_FILE_MAGIC);
    __atomic_add_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);
    return f;
}

void vfs_file_put(vfs_file_t *f)
{
    assert(f->magic == VFS_FILE_MAGIC);
    if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (f->inode->fops->release)
        f->inode->fops->release(f);
    f->magic = 0;
    vfs_inode_put(f->inode);
    vfs_kfree(f->list);
    vfs_kfree(f);
}

bool vfs_file_is_tty(vfs_file_t *f)
{
    return f->inode->fops == &console_fops || f->inode->fops == &devtty_fops;
}

uint32_t vfs_poll(vfs_file_t *f)
{
    return f->inode->fops->poll ? f->inode->fops->poll(f) : POLLIN | POLLOUT;
}

bool vfs_file_is_zero(vfs_file_t *f)
{
    return f->inode->fops == &zero_fops;
}

bool vfs_file_is_pipe(vfs_file_t *f)
{
    return f->inode->fops == &pipe_fops;
}

int vfs_file_flags(vfs_file_t *f)
{
    return __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
}

void vfs_file_set_flags(vfs_file_t *f, int flags)
{
    int old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED), val;

    do {
        val = (old & ~(O_APPEND | O_NONBLOCK)) | (flags & (O_APPEND | O_NONBLOCK));
    } while (!__atomic_compare_exchange_n(&f->flags, &old, val, false, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
}

vfs_inode_t *vfs_file_inode(vfs_file_t *f)
{
    return f->inode;
}

int64_t vfs_read(vfs_file_t *f, void *buf, size_t n)
{
    const vfs_file_ops_t *fops = f->inode->fops;

    if ((vfs_file_flags(f) & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (fops->read == NULL)
        return -EISDIR;
    return fops->read(f, buf, n);
}

int64_t vfs_write(vfs_file_t *f, const void *buf, size_t n)
{
    const vfs_file_ops_t *fops = f->inode->fops;

    if ((vfs_file_flags(f) & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (fops->write == NULL)
        return -EBADF;                  /* directories and generated files are never writable */
    return fops->write(f, buf, n);
}

int64_t vfs_lseek_sized(vfs_file_t *f, int64_t off, int whence, int64_t size)
{
    int64_t base, pos;

    vfs_qlock(f->cxy, &f->lock);
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)f->offset; break;
    case SEEK_END: base = size; break;
    default: base = -1; break;
    }
    if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0) {
        vfs_qunlock(f->cxy, &f->lock);
        return -EINVAL;
    }
    pos = base + off;
    f->offset = (uint64_t)pos;
    vfs_qunlock(f->cxy, &f->lock);
    return pos;
}

int64_t vfs_lseek_dir(vfs_file_t *f, int64_t off, int whence)
{
    /* only positions seen before (SEEK_SET) or the current one */
    if (!(whence == SEEK_SET || (whence == SEEK_CUR && off == 0)))
        return -EINVAL;
    return vfs_lseek_sized(f, off, whence, -1);
}

int64_t vfs_lseek(vfs_file_t *f, int64_t off, int whence)
{
    const vfs_file_ops_t *fops = f->inode->fops;

    if (fops->lseek == NULL)
        return -ESPIPE;
    return fops->lseek(f, off, whence);
}

int vfs_fstat(vfs_file_t *f, kstat_t *st)
{
    vfs_fill_stat(f->inode, st);
    return 0;
}

int64_t vfs_getdents64(vfs_file_t *f, void *buf, size_t n)
{
    const vfs_file_ops_t *fops = f->inode->fops;

    if (fops->getdents == NULL)
        return -ENOTDIR;
    return fops->getdents(f, buf, n);
}

size_t vfs_dirent_emit(void *buf, size_t cap, size_t pos, uint64_t ino, int64_t off,
                       uint8_t type, const char *name)
{
    size_t nlen = strlen(name);
    size_t reclen = (offsetof(kdirent64_t, d_name) + nlen + 1 + 7) & ~(size_t)7;
    kdirent64_t d = { .d_ino = ino, .d_off = off, .d_reclen = (uint16_t)reclen,
                         .d_type = type };
    char *p = (char *)buf + pos;

    if (pos > cap || reclen > cap - pos || reclen > UINT16_MAX)
        return 0;
    memcpy(p, &d, offsetof(kdirent64_t, d_name));
    memcpy(p + offsetof(kdirent64_t, d_name), name, nlen);
    memset(p + offsetof(kdirent64_t, d_name) + nlen, 0,
           reclen - offsetof(kdirent64_t, d_name) - nlen);
    return pos + reclen;
}

/* ---- boot ------------------------------------------------------------------------ */

/* Creates the directory @path with @mode, or sets the mode of an existing one. */
static int vfs_init_dir(const char *path, uint32_t mode)
{
    int rc = vfs_mkdir(NULL, path, mode);
    vfs_inode_t *dir;

    if (rc == -EEXIST && vfs_lookup_dir(NULL, path, &dir) == 0) {
        dir->mode = S_IFDIR | (mode & 07777);
        vfs_inode_put(dir);
        rc = 0;
    }
    return rc;
}

/* A character device owns nothing and has no inode operation. */
static const vfs_inode_ops_t vfs_dev_iops;     /* every entry NULL */

/* Creates the character device @path (@fops, @mode, st_rdev @rdev). */
static int vfs_init_dev(const char *path, const vfs_file_ops_t *fops, uint32_t mode,
                        uint64_t rdev)
{
    vfs_inode_t *ino = vfs_inode_alloc(&vfs_dev_iops, fops, S_IFCHR | mode);
    int rc;

    if (ino == NULL)
        return -ENOMEM;
    ino->rdev = rdev;
    rc = vfs_link_new(NULL, path, ino);
    return rc == -EEXIST ? 0 : rc;
}

/* Creates the missing parent directories of the absolute @path (mode 0755). */
static int vfs_init_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        int rc;

        if (*p != '/')
            continue;
        *p = '\0';
        rc = vfs_mkdir(NULL, path, 0755);
        *p = '/';
        if (rc && rc != -EEXIST)
            return rc;
    }
    return 0;
}

/* Writes the regular file @path (@mode) with @size bytes of @data. */
static int vfs_init_file(const char *path, uint32_t mode, const void *data, size_t size)
{
    vfs_file_t *f;
    int64_t r;
    int rc = vfs_open(NULL, path, O_WRONLY | O_CREAT | O_TRUNC, mode, &f);

    if (rc)
        return rc;
    f->inode->mode = S_IFREG | (mode & 07777);
    r = vfs_write(f, data, size);
    vfs_file_put(f);
    return r < 0 ? (int)r : (size_t)r != size ? -ENOMEM : 0;
}

typedef struct vfs_unpacked_s {
    uint32_t files, dirs;
    uint64_t bytes;
} vfs_unpacked_t;

/*
 * A symbolic link of the archive at @path to @target (@len bytes, relative
 * to the link's directory unless absolute): there are no symbolic links,
 * so a link to a regular file unpacked before becomes a hard link to it
 * (busybox's applet links); any other is reported and left out.
 */
static void vfs_unpack_link(const char *path, const void *target, size_t len)
{
    char *to = kmem_alloc(PATH_MAX);
    size_t dir = 0;
    vfs_inode_t *ino = NULL;
    int rc = -ENAMETOOLONG;

    if (to == NULL)
        return;
    if (len == 0 || ((const char *)target)[0] != '/') {
        for (size_t i = 0; path[i]; i++)
            if (path[i] == '/')
                dir = i + 1;             /* keep the link's directory, its '/' included */
    }
    to[0] = '\0';
    if (dir + len < PATH_MAX) {
        memcpy(to, path, dir);
        memcpy(to + dir, target, len);
        to[dir + len] = '\0';
        rc = vfs_lookup(NULL, to, &ino);
    }
    if (rc == 0 && (ino->mode & S_IFMT) != S_IFREG)
        rc = -EPERM;                     /* not a regular file */
    if (rc == 0)
        rc = vfs_init_parents((char *)path);
    if (rc == 0) {
        rc = vfs_link_new(NULL, path, ino);          /* consumes the lookup's reference */
        ino = NULL;
    }
    if (ino)
        vfs_inode_put(ino);
    if (rc)
        printk("vfs: initramfs: symbolic link %s -> %s left out (%d)", path, to, rc);
    kmem_free(to);
}

/* Unpacks the cpio newc archive @cpio of @len bytes. @return 0, -EINVAL, -ENOMEM. */
static int vfs_unpack(const void *cpio, size_t len, vfs_unpacked_t *n)
{
    char *path = kmem_alloc(PATH_MAX);
    size_t off = 0;
    cpio_entry_t e;
    int rc;

    if (path == NULL)
        return -ENOMEM;
    while ((rc = cpio_next(cpio, len, &off, &e)) == 1) {
        const char *name = e.name;
        uint32_t type = e.mode & S_IFMT;

        while (name[0] == '.' && name[1] == '/')
            name += 2;
        while (name[0] == '/')
            name++;
        if (name[0] == '\0' || strcmp(name, ".") == 0)
            continue;
        if (snprintf(path, PATH_MAX, "/%s", name) >= PATH_MAX) {
            printk("vfs: initramfs: a name of %lu bytes ignored", (uint64_t)strlen(name));
            continue;
        }
        if (type == S_IFLNK) {
            vfs_unpack_link(path, e.data, e.size);
            continue;
        }
        if (type != S_IFDIR && type != S_IFREG) {
            printk("vfs: initramfs: %s ignored (device or special file)", path);
            continue;
        }
        rc = vfs_init_parents(path);
        if (rc == 0 && type == S_IFDIR)
            rc = vfs_init_dir(path, e.mode);
        else if (rc == 0)
            rc = vfs_init_file(path, e.mode, e.data, e.size);
        if (rc == -ENOMEM)
            break;
        if (rc) {
            printk("vfs: initramfs: %s not created (%d)", path, rc);
            continue;
        }
        if (type == S_IFDIR) {
            n->dirs++;
        } else {
            n->files++;
            n->bytes += e.size;
        }
    }
    kmem_free(path);
    if (rc < 0 && rc != -ENOMEM)
        printk("vfs: initramfs: malformed cpio archive at byte %lu", (uint64_t)off);
    return rc < 0 ? (rc == -ENOMEM ? rc : -EINVAL) : 0;
}

int vfs_init(const void *cpio, size_t len)
{
    vfs_unpacked_t n = { 0, 0, 0 };
    vfs_inode_t *root;
    int rc = 0, rc2;

    if (vfs_root_ino)
        return -EBUSY;
    vfs_tree_xp = XPTR(vfs_cxy_of(&vfs_tree), &vfs_tree);
    remote_rwlock_init(vfs_tree_xp, "vfs tree", RANK_VFS_TREE);
    console_init();
    random_init();
    root = ramfs_dir_new(S_IFDIR | 0755);
    if (root == NULL)
        return -ENOMEM;
    root->nlink = 2;                    /* never unlinked: its first reference is permanent */
    vfs_root_ino = root;

    if (cpio && len)
        rc = vfs_unpack(cpio, len, &n);
    rc2 = vfs_init_dir("/dev", 0755);
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/console", &console_fops, 0620, VFS_MKDEV(5, 1));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/null", &null_fops, 0666, VFS_MKDEV(1, 3));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/tty", &devtty_fops, 0666, VFS_MKDEV(5, 0));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/zero", &zero_fops, 0666, VFS_MKDEV(1, 5));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/full", &full_fops, 0666, VFS_MKDEV(1, 7));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/random", &random_fops, 0666, VFS_MKDEV(1, 8));
    if (rc2 == 0)
        rc2 = vfs_init_dev("/dev/urandom", &random_fops, 0666, VFS_MKDEV(1, 9));
    if (rc2 == 0)
        rc2 = vfs_init_dir("/tmp", 01777);
    if (rc2 == 0)
        rc2 = vfs_init_dir("/proc", 0555);
    if (rc2 == 0)
        rc2 = vfs_init_dir("/sys", 0555);
    printk("vfs: initramfs unpacked: %u files, %u directories, %lu KiB", n.files, n.dirs,
           (n.bytes + 1023) / 1024);
    if (rc2)
        printk("vfs: standard directories not created (%d)", rc2);
    return rc ? rc : rc2;
}
