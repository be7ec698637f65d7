/*
 * sys_fs.c - file system calls (Linux x86_64 ABI; see syscall.h).
 *
 * User buffers are moved through a one-page kernel bounce buffer, so the
 * VFS never touches user memory and no VFS lock is held across a user
 * page fault. A buffer is checked against the VSL before data that could
 * not be given back (pipe, console) is consumed.
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "pgrp.h"
#include "process.h"
#include "thread.h"
#include "vfs.h"
#include "fdtable.h"
#include "ppm.h"
#include "hal_user.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"
#include "uapi/termios.h"
#include "uapi/uio.h"
#include "uapi/poll.h"
#include "kmem.h"
#include "boot_info.h"
#include "cpu.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

#define CHUNK   PAGE_SIZE

static xptr_t cwd_xp(void) { return PROCESS_FIELD(process_current_xp(), cwd); }
static vfs_inode_t *cwd(void) { return (vfs_inode_t *)hal_remote_l64(cwd_xp()); }
static fd_table_t *fds(void) { return process_current_fds(); }
/* The file mode creation mask of the caller (umask(2)): applied to O_CREAT and mkdir modes. */
static uint32_t umask_now(void) { return hal_remote_l32(PROCESS_FIELD(process_current_xp(), umask)); }

/* A bounce page, from the local cluster. */
static char *bounce_get(page_t **pg)
{
    *pg = ppm_alloc_pages(0);
    return *pg ? ppm_page_to_virt(*pg) : NULL;
}

/* ---- read / write ------------------------------------------------------------------ */

static int64_t do_read(vfs_file_t *f, uint64_t ubuf, uint64_t len)
{
    bool stream = vfs_file_is_pipe(f) || vfs_file_is_tty(f);
    uint64_t done = 0;
    page_t *pg;
    char *kbuf;

    if (len == 0)
        return 0;
    if (!vmm_range_accessible(process_current_vmm(), ubuf, len, true))
        return -EFAULT;
    kbuf = bounce_get(&pg);
    if (kbuf == NULL)
        return -ENOMEM;
    while (done < len) {
        uint64_t want = len - done < CHUNK ? len - done : CHUNK;
        int64_t n = vfs_read(f, kbuf, want);

        if (n < 0) {
            if (done == 0)
                done = (uint64_t)n;
            break;
        }
        if (n > 0 && hal_copy_to_user(ubuf + done, kbuf, (size_t)n)) {
            done = done ? done : (uint64_t)-EFAULT;
            break;
        }
        done += (uint64_t)n;
        if ((uint64_t)n < want || stream)
            break;
    }
    ppm_free_pages(pg);
    return (int64_t)done;
}

static int64_t do_write(vfs_file_t *f, uint64_t ubuf, uint64_t len)
{
    uint64_t done = 0;
    page_t *pg;
    char *kbuf;

    if (len == 0)
        return 0;
    if (!hal_user_range_ok(ubuf, len))
        return -EFAULT;
    kbuf = bounce_get(&pg);
    if (kbuf == NULL)
        return -ENOMEM;
    while (done < len) {
        uint64_t want = len - done < CHUNK ? len - done : CHUNK;
        int64_t n;

        if (hal_copy_from_user(kbuf, ubuf + done, want)) {
            done = done ? done : (uint64_t)-EFAULT;
            break;
        }
        n = vfs_write(f, kbuf, want);
        if (n < 0) {
            if (n == -EPIPE)
                process_kill(process_current_pid(), SIGPIPE); /* default action: ends the writer */
            done = done ? done : (uint64_t)n;
            break;
        }
        done += (uint64_t)n;
        if ((uint64_t)n < want)
            break;
    }
    ppm_free_pages(pg);
    return (int64_t)done;
}

/* read(2) / write(2) on descriptor @fd. */
static int64_t do_rw_fd(uint64_t fd, uint64_t ubuf, uint64_t len, bool write)
{
    vfs_file_t *f = fd_get(fds(), (int)fd);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    rc = write ? do_write(f, ubuf, len) : do_read(f, ubuf, len);
    vfs_file_put(f);
    return rc;
}

static int64_t sys_read(ARGS)  { return do_rw_fd(a0, a1, a2, false); }
static int64_t sys_write(ARGS) { return do_rw_fd(a0, a1, a2, true); }

static int64_t do_iov(uint64_t fd, uint64_t uiov, uint64_t cnt, bool write)
{
    kiovec_t iov[16];
    vfs_file_t *f;
    int64_t total = 0;

    if (cnt > UIO_MAXIOV)
        return -EINVAL;
    f = fd_get(fds(), (int)fd);
    if (f == NULL)
        return -EBADF;
    for (uint64_t i = 0; i < cnt; i += 16) {
        uint64_t n = cnt - i < 16 ? cnt - i : 16;

        if (hal_copy_from_user(iov, uiov + i * sizeof(iov[0]), n * sizeof(iov[0]))) {
            total = total ? total : -EFAULT;
            goto out;
        }
        for (uint64_t k = 0; k < n; k++) {
            int64_t r;

            if (iov[k].iov_len == 0)
                continue;
            r = write ? do_write(f, iov[k].iov_base, iov[k].iov_len) :
                        do_read(f, iov[k].iov_base, iov[k].iov_len);
            if (r < 0) {
                total = total ? total : r;
                goto out;
            }
            total += r;
            if ((uint64_t)r < iov[k].iov_len)
                goto out;
        }
    }
out:
    vfs_file_put(f);
    return total;
}

static int64_t sys_readv(ARGS)  { return do_iov(a0, a1, a2, false); }
static int64_t sys_writev(ARGS) { return do_iov(a0, a1, a2, true); }

/* ---- paths ------------------------------------------------------------------------- */

/*
 * Copies user path @upath into @kpath and finds the directory it is
 * relative to (@dirfd, or the cwd for AT_FDCWD). *@dir is referenced.
 */
static int path_get(int64_t dirfd, uint64_t upath, char *kpath, vfs_inode_t **dir, bool empty_ok)
{
    int64_t n = hal_strncpy_from_user(kpath, upath, PATH_MAX);

    if (n < 0)
        return (int)n;
    if (n == 0 && !empty_ok)
        return -ENOENT;
    if (kpath[0] == '/' || (int32_t)dirfd == AT_FDCWD) {
        *dir = vfs_inode_get(cwd());
        return 0;
    }
    vfs_file_t *f = fd_get(fds(), (int)dirfd);
    if (f == NULL)
        return -EBADF;
    *dir = vfs_inode_get(vfs_file_inode(f));
    vfs_file_put(f);
    return 0;
}

/* A kernel buffer for a path: one page. */
#define WITH_PATH(pg, kpath) page_t *pg; char *kpath = bounce_get(&pg); if (kpath == NULL) return -ENOMEM

static int64_t do_openat(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
    WITH_PATH(pg, kpath);
    vfs_inode_t *dir = NULL;
    vfs_file_t *f;
    int64_t rc = path_get(dirfd, upath, kpath, &dir, false);

    if (rc == 0) {
        rc = vfs_open(dir, kpath, (int)flags, (uint32_t)mode & ~umask_now(), &f);
        vfs_inode_put(dir);
        if (rc == 0) {
            rc = fd_install(fds(), f, 0, flags & O_CLOEXEC);
            if (rc < 0)
                vfs_file_put(f);
        }
    }
    ppm_free_pages(pg);
    return rc;
}

static int64_t sys_open(ARGS)   { return do_openat(AT_FDCWD, a0, a1, a2); }
static int64_t sys_openat(ARGS) { return do_openat((int32_t)a0, a1, a2, a3); }

static int64_t sys_close(ARGS) { return fd_close(fds(), (int)a0); }

static int64_t sys_lseek(ARGS)
{
    vfs_file_t *f = fd_get(fds(), (int)a0);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    rc = vfs_lseek(f, (int64_t)a1, (int)a2);
    vfs_file_put(f);
    return rc;
}

static int64_t sys_fstat(ARGS)
{
    vfs_file_t *f;
    kstat_t st;
    int64_t rc;

    if (!hal_user_range_ok(a1, sizeof(st)))
        return -EFAULT;
    f = fd_get(fds(), (int)a0);
    if (f == NULL)
        return -EBADF;
    rc = vfs_fstat(f, &st);
    vfs_file_put(f);
    if (rc == 0)
        rc = hal_copy_to_user(a1, &st, sizeof(st));
    return rc;
}

static int64_t do_fstatat(int64_t dirfd, uint64_t upath, uint64_t ustat, uint64_t flags)
{
    kstat_t st;
    vfs_inode_t *dir = NULL;
    int64_t rc;

    if (!hal_user_range_ok(ustat, sizeof(st)))
        return -EFAULT;
    WITH_PATH(pg, kpath);
    rc = path_get(dirfd, upath, kpath, &dir, flags & AT_EMPTY_PATH);
    if (rc == 0) {
        if (kpath[0] == '\0') {
            vfs_inode_put(dir);
            ppm_free_pages(pg);
            return sys_fstat((uint64_t)dirfd, ustat, 0, 0, 0, 0);
        }
        rc = vfs_stat(dir, kpath, &st);
        vfs_inode_put(dir);
        if (rc == 0)
            rc = hal_copy_to_user(ustat, &st, sizeof(st));
    }
    ppm_free_pages(pg);
    return rc;
}

static int64_t sys_stat(ARGS)       { return do_fstatat(AT_FDCWD, a0, a1, 0); }
static int64_t sys_newfstatat(ARGS) { return do_fstatat((int32_t)a0, a1, a2, a3); }

/* A namespace operation on the path @path relative to @dir: 0 or -errno. */
typedef int64_t (*path_op_t)(vfs_inode_t *dir, const char *path, uint64_t arg);

/*
 * Copies the user path @upath in, finds where it starts (@dirfd, AT_FDCWD
 * or a directory descriptor) and runs @op(dir, path, @arg) on it.
 * @return what @op returns, or the path's error (path_get: -EFAULT,
 * -ENAMETOOLONG, -ENOENT for an empty path, -EBADF), -ENOMEM without a page
 * for it.
 */
static int64_t path_apply(int64_t dirfd, uint64_t upath, path_op_t op, uint64_t arg)
{
    vfs_inode_t *dir = NULL;
    int64_t rc;

    WITH_PATH(pg, kpath);
    rc = path_get(dirfd, upath, kpath, &dir, false);
    if (rc == 0) {
        rc = op(dir, kpath, arg);
        vfs_inode_put(dir);
    }
    ppm_free_pages(pg);
    return rc;
}

/* access(2) / faccessat(2): everyone is root, so existence is the whole answer. */
static int64_t access_op(vfs_inode_t *dir, const char *path, uint64_t unused)
{
    kstat_t st;

    (void)unused;
    return vfs_stat(dir, path, &st);
}

static int64_t mkdir_op(vfs_inode_t *dir, const char *path, uint64_t mode)
{
    return vfs_mkdir(dir, path, (uint32_t)mode & ~umask_now());
}

static int64_t unlink_op(vfs_inode_t *dir, const char *path, uint64_t flags)
{
    return vfs_unlink(dir, path, (int)flags);
}

static int64_t sys_access(ARGS)    { return path_apply(AT_FDCWD, a0, access_op, 0); }
static int64_t sys_faccessat(ARGS) { return path_apply((int32_t)a0, a1, access_op, 0); }
static int64_t sys_mkdir(ARGS)     { return path_apply(AT_FDCWD, a0, mkdir_op, a1); }
static int64_t sys_mkdirat(ARGS)   { return path_apply((int32_t)a0, a1, mkdir_op, a2); }

static int64_t do_unlinkat(int64_t dirfd, uint64_t upath, uint64_t flags)
{
    if (flags & ~(uint64_t)AT_REMOVEDIR)
        return -EINVAL;
    return path_apply(dirfd, upath, unlink_op, flags);
}

static int64_t sys_unlink(ARGS)   { return do_unlinkat(AT_FDCWD, a0, 0); }
static int64_t sys_rmdir(ARGS)    { return do_unlinkat(AT_FDCWD, a0, AT_REMOVEDIR); }
static int64_t sys_unlinkat(ARGS) { return do_unlinkat((int32_t)a0, a1, a2); }

static int64_t sys_chdir(ARGS)
{
    vfs_inode_t *dir = NULL, *target;
    int64_t rc;

    WITH_PATH(pg, kpath);
    rc = path_get(AT_FDCWD, a0, kpath, &dir, false);
    if (rc == 0) {
        rc = vfs_lookup_dir(dir, kpath, &target);
        vfs_inode_put(dir);
        if (rc == 0) {
            vfs_inode_t *old = cwd();

            hal_remote_s64(cwd_xp(), (uint64_t)target);
            vfs_inode_put(old);
        }
    }
    ppm_free_pages(pg);
    return rc;
}

static int64_t sys_getcwd(ARGS)
{
    page_t *pg;
    char *kbuf;
    int64_t n;

    if (!hal_user_range_ok(a0, a1))
        return -EFAULT;
    kbuf = bounce_get(&pg);
    if (kbuf == NULL)
        return -ENOMEM;
    n = vfs_getcwd(cwd(), kbuf, a1 < PAGE_SIZE ? a1 : PAGE_SIZE);
    if (n > 0 && hal_copy_to_user(a0, kbuf, (size_t)n))
        n = -EFAULT;
    ppm_free_pages(pg);
    return n;
}

static int64_t sys_getdents64(ARGS)
{
    vfs_file_t *f;
    page_t *pg;
    char *kbuf;
    int64_t n;

    if (!hal_user_range_ok(a1, a2))
        return -EFAULT;
    f = fd_get(fds(), (int)a0);
    if (f == NULL)
        return -EBADF;
    kbuf = bounce_get(&pg);
    if (kbuf == NULL) {
        vfs_file_put(f);
        return -ENOMEM;
    }
    if (!vmm_range_accessible(process_current_vmm(), a1, a2 < PAGE_SIZE ? a2 : PAGE_SIZE, true))
        n = -EFAULT;
    else
        n = vfs_getdents64(f, kbuf, a2 < PAGE_SIZE ? a2 : PAGE_SIZE);
    if (n > 0 && hal_copy_to_user(a1, kbuf, (size_t)n))
        n = -EFAULT;
    ppm_free_pages(pg);
    vfs_file_put(f);
    return n;
}

/* ---- descriptors ------------------------------------------------------------------- */

static int64_t do_pipe2(uint64_t ufds, uint64_t flags)
{
    vfs_file_t *rd, *wr;
    int32_t fdpair[2];
    int64_t rc;

    if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    if (!vmm_range_accessible(process_current_vmm(), ufds, sizeof(fdpair), true))
        return -EFAULT;
    rc = vfs_pipe(&rd, &wr, (int)flags);
    if (rc)
        return rc;
    rc = fd_install(fds(), rd, 0, flags & O_CLOEXEC);
    if (rc < 0) {
        vfs_file_put(rd);
        vfs_file_put(wr);
        return rc;
    }
    fdpair[0] = (int32_t)rc;
    rc = fd_install(fds(), wr, 0, flags & O_CLOEXEC);
    if (rc < 0) {
        fd_close(fds(), fdpair[0]);
        vfs_file_put(wr);
        return rc;
    }
    fdpair[1] = (int32_t)rc;
    if (hal_copy_to_user(ufds, fdpair, sizeof(fdpair))) {
        fd_close(fds(), fdpair[0]);
        fd_close(fds(), fdpair[1]);
        return -EFAULT;
    }
    return 0;
}

static int64_t sys_pipe(ARGS)  { return do_pipe2(a0, 0); }
static int64_t sys_pipe2(ARGS) { return do_pipe2(a0, a1); }

static int64_t sys_dup(ARGS)
{
    vfs_file_t *f = fd_get(fds(), (int)a0);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    rc = fd_install(fds(), f, 0, false);
    if (rc < 0)
        vfs_file_put(f);
    return rc;
}

static int64_t sys_dup2(ARGS)
{
    if ((int32_t)a1 < 0 || (int32_t)a1 >= FD_MAX)
        return -EBADF;                   /* Linux: dup2(2) ERRORS */
    return fd_dup3(fds(), (int)a0, (int)a1, false);
}

static int64_t sys_dup3(ARGS)
{
    if ((int)a0 == (int)a1)
        return -EINVAL;
    if (a2 & ~(uint64_t)O_CLOEXEC)
        return -EINVAL;
    if ((int32_t)a1 < 0 || (int32_t)a1 >= FD_MAX)
        return -EBADF;
    return fd_dup3(fds(), (int)a0, (int)a1, a2 & O_CLOEXEC);
}

static int64_t sys_fcntl(ARGS)
{
    vfs_file_t *f;
    int64_t rc;

    switch (a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int64_t)a2 < 0 || a2 >= FD_MAX)
            return -EINVAL;
        f = fd_get(fds(), (int)a0);
        if (f == NULL)
            return -EBADF;
        rc = fd_install(fds(), f, (int)a2, a1 == F_DUPFD_CLOEXEC);
        if (rc < 0)
            vfs_file_put(f);
        return rc;
    case F_SETFD:
        return fd_set_cloexec(fds(), (int)a0, a2 & FD_CLOEXEC);
    case F_GETFD:
    case F_GETFL:
    case F_SETFL:                        /* O_APPEND / O_NONBLOCK changes are not supported: kept */
        f = fd_get(fds(), (int)a0);
        if (f == NULL)
            return -EBADF;
        rc = a1 == F_GETFL ? vfs_file_flags(f) :
             a1 == F_GETFD ? (fd_get_cloexec(fds(), (int)a0) ? FD_CLOEXEC : 0) : 0;
        vfs_file_put(f);
        return rc;
    default:
        return -EINVAL;
    }
}

static int64_t sys_ioctl(ARGS)
{
    vfs_file_t *f = fd_get(fds(), (int)a0);
    int64_t rc;

    if (f == NULL)
        return -EBADF;
    rc = vfs_file_is_tty(f) ? console_ioctl(f, a1, a2) : -ENOTTY;
    vfs_file_put(f);
    return rc;
}

/* ---- poll ------------------------------------------------------------------------ */

#define POLL_PERIOD_MS 10                /* re-check of pipes while the console sleeps */

static bool poll_interrupted(const void *arg)
{
    (void)arg;
    return vfs_interrupted();
}

/*
 * poll(2): waits until one of @a1 pollfds at @a0 is ready, @a2 ms pass (-1:
 * forever) or a signal comes (-EINTR, never restarted, as Linux's poll after
 * a handler). A console in the set wakes the caller at once; other files are
 * re-checked every POLL_PERIOD_MS.
 */
static int64_t sys_poll(ARGS)
{
    uint64_t nfds = a1, deadline, bytes = a1 * sizeof(kpollfd_t);
    int64_t timeout = (int32_t)a2, ready = 0;
    kpollfd_t *pfd;

    if (nfds > FD_MAX)
        return -EINVAL;
    pfd = nfds ? kmem_alloc(bytes) : NULL;
    if (nfds && pfd == NULL)
        return -ENOMEM;
    if (nfds && hal_copy_from_user(pfd, a0, bytes)) {
        kmem_free(pfd);
        return -EFAULT;
    }
    deadline = timeout < 0 ? UINT64_MAX : rdtsc() + tsc_from_ms((uint64_t)timeout);
    for (;;) {
        bool tty = false, others = false;

        ready = 0;
        for (uint64_t i = 0; i < nfds; i++) {
            vfs_file_t *f = pfd[i].fd < 0 ? NULL : fd_get(fds(), pfd[i].fd);
            uint32_t mask;

            pfd[i].revents = 0;
            if (pfd[i].fd < 0)
                continue;
            if (f == NULL) {
                mask = POLLNVAL;
            } else {
                mask = vfs_poll(f) & ((uint16_t)pfd[i].events | POLLERR | POLLHUP);
                if (vfs_file_is_tty(f))
                    tty = true;
                else
                    others = true;
                vfs_file_put(f);
            }
            pfd[i].revents = (int16_t)mask;
            ready += mask != 0;
        }
        if (ready || rdtsc() >= deadline)
            break;
        if (vfs_interrupted()) {
            ready = -EINTR;
            break;
        }
        uint64_t step = deadline;

        if (others || !tty) {
            uint64_t period = rdtsc() + tsc_from_ms(POLL_PERIOD_MS);
            if (others && period < step)
                step = period;
        }
        if (tty)
            console_wait_input(step);
        else
            thread_sleep_until(step, poll_interrupted, NULL);
    }
    if (ready >= 0 && nfds && hal_copy_to_user(a0, pfd, bytes))
        ready = -EFAULT;
    kmem_free(pfd);
    return ready;
}

void sys_fs_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(read);
    SYSCALL_ENTRY(write);
    SYSCALL_ENTRY(open);
    SYSCALL_ENTRY(close);
    SYSCALL_ENTRY(stat);
    SYSCALL_ENTRY(fstat);
    SYSCALL_ENTRY_AS(lstat, stat);       /* no symbolic links */
    SYSCALL_ENTRY(lseek);
    SYSCALL_ENTRY(ioctl);
    SYSCALL_ENTRY(poll);
    SYSCALL_ENTRY(readv);
    SYSCALL_ENTRY(writev);
    SYSCALL_ENTRY(access);
    SYSCALL_ENTRY(pipe);
    SYSCALL_ENTRY(dup);
    SYSCALL_ENTRY(dup2);
    SYSCALL_ENTRY(fcntl);
    SYSCALL_ENTRY(getcwd);
    SYSCALL_ENTRY(chdir);
    SYSCALL_ENTRY(mkdir);
    SYSCALL_ENTRY(rmdir);
    SYSCALL_ENTRY(unlink);
    SYSCALL_ENTRY(getdents64);
    SYSCALL_ENTRY(openat);
    SYSCALL_ENTRY(mkdirat);
    SYSCALL_ENTRY(newfstatat);
    SYSCALL_ENTRY(unlinkat);
    SYSCALL_ENTRY(faccessat);
    SYSCALL_ENTRY(dup3);
    SYSCALL_ENTRY(pipe2);
}
