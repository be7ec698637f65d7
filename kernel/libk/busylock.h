/*
 * busylock.h - spinning ticket lock for short critical sections, local or
 * remote.
 *
 * Interrupts are disabled on the local core while the lock is held (the
 * holder's RFLAGS.IF is restored on release), so an interrupt handler on
 * the same core can never spin on a lock its own core holds. A busylock is
 * never held across a reschedule (ARCHITECTURE.md, invariant 6; checked in
 * the DEBUG build). FIFO fairness comes from the ticket order. Every lock
 * has a rank (lock_rank.h) fixed where it is declared or initialised.
 *
 * remote_busylock_* take the lock through an xptr_t: a lock in any
 * cluster's memory (counted as remote accesses, hal_remote.h).
 */
#ifndef _BUSYLOCK_H_
#define _BUSYLOCK_H_

#include <stdint.h>
#include "cpu.h"
#include "hal_remote.h"
#include "lock_rank.h"

typedef struct busylock_s {
    volatile uint32_t next;     /* next ticket to hand out */
    volatile uint32_t owner;    /* ticket being served */
    uint64_t          rflags;   /* holder's saved RFLAGS, guarded by the lock */
    const char       *name;     /* for diagnostics */
    uint32_t          rank;     /* lock_rank.h */
} busylock_t;

#define BUSYLOCK_INIT(n, r) { 0, 0, 0, (n), (r) }

/* Initialises @l, free, with its @name and @rank. */
void busylock_init(busylock_t *l, const char *name, uint32_t rank);

/* Takes @l, spinning; disables interrupts on this core until busylock_release(). */
void busylock_acquire(busylock_t *l);

/* Releases @l, taken by this core; restores the interrupt state saved at acquire. */
void busylock_release(busylock_t *l);

/* The same on a busylock in any cluster, named by @lock. */
void remote_busylock_init(xptr_t lock, const char *name, uint32_t rank);
void remote_busylock_acquire(xptr_t lock);
void remote_busylock_release(xptr_t lock);

#endif
