/*
 * printk.h - kernel console output.
 *
 * Every line starts with "[cxy.lid] ", the cluster and local index of the
 * core that prints it; a line is formatted in a local buffer and written
 * under the console lock, so lines of different cores never interleave.
 * May be called on any core, in any context, with or without interrupts.
 */
#ifndef _PRINTK_H_
#define _PRINTK_H_

#include <stdarg.h>
#include <stddef.h>

#define PRINTK_LINE_MAX 256    /* bytes of one line, prefix included; longer is cut */

/*
 * Prints @fmt (kstring.h conversions). Each '\n'-separated line of the
 * output gets the core prefix; a trailing '\n' is added when missing.
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Writes the @n raw bytes at @s to the console ("\n" becomes "\r\n", no
 * core prefix) under the console lock, so that they never interleave with
 * a printk line. Any core, any context.
 */
void console_write_raw(const char *s, size_t n);

/*
 * The same without the "\n" translation: the bytes a terminal's output
 * processing made (tty.c, ONLCR). Used by /dev/console.
 */
void console_write_tty(const char *s, size_t n);

/*
 * Set by panic once every other core is stopped: printk then writes without
 * the console lock (one of them may hold it). Never cleared.
 */
extern volatile int printk_bypass_lock;

/* Prints a warning line ("warning: ..."). */
#define pr_warn(fmt, ...) printk("warning: " fmt, ##__VA_ARGS__)

/*
 * Stops the whole machine after a broken kernel invariant: prints "PANIC:"
 * and the message, a backtrace of the calling core, stops every other core
 * (NMI), and ends the QEMU run with status 3 (or halts for GDB with the
 * panic=halt option). Never returns.
 */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * DEBUG kernels are compiled with -fstack-protector-strong and
 * -mstack-protector-guard=global (GCC: a function with an array or an
 * address-taken local keeps a copy of __stack_chk_guard below its return
 * address and calls __stack_chk_fail() if it changed on return).
 * stack_protector_init() gives the guard a per-boot value (RDRAND when
 * CPUID.01H:ECX.RDRAND[bit 30] says the core has it, Intel SDM vol. 2B
 * "RDRAND", mixed with the TSC). It must run first in the bootstrap core's
 * first C function, which never returns, before any other core starts.
 */
void stack_protector_init(void);

/* Called by a function whose canary was overwritten: panics, naming the function. */
void __stack_chk_fail(void) __attribute__((noreturn));

#define assert(cond) \
    do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
