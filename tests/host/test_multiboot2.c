/*
 * test_multiboot2.c - the multiboot2 parser on crafted information blocks.
 *
 * Each block is assembled in a scratch buffer, then copied into a heap
 * allocation of EXACTLY the size the parser is told it may read, so that
 * AddressSanitizer turns any read past the end into a failure. Broken blocks
 * must give -EINVAL and a message naming the tag type and offset.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "kernel/string.h"

#define FAKE_PHYS 0x10000ull

struct blob {
	uint8_t buf[16384];
	uint32_t len;
};

static struct blob blob_a, blob_b;

static void blob_init(struct blob *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = 8;
}

static void put32(struct blob *b, uint32_t at, uint32_t v)
{
	memcpy(b->buf + at, &v, 4);
}

/* Append a tag whose size field says `size` but which carries plen payload bytes. */
static uint32_t put_tag_sized(struct blob *b, uint32_t type, uint32_t size, const void *p,
			      uint32_t plen)
{
	uint32_t at = b->len;
	put32(b, at, type);
	put32(b, at + 4, size);
	if (plen)
		memcpy(b->buf + at + 8, p, plen);
	b->len = ALIGN_UP(at + 8 + plen, 8u);
	return at;
}

static uint32_t put_tag(struct blob *b, uint32_t type, const void *p, uint32_t plen)
{
	return put_tag_sized(b, type, 8 + plen, p, plen);
}

static uint32_t put_str(struct blob *b, uint32_t type, const char *s)
{
	return put_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

static void put_end(struct blob *b)
{
	put_tag(b, MB2_TAG_END, NULL, 0);
}

struct mmap_in {
	uint64_t base, len;
	uint32_t type;
};

/* A memory map tag with entries entry_size apart; bytes beyond 24 are filled with 0xee. */
static uint32_t put_mmap(struct blob *b, uint32_t entry_size, const struct mmap_in *e, unsigned n)
{
	static uint8_t p[16384];
	uint32_t plen = 8 + entry_size * n;
	memset(p, 0xee, plen);
	memcpy(p, &entry_size, 4);
	memset(p + 4, 0, 4);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *q = p + 8 + i * entry_size;
		memcpy(q, &e[i].base, 8);
		memcpy(q + 8, &e[i].len, 8);
		memcpy(q + 16, &e[i].type, 4);
		memset(q + 20, 0, 4);
	}
	return put_tag(b, MB2_TAG_MMAP, p, plen);
}

/*
 * Copy the block into an exact-size allocation. total_size is set to the
 * assembled length unless `total` is non-zero; the allocation is `avail`
 * bytes (0: the same as total_size).
 */
static uint8_t *blob_finish(struct blob *b, uint32_t total, size_t avail, size_t *out_avail)
{
	if (!total)
		total = b->len;
	put32(b, 0, total);
	if (!avail)
		avail = total;
	uint8_t *m = malloc(avail);
	memcpy(m, b->buf, MIN(avail, sizeof(b->buf)));
	*out_avail = avail;
	return m;
}

static const struct mmap_in qemu_map[] = {
	{ 0x0, 0x9fc00, BOOT_MEM_AVAILABLE },
	{ 0x9fc00, 0x400, BOOT_MEM_RESERVED },
	{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
	{ 0x100000, 0x1fee0000, BOOT_MEM_AVAILABLE },
	{ 0x1ffe0000, 0x20000, BOOT_MEM_ACPI_RECLAIMABLE },
	{ 0xfffc0000, 0x40000, BOOT_MEM_RESERVED },
};

static void make_rsdp(uint8_t *r, unsigned rev, const char *oem)
{
	memset(r, 0, MB2_RSDP_V2_SIZE);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, oem, 6);
	r[15] = (uint8_t)rev;
	uint8_t sum = 0;
	for (int i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (uint8_t)-sum;
}

static struct boot_info bi;

/* Finish the blob (see blob_finish), parse it with a fresh log, free the copy. */
static int parse_blob(struct blob *b, uint32_t total, size_t avail)
{
	size_t n;
	uint8_t *m = blob_finish(b, total, avail, &n);
	host_printk_log_clear();
	int ret = mb2_parse(m, n, FAKE_PHYS, &bi);
	free(m);
	return ret;
}

static bool log_has(const char *s)
{
	return strstr(host_printk_log(), s) != NULL;
}

static void valid_block_with_every_tag(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint8_t rsdp_old[36], rsdp_new[36];
	uint32_t mod[2] = { 0x200000, 0x2a0000 };
	uint32_t meminfo[2] = { 639, 523136 };
	uint8_t modp[8 + 7];
	uint8_t junk[20] = { 1, 2, 3 };

	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, "ktest=* mem=512M");
	put_str(b, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	memcpy(modp, mod, 8);
	memcpy(modp + 8, "initrd", 7);
	put_tag(b, MB2_TAG_MODULE, modp, sizeof(modp));
	put_tag(b, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	put_tag(b, MB2_TAG_FRAMEBUFFER, junk, sizeof(junk));
	put_mmap(b, 24, qemu_map, ARRAY_SIZE(qemu_map));
	make_rsdp(rsdp_new, 2, "NEWOEM");
	uint32_t new_at = put_tag(b, MB2_TAG_ACPI_NEW, rsdp_new, 36);
	/* The old RSDP comes after the new one and must not replace it. */
	make_rsdp(rsdp_old, 0, "BOCHS ");
	put_tag(b, MB2_TAG_ACPI_OLD, rsdp_old, 20);
	put_tag(b, 99, junk, 3);
	put_end(b);
	uint32_t total = b->len;

	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_STREQ(t, bi.cmdline, "ktest=* mem=512M");
	KEXPECT_STREQ(t, bi.loader_name, "GRUB 2.06-13+deb12u1");
	KEXPECT_EQ(t, bi.module_count, 1u);
	KEXPECT_EQ(t, bi.modules[0].start, 0x200000ull);
	KEXPECT_EQ(t, bi.modules[0].end, 0x2a0000ull);
	KEXPECT_STREQ(t, bi.modules[0].cmdline, "initrd");
	KEXPECT_TRUE(t, bi.has_basic_meminfo);
	KEXPECT_EQ(t, bi.mem_lower_kb, 639u);
	KEXPECT_EQ(t, bi.mem_upper_kb, 523136u);
	KASSERT_EQ(t, bi.mmap_count, (unsigned)ARRAY_SIZE(qemu_map));
	KEXPECT_FALSE(t, bi.mmap_truncated);
	for (unsigned i = 0; i < ARRAY_SIZE(qemu_map); i++) {
		KEXPECT_EQ(t, bi.mmap[i].base, qemu_map[i].base);
		KEXPECT_EQ(t, bi.mmap[i].length, qemu_map[i].len);
		KEXPECT_EQ(t, bi.mmap[i].type, qemu_map[i].type);
	}
	KEXPECT_EQ(t, bi.rsdp_revision, 2u);
	KEXPECT_EQ(t, bi.rsdp_phys, FAKE_PHYS + new_at + 8);
	KEXPECT_EQ(t, memcmp(bi.rsdp, rsdp_new, 36), 0);
	KEXPECT_EQ(t, bi.mbi_phys, FAKE_PHYS);
	KEXPECT_EQ(t, bi.mbi_size, total);
	KEXPECT_TRUE(t, log_has("skipped 2 tags"));
	KEXPECT_TRUE(t, log_has("types 8 99"));
}

static void old_rsdp_alone_gives_revision_0(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint8_t r[36];
	blob_init(b);
	make_rsdp(r, 0, "BOCHS ");
	uint32_t at = put_tag(b, MB2_TAG_ACPI_OLD, r, 20);
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_EQ(t, bi.rsdp_revision, 0u);
	KEXPECT_EQ(t, bi.rsdp_phys, FAKE_PHYS + at + 8);
	KEXPECT_EQ(t, memcmp(bi.rsdp, r, 20), 0);
	KEXPECT_EQ(t, bi.rsdp[20], 0);
	/* The print shows the OEM id and the checksum verdict. */
	host_printk_log_clear();
	mb2_print(&bi);
	KEXPECT_TRUE(t, log_has("OEM \"BOCHS \""));
	KEXPECT_TRUE(t, log_has("checksum ok"));
}

static void rsdp_tag_too_short_is_an_error(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint8_t r[36];
	blob_init(b);
	make_rsdp(r, 2, "SHORT ");
	put_tag(b, MB2_TAG_ACPI_NEW, r, 20); /* an ACPI 2.0 RSDP needs 36 bytes */
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("tag type 15 at offset 8"));
}

static void minimal_block_is_valid(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_end(b);
	KEXPECT_EQ(t, b->len, 16u);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_EQ(t, bi.mmap_count, 0u);
	KEXPECT_EQ(t, bi.cmdline[0], '\0');
	KEXPECT_EQ(t, bi.rsdp_phys, 0ull);
}

static void total_size_beyond_avail_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, "x");
	put_end(b);
	/* The header claims 16 more bytes than the caller can read. */
	KEXPECT_EQ(t, parse_blob(b, b->len + 16, b->len), -EINVAL);
	KEXPECT_TRUE(t, log_has("exceeds the 32 bytes available"));
}

static void tiny_blocks_are_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	KEXPECT_EQ(t, parse_blob(b, 8, 8), -EINVAL);
	KEXPECT_TRUE(t, log_has("total_size 8 is smaller"));
	/* Fewer readable bytes than a header: nothing may be read at all. */
	KEXPECT_EQ(t, parse_blob(b, 16, 4), -EINVAL);
	KEXPECT_TRUE(t, log_has("cannot hold its 8-byte header"));
	host_printk_log_clear();
	KEXPECT_EQ(t, mb2_parse(NULL, 100, 0, &bi), -EINVAL);
}

static void tag_running_past_the_end_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_str(b, MB2_TAG_LOADER_NAME, "GRUB");
	/* Says 64 bytes, but the block ends 16 bytes later. */
	put_tag_sized(b, MB2_TAG_CMDLINE, 64, "abcdefg", 8);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("tag type 1 at offset 24: size 64 runs past the end"));
}

static void tag_smaller_than_its_header_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint32_t sizes[] = { 0, 4, 7 };
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		char want[96];
		blob_init(b);
		put_str(b, MB2_TAG_CMDLINE, "a=b");
		put_tag_sized(b, 77, sizes[i], NULL, 0);
		put_end(b);
		KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
		snprintf(want, sizeof(want), "tag type 77 at offset 24: size %u is smaller",
			 sizes[i]);
		KEXPECT_TRUE(t, log_has(want));
	}
}

/* Tag sizes are not multiples of 8: the next tag starts at the rounded-up offset. */
static void unaligned_tag_sizes_are_padded(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint32_t meminfo[2] = { 1, 2 };
	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, "abcd");	  /* size 13, next at 24 */
	put_str(b, MB2_TAG_LOADER_NAME, "GRUBX"); /* size 14, next at 40 */
	put_tag(b, MB2_TAG_BASIC_MEMINFO, meminfo, 8);
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_STREQ(t, bi.cmdline, "abcd");
	KEXPECT_STREQ(t, bi.loader_name, "GRUBX");
	KEXPECT_EQ(t, bi.mem_upper_kb, 2u);
}

/* total_size ends before the padded end tag: the end tag is not inside the block. */
static void total_size_not_covering_padding_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, "abcd"); /* 8 + 13 = 21, padded to 24 */
	put_end(b);			     /* at 24..32 */
	KEXPECT_EQ(t, parse_blob(b, 29, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("no end tag"));
}

static void missing_end_tag_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, "abc");
	put_str(b, MB2_TAG_LOADER_NAME, "GRUB");
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("no end tag (type 0) before total_size 40"));
}

/* A tag whose size swallows the following tag(s), including the end tag. */
static void tag_overlapping_the_end_tag_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	uint32_t at = put_str(b, MB2_TAG_CMDLINE, "abcdefg"); /* 16 bytes at 8 */
	put_end(b);					      /* at 24 */
	put32(b, at + 4, 24);				      /* now covers the end tag */
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("no end tag"));
}

/* Overlapping memory ranges are passed on as given: sanitising is memblock's job. */
static void overlapping_mmap_ranges_are_kept_raw(struct ktest *t)
{
	struct blob *b = &blob_a;
	const struct mmap_in m[] = {
		{ 0x100000, 0x100000, BOOT_MEM_AVAILABLE },
		{ 0x180000, 0x100000, BOOT_MEM_RESERVED },
		{ 0x0, 0x1000, 77 },
	};
	blob_init(b);
	put_mmap(b, 24, m, 3);
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KASSERT_EQ(t, bi.mmap_count, 3u);
	KEXPECT_EQ(t, bi.mmap[1].base, 0x180000ull);
	KEXPECT_EQ(t, bi.mmap[2].type, 77u);
	KEXPECT_STREQ(t, boot_mem_type_name(bi.mmap[2].type), "unknown");
}

static void mmap_larger_entries_are_stepped_over(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_mmap(b, 32, qemu_map, ARRAY_SIZE(qemu_map));
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KASSERT_EQ(t, bi.mmap_count, (unsigned)ARRAY_SIZE(qemu_map));
	for (unsigned i = 0; i < ARRAY_SIZE(qemu_map); i++) {
		KEXPECT_EQ(t, bi.mmap[i].base, qemu_map[i].base);
		KEXPECT_EQ(t, bi.mmap[i].length, qemu_map[i].len);
		KEXPECT_EQ(t, bi.mmap[i].type, qemu_map[i].type);
	}
}

static void mmap_smaller_entries_are_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint32_t esizes[] = { 0, 8, 16, 20 };
	for (unsigned i = 0; i < ARRAY_SIZE(esizes); i++) {
		char want[96];
		uint32_t p[2 + 8] = { esizes[i], 0 };
		blob_init(b);
		put_tag(b, MB2_TAG_MMAP, p, sizeof(p));
		put_end(b);
		KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
		snprintf(want, sizeof(want), "tag type 6 at offset 8: memory map entry_size %u",
			 esizes[i]);
		KEXPECT_TRUE(t, log_has(want));
	}
}

static void mmap_partial_entry_is_refused(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint8_t p[8 + 24 + 12];
	uint32_t es = 24;
	memset(p, 0, sizeof(p));
	memcpy(p, &es, 4);
	blob_init(b);
	put_tag(b, MB2_TAG_MMAP, p, sizeof(p));
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("not a whole number of 24-byte entries"));
	/* A memory map tag too short for its own header. */
	blob_init(b);
	put_tag(b, MB2_TAG_MMAP, p, 4);
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("too small for a memory map"));
}

static void mmap_with_too_many_entries_is_truncated(struct ktest *t)
{
	struct blob *b = &blob_a;
	static struct mmap_in m[BOOT_MMAP_MAX + 5];
	for (unsigned i = 0; i < ARRAY_SIZE(m); i++)
		m[i] = (struct mmap_in){ (uint64_t)i << 20, 1 << 20, 1 + i % 2 };
	blob_init(b);
	put_mmap(b, 24, m, ARRAY_SIZE(m));
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_EQ(t, bi.mmap_count, (unsigned)BOOT_MMAP_MAX);
	KEXPECT_TRUE(t, bi.mmap_truncated);
	KEXPECT_EQ(t, bi.mmap[BOOT_MMAP_MAX - 1].base, (uint64_t)(BOOT_MMAP_MAX - 1) << 20);
	KEXPECT_TRUE(t, log_has("memory map has 133 entries, keeping the first 128"));
	host_printk_log_clear();
	mb2_print(&bi);
	KEXPECT_TRUE(t, log_has("TRUNCATED"));
}

static void long_and_unterminated_strings_are_cut(struct ktest *t)
{
	struct blob *b = &blob_a;
	static char longline[BOOT_CMDLINE_MAX + 500];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	blob_init(b);
	put_str(b, MB2_TAG_CMDLINE, longline);
	put_tag(b, MB2_TAG_LOADER_NAME, "GRUBGRUB", 8); /* no NUL inside the tag */
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	KEXPECT_EQ(t, strlen(bi.cmdline), (size_t)BOOT_CMDLINE_MAX - 1);
	KEXPECT_STREQ(t, bi.loader_name, "GRUBGRUB");
	KEXPECT_TRUE(t, log_has("keeping the first 1023"));
	KEXPECT_TRUE(t, log_has("tag type 2 at offset"));
	KEXPECT_TRUE(t, log_has("not NUL-terminated"));
}

static void bad_modules(struct ktest *t)
{
	struct blob *b = &blob_a;
	uint32_t mod[3] = { 0x300000, 0x200000, 0 };
	blob_init(b);
	put_tag(b, MB2_TAG_MODULE, mod, sizeof(mod));
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("ends (0x200000) before it starts (0x300000)"));
	blob_init(b);
	put_tag(b, MB2_TAG_MODULE, mod, 4);
	put_end(b);
	KEXPECT_EQ(t, parse_blob(b, 0, 0), -EINVAL);
	KEXPECT_TRUE(t, log_has("tag type 3 at offset 8: size 12 is too small for a module"));
}

/*
 * Random damage to a valid block: whatever the parser decides, it must not
 * read out of bounds (ASan aborts the program if it does) and must answer
 * 0 or -EINVAL.
 */
static void random_damage_never_reads_out_of_bounds(struct ktest *t)
{
	struct blob *b = &blob_a;
	struct blob *orig = &blob_b;
	uint8_t r[36];
	unsigned seed = 12345, ok = 0, bad = 0;
	blob_init(orig);
	put_str(orig, MB2_TAG_CMDLINE, "ktest=*");
	put_str(orig, MB2_TAG_LOADER_NAME, "GRUB");
	put_mmap(orig, 24, qemu_map, ARRAY_SIZE(qemu_map));
	make_rsdp(r, 2, "FUZZ  ");
	put_tag(orig, MB2_TAG_ACPI_NEW, r, 36);
	put_end(orig);
	put32(orig, 0, orig->len);

	host_printk_echo = false;
	for (unsigned iter = 0; iter < 20000; iter++) {
		size_t len = orig->len;
		memcpy(b, orig, sizeof(*b));
		unsigned flips = 1 + (unsigned)(rand_r(&seed) % 4);
		for (unsigned k = 0; k < flips; k++) {
			unsigned pos = (unsigned)rand_r(&seed) % (unsigned)len;
			/* Favour the length fields: small values near the header. */
			if (rand_r(&seed) % 2)
				b->buf[pos] = (uint8_t)rand_r(&seed);
			else
				b->buf[pos & ~3u] = (uint8_t)(rand_r(&seed) % 64);
		}
		size_t avail = rand_r(&seed) % 4 ? len : (size_t)rand_r(&seed) % (len + 1);
		uint8_t *m = malloc(avail ? avail : 1);
		memcpy(m, b->buf, avail);
		host_printk_log_clear();
		int ret = mb2_parse(m, avail, FAKE_PHYS, &bi);
		free(m);
		if (ret == 0)
			ok++;
		else if (ret == -EINVAL)
			bad++;
		else
			KEXPECT_EQ(t, ret, -EINVAL);
		if (ret == 0) {
			KEXPECT_LE(t, bi.mmap_count, (unsigned)BOOT_MMAP_MAX);
			KEXPECT_LT(t, strlen(bi.cmdline), sizeof(bi.cmdline));
		}
	}
	host_printk_echo = true;
	ktest_log(t, "%u damaged blocks accepted, %u refused", ok, bad);
	KEXPECT_GT(t, ok, 0u);
	KEXPECT_GT(t, bad, 0u);
}

static void mem_type_names(struct ktest *t)
{
	KEXPECT_STREQ(t, boot_mem_type_name(1), "available");
	KEXPECT_STREQ(t, boot_mem_type_name(2), "reserved");
	KEXPECT_STREQ(t, boot_mem_type_name(3), "ACPI reclaimable");
	KEXPECT_STREQ(t, boot_mem_type_name(4), "ACPI NVS");
	KEXPECT_STREQ(t, boot_mem_type_name(5), "bad RAM");
	KEXPECT_STREQ(t, boot_mem_type_name(0), "unknown");
	KEXPECT_STREQ(t, boot_mem_type_name(0xffffffffu), "unknown");
}

static void print_shows_the_table(struct ktest *t)
{
	struct blob *b = &blob_a;
	blob_init(b);
	put_str(b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	put_str(b, MB2_TAG_CMDLINE, "ktest=mm*");
	put_mmap(b, 24, qemu_map, ARRAY_SIZE(qemu_map));
	put_end(b);
	KASSERT_EQ(t, parse_blob(b, 0, 0), 0);
	host_printk_log_clear();
	mb2_print(&bi);
	KEXPECT_TRUE(t, log_has("\"GRUB 2.06\""));
	KEXPECT_TRUE(t, log_has("\"ktest=mm*\""));
	KEXPECT_TRUE(
		t, log_has("0x0000000000100000  0x000000001ffe0000    523136 KiB  available (1)"));
	KEXPECT_TRUE(t,
		     log_has("0x000000000009fc00  0x00000000000a0000         1 KiB  reserved (2)"));
	KEXPECT_TRUE(t, log_has("ACPI reclaimable"));
	KEXPECT_TRUE(t, log_has("no ACPI RSDP"));
	KEXPECT_TRUE(t, log_has("523775 KiB available in the memory map"));
}

static struct ktest_case multiboot2_host_cases[] = {
	KTEST_CASE(valid_block_with_every_tag),
	KTEST_CASE(old_rsdp_alone_gives_revision_0),
	KTEST_CASE(rsdp_tag_too_short_is_an_error),
	KTEST_CASE(minimal_block_is_valid),
	KTEST_CASE(total_size_beyond_avail_is_refused),
	KTEST_CASE(tiny_blocks_are_refused),
	KTEST_CASE(tag_running_past_the_end_is_refused),
	KTEST_CASE(tag_smaller_than_its_header_is_refused),
	KTEST_CASE(unaligned_tag_sizes_are_padded),
	KTEST_CASE(total_size_not_covering_padding_is_refused),
	KTEST_CASE(missing_end_tag_is_refused),
	KTEST_CASE(tag_overlapping_the_end_tag_is_refused),
	KTEST_CASE(overlapping_mmap_ranges_are_kept_raw),
	KTEST_CASE(mmap_larger_entries_are_stepped_over),
	KTEST_CASE(mmap_smaller_entries_are_refused),
	KTEST_CASE(mmap_partial_entry_is_refused),
	KTEST_CASE(mmap_with_too_many_entries_is_truncated),
	KTEST_CASE(long_and_unterminated_strings_are_cut),
	KTEST_CASE(bad_modules),
	KTEST_CASE(random_damage_never_reads_out_of_bounds),
	KTEST_CASE(mem_type_names),
	KTEST_CASE(print_shows_the_table),
	{},
};
KTEST_SUITE(multiboot2_host, multiboot2_host_cases);
