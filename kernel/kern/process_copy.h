/*
 * process_copy.h - process copies, the list that links them and their
 * thread accounting (ARCHITECTURE.md, "Processes and threads"; process.h).
 *
 * A process copy is a process_t in a cluster that runs threads of the
 * process: its own VSL and GPT copies (vmm.h), linked in the reference's
 * copies list (process_t.copies_root, through each copy's copy_list),
 * the reference being a copy too, not in the list. The first thread of a process in a cluster creates the copy there
 * (process_copy_get); the last thread to leave it tears it down
 * (process_copy_leave) and its last reaping frees it (process_copy_reaped).
 * The VMM asks for the copies it must update (process_copy_vmms): a
 * downgrade reaches every copy.
 *
 * One lock, the copies lock (the reference's process_t.copies_lock,
 * RANK_COPIES, a busylock), guards the copies list, every copy's threads
 * list and the counts: in the reference, `nthreads` threads have not
 * started to exit and `live` threads are not reaped yet, all copies
 * together; in each copy, `local_threads` and `refs` count the same for
 * that copy. A copy is unlinked only under vmm_ref_freeze() as well (the
 * reference VSL and GPT locks, vmm.h), so a downgrade round that holds one
 * of those never meets a freed copy.
 */
#ifndef _PROCESS_COPY_H_
#define _PROCESS_COPY_H_

#include <stdint.h>
#include <stdbool.h>
#include "process.h"

struct thread_s;

/* The copies lock (RANK_COPIES) of the process whose reference is @ref_xp. */
static inline xptr_t process_copies_lock(xptr_t ref_xp)
{
    return PROCESS_FIELD(ref_xp, copies_lock);
}

/*
 * Initialises the copies lock and the copies list of the new, zeroed
 * process_t @p (local), a reference or a copy: every process_t has them,
 * the reference's are used. Runs in @p's cluster, before @p is published.
 */
void process_copies_init(process_t *p);

/*
 * Links the copy @copy (local; its ref_cxy and ref set, its vmm
 * initialised as a copy) in its reference's copies list: from then on
 * every downgrade reaches it. Runs in @copy's cluster, before any thread
 * runs on it. Caller holds the copies lock.
 */
void process_copy_link_locked(process_t *copy);

/*
 * Unlinks the copy @copy (local) from its reference's copies list and adds
 * its fault counters (vmm_t.faults) to the reference's retired_faults, so
 * that the process's totals keep them. Runs in @copy's cluster. Caller
 * holds vmm_ref_freeze(&@copy->vmm), then the copies lock. The copy's VSL
 * and GPT are then vmm_destroy()ed by its cluster.
 */
void process_copy_unlink_locked(process_t *copy);

/*
 * The copies of an address space for a downgrade: the vmm_t of every copy
 * of the process whose reference vmm_t (process_t.vmm, as every vmm_t) is
 * @ref_vmm, the reference excepted, as xptrs into *@out (room for
 * MAX_CLUSTERS). Any cluster; takes the copies lock. The list may change
 * once it is released: the caller holds the reference VSL for writing or
 * the reference GPT lock, so that none of them goes (vmm_ref_freeze).
 * @return how many copies.
 */
uint32_t process_copy_vmms(xptr_t ref_vmm, xptr_t *out);

/*
 * The fault counters of a process (process_counters): the faults resolved
 * in all its address spaces, by kind, and how many copies it has. Each
 * copy counts its own (vmm_t.faults, vmm_fault.c); the totals belong here,
 * with the copies, because only the copies lock counts every copy exactly
 * once: a torn-down copy's counts move into the reference's retired_faults
 * under that lock, as it leaves the list (process_copy_unlink_locked).
 */
typedef struct process_counters_s {
    uint64_t faults[VMM_FAULT_KINDS];  /* by kind, as vmm_t.faults */
    uint32_t copies;                /* copies now, the reference included */
} process_counters_t;

/*
 * The fault counters of the process whose reference is @ref_xp, summed
 * over every copy, live or torn down, into *@out. Any cluster; takes the
 * copies lock.
 */
void process_counters(xptr_t ref_xp, process_counters_t *out);

/*
 * The local copy of the process @ref_xp, created (empty VSL and GPT,
 * linked in the copies list) when this is its first thread here, with a
 * thread's place reserved in every count. Runs in the cluster of the copy
 * (RPC_THREAD_USER); takes the copies lock, and the PPM and the VMM's
 * allocators without it. @err receives the error.
 * @return the copy, or NULL with *@err = -ENOMEM, or -EAGAIN when the
 *         process is exiting.
 */
process_t *process_copy_get(xptr_t ref_xp, int *err);

/*
 * Links the new thread @t in copy @p's threads list (local). The caller
 * has reserved its place (process_copy_get, or a new process). Runs in
 * @p's cluster; takes the copies lock.
 */
void process_copy_link_thread(process_t *p, struct thread_s *t);

/*
 * Calls @fn(@thread, @arg) for every thread of the process @ref_xp, in
 * every copy, under the copies lock (@fn takes no lock of rank <=
 * RANK_COPIES and does not block). Any cluster.
 */
void process_foreach_thread(xptr_t ref_xp, void (*fn)(xptr_t thread, void *arg), void *arg);

/*
 * Wakes every thread of the process @ref_xp (THREAD_BLOCKED_SLEEP), in
 * every cluster: kill, exit_group, a child's exit. Any cluster; takes the
 * copies lock.
 */
void process_wake_all(xptr_t ref_xp);

/*
 * Threads of the process whose reference is @ref (local) that have not
 * started to exit, in every copy. Runs in the reference cluster.
 */
uint32_t process_threads(process_t *ref);

/*
 * The calling thread, or a thread that could not be created (@count_only:
 * only its reserved place is given back), leaves copy @p (local): unlinks
 * it, counts it out, records @wait_status as the process's when it is the
 * very last thread and no exit_group has set one, and, when it was the
 * copy's last thread (the reference excepted), unlinks the copy and
 * destroys its VSL and GPT (the process_t itself waits for
 * process_copy_reaped). Traces TRACE_EXIT (not for @count_only) and
 * TRACE_COPY. Runs in @p's cluster; takes the reference VSL and GPT locks
 * (vmm_ref_freeze), then the copies lock.
 * @return true when it was the last thread of the process: the caller
 *         ends the process (process_leave).
 */
bool process_copy_leave(process_t *p, int32_t wait_status, bool count_only);

/*
 * A thread of copy @p has been reaped (or never started): counts it out,
 * and frees the copy's process_t after its last one (not the reference's).
 * Runs in @p's cluster; takes the copies lock.
 * @return true when it was the very last thread of the process: the caller
 *         makes the process a zombie (process_thread_reaped).
 */
bool process_copy_reaped(process_t *p);

#endif
