/*
 * serial.c - COM1 as the console: a 16550 UART driven by polling.
 *
 * Writing waits for the Transmitter Holding Register Empty bit before each
 * byte. The wait is bounded, so a machine without a UART (where the status
 * register reads as 0xff or never changes) loses output instead of hanging.
 */
#include "arch/x86_64/serial.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/layout.h"

#define UART_DATA 0 /* transmit/receive; divisor low byte when DLAB=1 */
#define UART_IER  1 /* interrupt enable; divisor high byte when DLAB=1 */
#define UART_FCR  2 /* FIFO control */
#define UART_LCR  3 /* line control */
#define UART_MCR  4 /* modem control */
#define UART_LSR  5 /* line status */

#define LCR_DLAB	    0x80
#define LCR_8N1		    0x03
#define FCR_ENABLE_CLEAR_14 0xc7 /* enable FIFOs, clear both, interrupt at 14 bytes */
#define MCR_DTR_RTS_OUT2    0x0b
#define LSR_DR		    0x01 /* a received byte is waiting */
#define LSR_THRE	    0x20

#define UART_CLOCK 115200u /* the divisor is relative to this */
#define BAUD	   115200u

void serial_init(void)
{
	unsigned divisor = UART_CLOCK / BAUD;

	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, LCR_DLAB);
	outb(COM1_PORT + UART_DATA, (uint8_t)divisor);
	outb(COM1_PORT + UART_IER, (uint8_t)(divisor >> 8));
	outb(COM1_PORT + UART_LCR, LCR_8N1);
	outb(COM1_PORT + UART_FCR, FCR_ENABLE_CLEAR_14);
	outb(COM1_PORT + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void serial_putc(char c)
{
	/* ~100k status reads is far longer than one byte takes at 115200 baud (87 us). */
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb(COM1_PORT + UART_LSR) & LSR_THRE)
			break;
	outb(COM1_PORT + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_try_getc(void)
{
	uint8_t lsr = inb(COM1_PORT + UART_LSR);
	/* 0xff: no UART at all (nothing ever arrives), not "data ready". */
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(COM1_PORT + UART_DATA);
}
