/*
 * sched.h - one scheduler per core: round robin among the core's threads.
 *
 * Each core keeps every thread it runs on one list in its core_t (in its
 * cluster's memory). The LAPIC timer preempts the running thread at every
 * tick when another one is runnable; a thread that blocks yields at once.
 * The idle thread runs when no other thread is runnable, and frees the
 * threads that have exited.
 *
 * Locks: sched.lock (busylock, RANK_SCHED) guards the list; it is taken by
 * the core itself and by other cores of the cluster adding threads.
 */
#ifndef _SCHED_H_
#define _SCHED_H_

#include <stdint.h>
#include "list.h"
#include "busylock.h"

struct thread_s;
struct core_s;

typedef struct sched_s {
    busylock_t          lock;            /* guards threads, nthreads */
    list_entry_t        threads;         /* every thread of the core */
    uint32_t            nthreads;        /* idle included */
    struct thread_s    *current;         /* running thread (written by the core only) */
    struct thread_s    *idle;
    volatile uint32_t   need_resched;    /* set by the tick or a wake-up IPI */
    uint32_t            serial;          /* for thread ids */
    uint64_t            switches;        /* context switches done */
} sched_t;

/*
 * Makes the calling context the idle thread of the calling core and starts
 * scheduling there. Every core, once, at boot, on its own stack.
 */
void sched_init(void);

/* Adds the runnable thread @t to the scheduler of its core (any core of its cluster). */
void sched_add(struct thread_s *t);

/*
 * Gives the core to the next runnable thread (round robin), or keeps the
 * current one when it is the only runnable one. Holds no busylock (checked).
 */
void sched_yield(void);

/* Timer tick on the calling core: asks for a reschedule if another thread waits. */
void sched_tick(void);

/*
 * At the end of an interrupt: switches if a reschedule was asked for.
 * Called by hal_trap() with interrupts off.
 */
void sched_preempt(void);

/*
 * Frees the threads of the calling core that have exited (their thread_t
 * and stack, in this cluster). Run by the idle thread.
 */
void sched_reap(void);

#endif
