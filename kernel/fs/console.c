/*
 * console.c - /dev/console and /dev/tty: the COM1 UART as a terminal (the
 * line discipline is tty.c's; this file is the device glue).
 *
 * Input is interrupt-driven: COM1's receive interrupt (ISA IRQ 4, routed
 * by the I/O APIC to VEC_CONSOLE of the first core of cluster 0) moves
 * the waiting bytes into a small ring (single producer: that interrupt
 * handler; single consumer: the console thread) and wakes the console
 * thread, a kernel thread of the same core, which hands them to
 * tty_receive(): the editing, the echo and the signals of INTR/SUSP/QUIT
 * run in a thread, as Linux's flip buffers hand bytes to the line
 * discipline from a work queue. Readers sleep in tty_read() until woken:
 * a waiting reader lets its core idle. Without an I/O APIC the thread
 * polls the UART every CONSOLE_POLL_MS instead.
 *
 * Output goes through console_write_tty() (printk.c), under the same lock
 * as printk lines, so a user write never interleaves with a kernel line.
 * The console is a device of the whole machine; its state lives in the
 * kernel image (cluster vfs_cxy_of()).
 */
#include "vfs_internal.h"
#include "tty.h"
#include "serial.h"
#include "ioapic.h"
#include "printk.h"
#include "pgrp.h"
#include "ipi.h"
#include "core.h"
#include "cluster.h"
#include "thread.h"
#include "boot_info.h"
#include "kstring.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define CONSOLE_RX_RING  256         /* bytes between the interrupt and the thread */
#define CONSOLE_POLL_MS  10          /* the polling period without an I/O APIC */
#define COM1_ISA_IRQ     4

static tty_t    console_tty;
static bool     console_ready;
static bool     console_irq_on;      /* the receive interrupt is routed */
static char     console_rx[CONSOLE_RX_RING];
static volatile uint32_t console_rx_head; /* next byte for the thread (consumer) */
static volatile uint32_t console_rx_tail; /* next free slot (producer: the interrupt) */
static xptr_t   console_thread_xp;   /* the console thread, XPTR_NULL before it starts */
static uint64_t console_rx_dropped;  /* bytes lost to a full ring */

static void console_output(tty_t *tty, const char *s, size_t n)
{
    (void)tty;
    console_write_tty(s, n);
}

static void console_signal(tty_t *tty, uint32_t pgrp, int sig)
{
    (void)tty;
    pgrp_kill_group(pgrp, sig);
}

static const tty_ops_t console_tty_ops = {
    .output = console_output,
    .signal = console_signal,
};

void console_init(void)
{
    tty_init(&console_tty, vfs_cxy_of(&console_tty), &console_tty_ops);
    console_tty.sid = 1;             /* init's session: the console is its terminal */
    console_tty.fg_pgrp = 1;
    console_ready = true;
}

tty_t *console_get_tty(void)
{
    return &console_tty;
}

/* Moves the UART's waiting bytes into the ring. @return true if any came. */
static bool console_drain_uart(void)
{
    bool any = false;
    int c;

    while ((c = serial_read_byte()) >= 0) {
        uint32_t tail = console_rx_tail;

        any = true;
        if (tail - __atomic_load_n(&console_rx_head, __ATOMIC_ACQUIRE) >= CONSOLE_RX_RING) {
            console_rx_dropped++;
            continue;
        }
        console_rx[tail % CONSOLE_RX_RING] = (char)c;
        __atomic_store_n(&console_rx_tail, tail + 1, __ATOMIC_RELEASE);
    }
    return any;
}

void console_irq(void)
{
    xptr_t t = __atomic_load_n(&console_thread_xp, __ATOMIC_ACQUIRE);

    if (console_drain_uart() && t != XPTR_NULL)
        thread_unblock(t, THREAD_BLOCKED_SLEEP);
}

static bool console_rx_pending(const void *arg)
{
    (void)arg;
    return __atomic_load_n(&console_rx_tail, __ATOMIC_ACQUIRE) != console_rx_head;
}

/* The console thread: received bytes to the line discipline. Never returns. */
static void console_thread(void *arg)
{
    (void)arg;
    for (;;) {
        char chunk[64];
        uint32_t n = 0;

        if (!console_irq_on)
            console_drain_uart();
        while (n < sizeof(chunk) && console_rx_pending(NULL)) {
            chunk[n++] = console_rx[console_rx_head % CONSOLE_RX_RING];
            __atomic_store_n(&console_rx_head, console_rx_head + 1, __ATOMIC_RELEASE);
        }
        if (n) {
            tty_receive(&console_tty, chunk, n);
            continue;
        }
        thread_sleep_until(console_irq_on ? UINT64_MAX : rdtsc() + tsc_from_ms(CONSOLE_POLL_MS),
                           console_rx_pending, NULL);
    }
}

void console_start(core_t *core)
{
    thread_t *t = thread_create(core->lid, THREAD_KERNEL, console_thread, NULL, "console");
    const acpi_info_t *acpi = &boot_info.acpi;

    if (t == NULL)
        panic("no memory for the console thread");
    __atomic_store_n(&console_thread_xp, XPTR(core->cxy, t), __ATOMIC_RELEASE);
    if (ioapic_route(acpi->isa_gsi[COM1_ISA_IRQ], VEC_CONSOLE, core->apic_id,
                     acpi->isa_flags[COM1_ISA_IRQ])) {
        uint64_t flags = irq_save();     /* the ring has one producer: this core's handler */

        console_irq_on = true;
        serial_rx_irq_enable();
        console_irq();               /* bytes typed before: no edge will announce them */
        irq_restore(flags);
    } else {
        printk("console: no I/O APIC route for COM1, polling every %u ms", CONSOLE_POLL_MS);
    }
}

/* open(2) of /dev/console: a session leader without a terminal may take it. */
static int console_open(vfs_file_t *f)
{
    if (!(f->flags & O_NOCTTY))
        tty_open_ctty(&console_tty);
    return 0;
}

/* open(2) of /dev/tty: the caller's controlling terminal (the console), or ENXIO. */
static int devtty_open(vfs_file_t *f)
{
    (void)f;
    return tty_is_ctty(&console_tty) ? 0 : -ENXIO;
}

static int64_t console_read(vfs_file_t *f, void *buf, size_t n)
{
    int rc;

    if (!console_ready)
        return -EIO;
    if ((rc = tty_check_read(&console_tty)) != 0)
        return rc;
    return tty_read(&console_tty, buf, n, vfs_file_flags(f) & O_NONBLOCK);
}

static int64_t console_write(vfs_file_t *f, const void *buf, size_t n)
{
    int rc;

    (void)f;
    if (console_tty.termios.c_lflag & TOSTOP) {
        if ((rc = tty_check_change(&console_tty)) != 0)
            return rc;
    }
    return tty_write(&console_tty, buf, n);
}

static uint32_t console_poll(vfs_file_t *f)
{
    (void)f;
    return tty_poll(&console_tty);
}

void console_wait_input(uint64_t deadline)
{
    tty_wait_input(&console_tty, deadline);
}

int64_t console_ioctl(vfs_file_t *f, uint64_t cmd, uint64_t arg)
{
    (void)f;
    return tty_ioctl(&console_tty, cmd, arg);
}

/* A stream: no lseek (-ESPIPE); vfs_file_is_tty() knows the console by these tables. */
const vfs_file_ops_t console_fops = {
    .open  = console_open,
    .read  = console_read,
    .write = console_write,
    .poll  = console_poll,
};

const vfs_file_ops_t devtty_fops = {
    .open  = devtty_open,
    .read  = console_read,
    .write = console_write,
    .poll  = console_poll,
};
