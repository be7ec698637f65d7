/*
 * hung_task.h - the hung-task detector (Linux's kernel/hung_task.c) and
 * the dump of threads' states that it shares with sysrq (sysrq.h).
 *
 * A thread is in an uninterruptible wait (Linux's state D) when it is
 * blocked on a lock (THREAD_BLOCKED_LOCK: a queuelock or rwlock) or on an
 * RPC reply (THREAD_BLOCKED_RPC): both should last milliseconds. Sleeps
 * (THREAD_BLOCKED_SLEEP) are never reported: a signal or a deadline ends
 * them (pipes, futexes, wait4, nanosleep, sigsuspend, the itimer thread),
 * or they wait for other cores by design (the kernel barrier, the ktest
 * runner), and may last as long as their user wants.
 *
 * Each wait primitive records when the wait began (thread_t.wait_since),
 * where (wchan_pc: its caller) and on what (wchan: a lock's name, an RPC
 * type), see thread.c. Once a second, the tick of the first core of each
 * cluster scans that cluster's threads only (each core's scheduler list
 * under that core's scheduler lock; no global lock) and reports each
 * uninterruptible wait older than `hung_task_timeout` seconds, once per
 * wait:
 *
 *   archipel: hung task: thread T (tid N, pid P) of cluster C core C.L
 *             blocked 123 s in state D (lock) on <wchan> at <func+off>
 *     backtrace: ...
 *     locks held: ...   (DEBUG builds: the lock-rank checker's record)
 *
 * The harness fails a run whose console shows such a line.
 *
 * Kernel command line: hung_task_timeout=SECONDS (default
 * HUNG_TASK_DEFAULT_S: 20 in DEBUG builds, 120 otherwise; 0 disables).
 */
#ifndef _HUNG_TASK_H_
#define _HUNG_TASK_H_

#include <stdint.h>
#include <stdbool.h>

struct thread_s;

#ifdef DEBUG
#define HUNG_TASK_DEFAULT_S 20
#else
#define HUNG_TASK_DEFAULT_S 120
#endif

/* The hung_task_timeout= option, seconds (cmdline.c sets it; 0: off). */
extern uint32_t hung_task_timeout_s;

/* Which threads hung_task_scan() prints. */
typedef enum hung_scan_e {
    HUNG_SCAN_HUNG,      /* uninterruptible waits older than the age given, not yet reported */
    HUNG_SCAN_BLOCKED,   /* every blocked thread (idle RPC servers and exited threads aside) */
    HUNG_SCAN_ALL,       /* every thread */
    HUNG_SCAN_LOCKS,     /* every thread that holds a lock (DEBUG builds: the rank checker's record) */
} hung_scan_t;

/*
 * The tick's part (ipi.c, every VEC_TIMER, interrupt context): on the
 * first core of each cluster, once a second, scans the cluster's threads
 * for hung tasks (HUNG_SCAN_HUNG, hung_task_timeout_s).
 */
void hung_task_tick(void);

/*
 * Prints the threads of cluster @cxy that @what selects: one line with its
 * name, tid, pid, core, state and wait channel, its kernel backtrace (a
 * thread that is off its core; the running one shows none) and, in DEBUG
 * builds, the locks it holds. With HUNG_SCAN_HUNG the printed threads are
 * marked reported, and only waits older than @min_age_ms count.
 * Any core: another cluster's scheduler lists are read by remote access
 * under each core's scheduler lock (RANK_SCHED, held while one thread is
 * copied, never while printing). Any context but NMI.
 * @return the number of threads printed.
 */
uint32_t hung_task_scan(uint32_t cxy, hung_scan_t what, uint64_t min_age_ms);

/* True when @t (not running) is in an uninterruptible wait (see above). */
bool hung_task_uninterruptible(const struct thread_s *t);

#ifdef CONFIG_KTEST
/*
 * Test mode: while set, reports start "ktest: expected hung task:" instead
 * of "archipel: hung task:", so that the harness does not fail the run for
 * the hangs a self-test provokes. For ktest only.
 */
extern volatile bool hung_task_expected;
#endif

#endif
