/*
 * signal.h - signals (ARCHITECTURE.md, "Processes and threads"): the Linux
 * numbers, the per-process state, sending, and taking a signal at the
 * return to user mode.
 *
 * The dispositions (sigaction), the blocked mask and the pending set of a
 * process live in its reference process_t (process.h). A sender in any
 * cluster sets the signal's bit in the pending set by remote atomic, under
 * the process-tree lock so that no zombie gets one, and wakes every thread
 * of the target (their blocking waits return -EINTR); each thread takes it
 * at its next return to user mode (signal_deliver). Only default actions
 * exist: a signal that is not ignored (SIG_IGN, or a default action of
 * "ignore") ends the process, with the signal number as its wait status.
 */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_remote.h"
#include "uapi/signal.h"
#include "uapi/signal_defs.h"

struct process_s;
struct trap_frame_s;


/*
 * fork(2): the child @child (local, not yet visible) gets the signal
 * dispositions and the blocked mask of the parent process whose reference
 * is @parent_xp (any cluster, read by remote access); nothing is pending.
 */
void signal_fork_copy(struct process_s *child, xptr_t parent_xp);

/*
 * rt_sigaction(2)'s state: the disposition of signal @sig (1..NSIG) of the
 * calling process, read into *@act / replaced by *@act (the caller has
 * refused SIGKILL and SIGSTOP). A user thread, any cluster: remote access
 * to the reference process_t, no lock.
 */
void signal_get_action(int sig, ksigaction_t *act);
void signal_set_action(int sig, const ksigaction_t *act);

/* The calling process's blocked mask (rt_sigprocmask(2)'s old set). A user thread, any cluster. */
uint64_t signal_blocked(void);

/*
 * rt_sigprocmask(2): changes the calling process's blocked mask by @how
 * (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK) with @set; SIGKILL and SIGSTOP are
 * never blocked. A user thread, any cluster (remote access to the
 * reference process_t, no lock). @return 0, or -EINVAL (unknown @how).
 */
int signal_procmask(uint64_t how, uint64_t set);

/*
 * kill(2): sends @sig to process @pid (any cluster; 0 and -1: the calling
 * process, < -1: process -@pid, no process groups). Only default actions
 * exist: SIGCHLD, SIGURG, SIGWINCH, SIGCONT and ignored signals are
 * dropped, every other one ends the target. @return 0, -ESRCH, -EINVAL.
 */
int process_kill(int64_t pid, int sig);

/* A signal that ends the calling process is pending (blocking calls return -EINTR). */
bool process_signal_pending(void);

/*
 * On the way back to user mode (thread_user_return), in the thread's
 * cluster, with interrupts off: acts on the pending signals of the calling
 * thread's process: the lowest one's default action ends the process (then
 * it enables interrupts and never returns). Returns with nothing done for a
 * kernel thread or when no signal is pending.
 */
void signal_deliver(void);

/*
 * A fault in user mode that the VMM could not resolve, or an exception:
 * logs "pid N (name) segfault at ADDR ip RIP cluster C" and ends the
 * process with @sig.
 */
void process_fault_kill(struct trap_frame_s *frame, int sig, uint64_t addr) __attribute__((noreturn));

#endif
