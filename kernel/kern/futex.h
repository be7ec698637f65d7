/*
 * futex.h - fast user-space mutexes, keyed by physical address
 * (futex(2); ARCHITECTURE.md, "Processes and threads").
 *
 * The key of a futex is the physical address (bytes) of its 32-bit word, so
 * that threads of one process running on different page-table copies, or
 * processes sharing a page, meet on the same key whatever cluster they run
 * in. The wait queue of a key lives in the cluster whose memory holds the
 * word (its "home": cluster_of_ptr of the word's direct-map address): each
 * cluster_t has FUTEX_BUCKETS hash buckets, each a busylock (RANK_FUTEX)
 * and an xlist of waiters. Everything here reaches buckets by remote access.
 *
 * A waiter record lives on the waiting thread's kernel stack (futex.c). Its
 * state goes QUEUED -> WAKING -> WOKEN when a waker unlinks it (WOKEN is the
 * waker's last access to the record or the thread, so the waiter returns
 * only then), and QUEUED -> MOVING -> QUEUED while a requeue carries it from
 * one bucket to another (the rank checker forbids holding two RANK_FUTEX
 * locks, so the move is two critical sections; the waiter never leaves a
 * MOVING record). A record also names the bucket whose list holds it,
 * changed only under that bucket's lock: a waiter leaving on a timeout or a
 * signal unlinks its record only under the lock of the bucket it reads
 * there, never by its key, which a requeue may have changed under another
 * bucket's lock. A wake on the target bucket that falls between the two
 * critical sections is not lost: each bucket counts its wake and requeue
 * operations (futex_bucket_t.seq), and a requeue that sees the target's
 * count change wakes the waiters it moved instead of queueing them (a
 * spurious wake-up, which futex(2) allows).
 *
 * Limits: a key is a physical page, so a private futex whose page is moved
 * after the waiter resolved it (COW broken by another thread, munmap) keeps
 * its waiter on the old page until a timeout or signal, as a shared
 * futex's waiter would in Linux if the file page were truncated. The
 * priority-inheritance and FUTEX_WAKE_OP operations are not implemented
 * (-ENOSYS).
 */
#ifndef _FUTEX_H_
#define _FUTEX_H_

#include <stdint.h>
#include <stdbool.h>
#include "busylock.h"
#include "xlist.h"
#include "uapi/futex.h"

struct cluster_s;
struct thread_s;


#define FUTEX_BUCKETS 64               /* hash buckets per cluster (a power of two) */

/* One hash bucket, in its cluster's cluster_t. */
typedef struct futex_bucket_s {
    busylock_t        lock;             /* RANK_FUTEX: guards root, seq and the listed records */
    xlist_entry_t     root;             /* waiter records of the keys hashed here, FIFO */
    volatile uint32_t seq;              /* wake and requeue operations on this bucket, guarded by lock */
} futex_bucket_t;

/*
 * Initialises the FUTEX_BUCKETS buckets of cluster @cl: free locks, empty
 * lists. Runs in @cl's cluster, once, at boot (cluster_init). Takes no lock.
 */
void futex_cluster_init(struct cluster_s *cl);

/*
 * FUTEX_WAIT / FUTEX_WAIT_BITSET on a key: under the key's bucket lock,
 * reads the 32-bit word at @paddr (through the direct map: it cannot
 * fault) and, if it still holds @expected, queues the calling thread and
 * sleeps until a wake matching @bitset, the deadline or a pending signal
 * (process_signal_pending(): never for kernel threads). Wake-ups may be
 * spurious for the caller: a return of 0 only says "re-check the word".
 * Any cluster, threads only, no busylock held (it sleeps). Takes the
 * key's bucket lock (RANK_FUTEX, in the key's home cluster), several times.
 * @paddr       : physical address (bytes) of the word, 4-byte aligned.
 * @expected    : the value the caller saw in the word.
 * @bitset      : wake mask (FUTEX_BITSET_MATCH_ANY for FUTEX_WAIT), non-zero.
 * @deadline_tsc: absolute TSC (cycles) at which the wait ends, 0 = none;
 *                one already past still checks the word first.
 * @return 0 when woken (or spuriously), -EAGAIN when the word did not hold
 *         @expected, -ETIMEDOUT when the deadline passed, -EINTR (with a
 *         deadline) or -ERESTARTSYS (without: signal.h) when a signal is
 *         pending, -EINVAL when @bitset is 0 or @paddr unaligned.
 */
int futex_wait_key(uint64_t paddr, uint32_t expected, uint32_t bitset, uint64_t deadline_tsc);

/*
 * FUTEX_WAKE / FUTEX_WAKE_BITSET on a key: wakes up to @n threads waiting
 * on @paddr whose wait mask meets @bitset, oldest first. Any cluster, any
 * thread, no busylock of rank >= RANK_FUTEX held. Takes the key's bucket
 * lock (RANK_FUTEX, in the key's home cluster) and unblocks the woken
 * threads under it (IPIs).
 * @paddr  : physical address (bytes) of the word.
 * @n      : most threads to wake (0: none).
 * @bitset : wake mask (FUTEX_BITSET_MATCH_ANY for FUTEX_WAKE), non-zero.
 * @return the number of threads woken, or -EINVAL when @bitset is 0.
 */
int futex_wake_key(uint64_t paddr, uint32_t n, uint32_t bitset);

/*
 * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE on keys: wakes up to @nr_wake waiters
 * of @paddr1 (any wait mask), then moves up to @nr_requeue of the
 * remaining ones to @paddr2, keeping their order. With @cmp, first checks
 * under @paddr1's bucket lock that its word holds @val3. When both keys
 * hash to the same bucket the moved waiters stay in place. Any cluster,
 * any thread, no busylock of rank >= RANK_FUTEX held. Takes @paddr1's
 * bucket lock, then (after releasing it, interrupts kept off in between)
 * @paddr2's; unblocks the woken threads under those locks.
 * @paddr1, @paddr2 : physical addresses (bytes) of the two words.
 * @nr_wake         : most waiters to wake.
 * @nr_requeue      : most waiters to move.
 * @cmp, @val3      : FUTEX_CMP_REQUEUE's check.
 * @return as futex(2) documents it: with @cmp, woken + moved; without, the
 *         number woken (the Linux source returns woken + moved for both);
 *         -EAGAIN when @cmp and the word at @paddr1 is not @val3.
 */
int64_t futex_requeue_key(uint64_t paddr1, uint64_t paddr2, uint32_t nr_wake,
                          uint32_t nr_requeue, bool cmp, uint32_t val3);

/*
 * Number of threads queued on key @paddr (a snapshot under its bucket
 * lock; a record being moved by a requeue is counted by neither key).
 * For tests and statistics. Any cluster; takes the key's bucket lock.
 */
uint32_t futex_waiters(uint64_t paddr);

/*
 * The bucket of key @paddr: the xptr of a futex_bucket_t in the key's home
 * cluster. Two keys share a queue (and its lock) when this is equal. For
 * tests and statistics. Any cluster; takes no lock.
 */
xptr_t futex_bucket_of(uint64_t paddr);

/*
 * futex(2) (system call 202): the operations FUTEX_WAIT, FUTEX_WAKE,
 * FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET,
 * each with or without FUTEX_PRIVATE_FLAG (private and shared futexes are
 * both keyed by physical address). User addresses become physical ones by
 * vmm_user_paddr (the page is faulted in). Runs in the calling user
 * thread's cluster; may sleep; takes the locks of the key functions above
 * and those of the page-fault path.
 * @uaddr : user address of the futex word.
 * @op    : operation | flags.
 * @val   : WAIT: expected value; WAKE: most to wake (<= 0 wakes one, as
 *          Linux does); REQUEUE: most to wake.
 * @utime : WAIT: user address of a relative struct timespec {int64 sec,
 *          nsec} (0 = no timeout), measured on CLOCK_MONOTONIC;
 *          WAIT_BITSET: an absolute one on CLOCK_MONOTONIC (time since
 *          boot), or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME;
 *          REQUEUE, CMP_REQUEUE: most waiters to move (Linux's val2).
 * @uaddr2: REQUEUE, CMP_REQUEUE: user address of the target word.
 * @val3  : CMP_REQUEUE: expected value at @uaddr; *_BITSET: the bitset.
 * @return WAIT*: 0; WAKE*: number woken; REQUEUE: number woken;
 *         CMP_REQUEUE: woken + moved. Errors: -EINVAL (@uaddr or @uaddr2
 *         not 4-byte aligned, bitset 0, timespec nsec outside [0, 1e9) or
 *         sec < 0, negative REQUEUE counts), -EFAULT (an address not
 *         mapped for the process, an unreadable timespec), -EAGAIN (the
 *         word did not hold the expected value), -ETIMEDOUT, -EINTR,
 *         -ENOSYS (unknown operation, or FUTEX_CLOCK_REALTIME on an
 *         operation other than WAIT and WAIT_BITSET); a WAIT with a timeout
 *         that a signal ends returns -ERESTART_RESTARTBLOCK (signal.h:
 *         -EINTR once a handler ran, else restart_syscall(2)).
 */
int64_t futex_syscall(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t utime,
                      uint64_t uaddr2, uint64_t val3);

/*
 * restart_syscall(2) of a FUTEX_WAIT with a timeout that a signal without
 * handler (a stop) interrupted: waits again on the word, value, bitset
 * and deadline the calling thread recorded (thread_t.sig_restart_*), as
 * Linux's futex_wait_restart. A user thread. @return as futex_syscall().
 */
int64_t futex_wait_restart(void);

/*
 * The robust-futex walk at thread exit (set_robust_list(2), Linux's
 * owner-died protocol): every futex on the user list of the exiting thread
 * @t (the calling one) whose word still holds its TID gets
 * FUTEX_OWNER_DIED, FUTEX_WAITERS kept, and one waiter is woken when
 * FUTEX_WAITERS was set. The walk stops at the list's end, at the first
 * unreadable entry, or after ROBUST_LIST_LIMIT entries (a cyclic list).
 * Runs in the exiting thread, still on its process's page table; may
 * sleep (page faults); takes the locks of futex_wake_key().
 */
void futex_robust_list_exit(struct thread_s *t);

#endif
