/*
 * memblock.h - the early ("boot") physical memory allocator, after Linux's
 * memblock. Two sorted, non-overlapping lists of physical ranges: `memory`
 * (usable RAM, from the sanitized firmware map) and `reserved` (in use: the
 * kernel image, the boot information, the first 1 MiB, and everything
 * memblock_alloc has handed out), each reserved range labelled with who
 * reserved it. Allocation finds the highest free range below current_limit
 * (top-down, as Linux does, keeping low memory for DMA) and reserves it.
 *
 * When the buddy allocator takes over (page_alloc_init), every page in
 * `memory` and not in `reserved` is handed to it exactly once; after that
 * memblock_alloc fails loudly (memblock.frozen).
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include "kernel/compiler.h"

#define MEMBLOCK_MAX_REGIONS 256

/*
 * Default current_limit: the end of the boot direct map (boot/ maps the first
 * 16 GiB at PAGE_OFFSET), so every memblock_alloc result can be touched
 * through __va() before the real page tables exist.
 */
#define MEMBLOCK_DEFAULT_LIMIT (16ULL << 30)

struct memblock_region {
	uint64_t base;
	uint64_t size;
	const char *owner; /* reserved: who reserved it ("kernel", "multiboot2 info", ...) */
};

struct memblock_type {
	const char *name;
	unsigned cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
	/*
	 * Non-RAM ranges the firmware reported (owner = their type, e.g.
	 * "ACPI NVS"). Only memblock_dump reads it, so the printed map can show
	 * every range the firmware named, not just RAM.
	 */
	struct memblock_type firmware;
	uint64_t current_limit; /* allocations end below this (the boot direct map's end) */
	bool frozen;		/* the buddy allocator has taken over */
};

extern struct memblock memblock;

/*
 * memblock is boot-time, single-CPU state and takes no lock: every call below
 * happens before other CPUs run, or (host tests) on one thread.
 */

/* Forget everything and put current_limit back to MEMBLOCK_DEFAULT_LIMIT (host tests). */
void memblock_reset(void);

/*
 * Add usable RAM [base, base+size). Overlapping or adjacent ranges merge.
 * Returns 0, or -ENOSPC when the table is full (the range is dropped, with a
 * message).
 */
int memblock_add(uint64_t base, uint64_t size);

/*
 * Mark [base, base+size) in use by owner (a string with static lifetime).
 * Adjacent/overlapping ranges with the same owner merge; different owners
 * split so the map can say who reserved what. Bytes already reserved keep
 * their first owner (the overlap is reported at info level). Returns 0 or
 * -ENOSPC.
 */
int memblock_reserve(uint64_t base, uint64_t size, const char *owner);

/*
 * The inverses, as in Linux: drop [base, base+size) from the reservations
 * (whoever owned it) / from RAM. Return 0, or -ENOSPC when punching a hole
 * would split a range in a full table (nothing changes, with a message).
 */
int memblock_phys_free(uint64_t base, uint64_t size);
int memblock_remove(uint64_t base, uint64_t size);

/*
 * Record a non-RAM range the firmware reported, for memblock_dump only
 * (type: static string such as "reserved", "ACPI data", "ACPI NVS").
 * Parts already recorded keep their first type. Returns 0 or -ENOSPC.
 */
int memblock_add_firmware_range(uint64_t base, uint64_t size, const char *type);

/*
 * Every mutator above (and the allocators below) refuses once memblock.frozen
 * is set, with a message naming the caller: the buddy allocator would never
 * learn about the change. They return -EBUSY (allocators: 0 / NULL).
 * A range whose end wraps past 2^64 is refused with -EINVAL; size 0 is a no-op.
 */

/*
 * Allocate size bytes aligned to align (a power of two, at least a page is
 * typical; 0 means PAGE_SIZE) from free RAM inside [start, end) (end 0 =
 * current_limit; an explicit end is honoured as given, as in Linux, since the
 * result is only a physical address), highest address first; reserve it for
 * owner. Returns the physical address, or 0 when nothing fits, with a message
 * (physical 0 is never handed out).
 */
uint64_t memblock_phys_alloc_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
				   const char *owner);

/* memblock_phys_alloc_range below current_limit, zeroed, as a direct-map pointer; NULL on failure. */
void *memblock_alloc(uint64_t size, uint64_t align, const char *owner);

/* Whole range [base, base+size) is RAM / overlaps a reservation (size 0 counts as 1 byte). */
bool memblock_is_memory(uint64_t base, uint64_t size);
bool memblock_is_reserved(uint64_t base, uint64_t size);

/* First byte of RAM and the end of the last RAM range (0, 0 when empty). */
uint64_t memblock_start_of_DRAM(void);
uint64_t memblock_end_of_DRAM(void);
uint64_t memblock_phys_mem_size(void); /* total bytes of RAM */
uint64_t memblock_reserved_size(void); /* total bytes reserved (that are RAM) */

/*
 * Iterate over free (RAM and not reserved) ranges in ascending order:
 *   uint64_t cursor = 0, s, e;
 *   while (memblock_next_free_range(&cursor, &s, &e)) ...
 * Ranges are byte-exact; callers round inward to pages.
 */
bool memblock_next_free_range(uint64_t *cursor, uint64_t *start, uint64_t *end);

/*
 * Print the map as a table, in address order: start, end, size, type
 * ("usable", "reserved", "firmware") and who reserved it (or the firmware's
 * name for a non-RAM range); then a summary line.
 */
void memblock_dump(void);

/*
 * Invariant checker (also registered with KTEST_CHECKER): every list sorted,
 * non-overlapping, within its table, no empty or wrapping region, memory
 * ranges never adjacent (they would have merged), adjacent reserved ranges
 * never with the same owner. Returns the number of problems, each printed;
 * 0 for an empty memblock.
 */
unsigned memblock_check(void);

#endif
