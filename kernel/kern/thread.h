/*
 * thread.h - kernel threads.
 *
 * A thread_t and its kernel stack are allocated in the cluster of the core
 * that runs it (invariant 1); a thread never migrates. A thread is named
 * across clusters by the xptr_t of its thread_t.
 *
 * Blocking: a thread is runnable when its `blocked` mask is 0. It blocks
 * itself by setting a reason bit, re-checking its wait condition, and
 * yielding; anybody, in any cluster, unblocks it by clearing that bit
 * (remote atomic) and waking its core with an IPI. A wake-up that comes
 * between the set and the yield is never lost: the re-check sees it, and a
 * thread preempted by an interrupt inside that window stays runnable
 * (`preempted`) until it reaches its own yield. Every wait loops on its
 * condition, so a stale wake-up only costs a re-check.
 */
#ifndef _THREAD_H_
#define _THREAD_H_

#include <stdint.h>
#include <stdbool.h>
#include "list.h"
#include "xlist.h"
#include "lock_rank.h"
#include "hal_remote.h"
#include "uapi/signal.h"

struct core_s;
struct page_s;
struct process_s;
struct hal_gpt_s;
struct trap_frame_s;

#define THREAD_MAGIC 0x44524854u          /* "THRD" */
#define CPU_SET_WORDS ((MAX_CLUSTERS * MAX_CORES_PER_CLUSTER + 63) / 64)  /* affinity mask, by gid */
#define THREAD_STACK_ORDER 2              /* 16 KiB kernel stacks */

typedef enum thread_type_e {
    THREAD_IDLE,     /* one per core: runs when nothing else can */
    THREAD_KERNEL,   /* kernel work (tests, daemons) */
    THREAD_RPC,      /* RPC server of its core (rpc.h) */
    THREAD_USER,     /* runs a user program: a process's thread (process.h) */
} thread_type_t;

/* thread_t.blocked reasons */
#define THREAD_BLOCKED_IDLE  0x01u        /* RPC server without work */
#define THREAD_BLOCKED_LOCK  0x02u        /* waiting for a queuelock or rwlock */
#define THREAD_BLOCKED_RPC   0x04u        /* RPC client waiting for its replies */
#define THREAD_BLOCKED_SLEEP 0x08u        /* waiting for an explicit thread_unblock */
#define THREAD_BLOCKED_EXIT  0x80u        /* finished: the idle thread will free it */

typedef struct thread_s {
    uint64_t          rsp;                /* saved stack pointer; first: context.S uses it */
    uint32_t          magic;              /* THREAD_MAGIC while alive */
    thread_type_t     type;
    uint32_t          trdid;              /* cxy << 16 | core lid << 8 | serial */
    volatile uint32_t blocked;            /* THREAD_BLOCKED_* bits; 0 = runnable */
    uint32_t          preempted;          /* descheduled by an interrupt: runnable whatever
                                             its bits until it yields itself (own core only) */
    volatile uint32_t wait_granted;       /* a lock's releaser handed it over (queuelock, rwlock) */
    struct core_s    *core;               /* the core that runs it */
    list_entry_t      sched_list;         /* in core->sched.threads, guarded by its lock */
    xlist_entry_t     wait_list;          /* in a lock's waiters, guarded by the lock's guard */
    void            (*entry)(void *);
    void             *arg;
    struct page_s    *stack;              /* kernel stack pages (NULL for the idle thread) */
    uint64_t          stack_top;
    uint64_t          switches;           /* times it was switched to */
    lock_trace_t      locks;              /* locks held (DEBUG rank checker) */
    struct rpc_desc_s *rpc_wait;          /* the RPC this thread waits for, or NULL */
    uint64_t          rpc_since;          /* TSC when it was posted */
    uint32_t          rpc_server;         /* cluster it was sent to */
    uint32_t          rpc_reported;       /* the watchdog already reported it */
    volatile uint64_t wake_tsc;           /* THREAD_BLOCKED_SLEEP ends by itself at this TSC (0: never) */
    /* the wait in progress, for the hung-task detector and sysrq (hung_task.h) */
    volatile uint64_t wait_since;         /* TSC when the current wait began; 0: not waiting */
    uintptr_t         wchan_pc;           /* the caller of the wait primitive (a kernel address) */
    const char       *wchan;              /* what it waits on (a lock's name, an RPC type) or NULL */
    uint32_t          hung_reported;      /* this wait was reported (once per wait) */
    char              name[16];
    /* THREAD_USER only */
    struct process_s *process;            /* the process copy it belongs to (same cluster) */
    struct hal_gpt_s *gpt;                /* the page table it runs on (NULL: the kernel's) */
    void             *fpu;                /* user FPU/SSE state, HAL_FPU_SIZE bytes */
    uint64_t          fs_base;            /* user FS base (arch_prctl ARCH_SET_FS) */
    uint64_t          clear_child_tid;    /* set_tid_address(2): user address */
    uint64_t          robust_list;        /* set_robust_list(2): user address of the head */
    uint32_t          tid;                /* Linux TID (the main thread's is the PID) */
    volatile uint32_t migrate;            /* its core left its affinity: moves at its next
                                             return to user mode (thread_user.c) */
    xlist_entry_t     process_list;       /* in its process copy's threads_root */
    uint64_t          affinity[CPU_SET_WORDS]; /* sched_setaffinity(2): allowed cores by gid */
    /* signals (signal.h): the thread's own; senders in any cluster set sig_pending */
    volatile uint64_t sig_pending;        /* thread-directed (tkill, tgkill): bit (sig - 1) */
    uint64_t          sig_blocked;        /* rt_sigprocmask(2): bit (sig - 1); own thread only */
    kstack_t          sig_altstack;       /* sigaltstack(2); ss_size 0: none */
    uint64_t          sig_from[NSIG];     /* sender of each pending signal: pid | si_code << 32 */
    uint64_t          sig_addr;           /* si_addr of the pending fault signal (signal_force_fault) */
    uint32_t          sig_accerr;         /* the last unresolved page fault hit a vseg (SEGV_ACCERR) */
    uint64_t          sig_saved;          /* rt_sigsuspend(2): the mask to restore ... */
    uint32_t          sig_restore;        /* ... when set: after the handler's frame is built */
    volatile uint32_t sig_moving;         /* migrating: senders prefer its new thread_t, and
                                             what still reaches this one is forwarded */
    uint32_t          sig_restart_kind;   /* what restart_syscall(2) resumes: SIG_RESTART_* */
    uint64_t          sig_restart_deadline; /* ... its TSC deadline ... */
    uint64_t          sig_restart_arg[3]; /* ... and its arguments (signal.h) */
} thread_t;

/* The thread running on the calling core (NULL before its scheduler exists). */
thread_t *thread_current(void);

/*
 * Creates a kernel thread on local core @lid, runnable, that runs
 * @entry(@arg) and exits when @entry returns.
 * Runs in the cluster of the target core (creating in another cluster is an
 * RPC: RPC_THREAD_CREATE). Takes the KCM, PPM and target scheduler locks.
 * @type  : THREAD_KERNEL or THREAD_RPC.
 * @name  : copied, at most 15 characters kept.
 * @return the thread, or NULL when the cluster is out of memory.
 */
thread_t *thread_create(uint32_t lid, thread_type_t type, void (*entry)(void *), void *arg,
                        const char *name);

/*
 * Blocks the calling thread for @reason until thread_unblock() clears it,
 * then returns. Must hold no busylock (checked). Any thread but idle.
 */
void thread_block(uint32_t reason);

/*
 * Blocks the calling thread for @reason until @done(@arg) is true. The
 * condition is re-checked after the reason bit is set, so a wake-up
 * (thread_unblock for @reason) that comes at any moment is never lost, and
 * a stale one only costs a re-check. Threads only; no busylock held.
 */
void thread_wait(uint32_t reason, bool (*done)(const void *arg), const void *arg);

/*
 * Sets @reason in the calling thread's mask without yielding: the first half
 * of a wait whose condition the caller re-checks before sched_yield().
 */
void thread_set_blocked(uint32_t reason);

/* Clears @reason from the calling thread's mask (the wait was not needed). */
void thread_clear_blocked(uint32_t reason);

/*
 * The scheduler's note that @t (the calling core's current thread) runs
 * again: when nothing blocks it any more its wait is over (wait_since,
 * wchan: the hung-task detector's view, hung_task.h). Own core only.
 */
void thread_resumed(thread_t *t);

/*
 * Clears @reason in the mask of the thread @thread (any cluster) and, if it
 * was blocked for @reason, asks its core to reschedule (an IPI when it is
 * another core). Any context.
 */
void thread_unblock(xptr_t thread, uint32_t reason);

/*
 * Lock hand-over: thread_grant() marks the waiter @thread as granted and
 * unblocks it (THREAD_BLOCKED_LOCK); thread_wait_granted() returns once the
 * calling thread has been granted, whatever wake-ups come meanwhile.
 */
void thread_grant(xptr_t thread);
void thread_wait_granted(void);

/*
 * Creates a user thread of @process on local core @lid that will enter
 * user mode with the registers of @frame (copied to the top of its kernel
 * stack), the FPU state @fpu (NULL: a fresh one) and FS base @fs_base. It
 * starts blocked (THREAD_BLOCKED_SLEEP): the caller unblocks it once the
 * process is complete. Runs in the process copy's cluster.
 * @return the thread or NULL (-ENOMEM).
 */
thread_t *thread_user_create(uint32_t lid, struct process_s *process,
                             const struct trap_frame_s *frame, const void *fpu,
                             uint64_t fs_base, const char *name);

/* The user register frame of user thread @t: the top of its kernel stack. */
struct trap_frame_s *thread_user_frame(thread_t *t);

/*
 * Called by the scheduler with interrupts off just before switching from
 * @cur to @next: saves @cur's user FPU state, loads @next's page table,
 * kernel stack (TSS.RSP0, SYSCALL stack) and user state.
 */
void thread_switch_prepare(thread_t *cur, thread_t *next);

/*
 * Sleeps until TSC @deadline (cycles), or until thread_unblock(...,
 * THREAD_BLOCKED_SLEEP) or @stop(@arg) (may be NULL) ends the wait early.
 * The scheduler wakes it at the first tick (TICK_US) after @deadline.
 * @return true when the deadline passed.
 */
bool thread_sleep_until(uint64_t deadline, bool (*stop)(const void *arg), const void *arg);

/* Ends the calling thread; its memory is freed by its core's idle thread. */
void thread_exit(void) __attribute__((noreturn));

#endif
