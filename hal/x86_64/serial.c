/*
 * serial.c - 16550 UART driver, polled output (see serial.h).
 */
#include <stdint.h>
#include "serial.h"
#include "cpu.h"

#define COM1      0x3f8
#define UART_THR  0     /* transmit holding register (DLAB=0) */
#define UART_IER  1     /* interrupt enable (DLAB=0) */
#define UART_DLL  0     /* divisor latch low (DLAB=1) */
#define UART_DLM  1     /* divisor latch high (DLAB=1) */
#define UART_FCR  2     /* FIFO control */
#define UART_LCR  3     /* line control */
#define UART_MCR  4     /* modem control */
#define UART_LSR  5     /* line status */
#define LSR_THRE  0x20  /* transmit holding register empty */

void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00);    /* no interrupts */
    outb(COM1 + UART_LCR, 0x80);    /* DLAB: set the divisor */
    outb(COM1 + UART_DLL, 0x01);    /* 115200 / 1 */
    outb(COM1 + UART_DLM, 0x00);
    outb(COM1 + UART_LCR, 0x03);    /* 8 bits, no parity, one stop bit */
    outb(COM1 + UART_FCR, 0xc7);    /* FIFOs on, cleared, 14-byte threshold */
    outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
}

static void serial_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        cpu_pause();
    outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}
