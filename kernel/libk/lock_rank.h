/*
 * lock_rank.h - the rank of every kernel lock, and the checker.
 *
 * A thread may only acquire a lock whose rank is strictly higher than the
 * rank of every lock it already holds (ARCHITECTURE.md, invariant 6). That
 * one rule excludes lock-order deadlocks, including the classic "the VMM
 * needs the allocator that needs the VMM": the allocators' locks rank above
 * everything that may call them, so they can never wait for a lower lock.
 * Blocking locks (queuelock, rwlock) rank below every busylock: a thread may
 * not block while it spins on or holds a busylock.
 *
 * Rank 0 means "not checked": the internal guard of a blocking lock, which
 * protects a few words and is never held while taking another lock.
 *
 * The DEBUG build keeps the locks each thread holds, panics on an
 * out-of-order acquisition naming both locks and both call sites, and
 * panics when a thread deschedules while holding a busylock.
 */
#ifndef _LOCK_RANK_H_
#define _LOCK_RANK_H_

#include <stdint.h>
#include <stdbool.h>

enum lock_rank {
    RANK_UNCHECKED   = 0,   /* internal guards of blocking locks: leaves */

    /* ---- blocking locks: a thread may sleep on or while holding them ---- */
#ifdef CONFIG_KTEST             /* self-tests only (KTEST=1, params.mk) */
    RANK_TEST_LOW    = 5,   /* ktest locks: lowest, so tests may take any real lock inside */
    RANK_TEST_MID    = 6,
    RANK_TEST_HIGH   = 7,
    RANK_RPC_TEST    = 8,   /* a queuelock a blocking RPC handler of the tests waits on */
#endif
    RANK_CRASH_OWN   = 9,   /* crash=stall (kernel_init.c): held by the thread it hangs */
    RANK_CRASH_WANT  = 10,  /* crash=stall: the lock it hangs on */
    RANK_VFS_FILE    = 11,  /* an open file's offset (vfs.c): then the tree, then inode data */
    RANK_VFS_TREE    = 13,  /* the VFS namespace rwlock: held only across one lookup step or edit */
    RANK_FD_TABLE    = 24,  /* a process's fd table: a leaf, files are put after its release */
    RANK_VFS_PIPE    = 26,  /* a pipe's ring: released before sleeping, may free/alloc nothing */
    RANK_VFS_INODE   = 27,  /* a regular file's pages: near-leaf, the VMM takes it under its locks */
    RANK_VSL         = 20,  /* the reference copy's VSL (rwlock): mmap, munmap, fork, global faults */
    RANK_VSL_COPY    = 21,  /* a non-reference copy's VSL: a fault there reads the reference VSL first */
    RANK_GPT         = 22,  /* the reference copy's GPT (queuelock): inside the VSL locks */
    RANK_GPT_COPY    = 23,  /* a non-reference copy's GPT: written under the reference GPT lock */
    RANK_LAST_BLOCKING = 29,

    /* ---- busylocks: never held across a reschedule ---- */
    RANK_RPC_FIFO    = 50,  /* a cluster's RPC FIFO: clients post while holding no busylock */
    RANK_PGRP        = 51,  /* process groups and sessions (pgrp.c), in cluster 0: then PID tables */
    RANK_PID         = 52,  /* a cluster's PID table: lookups by kill and wait */
    RANK_PTREE       = 53,  /* the process tree (parents, children, zombies), in cluster 0 */
    RANK_COPIES      = 54,  /* process_t.copies_lock: copies and threads lists (process_copy.c) */
    RANK_DQDT        = 55,  /* a DQDT node: updated from allocation paths, allocates nothing */
    RANK_ITIMER      = 56,  /* a cluster's armed ITIMER_REAL list (itimer.c): takes no other lock */
    RANK_FUTEX       = 57,  /* a futex hash bucket, in the cluster of the futex's page (futex.c) */
    RANK_TTY         = 58,  /* a terminal's line discipline (tty.c): then the console for echo */
    RANK_SIGQ        = 59,  /* process_t.sigq_lock: the queued signals (sigqueue.c), a leaf */
    RANK_KCM         = 60,  /* a KCM cache: calls the PPM (rank 70) when it grows */
    RANK_PPM         = 70,  /* a cluster's page allocator: takes no other lock */
    RANK_SCHED       = 75,  /* a core's scheduler list: taken with interrupts off, allocates nothing */
#ifdef CONFIG_KTEST
    RANK_KTEST       = 80,  /* ktest diagnostics: a failing check may run under any lock above */
#endif
    RANK_CONSOLE     = 90,  /* the console: printk and panic may run under any lock */
};

#define LOCK_MAX_HELD 16

typedef struct lock_held_s {
    const void *lock;       /* the lock's address */
    const char *name;
    uint32_t    rank;
    uint32_t    busy;       /* 1: busylock (may not be held across a reschedule) */
    uintptr_t   site;       /* return address of the acquisition */
} lock_held_t;

/* Locks held by one thread (lives in thread_t). */
typedef struct lock_trace_s {
    uint32_t    nheld;
    uint32_t    nbusy;      /* busylocks among them */
    lock_held_t held[LOCK_MAX_HELD];
} lock_trace_t;

/*
 * Records the acquisition of @lock (@name, @rank, @busy) at call site @site
 * by the current thread, after checking the rank order. No-op before the
 * scheduler runs on this core, for rank 0, and in non-DEBUG builds.
 */
void lock_rank_acquire(const void *lock, const char *name, uint32_t rank, bool busy,
                       uintptr_t site);

/* Forgets @lock (released by the current thread, in any order). */
void lock_rank_release(const void *lock);

/*
 * Called by the scheduler before switching away from the current thread:
 * panics (DEBUG) when it holds a busylock.
 */
void lock_rank_check_deschedule(void);

#ifdef CONFIG_KTEST
/*
 * Test mode: when on, a violation is counted and its message kept (see
 * lock_rank_last_violation()) instead of panicking. For ktest only.
 */
void lock_rank_set_report_only(bool on);
uint32_t lock_rank_violations(void);
const char *lock_rank_last_violation(void);
#endif

#endif
