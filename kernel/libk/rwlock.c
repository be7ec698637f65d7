/*
 * rwlock.c - blocking readers-writer locks (see rwlock.h).
 */
#include "rwlock.h"
#include "thread.h"
#include "core.h"

#define FIELD(lock, f) ((lock) + offsetof(remote_rwlock_t, f))


void remote_rwlock_init(xptr_t lock, const char *name, uint32_t rank)
{
    remote_busylock_init(FIELD(lock, guard), "rwlock guard", RANK_UNCHECKED);
    hal_remote_s32(FIELD(lock, readers), 0);
    hal_remote_s32(FIELD(lock, writer), 0);
    hal_remote_s32(FIELD(lock, rank), rank);
    hal_remote_s64(FIELD(lock, name), (uint64_t)name);
    xlist_root_init(FIELD(lock, rd_waiters));
    xlist_root_init(FIELD(lock, wr_waiters));
}

/* Queues the calling thread on @root and blocks; the guard is held on entry. */
static void rwlock_wait(xptr_t lock, xptr_t root)
{
    thread_t *me = thread_current();

    me->wait_granted = 0;
    xlist_add_last(root, XPTR(me->core->cxy, &me->wait_list));
    thread_set_blocked(THREAD_BLOCKED_LOCK);
    me->wchan = (const char *)hal_remote_l64(FIELD(lock, name));  /* hung_task.h */
    remote_busylock_release(FIELD(lock, guard));
    thread_wait_granted();                /* until a releaser admits us */
}

static void rwlock_rd_take(xptr_t lock, uintptr_t site)
{
    remote_rwlock_t *l = GET_PTR(lock);

    lock_rank_acquire(l, l->name, l->rank, false, site);
    remote_busylock_acquire(FIELD(lock, guard));
    if (!hal_remote_l32(FIELD(lock, writer)) && xlist_is_empty(FIELD(lock, wr_waiters))) {
        hal_remote_atomic_add(FIELD(lock, readers), 1);
        remote_busylock_release(FIELD(lock, guard));
        return;
    }
    rwlock_wait(lock, FIELD(lock, rd_waiters));
}

static void rwlock_wr_take(xptr_t lock, uintptr_t site)
{
    remote_rwlock_t *l = GET_PTR(lock);

    lock_rank_acquire(l, l->name, l->rank, false, site);
    remote_busylock_acquire(FIELD(lock, guard));
    if (!hal_remote_l32(FIELD(lock, writer)) && hal_remote_l32(FIELD(lock, readers)) == 0) {
        hal_remote_s32(FIELD(lock, writer), 1);
        remote_busylock_release(FIELD(lock, guard));
        return;
    }
    rwlock_wait(lock, FIELD(lock, wr_waiters));
}

/* With the guard held and the lock free: hands it to the first queued writer, if any. */
static void rwlock_admit_writer(xptr_t lock)
{
    xptr_t first = xlist_first(FIELD(lock, wr_waiters));

    if (first != XPTR_NULL) {
        xlist_unlink(first);
        hal_remote_s32(FIELD(lock, writer), 1);
        thread_grant(XLIST_ELEMENT(first, thread_t, wait_list));
    }
}

/* With the guard held and the lock free: admit all queued readers, else one writer. */
static void rwlock_admit(xptr_t lock)
{
    xptr_t first;

    if (xlist_is_empty(FIELD(lock, rd_waiters))) {
        rwlock_admit_writer(lock);
        return;
    }
    while ((first = xlist_first(FIELD(lock, rd_waiters))) != XPTR_NULL) {
        xlist_unlink(first);
        hal_remote_atomic_add(FIELD(lock, readers), 1);
        thread_grant(XLIST_ELEMENT(first, thread_t, wait_list));
    }
}

static void rwlock_rd_give(xptr_t lock)
{
    lock_rank_release(GET_PTR(lock));
    remote_busylock_acquire(FIELD(lock, guard));
    /* last reader out: a queued writer may go (readers only queue behind writers) */
    if (hal_remote_atomic_add(FIELD(lock, readers), -1) == 1)
        rwlock_admit_writer(lock);
    remote_busylock_release(FIELD(lock, guard));
}

static void rwlock_wr_give(xptr_t lock)
{
    lock_rank_release(GET_PTR(lock));
    remote_busylock_acquire(FIELD(lock, guard));
    hal_remote_s32(FIELD(lock, writer), 0);
    rwlock_admit(lock);
    remote_busylock_release(FIELD(lock, guard));
}

#define SITE ((uintptr_t)__builtin_return_address(0))

void remote_rwlock_rd_acquire(xptr_t lock) { rwlock_rd_take(lock, SITE); }
void remote_rwlock_rd_release(xptr_t lock) { rwlock_rd_give(lock); }
void remote_rwlock_wr_acquire(xptr_t lock) { rwlock_wr_take(lock, SITE); }
void remote_rwlock_wr_release(xptr_t lock) { rwlock_wr_give(lock); }

void rwlock_init(rwlock_t *l, const char *name, uint32_t rank)
{
    remote_rwlock_init(XPTR(cluster_of_ptr((uintptr_t)l), l), name, rank);
}

void rwlock_rd_acquire(rwlock_t *l) { rwlock_rd_take(XPTR(cluster_of_ptr((uintptr_t)l), l), SITE); }
void rwlock_rd_release(rwlock_t *l) { rwlock_rd_give(XPTR(cluster_of_ptr((uintptr_t)l), l)); }
void rwlock_wr_acquire(rwlock_t *l) { rwlock_wr_take(XPTR(cluster_of_ptr((uintptr_t)l), l), SITE); }
void rwlock_wr_release(rwlock_t *l) { rwlock_wr_give(XPTR(cluster_of_ptr((uintptr_t)l), l)); }
