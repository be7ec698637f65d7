/*
 * busylock.h - spinning ticket lock for short critical sections.
 *
 * Interrupts are disabled on the local core while the lock is held (the
 * holder's RFLAGS.IF is restored on release), so an interrupt handler on
 * the same core can never spin on a lock its own core holds. A busylock is
 * never held across a reschedule (ARCHITECTURE.md, invariant 6). FIFO
 * fairness comes from the ticket order.
 *
 * Works on a lock in any cluster's memory: on x86 every cluster's memory is
 * in the direct map, and the lock word is cache-coherent.
 */
#ifndef _BUSYLOCK_H_
#define _BUSYLOCK_H_

#include <stdint.h>
#include "cpu.h"

typedef struct busylock_s {
    volatile uint32_t next;     /* next ticket to hand out */
    volatile uint32_t owner;    /* ticket being served */
    uint64_t          rflags;   /* holder's saved RFLAGS, guarded by the lock */
    const char       *name;     /* for diagnostics */
} busylock_t;

#define BUSYLOCK_INIT(n) { 0, 0, 0, (n) }

static inline void busylock_init(busylock_t *l, const char *name)
{
    l->next = 0;
    l->owner = 0;
    l->rflags = 0;
    l->name = name;
}

/* Takes @l, spinning; disables interrupts on this core until busylock_release(). */
static inline void busylock_acquire(busylock_t *l)
{
    uint64_t flags = irq_save();
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        cpu_pause();
    l->rflags = flags;
}

/* Releases @l, taken by this core; restores the interrupt state saved at acquire. */
static inline void busylock_release(busylock_t *l)
{
    uint64_t flags = l->rflags;

    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
    irq_restore(flags);
}

#endif
