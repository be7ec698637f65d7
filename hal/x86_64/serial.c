/*
 * serial.c - 16550 UART driver, polled output, polled or interrupt-driven
 * input (see serial.h).
 */
#include <stdint.h>
#include "serial.h"
#include "cpu.h"

#define COM1      0x3f8
#define COM2      0x2f8
#define UART_THR  0     /* transmit holding register (DLAB=0) */
#define UART_IER  1     /* interrupt enable (DLAB=0) */
#define UART_DLL  0     /* divisor latch low (DLAB=1) */
#define UART_DLM  1     /* divisor latch high (DLAB=1) */
#define UART_FCR  2     /* FIFO control */
#define UART_LCR  3     /* line control */
#define UART_MCR  4     /* modem control */
#define UART_LSR  5     /* line status */
#define UART_RBR  0     /* receive buffer register (DLAB=0) */
#define LSR_DR    0x01  /* data ready */
#define IER_RDA   0x01  /* interrupt when received data is available (or on timeout) */
#define MCR_OUT2  0x08  /* gates the UART's interrupt line on PC boards */
#define LSR_THRE  0x20  /* transmit holding register empty */

static void uart_init(uint16_t port)
{
    outb(port + UART_IER, 0x00);    /* no interrupts */
    outb(port + UART_LCR, 0x80);    /* DLAB: set the divisor */
    outb(port + UART_DLL, 0x01);    /* 115200 / 1 */
    outb(port + UART_DLM, 0x00);
    outb(port + UART_LCR, 0x03);    /* 8 bits, no parity, one stop bit */
    outb(port + UART_FCR, 0xc7);    /* FIFOs on, cleared, 14-byte threshold */
    outb(port + UART_MCR, 0x03);    /* DTR, RTS */
}

static void uart_putc(uint16_t port, char c)
{
    while (!(inb(port + UART_LSR) & LSR_THRE))
        cpu_pause();
    outb(port + UART_THR, (uint8_t)c);
}

void serial_init(void)
{
    uart_init(COM1);
}

static void serial_putc(char c)
{
    uart_putc(COM1, c);
}

void serial_trace_init(void)
{
    uart_init(COM2);
}

void serial_trace_write(const void *buf, size_t n)
{
    const char *b = buf;

    for (size_t i = 0; i < n; i++)
        uart_putc(COM2, b[i]);
}

void serial_rx_irq_enable(void)
{
    outb(COM1 + UART_FCR, 0x07);    /* FIFOs on, cleared, trigger at 1 byte */
    outb(COM1 + UART_MCR, 0x03 | MCR_OUT2);
    outb(COM1 + UART_IER, IER_RDA);
}

void serial_write_raw(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        serial_putc(s[i]);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

int serial_read_byte(void)
{
    if (!(inb(COM1 + UART_LSR) & LSR_DR))
        return -1;
    return inb(COM1 + UART_RBR);
}
