/*
 * multiboot2.h - reading the multiboot2 boot information block.
 *
 * GRUB (or any multiboot2 loader) leaves, somewhere in low memory, a block
 *
 *     u32 total_size; u32 reserved; tag; tag; ...; end tag
 *
 * where every tag is { u32 type; u32 size; payload } and starts on an 8-byte
 * boundary. mb2_parse copies what the kernel needs out of it into struct
 * boot_info (kernel/bootinfo.h), so nothing after early boot touches the raw
 * block, whose memory can then be reused once memblock has let it go.
 *
 * The parser trusts nothing: every length is checked against the block's own
 * total_size and against the number of bytes the caller says are readable, so
 * a corrupt block produces a message and -EINVAL, never a read out of bounds.
 * It is portable (no machine code), and the host tests feed it crafted blobs.
 */
#ifndef KERNEL_MULTIBOOT2_H
#define KERNEL_MULTIBOOT2_H

#include "kernel/bootinfo.h"
#include "kernel/compiler.h"

/* The value a multiboot2 loader leaves in EAX before jumping to the kernel. */
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

/* Tag types (the multiboot2 specification's numbering). */
#define MB2_TAG_END	      0
#define MB2_TAG_CMDLINE	      1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE	      3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV	      5
#define MB2_TAG_MMAP	      6
#define MB2_TAG_VBE	      7
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ELF_SECTIONS  9
#define MB2_TAG_APM	      10
#define MB2_TAG_EFI32	      11
#define MB2_TAG_EFI64	      12
#define MB2_TAG_SMBIOS	      13
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_NETWORK	      16
#define MB2_TAG_EFI_MMAP      17
#define MB2_TAG_EFI_BS	      18
#define MB2_TAG_EFI32_IH      19
#define MB2_TAG_EFI64_IH      20
#define MB2_TAG_LOAD_BASE     21

/* The raw layouts, as the specification defines them (all little endian). */
struct mb2_info_header {
	uint32_t total_size; /* including this header and the end tag */
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* header + payload, NOT rounded up to 8 */
};

struct mb2_tag_module {
	uint32_t type, size;
	uint32_t mod_start, mod_end; /* physical, end exclusive */
				     /* followed by a NUL-terminated string */
};

struct mb2_tag_basic_meminfo {
	uint32_t type, size;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB / above 1 MiB up to the first hole */
};

struct mb2_tag_mmap {
	uint32_t type, size;
	uint32_t entry_size;	/* a multiple of 8, at least sizeof(struct mb2_mmap_entry) */
	uint32_t entry_version; /* 0 */
				/* followed by entries, entry_size bytes apart */
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

#define MB2_TAG_HEADER_SIZE 8u
#define MB2_TAG_ALIGN	    8u
#define MB2_MMAP_ENTRY_MIN  24u /* sizeof(struct mb2_mmap_entry) */
#define MB2_RSDP_V1_SIZE    20u /* ACPI 1.0 RSDP */
#define MB2_RSDP_V2_SIZE    36u /* ACPI 2.0+ XSDP */

/*
 * Parse the information block at mbi (any address; read with byte copies,
 * so no alignment is required of it) into *out, which is zeroed first.
 *
 *   avail     how many bytes from mbi may be read at all (the caller's
 *             mapping); nothing at or beyond mbi + min(total_size, avail) is
 *             ever touched. The kernel passes the size it mapped; the host
 *             tests pass the exact size of their buffers.
 *   mbi_phys  the block's physical address (the kernel knows it from EBX);
 *             stored in out->mbi_phys and used for out->rsdp_phys. The hosted
 *             tests may pass anything.
 *
 * Fills the command line (tag 1, cut at the first NUL or at the end of the
 * tag, then truncated to BOOT_CMDLINE_MAX - 1 with a warning), the loader
 * name (2), modules (3), basic meminfo (4), the memory map (6), and the ACPI
 * RSDP (15 preferred over 14). Unknown tag types are skipped and counted.
 * out->mbi_size is set to total_size.
 *
 * Returns 0, or -EINVAL after a pr_err naming the offending tag's type and
 * offset when the block is malformed: total_size < 16 or > avail, a tag
 * shorter than its header or running past total_size, no end tag, a memory
 * map whose entry_size is < 24 or whose entries do not fit the tag, an RSDP
 * tag too short for its revision. On error *out holds what was parsed
 * before the bad tag and must not be relied upon.
 */
int mb2_parse(const void *mbi, size_t avail, uint64_t mbi_phys, struct boot_info *out);

/*
 * The kernel's copy, `struct boot_info boot_info` (declared in bootinfo.h), is
 * DEFINED in kernel/multiboot2.c; early boot does
 *     mb2_parse(__va(ebx), mapped_bytes, ebx, &boot_info);
 */

/*
 * Print what the loader handed over: loader name, command line, basic
 * meminfo, modules, RSDP (address, revision, OEM id) and the raw memory map
 * as a table (base, end, size, type name).
 */
void mb2_print(const struct boot_info *bi);

#endif
