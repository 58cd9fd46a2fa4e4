/*
 * memmap.h - turning the firmware's memory map into memblock's view of RAM.
 *
 * memmap_sanitize() takes the raw map as the boot loader gave it (unsorted,
 * overlapping, unaligned, zero-length entries and addresses beyond the CPU's
 * physical width all occur in the wild) and produces the sorted,
 * non-overlapping list of usable RAM: adjacent ranges merged, overlaps
 * resolved with reserved winning over available, ranges shrunk inward to page
 * boundaries, empty ones dropped, a mem= cap applied. Each oddity found is
 * reported with a clear message and the safest interpretation taken.
 *
 * memmap_setup() then feeds memblock: the usable ranges as memory, and as
 * reservations the first 1 MiB, the kernel image, the multiboot2 information
 * block and every module.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "kernel/bootinfo.h"
#include "kernel/compiler.h"

struct mem_range {
	uint64_t base;
	uint64_t size;
};

/*
 * What sanitizing found, for the boot log and the tests. Each field counts
 * occurrences: unsorted = entries below their predecessor; overlaps =
 * (reserved, available) entry pairs that overlap; merged = pairs of available
 * entries that overlap or touch; unaligned = usable ranges shrunk to page
 * boundaries (dropped when nothing was left); beyond_phys / capped = usable
 * ranges clipped or dropped by the physical width / the mem= cap; wrapped =
 * entries whose base + length passes 2^64 (clipped); overflow = usable ranges
 * dropped because `out` was full.
 */
struct memmap_report {
	unsigned unsorted, overlaps, unaligned, zero_length, beyond_phys, capped, merged;
	unsigned unknown_type;
	unsigned wrapped, overflow;
};

/*
 * Sanitize raw (n entries) into out (at most max_out usable ranges, ascending).
 * mem_cap: highest usable byte count to keep (0 = no cap). phys_bits: CPU's
 * physical address width; RAM above 2^phys_bits is dropped.
 * Returns the number of usable ranges (0 means no usable RAM: the caller
 * panics), and fills *rep when non-NULL.
 */
int memmap_sanitize(const struct boot_mmap_entry *raw, unsigned n, struct mem_range *out,
		    unsigned max_out, uint64_t mem_cap, unsigned phys_bits,
		    struct memmap_report *rep);

/*
 * Build memblock from the boot information: memory = sanitized usable RAM;
 * reserved = first 1 MiB, [kernel_start, kernel_end) ("kernel image"), the
 * multiboot2 block ("multiboot2 info"), every module ("module"). Panics only
 * when there is no usable RAM at all, and says so.
 */
void memmap_setup(const struct boot_info *bi, uint64_t kernel_phys_start, uint64_t kernel_phys_end,
		  uint64_t mem_cap, unsigned phys_bits);

#endif
