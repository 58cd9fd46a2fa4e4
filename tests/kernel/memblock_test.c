/*
 * memblock_test.c - KTAP suite "memblock": what the early allocator looks
 * like after boot. The firmware map has become page-aligned, sorted RAM; the
 * first 1 MiB, the kernel image and the multiboot2 block are reserved under
 * their names; the invariants hold; and once the buddy allocator has taken
 * over, memblock refuses further allocations cleanly.
 */
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/page.h"

/* Every byte of [base, end) lies in some reservation (touching ones of different owners chain). */
static bool fully_reserved(uint64_t base, uint64_t end)
{
	const struct memblock_type *res = &memblock.reserved;
	for (unsigned i = 0; i < res->cnt && base < end; i++) {
		const struct memblock_region *r = &res->regions[i];
		if (r->base <= base && base < r->base + r->size)
			base = r->base + r->size;
	}
	return base >= end;
}

static const char *owner_at(uint64_t pa)
{
	const struct memblock_type *res = &memblock.reserved;
	for (unsigned i = 0; i < res->cnt; i++)
		if (res->regions[i].base <= pa && pa < res->regions[i].base + res->regions[i].size)
			return res->regions[i].owner;
	return NULL;
}

static void boot_reservations_are_in_place(struct ktest *t)
{
	uint64_t kstart = __pa_symbol(_kernel_start), kend = __pa_symbol(_kernel_end);

	KEXPECT_TRUE(t, fully_reserved(0, 1ULL << 20));
	KEXPECT_STREQ(t, owner_at(0), "first 1 MiB (BIOS, real mode)");
	KEXPECT_TRUE(t, memblock_is_reserved(kstart, kend - kstart));
	KEXPECT_TRUE(t, fully_reserved(kstart, kend));
	KEXPECT_STREQ(t, owner_at(kstart), "kernel image");
	KEXPECT_STREQ(t, owner_at(kend - 1), "kernel image");
	KASSERT_NE(t, boot_info.mbi_size, 0u);
	KEXPECT_TRUE(t, memblock_is_reserved(boot_info.mbi_phys, boot_info.mbi_size));
	KEXPECT_TRUE(t,
		     fully_reserved(boot_info.mbi_phys, boot_info.mbi_phys + boot_info.mbi_size));
	KEXPECT_STREQ(t, owner_at(boot_info.mbi_phys), "multiboot2 info");
	for (unsigned i = 0; i < boot_info.module_count; i++)
		KEXPECT_TRUE(t,
			     fully_reserved(boot_info.modules[i].start, boot_info.modules[i].end));
}

static void memory_is_sorted_page_aligned_ram(struct ktest *t)
{
	const struct memblock_type *mem = &memblock.memory;

	KASSERT_GT(t, mem->cnt, 0u);
	for (unsigned i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		KEXPECT_TRUE(t, IS_ALIGNED(r->base, PAGE_SIZE));
		KEXPECT_TRUE(t, IS_ALIGNED(r->size, PAGE_SIZE));
		KEXPECT_GT(t, r->size, 0u);
		if (i)
			KEXPECT_LT(t, mem->regions[i - 1].base + mem->regions[i - 1].size, r->base);
	}
	/* The kernel runs from RAM, and the RAM total is what the ranges add up to. */
	KEXPECT_TRUE(t, memblock_is_memory(__pa_symbol(_kernel_start),
					   __pa_symbol(_kernel_end) - __pa_symbol(_kernel_start)));
	KEXPECT_GE(t, memblock_phys_mem_size(), 16ULL << 20);
	KEXPECT_LE(t, memblock_phys_mem_size(), memblock_end_of_DRAM() - memblock_start_of_DRAM());
	KEXPECT_EQ(t, memblock_check(), 0u);
}

/* Sanitizing the boot loader's map again gives exactly what memblock holds as RAM. */
static void memory_matches_the_firmware_map(struct ktest *t)
{
	static struct mem_range ranges[BOOT_MMAP_MAX];
	struct memmap_report rep;

	if (cmdline_has("mem") || boot_info.mmap_count == 0)
		KTEST_SKIP(t, "mem= cap or no firmware map: memblock.memory is not the plain map");
	int n = memmap_sanitize(boot_info.mmap, boot_info.mmap_count, ranges, ARRAY_SIZE(ranges), 0,
				arch_phys_addr_bits(), &rep);
	KASSERT_EQ(t, (unsigned)n, memblock.memory.cnt);
	for (int i = 0; i < n; i++) {
		KEXPECT_EQ(t, ranges[i].base, memblock.memory.regions[i].base);
		KEXPECT_EQ(t, ranges[i].size, memblock.memory.regions[i].size);
	}
	/* No usable byte overlaps a non-available firmware entry. */
	for (unsigned e = 0; e < boot_info.mmap_count; e++) {
		const struct boot_mmap_entry *f = &boot_info.mmap[e];
		if (f->type == BOOT_MEM_AVAILABLE || !f->length)
			continue;
		for (int i = 0; i < n; i++)
			KEXPECT_FALSE(t, ranges[i].base < f->base + f->length &&
						 f->base < ranges[i].base + ranges[i].size);
	}
}

static void free_ranges_avoid_reservations(struct ktest *t)
{
	uint64_t cursor = 0, s, e, prev_end = 0, total = 0;
	unsigned n = 0;

	while (memblock_next_free_range(&cursor, &s, &e)) {
		KEXPECT_LT(t, s, e);
		KEXPECT_GE(t, s, prev_end);
		KEXPECT_TRUE(t, memblock_is_memory(s, e - s));
		KEXPECT_FALSE(t, memblock_is_reserved(s, e - s));
		prev_end = e;
		total += e - s;
		n++;
	}
	KEXPECT_GT(t, n, 0u);
	KEXPECT_EQ(t, total + memblock_reserved_size(), memblock_phys_mem_size());
}

static void alloc_after_freeze_fails_cleanly(struct ktest *t)
{
	bool was_frozen = memblock.frozen;
	unsigned mem_cnt = memblock.memory.cnt, res_cnt = memblock.reserved.cnt;
	uint64_t reserved = memblock_reserved_size();

	if (!was_frozen)
		ktest_log(t,
			  "memblock not frozen yet (no buddy allocator?); freezing for this case");
	memblock.frozen = true;
	KEXPECT_NULL(t, memblock_alloc(PAGE_SIZE, PAGE_SIZE, "memblock_test"));
	KEXPECT_EQ(t, memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, 0, "memblock_test"), 0u);
	KEXPECT_EQ(t, memblock_reserve(16ULL << 20, PAGE_SIZE, "memblock_test"), -EBUSY);
	KEXPECT_EQ(t, memblock_add(1ULL << 40, PAGE_SIZE), -EBUSY);
	KEXPECT_EQ(t, memblock.memory.cnt, mem_cnt);
	KEXPECT_EQ(t, memblock.reserved.cnt, res_cnt);
	KEXPECT_EQ(t, memblock_reserved_size(), reserved);
	memblock.frozen = was_frozen;
}

static struct ktest_case memblock_cases[] = {
	KTEST_CASE(boot_reservations_are_in_place),   KTEST_CASE(memory_is_sorted_page_aligned_ram),
	KTEST_CASE(memory_matches_the_firmware_map),  KTEST_CASE(free_ranges_avoid_reservations),
	KTEST_CASE(alloc_after_freeze_fails_cleanly), {},
};
KTEST_SUITE(memblock, memblock_cases);
