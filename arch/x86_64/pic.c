/*
 * pic.c - remap and mask the two cascaded 8259A PICs (see pic.h).
 * The initialisation sequence is ICW1 (start, ICW4 needed), ICW2 (vector
 * base), ICW3 (cascade wiring: slave on master's IRQ 2), ICW4 (8086 mode).
 */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/io.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11
#define ICW4_8086      0x01

void pic_remap_and_mask(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	io_wait();
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 1u << 2); /* slave on IRQ 2 */
	io_wait();
	outb(PIC2_DATA, 2); /* slave identity */
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
