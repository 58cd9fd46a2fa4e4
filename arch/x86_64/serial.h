/*
 * serial.h - the 16550 UART on COM1, polled (no interrupts): the kernel's
 * console. QEMU's -serial stdio connects it to the terminal.
 */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H

#include "kernel/compiler.h"

/* Program COM1 for 115200 baud, 8N1, FIFOs on, interrupts off. Safe to call again. */
void serial_init(void);

/*
 * Write len bytes, turning "\n" into "\r\n" as a terminal expects. Polls the
 * transmitter; the caller serialises (printk's lock).
 */
void serial_write(const char *s, size_t len);

/* Input, polled: the next received byte (0-255), or -1 when none is waiting. */
int serial_try_getc(void);

#endif
