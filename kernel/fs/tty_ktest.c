/*
 * tty_ktest.c - self-tests of the line discipline (ktest=tty): bytes fed
 * to tty_receive() of a test terminal whose ops record the output and the
 * signals, then what tty_read() returns: ERASE, KILL, WERASE, EOF, ICRNL,
 * LNEXT, echo with ECHOE/ECHOCTL and ONLCR, ISIG (INTR, QUIT, SUSP to the
 * foreground group, the input flushed unless NOFLSH, a disabled INTR), raw
 * mode (VMIN/VTIME), the switch between modes, and a sleeping reader woken
 * from another cluster.
 */
#include "ktest.h"
#include "tty.h"
#include "kmem.h"
#include "core.h"
#include "boot_info.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define OUT_MAX 512
#define SIG_MAX 8

/* What the test terminal's ops saw. Written under the tty lock (output) or by the feeder. */
typedef struct tty_rec_s {
    tty_t    tty;
    char     out[OUT_MAX];
    uint32_t nout;
    struct { uint32_t pgrp; int sig; } sigs[SIG_MAX];
    uint32_t nsigs;
} tty_rec_t;

static void rec_output(tty_t *tty, const char *s, size_t n)
{
    tty_rec_t *r = (tty_rec_t *)tty;          /* tty is the first member */

    for (size_t i = 0; i < n && r->nout < OUT_MAX - 1; i++)
        r->out[r->nout++] = s[i];
    r->out[r->nout] = '\0';
}

static void rec_signal(tty_t *tty, uint32_t pgrp, int sig)
{
    tty_rec_t *r = (tty_rec_t *)tty;

    if (r->nsigs < SIG_MAX) {
        r->sigs[r->nsigs].pgrp = pgrp;
        r->sigs[r->nsigs++].sig = sig;
    }
}

static const tty_ops_t rec_ops = { .output = rec_output, .signal = rec_signal };

static tty_rec_t *rec_new(ktest_t *t)
{
    tty_rec_t *r = kmem_alloc(sizeof(*r));

    KTEST_EXPECT(t, r != NULL, "no memory for a test tty");
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof(*r));
    tty_init(&r->tty, local_cxy(), &rec_ops);
    r->tty.fg_pgrp = 77;
    return r;
}

static void rec_clear(tty_rec_t *r)
{
    r->nout = 0;
    r->out[0] = '\0';
    r->nsigs = 0;
}

static void feed(tty_rec_t *r, const char *s)
{
    tty_receive(&r->tty, s, strlen(s));
}

/* A non-blocking read of at most @n bytes into @buf (NUL-terminated). */
static int64_t rd(tty_rec_t *r, char *buf, size_t n)
{
    int64_t got = tty_read(&r->tty, buf, n, true);

    buf[got > 0 ? got : 0] = '\0';
    return got;
}

#define EXPECT_READ(t, r, want) do {                                                 \
        char _b[128];                                                                \
        int64_t _n = rd((r), _b, sizeof(_b) - 1);                                    \
        KTEST_EXPECT((t), _n == (int64_t)strlen(want) && !strcmp(_b, (want)),        \
                     "read %ld '%s', expected '%s'", _n, _n > 0 ? _b : "", (want));   \
    } while (0)

static void tty_canon_editing(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);
    char b[16];

    if (r == NULL)
        return;
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "an empty tty is readable");
    feed(r, "ab\x7f" "c\n");
    KTEST_EXPECT(t, !strcmp(r->out, "ab\b \bc\r\n"), "echo '%s'", r->out);
    EXPECT_READ(t, r, "ac\n");
    feed(r, "ab\x08" "d\r");                  /* ^H erases too (VERASE is DEL: no) */
    EXPECT_READ(t, r, "ab\x08" "d\n");
    r->tty.termios.c_cc[VERASE] = 0x08;       /* stty erase ^H */
    feed(r, "xy\x08z\n");
    EXPECT_READ(t, r, "xz\n");
    /* KILL with ECHOKE: each character erased on the screen */
    rec_clear(r);
    feed(r, "hello\x15" "bye\n");
    EXPECT_READ(t, r, "bye\n");
    KTEST_EXPECT(t, !strcmp(r->out, "hello\b \b\b \b\b \b\b \b\b \bbye\r\n"),
                 "kill echo '%s'", r->out);
    /* WERASE: the trailing blanks, then the word */
    feed(r, "one two  \x17" "x\n");
    EXPECT_READ(t, r, "one x\n");
    feed(r, "a-b\x17\x17" "c\n");             /* "b" then "a-" */
    EXPECT_READ(t, r, "c\n");
    /* a line longer than the read: the rest comes next */
    feed(r, "abcdef\n");
    KTEST_EXPECT(t, rd(r, b, 4) == 4 && !strncmp(b, "abcd", 4), "partial read '%s'", b);
    EXPECT_READ(t, r, "ef\n");
    /* LNEXT: ^V then DEL is a DEL in the line */
    feed(r, "q\x16\x7f\n");
    EXPECT_READ(t, r, "q\x7f\n");
    kmem_free(r);
}

static void tty_eof_and_crnl(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);
    char b[16];

    if (r == NULL)
        return;
    feed(r, "abc\x04");                       /* EOF ends the line, unread */
    EXPECT_READ(t, r, "abc");
    feed(r, "\x04");                          /* EOF on an empty line: 0 */
    KTEST_EXPECT(t, rd(r, b, 8) == 0, "EOF on an empty line");
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "EOF read twice");
    r->tty.termios.c_iflag &= ~ICRNL;         /* CR no longer ends a line */
    feed(r, "hi\r");
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "CR ended a line without ICRNL");
    feed(r, "\n");
    EXPECT_READ(t, r, "hi\r\n");
    r->tty.termios.c_iflag |= IGNCR;
    feed(r, "a\rb\n");
    EXPECT_READ(t, r, "ab\n");
    kmem_free(r);
}

static void tty_output_processing(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);

    if (r == NULL)
        return;
    KTEST_EXPECT(t, tty_write(&r->tty, "a\nb", 3) == 3 && !strcmp(r->out, "a\r\nb"),
                 "ONLCR: '%s'", r->out);
    rec_clear(r);
    r->tty.termios.c_oflag &= ~OPOST;
    tty_write(&r->tty, "a\nb", 3);
    KTEST_EXPECT(t, !strcmp(r->out, "a\nb"), "no OPOST: '%s'", r->out);
    r->tty.termios.c_oflag |= OPOST;
    /* ECHOCTL: a control character echoes as ^X; without ECHO nothing */
    rec_clear(r);
    feed(r, "\x01\n");
    KTEST_EXPECT(t, !strcmp(r->out, "^A\r\n"), "echoctl: '%s'", r->out);
    rec_clear(r);
    r->tty.termios.c_lflag &= ~ECHO;
    feed(r, "secret\n");
    KTEST_EXPECT(t, r->nout == 0, "echo without ECHO: '%s'", r->out);
    r->tty.termios.c_lflag |= ECHONL;
    feed(r, "x\n");
    KTEST_EXPECT(t, !strcmp(r->out, "\r\n"), "ECHONL: '%s'", r->out);
    kmem_free(r);
}

static void tty_isig(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);
    char b[16];

    if (r == NULL)
        return;
    feed(r, "done\nxyz\x03");
    KTEST_EXPECT(t, r->nsigs == 1 && r->sigs[0].sig == SIGINT && r->sigs[0].pgrp == 77,
                 "^C: %u signals, first %d to %u", r->nsigs, r->sigs[0].sig, r->sigs[0].pgrp);
    KTEST_EXPECT(t, strstr(r->out, "xyz^C") != NULL, "^C echo '%s'", r->out);
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "the input was not flushed");
    feed(r, "\x1a\x1c");
    KTEST_EXPECT(t, r->nsigs == 3 && r->sigs[1].sig == SIGTSTP && r->sigs[2].sig == SIGQUIT,
                 "^Z ^\\: %u signals", r->nsigs);
    /* NOFLSH keeps the line; a disabled INTR is an ordinary byte; no ISIG: bytes */
    r->tty.termios.c_lflag |= NOFLSH;
    feed(r, "ab\x03" "c\n");
    EXPECT_READ(t, r, "abc\n");
    r->tty.termios.c_cc[VINTR] = TTY_VDISABLE;
    feed(r, "\x03\n");
    EXPECT_READ(t, r, "\x03\n");
    r->tty.termios.c_lflag &= ~ISIG;
    feed(r, "\x1a\n");
    EXPECT_READ(t, r, "\x1a\n");
    KTEST_EXPECT(t, r->nsigs == 4, "signals without ISIG: %u", r->nsigs);
    /* no foreground group: nobody to signal */
    r->tty.termios.c_lflag |= ISIG;
    r->tty.fg_pgrp = 0;
    feed(r, "\x1c");
    KTEST_EXPECT(t, r->nsigs == 4, "signal without a foreground group");
    kmem_free(r);
}

static void tty_raw_mode(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);
    ktermios_t raw;
    char b[16];

    if (r == NULL)
        return;
    feed(r, "part");                          /* an edited line, then raw: readable */
    raw = r->tty.termios;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tty_set_termios(&r->tty, &raw);
    EXPECT_READ(t, r, "part");
    feed(r, "q\x7f");                         /* ERASE is a byte now */
    EXPECT_READ(t, r, "q\x7f");
    raw.c_cc[VMIN] = 3;                       /* MIN 3, non-blocking: what there is (n_tty) */
    tty_set_termios(&r->tty, &raw);
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "MIN 3 on nothing");
    feed(r, "ab");
    EXPECT_READ(t, r, "ab");
    raw.c_cc[VMIN] = 0;                       /* MIN 0 TIME 0: what there is, maybe nothing */
    tty_set_termios(&r->tty, &raw);
    KTEST_EXPECT(t, tty_read(&r->tty, b, 8, false) == 0, "MIN 0 TIME 0 on nothing");
    raw.c_cc[VTIME] = 1;                      /* TIME 0.1 s: 0 once it runs out */
    tty_set_termios(&r->tty, &raw);
    KTEST_EXPECT(t, tty_read(&r->tty, b, 8, false) == 0, "MIN 0 TIME 1 on nothing");
    /* back to canonical: unread bytes become the edited line */
    feed(r, "zz");
    raw.c_lflag |= ICANON;
    tty_set_termios(&r->tty, &raw);
    KTEST_EXPECT(t, rd(r, b, 8) == -EAGAIN, "no line yet");
    feed(r, "\x7f\n");
    EXPECT_READ(t, r, "z\n");
    KTEST_EXPECT(t, tty_readable(&r->tty) == 0, "bytes left");
    kmem_free(r);
}

typedef struct tty_reader_s {
    xptr_t           join;
    tty_rec_t       *rec;
    volatile int64_t got;
    char             buf[32];
} tty_reader_t;

static void tty_reader(void *arg)
{
    tty_reader_t *j = arg;

    j->got = tty_read(&j->rec->tty, j->buf, sizeof(j->buf) - 1, false);
    ktest_join_done(j->join);
}

/* A reader in another cluster sleeps until a line comes; the feeder wakes it. */
static void tty_sleeping_reader(ktest_t *t)
{
    tty_rec_t *r = rec_new(t);
    tty_reader_t j = { .got = -1 };
    ktest_join_t join;
    uint32_t cxy = (local_cxy() + 1) % boot_info.topo.nclusters;

    if (r == NULL)
        return;
    j.rec = r;
    ktest_join_init(&join, 1);
    j.join = XPTR(local_cxy(), &join);
    if (ktest_spawn_in(cxy, 0, tty_reader, &j, "tty reader") == XPTR_NULL) {
        KTEST_EXPECT(t, false, "no reader thread");
        kmem_free(r);
        return;
    }
    ktest_sleep_ms(30);
    KTEST_EXPECT(t, j.got == -1, "the reader returned %ld before any input", j.got);
    feed(r, "wake");
    ktest_sleep_ms(10);
    KTEST_EXPECT(t, j.got == -1, "the reader returned %ld before the line ended", j.got);
    feed(r, " up\n");
    KTEST_EXPECT(t, ktest_join_wait(&join, 10000), "the reader was not woken");
    KTEST_EXPECT(t, j.got == 8 && !strncmp(j.buf, "wake up\n", 8), "reader got %ld", j.got);
    kmem_free(r);
}

static const ktest_case_t tty_cases[] = {
    { "tty_canon_editing",     KTEST_ON_BSP, tty_canon_editing },
    { "tty_eof_and_crnl",      KTEST_ON_BSP, tty_eof_and_crnl },
    { "tty_output_processing", KTEST_ON_BSP, tty_output_processing },
    { "tty_isig",              KTEST_ON_BSP, tty_isig },
    { "tty_raw_mode",          KTEST_ON_BSP, tty_raw_mode },
    { "tty_sleeping_reader",   KTEST_ON_BSP, tty_sleeping_reader },
};
static const ktest_suite_t tty_suite = { "tty", KTEST_CASES(tty_cases) };
KTEST_SUITE(tty_suite);
