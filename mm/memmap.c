/*
 * memmap.c - from the firmware's memory map to memblock.
 *
 * The map the boot loader hands over (the BIOS E820 table, relayed by
 * multiboot2) is a list of (base, length, type) entries with no promises:
 * entries may come unsorted, overlap each other, end mid-page, have zero
 * length, wrap past 2^64, carry types nobody defined, or describe RAM the CPU
 * cannot address. Only type 1 ("available") is RAM we may use.
 *
 * Sanitizing is a sweep over the address space. What lies at an address can
 * only change at an entry's base or end, so between two consecutive such
 * boundaries every byte has the same status: usable when some available entry
 * covers it and no entry of any other type does ("reserved wins": using a
 * byte the firmware still needs corrupts something silently, while losing
 * one costs a few KiB). Stepping from boundary to boundary (O(n) to find the
 * next one, O(n^2) in all for n <= 128 entries, no extra memory) yields the
 * usable segments in ascending order whatever the input order or overlaps,
 * and touching segments join into ranges. Each finished range then passes
 * three filters in order: clip at 2^phys_bits, shrink inward to whole pages,
 * keep only the first mem_cap bytes in total; what is left is appended to
 * the output.
 *
 * A first pass over the raw entries only reports: every oddity gets a line
 * naming the entry, what was wrong, and what is done about it, and a count
 * in struct memmap_report.
 */
#include "mm/memmap.h"

#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/page.h"

static bool entry_wraps(const struct boot_mmap_entry *e)
{
	return e->base + e->length <= e->base && e->length != 0;
}

/* Exclusive end; an entry wrapping past 2^64 is clipped to the top of the address space. */
static uint64_t entry_end(const struct boot_mmap_entry *e)
{
	return entry_wraps(e) ? UINT64_MAX : e->base + e->length;
}

/* ---- pass 1: report what is odd about the raw entries ---- */

static void report_entries(const struct boot_mmap_entry *raw, unsigned n, struct memmap_report *rep)
{
	int prev = -1; /* last entry with a length, for the sortedness check */

	for (unsigned i = 0; i < n; i++) {
		const struct boot_mmap_entry *e = &raw[i];

		if (e->length == 0) {
			rep->zero_length++;
			pr_info("memmap: entry %u at 0x%llx type %u (%s) has zero length; "
				"dropped\n",
				i, (unsigned long long)e->base, e->type,
				boot_mem_type_name(e->type));
			continue;
		}
		if (entry_wraps(e)) {
			rep->wrapped++;
			pr_warn("memmap: entry %u base 0x%llx length 0x%llx (%s) wraps past 2^64; "
				"clipped to [0x%llx-0xffffffffffffffff)\n",
				i, (unsigned long long)e->base, (unsigned long long)e->length,
				boot_mem_type_name(e->type), (unsigned long long)e->base);
		}
		if (e->type == 0 || e->type > BOOT_MEM_BADRAM) {
			rep->unknown_type++;
			pr_warn("memmap: entry %u [0x%llx-0x%llx) has unknown type %u; treated as "
				"reserved\n",
				i, (unsigned long long)e->base, (unsigned long long)entry_end(e),
				e->type);
		}
		if (prev >= 0 && e->base < raw[prev].base) {
			rep->unsorted++;
			pr_info("memmap: entry %u [0x%llx-0x%llx) starts below entry %d at 0x%llx: "
				"the map is unsorted; sorted while sanitizing\n",
				i, (unsigned long long)e->base, (unsigned long long)entry_end(e),
				prev, (unsigned long long)raw[prev].base);
		}
		prev = (int)i;
	}

	for (unsigned i = 0; i < n; i++) {
		const struct boot_mmap_entry *a = &raw[i];
		if (!a->length)
			continue;
		for (unsigned j = i + 1; j < n; j++) {
			const struct boot_mmap_entry *b = &raw[j];
			bool a_ram = a->type == BOOT_MEM_AVAILABLE,
			     b_ram = b->type == BOOT_MEM_AVAILABLE;
			if (!b->length || (!a_ram && !b_ram))
				continue; /* two non-RAM entries overlapping change nothing */
			uint64_t lo = MAX(a->base, b->base), hi = MIN(entry_end(a), entry_end(b));
			if (lo > hi || (lo == hi && !(a_ram && b_ram)))
				continue;
			if (a_ram && b_ram) {
				rep->merged++;
				pr_info("memmap: available entries %u [0x%llx-0x%llx) and %u "
					"[0x%llx-0x%llx) %s; merged\n",
					i, (unsigned long long)a->base,
					(unsigned long long)entry_end(a), j,
					(unsigned long long)b->base,
					(unsigned long long)entry_end(b),
					lo == hi ? "touch" : "overlap");
				continue;
			}
			const struct boot_mmap_entry *res = a_ram ? b : a, *ram = a_ram ? a : b;
			rep->overlaps++;
			pr_warn("memmap: entry %u [0x%llx-0x%llx) type %u (%s) overlaps available "
				"entry %u [0x%llx-0x%llx); reserved wins\n",
				a_ram ? j : i, (unsigned long long)res->base,
				(unsigned long long)entry_end(res), res->type,
				boot_mem_type_name(res->type), a_ram ? i : j,
				(unsigned long long)ram->base, (unsigned long long)entry_end(ram));
		}
	}
}

/* ---- pass 2: the sweep, and the filters each usable range goes through ---- */

struct sanitizer {
	struct mem_range *out;
	unsigned max_out, cnt;
	uint64_t phys_limit; /* 0: the CPU can address everything */
	unsigned phys_bits;
	uint64_t mem_cap; /* page-aligned; 0: no cap */
	uint64_t kept;	  /* usable bytes output so far */
	struct memmap_report *rep;
};

static void finish_range(struct sanitizer *s, uint64_t base, uint64_t end)
{
	struct memmap_report *rep = s->rep;
	uint64_t b, e;

	if (s->phys_limit && end > s->phys_limit) {
		rep->beyond_phys++;
		if (base >= s->phys_limit) {
			pr_warn("memmap: usable [0x%llx-0x%llx) lies beyond the CPU's %u-bit "
				"physical "
				"address space (ends at 0x%llx); dropped\n",
				(unsigned long long)base, (unsigned long long)end, s->phys_bits,
				(unsigned long long)s->phys_limit);
			return;
		}
		pr_warn("memmap: usable [0x%llx-0x%llx) crosses the CPU's %u-bit physical address "
			"limit 0x%llx; clipped there\n",
			(unsigned long long)base, (unsigned long long)end, s->phys_bits,
			(unsigned long long)s->phys_limit);
		end = s->phys_limit;
	}

	/* Inward to whole pages (ALIGN_UP must not wrap at the very top). */
	b = base > UINT64_MAX - (PAGE_SIZE - 1) ? UINT64_MAX : ALIGN_UP(base, PAGE_SIZE);
	e = ALIGN_DOWN(end, PAGE_SIZE);
	if (b != base || e != end) {
		rep->unaligned++;
		if (b >= e) {
			pr_info("memmap: usable [0x%llx-0x%llx) holds no whole page; dropped\n",
				(unsigned long long)base, (unsigned long long)end);
			return;
		}
		pr_info("memmap: usable [0x%llx-0x%llx) is not page-aligned; shrunk to "
			"[0x%llx-0x%llx)\n",
			(unsigned long long)base, (unsigned long long)end, (unsigned long long)b,
			(unsigned long long)e);
	}

	if (s->mem_cap && s->kept + (e - b) > s->mem_cap) {
		rep->capped++;
		if (s->kept >= s->mem_cap) {
			pr_info("memmap: mem= cap of 0x%llx bytes reached; usable [0x%llx-0x%llx) "
				"dropped\n",
				(unsigned long long)s->mem_cap, (unsigned long long)b,
				(unsigned long long)e);
			return;
		}
		uint64_t cut = b + (s->mem_cap - s->kept);
		pr_info("memmap: mem= cap of 0x%llx bytes reached inside usable [0x%llx-0x%llx); "
			"keeping [0x%llx-0x%llx)\n",
			(unsigned long long)s->mem_cap, (unsigned long long)b,
			(unsigned long long)e, (unsigned long long)b, (unsigned long long)cut);
		e = cut;
	}

	if (s->cnt == s->max_out) {
		rep->overflow++;
		pr_err("memmap: more than %u usable ranges; usable [0x%llx-0x%llx) dropped (only "
		       "the first %u are kept)\n",
		       s->max_out, (unsigned long long)b, (unsigned long long)e, s->max_out);
		return;
	}
	s->out[s->cnt++] = (struct mem_range){ b, e - b };
	s->kept += e - b;
}

int memmap_sanitize(const struct boot_mmap_entry *raw, unsigned n, struct mem_range *out,
		    unsigned max_out, uint64_t mem_cap, unsigned phys_bits,
		    struct memmap_report *rep)
{
	struct memmap_report scratch = { 0 };
	struct sanitizer s = {
		.out = out,
		.max_out = max_out,
		.phys_limit = (phys_bits && phys_bits < 64) ? 1ULL << phys_bits : 0,
		.phys_bits = phys_bits,
		.mem_cap = ALIGN_DOWN(mem_cap, PAGE_SIZE),
		.rep = rep ? rep : &scratch,
	};
	uint64_t pos = UINT64_MAX, seg_start = 0;
	bool any = false, in_usable = false;

	memset(s.rep, 0, sizeof(*s.rep));
	report_entries(raw, n, s.rep);
	if (mem_cap && !s.mem_cap)
		pr_warn("memmap: mem= cap 0x%llx is less than a page; ignored\n",
			(unsigned long long)mem_cap);

	for (unsigned i = 0; i < n; i++) {
		if (raw[i].length && raw[i].base <= pos) {
			pos = raw[i].base;
			any = true;
		}
	}

	/* [pos, next) has one status; at the last boundary nothing covers pos and the loop ends. */
	while (any) {
		uint64_t next = 0;
		bool more = false, avail = false, other = false;

		for (unsigned i = 0; i < n; i++) {
			const struct boot_mmap_entry *e = &raw[i];
			uint64_t end = entry_end(e);
			if (!e->length)
				continue;
			if (e->base <= pos && pos < end) {
				if (e->type == BOOT_MEM_AVAILABLE)
					avail = true;
				else
					other = true;
			}
			if (e->base > pos && (!more || e->base < next)) {
				next = e->base;
				more = true;
			}
			if (end > pos && (!more || end < next)) {
				next = end;
				more = true;
			}
		}
		bool usable = avail && !other;
		if (usable && !in_usable) {
			seg_start = pos;
			in_usable = true;
		} else if (!usable && in_usable) {
			finish_range(&s, seg_start, pos);
			in_usable = false;
		}
		if (!more)
			break;
		pos = next;
	}
	if (in_usable)
		finish_range(&s, seg_start, pos);

	if (!s.cnt)
		pr_err("memmap: no usable RAM left after sanitizing %u entries\n", n);
	return (int)s.cnt;
}

/* ---- feeding memblock ---- */

static struct mem_range usable[BOOT_MMAP_MAX];
static char module_owner[BOOT_MODULES_MAX][80];

/* "RAM the firmware offered but we do not use" (page fragments, mem=, phys width), for the dump. */
static const char unused_ram[] = "available, unused";

static void print_raw_map(const struct boot_mmap_entry *raw, unsigned n)
{
	pr_info("memmap: firmware memory map, %u entries:\n", n);
	for (unsigned i = 0; i < n; i++) {
		const struct boot_mmap_entry *e = &raw[i];
		pr_info("memmap:   %3u: [0x%016llx-0x%016llx) type %u (%s)\n", i,
			(unsigned long long)e->base, (unsigned long long)entry_end(e), e->type,
			boot_mem_type_name(e->type));
	}
}

void memmap_setup(const struct boot_info *bi, uint64_t kernel_phys_start, uint64_t kernel_phys_end,
		  uint64_t mem_cap, unsigned phys_bits)
{
	static struct boot_mmap_entry basic[2];
	const struct boot_mmap_entry *raw = bi->mmap;
	unsigned n = bi->mmap_count;
	struct memmap_report rep;
	uint64_t total = 0;
	int cnt;

	if (bi->mmap_truncated)
		pr_warn("memmap: the boot loader's map has more than %u entries; only the first %u "
			"are used (RAM in the others stays unused)\n",
			BOOT_MMAP_MAX, BOOT_MMAP_MAX);
	if (n == 0 && bi->has_basic_meminfo) {
		/* Multiboot's older summary: conventional memory from 0, extended from 1 MiB. */
		pr_warn("memmap: no memory map from the boot loader; using its basic meminfo "
			"(lower %u KiB, upper %u KiB)\n",
			bi->mem_lower_kb, bi->mem_upper_kb);
		basic[0] = (struct boot_mmap_entry){ 0, (uint64_t)bi->mem_lower_kb << 10,
						     BOOT_MEM_AVAILABLE };
		basic[1] = (struct boot_mmap_entry){ 1ULL << 20, (uint64_t)bi->mem_upper_kb << 10,
						     BOOT_MEM_AVAILABLE };
		raw = basic;
		n = 2;
	}
	print_raw_map(raw, n);

	cnt = memmap_sanitize(raw, n, usable, ARRAY_SIZE(usable), mem_cap, phys_bits, &rep);
	if (cnt <= 0)
		panic("memmap: no usable RAM in the boot loader's memory map (%u entries%s%s); "
		      "cannot continue",
		      n, mem_cap ? ", mem= cap applied" : "",
		      bi->mmap_truncated ? ", map truncated" : "");

	for (int i = 0; i < cnt; i++) {
		memblock_add(usable[i].base, usable[i].size);
		total += usable[i].size;
	}

	/* Non-RAM first: where an available entry overlaps them, they win in the dump too. */
	for (unsigned i = 0; i < n; i++)
		if (raw[i].length && raw[i].type != BOOT_MEM_AVAILABLE)
			memblock_add_firmware_range(raw[i].base, entry_end(&raw[i]) - raw[i].base,
						    boot_mem_type_name(raw[i].type));
	for (unsigned i = 0; i < n; i++)
		if (raw[i].length && raw[i].type == BOOT_MEM_AVAILABLE)
			memblock_add_firmware_range(raw[i].base, entry_end(&raw[i]) - raw[i].base,
						    unused_ram);

	/*
	 * The first 1 MiB: the real-mode IVT and BDA, the EBDA, video memory and
	 * the BIOS, all of which firmware and real-mode code may still touch.
	 * Never handed out (Linux keeps most of it too).
	 */
	memblock_reserve(0, 1ULL << 20, "first 1 MiB (BIOS, real mode)");
	if (kernel_phys_end > kernel_phys_start) {
		memblock_reserve(kernel_phys_start, kernel_phys_end - kernel_phys_start,
				 "kernel image");
		if (!memblock_is_memory(kernel_phys_start, kernel_phys_end - kernel_phys_start))
			pr_warn("memmap: the kernel image [0x%llx-0x%llx) is not entirely inside "
				"usable RAM (firmware map or mem= cap); continuing\n",
				(unsigned long long)kernel_phys_start,
				(unsigned long long)kernel_phys_end);
	} else {
		pr_err("memmap: kernel image bounds [0x%llx-0x%llx) are empty; not reserved\n",
		       (unsigned long long)kernel_phys_start, (unsigned long long)kernel_phys_end);
	}
	if (bi->mbi_size)
		memblock_reserve(bi->mbi_phys, bi->mbi_size, "multiboot2 info");
	else
		pr_warn("memmap: no multiboot2 information block recorded; nothing reserved for "
			"it\n");
	for (unsigned i = 0; i < bi->module_count && i < BOOT_MODULES_MAX; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (m->end <= m->start) {
			pr_warn("memmap: module %u [0x%llx-0x%llx) is empty or inverted; not "
				"reserved\n",
				i, (unsigned long long)m->start, (unsigned long long)m->end);
			continue;
		}
		ksnprintf(module_owner[i], sizeof(module_owner[i]), "module %.*s",
			  (int)sizeof(m->cmdline),
			  m->cmdline[0] ? m->cmdline : "(no command line)");
		memblock_reserve(m->start, m->end - m->start, module_owner[i]);
	}

	pr_info("memmap: %u firmware entries -> %d usable ranges, %llu KiB of RAM; found: %u "
		"unsorted, %u reserved/available overlaps, %u merged, %u unaligned, %u "
		"zero-length, %u unknown type, %u wrapping, %u beyond %u-bit, %u capped by mem=, "
		"%u over capacity\n",
		n, cnt, (unsigned long long)(total >> 10), rep.unsorted, rep.overlaps, rep.merged,
		rep.unaligned, rep.zero_length, rep.unknown_type, rep.wrapped, rep.beyond_phys,
		phys_bits, rep.capped, rep.overflow);
	memblock_dump();
}
