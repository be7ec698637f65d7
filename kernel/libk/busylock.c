/*
 * busylock.c - ticket spinlocks (see busylock.h).
 *
 * Out of line on purpose: the rank checker records the caller's address
 * as the acquisition site.
 */
#include "busylock.h"

static inline void busylock_spin(busylock_t *l, uintptr_t site)
{
    uint64_t flags = irq_save();
    uint32_t ticket;

    lock_rank_acquire(l, l->name, l->rank, true, site);
    ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
        cpu_pause();
    l->rflags = flags;
}

static inline void busylock_unlock(busylock_t *l)
{
    uint64_t flags = l->rflags;

    if (l->rank != RANK_UNCHECKED)
        lock_rank_release(l);   /* a blocking lock's guard shares its address: keep its entry */
    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
    irq_restore(flags);
}

void busylock_init(busylock_t *l, const char *name, uint32_t rank)
{
    l->next   = 0;
    l->owner  = 0;
    l->rflags = 0;
    l->name   = name;
    l->rank   = rank;
}

void busylock_acquire(busylock_t *l)
{
    busylock_spin(l, (uintptr_t)__builtin_return_address(0));
}

void busylock_release(busylock_t *l)
{
    busylock_unlock(l);
}

void remote_busylock_init(xptr_t lock, const char *name, uint32_t rank)
{
    HAL_REMOTE_COUNT(lock);
    busylock_init(GET_PTR(lock), name, rank);
}

void remote_busylock_acquire(xptr_t lock)
{
    HAL_REMOTE_COUNT(lock);
    busylock_spin(GET_PTR(lock), (uintptr_t)__builtin_return_address(0));
}

void remote_busylock_release(xptr_t lock)
{
    HAL_REMOTE_COUNT(lock);
    busylock_unlock(GET_PTR(lock));
}
