/*
 * memblock.c - the boot-time physical memory allocator (after Linux's
 * memblock, written from scratch).
 *
 * Representation. Each list (memory, reserved, firmware) is an array of
 * regions sorted by base and non-overlapping; two regions that touch are
 * always merged unless their owners differ (memory regions have no owner, so
 * touching RAM ranges always merge). Free memory is never stored: it is
 * memory minus reserved, computed on the fly by walking both lists together.
 *
 * Updates. Every change (add, reserve, free, remove) is one linear pass that
 * writes the new array into a scratch buffer: the old regions are copied in
 * order, new pieces are slotted into the gaps between them, and each piece
 * written merges with the previous one when they touch and share an owner.
 * Only if the result fits the table is it copied back, so a call that fails
 * with -ENOSPC leaves the list exactly as it was, and sortedness,
 * disjointness and merging hold by construction. O(n) per change with
 * n <= MEMBLOCK_MAX_REGIONS, at boot only: simple beats clever here.
 *
 * Reservations over already-reserved memory keep the first owner for the
 * overlapping part (the new owner gets only the gaps), so the map always
 * says who reserved a byte first.
 *
 * Allocation walks the free ranges from the top of [start, end) downwards
 * and takes the highest aligned block that fits, as Linux does: low memory
 * (ISA DMA below 16 MiB, 32-bit DMA below 4 GiB) is the last to go.
 *
 * Locking: none. memblock runs before the other CPUs start (host tests: on
 * one thread) and is frozen once the buddy allocator owns memory.
 */
#include "mm/memblock.h"

#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/page.h"

#define MEMBLOCK_INITIALIZER                                                                       \
	{                                                                                          \
		.memory.name = "memory", .reserved.name = "reserved", .firmware.name = "firmware", \
		.current_limit = MEMBLOCK_DEFAULT_LIMIT,                                           \
	}

struct memblock memblock = MEMBLOCK_INITIALIZER;

static inline uint64_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

static bool same_owner(const char *a, const char *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return strcmp(a, b) == 0;
}

void memblock_reset(void)
{
	memset(&memblock, 0, sizeof(memblock));
	memblock.memory.name = "memory";
	memblock.reserved.name = "reserved";
	memblock.firmware.name = "firmware";
	memblock.current_limit = MEMBLOCK_DEFAULT_LIMIT;
}

/* ---- searching a sorted list ---- */

/* Index of the first region whose end lies above addr (cnt when none). */
static unsigned first_ending_after(const struct memblock_type *t, uint64_t addr)
{
	unsigned lo = 0, hi = t->cnt;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (region_end(&t->regions[mid]) > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Index of the first region starting at or above addr (cnt when none). */
static unsigned first_starting_from(const struct memblock_type *t, uint64_t addr)
{
	unsigned lo = 0, hi = t->cnt;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (t->regions[mid].base >= addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ---- rebuilding a list through the scratch buffer ---- */

static struct memblock_region scratch[MEMBLOCK_MAX_REGIONS];
static unsigned scratch_cnt;
static bool scratch_overflow;

static void scratch_begin(void)
{
	scratch_cnt = 0;
	scratch_overflow = false;
}

/* Append [base, end) for owner, merging with the previous piece when they touch. */
static void scratch_emit(uint64_t base, uint64_t end, const char *owner)
{
	if (base >= end)
		return;
	if (scratch_cnt) {
		struct memblock_region *last = &scratch[scratch_cnt - 1];
		if (region_end(last) == base && same_owner(last->owner, owner)) {
			last->size += end - base;
			return;
		}
	}
	if (scratch_cnt == MEMBLOCK_MAX_REGIONS) {
		scratch_overflow = true;
		return;
	}
	scratch[scratch_cnt++] = (struct memblock_region){ base, end - base, owner };
}

static int scratch_commit(struct memblock_type *t, const char *verb, uint64_t base, uint64_t end,
			  const char *owner)
{
	if (scratch_overflow) {
		pr_err("memblock: %s table full (%u regions): cannot %s [0x%llx-0x%llx)%s%s%s; "
		       "table left unchanged\n",
		       t->name, t->cnt, verb, (unsigned long long)base, (unsigned long long)end,
		       owner ? " '" : "", owner ? owner : "", owner ? "'" : "");
		return -ENOSPC;
	}
	memcpy(t->regions, scratch, scratch_cnt * sizeof(scratch[0]));
	t->cnt = scratch_cnt;
	return 0;
}

/* Add [base, end) for owner into the gaps of t; what t already covers keeps its owner. */
static int type_insert(struct memblock_type *t, uint64_t base, uint64_t end, const char *owner,
		       const char *verb)
{
	uint64_t pos = base; /* [base, pos) is already accounted for */

	scratch_begin();
	for (unsigned i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (pos < end && r->base > pos)
			scratch_emit(pos, MIN(r->base, end), owner);
		scratch_emit(r->base, region_end(r), r->owner);
		pos = MAX(pos, region_end(r));
	}
	scratch_emit(pos, end, owner);
	return scratch_commit(t, verb, base, end, owner);
}

/* Cut [base, end) out of t; a region straddling it is split in two. */
static int type_remove(struct memblock_type *t, uint64_t base, uint64_t end, const char *verb)
{
	scratch_begin();
	for (unsigned i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		scratch_emit(r->base, MIN(region_end(r), base), r->owner);
		scratch_emit(MAX(r->base, end), region_end(r), r->owner);
	}
	return scratch_commit(t, verb, base, end, NULL);
}

/* ---- argument checks shared by the mutators ---- */

static bool refuse_frozen(const char *fn, uint64_t base, uint64_t size, const char *owner,
			  uintptr_t caller)
{
	if (!memblock.frozen)
		return false;
	pr_err("memblock: %s(0x%llx, 0x%llx%s%s%s) from %pS after the buddy allocator took over; "
	       "refused (use alloc_pages/__free_pages now)\n",
	       fn, (unsigned long long)base, (unsigned long long)size, owner ? ", '" : "",
	       owner ? owner : "", owner ? "'" : "", (void *)caller);
	return true;
}

/* 1: nothing to do (size 0); 0: *end is valid; -EINVAL: the range wraps past 2^64. */
static int check_range(const char *fn, uint64_t base, uint64_t size, uint64_t *end,
		       uintptr_t caller)
{
	if (size == 0)
		return 1;
	if (base + size < base) {
		pr_err("memblock: %s(0x%llx, 0x%llx) from %pS: range wraps past 2^64; refused\n",
		       fn, (unsigned long long)base, (unsigned long long)size, (void *)caller);
		return -EINVAL;
	}
	*end = base + size;
	return 0;
}

/* ---- the mutators ---- */

int memblock_add(uint64_t base, uint64_t size)
{
	uint64_t end;
	int ret;

	if (refuse_frozen("memblock_add", base, size, NULL, _RET_IP_))
		return -EBUSY;
	ret = check_range("memblock_add", base, size, &end, _RET_IP_);
	if (ret)
		return ret < 0 ? ret : 0;
	return type_insert(&memblock.memory, base, end, NULL, "add RAM");
}

static int do_reserve(uint64_t base, uint64_t size, const char *owner, uintptr_t caller)
{
	struct memblock_type *res = &memblock.reserved;
	uint64_t end;
	int ret;

	if (!owner)
		owner = "(unnamed)";
	if (refuse_frozen("memblock_reserve", base, size, owner, caller))
		return -EBUSY;
	ret = check_range("memblock_reserve", base, size, &end, caller);
	if (ret)
		return ret < 0 ? ret : 0;

	/* Overlaps with other owners are legal but worth a line: the map keeps the first owner. */
	for (unsigned i = first_ending_after(res, base); i < res->cnt && res->regions[i].base < end;
	     i++) {
		const struct memblock_region *r = &res->regions[i];
		if (!same_owner(r->owner, owner))
			pr_info("memblock: reserving [0x%llx-0x%llx) for '%s': [0x%llx-0x%llx) is "
				"already reserved by '%s' and stays theirs\n",
				(unsigned long long)base, (unsigned long long)end, owner,
				(unsigned long long)MAX(base, r->base),
				(unsigned long long)MIN(end, region_end(r)), r->owner);
	}
	return type_insert(res, base, end, owner, "reserve");
}

int memblock_reserve(uint64_t base, uint64_t size, const char *owner)
{
	return do_reserve(base, size, owner, _RET_IP_);
}

int memblock_phys_free(uint64_t base, uint64_t size)
{
	uint64_t end;
	int ret;

	if (refuse_frozen("memblock_phys_free", base, size, NULL, _RET_IP_))
		return -EBUSY;
	ret = check_range("memblock_phys_free", base, size, &end, _RET_IP_);
	if (ret)
		return ret < 0 ? ret : 0;
	return type_remove(&memblock.reserved, base, end, "free");
}

int memblock_remove(uint64_t base, uint64_t size)
{
	uint64_t end;
	int ret;

	if (refuse_frozen("memblock_remove", base, size, NULL, _RET_IP_))
		return -EBUSY;
	ret = check_range("memblock_remove", base, size, &end, _RET_IP_);
	if (ret)
		return ret < 0 ? ret : 0;
	return type_remove(&memblock.memory, base, end, "remove RAM");
}

int memblock_add_firmware_range(uint64_t base, uint64_t size, const char *type)
{
	uint64_t end;
	int ret;

	if (refuse_frozen("memblock_add_firmware_range", base, size, type, _RET_IP_))
		return -EBUSY;
	ret = check_range("memblock_add_firmware_range", base, size, &end, _RET_IP_);
	if (ret)
		return ret < 0 ? ret : 0;
	return type_insert(&memblock.firmware, base, end, type ? type : "unknown",
			   "record firmware range");
}

/* ---- free ranges: memory minus reserved ---- */

/* The lowest free range ending above `from`, clipped to start at or after it. */
static bool next_free(uint64_t from, uint64_t *start, uint64_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;

	for (unsigned i = first_ending_after(mem, from); i < mem->cnt; i++) {
		const struct memblock_region *m = &mem->regions[i];
		uint64_t p = MAX(m->base, from);
		unsigned j = first_ending_after(res, p);

		/* Reservations covering p push it up; touching ones (other owners) chain. */
		while (j < res->cnt && res->regions[j].base <= p)
			p = region_end(&res->regions[j++]);
		if (p >= region_end(m))
			continue;
		*start = p;
		*end = j < res->cnt ? MIN(res->regions[j].base, region_end(m)) : region_end(m);
		return true;
	}
	return false;
}

/* The highest free range starting below `below`, clipped to end at or before it. */
static bool prev_free(uint64_t below, uint64_t *start, uint64_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;

	for (int i = (int)first_starting_from(mem, below) - 1; i >= 0; i--) {
		const struct memblock_region *m = &mem->regions[i];
		uint64_t p = MIN(region_end(m), below); /* exclusive top of the candidate */
		int j = (int)first_starting_from(res, p) - 1;

		/* Reservations covering the byte below p push p down. */
		while (j >= 0 && region_end(&res->regions[j]) >= p)
			p = res->regions[j--].base;
		if (p <= m->base)
			continue;
		*end = p;
		*start = j >= 0 ? MAX(m->base, region_end(&res->regions[j])) : m->base;
		return true;
	}
	return false;
}

bool memblock_next_free_range(uint64_t *cursor, uint64_t *start, uint64_t *end)
{
	if (!next_free(*cursor, start, end))
		return false;
	*cursor = *end;
	return true;
}

/* ---- allocation ---- */

/* Highest align-aligned address a >= lo with [a, a+size) free and a+size <= hi; 0 if none. */
static uint64_t find_top_down(uint64_t size, uint64_t align, uint64_t lo, uint64_t hi)
{
	uint64_t below = hi, fs, fe;

	while (below > lo && prev_free(below, &fs, &fe)) {
		if (fe <= lo)
			break;
		fs = MAX(fs, lo);
		if (fe - fs >= size) {
			uint64_t a = ALIGN_DOWN(fe - size, align);
			if (a >= fs)
				return a;
		}
		below = fs;
	}
	return 0;
}

static const char *human_size(char *buf, size_t len, uint64_t size);

static uint64_t free_bytes(void)
{
	uint64_t cursor = 0, s, e, total = 0;
	while (memblock_next_free_range(&cursor, &s, &e))
		total += e - s;
	return total;
}

static uint64_t do_alloc(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
			 const char *owner, const char *fn, uintptr_t caller)
{
	uint64_t lo, hi, pa;
	char buf[24];

	if (!owner)
		owner = "(unnamed)";
	if (refuse_frozen(fn, size, align, owner, caller))
		return 0;
	if (align == 0)
		align = PAGE_SIZE;
	if (size == 0 || !IS_POWER_OF_2(align)) {
		pr_err("memblock: %s(size 0x%llx, align 0x%llx) for '%s' from %pS: %s; refused\n",
		       fn, (unsigned long long)size, (unsigned long long)align, owner,
		       (void *)caller, size == 0 ? "size is 0" : "align is not a power of two");
		return 0;
	}
	hi = end ? end : memblock.current_limit;
	lo = MAX(start, 1); /* physical 0 means failure, so it is never a result */
	pa = (lo < hi && hi - lo >= size) ? find_top_down(size, align, lo, hi) : 0;
	if (!pa) {
		pr_err("memblock: %s: out of memory: no free 0x%llx bytes aligned to 0x%llx in "
		       "[0x%llx-0x%llx) for '%s' (caller %pS; %s free in all)\n",
		       fn, (unsigned long long)size, (unsigned long long)align,
		       (unsigned long long)start, (unsigned long long)hi, owner, (void *)caller,
		       human_size(buf, sizeof(buf), free_bytes()));
		return 0;
	}
	if (do_reserve(pa, size, owner, caller))
		return 0; /* table full: reported; nothing was handed out */
	return pa;
}

uint64_t memblock_phys_alloc_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
				   const char *owner)
{
	return do_alloc(size, align, start, end, owner, "memblock_phys_alloc_range", _RET_IP_);
}

void *memblock_alloc(uint64_t size, uint64_t align, const char *owner)
{
	uint64_t pa = do_alloc(size, align, 0, 0, owner, "memblock_alloc", _RET_IP_);
	if (!pa)
		return NULL;
	/* Below current_limit, so the boot direct map covers it. */
	memset(__va(pa), 0, size);
	return __va(pa);
}

/* ---- queries ---- */

bool memblock_is_memory(uint64_t base, uint64_t size)
{
	const struct memblock_type *mem = &memblock.memory;
	uint64_t end = base + (size ? size : 1);
	unsigned i;

	if (end < base)
		return false;
	i = first_ending_after(mem, base);
	return i < mem->cnt && mem->regions[i].base <= base && end <= region_end(&mem->regions[i]);
}

bool memblock_is_reserved(uint64_t base, uint64_t size)
{
	const struct memblock_type *res = &memblock.reserved;
	uint64_t end = base + (size ? size : 1);
	unsigned i;

	if (end < base)
		end = UINT64_MAX;
	i = first_ending_after(res, base);
	return i < res->cnt && res->regions[i].base < end;
}

uint64_t memblock_start_of_DRAM(void)
{
	return memblock.memory.cnt ? memblock.memory.regions[0].base : 0;
}

uint64_t memblock_end_of_DRAM(void)
{
	const struct memblock_type *mem = &memblock.memory;
	return mem->cnt ? region_end(&mem->regions[mem->cnt - 1]) : 0;
}

uint64_t memblock_phys_mem_size(void)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < memblock.memory.cnt; i++)
		total += memblock.memory.regions[i].size;
	return total;
}

uint64_t memblock_reserved_size(void)
{
	const struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;
	uint64_t total = 0;

	for (unsigned j = 0; j < res->cnt; j++) {
		const struct memblock_region *r = &res->regions[j];
		for (unsigned i = first_ending_after(mem, r->base);
		     i < mem->cnt && mem->regions[i].base < region_end(r); i++)
			total += MIN(region_end(r), region_end(&mem->regions[i])) -
				 MAX(r->base, mem->regions[i].base);
	}
	return total;
}

/* ---- the printed map ---- */

/* size in the largest binary unit it reaches, with one (truncated) decimal when inexact. */
static const char *human_size(char *buf, size_t len, uint64_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (u + 1 < ARRAY_SIZE(units) && size >> (10 * (u + 1)))
		u++;
	uint64_t whole = size >> (10 * u), rest = size & ((1ULL << (10 * u)) - 1);
	if (rest)
		ksnprintf(buf, len, "%llu.%llu %s", (unsigned long long)whole,
			  (unsigned long long)((rest * 10) >> (10 * u)), units[u]);
	else
		ksnprintf(buf, len, "%llu %s", (unsigned long long)whole, units[u]);
	return buf;
}

/* The region of t containing addr (NULL if none) and t's next boundary above addr. */
static const struct memblock_region *lookup(const struct memblock_type *t, uint64_t addr,
					    uint64_t *next)
{
	unsigned i = first_ending_after(t, addr);
	if (i == t->cnt) {
		*next = UINT64_MAX;
		return NULL;
	}
	if (t->regions[i].base <= addr) {
		*next = region_end(&t->regions[i]);
		return &t->regions[i];
	}
	*next = t->regions[i].base;
	return NULL;
}

enum row_kind { ROW_NONE, ROW_USABLE, ROW_RESERVED, ROW_RESERVED_NO_RAM, ROW_FIRMWARE };

struct dump_row {
	uint64_t start, end;
	enum row_kind kind;
	const char *owner;
};

static void print_row(const struct dump_row *row)
{
	static const char *const kind_name[] = {
		[ROW_USABLE] = "usable",
		[ROW_RESERVED] = "reserved",
		[ROW_RESERVED_NO_RAM] = "reserved",
		[ROW_FIRMWARE] = "firmware",
	};
	char size[24];

	if (!row->owner) {
		pr_info("memblock:   0x%016llx-0x%016llx %10s  %s\n",
			(unsigned long long)row->start, (unsigned long long)row->end,
			human_size(size, sizeof(size), row->end - row->start),
			kind_name[row->kind]);
		return;
	}
	pr_info("memblock:   0x%016llx-0x%016llx %10s  %-8s  %s%s\n",
		(unsigned long long)row->start, (unsigned long long)row->end,
		human_size(size, sizeof(size), row->end - row->start), kind_name[row->kind],
		row->owner, row->kind == ROW_RESERVED_NO_RAM ? " (not RAM)" : "");
}

void memblock_dump(void)
{
	const struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved,
				   *fw = &memblock.firmware;
	struct dump_row row = { 0 };
	uint64_t pos = UINT64_MAX;
	char s1[24], s2[24], s3[24];

	if (mem->cnt)
		pos = MIN(pos, mem->regions[0].base);
	if (res->cnt)
		pos = MIN(pos, res->regions[0].base);
	if (fw->cnt)
		pos = MIN(pos, fw->regions[0].base);

	pr_info("memblock: physical memory map (%u RAM, %u reserved, %u firmware ranges):\n",
		mem->cnt, res->cnt, fw->cnt);
	pr_info("memblock:   %-18s %-18s %10s  %-8s  %s\n", "start", "end", "size", "type",
		"reserved by / firmware type");

	/*
	 * Sweep the address space from boundary to boundary of the three lists;
	 * between two boundaries nothing changes, so each step is one segment.
	 * Consecutive segments that read the same are printed as one row.
	 */
	while (pos != UINT64_MAX) {
		uint64_t nm, nr, nf, next;
		const struct memblock_region *m = lookup(mem, pos, &nm);
		const struct memblock_region *r = lookup(res, pos, &nr);
		const struct memblock_region *f = lookup(fw, pos, &nf);
		enum row_kind kind = ROW_NONE;
		const char *owner = NULL;

		next = MIN(nm, MIN(nr, nf));
		if (m && r) {
			kind = ROW_RESERVED;
			owner = r->owner;
		} else if (m) {
			kind = ROW_USABLE;
		} else if (f) {
			kind = ROW_FIRMWARE;
			owner = f->owner;
		} else if (r) {
			kind = ROW_RESERVED_NO_RAM;
			owner = r->owner;
		}
		if (kind != ROW_NONE) {
			if (row.kind == kind && row.end == pos && same_owner(row.owner, owner)) {
				row.end = next;
			} else {
				if (row.kind != ROW_NONE)
					print_row(&row);
				row = (struct dump_row){ pos, next, kind, owner };
			}
		}
		pos = next;
	}
	if (row.kind != ROW_NONE)
		print_row(&row);

	pr_info("memblock: %s of RAM, %s reserved, %s free; memblock_alloc below 0x%llx%s\n",
		human_size(s1, sizeof(s1), memblock_phys_mem_size()),
		human_size(s2, sizeof(s2), memblock_reserved_size()),
		human_size(s3, sizeof(s3), free_bytes()),
		(unsigned long long)memblock.current_limit,
		memblock.frozen ? " (frozen: the buddy allocator owns memory)" : "");
}

/* ---- invariants ---- */

static unsigned check_type(const struct memblock_type *t, bool merge_all)
{
	unsigned bad = 0;

	if (t->cnt > MEMBLOCK_MAX_REGIONS) {
		pr_err("memblock check: %s has %u regions, table holds %u\n", t->name, t->cnt,
		       MEMBLOCK_MAX_REGIONS);
		return 1;
	}
	for (unsigned i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (r->size == 0) {
			pr_err("memblock check: %s[%u] at 0x%llx is empty\n", t->name, i,
			       (unsigned long long)r->base);
			bad++;
		}
		if (region_end(r) < r->base) {
			pr_err("memblock check: %s[%u] [0x%llx, +0x%llx) wraps past 2^64\n",
			       t->name, i, (unsigned long long)r->base,
			       (unsigned long long)r->size);
			bad++;
		}
		if (i == 0)
			continue;
		const struct memblock_region *p = &t->regions[i - 1];
		if (region_end(p) > r->base) {
			pr_err("memblock check: %s[%u] [0x%llx-0x%llx) and [%u] [0x%llx-0x%llx) "
			       "are "
			       "unsorted or overlap\n",
			       t->name, i - 1, (unsigned long long)p->base,
			       (unsigned long long)region_end(p), i, (unsigned long long)r->base,
			       (unsigned long long)region_end(r));
			bad++;
		} else if (region_end(p) == r->base &&
			   (merge_all || same_owner(p->owner, r->owner))) {
			pr_err("memblock check: %s[%u] and [%u] touch at 0x%llx%s%s%s but were not "
			       "merged\n",
			       t->name, i - 1, i, (unsigned long long)r->base,
			       r->owner ? " (both '" : "", r->owner ? r->owner : "",
			       r->owner ? "')" : "");
			bad++;
		}
	}
	return bad;
}

unsigned memblock_check(void)
{
	return check_type(&memblock.memory, true) + check_type(&memblock.reserved, false) +
	       check_type(&memblock.firmware, false);
}
KTEST_CHECKER(memblock, memblock_check);
