/*
 * tty.c - the line discipline of a terminal (see tty.h): input editing and
 * echo, reads with VMIN/VTIME, output processing.
 *
 * Modelled on Linux's drivers/tty/n_tty.c (read it for the rules: which
 * character erases what and echoes how), written anew for one ring: bytes
 * [head, commit) are readable, [commit, tail) the canonical line being
 * edited; each byte carries TTY_F_EOL (a line ends here, the byte is read)
 * or TTY_F_EOF (a line ends here, the byte is not read: EOF). Not done: tab
 * columns when erasing (a tab is erased as one column), IXON/IXOFF flow
 * control (^S and ^Q are ordinary bytes), PARMRK, IUCLC/OLCUC, output
 * flushing (VDISCARD); ECHOPRT.
 */
#include "tty.h"
#include "thread.h"
#include "sched.h"
#include "boot_info.h"
#include "vfs.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/poll.h"
#include "signal.h"

#define TTY_MASK   (TTY_BUF_SIZE - 1)
#define TTY_F_EOL  0x1
#define TTY_F_EOF  0x2
#define TTY_ECHO_MAX 64               /* echo bytes of one received byte, at most */

_Static_assert((TTY_BUF_SIZE & TTY_MASK) == 0, "ring size is a power of two");

/* A reader sleeping on a tty: on its own stack, listed while it sleeps. */
typedef struct tty_waiter_s {
    xlist_entry_t link;             /* in tty->waiters, under tty->lock */
    xptr_t        thread;
} tty_waiter_t;

#define L(tty, f) (((tty)->termios.c_lflag & (f)) != 0)
#define I(tty, f) (((tty)->termios.c_iflag & (f)) != 0)
#define O(tty, f) (((tty)->termios.c_oflag & (f)) != 0)
#define CC(tty, v) ((uint8_t)(tty)->termios.c_cc[v])

static void tty_lock(tty_t *tty)   { remote_busylock_acquire(XPTR(tty->cxy, &tty->lock)); }
static void tty_unlock(tty_t *tty) { remote_busylock_release(XPTR(tty->cxy, &tty->lock)); }

void tty_init(tty_t *tty, uint32_t cxy, const tty_ops_t *ops)
{
    ktermios_t *t = &tty->termios;

    memset(tty, 0, sizeof(*tty));
    tty->cxy = cxy;
    tty->ops = ops;
    remote_busylock_init(XPTR(cxy, &tty->lock), "tty", RANK_TTY);
    xlist_root_init(XPTR(cxy, &tty->waiters));
    t->c_iflag = ICRNL | IXON;
    t->c_oflag = OPOST | ONLCR;
    t->c_cflag = B115200 | CS8 | CREAD;
    t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t->c_cc[VINTR] = 3;               /* ^C */
    t->c_cc[VQUIT] = 28;              /* ^\ */
    t->c_cc[VERASE] = 127;            /* DEL */
    t->c_cc[VKILL] = 21;              /* ^U */
    t->c_cc[VEOF] = 4;                /* ^D */
    t->c_cc[VMIN] = 1;
    t->c_cc[VSTART] = 17;             /* ^Q */
    t->c_cc[VSTOP] = 19;              /* ^S */
    t->c_cc[VSUSP] = 26;              /* ^Z */
    t->c_cc[VREPRINT] = 18;           /* ^R */
    t->c_cc[VDISCARD] = 15;           /* ^O */
    t->c_cc[VWERASE] = 23;            /* ^W */
    t->c_cc[VLNEXT] = 22;             /* ^V */
    tty->winsize.ws_row = 24;
    tty->winsize.ws_col = 80;
}

/* ---- output -------------------------------------------------------------------- */

/* A bounded buffer of processed output, flushed to the device. */
typedef struct tty_out_s {
    char   b[TTY_ECHO_MAX * 2];
    size_t n;
} tty_out_t;

static void out_flush(tty_t *tty, tty_out_t *o)
{
    if (o->n)
        tty->ops->output(tty, o->b, o->n);
    o->n = 0;
}

/* Appends byte @c with the output processing (OPOST). */
static void out_char(tty_t *tty, tty_out_t *o, char c)
{
    if (o->n + 2 > sizeof(o->b))
        out_flush(tty, o);
    if (O(tty, OPOST)) {
        if (c == '\n' && O(tty, ONLCR))
            o->b[o->n++] = '\r';
        else if (c == '\r' && O(tty, OCRNL))
            c = '\n';
    }
    o->b[o->n++] = c;
}

static void out_str(tty_t *tty, tty_out_t *o, const char *s)
{
    while (*s)
        out_char(tty, o, *s++);
}

static bool is_ctl(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

/* Echoes @c as n_tty's echo_char(): a control character as ^X under ECHOCTL. */
static void echo_char(tty_t *tty, tty_out_t *o, uint8_t c)
{
    if (L(tty, ECHOCTL) && is_ctl(c) && c != '\t' && c != '\n') {
        out_char(tty, o, '^');
        out_char(tty, o, (char)(c ^ 0x40));
    } else {
        out_char(tty, o, (char)c);
    }
}

/* Columns byte @c took when echoed. */
static int echo_width(tty_t *tty, uint8_t c)
{
    return L(tty, ECHOCTL) && is_ctl(c) && c != '\t' ? 2 : 1;
}

int64_t tty_write(tty_t *tty, const char *s, size_t n)
{
    tty_out_t o = { .n = 0 };

    tty_lock(tty);
    for (size_t i = 0; i < n; i++)
        out_char(tty, &o, s[i]);
    out_flush(tty, &o);
    tty_unlock(tty);
    return (int64_t)n;
}

/* ---- input --------------------------------------------------------------------- */

/* Wakes every sleeping reader. Lock held. */
static void tty_wake_locked(tty_t *tty)
{
    xptr_t root = XPTR(tty->cxy, &tty->waiters), it;

    while ((it = xlist_first(root)) != XPTR_NULL) {
        xptr_t w = XLIST_ELEMENT(it, tty_waiter_t, link);
        xptr_t thread = hal_remote_lxp(w + offsetof(tty_waiter_t, thread));

        xlist_unlink(it);
        thread_unblock(thread, THREAD_BLOCKED_SLEEP);
    }
}

static void tty_flush_locked(tty_t *tty)
{
    tty->head = tty->commit = tty->tail;
    tty->lines = 0;
    tty->lnext = false;
}

void tty_flush_input(tty_t *tty)
{
    tty_lock(tty);
    tty_flush_locked(tty);
    tty_unlock(tty);
}

/* Appends @c with @flags to the ring. @return false when it is full. Lock held. */
static bool put_byte(tty_t *tty, uint8_t c, uint8_t flags)
{
    if (tty->tail - tty->head >= TTY_BUF_SIZE - 1)
        return false;
    tty->buf[tty->tail & TTY_MASK] = (char)c;
    tty->flags[tty->tail & TTY_MASK] = flags;
    tty->tail++;
    return true;
}

/* Ends the edited line: it becomes readable. Lock held. */
static void commit_line(tty_t *tty)
{
    tty->commit = tty->tail;
    tty->lines++;
}

/* Erases the last byte of the edited line, echoing per ECHOE. @return false if none. */
static bool erase_one(tty_t *tty, tty_out_t *o)
{
    uint8_t c;

    if (tty->tail == tty->commit)
        return false;
    tty->tail--;
    c = (uint8_t)tty->buf[tty->tail & TTY_MASK];
    if (L(tty, ECHO) && L(tty, ECHOE)) {
        for (int i = echo_width(tty, c); i > 0; i--)
            out_str(tty, o, "\b \b");
    }
    return true;
}

static bool is_word(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '_';
}

/* ERASE, WERASE or KILL (n_tty's eraser()). Lock held. */
static void tty_erase(tty_t *tty, tty_out_t *o, uint8_t c)
{
    bool seen_word = false;

    if (tty->tail == tty->commit)
        return;
    if (c == CC(tty, VERASE)) {
        if (L(tty, ECHO) && !L(tty, ECHOE))
            echo_char(tty, o, c);
        erase_one(tty, o);
        return;
    }
    if (c == CC(tty, VKILL) && (!L(tty, ECHO) || !L(tty, ECHOK) || !L(tty, ECHOKE) ||
                                !L(tty, ECHOE))) {
        tty->tail = tty->commit;
        if (L(tty, ECHO)) {
            echo_char(tty, o, c);
            if (L(tty, ECHOK))
                out_char(tty, o, '\n');
        }
        return;
    }
    while (tty->tail != tty->commit) {
        uint8_t prev = (uint8_t)tty->buf[(tty->tail - 1) & TTY_MASK];

        if (c == CC(tty, VWERASE)) {
            if (is_word(prev))
                seen_word = true;
            else if (seen_word)
                break;
        }
        erase_one(tty, o);
    }
}

/* REPRINT: the edited line again, on a new line. Lock held. */
static void tty_reprint(tty_t *tty, tty_out_t *o, uint8_t c)
{
    echo_char(tty, o, c);
    out_char(tty, o, '\n');
    for (uint32_t i = tty->commit; i != tty->tail; i++)
        echo_char(tty, o, (uint8_t)tty->buf[i & TTY_MASK]);
}

/*
 * One received byte. @return the signal an ISIG character asks for, else 0.
 * Lock held.
 */
static int receive_byte(tty_t *tty, tty_out_t *o, uint8_t c)
{
    bool canon = L(tty, ICANON), echo = L(tty, ECHO);

    if (I(tty, ISTRIP))
        c &= 0x7f;
    if (tty->lnext) {                               /* after LNEXT: literal */
        tty->lnext = false;
        if (echo)
            out_str(tty, o, "\b");
        goto plain;
    }
    if (c == '\r') {
        if (I(tty, IGNCR))
            return 0;
        if (I(tty, ICRNL))
            c = '\n';
    } else if (c == '\n' && I(tty, INLCR)) {
        c = '\r';
    }
    if (L(tty, ISIG) && c != TTY_VDISABLE) {
        int sig = c == CC(tty, VINTR) ? SIGINT : c == CC(tty, VQUIT) ? SIGQUIT :
                  c == CC(tty, VSUSP) ? SIGTSTP : 0;

        if (sig) {
            if (!L(tty, NOFLSH))
                tty_flush_locked(tty);
            if (echo)
                echo_char(tty, o, c);
            return sig;
        }
    }
    if (canon && c != TTY_VDISABLE) {
        if (c == CC(tty, VERASE) || c == CC(tty, VKILL) ||
            (c == CC(tty, VWERASE) && L(tty, IEXTEN))) {
            tty_erase(tty, o, c);
            return 0;
        }
        if (c == CC(tty, VLNEXT) && L(tty, IEXTEN)) {
            tty->lnext = true;
            if (echo) {
                out_char(tty, o, '^');
                out_char(tty, o, '\b');
            }
            return 0;
        }
        if (c == CC(tty, VREPRINT) && L(tty, IEXTEN)) {
            if (echo)
                tty_reprint(tty, o, c);
            return 0;
        }
        if (c == CC(tty, VEOF)) {
            if (put_byte(tty, c, TTY_F_EOF))
                commit_line(tty);
            return 0;
        }
        if (c == '\n' || c == CC(tty, VEOL) || c == CC(tty, VEOL2)) {
            if (echo || (c == '\n' && L(tty, ECHONL)))
                echo_char(tty, o, c);
            if (put_byte(tty, c, TTY_F_EOL))
                commit_line(tty);
            return 0;
        }
    }
plain:
    /* canonical: keep the last byte free for the line's end (n_tty does the same) */
    if (canon && tty->tail - tty->head >= TTY_BUF_SIZE - 2)
        return 0;
    if (!put_byte(tty, c, 0))
        return 0;
    if (echo)
        echo_char(tty, o, c);
    if (!canon)
        tty->commit = tty->tail;
    return 0;
}

void tty_receive(tty_t *tty, const char *bytes, size_t n)
{
    size_t i = 0;

    while (i < n) {
        tty_out_t o = { .n = 0 };
        uint32_t pgrp = 0;
        int sig = 0;

        tty_lock(tty);
        for (; i < n && !sig; i++) {
            sig = receive_byte(tty, &o, (uint8_t)bytes[i]);
            if (o.n > sizeof(o.b) - TTY_ECHO_MAX)
                out_flush(tty, &o);
        }
        out_flush(tty, &o);
        pgrp = tty->fg_pgrp;
        tty_wake_locked(tty);
        tty_unlock(tty);
        if (sig && pgrp)
            tty->ops->signal(tty, pgrp, sig);
    }
}

/* ---- reading ------------------------------------------------------------------- */

/* Bytes a read may take now, in the current mode. Lock held (or a racy hint). */
static uint32_t readable_locked(tty_t *tty)
{
    return __atomic_load_n(&tty->commit, __ATOMIC_ACQUIRE) -
           __atomic_load_n(&tty->head, __ATOMIC_ACQUIRE);
}

uint32_t tty_readable(tty_t *tty)
{
    uint32_t n;

    tty_lock(tty);
    n = readable_locked(tty);
    tty_unlock(tty);
    return n;
}

/* What a sleeping reader waits for. */
typedef struct tty_wait_s {
    tty_t        *tty;
    uint32_t      want;             /* readable bytes (non-canonical); 0: a line */
    tty_waiter_t *w;                /* its entry: unlinked by a wake-up */
} tty_wait_t;

static bool tty_ready(tty_t *tty, uint32_t want)
{
    if (L(tty, ICANON))
        return __atomic_load_n(&tty->lines, __ATOMIC_ACQUIRE) > 0;
    return readable_locked(tty) >= want;
}

static bool tty_wait_done(const void *arg)
{
    const tty_wait_t *w = arg;

    /* woken (unlinked): back to tty_read, which re-checks and lists itself again */
    return __atomic_load_n(&w->w->link.next, __ATOMIC_ACQUIRE) == XPTR_NULL ||
           tty_ready(w->tty, w->want) || vfs_interrupted();
}

/* Sleeps until woken, @deadline (TSC) or a signal. Lock held on entry and return. */
static void tty_sleep_locked(tty_t *tty, uint32_t want, uint64_t deadline)
{
    tty_waiter_t w;
    xptr_t wx = XPTR(local_cxy(), &w.link);
    tty_wait_t cond = { tty, want, &w };

    w.thread = XPTR(local_cxy(), thread_current());
    xlist_add_last(XPTR(tty->cxy, &tty->waiters), wx);
    tty_unlock(tty);
    thread_sleep_until(deadline, tty_wait_done, &cond);
    tty_lock(tty);
    if (__atomic_load_n(&w.link.next, __ATOMIC_ACQUIRE) != XPTR_NULL)
        xlist_unlink(wx);           /* woken by time or a signal: leave the list */
}

/* Canonical: copies (the rest of) the first line. Lock held, a line is there. */
static int64_t read_canon_locked(tty_t *tty, char *buf, size_t n)
{
    size_t got = 0;

    while (got < n && tty->head != tty->commit) {
        uint32_t i = tty->head & TTY_MASK;
        uint8_t fl = tty->flags[i];

        if (fl & TTY_F_EOF) {         /* the EOF byte ends the line, unread */
            tty->head++;
            tty->lines--;
            break;
        }
        buf[got++] = tty->buf[i];
        tty->head++;
        if (fl & TTY_F_EOL) {
            tty->lines--;
            break;
        }
    }
    return (int64_t)got;
}

/* Non-canonical: copies what is readable, up to @n. Lock held. */
static int64_t read_raw_locked(tty_t *tty, char *buf, size_t n)
{
    size_t got = 0;

    while (got < n && tty->head != tty->commit)
        buf[got++] = tty->buf[tty->head++ & TTY_MASK];
    return (int64_t)got;
}

int64_t tty_read(tty_t *tty, void *buf, size_t n, bool nonblock)
{
    uint64_t deadline = UINT64_MAX;
    bool timed_out = false;
    int64_t rc;

    if (n == 0)
        return 0;
    tty_lock(tty);
    for (;;) {
        bool canon = L(tty, ICANON);
        uint32_t vmin = CC(tty, VMIN), vtime = CC(tty, VTIME);
        uint32_t want = canon ? 0 : (vmin == 0 ? 1 : (vmin < n ? vmin : (uint32_t)n));

        if (canon ? tty->lines > 0 : readable_locked(tty) >= want) {
            rc = canon ? read_canon_locked(tty, buf, n) : read_raw_locked(tty, buf, n);
            break;
        }
        if (!canon && (timed_out || (vmin == 0 && vtime == 0))) {
            rc = read_raw_locked(tty, buf, n);      /* what there is, maybe nothing */
            break;
        }
        if (nonblock) {               /* n_tty: the bytes there are, else -EAGAIN */
            rc = !canon && readable_locked(tty) ? read_raw_locked(tty, buf, n) : -EAGAIN;
            break;
        }
        if (vfs_interrupted()) {
            rc = -ERESTARTSYS;                      /* -EINTR or a restart (signal.h) */
            break;
        }
        /* TIME: from the call with MIN 0, else from the first byte (n_tty: per byte) */
        if (!canon && vtime && deadline == UINT64_MAX && (vmin == 0 || readable_locked(tty)))
            deadline = rdtsc() + tsc_from_ms(100ull * vtime);
        tty_sleep_locked(tty, want, deadline);
        if (deadline != UINT64_MAX && rdtsc() >= deadline)
            timed_out = true;
    }
    tty_unlock(tty);
    return rc;
}

uint32_t tty_poll(tty_t *tty)
{
    uint32_t mask = POLLOUT;

    tty_lock(tty);
    if (tty_ready(tty, 1))
        mask |= POLLIN;
    tty_unlock(tty);
    return mask;
}

void tty_wait_input(tty_t *tty, uint64_t deadline)
{
    tty_lock(tty);
    if (!tty_ready(tty, 1) && !vfs_interrupted())
        tty_sleep_locked(tty, 1, deadline);
    tty_unlock(tty);
}

void tty_set_termios(tty_t *tty, const ktermios_t *t)
{
    tty_lock(tty);
    bool was_canon = L(tty, ICANON);

    tty->termios = *t;
    if (was_canon && !L(tty, ICANON)) {
        tty->commit = tty->tail;      /* the edited line becomes readable */
    } else if (!was_canon && L(tty, ICANON)) {
        tty->commit = tty->head;      /* the unread bytes become the edited line */
        for (uint32_t i = tty->head; i != tty->tail; i++)
            tty->flags[i & TTY_MASK] = 0;
        tty->lines = 0;
    }
    tty->lnext = false;
    tty_wake_locked(tty);
    tty_unlock(tty);
}
