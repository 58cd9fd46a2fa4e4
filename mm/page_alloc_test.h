/*
 * page_alloc_test.h - TEST-ONLY hooks into the page allocator. Compiled into
 * every build (the in-kernel suites use the snapshot too), but nothing outside
 * tests may call these: page_alloc_reset_for_test in particular forgets every
 * page without freeing it.
 */
#ifndef MM_PAGE_ALLOC_TEST_H
#define MM_PAGE_ALLOC_TEST_H

#include "kernel/compiler.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"

/*
 * Forget the allocator's state (zones, mem_map, max_pfn, vm_stat) so that a
 * hosted test can build a new world: host_ram_init, memblock_reset,
 * memblock_add/reserve, page_alloc_init. Hosted tests only.
 */
void page_alloc_reset_for_test(void);

/*
 * Everything the allocator's state consists of, condensed: per zone and order
 * the free block counts, the zone counters, the per-CPU list counts, and a
 * checksum of the descriptors (flags, refcount, links) of pfns [lo, hi).
 * Two equal snapshots mean nothing changed in between (up to the checksum).
 */
struct buddy_snapshot {
	unsigned long nr_free_blocks[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long zone_free[MAX_NR_ZONES];
	unsigned long pcp_count[MAX_NR_ZONES][NR_CPUS];
	unsigned long pcp_blocks[MAX_NR_ZONES][NR_CPUS][PCP_NR_ORDERS];
	uint64_t memmap_sum; /* flags and refcounts */
	uint64_t links_sum;  /* list links: the order of blocks within their lists */
};

/* Take a snapshot; the checksum covers pfns [lo, hi) (clipped to max_pfn; hi 0 = all). */
void buddy_snapshot(struct buddy_snapshot *s, unsigned long lo, unsigned long hi);

/*
 * Compare two snapshots; print the first differences (prefix names the
 * caller). links: also require every list in the same order (a refused free
 * must change nothing; a free-everything-again test gets the same blocks back
 * but in a different list order).
 */
bool buddy_snapshot_equal(const struct buddy_snapshot *a, const struct buddy_snapshot *b,
			  bool links, const char *prefix);

#endif
