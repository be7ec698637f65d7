/*
 * serial.h - 16550 UART on COM1 (I/O port 0x3f8), the kernel console.
 *
 * Register layout: the PC16550D data sheet (National Semiconductor), as
 * emulated by QEMU's "serial" device. Polled output; input polled or, once
 * serial_rx_irq_enable() ran, signalled by the UART's interrupt (ISA IRQ 4,
 * routed by the caller through the I/O APIC).
 * No lock inside: printk() serialises writers with the console lock.
 */
#ifndef _SERIAL_H_
#define _SERIAL_H_

#include <stddef.h>

/* Programs COM1 for 115200 baud, 8N1, FIFOs on. Bootstrap core, once. */
void serial_init(void);

/* Writes @n bytes, translating "\n" to "\r\n"; spins while the FIFO is full. */
void serial_write(const char *s, size_t n);

/* Writes @n bytes as they are (no "\n" translation: the tty's ONLCR does it). */
void serial_write_raw(const char *s, size_t n);

/*
 * The next byte received on COM1, or -1 when none is waiting (line status
 * bit 0, data ready). No lock inside: one reader at a time (the console's
 * interrupt handler, kernel/fs/console.c). Reading the last waiting byte
 * clears the UART's receive interrupt (PC16550D, "Interrupt identification").
 */
int serial_read_byte(void);

/*
 * Turns on COM1's "received data available" interrupt (IER bit 0, with the
 * FIFO trigger at one byte and OUT2, which gates IRQ 4 on PC boards): the
 * UART raises its line while a byte waits. Bootstrap core, once, after
 * the I/O APIC routes IRQ 4.
 */
void serial_rx_irq_enable(void);

/*
 * The trace channel: COM2 (I/O port 0x2f8), binary, never the console.
 * serial_trace_init() programs it like COM1; serial_trace_write() sends
 * @n raw bytes. Bootstrap core (the trace drainer) only.
 */
void serial_trace_init(void);
void serial_trace_write(const void *buf, size_t n);

#endif
