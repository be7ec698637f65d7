/*
 * thread_user.h - the threads of user processes: clone, migration,
 * affinity and placement (ARCHITECTURE.md, "Processes and threads").
 *
 * A user thread runs in any cluster, in the process copy of that cluster
 * (process_copy.h), which its arrival creates when it is the first one
 * there. A new thread is placed by the DQDT when its affinity mask allows
 * every core, else on the least loaded allowed core; it is created by
 * RPC_THREAD_USER in its cluster from a description in the creator's
 * memory (registers, FPU state, FS base, TID, affinity). A thread never
 * migrates: when its core leaves its affinity mask (sched_setaffinity), it
 * is replaced, at its next return to user mode, by a new thread with the
 * same registers and TID on an allowed core, and ends. TIDs come from the
 * owner's PID table (pid.h).
 */
#ifndef _THREAD_USER_H_
#define _THREAD_USER_H_

#include <stdint.h>
#include "hal_remote.h"
#include "uapi/sched.h"

struct trap_frame_s;


/*
 * clone(2) with CLONE_THREAD: a new thread of the calling process that
 * starts from the caller's registers (@frame) with rax 0, stack @newsp,
 * FS base @tls (CLONE_SETTLS), in the cluster the DQDT picks or on a core
 * of the caller's affinity mask. @ptid / @ctid: CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID (user addresses). Runs in the
 * caller; RPC_THREAD_USER to the target cluster. @return the new TID, or
 * -EINVAL (flags), -EFAULT (@ptid / @ctid), -EAGAIN (TID table full, or
 * the process is exiting), -ENOMEM.
 */
int64_t process_clone_thread(const struct trap_frame_s *frame, uint64_t flags, uint64_t newsp,
                             uint64_t ptid, uint64_t ctid, uint64_t tls);

/*
 * sched_setaffinity(2): @tid 0 is the caller; else a thread of the calling
 * process. @mask (kernel copy, @words 64-bit words, bit = core gid) must
 * name at least one core. A thread whose core is no longer allowed moves
 * to an allowed core at its next return to user mode (the caller: before
 * this call returns to it). @return 0, -EINVAL (no core), -ESRCH.
 */
int process_set_affinity(uint32_t tid, const uint64_t *mask, uint32_t words);

/* sched_getaffinity(2): the mask of thread @tid (0: the caller) into @mask. @return 0, -ESRCH. */
int process_get_affinity(uint32_t tid, uint64_t *mask, uint32_t words);

/*
 * Moves the calling thread to an allowed core when its own is no longer in
 * its affinity mask (thread_t.migrate was set): a new thread there takes
 * over its registers (@frame, about to return to user mode) and TID; this
 * one leaves its copy and ends without a trace. When the new thread cannot
 * be made (no memory there), the thread stays and may try again at its
 * next return. Runs on the way back to user mode (thread_user_return), with
 * interrupts enabled; RPC_THREAD_USER to the target cluster.
 */
void thread_user_migrate(struct trap_frame_s *frame);

/*
 * The least loaded core (local index) of the calling cluster, for the
 * first thread of a new process. Reads the run queues' counts unlocked.
 */
uint32_t thread_user_pick_core(void);

/* Fills @mask (CPU_SET_WORDS words, bit = core gid) with every core of the machine. */
void thread_user_affinity_all(uint64_t *mask);

/*
 * The calling thread leaves its page table, which may be freed next, for
 * the kernel's (CR3): exit and migration, before leaving the process copy.
 */
void thread_user_leave_gpt(void);

/*
 * The work of a user thread on its way back to user mode (trap_entry.S,
 * before the frame is restored; Linux calls it exit_to_user_mode), in the
 * thread's cluster: pending signals (signal_deliver), then a move to an
 * allowed core when its own left its affinity mask (thread_user_migrate).
 * Called with interrupts off; may enable them; returns with them off, or
 * never (the process ended, the thread moved away). Declared for the HAL
 * in hal_upcalls.h too.
 * @frame : the user context that IRETQ restores.
 */
void thread_user_return(struct trap_frame_s *frame);

/* RPC handler (rpc_table): RPC_THREAD_USER, a user thread created in the server cluster. */
void process_rpc_thread(xptr_t desc);

#endif
