/*
 * tty_ioctl.c - a terminal's ioctls and job control (see tty.h).
 *
 * Linux's rules: drivers/tty/tty_jobctrl.c (__tty_check_change, tiocsctty,
 * tiocgpgrp, tiocspgrp, tiocgsid, disassociate_ctty) and tty_io.c /
 * tty_ioctl.c / n_tty.c (TCGETS..., TIOCGWINSZ, TIOCINQ), as tty_ioctl(4)
 * and man 2const TCGETS / TIOCSCTTY state them.
 *
 * The controlling terminal is a property of the session here: a process
 * has @tty as its controlling terminal when its session is tty->sid. With
 * one terminal (the console) that is Linux's model but for one case: a
 * process that is not a session leader cannot drop it alone (TIOCNOTTY by
 * a non-leader is accepted and changes nothing).
 */
#include "tty.h"
#include "pgrp.h"
#include "process.h"
#include "signal.h"
#include "hal_user.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/signal_defs.h"

/* tty->sid and tty->fg_pgrp, read together under the lock. */
static void tty_owner(tty_t *tty, uint32_t *sid, uint32_t *fg)
{
    remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
    *sid = tty->sid;
    *fg = tty->fg_pgrp;
    remote_busylock_release(XPTR(tty->cxy, &tty->lock));
}

static uint32_t self_field_sid(void)
{
    return hal_remote_l32(PROCESS_FIELD(process_current_xp(), sid));
}

bool tty_is_ctty(tty_t *tty)
{
    uint32_t sid, fg;

    if (process_current_xp() == XPTR_NULL)
        return false;
    tty_owner(tty, &sid, &fg);
    return sid != 0 && sid == self_field_sid();
}

/* __tty_check_change(): @sig is SIGTTIN (a read) or SIGTTOU (a change, a TOSTOP write). */
static int tty_job_check(tty_t *tty, int sig)
{
    xptr_t self = process_current_xp();
    uint32_t sid, fg, pgid;
    ksigaction_t act;

    if (self == XPTR_NULL)
        return 0;
    tty_owner(tty, &sid, &fg);
    pgid = hal_remote_l32(PROCESS_FIELD(self, pgid));
    if (sid == 0 || sid != hal_remote_l32(PROCESS_FIELD(self, sid)) || fg == 0 || pgid == fg)
        return 0;                        /* not our terminal, or we are the foreground */
    signal_get_action(sig, &act);
    if (act.handler == SIG_IGN || (signal_blocked() & SIG_BIT(sig)))
        return sig == SIGTTIN ? -EIO : 0;
    if (pgrp_is_orphaned(pgid))
        return -EIO;
    pgrp_kill_group(pgid, sig);
    return -ERESTARTSYS;                 /* stopped, the call restarts at SIGCONT */
}

int tty_check_read(tty_t *tty)
{
    return tty_job_check(tty, SIGTTIN);
}

int tty_check_change(tty_t *tty)
{
    return tty_job_check(tty, SIGTTOU);
}

void tty_open_ctty(tty_t *tty)
{
    xptr_t self = process_current_xp();
    uint32_t pid, sid;

    if (self == XPTR_NULL)
        return;
    pid = hal_remote_l32(PROCESS_FIELD(self, pid));
    sid = hal_remote_l32(PROCESS_FIELD(self, sid));
    if (pid != sid)
        return;                          /* not a session leader */
    remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
    if (tty->sid == 0) {
        tty->sid = sid;
        tty->fg_pgrp = hal_remote_l32(PROCESS_FIELD(self, pgid));
    }
    remote_busylock_release(XPTR(tty->cxy, &tty->lock));
}

/* TIOCSCTTY (tiocsctty): @steal is the ioctl's argument. */
static int tty_set_ctty(tty_t *tty, uint64_t steal)
{
    xptr_t self = process_current_xp();
    uint32_t pid = hal_remote_l32(PROCESS_FIELD(self, pid));
    uint32_t sid = hal_remote_l32(PROCESS_FIELD(self, sid));
    int rc = 0;

    remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
    if (tty->sid == sid && pid == sid) {
        rc = 0;                          /* already ours */
    } else if (pid != sid) {
        rc = -EPERM;                     /* not a session leader */
    } else if (tty->sid != 0 && steal != 1) {
        rc = -EPERM;                     /* another session's (we are root: 1 steals it) */
    } else {
        tty->sid = sid;
        tty->fg_pgrp = hal_remote_l32(PROCESS_FIELD(self, pgid));
    }
    remote_busylock_release(XPTR(tty->cxy, &tty->lock));
    return rc;
}

/* TIOCNOTTY (disassociate_ctty(0) for a session leader). */
static int tty_drop_ctty(tty_t *tty)
{
    xptr_t self = process_current_xp();
    uint32_t pid = hal_remote_l32(PROCESS_FIELD(self, pid));
    uint32_t sid = hal_remote_l32(PROCESS_FIELD(self, sid));
    uint32_t fg = 0;

    if (!tty_is_ctty(tty))
        return -ENOTTY;
    if (pid != sid)
        return 0;                        /* see the header: the session keeps it */
    remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
    if (tty->sid == sid) {
        fg = tty->fg_pgrp;
        tty->sid = 0;
        tty->fg_pgrp = 0;
    }
    remote_busylock_release(XPTR(tty->cxy, &tty->lock));
    if (fg) {
        tty->ops->signal(tty, fg, SIGHUP);
        tty->ops->signal(tty, fg, SIGCONT);
    }
    return 0;
}

static int put_u32(uint64_t uaddr, uint32_t v)
{
    return hal_copy_to_user(uaddr, &v, sizeof(v));
}

int64_t tty_ioctl(tty_t *tty, uint64_t cmd, uint64_t arg)
{
    uint32_t sid, fg;
    int rc;

    switch (cmd) {
    case TCGETS: {
        ktermios_t t;

        remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
        t = tty->termios;
        remote_busylock_release(XPTR(tty->cxy, &tty->lock));
        return hal_copy_to_user(arg, &t, sizeof(t));
    }
    case TCSETS:
    case TCSETSW:                        /* output is written synchronously: drained */
    case TCSETSF: {
        ktermios_t t;

        if (hal_copy_from_user(&t, arg, sizeof(t)))
            return -EFAULT;
        if ((rc = tty_check_change(tty)) != 0)
            return rc;
        if (cmd == TCSETSF)
            tty_flush_input(tty);
        tty_set_termios(tty, &t);
        return 0;
    }
    case TCFLSH:
        if (arg > TCIOFLUSH)
            return -EINVAL;
        if ((rc = tty_check_change(tty)) != 0)
            return rc;
        if (arg != TCOFLUSH)
            tty_flush_input(tty);
        return 0;
    case TIOCGWINSZ: {
        kwinsize_t ws;

        remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
        ws = tty->winsize;
        remote_busylock_release(XPTR(tty->cxy, &tty->lock));
        return hal_copy_to_user(arg, &ws, sizeof(ws));
    }
    case TIOCSWINSZ: {
        kwinsize_t ws;
        bool changed;

        if (hal_copy_from_user(&ws, arg, sizeof(ws)))
            return -EFAULT;
        remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
        changed = memcmp(&ws, &tty->winsize, sizeof(ws)) != 0;
        tty->winsize = ws;
        fg = tty->fg_pgrp;
        remote_busylock_release(XPTR(tty->cxy, &tty->lock));
        if (changed && fg)
            tty->ops->signal(tty, fg, SIGWINCH);   /* tty_do_resize() */
        return 0;
    }
    case TIOCGPGRP:
        if (!tty_is_ctty(tty))
            return -ENOTTY;              /* not the caller's controlling terminal */
        tty_owner(tty, &sid, &fg);
        return put_u32(arg, fg);
    case TIOCSPGRP: {                    /* man 2const TIOCSPGRP: a group of the caller's session */
        int32_t pgrp;

        if ((rc = tty_check_change(tty)) != 0)
            return rc == -EIO ? -ENOTTY : rc;        /* tiocspgrp()'s mapping */
        if (!tty_is_ctty(tty))
            return -ENOTTY;
        if (hal_copy_from_user(&pgrp, arg, sizeof(pgrp)))
            return -EFAULT;
        rc = pgrp_tty_check(pgrp);
        if (rc == 0) {
            remote_busylock_acquire(XPTR(tty->cxy, &tty->lock));
            tty->fg_pgrp = (uint32_t)pgrp;
            remote_busylock_release(XPTR(tty->cxy, &tty->lock));
        }
        return rc;
    }
    case TIOCGSID:
        if (!tty_is_ctty(tty))
            return -ENOTTY;
        tty_owner(tty, &sid, &fg);
        return put_u32(arg, sid);
    case TIOCSCTTY:
        return tty_set_ctty(tty, arg);
    case TIOCNOTTY:
        return tty_drop_ctty(tty);
    case FIONREAD:
        return put_u32(arg, tty_readable(tty));
    case TIOCOUTQ:
        return put_u32(arg, 0);          /* written synchronously: nothing queued */
    default:
        return -ENOTTY;
    }
}
