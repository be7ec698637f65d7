/*
 * serial.h - 16550 UART on COM1 (I/O port 0x3f8), the kernel console.
 *
 * Register layout: the PC16550D data sheet (National Semiconductor), as
 * emulated by QEMU's "serial" device. Polled output and input.
 * No lock inside: printk() serialises writers with the console lock.
 */
#ifndef _SERIAL_H_
#define _SERIAL_H_

#include <stddef.h>

/* Programs COM1 for 115200 baud, 8N1, FIFOs on. Bootstrap core, once. */
void serial_init(void);

/* Writes @n bytes, translating "\n" to "\r\n"; spins while the FIFO is full. */
void serial_write(const char *s, size_t n);

/*
 * The next byte received on COM1, or -1 when none is waiting (polled: line
 * status bit 0, data ready; there is no UART interrupt). No lock inside:
 * the console input lock (kernel/fs/console.c) serialises readers.
 */
int serial_read_byte(void);

/*
 * The trace channel: COM2 (I/O port 0x2f8), binary, never the console.
 * serial_trace_init() programs it like COM1; serial_trace_write() sends
 * @n raw bytes. Bootstrap core (the trace drainer) only.
 */
void serial_trace_init(void);
void serial_trace_write(const void *buf, size_t n);

#endif
