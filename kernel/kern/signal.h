/*
 * signal.h - signals (ARCHITECTURE.md, "Processes and threads"): the
 * per-process and per-thread state, sending, and taking a signal at the
 * return to user mode, as Linux x86_64 does (man 7 signal).
 *
 * State. The dispositions (sigaction) and the process-directed pending set
 * live in the process's reference process_t (process.h); each thread has
 * its own blocked mask, its thread-directed pending set and its alternate
 * stack (thread.h). A pending signal is one bit (sig - 1) of a 64-bit
 * word, and its last sender (pid, si_code) is kept in sig_from[sig - 1]
 * for the siginfo_t of the handler; standard signals do not queue, while
 * real-time signals, and signals with a richer siginfo (sigqueue, timers),
 * also get an entry in the process's queue (see "The queue of signals").
 *
 * Sending, from any cluster. Invariant 2 of ARCHITECTURE.md (RPC vs remote
 * access) makes it a remote access, not an RPC: recording a signal
 * allocates nothing, creates or destroys nothing and never sleeps in the
 * target's cluster; it updates two words of the object that owns the
 * pending set (the target thread_t, or the reference process_t): the
 * sender in sig_from[sig - 1] (a plain store: with two racing senders the
 * last one's pid is reported), then the signal's bit by one remote atomic
 * OR on the pending word, which can neither be torn nor lose another
 * sender's bit, so no lock of the owner is needed for it (kill(2) holds
 * the process-tree lock only so that no zombie gets one). No replica of
 * the pending word exists anywhere, so nothing can go stale. The sender then
 * makes the target notice: a process-directed signal picks one thread of
 * the process, in whatever cluster, that does not block it (the first
 * found; none: it stays pending until a thread unblocks it); that thread,
 * or the thread of a thread-directed signal, is woken if it sleeps
 * (thread_unblock: its interruptible wait returns -EINTR) and its core is
 * interrupted (VEC_WAKE) so that a thread running in user mode enters the
 * kernel and takes the signal on its way back. Every send is traced
 * (TRACE_SIGNAL).
 *
 * Taking (signal_deliver, at every return to user mode): the lowest
 * pending signal that the thread does not block, its own first, is taken
 * (an atomic AND on the word, so that one thread only takes a
 * process-directed one). SIG_IGN and default "ignore" signals (SIGCHLD,
 * SIGURG, SIGWINCH, SIGCONT) are dropped; a stop signal's default action
 * stops the process (below); any other default action ends the process
 * (core dump: treated as "terminate" here); a handler gets Linux's
 * rt_sigframe on the user stack (sigframe.c).
 *
 * Stop and continue (sigstop.c; man 7 signal, Linux's kernel/signal.c
 * prepare_signal, do_signal_stop, do_notify_parent_cldstop). The state of
 * a group stop is one 64-bit word of the reference process_t, sig_jobctl
 * (SIG_JOBCTL_* below), changed only by remote compare-and-swap, so that
 * every transition (stop begun, one more thread parked, stop complete and
 * its report, continue, a report consumed by wait) is one atomic step and
 * needs no lock; a generation number, bumped by every SIGCONT, lets a
 * late stop decision or a late parker see that a SIGCONT came meanwhile.
 *  - Sending (any sender, before the ignore test, as prepare_signal): a
 *    stop signal discards a pending SIGCONT; SIGCONT, even blocked or
 *    ignored, discards pending stop signals and resumes a stopped process
 *    (generation + 1, every thread woken), and when the stop was complete
 *    tells the parent (CLD_CONTINUED) and leaves a WCONTINUED report.
 *  - The thread that takes a stop signal whose action is SIG_DFL begins
 *    the group stop (the signal in sig_jobctl) and kicks every thread of
 *    the process, in every cluster, by the same remote wake-up and IPI as
 *    a new signal. While the process is stopping, process_signal_pending()
 *    is true for all its threads, so each leaves its interruptible wait
 *    (-ERESTARTSYS etc.) and, at its return to user mode (signal_deliver),
 *    parks: one more parked thread counted in sig_jobctl, then it sleeps
 *    (THREAD_BLOCKED_SLEEP: no CPU used) until the generation changes or
 *    SIGKILL is pending. Its interrupted system call is then restarted as
 *    when no handler runs (Linux: a stop is not an EINTR, with the
 *    exceptions man 7 signal lists, e.g. rt_sigtimedwait, and here
 *    nanosleep and timed futex waits, which end with -EINTR).
 *  - The thread that parks last (parked >= the process's threads) makes
 *    the stop complete: SIGCHLD CLD_STOPPED (si_status the signal) to the
 *    parent unless its SIGCHLD action has SA_NOCLDSTOP, and a WUNTRACED
 *    report, both once per stop. SIGKILL wakes parked threads and ends
 *    the process as usual.
 * Waiting for these reports: process_waitid() (process.h).
 */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_remote.h"
#include "uapi/signal.h"
#include "uapi/signal_defs.h"
#include "uapi/sigcontext.h"

struct process_s;
struct thread_s;
struct trap_frame_s;

/*
 * An interruptible wait of a system call that a signal ended returns
 * -ERESTARTSYS (Linux's include/linux/errno.h, kernel-internal): on the way
 * back to user mode (signal_deliver) it becomes -EINTR when a handler
 * without SA_RESTART runs, and otherwise the call is restarted (RIP back
 * over the 2-byte syscall instruction, RAX = the call's number, kept in
 * trap_frame_t.error by syscall_dispatch), as man 7 signal, "Interruption
 * of system calls and library functions by signal handlers" describes. It
 * never reaches user space.
 */
#define ERESTARTSYS      512
/* ... and its variant for rt_sigsuspend and pause: -EINTR whenever a handler runs */
#define ERESTARTNOHAND   514
/*
 * ... and for the timed waits of nanosleep(2), clock_nanosleep(2)
 * (relative) and FUTEX_WAIT with a timeout: -EINTR when a handler runs,
 * else the call becomes restart_syscall(2), which waits on to the
 * original deadline, as Linux's restart_block does; so a stop and continue
 * does not end a timed wait early. The interrupted call leaves in its
 * thread_t what to resume: sig_restart_kind, sig_restart_deadline (TSC)
 * and sig_restart_arg[] (SLEEP: the user address of the time left; FUTEX:
 * uaddr, expected value, bitset).
 */
#define ERESTART_RESTARTBLOCK 516
#define SIG_RESTART_NONE  0
#define SIG_RESTART_SLEEP 1
#define SIG_RESTART_FUTEX 2

#define SIG_BIT(sig)     (1ull << ((sig) - 1))
#define SIG_UNBLOCKABLE  (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

/* The stop signals (man 7 signal: default action "Stop") */
#define SIG_STOP_SET     (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | \
                          SIG_BIT(SIGTTOU))

/*
 * process_t.sig_jobctl, the group stop of a process (see "Stop and
 * continue" above): the stop signal while stopping or stopped (0: running),
 * NOTIFIED once every thread is parked (the stop is complete and has been
 * reported to the parent), CONT_REPORT while a continue awaits a
 * WCONTINUED wait, the number of parked threads, the stop signal awaiting
 * a WUNTRACED wait (0: none), and the SIGCONT generation.
 */
#define SIG_JOBCTL_SIG(w)       ((int)((w) & 0xff))
#define SIG_JOBCTL_NOTIFIED     (1ull << 8)
#define SIG_JOBCTL_CONT_REPORT  (1ull << 9)
#define SIG_JOBCTL_PARK_ONE     (1ull << 16)
#define SIG_JOBCTL_PARKED(w)    ((uint32_t)((w) >> 16) & 0xffffu)
#define SIG_JOBCTL_STOP_REPORT(w) ((int)((w) >> 32) & 0xff)
#define SIG_JOBCTL_REPORT_SHIFT 32
#define SIG_JOBCTL_GEN_ONE      (1ull << 40)
#define SIG_JOBCTL_GEN(w)       ((uint32_t)((w) >> 40))

/*
 * The queue of signals with their siginfo (sigqueue.c; Linux's struct
 * sigqueue, kernel/signal.c __send_signal, collect_signal). A real-time
 * signal (SIGRTMIN..SIGRTMAX) is queued at every send, so that several
 * sends are each delivered, in order, the lowest signal first; a standard
 * signal is queued only when its siginfo says more than sender and si_code
 * (sigqueue(3), a POSIX timer) and it is not already pending (standard
 * signals do not queue). The pending bit says "at least one"; the entry
 * carries si_code, si_pid / si_uid (or si_timerid / si_overrun) and
 * si_value. Thread-directed entries name their thread's TID, which
 * survives migration (signal_forward moves only the bits).
 *
 * Memory: one fixed array of SIGQ_MAX entries in the reference process_t,
 * for all its threads, under process_t.sigq_lock (RANK_SIGQ). A sender in
 * any cluster records by remote access (invariant 2: a few words, nothing
 * allocated), whereas a KCM object in the target's cluster would cost an
 * RPC per send, and the senders include the timer thread, which must not
 * block. The array bounds the memory per process (Linux's RLIMIT_SIGPENDING
 * bounds it per user: default about 1/8 of threads-max, far larger) and is
 * freed with the process_t. When it is full, sigqueue(3) /
 * rt_sigqueueinfo(2) get -EAGAIN as Linux's sigqueue does at its limit,
 * while kill(2) and timers still set the pending bit and lose the siginfo
 * beyond si_code SI_USER (Linux: "a silent loss of information").
 * Entries go when delivered, when their thread exits, when their signal
 * becomes ignored (sigaction) or is discarded by SIGCONT / a stop signal;
 * exec keeps them, as Linux keeps pending signals.
 */
#define SIGQ_MAX      32               /* queued signals per process (all its threads) */
#define SIGQ_ANY_TID  0xffffffffu      /* sigq_flush: every entry, whatever its target */

typedef struct sigq_entry_s {
    uint32_t tid;                      /* the target thread; 0: process-directed */
    int32_t  sig;
    int32_t  code;                     /* si_code */
    uint32_t a;                        /* si_pid (si_timerid for SI_TIMER) */
    uint32_t b;                        /* si_uid (si_overrun for SI_TIMER) */
    uint32_t pad;
    uint64_t value;                    /* si_value */
} sigq_entry_t;

typedef struct sigq_s {
    uint32_t     n;                    /* entries in use: e[0..n), oldest first */
    uint32_t     pad;
    sigq_entry_t e[SIGQ_MAX];
} sigq_t;

/*
 * The queue's arithmetic (pure, on a local sigq_t; signal_ktest.c tests
 * them). sigq_push appends *@e: 0, or -EAGAIN (full); a timer's signal
 * (SI_TIMER) whose previous one is still queued is not queued again, its
 * si_overrun grows instead, as Linux queues one signal per timer
 * (kernel/signal.c send_sigqueue): 1. sigq_pop takes the
 * oldest entry for (@tid, @sig) into *@out: @return how many such entries
 * are left, or -1 when there was none. sigq_flush drops the entries of the
 * signals of @set for @tid (SIGQ_ANY_TID: every target).
 */
int sigq_push(sigq_t *q, const sigq_entry_t *e);
int sigq_pop(sigq_t *q, uint32_t tid, int sig, sigq_entry_t *out);
void sigq_flush(sigq_t *q, uint32_t tid, uint64_t set);

/*
 * Records signal @e->sig with its siginfo *@e for its target, in the
 * reference process_t @ref_xp (any cluster), whose pending word is
 * @pending_xp (the process's, or the target thread's): a standard signal
 * already pending is merged (nothing queued); otherwise the entry is
 * queued and the bit set. A full queue: -EAGAIN if @must_queue (nothing
 * sent), else the bit alone. Takes the sigq lock (remote access).
 * @return 0 or -EAGAIN.
 */
int signal_queue_send(xptr_t ref_xp, xptr_t pending_xp, const sigq_entry_t *e, bool must_queue);

/*
 * Takes signal @sig for target @tid (0: the process) from the reference
 * @ref_xp whose pending word for it is @pending_xp: the oldest entry into
 * *@out, clearing the bit when it was the last one. Takes the sigq lock.
 * @return 1 (an entry was taken), 0 (none queued: the bit was taken
 * alone, its siginfo is sig_from's), -1 (the bit was not set: another
 * thread took the signal first).
 */
int signal_queue_take(xptr_t ref_xp, xptr_t pending_xp, uint32_t tid, int sig,
                      sigq_entry_t *out);

/* Drops the queued signals of @set for @tid (SIGQ_ANY_TID: all) of @ref_xp. Takes the lock. */
void signal_queue_flush(xptr_t ref_xp, uint32_t tid, uint64_t set);

/* ---- the set logic (pure functions: any context; signal_ktest.c tests them) ---------- */

/* The synchronous signals, taken first (Linux's SYNCHRONOUS_MASK, kernel/signal.c) */
#define SIG_SYNCHRONOUS  (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | \
                          SIG_BIT(SIGTRAP) | SIG_BIT(SIGFPE) | SIG_BIT(31 /* SIGSYS */))

/*
 * Which pending signal a thread takes next, as Linux's dequeue_signal: its
 * own set @own before its process's @shared, in each the synchronous
 * signals first, then the lowest number; signals in @blocked are skipped
 * (SIGKILL and SIGSTOP never are). @return the signal (1..NSIG), *@from_own
 * telling which set it is in, or 0 when none can be taken.
 */
int signal_next(uint64_t own, uint64_t shared, uint64_t blocked, bool *from_own);

/*
 * rt_sigprocmask(2)'s arithmetic: *@mask changed by @how (SIG_BLOCK,
 * SIG_UNBLOCK, SIG_SETMASK) with @set, SIGKILL and SIGSTOP removed.
 * @return 0, or -EINVAL (unknown @how; *@mask unchanged).
 */
int signal_mask_change(uint64_t how, uint64_t set, uint64_t *mask);

/*
 * The mask while the handler @act of @sig runs: @blocked | sa_mask | @sig
 * (not @sig with SA_NODEFER), SIGKILL and SIGSTOP removed (man 2 sigaction).
 */
uint64_t signal_handler_mask(uint64_t blocked, const ksigaction_t *act, int sig);

/*
 * fork(2): the child @child (local, not yet visible) gets the signal
 * dispositions of the parent process whose reference is @parent_xp (any
 * cluster, read by remote access); nothing is pending. (The child's thread
 * gets the forking thread's mask: process_make_fork.)
 */
void signal_fork_copy(struct process_s *child, xptr_t parent_xp);

/*
 * rt_sigaction(2)'s state: the disposition of signal @sig (1..NSIG) of the
 * calling process, read into *@act / replaced by *@act (the caller has
 * refused SIGKILL and SIGSTOP). Setting SIG_IGN, or SIG_DFL for a signal
 * whose default is to ignore it, discards it where it is pending for the
 * calling thread or the process (man 2 sigaction, POSIX). A user thread,
 * any cluster: remote access to the reference process_t, no lock.
 */
void signal_get_action(int sig, ksigaction_t *act);
void signal_set_action(int sig, const ksigaction_t *act);

/* The calling thread's blocked mask (rt_sigprocmask(2)'s old set). A user thread. */
uint64_t signal_blocked(void);

/*
 * rt_sigprocmask(2): changes the calling thread's blocked mask by @how
 * (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK) with @set; SIGKILL and SIGSTOP are
 * never blocked. A user thread, any cluster, no lock (the mask is its own).
 * @return 0, or -EINVAL (unknown @how).
 */
int signal_procmask(uint64_t how, uint64_t set);

/*
 * The calling thread no longer takes the signals of @set (it blocks them
 * now, or it exits): for each of them pending for its process, another
 * thread that does not block it is kicked, as Linux's
 * retarget_shared_pending. A user thread, any cluster; takes the process's
 * copies lock.
 */
void signal_retarget(uint64_t set);

/*
 * rt_sigpending(2): the signals pending for the calling thread (its own
 * and its process's) that it blocks. A user thread, any cluster.
 */
uint64_t signal_pending_blocked(void);

/*
 * kill(2) to one process: sends @sig to process @pid > 0 (any cluster;
 * a group or every process: pgrp_kill() in pgrp.h), process-directed,
 * with si_code SI_USER and si_pid the caller's PID. @sig 0 only checks
 * that the process exists. Signals ignored by the target are dropped
 * (SIG_IGN, or default "ignore"). No user IDs exist, so never -EPERM.
 * @return 0, -ESRCH (no such process, a zombie, or @pid <= 0), -EINVAL
 * (bad @sig).
 */
int process_kill(int64_t pid, int sig);

/*
 * tgkill(2) / tkill(2) (@tgid -1): sends @sig to thread @tid of thread
 * group @tgid, thread-directed, with si_code SI_TKILL. @sig 0 only checks.
 * Any cluster: the thread is found through its owner's PID table.
 * @return 0, -EINVAL (bad @sig, @tid or @tgid <= 0 but -1), -ESRCH.
 */
int signal_tgkill(int64_t tgid, int64_t tid, int sig);

/*
 * The general forms of process_kill() and signal_tgkill(): the signal
 * carries the siginfo *@e (si_code, si_pid / si_uid or si_timerid /
 * si_overrun, si_value; e->tid and e->sig are set here), or, @e NULL, the
 * caller's PID with si_code SI_USER / SI_TKILL. A real-time signal, or one
 * with @e, is queued (see "The queue of signals"); with @must_queue a full
 * queue fails the send with -EAGAIN (sigqueue(3)), else only the siginfo
 * is lost. Senders: any thread, any cluster (the timer thread with @e:
 * SI_TIMER). @return as process_kill() / signal_tgkill(), or -EAGAIN.
 */
int signal_send_process(int64_t pid, int sig, const sigq_entry_t *e, bool must_queue);
int signal_send_thread(int64_t tgid, int64_t tid, int sig, const sigq_entry_t *e,
                       bool must_queue);

/*
 * rt_sigqueueinfo(2) (@tid <= 0: to process @tgid) and rt_tgsigqueueinfo(2)
 * (to thread @tid of @tgid): sends @sig with the caller's siginfo *@info
 * (its si_code, si_pid, si_uid and si_value as given; si_signo is @sig).
 * A caller may not forge si_code >= 0 (kernel and kill codes) or SI_TKILL
 * except to itself (its own TID; Linux's do_rt_sigqueueinfo and
 * do_rt_tgsigqueueinfo in kernel/signal.c). A user thread.
 * @return 0, -EPERM, -EINVAL (bad @sig), -ESRCH, -EAGAIN (queue full).
 */
int signal_queueinfo(int64_t tgid, int64_t tid, int sig, const ksiginfo_t *info);

/*
 * A CPU exception in user mode becomes signal @sig (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP) with si_code @code and si_addr @addr for the
 * calling thread, forced as Linux's force_sig_fault: if the thread blocks
 * it or its process ignores it, it is unblocked and its disposition reset
 * to SIG_DFL. Taken at the return to user mode. Interrupts off or on.
 */
void signal_force_fault(int sig, int code, uint64_t addr);

/*
 * A signal raised by the kernel for the calling thread (SIGPIPE on a write
 * to a pipe without reader, man 7 pipe): thread-directed, si_code SI_USER,
 * si_pid the caller's; dropped if ignored. A user thread (nothing for a
 * kernel thread).
 */
void signal_send_self(int sig);

/*
 * rt_sigsuspend(2) (@mask: the temporary mask) and pause(2) (@mask: the
 * thread's own): sleeps until a signal that the thread does not block
 * under @mask is pending, and returns -ERESTARTNOHAND: -EINTR once a
 * handler runs, a restart when none does (the signal was taken by another
 * thread); the old mask comes back after the handler (saved in its frame)
 * or at once if none runs. A user thread.
 */
int64_t signal_suspend(uint64_t mask);

/*
 * The child @child_pid of the process @parent_xp (its reference, any
 * cluster) ended with Linux wait status @wait_status: SIGCHLD to the
 * parent, process-directed, si_code CLD_EXITED / CLD_KILLED / CLD_DUMPED,
 * si_pid and si_status (man 2 sigaction), unless the parent ignores it
 * (the default). Any thread (the idle thread makes the zombie); takes the
 * process-tree lock, then the parent's copies lock.
 */
void signal_child_ended(xptr_t parent_xp, uint32_t child_pid, int32_t wait_status);

/*
 * A migrating thread (thread_user_migrate, in its old thread_t, once the
 * new one @new_xp is linked in its process copy): its thread-directed
 * pending signals go to the new thread_t. Senders found both meanwhile
 * (tgkill sends to every thread_t of the TID; a process-directed signal
 * picks none that is moving), so nothing sent is lost.
 */
void signal_forward(xptr_t new_xp);

/*
 * rt_sigtimedwait(2): takes a pending signal of @set for the calling
 * thread (its own first, then its process's) into *@info, waiting until
 * one comes, @deadline_tsc passes (absolute TSC; 0: no deadline; 1: do not
 * wait at all) or another signal that the thread does not block is
 * pending. While it waits the signals of @set are unblocked, so that
 * senders pick this thread (Linux does the same). A user thread.
 * @return the signal, -EAGAIN (the deadline passed), -EINTR.
 */
int64_t signal_timedwait(uint64_t set, ksiginfo_t *info, uint64_t deadline_tsc);

/*
 * A signal the calling thread does not block is pending for it (its own or
 * its process's), or its process is stopping or stopped: its interruptible
 * waits return -EINTR (or -ERESTARTSYS). Any thread (false for a kernel
 * thread).
 */
bool process_signal_pending(void);

/*
 * On the way back to user mode (thread_user_return), in the thread's
 * cluster, with interrupts off, @frame the user registers that trap_return
 * will restore: takes the lowest deliverable pending signal (see above): a
 * default action that ends the process never returns; a handler's frame is
 * built on the user stack and @frame set to enter it (sigframe.c). Returns
 * at once for a kernel thread or when nothing is deliverable.
 */
void signal_deliver(struct trap_frame_s *frame);

/* ---- sigstop.c: stop and continue (see "Stop and continue" above) --------------------- */

/* SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU. Pure. */
bool signal_is_stop(int sig);

/*
 * What sending @sig to the process @ref_xp (any cluster) does before the
 * signal is recorded, whatever the target blocks or ignores (Linux's
 * prepare_signal): a stop signal discards a pending SIGCONT; SIGCONT
 * discards pending stop signals and resumes the process if it is stopped
 * or stopping (every thread woken, in every cluster), with SIGCHLD
 * CLD_CONTINUED to the parent and a WCONTINUED report when the stop was
 * complete. Any thread; remote accesses to the reference and every
 * thread_t (under the copies lock), then the process-tree lock.
 */
void signal_jobctl_send(xptr_t ref_xp, int sig);

/*
 * The calling thread took stop signal @sig with action SIG_DFL, having
 * read sig_jobctl as @w before taking it: begins the group stop unless a
 * SIGCONT came since (the generation in @w is stale) or a stop is already
 * under way, and kicks every thread of the process. A user thread.
 */
void signal_stop_begin(xptr_t ref_xp, uint64_t w, int sig);

/*
 * If the calling thread's process is stopping or stopped: counts the
 * thread as parked (the last one completes the stop: SIGCHLD CLD_STOPPED
 * to the parent unless SA_NOCLDSTOP, and a WUNTRACED report) and sleeps
 * until a SIGCONT or a SIGKILL. Called by signal_deliver with interrupts
 * off (enabled while it sleeps). @return true if it parked (the caller
 * looks at its signals again), false if the process is not stopping.
 */
bool signal_stop_park(xptr_t ref_xp);

/*
 * A thread of the process @ref_xp exited (its nthreads count already
 * lowered) while the process may be stopping: if every remaining thread
 * is parked, the stop is complete and reported, as when the last one
 * parks. Any thread of the process; remote compare-and-swap.
 */
void signal_stop_thread_gone(xptr_t ref_xp);

/*
 * The child whose reference process_t is @child_xp (any cluster) changed
 * state: SIGCHLD with si_code @code (CLD_STOPPED, CLD_CONTINUED) and
 * si_status @status to its parent, unless the parent ignores SIGCHLD or
 * has SA_NOCLDSTOP; the parent's threads are woken for their waits in
 * any case. Takes the process-tree lock, then the parent's copies lock.
 */
void signal_child_notify(xptr_t child_xp, int32_t code, int32_t status);

/*
 * For the console (tty, man 4 tty_ioctl and Linux's drivers/tty/tty_io.c
 * tty_check_change / n_tty's job control): is @sig (SIGTTIN, SIGTTOU)
 * ignored (SIG_IGN) by the process of thread @t_xp or blocked by that
 * thread (any cluster, remote reads, no lock)? Linux's rule: a background
 * process that ignores or blocks SIGTTIN gets -EIO from a read of its
 * controlling terminal instead of being stopped; one that ignores or
 * blocks SIGTTOU may write (and set the terminal) without being stopped.
 * The console passes the calling thread: signal_is_ignored_or_blocked(
 * XPTR(local_cxy(), thread_current()), SIGTTIN). Also true for a default
 * action of "ignore" (SIGCHLD, SIGURG, SIGWINCH, SIGCONT).
 */
bool signal_is_ignored_or_blocked(xptr_t t_xp, int sig);

/* A thread of this process is kicked to notice a new signal (signal.c; see the top). */
void signal_kick(xptr_t t_xp);

/*
 * Posts SIGCHLD (si_code @code, si_pid @child_pid, si_status @status) to
 * the process @parent_xp (any cluster), process-directed, unless its
 * SIGCHLD action ignores it or (for CLD_STOPPED and CLD_CONTINUED) has
 * SA_NOCLDSTOP. Takes the process-tree lock, then the copies lock.
 */
void signal_child_post(xptr_t parent_xp, uint32_t child_pid, int32_t code, int32_t status);

/*
 * Would process @parent_xp (any cluster) have its ended children reaped
 * at once (SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT; man 2 wait, NOTES)?
 * Remote reads, no lock.
 */
bool signal_child_autoreap(xptr_t parent_xp);

/*
 * A fault in user mode that the VMM could not resolve, or an exception:
 * logs "pid N (name) segfault at ADDR ip RIP cluster C" and ends the
 * process with @sig.
 */
void process_fault_kill(struct trap_frame_s *frame, int sig, uint64_t addr) __attribute__((noreturn));

/* ---- sigframe.c: the user-mode frame of a handler ------------------------------------ */

/*
 * Builds Linux's x86_64 rt_sigframe (arch/x86/kernel/signal_64.c) for
 * signal @sig with disposition @act and siginfo @info on the calling
 * thread's user stack, or its alternate stack (SA_ONSTACK), below the red
 * zone: FXSAVE image 64-byte aligned, frame such that (rsp + 8) % 16 == 0
 * at the handler's entry; then points @frame at the handler with (sig,
 * &info, &uc) in rdi, rsi, rdx, a fresh FPU state, and the thread's mask
 * becomes old | sa_mask | sig (unless SA_NODEFER). A user thread with
 * interrupts enabled (the copies may fault). @return 0, or -EFAULT (no
 * SA_RESTORER, or the stack cannot be written: the caller kills with
 * SIGSEGV, as Linux's force_sigsegv).
 */
int sigframe_setup(struct trap_frame_s *frame, int sig, const ksigaction_t *act,
                   const ksiginfo_t *info);

/*
 * rt_sigreturn(2): restores the registers, FPU state, mask and alternate
 * stack (uc_stack, as sigaltstack(2) called by the handler would take it,
 * errors ignored: Linux's restore_altstack) saved by
 * sigframe_setup from the frame at @frame->rsp - 8, with what user space
 * controls sanitised (CS and SS the user selectors, only the arithmetic,
 * DF and AC bits of RFLAGS, RIP and RSP in user space, MXCSR's reserved
 * bits clear). A frame that cannot be read or is not acceptable ends the
 * process with SIGSEGV (never returns). A user thread, interrupts enabled.
 * @return the restored rax (the system call's return value).
 */
int64_t sigframe_return(struct trap_frame_s *frame);

/*
 * sigaltstack(2) for the calling thread: @ss (NULL: no change) becomes its
 * alternate stack, the old one is written to *@old (NULL: not wanted).
 * @return 0, -EPERM (changing it while running on it), -EINVAL (bad
 * ss_flags), -ENOMEM (ss_size < MINSIGSTKSZ).
 */
int sigframe_altstack(const kstack_t *ss, kstack_t *old, uint64_t user_rsp);

#endif
