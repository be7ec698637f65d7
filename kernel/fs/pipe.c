/*
 * pipe.c - pipes: a PIPE_BUF_SIZE-byte ring between open read and write ends.
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
 * condition, so a stale one only costs a loop. A wait ends with -EINTR
 * when the sleeper's process gets a fatal signal (vfs_interrupted), whose
 * sender unblocks it.
 */
#include "vfs_internal.h"
#include "ppm.h"
#include "thread.h"
#include "sched.h"
#include "core.h"
#include "kstring.h"
#include "kerrno.h"

#define PIPE_ORDER 4                     /* 2^4 pages = PIPE_BUF_SIZE bytes */

_Static_assert((PAGE_SIZE << PIPE_ORDER) == PIPE_BUF_SIZE, "pipe ring size");

/* The xptr of the waiter list @root of the pipe of @ino (in the inode's cluster). */
static xptr_t pipe_list(vfs_inode_t *ino, xlist_entry_t *root)
{
    return XPTR(ino->cxy, root);
}

int pipe_init(vfs_inode_t *ino)
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

void pipe_release(vfs_inode_t *ino)
{
    ppm_free_any(ino->pipe.page);
    ino->pipe.page = NULL;
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

void pipe_close_end(vfs_inode_t *ino, bool writer)
{
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

int64_t pipe_read(vfs_inode_t *ino, void *buf, size_t n, bool nonblock)
{
    vfs_pipe_t *p = &ino->pipe;
    uint32_t got, first;

    if (n == 0)
        return 0;
    vfs_qlock(ino->cxy, &p->lock);
    while (p->count == 0) {
        if (p->writers == 0 || nonblock || vfs_interrupted()) {
            vfs_qunlock(ino->cxy, &p->lock);
            return p->writers == 0 ? 0 : nonblock ? -EAGAIN : -EINTR;
        }
        if (vfs_interrupted()) {
            vfs_qunlock(ino->cxy, &p->lock);
            return -EINTR;               /* a signal ends the caller: stop waiting */
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

int64_t pipe_write(vfs_inode_t *ino, const void *buf, size_t n, bool nonblock)
{
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
            rc = -EPIPE;
            break;
        }
        if (space < need) {
            if (nonblock || vfs_interrupted()) {
                rc = nonblock ? -EAGAIN : -EINTR;
                break;
            }
            if (vfs_interrupted()) {
                rc = -EINTR;
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
    return done ? (int64_t)done : rc;
}
