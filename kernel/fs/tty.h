/*
 * tty.h - a terminal: the line discipline (Linux's N_TTY,
 * drivers/tty/n_tty.c; POSIX "General Terminal Interface", termios(3)),
 * its termios, window size, foreground process group and controlling
 * session, and the job-control checks (drivers/tty/tty_jobctrl.c).
 *
 * A tty is generic over its device: tty_ops_t says how bytes go out (after
 * the output processing, OPOST/ONLCR) and how a signal reaches the
 * foreground group. The console (console.c) is the one device tty of the
 * machine; the self-tests (tty_ktest.c) build others with recording ops.
 *
 * Input: the driver hands received bytes to tty_receive() from a thread
 * (never from an interrupt handler: INTR/QUIT/SUSP send signals, which
 * take the PID tables' locks). The bytes are edited into a ring of
 * TTY_BUF_SIZE bytes: [head, commit) is readable, [commit, tail) is the
 * canonical line being edited. Readers sleep (interruptibly) on the tty's
 * waiter list until what they wait for is readable.
 *
 * Locking: tty->lock, a busylock (RANK_TTY) in the tty's own memory
 * (tty->cxy), taken by remote access from any cluster: a terminal is a
 * device of the whole machine, its state a few words touched per byte, so
 * a short busylock beats an RPC to the tty's cluster (ARCHITECTURE.md's
 * remote-access rule: short, bounded critical sections). Echo output
 * (ops->output) runs under it; ops->signal never does.
 */
#ifndef _TTY_H_
#define _TTY_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "busylock.h"
#include "xlist.h"
#include "uapi/termios.h"

#define TTY_BUF_SIZE 4096          /* input ring, bytes (N_TTY_BUF_SIZE) */
#define TTY_VDISABLE 0             /* _POSIX_VDISABLE: a c_cc entry of 0 is no character */

struct tty_s;

typedef struct tty_ops_s {
    /* Sends @n bytes, already processed (OPOST), to the device. tty->lock may be held. */
    void (*output)(struct tty_s *tty, const char *s, size_t n);
    /*
     * Sends @sig to process group @pgrp (INTR, QUIT, SUSP, SIGTTIN,
     * SIGTTOU). No tty lock held; a thread, any cluster.
     */
    void (*signal)(struct tty_s *tty, uint32_t pgrp, int sig);
} tty_ops_t;

typedef struct tty_s {
    busylock_t       lock;          /* RANK_TTY: every field below */
    uint32_t         cxy;           /* cluster of this tty's memory (names its lock) */
    const tty_ops_t *ops;
    ktermios_t       termios;
    kwinsize_t       winsize;
    uint32_t         fg_pgrp;       /* foreground process group; 0: none */
    uint32_t         sid;           /* session it is the controlling terminal of; 0: none */
    uint32_t         head;          /* next byte to read (free-running, masked on use) */
    uint32_t         commit;        /* end of the readable bytes */
    uint32_t         tail;          /* end of every byte (the edited line after commit) */
    uint32_t         lines;         /* canonical: line ends in [head, commit) */
    bool             lnext;         /* the last byte was LNEXT: take the next literally */
    xlist_entry_t    waiters;       /* tty_waiter_t of sleeping readers */
    char             buf[TTY_BUF_SIZE];
    uint8_t          flags[TTY_BUF_SIZE];   /* TTY_F_* of each byte of buf */
} tty_t;

/*
 * Initialises @tty (in the memory of cluster @cxy) with @ops and Linux's
 * default termios (tty_std_termios: ICRNL IXON, OPOST ONLCR, B38400 CS8
 * CREAD HUPCL... here 115200 CS8 CREAD, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL
 * ECHOKE IEXTEN, INTR ^C QUIT ^\ ERASE DEL KILL ^U EOF ^D SUSP ^Z WERASE ^W
 * LNEXT ^V REPRINT ^R, MIN 1 TIME 0), an 80x24 window, no foreground
 * group, no session. Any cluster, once, before any other use.
 */
void tty_init(tty_t *tty, uint32_t cxy, const tty_ops_t *ops);

/*
 * The line discipline's input side: @n bytes received by the device.
 * Applies ISTRIP, IGNCR, ICRNL, INLCR; with ISIG, INTR/QUIT/SUSP send
 * SIGINT/SIGQUIT/SIGTSTP to the foreground group (through ops->signal,
 * after the lock is released) and flush the input unless NOFLSH; with
 * ICANON, ERASE, WERASE, KILL, LNEXT, REPRINT edit the line, and NL, EOL,
 * EOL2, EOF end it; echo per ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL.
 * Bytes that find the ring full are dropped. Wakes the readers. A thread
 * (not an interrupt handler), any cluster; takes tty->lock.
 */
void tty_receive(tty_t *tty, const char *bytes, size_t n);

/*
 * read(2) of the tty into the kernel buffer @buf (@n bytes), no job
 * control check (tty_check_read() does it). Canonical: (the rest of) one
 * line, 0 at EOF on an empty line. Non-canonical: VMIN/VTIME as termios(3)
 * ("MIN > 0, TIME == 0" waits for min(MIN, @n) bytes; "MIN == 0, TIME ==
 * 0" returns what is there; TIME > 0 waits at most TIME tenths of a
 * second, for one byte when MIN is 0, for MIN bytes otherwise). Sleeps
 * interruptibly (THREAD_BLOCKED_SLEEP) unless @nonblock. Any cluster;
 * takes tty->lock. @return bytes read (>= 0), -EAGAIN (@nonblock, nothing
 * to read), -ERESTARTSYS (a signal, vfs_interrupted()).
 */
int64_t tty_read(tty_t *tty, void *buf, size_t n, bool nonblock);

/*
 * write(2) of @n bytes of the kernel buffer @s, with the output processing
 * (OPOST: ONLCR NL -> CR NL, OCRNL CR -> NL). Any cluster; takes tty->lock.
 * @return @n.
 */
int64_t tty_write(tty_t *tty, const char *s, size_t n);

/* poll(2): POLLIN when a read would not block (a line, or a byte in raw mode), POLLOUT. */
uint32_t tty_poll(tty_t *tty);

/*
 * Sleeps until a read would not block, TSC @deadline, or a signal
 * (vfs_interrupted): poll(2)'s wait. A thread; takes tty->lock.
 */
void tty_wait_input(tty_t *tty, uint64_t deadline);

/* Bytes a read would return now (FIONREAD). Takes tty->lock. */
uint32_t tty_readable(tty_t *tty);

/* Discards the input (TCIFLUSH, TCSETSF, INTR...). Takes tty->lock. */
void tty_flush_input(tty_t *tty);

/*
 * Sets the termios (TCSETS*) to *@t: turning ICANON off makes the edited
 * line readable; turning it on makes the unread bytes the edited line.
 * Takes tty->lock.
 */
void tty_set_termios(tty_t *tty, const ktermios_t *t);

/* ---- job control and ioctls (tty_ioctl.c) --------------------------------------- */

/*
 * The job-control check of a read by the calling process
 * (tty_jobctrl.c's __tty_check_change(tty, SIGTTIN)): a process of the
 * tty's session outside its foreground group gets -EIO when it ignores or
 * blocks SIGTTIN or its group is orphaned, else its group is sent SIGTTIN
 * and the read returns -ERESTARTSYS. A user thread, any cluster.
 * @return 0 (may read), -EIO, -ERESTARTSYS.
 */
int tty_check_read(tty_t *tty);

/*
 * The same for a change of the terminal (TCSETS*, TIOCSPGRP, TCFLSH) and,
 * with TOSTOP, a write: SIGTTOU, except that a caller that ignores or
 * blocks SIGTTOU may go on. @return 0, -EIO, -ERESTARTSYS.
 */
int tty_check_change(tty_t *tty);

/*
 * ioctl(2) @cmd with user argument @arg on @tty (man 2const TCGETS,
 * TIOCSCTTY, TIOCGPGRP...; tty_ioctl(4)): TCGETS, TCSETS, TCSETSW,
 * TCSETSF, TCFLSH, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, TIOCSCTTY,
 * TIOCNOTTY, TIOCGSID, FIONREAD, TIOCOUTQ. A user thread, any cluster.
 * @return 0 or -errno: -EFAULT (bad @arg), -ENOTTY (not the caller's
 * controlling terminal for TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCNOTTY; an
 * unknown @cmd), -EINVAL (TCFLSH's queue; TIOCSPGRP < 0), -EPERM
 * (TIOCSCTTY by a non-leader, or of another session's terminal without
 * @arg 1; TIOCSPGRP of another session's group), -ESRCH, -EIO,
 * -ERESTARTSYS (tty_check_change()).
 */
int64_t tty_ioctl(tty_t *tty, uint64_t cmd, uint64_t arg);

/*
 * open(2) of @tty without O_NOCTTY (tty_open_proc_set_tty): a session
 * leader whose session has no controlling terminal, opening a tty that
 * belongs to no session, makes it its controlling terminal, its group the
 * foreground. A user thread, any cluster.
 */
void tty_open_ctty(tty_t *tty);

/* The calling process's session has @tty as its controlling terminal. */
bool tty_is_ctty(tty_t *tty);

#endif
