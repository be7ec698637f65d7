/*
 * printk.c - kernel console output (see printk.h).
 *
 * The console is the COM1 UART, a device of the machine as a whole: its
 * lock is the one mutable kernel object every cluster touches at boot
 * (a device lock, outside the per-cluster state of invariant 1).
 */
#include <stdarg.h>
#include "printk.h"
#include "kstring.h"
#include "busylock.h"
#include "serial.h"
#include "core.h"

static busylock_t console_lock = BUSYLOCK_INIT("console", RANK_CONSOLE);

/* Set by panic once every other core is stopped: the lock may be held by one of them. */
volatile int printk_bypass_lock;

void vprintk(const char *fmt, va_list ap)
{
    char text[PRINTK_LINE_MAX * 2];
    char line[PRINTK_LINE_MAX + 2];
    const core_t *core = core_self();
    const char *p;
    int len;

    len = vsnprintf(text, sizeof(text), fmt, ap);
    if (len >= (int)sizeof(text))
        len = sizeof(text) - 1;

    if (!printk_bypass_lock)
        busylock_acquire(&console_lock);
    p = text;
    do {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        int pre = snprintf(line, sizeof(line), "[%u.%u] ", core->cxy, core->lid);

        if (n > PRINTK_LINE_MAX - pre)
            n = PRINTK_LINE_MAX - pre;
        memcpy(line + pre, p, n);
        line[pre + n] = '\n';
        serial_write(line, pre + n + 1);
        p = nl ? nl + 1 : p + strlen(p);
    } while (*p);
    if (!printk_bypass_lock)
        busylock_release(&console_lock);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void console_write_raw(const char *s, size_t n)
{
    if (n == 0)
        return;
    if (!printk_bypass_lock)
        busylock_acquire(&console_lock);
    serial_write(s, n);
    if (!printk_bypass_lock)
        busylock_release(&console_lock);
}

void console_write_tty(const char *s, size_t n)
{
    if (n == 0)
        return;
    if (!printk_bypass_lock)
        busylock_acquire(&console_lock);
    serial_write_raw(s, n);
    if (!printk_bypass_lock)
        busylock_release(&console_lock);
}
