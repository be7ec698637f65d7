/*
 * pipe.c - pipes: a PIPE_BUF_SIZE-byte ring between open read and write ends
 * (vfs_pipe, and the pipe's operations tables).
 *
 * The ring is 16 contiguous pages of the creator's cluster. Every field is
 * guarded by the pipe's queuelock (RANK_VFS_PIPE). A thread that must wait
 * (nothing to read, no room to write) puts a vfs_waiter_t from its own stack
 * on the pipe's reader or writer list, marks itself blocked
 * (THREAD_BLOCKED_SLEEP), releases the lock and yields; whoever changes the
 * state the waiters wait for (bytes in, bytes out, an end closed) unlinks
 * every waiter of the other side and unblocks it with thread_unblock(),
 * which works for a thread of any cluster. The blocked bit is set before
 * the lock is released, so a wake-up is never lost; every wait re-checks its
 * condition, so a stale one only costs a loop. A wait ends with
 * -ERESTARTSYS when a signal the sleeper does not block is pending
 * (vfs_interrupted), whose sender unblocks it. A write with no reader left
 * gets -EPIPE and sends SIGPIPE to the writer (man 7 pipe).
 */
#include "vfs_internal.h"
#include "ppm.h"
#include "thread.h"
#include "signal.h"
#include "sched.h"
#include "core.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/poll.h"

#define PIPE_ORDER 4                     /* 2^4 pages = PIPE_BUF_SIZE bytes */

_Static_assert((PAGE_SIZE << PIPE_ORDER) == PIPE_BUF_SIZE, "pipe ring size");

/* The xptr of the waiter list @root of the pipe of @ino (in the inode's cluster). */
static xptr_t pipe_list(vfs_inode_t *ino, xlist_entry_t *root)
{
    return XPTR(ino->cxy, root);
}

/* Allocates the ring of the new pipe inode @ino. @return 0 or -ENOMEM. */
static int pipe_init(vfs_inode_t *ino)
{
    vfs_pipe_t *p = &ino->pipe;

    p->page = ppm_alloc_pages(PIPE_ORDER);
    if (p->page == NULL)
        return -ENOMEM;
    p->buf = ppm_page_to_virt(p->page);
    remote_queuelock_init(XPTR(ino->cxy, &p->lock), "pipe", RANK_VFS_PIPE);
    xlist_root_init(pipe_list(ino, &p->rd_waiters));
    xlist_root_init(pipe_list(ino, &p->wr_waiters));
    p->head = p->count = 0;
    p->readers = p->writers = 0;
    return 0;
}

/* Frees the ring (the inode's last reference is gone, or pipe_init() failed). */
static vfs_inode_t *pipe_destroy(vfs_inode_t *ino)
{
    if (ino->pipe.page)
        ppm_free_any(ino->pipe.page);
    ino->pipe.page = NULL;
    return NULL;
}

/* Wakes every thread waiting on @root. Pipe lock held. */
static void pipe_wake_locked(vfs_inode_t *ino, xlist_entry_t *root)
{
    xptr_t list = pipe_list(ino, root), it;

    while ((it = xlist_first(list)) != XPTR_NULL) {
        xptr_t w = XLIST_ELEMENT(it, vfs_waiter_t, link);
        xptr_t thread = hal_remote_lxp(w + offsetof(vfs_waiter_t, thread));

        xlist_unlink(it);
        thread_unblock(thread, THREAD_BLOCKED_SLEEP);
    }
}

/*
 * Sleeps on @root until a pipe_wake_locked() (or a stale wake-up). Pipe
 * lock held on entry and on return; released while asleep.
 */
static void pipe_sleep_locked(vfs_inode_t *ino, xlist_entry_t *root)
{
    vfs_pipe_t *p = &ino->pipe;
    vfs_waiter_t w;
    xptr_t wx = XPTR(local_cxy(), &w.link);

    w.thread = XPTR(local_cxy(), thread_current());
    xlist_add_last(pipe_list(ino, root), wx);
    thread_set_blocked(THREAD_BLOCKED_SLEEP);
    vfs_qunlock(ino->cxy, &p->lock);
    sched_yield();
    vfs_qlock(ino->cxy, &p->lock);
    if (__atomic_load_n(&w.link.next, __ATOMIC_ACQUIRE) != XPTR_NULL)
        xlist_unlink(wx);                /* woken by something else: leave the list */
}

/* The last reference on open end @f goes: the other side may now see end of file or -EPIPE. */
static void pipe_release(vfs_file_t *f)
{
    vfs_inode_t *ino = f->inode;
    bool writer = (f->flags & O_ACCMODE) == O_WRONLY;
    vfs_pipe_t *p = &ino->pipe;

    vfs_qlock(ino->cxy, &p->lock);
    if (writer) {
        p->writers--;
        pipe_wake_locked(ino, &p->rd_waiters);        /* they may now see end of file */
    } else {
        p->readers--;
        pipe_wake_locked(ino, &p->wr_waiters);        /* they may now get -EPIPE */
    }
    vfs_qunlock(ino->cxy, &p->lock);
}

static int64_t pipe_read(vfs_file_t *f, void *buf, size_t n)
{
    vfs_inode_t *ino = f->inode;
    bool nonblock = vfs_file_flags(f) & O_NONBLOCK;
    vfs_pipe_t *p = &ino->pipe;
    uint32_t got, first;

    if (n == 0)
        return 0;
    vfs_qlock(ino->cxy, &p->lock);
    while (p->count == 0) {
        if (p->writers == 0 || nonblock || vfs_interrupted()) {
            vfs_qunlock(ino->cxy, &p->lock);
            return p->writers == 0 ? 0 : nonblock ? -EAGAIN : -ERESTARTSYS;
        }
        if (vfs_interrupted()) {
            vfs_qunlock(ino->cxy, &p->lock);
            return -ERESTARTSYS;         /* a signal: -EINTR or a restart (signal.h) */
        }
        pipe_sleep_locked(ino, &p->rd_waiters);
    }
    got = n < p->count ? (uint32_t)n : p->count;
    first = PIPE_BUF_SIZE - p->head;
    if (first > got)
        first = got;
    memcpy(buf, p->buf + p->head, first);
    memcpy((char *)buf + first, p->buf, got - first);
    p->head = (p->head + got) % PIPE_BUF_SIZE;
    p->count -= got;
    pipe_wake_locked(ino, &p->wr_waiters);
    vfs_qunlock(ino->cxy, &p->lock);
    return got;
}

static int64_t pipe_write(vfs_file_t *f, const void *buf, size_t n)
{
    vfs_inode_t *ino = f->inode;
    bool nonblock = vfs_file_flags(f) & O_NONBLOCK;
    vfs_pipe_t *p = &ino->pipe;
    size_t done = 0;
    int64_t rc = 0;

    if (n == 0)
        return 0;
    vfs_qlock(ino->cxy, &p->lock);
    while (done < n) {
        uint32_t space = PIPE_BUF_SIZE - p->count, tail, chunk, first;
        /* up to PIPE_BUF bytes go in at once (POSIX atomicity), larger writes piecemeal */
        size_t need = (done == 0 && n <= PIPE_BUF) ? n : 1;

        if (p->readers == 0) {
            rc = -EPIPE;                 /* and SIGPIPE, sent below (man 7 pipe) */
            break;
        }
        if (space < need) {
            if (nonblock || vfs_interrupted()) {
                rc = nonblock ? -EAGAIN : -ERESTARTSYS;
                break;
            }
            if (vfs_interrupted()) {
                rc = -ERESTARTSYS;
                break;
            }
            pipe_sleep_locked(ino, &p->wr_waiters);
            continue;
        }
        chunk = n - done < space ? (uint32_t)(n - done) : space;
        tail = (p->head + p->count) % PIPE_BUF_SIZE;
        first = PIPE_BUF_SIZE - tail;
        if (first > chunk)
            first = chunk;
        memcpy(p->buf + tail, (const char *)buf + done, first);
        memcpy(p->buf, (const char *)buf + done + first, chunk - first);
        p->count += chunk;
        done += chunk;
        pipe_wake_locked(ino, &p->rd_waiters);
    }
    vfs_qunlock(ino->cxy, &p->lock);
    if (rc == -EPIPE)
        signal_send_self(SIGPIPE);       /* Linux's pipe_write: even after a partial write */
    return done ? (int64_t)done : rc;
}

/* A pipe's st_nlink is 1 (it has no name, but Linux says 1). */
static void pipe_getattr(vfs_inode_t *ino, kstat_t *st)
{
    (void)ino;
    st->st_nlink = 1;
}

/* No named pipes (no mknod): a pipe is never opened by path. */
static int pipe_may_open(vfs_inode_t *ino, int flags)
{
    (void)ino;
    (void)flags;
    return -ENOENT;
}

static const vfs_inode_ops_t pipe_iops = {
    .may_open = pipe_may_open,
    .getattr  = pipe_getattr,
    .destroy  = pipe_destroy,
};

/* poll(2) of an end (pipe_poll in Linux's fs/pipe.c). */
static uint32_t pipe_poll(vfs_file_t *f)
{
    vfs_inode_t *ino = f->inode;
    vfs_pipe_t *p = &ino->pipe;
    uint32_t mask = 0;

    vfs_qlock(ino->cxy, &p->lock);
    if ((f->flags & O_ACCMODE) != O_WRONLY) {
        if (p->count)
            mask |= POLLIN;
        if (p->writers == 0)
            mask |= POLLHUP;
    } else {
        if (p->count < PIPE_BUF_SIZE)
            mask |= POLLOUT;
        if (p->readers == 0)
            mask |= POLLERR;
    }
    vfs_qunlock(ino->cxy, &p->lock);
    return mask;
}

const vfs_file_ops_t pipe_fops = {
    .read     = pipe_read,
    .write    = pipe_write,
    .release  = pipe_release,
    .poll     = pipe_poll,
};

int vfs_pipe(vfs_file_t **rd, vfs_file_t **wr, int flags)
{
    int nb = flags & O_NONBLOCK, rc;
    vfs_inode_t *ino = vfs_inode_alloc(&pipe_iops, &pipe_fops, S_IFIFO | 0600);

    if (ino == NULL)
        return -ENOMEM;
    if (pipe_init(ino) < 0) {
        vfs_inode_free(ino);
        return -ENOMEM;
    }
    ino->pipe.readers = ino->pipe.writers = 1;
    rc = vfs_file_new(vfs_inode_get(ino), O_RDONLY | nb, rd);
    if (rc) {
        ino->pipe.readers = 0;
        vfs_inode_put(ino);
        return rc;
    }
    rc = vfs_file_new(ino, O_WRONLY | nb, wr);     /* consumes our reference */
    if (rc) {
        ino->pipe.writers = 0;
        vfs_file_put(*rd);
        return rc;
    }
    return 0;
}
