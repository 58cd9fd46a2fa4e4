/*
 * header.S - the multiboot2 header, which tells GRUB this ELF file is a
 * multiboot2 kernel.
 *
 * The specification requires the header to be 8-byte aligned and to lie
 * entirely within the first 32 KiB of the file; linker.ld places the
 * .multiboot section first in the image and `-z max-page-size=0x1000` keeps
 * the first segment at file offset 0x1000. `grub-file --is-x86-multiboot2`
 * checks it at build time (see the Makefile).
 *
 * No optional tags are requested: GRUB loads the ELF segments at their
 * physical (AT) addresses and enters at the ELF entry point (_start32, a
 * physical address) in 32-bit protected mode, paging off, with EAX holding
 * the boot loader magic and EBX the physical address of the boot
 * information block. Without a framebuffer tag GRUB leaves the display in
 * text mode; the kernel only uses the serial port.
 */
#define MB2_HEADER_MAGIC  0xe85250d6
#define MB2_ARCH_I386     0 /* 32-bit protected mode entry */
#define MB2_TAG_END       0

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	/* magic + architecture + length + checksum must be 0 (mod 2^32). */
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Tags follow, each 8-byte aligned; the list ends with an end tag (type 0, size 8). */
	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
