/*
 * pic.h - the legacy 8259A interrupt controllers. The kernel uses the local
 * APIC; the PICs are remapped away from the exception vectors (the BIOS
 * leaves IRQ 0-7 on vectors 8-15, where they would look like a double fault)
 * and fully masked.
 */
#ifndef ARCH_X86_64_PIC_H
#define ARCH_X86_64_PIC_H

#define PIC_VECTOR_BASE 0x20 /* IRQ 0-15 -> vectors 0x20-0x2f, should one slip through */

/* Remap both PICs to PIC_VECTOR_BASE and mask every line. */
void pic_remap_and_mask(void);

#endif
