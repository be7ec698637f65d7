/*
 * sys_attr.c - system calls on file attributes (Linux x86_64 ABI; see
 * syscall.h): chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat,
 * umask, truncate, ftruncate, statfs, fstatfs; and pread64 / pwrite64, the
 * positional I/O of regular files.
 *
 * Everyone is root (uid 0) in this kernel, so no call here fails with
 * EPERM; the errors are those of the path or the descriptor (man 2 chmod,
 * man 2 chown, man 2 truncate, man 2 statfs). There are no symbolic links:
 * lchown is chown, AT_SYMLINK_NOFOLLOW changes nothing.
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "process.h"
#include "vfs.h"
#include "fdtable.h"
#include "ppm.h"
#include "hal_user.h"
#include "hal_remote.h"
#include "mapper.h"
#include "vmm.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

/* What to do with the inode a path or a descriptor names: 0 or -errno. */
typedef int64_t (*inode_op_t)(vfs_inode_t *ino, uint64_t x, uint64_t y);

/*
 * Runs @op(inode, @x, @y) on the inode named by @dirfd and the user path
 * @upath (AT_FDCWD: the cwd; an empty path with AT_EMPTY_PATH in @flags:
 * @dirfd itself). @return @op's result, or -EFAULT, -ENAMETOOLONG, -ENOENT,
 * -ENOTDIR, -EBADF, -ENOMEM.
 */
static int64_t at_apply(int64_t dirfd, uint64_t upath, uint64_t flags, inode_op_t op,
                        uint64_t x, uint64_t y)
{
    page_t *pg = ppm_alloc_pages(0);
    vfs_inode_t *dir, *ino;
    char *kpath;
    int64_t rc, n;

    if (pg == NULL)
        return -ENOMEM;
    kpath = ppm_page_to_virt(pg);
    n = hal_strncpy_from_user(kpath, upath, PATH_MAX);
    if (n < 0) {
        rc = n;
        goto out;
    }
    if (n == 0 && !(flags & AT_EMPTY_PATH)) {
        rc = -ENOENT;
        goto out;
    }
    if (kpath[0] == '/' || (int32_t)dirfd == AT_FDCWD) {
        dir = vfs_inode_get((vfs_inode_t *)hal_remote_l64(
                  PROCESS_FIELD(process_current_xp(), cwd)));
    } else {
        vfs_file_t *f = fd_get(process_current_fds(), (int)dirfd);

        if (f == NULL) {
            rc = -EBADF;
            goto out;
        }
        dir = vfs_inode_get(vfs_file_inode(f));
        vfs_file_put(f);
    }
    if (n == 0) {
        rc = op(dir, x, y);              /* AT_EMPTY_PATH: the descriptor's own inode */
        vfs_inode_put(dir);
        goto out;
    }
    rc = vfs_resolve(dir, kpath, &ino);
    vfs_inode_put(dir);
    if (rc == 0) {
        rc = op(ino, x, y);
        vfs_inode_put(ino);
    }
out:
    ppm_free_pages(pg);
    return rc;
}

/* Runs @op on the inode of descriptor @fd: @op's result or -EBADF. */
static int64_t fd_apply(int64_t fd, inode_op_t op, uint64_t x, uint64_t y)
{
    vfs_file_t *f = fd_get(process_current_fds(), (int)fd);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    rc = op(vfs_file_inode(f), x, y);
    vfs_file_put(f);
    return rc;
}

/* ---- chmod, chown ------------------------------------------------------------------ */

static int64_t chmod_op(vfs_inode_t *ino, uint64_t mode, uint64_t unused)
{
    return vfs_chmod(ino, (uint32_t)mode);
}

static int64_t chown_op(vfs_inode_t *ino, uint64_t uid, uint64_t gid)
{
    return vfs_chown(ino, (uint32_t)uid, (uint32_t)gid);
}

static int64_t sys_chmod(ARGS)  { return at_apply(AT_FDCWD, a0, 0, chmod_op, a1, 0); }
static int64_t sys_fchmod(ARGS) { return fd_apply((int32_t)a0, chmod_op, a1, 0); }

/* fchmodat(2): the system call has no flags argument (man 2 fchmodat, NOTES). */
static int64_t sys_fchmodat(ARGS) { return at_apply((int32_t)a0, a1, 0, chmod_op, a2, 0); }

static int64_t sys_chown(ARGS)  { return at_apply(AT_FDCWD, a0, 0, chown_op, a1, a2); }
static int64_t sys_fchown(ARGS) { return fd_apply((int32_t)a0, chown_op, a1, a2); }

static int64_t sys_fchownat(ARGS)
{
    if (a4 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    return at_apply((int32_t)a0, a1, a4, chown_op, a2, a3);
}

/* umask(2): sets the mask to @a0 & 0777 and returns the old one. Never fails. */
static int64_t sys_umask(ARGS)
{
    xptr_t xp = PROCESS_FIELD(process_current_xp(), umask);
    uint32_t old = hal_remote_l32(xp);

    hal_remote_s32(xp, (uint32_t)a0 & 0777);
    return old;
}

/* ---- truncate ------------------------------------------------------------------------ */

static int64_t truncate_op(vfs_inode_t *ino, uint64_t size, uint64_t unused)
{
    return vfs_truncate(ino, (int64_t)size);
}

static int64_t sys_truncate(ARGS)
{
    if ((int64_t)a1 < 0)
        return -EINVAL;
    return at_apply(AT_FDCWD, a0, 0, truncate_op, a1, 0);
}

/* ftruncate(2): -EINVAL unless @fd is open for writing (man 2 ftruncate: EBADF or EINVAL). */
static int64_t sys_ftruncate(ARGS)
{
    vfs_file_t *f = fd_get(process_current_fds(), (int)a0);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    if ((int64_t)a1 < 0 || (vfs_file_flags(f) & O_ACCMODE) == O_RDONLY)
        rc = -EINVAL;
    else
        rc = vfs_truncate(vfs_file_inode(f), (int64_t)a1);
    vfs_file_put(f);
    return rc;
}

/* ---- statfs ------------------------------------------------------------------------ */

static int64_t statfs_op(vfs_inode_t *ino, uint64_t ubuf, uint64_t unused)
{
    kstatfs_t st;

    vfs_statfs(ino, &st);
    return hal_copy_to_user(ubuf, &st, sizeof(st));
}

static int64_t sys_statfs(ARGS)
{
    if (!hal_user_range_ok(a1, sizeof(kstatfs_t)))
        return -EFAULT;
    return at_apply(AT_FDCWD, a0, 0, statfs_op, a1, 0);
}

static int64_t sys_fstatfs(ARGS)
{
    if (!hal_user_range_ok(a1, sizeof(kstatfs_t)))
        return -EFAULT;
    return fd_apply((int32_t)a0, statfs_op, a1, 0);
}

/* ---- pread64, pwrite64 --------------------------------------------------------------- */

/*
 * pread64(2) / pwrite64(2) of @len bytes at byte @off of the regular file
 * @fd, through the file's page cache (mapper.h) and a one-page bounce
 * buffer; the file offset is not used nor moved. @return bytes moved, or
 * -EBADF (bad descriptor, or not open for that), -EISDIR, -ESPIPE (a pipe,
 * the console or another file without a page cache), -EINVAL (@off < 0),
 * -EFAULT, -ENOMEM, -EFBIG.
 */
static int64_t do_prw(int fd, uint64_t ubuf, uint64_t len, int64_t off, bool write)
{
    vfs_file_t *f = fd_get(process_current_fds(), fd);
    uint64_t done = 0;
    int64_t rc = 0;
    mapper_t *m;
    page_t *pg;
    char *kbuf;
    int acc;

    if (f == NULL)
        return -EBADF;
    acc = vfs_file_flags(f) & O_ACCMODE;
    m = vfs_inode_mapper(vfs_file_inode(f));
    if (write ? acc == O_RDONLY : acc == O_WRONLY)
        rc = -EBADF;
    else if ((vfs_inode_mode(vfs_file_inode(f)) & S_IFMT) == S_IFDIR)
        rc = -EISDIR;
    else if (m == NULL)
        rc = -ESPIPE;
    else if (off < 0)
        rc = -EINVAL;
    else if (!vmm_range_accessible(process_current_vmm(), ubuf, len, !write))
        rc = -EFAULT;
    pg = rc == 0 ? ppm_alloc_pages(0) : NULL;
    if (rc == 0 && pg == NULL)
        rc = -ENOMEM;
    if (rc) {
        vfs_file_put(f);
        return rc;
    }
    kbuf = ppm_page_to_virt(pg);
    while (done < len) {
        uint64_t want = len - done < PAGE_SIZE ? len - done : PAGE_SIZE, end;
        int64_t n;

        if (write) {
            if (hal_copy_from_user(kbuf, ubuf + done, want)) {
                rc = -EFAULT;
                break;
            }
            n = mapper_write(m, kbuf, want, (uint64_t)off + done, false, &end);
        } else {
            n = mapper_read(m, kbuf, want, (uint64_t)off + done);
            if (n > 0 && hal_copy_to_user(ubuf + done, kbuf, (size_t)n)) {
                rc = -EFAULT;
                break;
            }
        }
        if (n < 0) {
            rc = n;
            break;
        }
        done += (uint64_t)n;
        if ((uint64_t)n < want)
            break;
    }
    ppm_free_pages(pg);
    vfs_file_put(f);
    return done ? (int64_t)done : rc;
}

static int64_t sys_pread64(ARGS)  { return do_prw((int)a0, a1, a2, (int64_t)a3, false); }
static int64_t sys_pwrite64(ARGS) { return do_prw((int)a0, a1, a2, (int64_t)a3, true); }

void sys_attr_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(pread64);
    SYSCALL_ENTRY(pwrite64);
    SYSCALL_ENTRY(chmod);
    SYSCALL_ENTRY(fchmod);
    SYSCALL_ENTRY(fchmodat);
    SYSCALL_ENTRY(chown);
    SYSCALL_ENTRY(fchown);
    SYSCALL_ENTRY_AS(lchown, chown);     /* no symbolic links */
    SYSCALL_ENTRY(fchownat);
    SYSCALL_ENTRY(umask);
    SYSCALL_ENTRY(truncate);
    SYSCALL_ENTRY(ftruncate);
    SYSCALL_ENTRY(statfs);
    SYSCALL_ENTRY(fstatfs);
}
