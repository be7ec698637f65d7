/*
 * fdtable.c - per-process file descriptor tables (see fdtable.h).
 *
 * Every reference dropped by a close is dropped after the table lock is
 * released: vfs_file_put() may block (a pipe end wakes the other side, an
 * object of another cluster is freed by RPC).
 */
#include "fdtable.h"
#include "vfs_internal.h"
#include "uapi/errno.h"
#include "kstring.h"

static bool fd_valid(int fd)
{
    return fd >= 0 && fd < FD_MAX;
}

static void fd_set_flag_locked(fd_table_t *t, int fd, bool on)
{
    uint64_t bit = 1ull << (fd % 64);

    if (on)
        t->cloexec[fd / 64] |= bit;
    else
        t->cloexec[fd / 64] &= ~bit;
}

void fd_table_init(fd_table_t *t)
{
    memset(t, 0, sizeof(*t));
    t->cxy = vfs_cxy_of(t);
    remote_queuelock_init(XPTR(t->cxy, &t->lock), "fd table", RANK_FD_TABLE);
}

int fd_install(fd_table_t *t, vfs_file_t *f, int minfd, bool cloexec)
{
    int fd;

    if (!fd_valid(minfd))
        return -EINVAL;
    vfs_qlock(t->cxy, &t->lock);
    for (fd = minfd; fd < FD_MAX && t->file[fd]; fd++)
        ;
    if (fd < FD_MAX) {
        t->file[fd] = f;
        fd_set_flag_locked(t, fd, cloexec);
    }
    vfs_qunlock(t->cxy, &t->lock);
    return fd < FD_MAX ? fd : -EMFILE;
}

vfs_file_t *fd_get(fd_table_t *t, int fd)
{
    vfs_file_t *f = NULL;

    if (!fd_valid(fd))
        return NULL;
    vfs_qlock(t->cxy, &t->lock);
    if (t->file[fd])
        f = vfs_file_get(t->file[fd]);
    vfs_qunlock(t->cxy, &t->lock);
    return f;
}

bool fd_get_cloexec(fd_table_t *t, int fd)
{
    bool on = false;

    if (!fd_valid(fd))
        return false;
    vfs_qlock(t->cxy, &t->lock);
    if (t->file[fd])
        on = (t->cloexec[fd / 64] >> (fd % 64)) & 1;
    vfs_qunlock(t->cxy, &t->lock);
    return on;
}

int fd_set_cloexec(fd_table_t *t, int fd, bool on)
{
    int rc = -EBADF;

    if (!fd_valid(fd))
        return -EBADF;
    vfs_qlock(t->cxy, &t->lock);
    if (t->file[fd]) {
        fd_set_flag_locked(t, fd, on);
        rc = 0;
    }
    vfs_qunlock(t->cxy, &t->lock);
    return rc;
}

int fd_close(fd_table_t *t, int fd)
{
    vfs_file_t *f;

    if (!fd_valid(fd))
        return -EBADF;
    vfs_qlock(t->cxy, &t->lock);
    f = t->file[fd];
    t->file[fd] = NULL;
    fd_set_flag_locked(t, fd, false);
    vfs_qunlock(t->cxy, &t->lock);
    if (f == NULL)
        return -EBADF;
    vfs_file_put(f);
    return 0;
}

int fd_dup3(fd_table_t *t, int oldfd, int newfd, bool cloexec)
{
    vfs_file_t *old = NULL;
    int rc = newfd;

    if (!fd_valid(oldfd))
        return -EBADF;
    if (!fd_valid(newfd))
        return -EINVAL;
    vfs_qlock(t->cxy, &t->lock);
    if (t->file[oldfd] == NULL) {
        rc = -EBADF;
    } else if (oldfd != newfd) {
        old = t->file[newfd];
        t->file[newfd] = vfs_file_get(t->file[oldfd]);
        fd_set_flag_locked(t, newfd, cloexec);
    }
    vfs_qunlock(t->cxy, &t->lock);
    if (old)
        vfs_file_put(old);
    return rc;
}

int fd_table_copy(fd_table_t *dst, const fd_table_t *src)
{
    fd_table_t *s = (fd_table_t *)src;      /* only its lock is written */

    fd_table_init(dst);
    vfs_qlock(s->cxy, &s->lock);
    for (int fd = 0; fd < FD_MAX; fd++)
        if (s->file[fd])
            dst->file[fd] = vfs_file_get(s->file[fd]);
    memcpy(dst->cloexec, s->cloexec, sizeof(dst->cloexec));
    vfs_qunlock(s->cxy, &s->lock);
    return 0;
}

/* Closes every descriptor, or only the close-on-exec ones when @exec_only. */
static void fd_table_close_some(fd_table_t *t, bool exec_only)
{
    for (int fd = 0; fd < FD_MAX; fd++) {
        vfs_file_t *f = NULL;

        vfs_qlock(t->cxy, &t->lock);
        if (t->file[fd] && (!exec_only || ((t->cloexec[fd / 64] >> (fd % 64)) & 1))) {
            f = t->file[fd];
            t->file[fd] = NULL;
            fd_set_flag_locked(t, fd, false);
        }
        vfs_qunlock(t->cxy, &t->lock);
        if (f)
            vfs_file_put(f);
    }
}

void fd_table_close_on_exec(fd_table_t *t)
{
    fd_table_close_some(t, true);
}

void fd_table_close_all(fd_table_t *t)
{
    fd_table_close_some(t, false);
}
