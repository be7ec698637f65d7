/*
 * pgrp.h - process groups and sessions (credentials(7), setpgid(2),
 * setsid(2)), and kill(2) to a group or to every process.
 *
 * A process's pgid and sid live in its reference process_t (process.h),
 * which is its owner copy, the one its PID table entry names (pid.h): the
 * owner cluster rule of ARCHITECTURE.md for process-level state. They are
 * written only under the pgrp lock (cluster_t.pgrp_lock of cluster 0,
 * RANK_PGRP, taken by remote access from any cluster) and read by remote
 * access. A process group or session has no object of its own: its
 * members are found by walking the PID tables of every cluster (each
 * under its own lock, RANK_PID, taken inside the pgrp lock when both are
 * needed), as kill(-pgrp) must in any case reach processes of every
 * cluster. fork copies both ids to the child; exec keeps them; init
 * (PID 1) is its own session and group leader.
 */
#ifndef _PGRP_H_
#define _PGRP_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_remote.h"

struct process_s;

/*
 * fork(2): the new child @child (local, not yet running) joins the process
 * group and session of its parent, whose reference process_t is
 * @parent_xp (any cluster). Takes the pgrp lock.
 */
void pgrp_fork_copy(struct process_s *child, xptr_t parent_xp);

/*
 * setpgid(2) for the calling process: moves process @pid (0: the caller)
 * into group @pgid (0: @pid). A user thread, any cluster; takes the pgrp
 * lock, then the PID tables' locks. @return 0, or -EINVAL (@pgid < 0, or
 * @pid names a thread that is not a main thread), -ESRCH (@pid is neither
 * the caller nor a child of it), -EACCES (that child has exec'd), -EPERM
 * (@pid is a session leader, or a child in another session, or no group
 * @pgid exists in the caller's session).
 */
int pgrp_setpgid(int64_t pid, int64_t pgid);

/*
 * getpgid(2) / getsid(2): the process group / session of process @pid
 * (0: the caller). Any cluster. @return it, or -ESRCH (no such process).
 */
int64_t pgrp_getpgid(int64_t pid);
int64_t pgrp_getsid(int64_t pid);

/*
 * setsid(2): the calling process becomes the leader of a new session and
 * of a new process group, both numbered by its PID. Takes the pgrp lock.
 * @return the new session id, or -EPERM (the caller already leads a group).
 */
int64_t pgrp_setsid(void);

/*
 * kill(2) for @pid <= 0: signal @sig (0: existence probe) to every process
 * of the caller's group (@pid 0), of group -@pid (@pid < -1), or to every
 * process but init and the caller (@pid -1), in every cluster, each by
 * process_kill() (signal.h). A user thread, any cluster; takes the PID
 * tables' locks (one at a time, never while sending). @return 0 when at
 * least one process was signalled, else -ESRCH (nobody to signal) or the
 * error of the last try; -EINVAL (bad @sig).
 */
int pgrp_kill(int64_t pid, int sig);

/*
 * Is process group @pgid orphaned (POSIX; Linux's will_become_orphaned_pgrp,
 * kernel/exit.c): no member that is not a zombie has a parent in another
 * group of the same session (a parent that is init does not count)? A
 * group without members is orphaned. Linux's job-control rules built on
 * it: SIGTSTP, SIGTTIN and SIGTTOU taken with their default action by a
 * process of an orphaned group are discarded instead of stopping it
 * (signal_deliver; man 7 signal), and the tty makes a background read of
 * an orphaned group fail with -EIO instead of sending SIGTTIN (as it does
 * for a reader that ignores or blocks SIGTTIN: signal_is_ignored_or_blocked
 * in signal.h), and likewise a TOSTOP write instead of SIGTTOU. Any
 * thread; takes the PID tables' locks, the process-tree lock inside them.
 */
bool pgrp_is_orphaned(uint32_t pgid);

/*
 * The end of process @self (its reference; its parent @parent, XPTR_NULL
 * for none, and the groups @child_pgid[] / sessions @child_sid[] of the @n
 * children it handed to init) may orphan process groups: its own, if its
 * parent was in another group of its session, and its children's, if it
 * was in another group of their session. An orphaned group with a stopped
 * member gets SIGHUP then SIGCONT for every member (POSIX; Linux's
 * kill_orphaned_pgrp in kernel/exit.c), so that stopped jobs no terminal
 * can resume do not stay stopped forever. Any thread holding no lock
 * (process_release); walks the PID tables, sends with pgrp_kill().
 */
void pgrp_orphan_exit(xptr_t self, xptr_t parent, const uint32_t *child_pgid,
                      const uint32_t *child_sid, uint32_t n);

/*
 * Sends @sig to every process of group @pgid (> 0; 1 is init's group, not
 * "every process"), in every cluster, each by process_kill(): the tty's
 * signals (INTR, SUSP, SIGTTIN...). A thread (kernel threads too), any
 * cluster; takes the PID tables' locks one at a time. @return 0 when one
 * process was signalled, -ESRCH (empty group), -EINVAL (@pgid 0, bad @sig).
 */
int pgrp_kill_group(uint32_t pgid, int sig);

/*
 * TIOCSPGRP(2const)'s checks for a terminal, for a caller of its session
 * (tty_is_ctty, kernel/fs/tty.h): @pgrp must be a process group of that session.
 * @return 0, -EINVAL (@pgrp < 0), -ESRCH (no such group), -EPERM (another
 * session). Takes the pgrp lock and the PID tables' locks.
 */
int pgrp_tty_check(int64_t pgrp);

#endif
