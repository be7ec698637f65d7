/*
 * vfs_internal.h - objects shared by the files of kernel/fs (vfs.c, namei.c,
 * ramfs.c, genfs.c, pipe.c, console.c, null.c, fdtable.c and their
 * self-tests): inodes, open files, and the operations tables through which
 * the VFS core (vfs.c, namei.c) reaches each kind of inode. Not for use
 * outside kernel/fs.
 *
 * Locking (ranks in lock_rank.h, taken in this order):
 *   file->lock   (RANK_VFS_FILE, queuelock)   the open file's offset;
 *   vfs_tree     (RANK_VFS_TREE, rwlock)      the whole namespace: every
 *                directory's entries, nlink, parent and dentry pointers. It is
 *                held across one lookup step or one edit (create, unlink,
 *                getdents, getcwd), never across a generator call or a sleep;
 *   pipe->lock (RANK_VFS_PIPE), (a tty's busylock, RANK_TTY: tty.h),
 *   mapper lock  (RANK_VFS_INODE, queuelock)  a regular file's size and pages
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

/* The last component of a path, as the path walk (namei.c) hands it to a directory. */
typedef struct vfs_last_s {
    char   name[NAME_MAX + 1];  /* NUL-terminated */
    size_t len;            /* bytes; 0 when the path names its start directory ("/") */
    bool   slash;          /* the path ended with '/' */
} vfs_last_t;

/*
 * What the VFS does with an inode: one table per kind of inode (RAM
 * directory, RAM file, pipe, device, generated file or directory), set when
 * the inode is made (vfs_inode_alloc). A NULL entry means the operation does
 * not apply; the caller then returns the errno given with the entry. Every
 * entry runs in the caller's thread, in any cluster, with no VFS lock held
 * unless said.
 */
typedef struct vfs_inode_ops_s {
    /*
     * Directory entry @name (@len bytes, not "."; ".." is the parent) of
     * @dir: a referenced inode in *@out. @return 0, -ENOENT, or an error of
     * a generator. Every directory has it.
     */
    int     (*lookup)(vfs_inode_t *dir, const char *name, size_t len, vfs_inode_t **out);
    /*
     * open(O_CREAT) of @last in @dir: the existing entry (-EEXIST under
     * O_EXCL in @flags), else a new regular file of @mode & 07777 (-EISDIR
     * when @last->slash). @return 0 and a referenced inode in *@out, or
     * -ENOENT (@dir removed), -ENOMEM. NULL: read-only directory (-EACCES).
     */
    int     (*create)(vfs_inode_t *dir, const vfs_last_t *last, int flags, uint32_t mode,
                      vfs_inode_t **out);
    /*
     * Links the new inode @child as @last in @dir, consuming one reference
     * of @child on success only. @return 0, -ENOENT (@dir removed), -EEXIST,
     * -ENOMEM. NULL: read-only directory (-EACCES).
     */
    int     (*link)(vfs_inode_t *dir, const vfs_last_t *last, vfs_inode_t *child);
    /*
     * Removes the entry @last of @dir (rmdir when @rmdir: an empty
     * directory only), dropping the link's reference. @return 0, -ENOENT,
     * -ENOTDIR, -EISDIR, -ENOTEMPTY, -EBUSY (a mount's root). NULL:
     * read-only directory (-EACCES).
     */
    int     (*unlink)(vfs_inode_t *dir, const vfs_last_t *last, bool rmdir);
    /* Path of directory @dir into @buf (@cap bytes), as vfs_getcwd(). Every directory has it. */
    int64_t (*getcwd)(vfs_inode_t *dir, char *buf, size_t cap);
    /* May @ino be opened by path with @flags (O_*)? @return 0 or -errno. NULL: yes. */
    int     (*may_open)(vfs_inode_t *ino, int flags);
    /* O_TRUNC: empties @ino. NULL: nothing to empty. */
    void    (*truncate)(vfs_inode_t *ino);
    /*
     * Adds what the VFS cannot know to @st (st_size, st_blocks; the VFS
     * filled the common fields). NULL: nothing to add (st_size 0).
     */
    void    (*getattr)(vfs_inode_t *ino, kstat_t *st);
    /*
     * Frees what @ino owns (its refcount reached 0; the VFS then frees the
     * inode itself). @return the referenced parent to drop, or NULL. NULL:
     * nothing owned.
     */
    vfs_inode_t *(*destroy)(vfs_inode_t *ino);
} vfs_inode_ops_t;

/*
 * What the VFS does with an open file of an inode: one table per kind, set
 * with the inode's vfs_inode_ops_t. Entries run in the caller's thread, in
 * any cluster, with no VFS lock held; those that use the file offset take
 * the file's lock (vfs_qlock(f->cxy, &f->lock)) themselves.
 */
typedef struct vfs_file_ops_s {
    /* Prepares the new open file @f (vfs_file_new). @return 0 or -ENOMEM. NULL: nothing to do. */
    int     (*open)(vfs_file_t *f);
    /* As vfs_read(), access mode already checked. NULL: a directory (-EISDIR). */
    int64_t (*read)(vfs_file_t *f, void *buf, size_t n);
    /* As vfs_write(), access mode already checked. NULL: not writable (-EBADF). */
    int64_t (*write)(vfs_file_t *f, const void *buf, size_t n);
    /* As vfs_lseek() (see vfs_lseek_sized, vfs_lseek_dir). NULL: a stream (-ESPIPE). */
    int64_t (*lseek)(vfs_file_t *f, int64_t off, int whence);
    /* As vfs_getdents64(). NULL: not a directory (-ENOTDIR). */
    int64_t (*getdents)(vfs_file_t *f, void *buf, size_t n);
    /* The last reference on @f is going (before its inode's is dropped). NULL: nothing to do. */
    void    (*release)(vfs_file_t *f);
    /* What poll(2) would report now (POLLIN, POLLOUT, POLLHUP, POLLERR). NULL: POLLIN | POLLOUT. */
    uint32_t (*poll)(vfs_file_t *f);
} vfs_file_ops_t;

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
    volatile uint32_t refcount;   /* atomic: links + open files + cwds + walkers */
    uint32_t          mode;       /* S_IF* | permissions (vfs_attr.c: chmod, atomic stores) */
    uint32_t          uid;        /* st_uid (vfs_attr.c: chown) */
    uint32_t          gid;        /* st_gid */
    uint32_t          nlink;      /* guarded by the tree lock; 0 once unlinked */
    uint32_t          cxy;        /* cluster of this inode's memory (names its locks) */
    uint64_t          ino;        /* st_ino, unique */
    uint64_t          rdev;       /* st_rdev (devices) */
    const vfs_inode_ops_t *iops;  /* set at creation; a mount's root gets genfs.c's */
    const vfs_file_ops_t  *fops;  /* likewise */
    mapper_t         *mapper;     /* a regular file's page cache (&data below), or NULL */
    union {
        mapper_t   data;          /* RAM regular file: the page cache of its data */
        struct {                  /* RAM directory; guarded by the tree lock */
            list_entry_t  entries;    /* vfs_dentry_t, in cookie order */
            uint64_t      next_cookie;
            vfs_inode_t  *parent;     /* referenced; NULL for the root */
            vfs_dentry_t *dentry;     /* our name in parent; NULL for the root or once removed */
            int           mnt;        /* generated mount rooted here, or -1 */
        } dir;
        vfs_pipe_t pipe;          /* pipe */
        struct {                  /* generated file or directory: immutable */
            int      mnt;
            char    *path;        /* absolute, normalised */
            char    *buf;         /* a file: the content generated at lookup */
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
/*
 * A new inode in the calling cluster's memory with the operations @iops and
 * @fops and @mode: refcount 1, nlink 0, a fresh st_ino, the rest zero; its
 * file system fills the union. NULL when out of memory.
 */
vfs_inode_t *vfs_inode_alloc(const vfs_inode_ops_t *iops, const vfs_file_ops_t *fops,
                             uint32_t mode);
/*
 * Frees @ino now, whatever its count (its destroy operation, then the
 * inode): for an inode nobody else has seen, and for vfs_inode_put().
 * @return its referenced parent to drop, or NULL.
 */
vfs_inode_t *vfs_inode_free(vfs_inode_t *ino);
/* A new empty RAM directory of @mode (S_IFDIR | permissions), unlinked; NULL when out of memory. */
vfs_inode_t *vfs_dir_new(uint32_t mode);
/* A new open file of @ino (whose reference it consumes, also on error). @return 0 or -ENOMEM. */
int vfs_file_new(vfs_inode_t *ino, int flags, vfs_file_t **out);
/* Fills @st from @ino. */
void vfs_fill_stat(vfs_inode_t *ino, kstat_t *st);
/* Is @ino a directory (S_IFDIR: RAM or generated)? */
bool vfs_is_dir(const vfs_inode_t *ino);
/*
 * lseek helpers for vfs_file_ops_t.lseek, under the file's lock:
 * vfs_lseek_sized() moves within a file of @size bytes (SEEK_END from it;
 * @size < 0 refuses SEEK_END with -EINVAL); vfs_lseek_dir() accepts only
 * SEEK_SET and SEEK_CUR 0 (a directory's positions are opaque).
 * @return the new offset, or -EINVAL.
 */
int64_t vfs_lseek_sized(vfs_file_t *f, int64_t off, int whence, int64_t size);
int64_t vfs_lseek_dir(vfs_file_t *f, int64_t off, int whence);

/* ---- ramfs.c ---- */
/* The RAM directory of @mode, as vfs_dir_new() (which calls it). */
vfs_inode_t *ramfs_dir_new(uint32_t mode);

/* ---- pipe.c ---- */
extern const vfs_file_ops_t pipe_fops;      /* vfs_file_is_pipe() */

/* ---- namei.c ---- */
/* Resolves @path to a referenced inode in *@out (errors as vfs_open). */
int vfs_lookup(vfs_inode_t *cwd, const char *path, vfs_inode_t **out);
/*
 * Links the new inode @ino (its reference is consumed, also on error) as
 * @path: -EEXIST, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EACCES (generated).
 */
int vfs_link_new(vfs_inode_t *cwd, const char *path, vfs_inode_t *ino);

/* ---- console.c, null.c, mem_devices.c, random.c ---- */
/* Initialises the console's terminal (tty.h). BSP, from vfs_init(). */
void console_init(void);
extern const vfs_file_ops_t console_fops;   /* /dev/console; vfs_file_is_tty() */
extern const vfs_file_ops_t devtty_fops;    /* /dev/tty: the console, for its session */
extern const vfs_file_ops_t null_fops;      /* /dev/null */
extern const vfs_file_ops_t zero_fops;      /* /dev/zero */
extern const vfs_file_ops_t full_fops;      /* /dev/full */
extern const vfs_file_ops_t random_fops;    /* /dev/random and /dev/urandom */

#endif
