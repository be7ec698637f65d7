/*
 * queuelock.c - blocking locks (see queuelock.h).
 */
#include "queuelock.h"
#include "thread.h"
#include "core.h"

#define FIELD(lock, f) ((lock) + offsetof(remote_queuelock_t, f))


void remote_queuelock_init(xptr_t lock, const char *name, uint32_t rank)
{
    remote_busylock_init(FIELD(lock, guard), "queuelock guard", RANK_UNCHECKED);
    hal_remote_s32(FIELD(lock, taken), 0);
    hal_remote_s32(FIELD(lock, rank), rank);
    hal_remote_s64(FIELD(lock, name), (uint64_t)name);
    xlist_root_init(FIELD(lock, waiters));
}

static void queuelock_take(xptr_t lock, uintptr_t site)
{
    remote_queuelock_t *l = GET_PTR(lock);
    thread_t *me = thread_current();

    lock_rank_acquire(l, l->name, l->rank, false, site);
    remote_busylock_acquire(FIELD(lock, guard));
    if (hal_remote_l32(FIELD(lock, taken)) == 0) {
        hal_remote_s32(FIELD(lock, taken), 1);
        remote_busylock_release(FIELD(lock, guard));
        return;
    }
    me->wait_granted = 0;
    xlist_add_last(FIELD(lock, waiters), XPTR(me->core->cxy, &me->wait_list));
    thread_set_blocked(THREAD_BLOCKED_LOCK);
    me->wchan = (const char *)hal_remote_l64(FIELD(lock, name));  /* hung_task.h */
    remote_busylock_release(FIELD(lock, guard));
    thread_wait_granted();                /* until the releaser hands us the lock */
}

static void queuelock_give(xptr_t lock)
{
    xptr_t first;

    lock_rank_release(GET_PTR(lock));
    remote_busylock_acquire(FIELD(lock, guard));
    first = xlist_first(FIELD(lock, waiters));
    if (first == XPTR_NULL) {
        hal_remote_s32(FIELD(lock, taken), 0);
    } else {
        xlist_unlink(first);              /* ownership passes: taken stays 1 */
        thread_grant(XLIST_ELEMENT(first, thread_t, wait_list));
    }
    remote_busylock_release(FIELD(lock, guard));
}

void remote_queuelock_acquire(xptr_t lock)
{
    queuelock_take(lock, (uintptr_t)__builtin_return_address(0));
}

void remote_queuelock_release(xptr_t lock)
{
    queuelock_give(lock);
}

void queuelock_acquire(queuelock_t *l)
{
    queuelock_take(XPTR(cluster_of_ptr((uintptr_t)l), l), (uintptr_t)__builtin_return_address(0));
}

void queuelock_release(queuelock_t *l)
{
    queuelock_give(XPTR(cluster_of_ptr((uintptr_t)l), l));
}
