/*
 * fuzz_multiboot2.c - libFuzzer harness for mb2_parse (kernel/multiboot2.h).
 *
 * Input: the bytes of a multiboot2 information block, exactly as a boot
 * loader leaves it (total_size, reserved, tags). The parser is told it may
 * read all of them (avail = input size) and nothing more: libFuzzer hands
 * the harness a heap buffer of exactly that size, so AddressSanitizer
 * catches any read past it. A total_size larger than the input is how the
 * fuzzer says "the loader claims more than the caller mapped".
 *
 * Checks, after each parse:
 *   - the result is 0 or -EINVAL, and it is the result of a reference
 *     reading of the specification written here independently (tags are
 *     first cut out of the block, then interpreted): the block is refused
 *     exactly when the header says it must be (total_size < 16 or > avail,
 *     a tag shorter than its header or running past total_size, no end tag
 *     inside total_size, a memory map with entry_size < 24 or a partial
 *     entry, a module too short or ending before it starts, an RSDP tag too
 *     short for its revision);
 *   - a refusal names the offending tag's type and offset in its message
 *     (for a tag-level error) as the header promises;
 *   - an accepted block describes only bytes inside it: mbi_size is
 *     total_size and at most avail, the RSDP copy lies inside the block,
 *     every string is NUL-terminated inside its array, counts are within
 *     BOOT_MMAP_MAX / BOOT_MODULES_MAX (truncation flagged), and every
 *     field equals what the reference read at the same place (command line,
 *     loader name, modules and their strings, basic meminfo, every memory
 *     map entry, the RSDP bytes, revision and physical address);
 *   - mb2_print of an accepted block runs and prints its memory map count.
 */
#include "tests/fuzz/fuzz_common.h"

#include "kernel/errno.h"
#include "kernel/multiboot2.h"

/* Where the block "is" physically: the address GRUB used in a real QEMU boot. */
#define MBI_PHYS 0x354760ull

static uint32_t get32(const uint8_t *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b + off, 4);
	return v;
}

static uint64_t get64(const uint8_t *b, size_t off)
{
	uint64_t v;
	memcpy(&v, b + off, 8);
	return v;
}

/* ---- the reference reading ---- */

struct ref_tag {
	uint32_t off, type, size;
};

/* What the reference expects: the result, and for a tag-level refusal the culprit. */
struct ref_result {
	int ret;
	bool tag_error; /* the message must name err_type at err_off */
	uint32_t err_type, err_off;
	struct boot_info bi;
};

/* A string payload: up to the first NUL or the end, cut to cap - 1 bytes. */
static void ref_string(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = 0;
	while (n < len && src[n] != 0)
		n++;
	if (n > cap - 1)
		n = cap - 1;
	memset(dst, 0, cap);
	memcpy(dst, src, n);
}

static int ref_fail(struct ref_result *r, uint32_t type, uint32_t off)
{
	r->ret = -EINVAL;
	r->tag_error = true;
	r->err_type = type;
	r->err_off = off;
	return -EINVAL;
}

/*
 * The reference: pass 1 cuts the block into tags (each 8-aligned, none
 * crossing total_size, up to the end tag); pass 2 interprets them in order.
 * The specification's "first bad tag" is the earliest one, structural or
 * not, so a structural error found by pass 1 is reported only if no tag
 * before it fails pass 2.
 */
static int ref_parse(const uint8_t *b, size_t avail, struct ref_result *r)
{
	struct boot_info *bi = &r->bi;
	bool have_new_rsdp = false, ended = false, cut_error = false;
	uint32_t cut_type = 0, cut_off = 0;

	memset(r, 0, sizeof(*r));
	bi->mbi_phys = MBI_PHYS;
	r->ret = -EINVAL;
	if (avail < 8)
		return -EINVAL;
	uint32_t total = get32(b, 0);
	if (total < 16 || total > avail)
		return -EINVAL;
	bi->mbi_size = total;

	/* Pass 1. At most one tag per 8 bytes. */
	struct ref_tag *tags = malloc((total / 8 + 1) * sizeof(*tags));
	unsigned ntags = 0;
	uint64_t off = 8;
	if (!tags)
		abort();
	while (off + 8 <= total) {
		uint32_t type = get32(b, off), size = get32(b, off + 4);
		if (size < 8 || off + size > total) {
			cut_error = true;
			cut_type = type;
			cut_off = (uint32_t)off;
			break;
		}
		if (type == MB2_TAG_END) {
			ended = true;
			break;
		}
		tags[ntags++] = (struct ref_tag){ (uint32_t)off, type, size };
		off = (off + size + 7) & ~7ull;
	}
	if (!ended && !cut_error) {
		cut_error = true;
		cut_type = MB2_TAG_END;
		cut_off = (uint32_t)MIN(off, (uint64_t)total);
	}

	/* Pass 2. */
	for (unsigned i = 0; i < ntags; i++) {
		const struct ref_tag *t = &tags[i];
		const uint8_t *p = b + t->off + 8;
		uint32_t plen = t->size - 8;
		bool bad = false;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			ref_string(bi->cmdline, sizeof(bi->cmdline), p, plen);
			break;
		case MB2_TAG_LOADER_NAME:
			ref_string(bi->loader_name, sizeof(bi->loader_name), p, plen);
			break;
		case MB2_TAG_MODULE: {
			if (plen < 8 || get32(p, 4) < get32(p, 0)) {
				bad = true;
				break;
			}
			if (bi->module_count < BOOT_MODULES_MAX) {
				struct boot_module *m = &bi->modules[bi->module_count++];
				m->start = get32(p, 0);
				m->end = get32(p, 4);
				ref_string(m->cmdline, sizeof(m->cmdline), p + 8, plen - 8);
			}
			break;
		}
		case MB2_TAG_BASIC_MEMINFO:
			if (plen < 8) {
				bad = true;
				break;
			}
			bi->has_basic_meminfo = true;
			bi->mem_lower_kb = get32(p, 0);
			bi->mem_upper_kb = get32(p, 4);
			break;
		case MB2_TAG_MMAP: {
			uint32_t esize = plen >= 8 ? get32(p, 0) : 0;
			if (plen < 8 || esize < 24 || (plen - 8) % esize) {
				bad = true;
				break;
			}
			uint32_t n = (plen - 8) / esize;
			bi->mmap_count = MIN(n, (uint32_t)BOOT_MMAP_MAX);
			bi->mmap_truncated = n > BOOT_MMAP_MAX;
			for (uint32_t k = 0; k < bi->mmap_count; k++) {
				const uint8_t *e = p + 8 + (size_t)k * esize;
				bi->mmap[k] = (struct boot_mmap_entry){ get64(e, 0), get64(e, 8),
									get32(e, 16) };
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			bool is_new = t->type == MB2_TAG_ACPI_NEW;
			uint32_t need = is_new ? 36 : 20;
			if (plen < need) {
				bad = true;
				break;
			}
			if (!is_new && have_new_rsdp)
				break;
			memset(bi->rsdp, 0, sizeof(bi->rsdp));
			memcpy(bi->rsdp, p, need);
			bi->rsdp_revision = p[15];
			bi->rsdp_phys = MBI_PHYS + t->off + 8;
			have_new_rsdp |= is_new;
			break;
		}
		default:
			break;
		}
		if (bad) {
			uint32_t type = t->type, toff = t->off;
			free(tags);
			return ref_fail(r, type, toff);
		}
	}
	free(tags);
	if (cut_error)
		return ref_fail(r, cut_type, cut_off);
	r->ret = 0;
	r->tag_error = false;
	return 0;
}

/* ---- the checks ---- */

static void check_strings_terminated(const struct boot_info *bi)
{
	CHECK(strnlen(bi->cmdline, sizeof(bi->cmdline)) < sizeof(bi->cmdline),
	      "command line not NUL-terminated");
	CHECK(strnlen(bi->loader_name, sizeof(bi->loader_name)) < sizeof(bi->loader_name),
	      "loader name not NUL-terminated");
	for (unsigned i = 0; i < bi->module_count; i++)
		CHECK(strnlen(bi->modules[i].cmdline, sizeof(bi->modules[i].cmdline)) <
			      sizeof(bi->modules[i].cmdline),
		      "module %u string not NUL-terminated", i);
}

static void check_same(const struct boot_info *got, const struct boot_info *want)
{
	CHECK(got->mbi_phys == want->mbi_phys, "mbi_phys %#llx", (unsigned long long)got->mbi_phys);
	CHECK(got->mbi_size == want->mbi_size, "mbi_size %u, want %u", got->mbi_size,
	      want->mbi_size);
	CHECK(strcmp(got->cmdline, want->cmdline) == 0, "cmdline \"%s\", want \"%s\"", got->cmdline,
	      want->cmdline);
	CHECK(strcmp(got->loader_name, want->loader_name) == 0, "loader \"%s\", want \"%s\"",
	      got->loader_name, want->loader_name);
	CHECK(got->has_basic_meminfo == want->has_basic_meminfo, "basic meminfo presence");
	if (want->has_basic_meminfo)
		CHECK(got->mem_lower_kb == want->mem_lower_kb &&
			      got->mem_upper_kb == want->mem_upper_kb,
		      "meminfo %u/%u, want %u/%u", got->mem_lower_kb, got->mem_upper_kb,
		      want->mem_lower_kb, want->mem_upper_kb);
	CHECK(got->module_count == want->module_count, "%u modules, want %u", got->module_count,
	      want->module_count);
	for (unsigned i = 0; i < want->module_count; i++) {
		const struct boot_module *g = &got->modules[i], *w = &want->modules[i];
		CHECK(g->start == w->start && g->end == w->end &&
			      strcmp(g->cmdline, w->cmdline) == 0,
		      "module %u: [%#llx, %#llx) \"%s\", want [%#llx, %#llx) \"%s\"", i,
		      (unsigned long long)g->start, (unsigned long long)g->end, g->cmdline,
		      (unsigned long long)w->start, (unsigned long long)w->end, w->cmdline);
	}
	CHECK(got->mmap_count == want->mmap_count, "%u map entries, want %u", got->mmap_count,
	      want->mmap_count);
	CHECK(got->mmap_truncated == want->mmap_truncated, "mmap_truncated %d, want %d",
	      got->mmap_truncated, want->mmap_truncated);
	for (unsigned i = 0; i < want->mmap_count; i++) {
		const struct boot_mmap_entry *g = &got->mmap[i], *w = &want->mmap[i];
		CHECK(g->base == w->base && g->length == w->length && g->type == w->type,
		      "map entry %u: %#llx+%#llx type %u, want %#llx+%#llx type %u", i,
		      (unsigned long long)g->base, (unsigned long long)g->length, g->type,
		      (unsigned long long)w->base, (unsigned long long)w->length, w->type);
	}
	CHECK(got->rsdp_phys == want->rsdp_phys, "rsdp_phys %#llx, want %#llx",
	      (unsigned long long)got->rsdp_phys, (unsigned long long)want->rsdp_phys);
	CHECK(got->rsdp_revision == want->rsdp_revision, "rsdp revision %u, want %u",
	      got->rsdp_revision, want->rsdp_revision);
	CHECK(memcmp(got->rsdp, want->rsdp, sizeof(got->rsdp)) == 0, "RSDP bytes differ");
}

FUZZ_QUIET_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	static struct ref_result want;

	host_printk_log_clear();
	/* Poison the output: the parser must zero it first, whatever it then fails on. */
	memset(&bi, 0xa5, sizeof(bi));
	int ret = mb2_parse(size ? data : NULL, size, MBI_PHYS, &bi);
	ref_parse(data, size, &want);

	CHECK(ret == 0 || ret == -EINVAL, "mb2_parse returned %d", ret);
	CHECK(ret == want.ret, "mb2_parse returned %d, the specification says %d%s", ret, want.ret,
	      want.tag_error ? " (a tag error)" : "");
	if (ret) {
		CHECK(printk_count("multiboot2:") > 0, "refused without a message");
		if (want.tag_error) {
			char msg[64];
			snprintf(msg, sizeof(msg), "tag type %u at offset %u", want.err_type,
				 want.err_off);
			CHECK(strstr(host_printk_log(), msg), "the refusal does not name \"%s\"",
			      msg);
		}
		return 0;
	}

	/* Accepted: only bytes inside the block are described. */
	uint32_t total = get32(data, 0);
	CHECK(bi.mbi_size == total && total <= size, "mbi_size %u, total_size %u, avail %zu",
	      bi.mbi_size, total, size);
	CHECK(bi.mbi_phys == MBI_PHYS, "mbi_phys");
	CHECK(bi.mmap_count <= BOOT_MMAP_MAX && bi.module_count <= BOOT_MODULES_MAX, "counts %u/%u",
	      bi.mmap_count, bi.module_count);
	CHECK(!bi.mmap_truncated || bi.mmap_count == BOOT_MMAP_MAX, "truncated but not full");
	if (bi.rsdp_phys) {
		CHECK(bi.rsdp_phys >= MBI_PHYS + 16 && bi.rsdp_phys + 20 <= MBI_PHYS + total,
		      "RSDP copy at %#llx outside the block", (unsigned long long)bi.rsdp_phys);
		size_t at = (size_t)(bi.rsdp_phys - MBI_PHYS);
		CHECK(memcmp(bi.rsdp, data + at, 20) == 0, "RSDP bytes are not the block's");
		/* The rest is the block's too (a 2.0 tag) or zero (a 1.0 tag). */
		static const uint8_t zero[16];
		CHECK(memcmp(bi.rsdp + 20, zero, 16) == 0 ||
			      (at + 36 <= total && memcmp(bi.rsdp + 20, data + at + 20, 16) == 0),
		      "RSDP bytes 20-35 are neither zero nor the block's");
		CHECK(bi.rsdp_revision == bi.rsdp[15], "revision %u, byte 15 is %u",
		      bi.rsdp_revision, bi.rsdp[15]);
	}
	for (unsigned i = 0; i < bi.module_count; i++)
		CHECK(bi.modules[i].end >= bi.modules[i].start, "module %u inverted", i);
	check_strings_terminated(&bi);
	check_same(&bi, &want.bi);

	host_printk_log_clear();
	mb2_print(&bi);
	char line[64];
	snprintf(line, sizeof(line), "memory map, %u entr", bi.mmap_count);
	CHECK(strstr(host_printk_log(), line), "mb2_print did not print \"%s\"", line);
	return 0;
}
