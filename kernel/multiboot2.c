/*
 * multiboot2.c - copy the boot loader's information block into struct boot_info.
 *
 * The block is a list of tags, each {type, size, payload} starting on an
 * 8-byte boundary, walked by size rounded up to 8 until the end tag. The walk
 * keeps one invariant: before any byte is read, the bytes [off, off + n) have
 * been shown to lie inside [0, total_size), and total_size has been shown to
 * be at most `avail`, the number of bytes the caller can read. Every field is
 * fetched with a byte copy (rd32/rd64), so neither the block nor a tag needs
 * to be aligned for the reads to be well defined.
 *
 * Structural damage (a size that cannot be right) is an error: the rest of
 * the block cannot be trusted once one length is wrong. Content we merely do
 * not use (unknown tag types, an unfamiliar memory map entry version) is
 * skipped with a note. Lengths that exceed our fixed-size copies (a long
 * command line, too many memory map entries) are truncated with a warning.
 */
#include "kernel/multiboot2.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"

/* The kernel's copy; filled by early boot (see multiboot2.h). */
struct boot_info boot_info;

BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != MB2_MMAP_ENTRY_MIN);
BUILD_BUG_ON(sizeof(struct mb2_tag_mmap) != 16);
BUILD_BUG_ON(sizeof(struct mb2_tag_module) != 16);
BUILD_BUG_ON(sizeof(struct mb2_tag_basic_meminfo) != 16);

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Everything a tag handler needs: where the tag is and what has been seen so far. */
struct mb2_walk {
	const uint8_t *base;
	uint64_t phys;
	struct boot_info *out;
	uint32_t off;  /* this tag's offset from the start of the block */
	uint32_t type; /* this tag's type */
	uint32_t size; /* this tag's size (header included), already bounds-checked */
	bool have_new_rsdp;
	bool have_mmap;
	unsigned skipped;
	uint32_t skipped_types[8];
	unsigned skipped_types_n;
};

static const uint8_t *payload(const struct mb2_walk *w)
{
	return w->base + w->off + MB2_TAG_HEADER_SIZE;
}

static uint32_t payload_len(const struct mb2_walk *w)
{
	return w->size - MB2_TAG_HEADER_SIZE;
}

static int too_short(const struct mb2_walk *w, uint32_t need, const char *what)
{
	pr_err("multiboot2: tag type %u at offset %u: size %u is too small for %s (needs %u)\n",
	       w->type, w->off, w->size, what, need);
	return -EINVAL;
}

/*
 * Copy a string payload of len bytes into dst[cap]: it ends at the first NUL
 * or at the end of the tag (loaders must NUL-terminate; a missing NUL is
 * reported), and is cut to cap - 1 bytes. dst is always NUL-terminated.
 */
static void copy_string(const struct mb2_walk *w, const uint8_t *src, uint32_t len, char *dst,
			size_t cap, const char *what)
{
	size_t n = 0;
	while (n < len && src[n])
		n++;
	if (n == len)
		pr_warn("multiboot2: tag type %u at offset %u: %s is not NUL-terminated; "
			"using its %zu bytes\n",
			w->type, w->off, what, n);
	if (n > cap - 1) {
		pr_warn("multiboot2: tag type %u at offset %u: %s is %zu bytes long, "
			"keeping the first %zu\n",
			w->type, w->off, what, n, cap - 1);
		n = cap - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_module(struct mb2_walk *w)
{
	struct boot_info *bi = w->out;
	const uint8_t *p = payload(w);
	if (w->size < sizeof(struct mb2_tag_module))
		return too_short(w, sizeof(struct mb2_tag_module), "a module");
	uint32_t start = rd32(p), end = rd32(p + 4);
	if (end < start) {
		pr_err("multiboot2: tag type %u at offset %u: module ends (%#x) before it starts "
		       "(%#x)\n",
		       w->type, w->off, end, start);
		return -EINVAL;
	}
	if (bi->module_count == BOOT_MODULES_MAX) {
		pr_warn("multiboot2: tag type %u at offset %u: more than %u modules, module "
			"[%#x, %#x) ignored\n",
			w->type, w->off, BOOT_MODULES_MAX, start, end);
		return 0;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	copy_string(w, p + 8, payload_len(w) - 8, m->cmdline, sizeof(m->cmdline),
		    "the module string");
	return 0;
}

static int parse_meminfo(struct mb2_walk *w)
{
	const uint8_t *p = payload(w);
	if (w->size < sizeof(struct mb2_tag_basic_meminfo))
		return too_short(w, sizeof(struct mb2_tag_basic_meminfo), "basic meminfo");
	w->out->has_basic_meminfo = true;
	w->out->mem_lower_kb = rd32(p);
	w->out->mem_upper_kb = rd32(p + 4);
	return 0;
}

/*
 * The memory map: entry_size may grow in later versions of the specification
 * (new fields appended), so entries are stepped over by entry_size and only
 * their first 24 bytes are read; an entry_size below 24 cannot hold the
 * fields we read and is an error, as is a tail too short for a whole entry.
 */
static int parse_mmap(struct mb2_walk *w)
{
	struct boot_info *bi = w->out;
	const uint8_t *p = payload(w);
	if (w->size < sizeof(struct mb2_tag_mmap))
		return too_short(w, sizeof(struct mb2_tag_mmap), "a memory map");
	uint32_t esize = rd32(p), version = rd32(p + 4);
	uint32_t bytes = w->size - (uint32_t)sizeof(struct mb2_tag_mmap);
	if (esize < MB2_MMAP_ENTRY_MIN) {
		pr_err("multiboot2: tag type %u at offset %u: memory map entry_size %u is smaller "
		       "than an entry (%u bytes)\n",
		       w->type, w->off, esize, MB2_MMAP_ENTRY_MIN);
		return -EINVAL;
	}
	if (bytes % esize) {
		pr_err("multiboot2: tag type %u at offset %u: memory map of %u bytes is not a "
		       "whole "
		       "number of %u-byte entries\n",
		       w->type, w->off, bytes, esize);
		return -EINVAL;
	}
	if (version != 0)
		pr_warn("multiboot2: tag type %u at offset %u: memory map entry_version %u "
			"(expected "
			"0); reading the first %u bytes of each entry\n",
			w->type, w->off, version, MB2_MMAP_ENTRY_MIN);
	if (w->have_mmap)
		pr_warn("multiboot2: tag type %u at offset %u: a second memory map replaces the "
			"first\n",
			w->type, w->off);
	w->have_mmap = true;

	uint32_t n = bytes / esize;
	const uint8_t *e = p + 8;
	bi->mmap_count = 0;
	bi->mmap_truncated = false;
	for (uint32_t i = 0; i < n; i++, e += esize) {
		if (bi->mmap_count == BOOT_MMAP_MAX) {
			bi->mmap_truncated = true;
			pr_warn("multiboot2: memory map has %u entries, keeping the first %u; the "
				"memory they describe is not used\n",
				n, BOOT_MMAP_MAX);
			break;
		}
		struct boot_mmap_entry *m = &bi->mmap[bi->mmap_count++];
		m->base = rd64(e);
		m->length = rd64(e + 8);
		m->type = rd32(e + 16);
	}
	return 0;
}

/*
 * ACPI RSDP: tag 14 carries the ACPI 1.0 structure (20 bytes), tag 15 the
 * 2.0+ one (36 bytes, with the XSDT address). Loaders may give both; the new
 * one wins whatever the order.
 */
static int parse_rsdp(struct mb2_walk *w)
{
	struct boot_info *bi = w->out;
	bool is_new = w->type == MB2_TAG_ACPI_NEW;
	uint32_t need = is_new ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;
	uint32_t len = payload_len(w);
	if (len < need)
		return too_short(w, MB2_TAG_HEADER_SIZE + need,
				 is_new ? "an ACPI 2.0 RSDP" : "an ACPI 1.0 RSDP");
	if (!is_new && w->have_new_rsdp)
		return 0;
	memset(bi->rsdp, 0, sizeof(bi->rsdp));
	memcpy(bi->rsdp, payload(w), need);
	bi->rsdp_revision = bi->rsdp[15];
	bi->rsdp_phys = w->phys + w->off + MB2_TAG_HEADER_SIZE;
	if (is_new)
		w->have_new_rsdp = true;
	return 0;
}

static int parse_tag(struct mb2_walk *w)
{
	struct boot_info *bi = w->out;
	switch (w->type) {
	case MB2_TAG_CMDLINE:
		copy_string(w, payload(w), payload_len(w), bi->cmdline, sizeof(bi->cmdline),
			    "the command line");
		return 0;
	case MB2_TAG_LOADER_NAME:
		copy_string(w, payload(w), payload_len(w), bi->loader_name, sizeof(bi->loader_name),
			    "the boot loader name");
		return 0;
	case MB2_TAG_MODULE:
		return parse_module(w);
	case MB2_TAG_BASIC_MEMINFO:
		return parse_meminfo(w);
	case MB2_TAG_MMAP:
		return parse_mmap(w);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return parse_rsdp(w);
	default:
		if (w->skipped_types_n < ARRAY_SIZE(w->skipped_types))
			w->skipped_types[w->skipped_types_n++] = w->type;
		w->skipped++;
		return 0;
	}
}

int mb2_parse(const void *mbi, size_t avail, uint64_t mbi_phys, struct boot_info *out)
{
	struct mb2_walk w = { .base = mbi, .phys = mbi_phys, .out = out };
	bool seen_end = false;
	uint32_t total, off;

	memset(out, 0, sizeof(*out));
	out->mbi_phys = mbi_phys;
	if (!mbi || avail < sizeof(struct mb2_info_header)) {
		pr_err("multiboot2: information block at %#llx: %zu readable bytes cannot hold its "
		       "8-byte header\n",
		       (unsigned long long)mbi_phys, avail);
		return -EINVAL;
	}
	total = rd32(w.base);
	if (total < sizeof(struct mb2_info_header) + MB2_TAG_HEADER_SIZE) {
		pr_err("multiboot2: information block at %#llx: total_size %u is smaller than a "
		       "header and an end tag (16)\n",
		       (unsigned long long)mbi_phys, total);
		return -EINVAL;
	}
	if (total > avail) {
		pr_err("multiboot2: information block at %#llx: total_size %u exceeds the %zu "
		       "bytes available\n",
		       (unsigned long long)mbi_phys, total, avail);
		return -EINVAL;
	}
	out->mbi_size = total;

	/* Invariant: off is 8-aligned and off <= total. */
	for (off = sizeof(struct mb2_info_header); total - off >= MB2_TAG_HEADER_SIZE;) {
		w.off = off;
		w.type = rd32(w.base + off);
		w.size = rd32(w.base + off + 4);
		if (w.size < MB2_TAG_HEADER_SIZE) {
			pr_err("multiboot2: tag type %u at offset %u: size %u is smaller than the "
			       "8-byte tag header\n",
			       w.type, off, w.size);
			return -EINVAL;
		}
		if (w.size > total - off) {
			pr_err("multiboot2: tag type %u at offset %u: size %u runs past the end of "
			       "the block (total_size %u)\n",
			       w.type, off, w.size, total);
			return -EINVAL;
		}
		if (w.type == MB2_TAG_END) {
			seen_end = true;
			break;
		}
		int ret = parse_tag(&w);
		if (ret)
			return ret;
		/* size <= total - off, so this cannot overflow 32 bits by more than the padding. */
		uint64_t next = (uint64_t)off + ALIGN_UP((uint64_t)w.size, MB2_TAG_ALIGN);
		off = next > total ? total : (uint32_t)next;
	}
	if (!seen_end) {
		pr_err("multiboot2: tag type %u at offset %u: no end tag (type 0) before "
		       "total_size "
		       "%u\n",
		       MB2_TAG_END, off, total);
		return -EINVAL;
	}
	if (w.skipped) {
		char list[8 * 12];
		size_t len = 0;
		list[0] = '\0';
		for (unsigned i = 0; i < w.skipped_types_n && len < sizeof(list); i++)
			len += (size_t)ksnprintf(list + len, sizeof(list) - len, "%s%u",
						 i ? " " : "", w.skipped_types[i]);
		pr_info("multiboot2: skipped %u tag%s the kernel does not use (types %s%s)\n",
			w.skipped, w.skipped == 1 ? "" : "s", list,
			w.skipped > w.skipped_types_n ? " ..." : "");
	}
	return 0;
}

const char *boot_mem_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_AVAILABLE:
		return "available";
	case BOOT_MEM_RESERVED:
		return "reserved";
	case BOOT_MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case BOOT_MEM_NVS:
		return "ACPI NVS";
	case BOOT_MEM_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}

/*
 * A size in the largest binary unit that states it exactly: "639 KiB",
 * "523136 KiB", "512 MiB", "4 GiB" (so no table row ever rounds).
 */
static void format_size(char *buf, size_t cap, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	while (u + 1 < ARRAY_SIZE(unit) && bytes && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	ksnprintf(buf, cap, "%llu %s", (unsigned long long)bytes, unit[u]);
}

void mb2_print(const struct boot_info *bi)
{
	char sz[32];
	uint64_t avail = 0;

	pr_info("multiboot2: information block at %#llx, %u bytes, from \"%s\"\n",
		(unsigned long long)bi->mbi_phys, bi->mbi_size,
		bi->loader_name[0] ? bi->loader_name : "(unnamed loader)");
	pr_info("multiboot2: command line: \"%s\"\n", bi->cmdline);
	if (bi->has_basic_meminfo)
		pr_info("multiboot2: basic meminfo: %u KiB below 1 MiB, %u KiB above\n",
			bi->mem_lower_kb, bi->mem_upper_kb);
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		format_size(sz, sizeof(sz), m->end - m->start);
		pr_info("multiboot2: module %u: [%#llx-%#llx) %s \"%s\"\n", i,
			(unsigned long long)m->start, (unsigned long long)m->end, sz, m->cmdline);
	}
	if (bi->rsdp_phys) {
		uint8_t sum = 0;
		for (unsigned i = 0; i < MB2_RSDP_V1_SIZE; i++)
			sum += bi->rsdp[i];
		pr_info("multiboot2: ACPI RSDP copy at %#llx, revision %u, OEM \"%.6s\", checksum "
			"%s\n",
			(unsigned long long)bi->rsdp_phys, bi->rsdp_revision,
			(const char *)bi->rsdp + 9, sum == 0 ? "ok" : "BAD");
	} else {
		pr_info("multiboot2: no ACPI RSDP tag\n");
	}

	pr_info("multiboot2: memory map, %u entr%s%s:\n", bi->mmap_count,
		bi->mmap_count == 1 ? "y" : "ies", bi->mmap_truncated ? " (TRUNCATED)" : "");
	pr_info("  %-18s  %-18s  %12s  %s\n", "base", "end (exclusive)", "size", "type");
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		format_size(sz, sizeof(sz), e->length);
		pr_info("  %#018llx  %#018llx  %12s  %s (%u)\n", (unsigned long long)e->base,
			(unsigned long long)(e->base + e->length), sz, boot_mem_type_name(e->type),
			e->type);
		if (e->type == BOOT_MEM_AVAILABLE)
			avail += e->length;
	}
	format_size(sz, sizeof(sz), avail);
	pr_info("multiboot2: %s available in the memory map\n", sz);
}
