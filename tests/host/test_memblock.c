/*
 * test_memblock.c - host tests of the early allocator (mm/memblock.c):
 * merging and splitting of the region lists, owners, top-down aligned and
 * range-limited allocation, exhaustion, a full table, freezing, the printed
 * map, and a randomized comparison of every operation against a brute-force
 * model (one byte per 256-byte unit of a small physical space).
 */
#include <stdio.h>

#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "kernel/xorshift.h"

#define MiB (1ULL << 20)

static int memblock_test_init(struct ktest *t)
{
	(void)t;
	memblock_reset();
	host_printk_log_clear();
	host_printk_echo = true;
	return 0;
}

static void memblock_test_exit(struct ktest *t)
{
	(void)t;
	host_printk_echo = true;
	/* memblock stays as the case left it: the checker runs after this. */
}

static bool log_has(const char *needle)
{
	return strstr(host_printk_log(), needle) != NULL;
}

#define EXPECT_REGION(t, type, i, b, e)                                                        \
	do {                                                                                   \
		KEXPECT_EQ(t, (type).regions[i].base, (uint64_t)(b));                          \
		KEXPECT_EQ(t, (type).regions[i].base + (type).regions[i].size, (uint64_t)(e)); \
	} while (0)

static void add_merges_overlapping_and_adjacent(struct ktest *t)
{
	KEXPECT_EQ(t, memblock_add(0x1000, 0x2000), 0);
	KEXPECT_EQ(t, memblock_add(0x5000, 0x1000), 0);
	KEXPECT_EQ(t, memblock.memory.cnt, 2u);
	/* Fills the gap exactly: all three become one. */
	KEXPECT_EQ(t, memblock_add(0x3000, 0x2000), 0);
	KASSERT_EQ(t, memblock.memory.cnt, 1u);
	EXPECT_REGION(t, memblock.memory, 0, 0x1000, 0x6000);
	/* Overlapping on the right end extends. */
	KEXPECT_EQ(t, memblock_add(0x4000, 0x4000), 0);
	KASSERT_EQ(t, memblock.memory.cnt, 1u);
	EXPECT_REGION(t, memblock.memory, 0, 0x1000, 0x8000);
	/* Disjoint below and above stay separate, sorted. */
	KEXPECT_EQ(t, memblock_add(0x100000, 0x1000), 0);
	KEXPECT_EQ(t, memblock_add(0x0, 0x800), 0);
	KASSERT_EQ(t, memblock.memory.cnt, 3u);
	EXPECT_REGION(t, memblock.memory, 0, 0x0, 0x800);
	EXPECT_REGION(t, memblock.memory, 1, 0x1000, 0x8000);
	EXPECT_REGION(t, memblock.memory, 2, 0x100000, 0x101000);
	/* One range covering everything swallows all. */
	KEXPECT_EQ(t, memblock_add(0x0, 0x200000), 0);
	KASSERT_EQ(t, memblock.memory.cnt, 1u);
	EXPECT_REGION(t, memblock.memory, 0, 0x0, 0x200000);
	/* Size 0 is a no-op; a wrapping range is refused with a message. */
	KEXPECT_EQ(t, memblock_add(0x900000, 0), 0);
	KEXPECT_EQ(t, memblock_add(0xfffffffffffff000ULL, 0x2000), -EINVAL);
	KEXPECT_TRUE(t, log_has("wraps past 2^64"));
	KEXPECT_EQ(t, memblock.memory.cnt, 1u);
	KEXPECT_EQ(t, memblock_phys_mem_size(), 0x200000u);
}

static void reserve_keeps_owners_apart(struct ktest *t)
{
	char a_copy[] = "a"; /* same name, different pointer: still the same owner */

	KEXPECT_EQ(t, memblock_add(0, 16 * MiB), 0);
	KEXPECT_EQ(t, memblock_reserve(0x1000, 0x1000, "a"), 0);
	KEXPECT_EQ(t, memblock_reserve(0x2000, 0x1000, a_copy), 0);
	KASSERT_EQ(t, memblock.reserved.cnt, 1u);
	EXPECT_REGION(t, memblock.reserved, 0, 0x1000, 0x3000);
	/* A different owner touching it stays separate. */
	KEXPECT_EQ(t, memblock_reserve(0x3000, 0x1000, "b"), 0);
	KASSERT_EQ(t, memblock.reserved.cnt, 2u);
	KEXPECT_STREQ(t, memblock.reserved.regions[1].owner, "b");
	/* Overlapping both: the new owner gets only what was free, with a message. */
	host_printk_log_clear();
	KEXPECT_EQ(t, memblock_reserve(0x1800, 0x3800, "c"), 0);
	KASSERT_EQ(t, memblock.reserved.cnt, 3u);
	EXPECT_REGION(t, memblock.reserved, 0, 0x1000, 0x3000);
	EXPECT_REGION(t, memblock.reserved, 1, 0x3000, 0x4000);
	EXPECT_REGION(t, memblock.reserved, 2, 0x4000, 0x5000);
	KEXPECT_STREQ(t, memblock.reserved.regions[0].owner, "a");
	KEXPECT_STREQ(t, memblock.reserved.regions[2].owner, "c");
	KEXPECT_TRUE(t, log_has("already reserved by 'a'"));
	KEXPECT_TRUE(t, log_has("already reserved by 'b'"));
	/* Filling a gap between two same-owner ranges merges all three. */
	KEXPECT_EQ(t, memblock_reserve(0x10000, 0x1000, "d"), 0);
	KEXPECT_EQ(t, memblock_reserve(0x12000, 0x1000, "d"), 0);
	KEXPECT_EQ(t, memblock.reserved.cnt, 5u);
	KEXPECT_EQ(t, memblock_reserve(0x11000, 0x1000, "d"), 0);
	KASSERT_EQ(t, memblock.reserved.cnt, 4u);
	EXPECT_REGION(t, memblock.reserved, 3, 0x10000, 0x13000);
	/* Freeing the middle of a range splits it; owners survive. */
	KEXPECT_EQ(t, memblock_phys_free(0x2000, 0x1800), 0);
	KASSERT_EQ(t, memblock.reserved.cnt, 4u);
	EXPECT_REGION(t, memblock.reserved, 0, 0x1000, 0x2000);
	EXPECT_REGION(t, memblock.reserved, 1, 0x3800, 0x4000);
	KEXPECT_STREQ(t, memblock.reserved.regions[1].owner, "b");
	KEXPECT_EQ(t, memblock_phys_free(0x11000, 0x1000), 0);
	KEXPECT_EQ(t, memblock.reserved.cnt, 5u);
	KEXPECT_EQ(t, memblock_check(), 0u);
}

static void queries_answer_from_both_lists(struct ktest *t)
{
	KEXPECT_EQ(t, memblock_start_of_DRAM(), 0u);
	KEXPECT_EQ(t, memblock_end_of_DRAM(), 0u);
	KEXPECT_FALSE(t, memblock_is_memory(0, 1));
	KEXPECT_EQ(t, memblock_add(0x1000, 0x9e000), 0);
	KEXPECT_EQ(t, memblock_add(1 * MiB, 31 * MiB), 0);
	KEXPECT_EQ(t, memblock_start_of_DRAM(), 0x1000u);
	KEXPECT_EQ(t, memblock_end_of_DRAM(), 32 * MiB);
	KEXPECT_EQ(t, memblock_phys_mem_size(), 0x9e000 + 31 * MiB);
	KEXPECT_TRUE(t, memblock_is_memory(0x1000, 0x9e000));
	KEXPECT_FALSE(t, memblock_is_memory(0x1000, 0x9f000)); /* runs into the hole */
	KEXPECT_FALSE(t, memblock_is_memory(0xa0000, 0));
	KEXPECT_TRUE(t, memblock_is_memory(32 * MiB - 1, 0));
	KEXPECT_FALSE(t, memblock_is_memory(32 * MiB, 0));
	/* The first 1 MiB reserved: only its RAM part counts in reserved_size. */
	KEXPECT_EQ(t, memblock_reserve(0, 1 * MiB, "first 1 MiB"), 0);
	KEXPECT_EQ(t, memblock_reserve(1 * MiB, 0x200000, "kernel image"), 0);
	KEXPECT_EQ(t, memblock_reserved_size(), 0x9e000 + 0x200000u);
	KEXPECT_TRUE(t, memblock_is_reserved(0, 1));
	KEXPECT_TRUE(t, memblock_is_reserved(3 * MiB - 1, 0));
	KEXPECT_FALSE(t, memblock_is_reserved(3 * MiB, 0x1000));
	KEXPECT_TRUE(t, memblock_is_reserved(2 * MiB, 16 * MiB));
	/* The one free range, found across two touching reservations of different owners. */
	uint64_t cursor = 0, s, e;
	KEXPECT_TRUE(t, memblock_next_free_range(&cursor, &s, &e));
	KEXPECT_EQ(t, s, 3 * MiB);
	KEXPECT_EQ(t, e, 32 * MiB);
	KEXPECT_FALSE(t, memblock_next_free_range(&cursor, &s, &e));
}

static void alloc_is_top_down_and_zeroed(struct ktest *t)
{
	uint8_t *ram = host_ram_init(64 * MiB);
	memblock.current_limit = 64 * MiB;
	KEXPECT_EQ(t, memblock_add(1 * MiB, 63 * MiB), 0);
	memset(ram + 64 * MiB - 0x3000, 0xa5, 0x3000); /* garbage where the blocks will land */

	uint8_t *p1 = memblock_alloc(0x1000, 0x1000, "test a");
	uint8_t *p2 = memblock_alloc(0x2000, 0x1000, "test b");
	KASSERT_NOT_NULL(t, p1);
	KASSERT_NOT_NULL(t, p2);
	KEXPECT_EQ(t, __pa(p1), 64 * MiB - 0x1000);
	KEXPECT_EQ(t, __pa(p2), 64 * MiB - 0x3000);
	for (unsigned i = 0; i < 0x1000; i++)
		if (p1[i] || p2[i] || p2[i + 0x1000]) {
			KEXPECT_EQ(t, i, ~0u); /* reports the first non-zero byte */
			break;
		}
	KASSERT_EQ(t, memblock.reserved.cnt, 2u);
	KEXPECT_STREQ(t, memblock.reserved.regions[0].owner, "test b");
	KEXPECT_STREQ(t, memblock.reserved.regions[1].owner, "test a");
	/* A lower current_limit moves allocation down. */
	memblock.current_limit = 32 * MiB;
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 0, "low"), 32 * MiB - 0x1000);
	/* An explicit end is honoured even above current_limit (physical-only use). */
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 64 * MiB, "phys"),
		   64 * MiB - 0x4000);
	host_ram_release();
}

static void alloc_respects_alignment(struct ktest *t)
{
	host_ram_init(64 * MiB);
	memblock.current_limit = 64 * MiB;
	/* RAM ends 4 KiB short of a 2 MiB boundary, and a reservation sits just below. */
	KEXPECT_EQ(t, memblock_add(1 * MiB, 63 * MiB - 0x1000), 0);
	KEXPECT_EQ(t, memblock_reserve(62 * MiB - 0x1000, 0x2000, "obstacle"), 0);

	uint64_t pa = memblock_phys_alloc_range(0x1000, 2 * MiB, 0, 0, "2M aligned");
	KEXPECT_EQ(t, pa, 60 * MiB); /* 62 MiB is taken by the obstacle's top half */
	KEXPECT_TRUE(t, IS_ALIGNED(pa, 2 * MiB));
	/* A 2 MiB block aligned to 2 MiB. */
	pa = memblock_phys_alloc_range(2 * MiB, 2 * MiB, 0, 0, "2M block");
	KEXPECT_EQ(t, pa, 58 * MiB);
	/* Odd sizes with byte alignment pack right under the top. */
	pa = memblock_phys_alloc_range(100, 1, 0, 0, "bytes");
	KEXPECT_EQ(t, pa, 64 * MiB - 0x1000 - 100);
	/* align 0 means a page; a non-power-of-two is refused with a message. */
	pa = memblock_phys_alloc_range(0x1000, 0, 0, 0, "page");
	KEXPECT_EQ(t, pa, 64 * MiB - 0x3000);
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x3000, 0, 0, "bad align"), 0u);
	KEXPECT_TRUE(t, log_has("align is not a power of two"));
	KEXPECT_EQ(t, memblock_phys_alloc_range(0, 0x1000, 0, 0, "zero"), 0u);
	KEXPECT_TRUE(t, log_has("size is 0"));
	host_ram_release();
}

static void alloc_stays_inside_the_range(struct ktest *t)
{
	KEXPECT_EQ(t, memblock_add(1 * MiB, 63 * MiB), 0);
	uint64_t pa = memblock_phys_alloc_range(0x1000, 0x1000, 16 * MiB, 32 * MiB, "mid");
	KEXPECT_EQ(t, pa, 32 * MiB - 0x1000);
	/* Only two pages between start and end: three do not fit, even though RAM is plentiful. */
	host_printk_log_clear();
	pa = memblock_phys_alloc_range(0x3000, 0x1000, 16 * MiB, 16 * MiB + 0x2000, "tight");
	KEXPECT_EQ(t, pa, 0u);
	KEXPECT_TRUE(t, log_has("out of memory"));
	KEXPECT_TRUE(t, log_has("'tight'"));
	pa = memblock_phys_alloc_range(0x2000, 0x1000, 16 * MiB, 16 * MiB + 0x2000, "tight");
	KEXPECT_EQ(t, pa, 16 * MiB);
	/* The range below the RAM: nothing. start above end: nothing. */
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 1 * MiB, "low"), 0u);
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 8 * MiB, 4 * MiB, "inv"), 0u);
	/* Never physical 0, even when it is free RAM. */
	KEXPECT_EQ(t, memblock_add(0, 0x2000), 0);
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 0x1000, "zero page"), 0u);
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 0x2000, "page 1"), 0x1000u);
}

static void alloc_exhaustion_fails_cleanly(struct ktest *t)
{
	host_ram_init(2 * MiB);
	memblock.current_limit = 2 * MiB;
	KEXPECT_EQ(t, memblock_add(1 * MiB, 0x10000), 0);
	for (int i = 0; i < 16; i++)
		KEXPECT_NOT_NULL(t, memblock_alloc(0x1000, 0x1000, "filler"));
	KEXPECT_EQ(t, memblock.reserved.cnt, 1u); /* same owner, touching: one range */
	host_printk_log_clear();
	host_printk_echo = false;
	KEXPECT_NULL(t, memblock_alloc(0x1000, 0x1000, "one too many"));
	KEXPECT_TRUE(t, log_has("out of memory"));
	KEXPECT_TRUE(t, log_has("'one too many'"));
	KEXPECT_TRUE(t, log_has("0 B free in all"));
	KEXPECT_EQ(t, memblock.reserved.cnt, 1u);
	KEXPECT_EQ(t, memblock_reserved_size(), 0x10000u);
	host_ram_release();
}

static void full_table_refuses_and_stays_intact(struct ktest *t)
{
	host_printk_echo = false;
	for (unsigned i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		KASSERT_EQ(t, memblock_add(0x100000 + i * 0x10000ULL, 0x1000), 0);
	KEXPECT_EQ(t, memblock.memory.cnt, (unsigned)MEMBLOCK_MAX_REGIONS);
	host_printk_log_clear();
	KEXPECT_EQ(t, memblock_add(0x10000000, 0x1000), -ENOSPC);
	KEXPECT_TRUE(t, log_has("memory table full"));
	KEXPECT_TRUE(t, log_has("table left unchanged"));
	KEXPECT_EQ(t, memblock.memory.cnt, (unsigned)MEMBLOCK_MAX_REGIONS);
	KEXPECT_FALSE(t, memblock_is_memory(0x10000000, 0x1000));
	/* Growing an existing range needs no new slot: still works. */
	KEXPECT_EQ(t, memblock_add(0x101000, 0x1000), 0);
	KEXPECT_TRUE(t, memblock_is_memory(0x100000, 0x2000));
	/* Merging two ranges frees a slot, which can then be used. */
	KEXPECT_EQ(t, memblock_add(0x100000, 0x11000), 0);
	KEXPECT_EQ(t, memblock.memory.cnt, MEMBLOCK_MAX_REGIONS - 1u);
	KEXPECT_EQ(t, memblock_add(0x10000000, 0x1000), 0);
	/* Punching a hole would split a range: refused in a full table. */
	host_printk_log_clear();
	KEXPECT_EQ(t, memblock_remove(0x100000, 0x1000), 0); /* trims, no split */
	KEXPECT_EQ(t, memblock_add(0x100000, 0x1000), 0);
	KEXPECT_EQ(t, memblock_remove(0x101000, 0x1000), -ENOSPC);
	KEXPECT_TRUE(t, memblock_is_memory(0x100000, 0x11000));

	/* Reserved table: alternate owners so nothing merges. */
	for (unsigned i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		KASSERT_EQ(t, memblock_reserve(0x100000 + i * 0x100ULL, 0x100, (i & 1) ? "x" : "y"),
			   0);
	host_printk_log_clear();
	KEXPECT_EQ(t, memblock_reserve(0x8000000, 0x1000, "z"), -ENOSPC);
	KEXPECT_TRUE(t, log_has("reserved table full"));
	KEXPECT_TRUE(t, log_has("'z'"));
	/* An allocation that would need a new reserved slot fails and hands nothing out. */
	uint64_t before = memblock_reserved_size();
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 0, "no slot"), 0u);
	KEXPECT_EQ(t, memblock_reserved_size(), before);
	KEXPECT_EQ(t, memblock.reserved.cnt, (unsigned)MEMBLOCK_MAX_REGIONS);
	KEXPECT_EQ(t, memblock_check(), 0u);
}

static void frozen_memblock_refuses_everything(struct ktest *t)
{
	host_ram_init(16 * MiB);
	memblock.current_limit = 16 * MiB;
	KEXPECT_EQ(t, memblock_add(1 * MiB, 15 * MiB), 0);
	KEXPECT_EQ(t, memblock_reserve(1 * MiB, 0x1000, "kernel image"), 0);
	memblock.frozen = true;
	host_printk_log_clear();
	KEXPECT_NULL(t, memblock_alloc(0x1000, 0x1000, "late"));
	KEXPECT_TRUE(t, log_has("after the buddy allocator took over"));
	KEXPECT_TRUE(t, log_has("'late'"));
	KEXPECT_EQ(t, memblock_phys_alloc_range(0x1000, 0x1000, 0, 0, "late"), 0u);
	KEXPECT_EQ(t, memblock_reserve(2 * MiB, 0x1000, "late"), -EBUSY);
	KEXPECT_EQ(t, memblock_add(32 * MiB, 0x1000), -EBUSY);
	KEXPECT_EQ(t, memblock_phys_free(1 * MiB, 0x1000), -EBUSY);
	KEXPECT_EQ(t, memblock_remove(1 * MiB, 0x1000), -EBUSY);
	KEXPECT_EQ(t, memblock.memory.cnt, 1u);
	KEXPECT_EQ(t, memblock.reserved.cnt, 1u);
	KEXPECT_EQ(t, memblock_reserved_size(), 0x1000u);
	/* Queries still work. */
	KEXPECT_TRUE(t, memblock_is_reserved(1 * MiB, 1));
	host_ram_release();
}

static void dump_prints_every_range_in_order(struct ktest *t)
{
	/* QEMU -m 128M, after memmap_setup. */
	memblock_add(0x1000, 0x9e000);
	memblock_add(1 * MiB, 127 * MiB - 0x20000);
	memblock_add_firmware_range(0x9fc00, 0x400, "reserved");
	memblock_add_firmware_range(0xf0000, 0x10000, "reserved");
	memblock_add_firmware_range(0x7fe0000, 0x20000, "ACPI NVS");
	memblock_reserve(0, 1 * MiB, "first 1 MiB (BIOS, real mode)");
	memblock_reserve(1 * MiB, 0x300000, "kernel image");
	memblock_reserve(0x500000, 0x2000, "multiboot2 info");
	host_printk_log_clear();
	memblock_dump();
	const char *log = host_printk_log();
	const char *rows[] = {
		"0x0000000000001000-0x000000000009f000    632 KiB  reserved  first 1 MiB",
		"0x000000000009f000-0x000000000009fc00      3 KiB  reserved  first 1 MiB (BIOS, "
		"real mode) (not RAM)",
		"0x000000000009fc00-0x00000000000a0000      1 KiB  firmware  reserved",
		"0x00000000000a0000-0x00000000000f0000    320 KiB  reserved  first 1 MiB",
		"0x00000000000f0000-0x0000000000100000     64 KiB  firmware  reserved",
		"0x0000000000100000-0x0000000000400000      3 MiB  reserved  kernel image",
		"0x0000000000400000-0x0000000000500000      1 MiB  usable",
		"0x0000000000500000-0x0000000000502000      8 KiB  reserved  multiboot2 info",
		"0x0000000000502000-0x0000000007fe0000  122.8 MiB  usable",
		"0x0000000007fe0000-0x0000000008000000    128 KiB  firmware  ACPI NVS",
	};
	const char *at = log;
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *hit = strstr(at, rows[i]);
		if (!hit)
			ktest_log(t, "row %u missing or out of order: %s", i, rows[i]);
		KEXPECT_NOT_NULL(t, hit);
		if (hit)
			at = hit;
	}
	/* [0, 0x1000) is reserved but not RAM and not in the firmware map. */
	KEXPECT_NOT_NULL(t,
			 strstr(log, "0x0000000000000000-0x0000000000001000      4 KiB  reserved"));
	KEXPECT_NOT_NULL(t, strstr(log, "of RAM"));
}

static void checker_catches_corruption(struct ktest *t)
{
	KEXPECT_EQ(t, memblock_check(), 0u); /* empty */
	memblock_add(0x1000, 0x1000);
	memblock_add(0x4000, 0x1000);
	memblock_reserve(0x1000, 0x100, "a");
	memblock_reserve(0x1100, 0x100, "b");
	KEXPECT_EQ(t, memblock_check(), 0u);
	host_printk_echo = false;

	static struct memblock saved;
	saved = memblock;
	memblock.memory.regions[1].base = 0x1800; /* overlaps [0] */
	KEXPECT_EQ(t, memblock_check(), 1u);
	memblock = saved;
	memblock.memory.regions[1].base = 0x2000; /* touches [0]: should have merged */
	memblock.memory.regions[1].size = 0x1000;
	KEXPECT_EQ(t, memblock_check(), 1u);
	memblock = saved;
	memblock.reserved.regions[1].owner = "a"; /* same owner, touching */
	KEXPECT_EQ(t, memblock_check(), 1u);
	memblock = saved;
	memblock.reserved.regions[0].size = 0;
	KEXPECT_GE(t, memblock_check(), 1u);
	memblock = saved;
	memblock.reserved.cnt = MEMBLOCK_MAX_REGIONS + 1;
	KEXPECT_EQ(t, memblock_check(), 1u);
	memblock = saved;
	KEXPECT_EQ(t, memblock_check(), 0u);
}

/*
 * The model: physical space of MODEL_UNITS units of 256 bytes; per unit,
 * whether it is RAM and which owner (0 = none) reserved it first.
 */
#define UNIT	    256u
#define MODEL_UNITS 1024u

static uint8_t model_mem[MODEL_UNITS], model_owner[MODEL_UNITS];
static const char *const owner_names[] = { NULL, "alpha", "beta", "gamma" };

static uint64_t rnd_state = 0x243f6a8885a308d3ull;
static uint64_t rnd(uint64_t n)
{
	return xorshift64(&rnd_state) % n;
}

static bool model_free(unsigned u)
{
	return model_mem[u] && !model_owner[u];
}

/* Compare memblock with the model; returns true when they agree. */
static bool compare_with_model(struct ktest *t, unsigned op)
{
	uint64_t cursor = 0, s, e;
	unsigned u = 0;
	bool ok = true;

	/* Free ranges: exactly the maximal runs of free units, in order. */
	while (memblock_next_free_range(&cursor, &s, &e)) {
		while (u < MODEL_UNITS && !model_free(u))
			u++;
		unsigned run = u;
		while (run < MODEL_UNITS && model_free(run))
			run++;
		if (u == MODEL_UNITS || s != (uint64_t)u * UNIT || e != (uint64_t)run * UNIT) {
			ktest_log(t, "op %u: free range [%#llx-%#llx), model says [%#x-%#x)", op,
				  (unsigned long long)s, (unsigned long long)e, u * UNIT,
				  run * UNIT);
			return false;
		}
		u = run;
	}
	while (u < MODEL_UNITS && !model_free(u))
		u++;
	if (u != MODEL_UNITS) {
		ktest_log(t, "op %u: iterator missed free unit at %#x", op, u * UNIT);
		ok = false;
	}
	/* Every unit's RAM-ness and owner. */
	uint64_t mem_total = 0, res_total = 0;
	for (u = 0; u < MODEL_UNITS && ok; u++) {
		uint64_t pa = (uint64_t)u * UNIT;
		const char *owner = NULL;
		const struct memblock_type *res = &memblock.reserved;
		for (unsigned i = 0; i < res->cnt; i++)
			if (res->regions[i].base <= pa &&
			    pa < res->regions[i].base + res->regions[i].size)
				owner = res->regions[i].owner;
		if (memblock_is_memory(pa, UNIT) != !!model_mem[u] ||
		    memblock_is_reserved(pa, UNIT) != !!model_owner[u] ||
		    (owner != owner_names[model_owner[u]] &&
		     strcmp(owner ? owner : "", owner_names[model_owner[u]] ?: "") != 0)) {
			ktest_log(t,
				  "op %u: unit %#llx: memblock says mem %d owner %s, model %d %s",
				  op, (unsigned long long)pa, memblock_is_memory(pa, UNIT),
				  owner ?: "-", model_mem[u], owner_names[model_owner[u]] ?: "-");
			ok = false;
		}
		mem_total += model_mem[u] ? UNIT : 0;
		res_total += model_mem[u] && model_owner[u] ? UNIT : 0;
	}
	if (ok &&
	    (memblock_phys_mem_size() != mem_total || memblock_reserved_size() != res_total)) {
		ktest_log(t, "op %u: sizes mem %#llx/%#llx reserved %#llx/%#llx", op,
			  (unsigned long long)memblock_phys_mem_size(),
			  (unsigned long long)mem_total,
			  (unsigned long long)memblock_reserved_size(),
			  (unsigned long long)res_total);
		ok = false;
	}
	if (memblock_check() != 0)
		ok = false;
	return ok;
}

/* The model's answer for a top-down aligned allocation; 0 when none fits. */
static uint64_t model_alloc(unsigned size_u, unsigned align_u, unsigned lo_u, unsigned hi_u)
{
	if (hi_u < size_u)
		return 0;
	for (long a = (long)((hi_u - size_u) / align_u * align_u); a >= (long)lo_u && a > 0;
	     a -= align_u) {
		unsigned k;
		for (k = 0; k < size_u && model_free(a + k); k++)
			;
		if (k == size_u)
			return (uint64_t)a * UNIT;
	}
	return 0;
}

static void random_ops_match_bitmap_model(struct ktest *t)
{
	unsigned enospc = 0, allocs = 0, alloc_fail = 0;

	memset(model_mem, 0, sizeof(model_mem));
	memset(model_owner, 0, sizeof(model_owner));
	host_printk_echo = false;
	memblock.current_limit = (uint64_t)MODEL_UNITS * UNIT;

	for (unsigned op = 0; op < 4000; op++) {
		unsigned kind = rnd(100), b = rnd(MODEL_UNITS), len = 1 + rnd(64);
		unsigned owner = 1 + rnd(3);
		if (b + len > MODEL_UNITS)
			len = MODEL_UNITS - b;
		uint64_t base = (uint64_t)b * UNIT, size = (uint64_t)len * UNIT;
		int ret = 0;

		if (kind < 30) {
			ret = memblock_add(base, size);
			if (!ret)
				memset(model_mem + b, 1, len);
		} else if (kind < 55) {
			ret = memblock_reserve(base, size, owner_names[owner]);
			if (!ret)
				for (unsigned k = b; k < b + len; k++)
					if (!model_owner[k])
						model_owner[k] = owner;
		} else if (kind < 70) {
			ret = memblock_phys_free(base, size);
			if (!ret)
				memset(model_owner + b, 0, len);
		} else if (kind < 78) {
			ret = memblock_remove(base, size);
			if (!ret)
				memset(model_mem + b, 0, len);
		} else {
			unsigned size_u = 1 + rnd(16), align_u = 1u << rnd(6);
			unsigned lo_u = rnd(2) ? 0 : rnd(MODEL_UNITS);
			unsigned hi_u = rnd(3) ? 0 : lo_u + rnd(MODEL_UNITS - lo_u + 1);
			uint64_t want =
				model_alloc(size_u, align_u, lo_u, hi_u ? hi_u : MODEL_UNITS);
			uint64_t got = memblock_phys_alloc_range(
				(uint64_t)size_u * UNIT, (uint64_t)align_u * UNIT,
				(uint64_t)lo_u * UNIT, (uint64_t)hi_u * UNIT, owner_names[owner]);
			allocs++;
			if (got != want &&
			    !(got == 0 && memblock.reserved.cnt == MEMBLOCK_MAX_REGIONS)) {
				ktest_log(t,
					  "op %u: alloc %u units align %u in [%u,%u) gave %#llx, "
					  "model %#llx",
					  op, size_u, align_u, lo_u, hi_u, (unsigned long long)got,
					  (unsigned long long)want);
				KEXPECT_EQ(t, got, want);
				return;
			}
			if (got)
				memset(model_owner + got / UNIT, owner, size_u);
			else
				alloc_fail++;
		}
		if (ret == -ENOSPC)
			enospc++;
		else
			KASSERT_EQ(t, ret, 0);
		if (!compare_with_model(t, op)) {
			KEXPECT_TRUE(t, false);
			return;
		}
		/* Start over now and then so both small and crowded states are exercised. */
		if (rnd(400) == 0) {
			memblock_reset();
			memblock.current_limit = (uint64_t)MODEL_UNITS * UNIT;
			memset(model_mem, 0, sizeof(model_mem));
			memset(model_owner, 0, sizeof(model_owner));
		}
	}
	ktest_log(t, "%u allocations (%u failed as the model predicted), %u -ENOSPC", allocs,
		  alloc_fail, enospc);
	KEXPECT_GT(t, allocs - alloc_fail, 100u); /* the test exercised real allocations */
}

static struct ktest_case memblock_cases[] = {
	KTEST_CASE(add_merges_overlapping_and_adjacent),
	KTEST_CASE(reserve_keeps_owners_apart),
	KTEST_CASE(queries_answer_from_both_lists),
	KTEST_CASE(alloc_is_top_down_and_zeroed),
	KTEST_CASE(alloc_respects_alignment),
	KTEST_CASE(alloc_stays_inside_the_range),
	KTEST_CASE(alloc_exhaustion_fails_cleanly),
	KTEST_CASE(full_table_refuses_and_stays_intact),
	KTEST_CASE(frozen_memblock_refuses_everything),
	KTEST_CASE(dump_prints_every_range_in_order),
	KTEST_CASE(checker_catches_corruption),
	KTEST_CASE(random_ops_match_bitmap_model),
	{},
};
KTEST_SUITE(memblock_host, memblock_cases, .init = memblock_test_init, .exit = memblock_test_exit);
