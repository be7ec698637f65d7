/*
 * pgrp.c - process groups, sessions and kill(2) to many processes (see
 * pgrp.h). Linux's rules are those of kernel/sys.c (setpgid, setsid) and
 * kernel/signal.c (kill_something_info), as man 2 setpgid, setsid and kill
 * state them.
 */
#include "pgrp.h"
#include "process.h"
#include "cluster.h"
#include "boot_info.h"
#include "uapi/errno.h"
#include "uapi/signal_defs.h"

#define PGRP_BATCH 64            /* PID table entries scanned per hold of its lock */

static xptr_t pgrp_lock(void)
{
    return XPTR(0, &cluster_tbl[0]->pgrp_lock);
}

/* What a walk of the PID tables looks for, and what it found. */
typedef struct pgrp_walk_s {
    uint32_t pgid;               /* members of this group (0: any) */
    uint32_t sid;                /* ... of this session (0: any) */
    uint32_t skip;               /* this PID is left out (0: none) */
    bool     all;                /* kill(-1): every process but init and @skip */
    int      sig;
    int      err;                /* -ESRCH until someone is found or signalled */
    bool     sent;               /* a process_kill() succeeded */
    bool     orphan_check;       /* pgrp_is_orphaned: look at each member's parent ... */
    bool     connected;          /* ... one is in another group of the same session */
    bool     stop_check;         /* pgrp_orphan_exit: look for a stopped member ... */
    bool     stopped;            /* ... and found one */
} pgrp_walk_t;

/*
 * Member @p (any cluster) of a group whose orphanhood is checked: does its
 * parent keep the group connected (another group, same session, not
 * init)? Linux's will_become_orphaned_pgrp (kernel/exit.c); a zombie does
 * not count. Takes the process-tree lock (the parent link).
 */
static bool pgrp_parent_connects(xptr_t p)
{
    bool yes = false;
    xptr_t parent;

    if (hal_remote_l32(PROCESS_FIELD(p, state)) != PROCESS_RUNNING)
        return false;
    remote_busylock_acquire(process_tree_lock());
    parent = (xptr_t)hal_remote_l64(PROCESS_FIELD(p, parent));
    if (parent != XPTR_NULL && hal_remote_l32(PROCESS_FIELD(parent, pid)) != 1)
        yes = hal_remote_l32(PROCESS_FIELD(parent, pgid)) != hal_remote_l32(PROCESS_FIELD(p, pgid)) &&
              hal_remote_l32(PROCESS_FIELD(parent, sid)) == hal_remote_l32(PROCESS_FIELD(p, sid));
    remote_busylock_release(process_tree_lock());
    return yes;
}

static bool pgrp_match(xptr_t p, uint32_t pid, pgrp_walk_t *w)
{
    if (pid == w->skip)
        return false;
    if (w->all)
        return pid != 1;
    if (w->pgid && hal_remote_l32(XPTR(GET_CXY(p), &((process_t *)GET_PTR(p))->pgid)) != w->pgid)
        return false;
    if (w->orphan_check) {               /* collects nobody: only looks at the parents */
        if (!w->connected && pgrp_parent_connects(p))
            w->connected = true;
        return false;
    }
    if (w->stop_check) {
        if (SIG_JOBCTL_SIG(hal_remote_l64(PROCESS_FIELD(p, sig_jobctl))))
            w->stopped = true;
        return false;
    }
    return !w->sid || hal_remote_l32(XPTR(GET_CXY(p), &((process_t *)GET_PTR(p))->sid)) == w->sid;
}

/*
 * Every process (not a TID) of every cluster that @w selects: with @send,
 * signals each (outside the PID lock: process_kill takes the tree lock);
 * without, stops at the first one (w->err = 0). PGRP_BATCH entries per
 * hold of a PID table's lock.
 */
static void pgrp_walk(pgrp_walk_t *w, bool send)
{
    for (uint32_t cxy = 0; cxy < boot_info.topo.nclusters; cxy++) {
        cluster_t *cl = cluster_tbl[cxy];

        for (uint32_t base = 1; base < PROCESS_MAX; base += PGRP_BATCH) {
            uint32_t found[PGRP_BATCH], n = 0;

            remote_busylock_acquire(XPTR(cxy, &cl->pid_lock));
            for (uint32_t idx = base; idx < base + PGRP_BATCH && idx < PROCESS_MAX; idx++) {
                uint64_t entry = hal_remote_l64(XPTR(cxy, &cl->pid_tbl[idx]));
                uint32_t pid = (cxy << 16) | idx;

                if (entry && !(entry & PID_TID) && pgrp_match(XPTR(cxy, entry), pid, w))
                    found[n++] = pid;
            }
            remote_busylock_release(XPTR(cxy, &cl->pid_lock));
            if (n && !send) {
                w->err = 0;
                return;
            }
            for (uint32_t i = 0; i < n; i++) {
                int rc = process_kill((int64_t)found[i], w->sig);

                if (rc == 0)
                    w->sent = true;
                else if (rc != -ESRCH)   /* gone meanwhile: as if never seen */
                    w->err = rc;
            }
        }
    }
}

/* A process group @pgid exists in session @sid (0: any). */
static bool pgrp_exists(uint32_t pgid, uint32_t sid)
{
    pgrp_walk_t w = { .pgid = pgid, .sid = sid, .err = -ESRCH };

    pgrp_walk(&w, false);
    return w.err == 0;
}

void pgrp_fork_copy(process_t *child, xptr_t parent_xp)
{
    remote_busylock_acquire(pgrp_lock());
    child->pgid = hal_remote_l32(PROCESS_FIELD(parent_xp, pgid));
    child->sid  = hal_remote_l32(PROCESS_FIELD(parent_xp, sid));
    remote_busylock_release(pgrp_lock());
}

int pgrp_setpgid(int64_t pid, int64_t pgid)
{
    xptr_t self = process_current_xp();
    uint32_t self_pid = hal_remote_l32(PROCESS_FIELD(self, pid));
    uint32_t self_sid, sid;
    xptr_t p;
    int rc = 0;

    if (pgid < 0 || pid < 0)
        return pgid < 0 ? -EINVAL : -ESRCH;
    if (pid == 0)
        pid = self_pid;
    if (pgid == 0)
        pgid = pid;
    if (pid > UINT32_MAX || pgid > UINT32_MAX)
        return pid > UINT32_MAX ? -ESRCH : -EPERM;
    p = process_lookup((uint32_t)pid);
    if (p == XPTR_NULL)
        return -ESRCH;
    if (hal_remote_l32(PROCESS_FIELD(p, pid)) != (uint32_t)pid)
        return -EINVAL;                   /* a thread's TID: not a thread-group leader */
    remote_busylock_acquire(pgrp_lock());
    self_sid = hal_remote_l32(PROCESS_FIELD(self, sid));
    sid = hal_remote_l32(PROCESS_FIELD(p, sid));
    if (p != self) {
        if (hal_remote_l32(PROCESS_FIELD(p, ppid)) != self_pid)
            rc = -ESRCH;                  /* neither the caller nor its child */
        else if (sid != self_sid)
            rc = -EPERM;
        else if (hal_remote_l32(PROCESS_FIELD(p, execd)))
            rc = -EACCES;
    }
    if (rc == 0 && sid == (uint32_t)pid)
        rc = -EPERM;                      /* a session leader stays where it is */
    if (rc == 0 && pgid != pid && !pgrp_exists((uint32_t)pgid, self_sid))
        rc = -EPERM;
    if (rc == 0)
        hal_remote_s32(PROCESS_FIELD(p, pgid), (uint32_t)pgid);
    remote_busylock_release(pgrp_lock());
    return rc;
}

/* The sid (@want_sid) or pgid of process @pid (0: the caller), or -ESRCH. */
static int64_t pgrp_get(int64_t pid, bool want_sid)
{
    xptr_t p;

    if (pid < 0 || pid > UINT32_MAX)
        return -ESRCH;
    p = pid ? process_lookup((uint32_t)pid) : process_current_xp();
    if (p == XPTR_NULL)
        return -ESRCH;
    return want_sid ? hal_remote_l32(PROCESS_FIELD(p, sid)) : hal_remote_l32(PROCESS_FIELD(p, pgid));
}

int64_t pgrp_getpgid(int64_t pid)
{
    return pgrp_get(pid, false);
}

int64_t pgrp_getsid(int64_t pid)
{
    return pgrp_get(pid, true);
}

int64_t pgrp_setsid(void)
{
    xptr_t self = process_current_xp();
    uint32_t pid = hal_remote_l32(PROCESS_FIELD(self, pid));
    int64_t rc = pid;

    remote_busylock_acquire(pgrp_lock());
    /* Linux: EPERM when any process's group already has the caller's PID as its id */
    if (pgrp_exists(pid, 0)) {
        rc = -EPERM;
    } else {
        hal_remote_s32(PROCESS_FIELD(self, sid), pid);
        hal_remote_s32(PROCESS_FIELD(self, pgid), pid);
    }
    remote_busylock_release(pgrp_lock());
    return rc;
}

static bool pgrp_orphaned_but(uint32_t pgid, uint32_t ignore);

bool pgrp_is_orphaned(uint32_t pgid)
{
    return pgrp_orphaned_but(pgid, 0);
}

/* pgrp_is_orphaned, with member @ignore (0: none) left out (it is exiting). */
static bool pgrp_orphaned_but(uint32_t pgid, uint32_t ignore)
{
    pgrp_walk_t w = { .pgid = pgid, .skip = ignore, .err = -ESRCH, .orphan_check = true };

    if (pgid == 0)
        return false;
    pgrp_walk(&w, false);
    return !w.connected;
}

/*
 * Group @pgid (session @sid) is left orphaned by the end of @gone (0: of
 * nobody: a parent left): if a member is stopped, every member gets SIGHUP
 * then SIGCONT. @parent_pgid / @parent_sid: the group and session of the
 * parent that no longer connects it.
 */
static void pgrp_hup_if_orphaned(uint32_t pgid, uint32_t sid, uint32_t parent_pgid,
                                 uint32_t parent_sid, uint32_t gone)
{
    pgrp_walk_t w = { .pgid = pgid, .err = -ESRCH, .stop_check = true };

    if (pgid == 0 || parent_pgid == pgid || parent_sid != sid || !pgrp_orphaned_but(pgid, gone))
        return;
    pgrp_walk(&w, false);
    if (!w.stopped)
        return;
    pgrp_kill(-(int64_t)pgid, SIGHUP);
    pgrp_kill(-(int64_t)pgid, SIGCONT);
}

void pgrp_orphan_exit(xptr_t self, xptr_t parent, const uint32_t *child_pgid,
                      const uint32_t *child_sid, uint32_t n)
{
    uint32_t pgid = hal_remote_l32(PROCESS_FIELD(self, pgid));
    uint32_t sid = hal_remote_l32(PROCESS_FIELD(self, sid));

    if (parent != XPTR_NULL)             /* its own group, which it may have connected */
        pgrp_hup_if_orphaned(pgid, sid, hal_remote_l32(PROCESS_FIELD(parent, pgid)),
                             hal_remote_l32(PROCESS_FIELD(parent, sid)),
                             hal_remote_l32(PROCESS_FIELD(self, pid)));
    for (uint32_t i = 0; i < n; i++)     /* the groups of its children, now init's */
        pgrp_hup_if_orphaned(child_pgid[i], child_sid[i], pgid, sid, 0);
}

int pgrp_kill(int64_t pid, int sig)
{
    xptr_t self = process_current_xp();
    pgrp_walk_t w = { .sig = sig, .err = -ESRCH };

    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (pid == 0) {
        w.pgid = hal_remote_l32(PROCESS_FIELD(self, pgid));
    } else if (pid == -1) {
        w.all = true;
        w.skip = hal_remote_l32(PROCESS_FIELD(self, pid));
    } else if (pid < -1 && pid >= -(int64_t)UINT32_MAX) {
        w.pgid = (uint32_t)-pid;
    } else {
        return pid > 0 ? process_kill(pid, sig) : -ESRCH;
    }
    pgrp_walk(&w, true);
    return w.sent ? 0 : w.err;
}

int pgrp_tty_check(int64_t pgrp)
{
    uint32_t sid = hal_remote_l32(PROCESS_FIELD(process_current_xp(), sid));
    int rc = 0;

    if (pgrp < 0)
        return -EINVAL;
    if (pgrp > UINT32_MAX)
        return -ESRCH;
    remote_busylock_acquire(pgrp_lock());
    if (!pgrp_exists((uint32_t)pgrp, sid))
        rc = pgrp_exists((uint32_t)pgrp, 0) ? -EPERM : -ESRCH;
    remote_busylock_release(pgrp_lock());
    return rc;
}

int pgrp_kill_group(uint32_t pgid, int sig)
{
    pgrp_walk_t w = { .pgid = pgid, .sig = sig, .err = -ESRCH };

    if (pgid == 0 || sig < 0 || sig > NSIG)
        return -EINVAL;
    pgrp_walk(&w, true);
    return w.sent ? 0 : w.err;
}
