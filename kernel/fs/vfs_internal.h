/*
 * vfs_internal.h - objects shared by the files of kernel/fs (vfs.c, ramfs.c,
 * pipe.c, console.c, fdtable.c). Not for use outside kernel/fs.
 *
 * Locking (ranks in lock_rank.h, taken in this order):
 *   file->lock   (RANK_VFS_FILE, queuelock)   the open file's offset;
 *   vfs_tree     (RANK_VFS_TREE, rwlock)      the whole namespace: every
 *                directory's entries, nlink, parent and dentry pointers. It is
 *                held across one lookup step or one edit (create, unlink,
 *                getdents, getcwd), never across a generator call or a sleep;
 *   console lock (RANK_VFS_CONSOLE), pipe->lock (RANK_VFS_PIPE),
 *   reg.lock     (RANK_VFS_INODE, queuelock)  a regular file's size and pages
 *                (its mapper, mapper.h).
 * Every lock is named by the xptr_t of the cluster whose memory holds it
 * (inode->cxy, file->cxy, fd_table->cxy, vfs_cxy_of() for the kernel
 * image), whichever cluster the caller runs in: see vfs_qlock().
 * Reference counts (inode, file, page) are atomics: no lock. An inode linked
 * in the tree holds one reference for that link; a directory holds one on
 * its parent; an open file holds one on its inode.
 */
#ifndef _VFS_INTERNAL_H_
#define _VFS_INTERNAL_H_

#include <stdint.h>
#include <stdbool.h>
#include "vfs.h"
#include "list.h"
#include "xlist.h"
#include "queuelock.h"
#include "rwlock.h"
#include "page.h"
#include "mapper.h"

#define VFS_INODE_MAGIC 0x45444f4eu      /* "NODE" */
#define VFS_FILE_MAGIC  0x454c4946u      /* "FILE" */
#define VFS_MAX_MOUNTS  4                /* generated mounts (/proc, /sys, ...) */

typedef enum vfs_kind_e {
    VFS_REG,          /* RAM file: pages */
    VFS_DIR,          /* RAM directory: dentries */
    VFS_CHR,          /* character device (console, null) */
    VFS_FIFO,         /* pipe */
    VFS_GEN_FILE,     /* transient: a file under a generated mount */
    VFS_GEN_DIR,      /* transient: a directory under a generated mount */
} vfs_kind_t;

typedef enum vfs_dev_e {
    VFS_DEV_CONSOLE,
    VFS_DEV_NULL,
} vfs_dev_t;

/* One name in a RAM directory. Allocated in the creator's cluster. */
typedef struct vfs_dentry_s {
    list_entry_t  link;       /* in dir.entries, guarded by the tree lock */
    vfs_inode_t  *inode;      /* holds the link's reference on it */
    uint64_t      cookie;     /* getdents64 position, increasing in its directory */
    uint32_t      namelen;    /* bytes, without the NUL */
    char          name[];     /* NUL-terminated */
} vfs_dentry_t;

/* A pipe's ring buffer and ends; every field guarded by lock. */
typedef struct vfs_pipe_s {
    queuelock_t   lock;
    page_t       *page;       /* PIPE_BUF_SIZE bytes: 2^4 pages of the creator's cluster */
    char         *buf;        /* its direct-map address */
    uint32_t      head;       /* next byte to read, 0..PIPE_BUF_SIZE-1 */
    uint32_t      count;      /* bytes buffered */
    uint32_t      readers;    /* open read ends (open files, not descriptors) */
    uint32_t      writers;    /* open write ends */
    xlist_entry_t rd_waiters; /* vfs_waiter_t of blocked readers */
    xlist_entry_t wr_waiters; /* vfs_waiter_t of blocked writers */
} vfs_pipe_t;

/* A thread sleeping on a pipe: on its own stack, listed while it sleeps. */
typedef struct vfs_waiter_s {
    xlist_entry_t link;       /* in a pipe's waiter list, guarded by pipe->lock */
    xptr_t        thread;     /* woken with thread_unblock(THREAD_BLOCKED_SLEEP) */
} vfs_waiter_t;

struct vfs_inode_s {
    uint32_t          magic;      /* VFS_INODE_MAGIC while alive */
    uint32_t          kind;       /* vfs_kind_t */
    volatile uint32_t refcount;   /* atomic: links + open files + cwds + walkers */
    uint32_t          mode;       /* S_IF* | permissions */
    uint32_t          nlink;      /* guarded by the tree lock; 0 once unlinked */
    uint32_t          cxy;        /* cluster of this inode's memory (names its locks) */
    uint64_t          ino;        /* st_ino, unique */
    uint64_t          rdev;       /* st_rdev (devices) */
    union {
        mapper_t   reg;           /* VFS_REG: the page cache of its data */
        struct {                  /* VFS_DIR; guarded by the tree lock */
            list_entry_t  entries;    /* vfs_dentry_t, in cookie order */
            uint64_t      next_cookie;
            vfs_inode_t  *parent;     /* referenced; NULL for the root */
            vfs_dentry_t *dentry;     /* our name in parent; NULL for the root or once removed */
            int           mnt;        /* generated mount rooted here, or -1 */
        } dir;
        vfs_pipe_t pipe;          /* VFS_FIFO */
        uint32_t   dev;           /* VFS_CHR: vfs_dev_t */
        struct {                  /* VFS_GEN_FILE, VFS_GEN_DIR: immutable */
            int      mnt;
            char    *path;        /* absolute, normalised */
            char    *buf;         /* VFS_GEN_FILE: the content generated at lookup */
            uint64_t len;         /* bytes of buf */
        } gen;
    };
};

struct vfs_file_s {
    uint32_t          magic;      /* VFS_FILE_MAGIC while open */
    volatile uint32_t refcount;   /* atomic: descriptors and in-flight calls */
    volatile int      flags;      /* O_* given at open (O_APPEND, O_NONBLOCK: fcntl) */
    uint32_t          cxy;        /* cluster of this file's memory (names its lock) */
    queuelock_t       lock;       /* guards offset */
    uint64_t          offset;     /* bytes; directories: next dentry cookie or byte of list */
    vfs_inode_t      *inode;      /* referenced */
    char             *list;       /* generated directory listing (dirent64 records), or NULL */
    uint64_t          list_len;   /* bytes of list */
};

/* Generated mount: read-mostly after boot. */
typedef struct vfs_mount_s {
    char          prefix[VFS_GEN_PATH_MAX];
    size_t        len;            /* strlen(prefix) */
    vfs_gen_t     gen;
    int64_t     (*list)(const char *path, void *dirent_buf, size_t cap);
    vfs_inode_t  *root;           /* the RAM directory at prefix (referenced) */
} vfs_mount_t;

extern vfs_mount_t vfs_mounts[VFS_MAX_MOUNTS];

/*
 * A lock is always named by the xptr_t of its true cluster: the queuelock
 * and rwlock code compare xptrs of list roots, so the same lock reached
 * with two different cluster numbers would corrupt its waiter list.
 */
static inline void vfs_qlock(uint32_t cxy, queuelock_t *l)
{
    remote_queuelock_acquire(XPTR(cxy, l));
}

static inline void vfs_qunlock(uint32_t cxy, queuelock_t *l)
{
    remote_queuelock_release(XPTR(cxy, l));
}

/* ---- vfs.c ---- */
/* The cluster whose memory holds @p (direct map or kernel image). Any core. */
uint32_t vfs_cxy_of(const void *p);
/* The namespace rwlock (see the top of this file). */
void vfs_tree_rd_lock(void);
void vfs_tree_rd_unlock(void);
void vfs_tree_wr_lock(void);
void vfs_tree_wr_unlock(void);
/* Frees kmem memory of any cluster: locally, or by a thread created there (RPC). */
void vfs_kfree(void *ptr);
/* A fresh unique st_ino. */
uint64_t vfs_new_ino(void);
/* A new open file of @ino (whose reference it consumes, also on error). @return 0 or -ENOMEM. */
int vfs_file_new(vfs_inode_t *ino, int flags, vfs_file_t **out);
/* Fills @st from @ino. */
void vfs_fill_stat(vfs_inode_t *ino, kstat_t *st);

/* ---- ramfs.c ---- */
/* A new inode of @kind and @mode, refcount 1, nlink 0; NULL when out of memory. */
vfs_inode_t *ramfs_inode_alloc(vfs_kind_t kind, uint32_t mode);
/* Frees @ino and what it owns (refcount reached 0); @return its referenced parent to drop, or NULL. */
vfs_inode_t *ramfs_inode_free(vfs_inode_t *ino);
/* Entry @name (@len bytes) of directory @dir, or NULL. Tree lock held. */
vfs_dentry_t *ramfs_dir_find_locked(vfs_inode_t *dir, const char *name, size_t len);
/* Links @child as @name in @dir (consumes one reference of @child). Tree write lock held. */
int ramfs_dir_link_locked(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t *child);
/* Removes @d from @dir; returns it, to free with vfs_kfree after the lock. Tree write lock held. */
void ramfs_dir_unlink_locked(vfs_inode_t *dir, vfs_dentry_t *d);
/* getdents64 of a RAM directory from cookie *@pos. Tree lock taken inside. */
int64_t ramfs_getdents(vfs_inode_t *dir, void *buf, size_t n, uint64_t *pos);

/* ---- pipe.c ---- */
int  pipe_init(vfs_inode_t *ino);
void pipe_release(vfs_inode_t *ino);                    /* frees the ring (inode freed) */
void pipe_close_end(vfs_inode_t *ino, bool writer);     /* last reference of one end */
int64_t pipe_read(vfs_inode_t *ino, void *buf, size_t n, bool nonblock);
int64_t pipe_write(vfs_inode_t *ino, const void *buf, size_t n, bool nonblock);

/* ---- namei.c ---- */
/* Is @ino a directory (RAM or generated)? */
bool vfs_is_dir(const vfs_inode_t *ino);
/* Resolves @path to a referenced inode in *@out (errors as vfs_open). */
int vfs_lookup(vfs_inode_t *cwd, const char *path, vfs_inode_t **out);
/*
 * Links the new inode @ino (its reference is consumed, also on error) as
 * @path: -EEXIST, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EACCES (generated).
 */
int vfs_link_new(vfs_inode_t *cwd, const char *path, vfs_inode_t *ino);

/* ---- genfs.c ---- */
/* Child @name (@len bytes) of mount root or generated directory @dir: a referenced transient inode. */
int genfs_lookup(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out);
/* Is @dir a directory whose listing comes from a generator (mount root or generated)? */
bool genfs_is_listed(const vfs_inode_t *dir);
/* Fills f->list with the listing of @f's directory. @return 0 or -ENOMEM. */
int genfs_open_dir(vfs_file_t *f);
/* Absolute path of a generated inode or mount root, or NULL. */
const char *genfs_path(const vfs_inode_t *ino);

/* ---- console.c ---- */
void console_init(void);
int64_t console_read(void *buf, size_t n);
int64_t console_write(const void *buf, size_t n);

#endif
