/*
 * acpi.c - locating the ACPI tables on a PC and reading the MADT through
 * the boot direct map (see acpi.h for why this happens before paging_init).
 *
 * Where the RSDP comes from, in order of preference:
 *   1. the multiboot2 ACPI tag (boot_info.rsdp): GRUB copied it for us, and
 *      on UEFI machines it is the only way to find it;
 *   2. the BIOS search areas the ACPI specification (5.2.5.1) names: the
 *      first 1 KiB of the Extended BIOS Data Area, whose segment the BIOS
 *      data area holds at 0x40e, then the read-only BIOS area 0xe0000-0xfffff,
 *      on 16-byte boundaries.
 */
#include "arch/x86_64/acpi.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"

CMDLINE_PARAM(acpi, "acpi=off: ignore the ACPI tables (one CPU); acpi=scan: find the RSDP in "
		    "the BIOS areas even when the boot loader passed one");

/* What boot/boot32.S maps at PAGE_OFFSET until paging_init replaces it. */
#define BOOT_DIRECT_MAP_SIZE (16ULL << 30)

static struct acpi_madt_info madt_info;
static bool madt_valid;

const struct acpi_madt_info *acpi_madt(void)
{
	return madt_valid ? &madt_info : NULL;
}

/* A memory-map type that holds memory (RAM or firmware data), never device registers. */
static bool mem_type_is_memory(uint32_t type)
{
	return type == BOOT_MEM_AVAILABLE || type == BOOT_MEM_RESERVED ||
	       type == BOOT_MEM_ACPI_RECLAIMABLE || type == BOOT_MEM_NVS;
}

/*
 * The parser's window on physical memory: the boot direct map, and only
 * where the firmware's memory map says there is memory. A table length or
 * pointer gone wrong must not make us read device registers (which can have
 * side effects) or beyond what the boot tables map.
 */
static const void *map_boot_direct(uint64_t pa, size_t len, void *ctx)
{
	const struct boot_info *bi = ctx;
	uint64_t end = pa + len;

	if (pa == 0 || pa >= BOOT_DIRECT_MAP_SIZE || len > BOOT_DIRECT_MAP_SIZE - pa)
		return NULL;
	/* Each step finds an entry holding cur and moves to its end (entries may be unsorted). */
	for (uint64_t cur = pa; bi->mmap_count && cur < end;) {
		uint64_t next = cur;
		for (unsigned i = 0; i < bi->mmap_count; i++) {
			const struct boot_mmap_entry *e = &bi->mmap[i];
			if (mem_type_is_memory(e->type) && e->base <= cur &&
			    cur - e->base < e->length)
				next = MAX(next, e->base + e->length);
		}
		if (next == cur)
			return NULL;
		cur = next;
	}
	return __va(pa);
}

/* Search the BIOS areas; returns the RSDP's physical address (0: none) and the bytes after it. */
static uint64_t rsdp_scan_bios(size_t *avail)
{
	uint16_t ebda_seg;
	memcpy(&ebda_seg, __va(0x40e), sizeof(ebda_seg));
	uint64_t ebda = (uint64_t)ebda_seg << 4;
	long off;

	/* The EBDA lies just below 640 KiB when there is one; anything else is not it. */
	if (ebda >= 0x80000 && ebda < 0xa0000 && (off = acpi_rsdp_scan(__va(ebda), 1024)) >= 0) {
		*avail = 1024 - (size_t)off;
		return ebda + (uint64_t)off;
	}
	if ((off = acpi_rsdp_scan(__va(0xe0000), 0x20000)) >= 0) {
		*avail = 0x20000 - (size_t)off;
		return 0xe0000 + (uint64_t)off;
	}
	return 0;
}

int acpi_init(const struct boot_info *bi)
{
	const void *rsdp;
	size_t rsdp_len;
	uint64_t rsdp_phys;
	const char *from;
	const char *opt = cmdline_get("acpi");

	if (opt && strcmp(opt, "off") == 0) {
		pr_info("ACPI: disabled on the command line (acpi=off): one CPU\n");
		return -ENODEV;
	}
	if (opt && strcmp(opt, "scan") != 0)
		pr_warn("ACPI: ignoring acpi=%s (off or scan)\n", opt);
	if (bi->rsdp_phys && !(opt && strcmp(opt, "scan") == 0)) {
		rsdp = bi->rsdp;
		rsdp_len = bi->rsdp_revision >= 2 ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN;
		rsdp_phys = bi->rsdp_phys;
		from = "the boot loader's copy";
	} else if ((rsdp_phys = rsdp_scan_bios(&rsdp_len))) {
		rsdp = __va(rsdp_phys);
		from = "the BIOS area";
	} else {
		pr_err("ACPI: no RSDP (no multiboot2 ACPI tag, none in the EBDA or at "
		       "0xe0000-0xfffff): one CPU\n");
		return -ENOENT;
	}

	struct acpi_rsdp_info info;
	int err = acpi_rsdp_parse(rsdp, rsdp_len, false, &info);
	if (!err) {
		pr_info("ACPI: RSDP at %#llx (%s), revision %u, OEM \"%s\", %s at %#llx\n",
			(unsigned long long)rsdp_phys, from, info.revision, info.oem_id,
			info.xsdt ? "XSDT" : "RSDT",
			(unsigned long long)(info.xsdt ? info.xsdt : info.rsdt));
		err = acpi_discover_cpus(rsdp, rsdp_len, map_boot_direct, (void *)bi, &madt_info);
	}
	if (err) {
		pr_err("ACPI: unusable tables (error %d): one CPU\n", err);
		return err;
	}
	madt_valid = true;
	pr_info("ACPI: MADT: %u usable CPU%s (%u disabled, %u duplicate%s%s), %u I/O APIC%s, "
		"local APIC at %#llx%s\n",
		madt_info.nr_cpus, madt_info.nr_cpus == 1 ? "" : "s", madt_info.nr_cpus_disabled,
		madt_info.nr_duplicates, madt_info.nr_duplicates == 1 ? "" : "s",
		madt_info.nr_cpus_dropped ? ", more not recorded" : "", madt_info.nr_ioapics,
		madt_info.nr_ioapics == 1 ? "" : "s", (unsigned long long)madt_info.lapic_phys,
		(madt_info.flags & ACPI_MADT_PCAT_COMPAT) ? ", legacy PICs present" : "");
	return 0;
}
