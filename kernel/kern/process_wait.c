/*
 * process_wait.c - wait4(2) and waitid(2): a parent collects its children's
 * changes of state (see process.h). Children, their zombie state and the
 * parent links are read under the process-tree lock (process.c); the
 * stop and continue reports are consumed by one compare-and-swap on the
 * child's sig_jobctl (signal.h, "Stop and continue"); a reaped zombie is
 * freed by RPC in its own cluster (invariant 2: memory of another cluster).
 */
#include "process.h"
#include "signal.h"
#include "thread.h"
#include "rpc.h"
#include "cluster.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/wait.h"

/* Child @c (any cluster) is one that process_waitid(@want) waits for. */
static bool pid_matches(int64_t want, xptr_t c)
{
    if (want == PROCESS_WAIT_ANY)
        return true;
    if (want < 0)                        /* a member of group -@want (man 2 wait) */
        return hal_remote_l32(PROCESS_FIELD(c, pgid)) == (uint32_t)-want;
    return hal_remote_l32(PROCESS_FIELD(c, pid)) == (uint32_t)want;
}

/* What a zombie's wait status @ws means for waitid (si_code, si_status). */
static void ended_report(int32_t ws, process_waited_t *out)
{
    out->status = ws;
    if (ws & 0x7f) {
        out->code = (ws & 0x80) ? CLD_DUMPED : CLD_KILLED;
        out->si_status = ws & 0x7f;
    } else {
        out->code = CLD_EXITED;
        out->si_status = (ws >> 8) & 0xff;
    }
}

/*
 * Does child @c (not a zombie) have a stop or continue report that
 * @options asks for? Fills *@out and, unless WNOWAIT (or @peek), consumes
 * it. @return true if one was found.
 */
static bool jobctl_report(xptr_t c, uint32_t options, bool peek, process_waited_t *out)
{
    xptr_t jc = PROCESS_FIELD(c, sig_jobctl);
    uint64_t w, nw;
    int sig;

    do {
        w = hal_remote_l64(jc);
        sig = SIG_JOBCTL_STOP_REPORT(w);
        if ((options & WSTOPPED) && sig) {
            nw = w & ~(0xffull << SIG_JOBCTL_REPORT_SHIFT);
            out->status = 0x7f | sig << 8;
            out->code = CLD_STOPPED;
            out->si_status = sig;
        } else if ((options & WCONTINUED) && (w & SIG_JOBCTL_CONT_REPORT)) {
            nw = w & ~SIG_JOBCTL_CONT_REPORT;
            out->status = 0xffff;
            out->code = CLD_CONTINUED;
            out->si_status = SIGCONT;
        } else {
            return false;
        }
        if (peek || (options & WNOWAIT))
            return true;
    } while (!hal_remote_cas64(jc, w, nw));
    return true;
}

/*
 * Scans the children of the process @ref_xp for a report that @options
 * asks for (see process_waitid): a zombie to reap is unlinked (unless
 * WNOWAIT) and returned in *@zombie. @peek only looks (the wake-up test).
 * @return 1 if *@out holds a report, 0 if none but a child matches,
 * -ECHILD if no child matches.
 */
static int scan_children(xptr_t ref_xp, int64_t want, uint32_t options, bool peek,
                         process_waited_t *out, xptr_t *zombie)
{
    xptr_t root = PROCESS_FIELD(ref_xp, children_root), it;
    int rc = -ECHILD;

    *zombie = XPTR_NULL;
    /* under the lock even for a peek: an ended child is unlinked and freed at once when
       the parent ignores SIGCHLD (process_thread_reaped), from another cluster */
    remote_busylock_acquire(process_tree_lock());
    XLIST_FOREACH(root, it) {
        xptr_t c = XPTR(GET_CXY(it), GET_PTR(XLIST_ELEMENT(it, process_t, sibling)));

        if (!pid_matches(want, c))
            continue;
        rc = 0;
        out->pid = hal_remote_l32(PROCESS_FIELD(c, pid));
        if (hal_remote_l32(PROCESS_FIELD(c, state)) == PROCESS_ZOMBIE) {
            if (!(options & WEXITED))
                continue;
            ended_report((int32_t)hal_remote_l32(PROCESS_FIELD(c, wait_status)), out);
            if (!peek && !(options & WNOWAIT)) {
                xlist_unlink(it);
                *zombie = c;
            }
            rc = 1;
            break;
        }
        if (jobctl_report(c, options, peek, out)) {
            rc = 1;
            break;
        }
    }
    remote_busylock_release(process_tree_lock());
    return rc;
}

typedef struct wait_arg_s {
    xptr_t   ref;                        /* the waiting process's reference process_t */
    int64_t  want;
    uint32_t options;
} wait_arg_t;

static bool wait_done(const void *arg)
{
    const wait_arg_t *w = arg;
    process_waited_t out;
    xptr_t z;

    return process_signal_pending() ||
           scan_children(w->ref, w->want, w->options, true, &out, &z) != 0;
}

int64_t process_waitid(int64_t want, uint32_t options, process_waited_t *out)
{
    xptr_t ref_xp = process_current_xp();
    wait_arg_t w = { ref_xp, want, options };

    for (;;) {
        xptr_t z;
        int rc = scan_children(ref_xp, want, options, false, out, &z);

        if (rc < 0)
            return rc;
        if (rc > 0) {
            if (z != XPTR_NULL) {
                rpc_desc_t rpc = { .type = RPC_PROCESS_DESTROY,
                                   .args.process_destroy = { .process = GET_PTR(z) } };

                rpc_send(GET_CXY(z), &rpc);
            }
            return out->pid;
        }
        if (options & WNOHANG)
            return 0;
        if (process_signal_pending())
            return -ERESTARTSYS;         /* -EINTR or a restart (signal.h) */
        thread_wait(THREAD_BLOCKED_SLEEP, wait_done, &w);
    }
}

int64_t process_wait(int64_t pid, int32_t *status, uint32_t options)
{
    process_waited_t out;
    int64_t rc;

    if (pid == -1)
        pid = PROCESS_WAIT_ANY;
    else if (pid == 0)                   /* any child of the caller's process group */
        pid = -(int64_t)hal_remote_l32(PROCESS_FIELD(process_current_xp(), pgid));
    rc = process_waitid(pid, options | WEXITED, &out);
    if (rc > 0)
        *status = out.status;
    return rc;
}
