/*
 * multiboot2_test.c - what GRUB really handed over, as kernel/multiboot2.c
 * copied it into boot_info. The host tests cover the parser on crafted
 * blocks; this suite checks the real one against what a PC under QEMU must
 * look like, and against itself (basic meminfo versus the memory map).
 */
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/multiboot2.h"
#include "kernel/string.h"

#define SZ_1M (1ull << 20)
#define SZ_4G (1ull << 32)

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

static void loader_is_grub(struct ktest *t)
{
	ktest_log(t, "loader: \"%s\"", boot_info.loader_name);
	KEXPECT_TRUE(t, contains(boot_info.loader_name, "GRUB"));
}

/* The command line arrived whole: NUL-terminated inside the buffer, ktest= in it when it ran us. */
static void command_line_holds_ktest(struct ktest *t)
{
	ktest_log(t, "command line: \"%s\"", boot_info.cmdline);
	KEXPECT_LT(t, strnlen(boot_info.cmdline, sizeof(boot_info.cmdline)),
		   sizeof(boot_info.cmdline));
	KEXPECT_EQ(t, contains(boot_info.cmdline, "ktest="), cmdline_has("ktest"));
}

/* The block lies in low memory, 8-aligned (the specification says so), and below 4 GiB. */
static void info_block_location(struct ktest *t)
{
	ktest_log(t, "information block at %#llx, %u bytes", (unsigned long long)boot_info.mbi_phys,
		  boot_info.mbi_size);
	KEXPECT_NE(t, boot_info.mbi_phys, 0ull);
	KEXPECT_TRUE(t, IS_ALIGNED(boot_info.mbi_phys, 8ull));
	KEXPECT_GE(t, boot_info.mbi_size, 16u);
	KEXPECT_LE(t, boot_info.mbi_phys + boot_info.mbi_size, SZ_4G);
}

/* At least one available range, none empty, available ranges pairwise disjoint. */
static void memory_map_is_sane(struct ktest *t)
{
	uint64_t avail = 0;
	unsigned navail = 0;
	KASSERT_GT(t, boot_info.mmap_count, 0u);
	KEXPECT_FALSE(t, boot_info.mmap_truncated);
	for (unsigned i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *a = &boot_info.mmap[i];
		KEXPECT_GT(t, a->length, 0ull);
		KEXPECT_GE(t, a->base + a->length, a->base); /* no wrap */
		if (a->type != BOOT_MEM_AVAILABLE)
			continue;
		navail++;
		avail += a->length;
		for (unsigned j = i + 1; j < boot_info.mmap_count; j++) {
			const struct boot_mmap_entry *b = &boot_info.mmap[j];
			if (b->type != BOOT_MEM_AVAILABLE)
				continue;
			bool disjoint =
				a->base + a->length <= b->base || b->base + b->length <= a->base;
			if (!disjoint)
				ktest_log(t, "available entries %u and %u overlap", i, j);
			KEXPECT_TRUE(t, disjoint);
		}
	}
	ktest_log(t, "%u available range(s), %llu KiB", navail, (unsigned long long)(avail >> 10));
	KEXPECT_GT(t, navail, 0u);
	KEXPECT_GE(t, avail, 16 * SZ_1M); /* nobody boots this kernel with less */
}

/*
 * GRUB computes basic meminfo from the same firmware map: mem_lower is the
 * available memory at 0 (at most 640 KiB), mem_upper the available memory
 * from 1 MiB up to the first hole. Both must agree with the map.
 */
static void basic_meminfo_agrees_with_the_map(struct ktest *t)
{
	const struct boot_mmap_entry *low = NULL, *high = NULL;
	if (!boot_info.has_basic_meminfo)
		KTEST_SKIP(t, "the loader gave no basic meminfo tag");
	ktest_log(t, "mem_lower %u KiB, mem_upper %u KiB", boot_info.mem_lower_kb,
		  boot_info.mem_upper_kb);
	KEXPECT_LE(t, boot_info.mem_lower_kb, 640u);
	KEXPECT_GT(t, boot_info.mem_upper_kb, 0u);
	for (unsigned i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		if (e->type != BOOT_MEM_AVAILABLE)
			continue;
		if (e->base == 0)
			low = e;
		if (e->base <= SZ_1M && e->base + e->length > SZ_1M)
			high = e;
	}
	KASSERT_NOT_NULL(t, low);
	KASSERT_NOT_NULL(t, high);
	KEXPECT_EQ(t, low->length >> 10, (uint64_t)boot_info.mem_lower_kb);
	KEXPECT_EQ(t, (high->base + high->length - SZ_1M) >> 10, (uint64_t)boot_info.mem_upper_kb);
}

/* The RSDP copy sits inside the information block and checksums to zero. */
static void rsdp_copy_is_valid(struct ktest *t)
{
	uint8_t sum = 0;
	if (!boot_info.rsdp_phys)
		KTEST_SKIP(t, "the loader gave no ACPI RSDP tag");
	ktest_log(t, "RSDP at %#llx, revision %u", (unsigned long long)boot_info.rsdp_phys,
		  boot_info.rsdp_revision);
	KEXPECT_EQ(t, memcmp(boot_info.rsdp, "RSD PTR ", 8), 0);
	for (unsigned i = 0; i < MB2_RSDP_V1_SIZE; i++)
		sum += boot_info.rsdp[i];
	KEXPECT_EQ(t, sum, 0);
	if (boot_info.rsdp_revision >= 2) {
		sum = 0;
		for (unsigned i = 0; i < MB2_RSDP_V2_SIZE; i++)
			sum += boot_info.rsdp[i];
		KEXPECT_EQ(t, sum, 0);
	}
	KEXPECT_GE(t, boot_info.rsdp_phys, boot_info.mbi_phys + 16);
	KEXPECT_LE(t, boot_info.rsdp_phys + MB2_RSDP_V1_SIZE,
		   boot_info.mbi_phys + boot_info.mbi_size);
}

/*
 * Parsing the real block again gives the same boot_info. The block may have
 * been handed to the page allocator since boot; if its first word no longer
 * reads as its size, it has been reused and there is nothing to compare.
 */
static void reparse_gives_the_same_result(struct ktest *t)
{
	static struct boot_info again;
	const void *mbi = __va(boot_info.mbi_phys);
	uint32_t total;
	memcpy(&total, mbi, sizeof(total));
	if (total != boot_info.mbi_size)
		KTEST_SKIP(t, "the information block's memory has been reused");
	KASSERT_EQ(t, mb2_parse(mbi, boot_info.mbi_size, boot_info.mbi_phys, &again), 0);
	KEXPECT_EQ(t, memcmp(&again, &boot_info, sizeof(again)), 0);
	/* One byte short: the parser must refuse, not read past it. */
	KEXPECT_NE(t, mb2_parse(mbi, boot_info.mbi_size - 1, boot_info.mbi_phys, &again), 0);
}

static struct ktest_case multiboot2_cases[] = {
	KTEST_CASE(loader_is_grub),
	KTEST_CASE(command_line_holds_ktest),
	KTEST_CASE(info_block_location),
	KTEST_CASE(memory_map_is_sane),
	KTEST_CASE(basic_meminfo_agrees_with_the_map),
	KTEST_CASE(rsdp_copy_is_valid),
	KTEST_CASE(reparse_gives_the_same_result),
	{},
};
KTEST_SUITE(multiboot2, multiboot2_cases);
