/*
 * vfs.h - virtual file system: a RAM file system filled from the initramfs,
 * /dev/console on the serial port, pipes, and generated files (/proc, /sys).
 *
 * Objects (inodes, open files, pipes) are named by plain kernel pointers:
 * they live in the direct map, so every cluster reaches them, and their
 * counters and locks are remote-safe (atomics, queuelocks with xlist
 * waiters). Inode and directory data of the RAM file system are allocated
 * in the cluster of the thread that creates them (invariant 1); a page
 * owned by another cluster is freed there by RPC (ppm_free_any()).
 *
 * Locking (details in vfs_internal.h): one machine-wide blocking rwlock
 * (RANK_VFS_TREE) guards the namespace, held for one lookup step or one
 * edit at a time, never across a generator call or a sleep; a queuelock per
 * open file guards its offset (RANK_VFS_FILE), one per regular file's
 * mapper its pages (RANK_VFS_INODE, taken by the VMM under its GPT lock),
 * one per pipe its ring (RANK_VFS_PIPE). Every function below runs in a
 * thread (it may block), on any core of any cluster, with no busylock held.
 *
 * Every function takes and returns kernel buffers only: the system-call
 * layer (kernel/syscalls) copies user memory in and out. Errors are
 * negative Linux errno values (uapi/errno.h). Flags and modes use the Linux
 * values (O_*, S_IF*, AT_*: kernel/include/uapi/).
 */
#ifndef _VFS_H_
#define _VFS_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "mapper.h"
#include "uapi/fcntl.h"
#include "uapi/fs.h"
#include "uapi/stat.h"
#include "uapi/dirent.h"
#include "uapi/limits.h"
#include "uapi/statfs.h"

/* Linux device numbers (include/linux/kdev_t.h, new_encode_dev) */
#define VFS_MKDEV(ma, mi) ((uint64_t)(((ma) & 0xfffu) << 8 | ((mi) & 0xffu) | \
                                      (((mi) & ~0xffu) << 12)))

#define PIPE_BUF_SIZE 65536       /* bytes buffered by a pipe (Linux default) */
#define VFS_GEN_CAP   16384       /* bytes: buffer handed to a generator / lister */
#define VFS_GEN_PATH_MAX 256      /* bytes of a path under a generated mount, NUL included */
#define VFS_DEV      0x41         /* st_dev of every file (one RAM file system) */

typedef struct vfs_inode_s vfs_inode_t;   /* a file, directory, device or pipe (vfs.c) */
typedef struct vfs_file_s  vfs_file_t;    /* an open file description (vfs.c) */

/*
 * A generated file system (/proc, /sys: kernel/kern/procfs.c): the
 * operations a generated mount serves every path under its prefix with.
 * Both are called at lookup and open, in the opener's thread, with no VFS
 * lock held; @path is absolute and normalised.
 */
typedef struct vfs_gen_ops_s {
    /*
     * Writes the whole content of the file at @path into @buf (capacity
     * @cap bytes). @return its length in bytes, or a negative errno
     * (-ENOENT when @path names nothing).
     */
    int64_t (*gen)(const char *path, char *buf, size_t cap);
    /*
     * Fills @dirent_buf (@cap bytes) with the getdents64 records of the
     * directory @path (see vfs_dirent_emit). @return their length in bytes,
     * or a negative errno for a path that is not a directory. May be NULL
     * (no directory: the mount's root lists empty).
     */
    int64_t (*list)(const char *path, void *dirent_buf, size_t cap);
    /*
     * (hang task: /proc/sysrq-trigger) Handles a write(2) of @len bytes at
     * @buf (a kernel copy) to the file @path, in the writer's thread, no VFS
     * lock held. @return the bytes consumed or a negative errno. NULL, or
     * -EACCES when called with @buf NULL at open: the file is read-only
     * (open for writing fails with -EACCES). A writable file has mode 0200.
     */
    int64_t (*write)(const char *path, const void *buf, size_t len);
} vfs_gen_ops_t;

/*
 * Unpacks the cpio newc archive @cpio (@len bytes, kernel virtual) into the
 * RAM file system and creates /dev/console, /tmp, /proc and /sys.
 * BSP only, once, before any process exists; @cpio may be NULL (no
 * initramfs). Prints "vfs: initramfs unpacked: N files, M directories, K KiB".
 * Symbolic links and device nodes of the archive are skipped with a note.
 * @return 0 or -errno (-EINVAL for a malformed archive: what precedes the
 * bad entry is kept; -ENOMEM; -EBUSY when called twice).
 */
int vfs_init(const void *cpio, size_t len);

/*
 * Serves every path under @prefix ("/proc", "/sys") from @ops (kept, not
 * copied). A path under @prefix is a directory when ops->list() accepts
 * it, else a regular file (st_size 0) when ops->gen() does. The contents
 * are generated at lookup/open, in the caller's thread, with no VFS lock
 * held, into a VFS_GEN_CAP-byte buffer; paths are limited to
 * VFS_GEN_PATH_MAX bytes (-ENAMETOOLONG). Creates the directory @prefix if
 * needed. At most 4 mounts; a refused mount (no ops->gen, a bad or busy
 * prefix) prints a warning. BSP, at boot.
 */
void vfs_mount_generated(const char *prefix, const vfs_gen_ops_t *ops);

/*
 * Root directory (NULL before vfs_init). Not referenced: it is never freed;
 * a process's cwd takes its own reference with vfs_inode_get().
 */
vfs_inode_t *vfs_root(void);
vfs_inode_t *vfs_inode_get(vfs_inode_t *ino);     /* takes a reference, returns @ino */
void vfs_inode_put(vfs_inode_t *ino);             /* drops one; frees an unlinked inode at 0 */

/*
 * Opens @path (relative to @cwd unless absolute) with Linux @flags; creates
 * it with @mode & 07777 under O_CREAT (no umask: the caller's). @cwd NULL
 * means the root. O_TRUNC empties a regular file opened for writing.
 * @return 0 and a referenced file in *@out, or -ENOENT, -ENOTDIR (also
 * O_DIRECTORY on a non-directory, a trailing slash on a file), -EISDIR
 * (write or O_CREAT on a directory, O_CREAT with a trailing slash), -EEXIST
 * (O_CREAT|O_EXCL), -ENAMETOOLONG, -ENOMEM, -EACCES (read-only file system
 * under /proc and /sys), -EINVAL (access mode 3).
 */
int vfs_open(vfs_inode_t *cwd, const char *path, int flags, uint32_t mode, vfs_file_t **out);

/* Takes / drops a reference on an open file; the last drop closes it (a pipe end wakes the other side). */
vfs_file_t *vfs_file_get(vfs_file_t *f);
void vfs_file_put(vfs_file_t *f);

/*
 * Reads up to @n bytes at the file offset into @buf. Pipes and the console
 * block until at least one byte is there (a pipe returns 0 once no writer
 * is left; O_NONBLOCK gives -EAGAIN; the console returns one edited line,
 * '\n' included, and 0 for Ctrl-D on an empty line). @return bytes read, 0
 * at end of file, or -EBADF (not open for reading), -EISDIR, -EAGAIN,
 * -ERESTARTSYS (a signal: see vfs_interrupted).
 */
int64_t vfs_read(vfs_file_t *f, void *buf, size_t n);

/*
 * Writes @n bytes from @buf at the file offset (at the end under O_APPEND).
 * A pipe blocks until all @n bytes are in (-EPIPE when no reader is left).
 * Writes of at most PIPE_BUF bytes to a pipe are atomic; O_NONBLOCK writes
 * what fits (-EAGAIN if nothing does). A regular file grows with zeroed
 * pages; holes stay unallocated.
 * @return bytes written (short when memory ran out or the readers left
 * midway) or -EBADF, -ENOMEM, -EFBIG (beyond 1 GiB), -EPIPE, -EAGAIN.
 */
int64_t vfs_write(vfs_file_t *f, const void *buf, size_t n);

/*
 * Moves the file offset (SEEK_SET, SEEK_CUR, SEEK_END). A directory accepts
 * only SEEK_SET to a position it returned (d_off, 0 to rewind) and
 * SEEK_CUR 0. @return the new offset in bytes, or -EINVAL (bad whence,
 * negative result), -ESPIPE (pipe, console).
 */
int64_t vfs_lseek(vfs_file_t *f, int64_t off, int whence);

/*
 * stat of an open file: st_dev VFS_DEV, st_ino unique, st_blksize 4096,
 * st_blocks from allocated pages, times 0; an unlinked open file has
 * st_nlink 0; generated files have st_size 0; /dev/console is
 * S_IFCHR|0620 with st_rdev makedev(5,1); a pipe is S_IFIFO|0600. @return 0.
 */
int vfs_fstat(vfs_file_t *f, kstat_t *st);
/* stat of a path (symbolic links do not exist: @flags is ignored but AT_EMPTY_PATH is the caller's business). */
int vfs_stat(vfs_inode_t *cwd, const char *path, kstat_t *st);

/* Fills @buf with struct linux_dirent64 records (d_ino, d_off, d_reclen, d_type, d_name); @return bytes, 0 at the end, -ENOTDIR, -EINVAL (buffer too small for one). */
int64_t vfs_getdents64(vfs_file_t *f, void *buf, size_t n);

/* Creates directory @path (@mode & 07777). @return 0, -EEXIST, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EACCES (generated), -ENOMEM. */
int vfs_mkdir(vfs_inode_t *cwd, const char *path, uint32_t mode);
/*
 * Removes the name @path; an open or mapped file lives on until its last
 * reference. AT_REMOVEDIR: rmdir, of an empty directory only.
 * @return 0, -ENOENT, -ENOTDIR, -EISDIR (unlink of a directory),
 * -ENOTEMPTY, -EINVAL (rmdir "."), -EBUSY (rmdir "/" or of a mount),
 * -EACCES (generated), -ENAMETOOLONG.
 */
int vfs_unlink(vfs_inode_t *cwd, const char *path, int flags);

/* Resolves @path to a directory: a referenced inode in *@out, or -ENOENT, -ENOTDIR. */
int vfs_lookup_dir(vfs_inode_t *cwd, const char *path, vfs_inode_t **out);
/*
 * Writes the absolute path of directory @dir to @buf (@cap bytes).
 * @return length including the NUL, or -ERANGE, -ENOENT (@dir was removed).
 */
int64_t vfs_getcwd(vfs_inode_t *dir, char *buf, size_t cap);

/* Two ends of a new pipe (O_CLOEXEC is the caller's; O_NONBLOCK applies to both). */
int vfs_pipe(vfs_file_t **rd, vfs_file_t **wr, int flags);

bool vfs_file_is_tty(vfs_file_t *f);       /* /dev/console, /dev/tty */

/*
 * ioctl(2) @cmd with user argument @arg on the terminal @f
 * (vfs_file_is_tty): tty_ioctl() of the console's tty (tty.h, which lists
 * the requests and errnos). A user thread, any cluster.
 */
int64_t console_ioctl(vfs_file_t *f, uint64_t cmd, uint64_t arg);

/*
 * The console's receive interrupt (VEC_CONSOLE, ipi.c's table): moves the
 * UART's bytes to the console thread and wakes it. Interrupt context.
 */
void console_irq(void);

/*
 * Starts the console thread on @core (the first core of cluster 0, after
 * sched_init) and routes COM1's interrupt to that core (I/O APIC), else
 * the thread polls. Once.
 */
struct core_s;
void console_start(struct core_s *core);
bool vfs_file_is_pipe(vfs_file_t *f);
bool vfs_file_is_zero(vfs_file_t *f);      /* /dev/zero: mmap gives anonymous memory */

/*
 * The poll(2) events of @f ready now (uapi/poll.h: POLLIN, POLLOUT,
 * POLLHUP, POLLERR): a pipe's or a terminal's state; other files are
 * always ready. Any cluster; takes the pipe's or tty's lock.
 */
uint32_t vfs_poll(vfs_file_t *f);

/*
 * Sleeps until the console has input, TSC @deadline, or a signal (poll(2)
 * on the console). A user thread, any cluster.
 */
void console_wait_input(uint64_t deadline);
int  vfs_file_flags(vfs_file_t *f);        /* the O_* status flags of the open file */
vfs_inode_t *vfs_file_inode(vfs_file_t *f);/* not referenced: valid while @f is */

/*
 * Executable lookup for execve: a referenced regular-file inode in *@out
 * and its size in bytes, or -ENOENT, -ENOTDIR, -EACCES (not a regular file,
 * or the caller may not execute it: vfs_permission()).
 */
int vfs_open_exec(vfs_inode_t *cwd, const char *path, vfs_inode_t **out, uint64_t *size);

/* Size in bytes of a regular file. */
uint64_t vfs_inode_size(vfs_inode_t *ino);

/*
 * The page cache of regular file @ino (mapper.h: mapper_page_get() and
 * mapper_page_put() give exec and the VMM its pages), or NULL when @ino is
 * not a regular file. Valid while @ino is referenced. Any cluster, no lock.
 */
mapper_t *vfs_inode_mapper(vfs_inode_t *ino);

/* ---- additions ---------------------------------------------------------------- */

/*
 * Appends one linux_dirent64 record (@ino, @off, @type, @name) at byte
 * @pos of @buf (@cap bytes). For list() callbacks of generated mounts.
 * Any cluster, no lock. @return the new position in bytes, or 0 when the
 * record does not fit (nothing written).
 */
size_t vfs_dirent_emit(void *buf, size_t cap, size_t pos, uint64_t ino, int64_t off,
                       uint8_t type, const char *name);

/*
 * Sets the O_APPEND and O_NONBLOCK status flags of @f to those of @flags
 * (fcntl F_SETFL); the other bits are kept. Any cluster.
 */
void vfs_file_set_flags(vfs_file_t *f, int flags);

/*
 * Removes the generated mount at @prefix (its directory stays, empty). The
 * caller makes sure no file, cwd or lookup under it is still in use (tests,
 * shutdown). @return 0 or -ENOENT (no such mount).
 */
int vfs_unmount_generated(const char *prefix);

/*
 * Provided by the signal layer (kernel/kern/signal.c): true when a signal
 * that the calling thread does not block is pending for it. The blocking
 * waits of the VFS (pipes, console) check it each time they wake up and
 * then return -ERESTARTSYS, which the return to user mode turns into -EINTR
 * or a restart (signal.h; a pipe write that moved some bytes returns their
 * count); whoever posts such a signal unblocks the thread
 * (THREAD_BLOCKED_SLEEP). False for kernel threads.
 */
bool vfs_interrupted(void);

/* st_mode of @ino (S_IF* | permissions). */
uint32_t vfs_inode_mode(vfs_inode_t *ino);

/* ---- attributes (vfs_attr.c) ----------------------------------------------------- */

/*
 * Resolves @path (relative to @cwd, NULL: the root) to any kind of inode:
 * a referenced inode in *@out. @return 0 or the errors of vfs_open()'s
 * path walk (-ENOENT, -ENOTDIR, -ENAMETOOLONG). Any cluster, no lock held.
 */
int vfs_resolve(vfs_inode_t *cwd, const char *path, vfs_inode_t **out);

/*
 * May the caller do @mask (4 read, 2 write, 1 execute or search, OR-ed) to
 * @ino? Linux's generic_permission() without capabilities but root's (man 7
 * path_resolution, "Permission checking"): the owner, group or other bits
 * of the mode, chosen by the caller's file-system user ID, then its
 * file-system group ID and supplementary groups (cred.h); file-system user
 * ID 0 may do anything but execute a file that has no execute bit. Any
 * cluster, no lock. @return 0 or -EACCES.
 */
int vfs_permission(vfs_inode_t *ino, uint32_t mask);

/*
 * chmod(2): sets the permission bits of @ino to @mode & 07777 (the file
 * type bits are kept). Any cluster, no lock (one atomic store).
 * @return 0. Everyone is root: no permission check (man 2 chmod, EPERM).
 */
int vfs_chmod(vfs_inode_t *ino, uint32_t mode);

/*
 * chown(2): sets the owner of @ino to @uid and its group to @gid, each
 * unchanged when (uint32_t)-1. As Linux does (fs/open.c, chown_common), a
 * change of a non-directory clears its set-user-ID bit, and its set-group-ID
 * bit when the group may execute it. Any cluster, no lock (atomic stores).
 * @return 0.
 */
int vfs_chown(vfs_inode_t *ino, uint32_t uid, uint32_t gid);

/*
 * truncate(2) / ftruncate(2): sets the size of regular file @ino to @size
 * bytes (mapper_resize: shrinking drops the pages past the end and zeroes
 * the tail; growing leaves a hole that reads as zeros). Any cluster; takes
 * the file's mapper lock. @return 0, or -EINVAL (@size < 0, or @ino is not
 * a regular file), -EISDIR (a directory), -EFBIG (beyond 1 GiB).
 */
int vfs_truncate(vfs_inode_t *ino, int64_t size);

/*
 * statfs(2) of the file system holding @ino: Archipel has one RAM file
 * system, reported as a tmpfs (TMPFS_MAGIC) of the machine's pages:
 * f_blocks every page the PPMs of all clusters manage, f_bfree and f_bavail
 * the free ones (summed over the clusters, remote reads), f_files and
 * f_ffree the same figures (inodes are allocated from the same memory),
 * f_namelen NAME_MAX. Any cluster, no lock.
 */
void vfs_statfs(vfs_inode_t *ino, kstatfs_t *st);

#endif
