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
	uint64_t current_limit; /* allocations end below this (the boot direct map's end) */
	bool frozen;            /* the buddy allocator has taken over */
};

extern struct memblock memblock;

/* Forget everything (host tests; boot starts from the zeroed .bss state). */
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
 * split so the map can say who reserved what. Returns 0 or -ENOSPC.
 */
int memblock_reserve(uint64_t base, uint64_t size, const char *owner);

/*
 * Allocate size bytes aligned to align (a power of two, at least a page is
 * typical) from free RAM inside [start, end) (end 0 = current_limit), highest
 * address first; reserve it for owner. Returns the physical address, or 0
 * when nothing fits (physical 0 is never handed out: the first 1 MiB is
 * reserved).
 */
uint64_t memblock_phys_alloc_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
				   const char *owner);

/* memblock_phys_alloc_range below current_limit, zeroed, as a direct-map pointer; NULL on failure. */
void *memblock_alloc(uint64_t size, uint64_t align, const char *owner);

/* Whole range [base, base+size) is RAM / overlaps a reservation. */
bool memblock_is_memory(uint64_t base, uint64_t size);
bool memblock_is_reserved(uint64_t base, uint64_t size);

/* First byte of RAM and the end of the last RAM range (0, 0 when empty). */
uint64_t memblock_start_of_DRAM(void);
uint64_t memblock_end_of_DRAM(void);
uint64_t memblock_phys_mem_size(void);     /* total bytes of RAM */
uint64_t memblock_reserved_size(void);     /* total bytes reserved (that are RAM) */

/*
 * Iterate over free (RAM and not reserved) ranges in ascending order:
 *   uint64_t cursor = 0, s, e;
 *   while (memblock_next_free_range(&cursor, &s, &e)) ...
 * Ranges are byte-exact; callers round inward to pages.
 */
bool memblock_next_free_range(uint64_t *cursor, uint64_t *start, uint64_t *end);

/* Print the final map as a table: start, end, size, type, what reserved it. */
void memblock_dump(void);

#endif
