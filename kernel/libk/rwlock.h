/*
 * rwlock.h - blocking readers-writer lock, local or remote.
 *
 * Any number of readers or one writer. A reader arriving while a writer
 * holds the lock or waits for it queues behind (writers are not starved);
 * a releasing writer admits every queued reader at once, or else the first
 * queued writer (readers are not starved either). Waiters block on xlists,
 * so they may come from any cluster. Same rank rules as queuelock.h.
 */
#ifndef _RWLOCK_H_
#define _RWLOCK_H_

#include <stdint.h>
#include "busylock.h"
#include "xlist.h"

uint32_t cluster_of_ptr(uintptr_t addr);   /* kernel/kern/cluster.c */

typedef struct remote_rwlock_s {
    busylock_t        guard;       /* guards everything below */
    volatile uint32_t readers;     /* readers holding the lock */
    volatile uint32_t writer;      /* 1 while a writer holds it */
    uint32_t          rank;
    xlist_entry_t     rd_waiters;  /* queued readers */
    xlist_entry_t     wr_waiters;  /* queued writers */
    const char       *name;
} remote_rwlock_t;

typedef remote_rwlock_t rwlock_t;

void remote_rwlock_init(xptr_t lock, const char *name, uint32_t rank);
void remote_rwlock_rd_acquire(xptr_t lock);
void remote_rwlock_rd_release(xptr_t lock);
void remote_rwlock_wr_acquire(xptr_t lock);
void remote_rwlock_wr_release(xptr_t lock);

void rwlock_init(rwlock_t *l, const char *name, uint32_t rank);
void rwlock_rd_acquire(rwlock_t *l);
void rwlock_rd_release(rwlock_t *l);
void rwlock_wr_acquire(rwlock_t *l);
void rwlock_wr_release(rwlock_t *l);

#endif
