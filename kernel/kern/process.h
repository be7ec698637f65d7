/*
 * process.h - user processes and their life cycle (ARCHITECTURE.md,
 * "Processes and threads").
 *
 * PID = (owner cxy << 16) | index in the owner's PID table (pid.h). The
 * owner cluster holds the reference process_t, which keeps the
 * process-wide state: parent/child links, the zombie state, files, cwd,
 * signals (signal.h), and the reference VSL and GPT. `fork` creates the
 * child by RPC in the cluster the DQDT (or the placement call) picks,
 * which becomes the child's owner and reference cluster.
 *
 * Threads (clone with CLONE_THREAD) run in any cluster, placed by the DQDT
 * or by their affinity mask (thread_user.h). The first thread of a process
 * in a cluster creates the process copy there: a process_t with its own
 * VSL and GPT copies (vmm.h), linked in the reference's copies list; the
 * last thread leaving a cluster tears its copy down (process_copy.h). A
 * thread's `process` is its local copy (process_copy_current()); the
 * reference, often in another cluster, is named by an xptr
 * (process_current_xp()) and reached only by remote access to its fields
 * (PROCESS_FIELD()). TIDs come from the owner's PID table (entries tagged
 * PID_TID); the main thread's TID is the PID.
 *
 * Thread accounting lives in the reference, under the copies lock
 * (process_t.copies_lock; process_copy.h): `nthreads` threads have not started
 * to exit and `live` threads are not reaped yet; in each copy
 * `local_threads` and `refs` count the same for that copy. The thread that
 * brings `nthreads` to 0 frees the process's memory and files
 * (process_release, in the reference cluster); the reaping that brings
 * `live` to 0 makes it a zombie.
 *
 * Exit and wait go through the owner: an exiting process closes its files,
 * frees its memory, hands its children to init (PID 1), becomes a zombie
 * and wakes its parent; the parent's wait4 collects the status and frees
 * the process_t by RPC in the child's cluster.
 */
#ifndef _PROCESS_H_
#define _PROCESS_H_

#include <stdint.h>
#include <stdbool.h>
#include "vmm.h"
#include "fdtable.h"
#include "busylock.h"
#include "xlist.h"
#include "pid.h"
#include "signal.h"
#include "itimer.h"
#include "cred.h"
#include "uapi/resource.h"

struct thread_s;
struct vfs_inode_s;
struct trap_frame_s;

#define PROCESS_ORDER    1         /* a process_t takes 2^1 pages of its cluster */

/* process_t.state */
#define PROCESS_RUNNING  1
#define PROCESS_ZOMBIE   2

typedef struct process_s {
    uint32_t           pid;
    uint32_t           ref_cxy;       /* reference cluster: holds VSL, GPT, fd table */
    struct process_s  *ref;           /* the reference process_t (itself in the reference) */
    xlist_entry_t      threads_root;  /* this copy's threads (thread_t.process_list) */
    uint32_t           local_threads; /* threads of this copy that have not started to exit */
    uint32_t           refs;          /* threads of this copy not yet reaped */
    uint32_t           nthreads;      /* reference: threads not exiting, all copies */
    uint32_t           live;          /* reference: threads not reaped, all copies */
    volatile uint32_t  group_exit;    /* reference: exit_group or a fatal signal is ending it */
    busylock_t         copies_lock;   /* reference: RANK_COPIES; copies_root, every copy's
                                         copy_list and threads_root, the thread counts */
    xlist_entry_t      copies_root;   /* reference: every other copy's copy_list */
    xlist_entry_t      copy_list;     /* copy: in the reference's copies_root */
    uint64_t           retired_faults[VMM_FAULT_KINDS]; /* reference: vmm.faults of the copies
                                                           torn down */
    xptr_t             parent;        /* the parent's process_t (its owner copy) */
    uint32_t           ppid;
    volatile uint32_t  state;         /* PROCESS_* */
    int32_t            wait_status;   /* Linux wait status, valid once a zombie */
    int32_t            fork_place;    /* cluster of the next fork's child, or -1 (DQDT) */
    uint32_t           pgid;          /* reference: process group (pgrp.h; pgrp lock) */
    uint32_t           sid;           /* reference: session (pgrp.h; pgrp lock) */
    uint32_t           execd;         /* reference: has exec'd since fork (setpgid's EACCES) */
    itimer_t           itimer;        /* reference: ITIMER_REAL (itimer.h) */
    itimer_t           ptimer[PTIMER_MAX]; /* reference: the POSIX timers, by timer_t */
    busylock_t         children_lock; /* RANK_PID: children_root and every child's sibling */
    xlist_entry_t      children_root;
    xlist_entry_t      sibling;       /* in the parent's children_root */
    struct thread_s   *thread;        /* the first thread (PID 1's start) */
    struct vfs_inode_s *cwd;
    cred_t             cred;          /* reference: user and group IDs (cred.h; zero: root) */
    krlimit64_t        rlim[RLIM_NLIMITS]; /* reference: resource limits (sys_rlimit.c), inherited
                                              over fork and exec */
    uint32_t           umask;         /* reference: file mode creation mask (umask(2)), 0022 at
                                         boot, inherited over fork and exec */
    volatile uint64_t  sig_pending;   /* reference: process-directed signals, bit (sig - 1) */
    uint64_t           sig_from[NSIG];/* reference: sender of each: pid | si_code << 32 */
    int32_t            sig_chld_status; /* reference: si_status of the pending SIGCHLD */
    busylock_t         sigq_lock;     /* reference: RANK_SIGQ; sigq (sigqueue.c) */
    sigq_t             sigq;          /* reference: queued signals and their siginfo */
    volatile uint64_t  sig_jobctl;    /* reference: group stop and its reports to wait
                                         (SIG_JOBCTL_*, signal.h "Stop and continue") */
    ksigaction_t       sigaction[NSIG];
    uint64_t           start_tsc;
    char               name[16];      /* basename of the program */
    fd_table_t         fds;
    vmm_t              vmm;
} process_t;

/* An xptr to field @field of the process_t named by the xptr @xp (any cluster). */
#define PROCESS_FIELD(xp, field) XPTR(GET_CXY(xp), &((process_t *)GET_PTR(xp))->field)

/*
 * The lock of the process tree (RANK_PTREE, a remote busylock in cluster
 * 0): every process's parent, ppid, children list and sibling link, and
 * the zombie transition of its state; signals are posted under it.
 */
xptr_t process_tree_lock(void);

/* The reference process_t of copy @p (local), as an xptr. */
static inline xptr_t process_ref_xp(const process_t *p)
{
    return XPTR(p->ref_cxy, p->ref);
}

/*
 * Starts PID 1 from the initramfs: /sbin/init with @argv (NULL-terminated,
 * kernel strings), on the calling cluster. BSP, once, at boot.
 * @return 0 or -errno (the boot reports it).
 */
int process_init_start(const char *path, char *const argv[]);

/*
 * The calling thread's process, as an xptr to its reference process_t,
 * which holds the process-wide state and may be in another cluster: its
 * fields are read and written with hal_remote_* on PROCESS_FIELD(), never
 * through a pointer. XPTR_NULL for a kernel thread. Any cluster.
 */
xptr_t process_current_xp(void);

/*
 * The calling thread's process copy, in the calling cluster (local by
 * construction: a plain pointer); NULL for a kernel thread. Its pid,
 * ref_cxy, ref and name are those of the reference.
 */
process_t *process_copy_current(void);

/* The PID of the calling user thread's process (read in its local copy). */
uint32_t process_current_pid(void);

/*
 * The calling user thread's process's reference vmm_t / fd table: a
 * direct-map pointer into the reference cluster, for the vmm_* calls that
 * take the reference copy from any cluster (vmm.h) and for fdtable.h
 * (reached from any cluster). Never dereferenced by the caller.
 */
vmm_t *process_current_vmm(void);
fd_table_t *process_current_fds(void);

/*
 * fork(2): creates the child by RPC in the cluster chosen by the DQDT or by
 * the placement call (process_t.fork_place, used once), with a copy of the
 * parent's address space (vmm_fork_copy + vmm_set_cow), files, cwd and
 * signal dispositions; the child returns 0 from the system call whose
 * frame is @frame, with @child_sp as its stack pointer when not 0 (clone).
 * Runs in the parent's thread. @return the child's PID, or -ENOMEM, -EAGAIN
 * (PID table full), -EINVAL (bad placement).
 */
int64_t process_fork(const struct trap_frame_s *frame, uint64_t child_sp);

/*
 * execve(2) of @path with @argv / @envp (user pointers), replacing the
 * calling process's image; on success the frame returns to the new
 * program's entry. @return 0, or -ENOENT, -ENOTDIR, -EACCES, -ENOEXEC,
 * -EFAULT, -E2BIG, -ENAMETOOLONG, -ENOMEM (before the old image is gone),
 * -EBUSY (the process has other threads, or the caller is not in the
 * reference cluster: Linux would end the other threads first).
 */
int process_exec(struct trap_frame_s *frame, uint64_t path, uint64_t argv, uint64_t envp);

/*
 * Replaces the image of process @p (local) with the program at @path and
 * the kernel strings @argv / @envp (NULL-terminated), and sets @frame to
 * enter it. process_exec() after copying the user strings; also how PID 1
 * starts. Same errors as process_exec() (-E2BIG when the strings exceed
 * 64 KiB); a failure after the old image is gone ends the process.
 */
int process_exec_image(process_t *p, struct trap_frame_s *frame, const char *path,
                       char *const argv[], char *const envp[]);

/* Names @p after the last component of @path (16 bytes kept), as /proc shows it. */
void process_set_name(process_t *p, const char *path);

/*
 * exit_group(2): ends the calling process, every thread in every cluster,
 * with Linux wait status @wait_status (exit code << 8, or the signal
 * number). Never returns.
 */
void process_exit(int32_t wait_status) __attribute__((noreturn));

/*
 * exit(2) of the calling thread: clears and wakes its clear_child_tid word,
 * walks its robust futex list, leaves its process copy (tearing the copy
 * down when it is the last thread there) and, when it is the last thread
 * of the process, ends the process with @wait_status. With @group, first
 * makes every other thread of the process exit (exit_group). Never returns.
 */
void process_thread_exit(int32_t wait_status, bool group) __attribute__((noreturn));

/* What process_waitid() found: one child's change of state. */
typedef struct process_waited_s {
    uint32_t pid;                 /* the child */
    int32_t  status;              /* as wait4(2) reports it: exit code << 8 | signal,
                                     0x7f | sig << 8 (stopped), 0xffff (continued) */
    int32_t  code;                /* as waitid(2) reports it: si_code CLD_EXITED, CLD_KILLED,
                                     CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED ... */
    int32_t  si_status;           /* ... and si_status: the exit code or the signal */
} process_waited_t;

/* process_waitid()'s @want for "any child" (wait4's -1, waitid's P_ALL) */
#define PROCESS_WAIT_ANY INT64_MIN

/*
 * The wait of wait4(2) and waitid(2) (process_wait.c; man 2 wait, Linux's
 * kernel/exit.c do_wait): for a child of the calling process matching
 * @want (PROCESS_WAIT_ANY; > 0 that PID; < 0 a member of process group
 * -@want), reports in *@out the first change that @options asks for, in
 * this order: ended (WEXITED; the zombie is freed, by RPC in its cluster,
 * unless WNOWAIT), stopped (WSTOPPED == WUNTRACED; once per stop unless
 * WNOWAIT) or continued (WCONTINUED; once per continue unless WNOWAIT).
 * Sleeps until one comes unless WNOHANG. A user thread, any cluster;
 * takes the process-tree lock, then RPC_PROCESS_DESTROY.
 * @return the child's PID, 0 (WNOHANG: nothing to report), -ECHILD (no
 * matching child: with SIGCHLD ignored or SA_NOCLDWAIT, once the last one
 * ended), -ERESTARTSYS (a signal came: signal.h).
 */
int64_t process_waitid(int64_t want, uint32_t options, process_waited_t *out);

/*
 * wait4(2) for child @pid (-1: any; 0: any of the caller's process group;
 * < -1: any of process group -@pid) with @options (WNOHANG, WUNTRACED,
 * WCONTINUED; WEXITED is implied). @return the PID with its status in
 * *@status, or as process_waitid().
 */
int64_t process_wait(int64_t pid, int32_t *status, uint32_t options);

/*
 * A thread of copy @p has been freed (sched_reap, in @p's cluster): the
 * copy is freed after its last thread, and the process becomes a zombie
 * (its parent woken) after its very last one.
 */
void process_thread_reaped(process_t *p);

/*
 * The calling thread, or a thread that could not be created (@count_only),
 * leaves copy @p (local): the copy is torn down when it was its last thread
 * (but the reference), and the process released when it was the last one
 * (process_copy_leave); PID 1's end powers the machine off. Runs in @p's
 * cluster; takes the copies lock, then may send RPC_PROCESS_RELEASE to
 * the reference cluster.
 */
void process_leave(process_t *p, int32_t wait_status, bool count_only);

/* RPC handlers (rpc_table): RPC_PROCESS_FORK, RPC_PROCESS_DESTROY, RPC_PROCESS_RELEASE. */
void process_make_fork(xptr_t desc);
void process_rpc_destroy(xptr_t desc);
void process_rpc_release(xptr_t desc);

#endif
