/*
 * queuelock.h - blocking mutual exclusion, for long critical sections.
 *
 * A thread that finds the lock taken queues itself (FIFO, on an xlist, so
 * waiters may come from any cluster) and blocks; release hands the lock
 * directly to the first waiter. The lock's few words are guarded by an
 * internal busylock (rank 0: a leaf). A queuelock has a blocking rank
 * (lock_rank.h, below every busylock): no busylock may be held while
 * acquiring it. Threads only (never the idle thread, never an interrupt).
 *
 * queuelock_* are the local forms: the same lock named by a local pointer.
 */
#ifndef _QUEUELOCK_H_
#define _QUEUELOCK_H_

#include <stdint.h>
#include "busylock.h"
#include "xlist.h"
#include "core.h"

/* kernel/kern/cluster.c: the cluster holding the object at @ptr */
uint32_t cluster_of_ptr(uintptr_t addr);

typedef struct remote_queuelock_s {
    busylock_t        guard;      /* guards taken and waiters */
    volatile uint32_t taken;      /* 1 while owned */
    uint32_t          rank;       /* lock_rank.h, blocking range */
    xlist_entry_t     waiters;    /* root: threads (wait_list) waiting, FIFO */
    const char       *name;
} remote_queuelock_t;

typedef remote_queuelock_t queuelock_t;

/* Initialises the lock at @lock, free. */
void remote_queuelock_init(xptr_t lock, const char *name, uint32_t rank);

/* Takes the lock at @lock, blocking the calling thread while it is taken. */
void remote_queuelock_acquire(xptr_t lock);

/* Releases the lock at @lock, held by the calling thread; wakes the first waiter. */
void remote_queuelock_release(xptr_t lock);

static inline void queuelock_init(queuelock_t *l, const char *name, uint32_t rank)
{
    remote_queuelock_init(XPTR(cluster_of_ptr((uintptr_t)l), l), name, rank);
}

void queuelock_acquire(queuelock_t *l);
void queuelock_release(queuelock_t *l);

#endif
