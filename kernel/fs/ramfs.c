/*
 * ramfs.c - the RAM file system: inodes, directories and page-granular
 * regular file data (see vfs.h, vfs_internal.h).
 *
 * Inodes, dentries and page arrays are kmem objects of the cluster of the
 * thread that creates them; data pages come from the writer's cluster PPM.
 * Whoever drops the last reference frees them, in any cluster: pages with
 * ppm_free_any(), kmem objects with vfs_kfree().
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
        remote_queuelock_init(XPTR(ino->cxy, &ino->reg.lock), "vfs inode", RANK_VFS_INODE);
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
        ramfs_truncate(ino);
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

void vfs_page_put(struct page_s *page)
{
    if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        ppm_free_any(page);
}

/* Grows reg.pages to at least @want entries. Data lock held. @return 0 or -ENOMEM. */
static int ramfs_grow_locked(vfs_inode_t *ino, uint64_t want)
{
    uint64_t cap = ino->reg.npages ? ino->reg.npages : 16;
    page_t **pages;

    if (want <= ino->reg.npages)
        return 0;
    while (cap < want)
        cap *= 2;
    if (cap > VFS_MAX_FILE_PAGES)
        cap = VFS_MAX_FILE_PAGES;
    pages = kmem_alloc(cap * sizeof(page_t *));
    if (pages == NULL)
        return -ENOMEM;
    if (ino->reg.pages)
        memcpy(pages, ino->reg.pages, ino->reg.npages * sizeof(page_t *));
    vfs_kfree(ino->reg.pages);
    ino->reg.pages = pages;
    ino->reg.npages = cap;
    return 0;
}

int64_t ramfs_read(vfs_inode_t *ino, void *buf, size_t n, uint64_t off)
{
    uint64_t done = 0;

    vfs_qlock(ino->cxy, &ino->reg.lock);
    if (off >= ino->reg.size) {
        vfs_qunlock(ino->cxy, &ino->reg.lock);
        return 0;
    }
    if (n > ino->reg.size - off)
        n = ino->reg.size - off;
    while (done < n) {
        uint64_t pos = off + done, idx = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t chunk = PAGE_SIZE - in;
        page_t *page = idx < ino->reg.npages ? ino->reg.pages[idx] : NULL;

        if (chunk > n - done)
            chunk = n - done;
        if (page)
            memcpy((char *)buf + done, (char *)ppm_page_to_virt(page) + in, chunk);
        else
            memset((char *)buf + done, 0, chunk);           /* hole */
        done += chunk;
    }
    vfs_qunlock(ino->cxy, &ino->reg.lock);
    return (int64_t)done;
}

int64_t ramfs_write(vfs_inode_t *ino, const void *buf, size_t n, uint64_t off, bool append,
                    uint64_t *end)
{
    const uint64_t max = VFS_MAX_FILE_PAGES << PAGE_SHIFT;
    uint64_t done = 0;
    int64_t rc = 0;

    vfs_qlock(ino->cxy, &ino->reg.lock);
    if (append)
        off = ino->reg.size;
    *end = off;
    if (n == 0)
        goto out;
    if (off >= max) {
        rc = -EFBIG;
        goto out;
    }
    if (n > max - off)
        n = max - off;
    rc = ramfs_grow_locked(ino, (off + n + PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (rc)
        goto out;
    while (done < n) {
        uint64_t pos = off + done, idx = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t chunk = PAGE_SIZE - in;
        page_t *page = ino->reg.pages[idx];

        if (chunk > n - done)
            chunk = n - done;
        if (page == NULL) {
            page = ppm_alloc_pages(0);
            if (page == NULL) {
                rc = -ENOMEM;
                break;
            }
            page->refcount = 1;                             /* the file's reference */
            memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
            ino->reg.pages[idx] = page;
            ino->reg.nalloc++;
        }
        memcpy((char *)ppm_page_to_virt(page) + in, (const char *)buf + done, chunk);
        done += chunk;
    }
    if (off + done > ino->reg.size)
        ino->reg.size = off + done;
    *end = off + done;
out:
    vfs_qunlock(ino->cxy, &ino->reg.lock);
    return done ? (int64_t)done : rc;
}

void ramfs_truncate(vfs_inode_t *ino)
{
    page_t **pages;
    uint64_t npages;

    vfs_qlock(ino->cxy, &ino->reg.lock);
    pages = ino->reg.pages;
    npages = ino->reg.npages;
    ino->reg.pages = NULL;
    ino->reg.npages = 0;
    ino->reg.nalloc = 0;
    ino->reg.size = 0;
    for (uint64_t i = 0; i < npages; i++)
        if (pages[i])
            vfs_page_put(pages[i]);
    vfs_qunlock(ino->cxy, &ino->reg.lock);
    vfs_kfree(pages);
}

uint64_t vfs_inode_size(vfs_inode_t *ino)
{
    if (ino->kind != VFS_REG)
        return 0;
    return __atomic_load_n(&ino->reg.size, __ATOMIC_ACQUIRE);
}

/* The page @index of @ino, with a new reference when @ref. Data lock taken. */
static page_t *ramfs_page(vfs_inode_t *ino, uint64_t index, bool ref)
{
    page_t *page = NULL;

    if (ino->kind != VFS_REG)
        return NULL;
    vfs_qlock(ino->cxy, &ino->reg.lock);
    if (index < ino->reg.npages && index < (ino->reg.size + PAGE_SIZE - 1) >> PAGE_SHIFT)
        page = ino->reg.pages[index];
    if (page && ref)
        __atomic_add_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);
    vfs_qunlock(ino->cxy, &ino->reg.lock);
    return page;
}

struct page_s *vfs_inode_page(vfs_inode_t *ino, uint64_t index)
{
    return ramfs_page(ino, index, false);
}

struct page_s *vfs_inode_page_get(vfs_inode_t *ino, uint64_t index)
{
    return ramfs_page(ino, index, true);
}
