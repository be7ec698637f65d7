/*
 * console.c - /dev/console on COM1.
 *
 * Output goes through console_write_raw() (printk.c), under the same lock
 * as printk lines, so a user write never interleaves with a kernel line.
 *
 * Input is line-buffered and edited here (echo, backspace, CR -> LF,
 * Ctrl-D). There is no UART interrupt yet: a reader POLLS the UART
 * (serial_read_byte) and, while no byte is waiting, yields its core
 * (sched_yield) between polls, so other threads of the core keep running;
 * the reader stays runnable, so its core never idles while it waits. A
 * signal ends the wait with -ERESTARTSYS (vfs_interrupted; -EINTR or a
 * restart for user space); the line typed so far is kept for the next read.
 * One line at a time: readers are serialised by the console input
 * queuelock (RANK_VFS_CONSOLE), held while polling. The console is a
 * device of the whole machine; its state lives in the kernel image.
 */
#include "vfs_internal.h"
#include "serial.h"
#include "printk.h"
#include "sched.h"
#include "cpu.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "signal.h"

#define CONSOLE_LINE_MAX  1024       /* bytes of one input line, '\n' included */
#define CONSOLE_OUT_CHUNK 1024       /* bytes written per console lock hold */

static queuelock_t console_in_lock;
static uint32_t    console_cxy;      /* cluster of the kernel image: names the lock */
static bool        console_ready;
static char        console_line[CONSOLE_LINE_MAX];   /* guarded by console_in_lock */
static uint32_t    console_len;      /* bytes of the current line */
static uint32_t    console_pos;      /* bytes of it already returned */
static bool        console_done;     /* the current line is complete */
static bool        console_after_cr; /* the last byte was CR: drop an LF right after it */
static uint32_t    console_fg = 1;   /* foreground process group (TIOCSPGRP): init's at boot */

void console_init(void)
{
    console_cxy = vfs_cxy_of(&console_in_lock);
    remote_queuelock_init(XPTR(console_cxy, &console_in_lock), "console input",
                          RANK_VFS_CONSOLE);
    console_len = console_pos = 0;
    console_ready = true;
}

uint32_t console_fg_pgrp(void)
{
    return __atomic_load_n(&console_fg, __ATOMIC_ACQUIRE);
}

void console_set_fg_pgrp(uint32_t pgrp)
{
    __atomic_store_n(&console_fg, pgrp, __ATOMIC_RELEASE);
}

/*
 * The next byte typed on COM1: polls, yielding the core between polls.
 * @return the byte, or -ERESTARTSYS (vfs_interrupted).
 */
static int console_getc(void)
{
    int c;

    while ((c = serial_read_byte()) < 0) {
        if (vfs_interrupted())
            return -ERESTARTSYS;         /* -EINTR or a restart (signal.h) */
        sched_yield();
        cpu_pause();
    }
    return c;
}

/*
 * Reads (the rest of) one edited line into console_line; an interrupted
 * line is kept and continued by the next read. Input lock held.
 * @return 1 with a complete line, 0 at end of file (Ctrl-D on an empty
 * line), -EINTR.
 */
static int console_read_line_locked(void)
{
    for (;;) {
        int c = console_getc();

        if (c < 0)
            return c;

        if (c == '\n' && console_after_cr) {         /* CR LF: one end of line */
            console_after_cr = false;
            continue;
        }
        console_after_cr = (c == '\r');
        if (c == '\r' || c == '\n') {
            console_line[console_len++] = '\n';
            console_write_raw("\n", 1);
            return 1;
        }
        if (c == 0x7f || c == 0x08) {                /* DEL, BS: erase one */
            if (console_len > 0) {
                console_len--;
                console_write_raw("\b \b", 3);
            }
            continue;
        }
        if (c == 0x04)                               /* Ctrl-D: end the line as it is */
            return console_len > 0;
        if (console_len < CONSOLE_LINE_MAX - 1) {    /* room kept for the '\n' */
            char ch = (char)c;
            console_line[console_len++] = ch;
            if (c >= 0x20 || c == '\t')
                console_write_raw(&ch, 1);
        }
    }
}

/* read(2) of /dev/console: (the rest of) one edited line. */
static int64_t console_read(vfs_file_t *f, void *buf, size_t n)
{
    uint32_t got;
    int rc;

    (void)f;
    if (n == 0)
        return 0;
    if (!console_ready)
        return -EIO;
    vfs_qlock(console_cxy, &console_in_lock);
    if (console_done && console_pos >= console_len) {
        console_len = console_pos = 0;              /* the last line is consumed */
        console_done = false;
    }
    if (!console_done) {
        rc = console_read_line_locked();
        if (rc <= 0) {
            vfs_qunlock(console_cxy, &console_in_lock);
            return rc;
        }
        console_done = true;
    }
    got = console_len - console_pos;
    if (got > n)
        got = (uint32_t)n;
    memcpy(buf, console_line + console_pos, got);
    console_pos += got;
    vfs_qunlock(console_cxy, &console_in_lock);
    return got;
}

/* write(2) of /dev/console: everything, in chunks under the console lock. */
static int64_t console_write(vfs_file_t *f, const void *buf, size_t n)
{
    const char *s = buf;
    size_t done = 0;

    (void)f;
    while (done < n) {
        size_t chunk = n - done < CONSOLE_OUT_CHUNK ? n - done : CONSOLE_OUT_CHUNK;
        console_write_raw(s + done, chunk);
        done += chunk;
    }
    return (int64_t)n;
}

/* A stream: no lseek (-ESPIPE); vfs_file_is_tty() knows the console by this table. */
const vfs_file_ops_t console_fops = {
    .read  = console_read,
    .write = console_write,
};
