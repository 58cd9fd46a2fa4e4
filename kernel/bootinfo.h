/*
 * bootinfo.h - what the boot loader told us, copied out of the multiboot2
 * information block into a fixed structure (kernel/multiboot2.c fills it).
 * Everything after the parser reads this, never the raw block.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "kernel/compiler.h"

#define BOOT_MMAP_MAX	 128
#define BOOT_MODULES_MAX 16
#define BOOT_CMDLINE_MAX 1024

/* Memory map entry types, as multiboot2 (and the BIOS E820 call) number them. */
enum boot_mem_type {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BADRAM = 5,
};

/* A printable name for a memory map type ("available", "ACPI NVS", "unknown"...). */
const char *boot_mem_type_name(uint32_t type);

struct boot_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type; unknown values are kept as given */
};

struct boot_module {
	uint64_t start, end; /* physical, end exclusive */
	char cmdline[64];
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[64];
	bool has_basic_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	unsigned mmap_count;
	bool mmap_truncated; /* more entries than BOOT_MMAP_MAX */
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned module_count;
	uint64_t rsdp_phys;	/* where the RSDP copy lies inside the info block; 0 if none */
	unsigned rsdp_revision; /* 0: ACPI 1.0 (RSDT), 2+: XSDT available */
	uint8_t rsdp[36];	/* the RSDP bytes as the tag carried them */
	/* The information block itself: the memory code must reserve it. */
	uint64_t mbi_phys;
	uint32_t mbi_size;
};

extern struct boot_info boot_info;

#endif
