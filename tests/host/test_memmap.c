/*
 * test_memmap.c - host tests of firmware map sanitizing (mm/memmap.c): every
 * class of bad input, the layouts QEMU's pc machine really produces, and
 * memmap_setup's reservations in memblock.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/page.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define AVAIL 1
#define RES   2
#define ACPI  3
#define NVS   4
#define BAD   5

#define MAX_OUT 64

static struct mem_range out[MAX_OUT];
static struct memmap_report rep;

static int memmap_test_init(struct ktest *t)
{
	(void)t;
	memblock_reset();
	memset(out, 0, sizeof(out));
	host_printk_log_clear();
	host_printk_echo = true;
	return 0;
}

static bool log_has(const char *needle)
{
	return strstr(host_printk_log(), needle) != NULL;
}

static int sanitize(const struct boot_mmap_entry *e, unsigned n, uint64_t cap, unsigned bits)
{
	return memmap_sanitize(e, n, out, MAX_OUT, cap, bits, &rep);
}

#define EXPECT_RANGE(t, i, b, e)                                         \
	do {                                                             \
		KEXPECT_EQ(t, out[i].base, (uint64_t)(b));               \
		KEXPECT_EQ(t, out[i].base + out[i].size, (uint64_t)(e)); \
	} while (0)

/* The output invariant every test relies on: sorted, disjoint, non-touching, page-aligned. */
static void expect_clean(struct ktest *t, int n)
{
	for (int i = 0; i < n; i++) {
		KEXPECT_GT(t, out[i].size, 0u);
		KEXPECT_TRUE(t, IS_ALIGNED(out[i].base, PAGE_SIZE));
		KEXPECT_TRUE(t, IS_ALIGNED(out[i].size, PAGE_SIZE));
		if (i)
			KEXPECT_LT(t, out[i - 1].base + out[i - 1].size, out[i].base);
	}
}

static void clean_map_passes_through(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x0, 0x9f000, AVAIL },
		{ 0x100000, 0x7f00000, AVAIL },
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000);
	EXPECT_RANGE(t, 1, 0x100000, 0x8000000);
	struct memmap_report zero = { 0 };
	KEXPECT_EQ(t, memcmp(&rep, &zero, sizeof(rep)), 0);
	KEXPECT_EQ(t, host_printk_log()[0], 0); /* nothing to say about a clean map */
}

static void overlapping_available_entries_merge(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x400000, AVAIL },	/* [1M, 5M) */
		{ 0x300000, 0x400000, AVAIL },	/* [3M, 7M) overlaps */
		{ 0x700000, 0x100000, AVAIL },	/* [7M, 8M) touches */
		{ 0x2000000, 0x100000, AVAIL }, /* separate */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 0, 0x100000, 0x800000);
	EXPECT_RANGE(t, 1, 0x2000000, 0x2100000);
	KEXPECT_EQ(t, rep.merged, 2u);
	KEXPECT_EQ(t, rep.overlaps, 0u);
	KEXPECT_TRUE(t, log_has("available entries 0 [0x100000-0x500000) and 1 [0x300000-0x700000) "
				"overlap; merged"));
	KEXPECT_TRUE(t, log_has("and 2 [0x700000-0x800000) touch; merged"));
}

static void reserved_wins_over_available(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x0, 0xa0000, AVAIL },     { 0x100000, 0xf00000, AVAIL }, /* [1M, 16M) */
		{ 0x400000, 0x200000, RES },				    /* punches [4M, 6M) */
		{ 0xf00000, 0x200000, NVS }, /* clips the top: [15M, 17M) */
		{ 0x9fc00, 0x400, RES },     /* cuts the low range mid-page */
		{ 0x800000, 0x1000, 77 },    /* unknown type: reserved too */
		{ 0xa00000, 0x1000, BAD },   /* bad RAM */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	expect_clean(t, n);
	KASSERT_EQ(t, n, 5);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000);
	EXPECT_RANGE(t, 1, 0x100000, 0x400000);
	EXPECT_RANGE(t, 2, 0x600000, 0x800000);
	EXPECT_RANGE(t, 3, 0x801000, 0xa00000);
	EXPECT_RANGE(t, 4, 0xa01000, 0xf00000);
	KEXPECT_EQ(t, rep.overlaps, 5u);
	KEXPECT_EQ(t, rep.unknown_type, 1u);
	KEXPECT_EQ(t, rep.unaligned, 1u);
	KEXPECT_TRUE(t, log_has("memmap: entry 4 [0x9fc00-0xa0000) type 2 (reserved) overlaps "
				"available entry 0 [0x0-0xa0000); reserved wins"));
	KEXPECT_TRUE(t, log_has("entry 3 [0xf00000-0x1100000) type 4 (ACPI NVS) overlaps"));
	KEXPECT_TRUE(t, log_has("entry 5 [0x800000-0x801000) has unknown type 77; treated as "
				"reserved"));
	KEXPECT_TRUE(t, log_has("type 5 (bad RAM) overlaps"));
}

static void unsorted_map_is_sorted(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x4000000, 0x1000000, AVAIL },
		{ 0x100000, 0x1000000, AVAIL },
		{ 0x3000000, 0x800000, RES },
		{ 0x0, 0x9f000, AVAIL },
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	expect_clean(t, n);
	KASSERT_EQ(t, n, 3);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000);
	EXPECT_RANGE(t, 1, 0x100000, 0x1100000);
	EXPECT_RANGE(t, 2, 0x4000000, 0x5000000);
	KEXPECT_EQ(t, rep.unsorted, 2u);
	KEXPECT_TRUE(t, log_has("entry 1 [0x100000-0x1100000) starts below entry 0 at 0x4000000: "
				"the map is unsorted"));
}

static void unaligned_ranges_shrink_to_pages(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x100200, 0x3000, AVAIL }, /* [0x100200, 0x103200) -> [0x101000, 0x103000) */
		{ 0x200000, 0x800, AVAIL },  /* half a page: dropped */
		{ 0x300800, 0x1000, AVAIL }, /* straddles a boundary, no whole page: dropped */
		{ 0x400000, 0x2000, AVAIL }, /* aligned: untouched */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	expect_clean(t, n);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 0, 0x101000, 0x103000);
	EXPECT_RANGE(t, 1, 0x400000, 0x402000);
	KEXPECT_EQ(t, rep.unaligned, 3u);
	KEXPECT_TRUE(t, log_has("usable [0x100200-0x103200) is not page-aligned; shrunk to "
				"[0x101000-0x103000)"));
	KEXPECT_TRUE(t, log_has("usable [0x200000-0x200800) holds no whole page; dropped"));
	KEXPECT_TRUE(t, log_has("usable [0x300800-0x301800) holds no whole page; dropped"));
}

static void zero_length_entries_are_dropped(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x100000, 0, AVAIL },
		{ 0x100000, 0x100000, AVAIL },
		{ 0x180000, 0, RES }, /* would punch a hole if it counted */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	KASSERT_EQ(t, n, 1);
	EXPECT_RANGE(t, 0, 0x100000, 0x200000);
	KEXPECT_EQ(t, rep.zero_length, 2u);
	KEXPECT_EQ(t, rep.unsorted, 0u);
	KEXPECT_TRUE(t, log_has("entry 0 at 0x100000 type 1 (available) has zero length; dropped"));
	KEXPECT_TRUE(t, log_has("entry 2 at 0x180000 type 2 (reserved) has zero length"));
}

static void ram_beyond_physical_width_is_dropped(struct ktest *t)
{
	/* A 36-bit CPU (64 GiB) shown RAM up to 80 GiB. */
	const struct boot_mmap_entry map[] = {
		{ 0x100000, 0xff00000, AVAIL },
		{ 60 * GiB, 8 * GiB, AVAIL }, /* crosses 64 GiB: clipped */
		{ 72 * GiB, 8 * GiB, AVAIL }, /* entirely above: dropped */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 36);
	expect_clean(t, n);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 1, 60 * GiB, 64 * GiB);
	KEXPECT_EQ(t, rep.beyond_phys, 2u);
	KEXPECT_TRUE(t, log_has("usable [0xf00000000-0x1100000000) crosses the CPU's 36-bit "
				"physical address limit 0x1000000000; clipped there"));
	KEXPECT_TRUE(t, log_has("usable [0x1200000000-0x1400000000) lies beyond the CPU's 36-bit "
				"physical address space"));
}

static void wrapping_entry_is_clipped(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x100000, AVAIL },
		{ 0xfffffffffff00000ULL, 0x200000, RES },	  /* wraps */
		{ 0xffffffff00000000ULL, 0x200000000ULL, AVAIL }, /* wraps, and is above any CPU */
	};
	int n = sanitize(map, ARRAY_SIZE(map), 0, 52);
	KASSERT_EQ(t, n, 1);
	EXPECT_RANGE(t, 0, 0x100000, 0x200000);
	KEXPECT_EQ(t, rep.wrapped, 2u);
	KEXPECT_EQ(t, rep.beyond_phys, 1u);
	KEXPECT_TRUE(t, log_has("entry 1 base 0xfffffffffff00000 length 0x200000 (reserved) wraps "
				"past 2^64; clipped"));
	/* Without a physical limit the clipped RAM is kept, page-aligned, below the top. */
	n = sanitize(map, ARRAY_SIZE(map), 0, 64);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 1, 0xffffffff00000000ULL, 0xfffffffffff00000ULL);
	expect_clean(t, n);
}

static void no_usable_ram_returns_zero(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x0, 0x100000, RES },
		{ 0x100000, 0x100000, AVAIL },
		{ 0x100000, 0x100000, NVS }, /* covers all the RAM */
		{ 0x300000, 0x800, AVAIL },  /* less than a page */
	};
	KEXPECT_EQ(t, sanitize(map, ARRAY_SIZE(map), 0, 40), 0);
	KEXPECT_TRUE(t, log_has("no usable RAM left after sanitizing 4 entries"));
	KEXPECT_EQ(t, sanitize(map, 0, 0, 40), 0);
	KEXPECT_TRUE(t, log_has("after sanitizing 0 entries"));
}

static void mem_cap_keeps_the_lowest_bytes(struct ktest *t)
{
	const struct boot_mmap_entry map[] = {
		{ 0x0, 0x9fc00, AVAIL },
		{ 0x100000, 0x7ee0000, AVAIL }, /* to 0x7fe0000 */
		{ 0x100000000ULL, 0x40000000, AVAIL },
	};
	/* mem=64M: 0x9f000 below 1 MiB, then the rest from 1 MiB. */
	int n = sanitize(map, ARRAY_SIZE(map), 64 * MiB, 40);
	expect_clean(t, n);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000);
	EXPECT_RANGE(t, 1, 0x100000, 0x100000 + 64 * MiB - 0x9f000);
	KEXPECT_EQ(t, out[0].size + out[1].size, 64 * MiB);
	KEXPECT_EQ(t, rep.capped, 2u);
	KEXPECT_TRUE(t, log_has("mem= cap of 0x4000000 bytes reached inside usable "
				"[0x100000-0x7fe0000); keeping [0x100000-0x4061000)"));
	KEXPECT_TRUE(t, log_has("usable [0x100000000-0x140000000) dropped"));
	/* An unaligned cap rounds down to pages; a cap above the RAM changes nothing. */
	n = sanitize(map, ARRAY_SIZE(map), 0x9f000 + 0x1fff, 40);
	KASSERT_EQ(t, n, 2);
	EXPECT_RANGE(t, 1, 0x100000, 0x101000);
	n = sanitize(map, ARRAY_SIZE(map), 64 * GiB, 40);
	KEXPECT_EQ(t, n, 3);
	KEXPECT_EQ(t, rep.capped, 0u);
}

static void output_capacity_keeps_the_first(struct ktest *t)
{
	struct boot_mmap_entry map[MAX_OUT + 3];
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct boot_mmap_entry){ (i + 1) * 0x100000ULL, 0x1000, AVAIL };
	host_printk_echo = false;
	int n = sanitize(map, ARRAY_SIZE(map), 0, 40);
	KEXPECT_EQ(t, n, MAX_OUT);
	KEXPECT_EQ(t, rep.overflow, 3u);
	EXPECT_RANGE(t, MAX_OUT - 1, MAX_OUT * 0x100000ULL, MAX_OUT * 0x100000ULL + 0x1000);
	KEXPECT_TRUE(t,
		     log_has("more than 64 usable ranges; usable [0x4100000-0x4101000) dropped"));
}

/*
 * QEMU's pc (i440fx) machine with SeaBIOS: below 4 GiB all RAM when it is
 * under 3.5 GiB (0xe0000000), else 3 GiB below and the rest from 4 GiB. The
 * BIOS keeps the top 128 KiB of low RAM, the EBDA at 0x9fc00, the BIOS area
 * at 0xf0000, and the flash at 0xfffc0000. Older QEMU also reserves
 * 0xfeffc000 (16 KiB); newer QEMU (as installed here: the maps below were
 * read off its boot log for -m 32M, 128M, 512M and 6G) drops that and
 * reserves the HyperTransport hole [0xfd00000000, 1 TiB) instead.
 */
static unsigned qemu_pc_map(struct boot_mmap_entry *m, uint64_t ram, bool newer)
{
	uint64_t low = ram >= 0xe0000000ULL ? 0xc0000000ULL : ram;
	unsigned n = 0;
	m[n++] = (struct boot_mmap_entry){ 0x0, 0x9fc00, AVAIL };
	m[n++] = (struct boot_mmap_entry){ 0x9fc00, 0x400, RES };
	m[n++] = (struct boot_mmap_entry){ 0xf0000, 0x10000, RES };
	m[n++] = (struct boot_mmap_entry){ 0x100000, low - 0x20000 - 0x100000, AVAIL };
	m[n++] = (struct boot_mmap_entry){ low - 0x20000, 0x20000, RES };
	if (!newer)
		m[n++] = (struct boot_mmap_entry){ 0xfeffc000, 0x4000, RES };
	m[n++] = (struct boot_mmap_entry){ 0xfffc0000, 0x40000, RES };
	if (ram > low)
		m[n++] = (struct boot_mmap_entry){ 0x100000000ULL, ram - low, AVAIL };
	if (newer)
		m[n++] = (struct boot_mmap_entry){ 0xfd00000000ULL, 0x300000000ULL, RES };
	return n;
}

static void qemu_layouts_sanitize_as_expected(struct ktest *t)
{
	static const struct {
		uint64_t ram, low_top, high_end;
	} cases[] = {
		{ 32 * MiB, 32 * MiB - 0x20000, 0 },
		{ 512 * MiB, 512 * MiB - 0x20000, 0 },
		{ 3 * GiB + 512 * MiB, 0xc0000000 - 0x20000,
		  4 * GiB + 512 * MiB }, /* at 0xe0000000 */
		{ 4 * GiB, 0xc0000000 - 0x20000, 5 * GiB },
		{ 6 * GiB, 0xc0000000 - 0x20000, 7 * GiB },
	};
	for (unsigned v = 0; v < 2; v++) {
		for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
			struct boot_mmap_entry map[9];
			unsigned entries = qemu_pc_map(map, cases[c].ram, v);
			host_printk_log_clear();
			int n = sanitize(map, entries, 0, 40);
			expect_clean(t, n);
			KEXPECT_EQ(t, n, cases[c].high_end ? 3 : 2);
			EXPECT_RANGE(t, 0, 0x0, 0x9f000);
			EXPECT_RANGE(t, 1, 0x100000, cases[c].low_top);
			if (cases[c].high_end)
				EXPECT_RANGE(t, 2, 4 * GiB, cases[c].high_end);
			/* Usable = RAM minus the BIOS's 128 KiB and [0x9f000, 1 MiB). */
			uint64_t total = 0;
			for (int i = 0; i < n; i++)
				total += out[i].size;
			KEXPECT_EQ(t, total, cases[c].ram - 0x20000 - (1 * MiB - 0x9f000));
			KEXPECT_EQ(t, rep.unaligned, 1u); /* 0x9fc00 */
			KEXPECT_EQ(t,
				   rep.overlaps + rep.unsorted + rep.merged + rep.zero_length +
					   rep.beyond_phys,
				   0u);
			KEXPECT_TRUE(t,
				     log_has("usable [0x0-0x9fc00) is not page-aligned; shrunk to "
					     "[0x0-0x9f000)"));
		}
	}
}

static struct boot_info bi; /* big: keep it off the stack */

static void setup_feeds_memblock(struct ktest *t)
{
	memset(&bi, 0, sizeof(bi));
	bi.mmap_count = qemu_pc_map(bi.mmap, 128 * MiB, false);
	bi.mbi_phys = 0x10b000;
	bi.mbi_size = 0x1230;
	bi.module_count = 1;
	bi.modules[0] = (struct boot_module){ 0x200000, 0x280000, "initrd.img" };

	memmap_setup(&bi, 0x100000, 0x10a000, 0, 40);

	KEXPECT_EQ(t, memblock.memory.cnt, 2u);
	KEXPECT_TRUE(t, memblock_is_memory(0x100000, 128 * MiB - 0x20000 - 0x100000));
	KEXPECT_TRUE(t, memblock_is_reserved(0, 1));
	KEXPECT_TRUE(t, memblock_is_reserved(0x9e000, 0x1000));
	KEXPECT_TRUE(t, memblock_is_reserved(0x100000, 0xa000));
	KEXPECT_TRUE(t, memblock_is_reserved(0x10b000, 0x1230));
	KEXPECT_FALSE(t, memblock_is_reserved(0x10a000, 0x1000));
	KEXPECT_TRUE(t, memblock_is_reserved(0x27ffff, 1));
	KEXPECT_FALSE(t, memblock_is_reserved(0x280000, 1));
	/* Owners in address order: first 1 MiB, kernel image, multiboot2 info, module. */
	KASSERT_EQ(t, memblock.reserved.cnt, 4u);
	KEXPECT_STREQ(t, memblock.reserved.regions[0].owner, "first 1 MiB (BIOS, real mode)");
	KEXPECT_STREQ(t, memblock.reserved.regions[1].owner, "kernel image");
	KEXPECT_STREQ(t, memblock.reserved.regions[2].owner, "multiboot2 info");
	KEXPECT_STREQ(t, memblock.reserved.regions[3].owner, "module initrd.img");
	/* The dump names RAM, reservations and the firmware's ranges, and the report line appears. */
	KEXPECT_TRUE(t, log_has("memmap: 7 firmware entries -> 2 usable ranges"));
	KEXPECT_TRUE(t, log_has("1 unaligned"));
	KEXPECT_TRUE(t, log_has("reserved  module initrd.img"));
	KEXPECT_TRUE(t, log_has("0x000000000009f000-0x000000000009fc00      3 KiB  firmware  "
				"available, unused"));
	KEXPECT_TRUE(t, log_has("0x00000000feffc000-0x00000000ff000000     16 KiB  firmware  "
				"reserved"));
	KEXPECT_TRUE(t, log_has("usable"));
	KEXPECT_EQ(t, memblock_check(), 0u);
}

static void setup_reports_oddities(struct ktest *t)
{
	memset(&bi, 0, sizeof(bi));
	bi.mmap_count = qemu_pc_map(bi.mmap, 512 * MiB, true);
	bi.mmap_truncated = true;
	bi.mbi_phys = 0x300000;
	bi.mbi_size = 0x1000;
	bi.module_count = 1;
	bi.modules[0] = (struct boot_module){ 0x500000, 0x500000, "" }; /* empty */

	memmap_setup(&bi, 0x100000, 0x200000, 64 * MiB, 40);
	KEXPECT_TRUE(t, log_has("map has more than 128 entries"));
	KEXPECT_TRUE(t, log_has("module 0 [0x500000-0x500000) is empty"));
	KEXPECT_TRUE(t, log_has("1 capped by mem="));
	KEXPECT_EQ(t, memblock_phys_mem_size(), 64 * MiB);
	KEXPECT_TRUE(t, log_has("firmware  available, unused")); /* the RAM above the cap */

	/* No map at all: the basic meminfo is used. */
	memblock_reset();
	memset(&bi, 0, sizeof(bi));
	bi.has_basic_meminfo = true;
	bi.mem_lower_kb = 639;
	bi.mem_upper_kb = 130048; /* 127 MiB */
	bi.mbi_phys = 0x300000;
	bi.mbi_size = 0x1000;
	host_printk_log_clear();
	memmap_setup(&bi, 0x100000, 0x200000, 0, 40);
	KEXPECT_TRUE(t, log_has("using its basic meminfo (lower 639 KiB, upper 130048 KiB)"));
	KEXPECT_EQ(t, memblock_end_of_DRAM(), 128 * MiB);
	KEXPECT_TRUE(t, memblock_is_memory(0, 0x9f000));
}

static struct ktest_case memmap_cases[] = {
	KTEST_CASE(clean_map_passes_through),
	KTEST_CASE(overlapping_available_entries_merge),
	KTEST_CASE(reserved_wins_over_available),
	KTEST_CASE(unsorted_map_is_sorted),
	KTEST_CASE(unaligned_ranges_shrink_to_pages),
	KTEST_CASE(zero_length_entries_are_dropped),
	KTEST_CASE(ram_beyond_physical_width_is_dropped),
	KTEST_CASE(wrapping_entry_is_clipped),
	KTEST_CASE(no_usable_ram_returns_zero),
	KTEST_CASE(mem_cap_keeps_the_lowest_bytes),
	KTEST_CASE(output_capacity_keeps_the_first),
	KTEST_CASE(qemu_layouts_sanitize_as_expected),
	KTEST_CASE(setup_feeds_memblock),
	KTEST_CASE(setup_reports_oddities),
	{},
};
KTEST_SUITE(memmap_host, memmap_cases, .init = memmap_test_init);
