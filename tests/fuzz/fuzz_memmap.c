/*
 * fuzz_memmap.c - libFuzzer harness for the firmware memory map
 * (memmap_sanitize, mm/memmap.h) and what boot builds from it (memmap_setup
 * into memblock, mm/memblock.h), followed by memblock allocations,
 * reservations, frees and removals taken from the input.
 *
 * Input (every field little endian, zeros once the input runs out):
 *
 *   u8  phys_bits      % 72 (0 and >= 64: no limit)
 *   u32 mem_cap        in KiB (0: none; under 4 KiB: "less than a page")
 *   u8  max_out        capacity of the sanitizer's output (0: 128)
 *   u8  unit           addresses below are in units of 2^(unit % 40) bytes
 *   u8  n              raw entries (% 129)
 *   u8  flags          bit 0: no map but basic meminfo (lower/upper KiB follow)
 *   u32 lower_kb, upper_kb   (basic meminfo, with flags bit 0)
 *   u32 kernel start, u16 kernel length (units); u32 mbi phys (bytes), u16 mbi size
 *   u8  modules (% 4), each u32 start, u32 end (bytes, as multiboot2 gives them)
 *   n entries, each
 *       u8 t: bit 7 set: a raw entry, u64 base, u64 length, u32 type follow;
 *             else type = {1,1,1,2,3,4,5,unknown (t >> 3)}[t & 7], then
 *             u32 base, u32 length (units) and u8 jitter: base and length
 *             each get (a nibble of jitter) * 256 bytes more, so that pages
 *             are split as firmware splits them;
 *   then up to 48 memblock operations until the input ends, u8 op % 7 and
 *   its arguments (sizes and addresses in units):
 *       0 memblock_phys_alloc_range: u32 size, u8 align (0: the default;
 *         1-39: 2^(align - 1); 40 and up: align itself, often not a power
 *         of two), u32 start, u32 end (0: current_limit)
 *       1 memblock_reserve: u32 base, u32 size, u8 owner (one of four)
 *       2 memblock_phys_free, 3 memblock_remove, 4 memblock_add: u32 base, u32 size
 *       5, 6 memblock_is_memory and _is_reserved: u32 base, u32 size, u8 s
 *         (the size is shifted right by s % 40)
 *
 * Checks:
 *   - memmap_sanitize's output keeps its contract: sorted, non-overlapping,
 *     not even touching (touching ranges merge), page-aligned, non-empty,
 *     below 2^phys_bits, at most mem_cap bytes in all, at most max_out
 *     ranges; every byte of it covered by an available (type 1) entry and
 *     by no entry of any other type (reserved wins; unknown types count as
 *     reserved);
 *   - and it is exactly what a reference computes by another method (cut
 *     the address space at every entry boundary, classify each piece, join
 *     touching usable pieces, then clip, shrink to pages, cap and count in
 *     the order the header gives), report counters included, and each
 *     counted oddity has its message; no usable RAM gives 0 and says so;
 *   - when there is usable RAM, memmap_setup builds memblock as boot does:
 *     memory is exactly the sanitized ranges, reserved exactly the union
 *     of the first MiB, the kernel image, the information block and the
 *     non-empty modules, memblock_check finds nothing;
 *   - then each memblock operation is applied to a model (two interval
 *     sets): memblock_phys_alloc_range returns exactly the highest aligned
 *     free block in [max(start, 1), end or current_limit) (0 when none),
 *     refused arguments (size 0, align not a power of two, wrapping ranges)
 *     change nothing, a table-full -ENOSPC leaves the table byte for byte
 *     as it was, and after every operation memory, the union of reserved,
 *     the free ranges, the size totals and memblock_is_memory/_reserved
 *     agree with the model and memblock_check finds nothing.
 */
#include "tests/fuzz/fuzz_common.h"

#include "kernel/errno.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/page.h"

#define MAX_ENTRIES BOOT_MMAP_MAX
#define MAX_OUT	    BOOT_MMAP_MAX
#define MAX_OPS	    48

/* ---- an interval set: sorted, disjoint, touching intervals merged ---- */

#define ISET_MAX 2048

struct iset {
	unsigned n;
	uint64_t b[ISET_MAX], e[ISET_MAX]; /* [b, e), e > b */
};

static void iset_copy(struct iset *dst, const struct iset *src)
{
	dst->n = src->n;
	memcpy(dst->b, src->b, src->n * sizeof(src->b[0]));
	memcpy(dst->e, src->e, src->n * sizeof(src->e[0]));
}

static void iset_put(struct iset *t, uint64_t b, uint64_t e)
{
	if (t->n == ISET_MAX)
		abort(); /* cannot happen: the inputs are bounded */
	t->b[t->n] = b;
	t->e[t->n++] = e;
}

static void iset_add(struct iset *s, uint64_t b, uint64_t e)
{
	static struct iset t;
	unsigned i = 0;
	if (b >= e)
		return;
	t.n = 0;
	for (; i < s->n && s->e[i] < b; i++) /* entirely below, not touching */
		iset_put(&t, s->b[i], s->e[i]);
	for (; i < s->n && s->b[i] <= e; i++) { /* overlapping or touching: absorb */
		b = MIN(b, s->b[i]);
		e = MAX(e, s->e[i]);
	}
	iset_put(&t, b, e);
	for (; i < s->n; i++)
		iset_put(&t, s->b[i], s->e[i]);
	iset_copy(s, &t);
}

static void iset_sub(struct iset *s, uint64_t b, uint64_t e)
{
	static struct iset t;
	if (b >= e)
		return;
	t.n = 0;
	for (unsigned i = 0; i < s->n; i++) {
		if (s->b[i] < b)
			iset_put(&t, s->b[i], MIN(s->e[i], b));
		if (s->e[i] > e)
			iset_put(&t, MAX(s->b[i], e), s->e[i]);
	}
	iset_copy(s, &t);
}

/* [b, e) inside one interval (e > b). */
static bool iset_covers(const struct iset *s, uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->b[i] <= b && e <= s->e[i])
			return true;
	return false;
}

static bool iset_meets(const struct iset *s, uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->b[i] < e && b < s->e[i])
			return true;
	return false;
}

static uint64_t iset_total(const struct iset *s)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < s->n; i++)
		t += s->e[i] - s->b[i];
	return t;
}

/* ---- the reference sanitizer ---- */

static bool is_avail(const struct boot_mmap_entry *e)
{
	return e->type == BOOT_MEM_AVAILABLE;
}

/* Exclusive end; an entry wrapping past 2^64 ends at the top of the address space. */
static uint64_t ref_end(const struct boot_mmap_entry *e)
{
	return e->base + e->length < e->base ? UINT64_MAX : e->base + e->length;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct ref_filter {
	uint64_t limit, cap, kept; /* limit 0: none; cap page-aligned, 0: none */
	unsigned max_out, cnt;
	struct mem_range *out;
	struct memmap_report *rep;
};

/* Clip at 2^phys_bits, shrink to whole pages, cap, count: in that order (memmap.h). */
static void ref_finish(struct ref_filter *f, uint64_t b, uint64_t e)
{
	if (f->limit && e > f->limit) {
		f->rep->beyond_phys++;
		if (b >= f->limit)
			return;
		e = f->limit;
	}
	uint64_t pb = b > UINT64_MAX - (PAGE_SIZE - 1) ? UINT64_MAX : ALIGN_UP(b, PAGE_SIZE);
	uint64_t pe = ALIGN_DOWN(e, PAGE_SIZE);
	if (pb != b || pe != e) {
		f->rep->unaligned++;
		if (pb >= pe)
			return;
	}
	if (f->cap && f->kept + (pe - pb) > f->cap) {
		f->rep->capped++;
		if (f->kept >= f->cap)
			return;
		pe = pb + (f->cap - f->kept);
	}
	if (f->cnt == f->max_out) {
		f->rep->overflow++;
		return;
	}
	f->out[f->cnt++] = (struct mem_range){ pb, pe - pb };
	f->kept += pe - pb;
}

static unsigned ref_sanitize(const struct boot_mmap_entry *raw, unsigned n, struct mem_range *out,
			     unsigned max_out, uint64_t mem_cap, unsigned phys_bits,
			     struct memmap_report *rep)
{
	static uint64_t cut[2 * MAX_ENTRIES];
	unsigned ncut = 0, last = UINT32_MAX;
	struct ref_filter f = {
		.limit = (phys_bits && phys_bits < 64) ? 1ULL << phys_bits : 0,
		.cap = ALIGN_DOWN(mem_cap, PAGE_SIZE),
		.max_out = max_out,
		.out = out,
		.rep = rep,
	};

	memset(rep, 0, sizeof(*rep));
	for (unsigned i = 0; i < n; i++) {
		const struct boot_mmap_entry *a = &raw[i];
		if (!a->length) {
			rep->zero_length++;
			continue;
		}
		rep->wrapped += a->base + a->length < a->base;
		rep->unknown_type += a->type == 0 || a->type > BOOT_MEM_BADRAM;
		if (last != UINT32_MAX && a->base < raw[last].base)
			rep->unsorted++;
		last = i;
		cut[ncut++] = a->base;
		cut[ncut++] = ref_end(a);
		for (unsigned j = i + 1; j < n; j++) {
			const struct boot_mmap_entry *b = &raw[j];
			if (!b->length)
				continue;
			uint64_t lo = MAX(a->base, b->base), hi = MIN(ref_end(a), ref_end(b));
			if (is_avail(a) && is_avail(b))
				rep->merged += lo <= hi; /* overlapping or touching */
			else if (is_avail(a) || is_avail(b))
				rep->overlaps += lo < hi;
		}
	}
	qsort(cut, ncut, sizeof(cut[0]), cmp_u64);

	/* Every piece between two consecutive cuts has one status. */
	bool open = false;
	uint64_t start = 0;
	for (unsigned k = 0; k + 1 < ncut; k++) {
		uint64_t b = cut[k], e = cut[k + 1];
		if (b == e)
			continue;
		bool avail = false, other = false;
		for (unsigned i = 0; i < n; i++) {
			if (raw[i].length && raw[i].base <= b && e <= ref_end(&raw[i])) {
				avail |= is_avail(&raw[i]);
				other |= !is_avail(&raw[i]);
			}
		}
		bool usable = avail && !other;
		if (usable && !open) {
			start = b;
			open = true;
		} else if (!usable && open) {
			ref_finish(&f, start, b);
			open = false;
		}
	}
	if (open)
		ref_finish(&f, start, cut[ncut - 1]);
	return f.cnt;
}

/* ---- decoding ---- */

struct decoded {
	unsigned phys_bits, max_out, shift, n;
	uint64_t mem_cap;
	uint64_t kstart, kend;
	struct boot_info bi;
};

static struct decoded d;

static const uint32_t type_table[8] = { 1, 1, 1, 2, 3, 4, 5, 0 };

static uint64_t units(struct fuzz_in *in)
{
	return (uint64_t)in_u32(in) << d.shift;
}

static void decode(struct fuzz_in *in)
{
	memset(&d, 0, sizeof(d));
	d.phys_bits = in_u8(in) % 72;
	d.mem_cap = (uint64_t)in_u32(in) << 10;
	d.max_out = in_u8(in);
	if (!d.max_out || d.max_out > MAX_OUT)
		d.max_out = MAX_OUT;
	d.shift = in_u8(in) % 40;
	d.n = in_u8(in) % (MAX_ENTRIES + 1);
	uint8_t flags = in_u8(in);
	if (flags & 1) {
		d.bi.has_basic_meminfo = true;
		d.bi.mem_lower_kb = in_u32(in);
		d.bi.mem_upper_kb = in_u32(in);
	}
	d.kstart = units(in);
	d.kend = d.kstart + ((uint64_t)in_u16(in) << d.shift);
	if (d.kend < d.kstart)
		d.kend = d.kstart; /* an empty kernel image: memmap_setup says so */
	d.bi.mbi_phys = in_u32(in);
	d.bi.mbi_size = in_u16(in);
	d.bi.module_count = in_u8(in) % 4;
	for (unsigned i = 0; i < d.bi.module_count; i++) {
		d.bi.modules[i].start = in_u32(in);
		d.bi.modules[i].end = in_u32(in);
		snprintf(d.bi.modules[i].cmdline, sizeof(d.bi.modules[i].cmdline), "mod%u", i);
	}
	for (unsigned i = 0; i < d.n; i++) {
		struct boot_mmap_entry *e = &d.bi.mmap[i];
		uint8_t t = in_u8(in);
		if (t & 0x80) {
			e->base = in_u64(in);
			e->length = in_u64(in);
			e->type = in_u32(in);
			continue;
		}
		e->type = (t & 7) == 7 ? 6u + (t >> 3) : type_table[t & 7];
		e->base = units(in);
		e->length = units(in);
		uint8_t jitter = in_u8(in);
		e->base += (uint64_t)(jitter & 0xf) << 8;
		e->length += (uint64_t)(jitter >> 4) << 8;
	}
	d.bi.mmap_count = d.n;
}

/* ---- checks on the sanitized map ---- */

static void check_sanitized(const struct boot_mmap_entry *raw, unsigned n,
			    const struct mem_range *out, int cnt)
{
	uint64_t limit = (d.phys_bits && d.phys_bits < 64) ? 1ULL << d.phys_bits : 0;
	uint64_t total = 0;

	CHECK(cnt >= 0 && (unsigned)cnt <= d.max_out, "%d ranges for a capacity of %u", cnt,
	      d.max_out);
	for (int i = 0; i < cnt; i++) {
		uint64_t b = out[i].base, e = out[i].base + out[i].size;
		CHECK(out[i].size > 0 && e > b, "range %d [%#llx, +%#llx) empty or wrapping", i,
		      (unsigned long long)b, (unsigned long long)out[i].size);
		CHECK(!(b & (PAGE_SIZE - 1)) && !(e & (PAGE_SIZE - 1)),
		      "range %d [%#llx-%#llx) not page-aligned", i, (unsigned long long)b,
		      (unsigned long long)e);
		CHECK(!limit || e <= limit, "range %d ends at %#llx, above 2^%u", i,
		      (unsigned long long)e, d.phys_bits);
		if (i)
			CHECK(out[i - 1].base + out[i - 1].size < b,
			      "ranges %d and %d unsorted, overlapping or touching", i - 1, i);
		total += out[i].size;
		/* Usable: covered by available entries, touched by no other entry. */
		static struct iset avail;
		avail.n = 0;
		for (unsigned k = 0; k < n; k++) {
			const struct boot_mmap_entry *r = &raw[k];
			if (!r->length)
				continue;
			uint64_t re = ref_end(r);
			if (is_avail(r))
				iset_add(&avail, r->base, re);
			else
				CHECK(re <= b || r->base >= e,
				      "range %d [%#llx-%#llx) overlaps entry %u [%#llx-%#llx) of "
				      "type %u",
				      i, (unsigned long long)b, (unsigned long long)e, k,
				      (unsigned long long)r->base, (unsigned long long)re, r->type);
		}
		CHECK(iset_covers(&avail, b, e),
		      "range %d [%#llx-%#llx) is not all covered by available entries", i,
		      (unsigned long long)b, (unsigned long long)e);
	}
	uint64_t cap = ALIGN_DOWN(d.mem_cap, PAGE_SIZE);
	CHECK(!cap || total <= cap, "%#llx usable bytes over the cap %#llx",
	      (unsigned long long)total, (unsigned long long)cap);
}

static void check_same_as_reference(const struct boot_mmap_entry *raw, unsigned n,
				    const struct mem_range *out, int cnt,
				    const struct memmap_report *rep)
{
	static struct mem_range want[MAX_OUT];
	struct memmap_report wrep;
	unsigned wcnt = ref_sanitize(raw, n, want, d.max_out, d.mem_cap, d.phys_bits, &wrep);

	CHECK((unsigned)cnt == wcnt, "%d usable ranges, the reference finds %u", cnt, wcnt);
	for (unsigned i = 0; i < wcnt; i++)
		CHECK(out[i].base == want[i].base && out[i].size == want[i].size,
		      "range %u is [%#llx, +%#llx), the reference says [%#llx, +%#llx)", i,
		      (unsigned long long)out[i].base, (unsigned long long)out[i].size,
		      (unsigned long long)want[i].base, (unsigned long long)want[i].size);
#define SAME(f) CHECK(rep->f == wrep.f, "report." #f " %u, the reference counts %u", rep->f, wrep.f)
	SAME(unsorted);
	SAME(overlaps);
	SAME(merged);
	SAME(unaligned);
	SAME(zero_length);
	SAME(beyond_phys);
	SAME(capped);
	SAME(unknown_type);
	SAME(wrapped);
	SAME(overflow);
#undef SAME
}

/* Each counted oddity has its line (unless the capture itself ran out of room). */
static void check_messages(const struct memmap_report *rep, int cnt)
{
	if (strlen(host_printk_log()) > (900u << 10))
		return;
#define SAID(n, ...)                                                                      \
	do {                                                                              \
		static const char *const needles[] = { __VA_ARGS__ };                     \
		unsigned seen = 0;                                                        \
		for (unsigned k = 0; k < ARRAY_SIZE(needles); k++)                        \
			seen += printk_count(needles[k]);                                 \
		CHECK(seen == (n), "%u messages \"%s\" for %u counted", seen, needles[0], \
		      (unsigned)(n));                                                     \
	} while (0)
	SAID(rep->zero_length, "has zero length; dropped");
	SAID(rep->wrapped, "wraps past 2^64");
	SAID(rep->unknown_type, "has unknown type");
	SAID(rep->unsorted, "the map is unsorted");
	SAID(rep->merged, "; merged\n");
	SAID(rep->overlaps, "; reserved wins\n");
	SAID(rep->beyond_phys, "lies beyond the CPU's", "crosses the CPU's");
	SAID(rep->unaligned, "holds no whole page", "is not page-aligned; shrunk");
	SAID(rep->capped, "bytes reached");
	SAID(rep->overflow, "usable ranges; usable");
	SAID(cnt == 0, "no usable RAM left after sanitizing");
#undef SAID
}

/* ---- memblock against its model ---- */

static struct iset mem_model, res_model;

/* The union of memblock's reserved regions (owners split them; the model does not). */
static void check_memblock(const char *after)
{
	static struct iset got, free_model;
	CHECK(memblock_check() == 0, "memblock_check found problems after %s", after);
	CHECK(memblock.memory.cnt == mem_model.n, "after %s: %u memory regions, model has %u",
	      after, memblock.memory.cnt, mem_model.n);
	for (unsigned i = 0; i < mem_model.n; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		CHECK(r->base == mem_model.b[i] && r->base + r->size == mem_model.e[i],
		      "after %s: memory[%u] [%#llx-%#llx), model [%#llx-%#llx)", after, i,
		      (unsigned long long)r->base, (unsigned long long)(r->base + r->size),
		      (unsigned long long)mem_model.b[i], (unsigned long long)mem_model.e[i]);
	}
	got.n = 0;
	for (unsigned i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		CHECK(r->owner != NULL, "after %s: reserved[%u] has no owner", after, i);
		iset_add(&got, r->base, r->base + r->size);
	}
	CHECK(got.n == res_model.n, "after %s: reserved covers %u ranges, model %u", after, got.n,
	      res_model.n);
	for (unsigned i = 0; i < got.n; i++)
		CHECK(got.b[i] == res_model.b[i] && got.e[i] == res_model.e[i],
		      "after %s: reserved range %u [%#llx-%#llx), model [%#llx-%#llx)", after, i,
		      (unsigned long long)got.b[i], (unsigned long long)got.e[i],
		      (unsigned long long)res_model.b[i], (unsigned long long)res_model.e[i]);

	iset_copy(&free_model, &mem_model);
	uint64_t res_ram = 0;
	for (unsigned i = 0; i < res_model.n; i++) {
		iset_sub(&free_model, res_model.b[i], res_model.e[i]);
		for (unsigned j = 0; j < mem_model.n; j++) {
			uint64_t lo = MAX(res_model.b[i], mem_model.b[j]);
			uint64_t hi = MIN(res_model.e[i], mem_model.e[j]);
			if (lo < hi)
				res_ram += hi - lo;
		}
	}
	CHECK(memblock_phys_mem_size() == iset_total(&mem_model), "after %s: phys_mem_size", after);
	CHECK(memblock_reserved_size() == res_ram, "after %s: reserved_size %#llx, model %#llx",
	      after, (unsigned long long)memblock_reserved_size(), (unsigned long long)res_ram);
	uint64_t cursor = 0, s, e;
	unsigned k = 0;
	while (memblock_next_free_range(&cursor, &s, &e)) {
		CHECK(k < free_model.n && s == free_model.b[k] && e == free_model.e[k],
		      "after %s: free range %u is [%#llx-%#llx), model %s [%#llx-%#llx)", after, k,
		      (unsigned long long)s, (unsigned long long)e,
		      k < free_model.n ? "has" : "ends before it",
		      (unsigned long long)(k < free_model.n ? free_model.b[k] : 0),
		      (unsigned long long)(k < free_model.n ? free_model.e[k] : 0));
		k++;
	}
	CHECK(k == free_model.n, "after %s: %u free ranges, model %u", after, k, free_model.n);
}

/* The highest align-aligned free block of size bytes in [lo, hi); 0 if none. */
static uint64_t model_alloc(uint64_t size, uint64_t align, uint64_t lo, uint64_t hi)
{
	static struct iset free_model;
	uint64_t best = 0;
	iset_copy(&free_model, &mem_model);
	for (unsigned i = 0; i < res_model.n; i++)
		iset_sub(&free_model, res_model.b[i], res_model.e[i]);
	for (unsigned i = 0; i < free_model.n; i++) {
		uint64_t fs = MAX(free_model.b[i], lo), fe = MIN(free_model.e[i], hi);
		if (fs >= fe || fe - fs < size)
			continue;
		uint64_t a = ALIGN_DOWN(fe - size, align);
		if (a >= fs && a > best)
			best = a;
	}
	return best;
}

/* How many maximal pieces of [b, e) no region of t covers. */
static unsigned gaps(const struct memblock_type *t, uint64_t b, uint64_t e)
{
	unsigned n = 0;
	uint64_t pos = b;
	for (unsigned i = 0; i < t->cnt && pos < e; i++) {
		const struct memblock_region *r = &t->regions[i];
		if (r->base + r->size <= pos)
			continue;
		if (r->base > pos)
			n++;
		pos = MAX(pos, r->base + r->size);
	}
	return n + (pos < e);
}

static const char *const owners[] = { "fuzz A", "fuzz B", "kernel image", "first 1 MiB" };

static void run_ops(struct fuzz_in *in)
{
	static struct memblock before;
	for (unsigned op = 0; op < MAX_OPS && in->n; op++) {
		uint8_t kind = in_u8(in);
		char what[48];
		snprintf(what, sizeof(what), "operation %u (kind %u)", op, (unsigned)(kind % 7));
		switch (kind % 7) {
		case 0: { /* allocate */
			uint64_t size = units(in);
			uint8_t asel = in_u8(in);
			uint64_t align = asel < 40 ? (asel ? 1ULL << (asel - 1) : 0) : asel;
			uint64_t start = units(in), end = units(in);
			uint64_t a = align ? align : PAGE_SIZE;
			uint64_t hi = end ? end : memblock.current_limit, lo = MAX(start, 1);
			bool refused = size == 0 || !IS_POWER_OF_2(a);
			uint64_t want = refused || lo >= hi || hi - lo < size
						? 0
						: model_alloc(size, a, lo, hi);
			before = memblock;
			uint64_t pa = memblock_phys_alloc_range(size, align, start, end, owners[0]);
			if (pa == 0 && want != 0 && memblock.reserved.cnt == MEMBLOCK_MAX_REGIONS) {
				/* The block was found but the reservation table is full. */
				CHECK(memcmp(&before, &memblock, sizeof(before)) == 0,
				      "a refused allocation changed memblock");
				break;
			}
			CHECK(pa == want,
			      "memblock_phys_alloc_range(%#llx, %#llx, %#llx, %#llx) = %#llx, the "
			      "highest fit is %#llx",
			      (unsigned long long)size, (unsigned long long)align,
			      (unsigned long long)start, (unsigned long long)end,
			      (unsigned long long)pa, (unsigned long long)want);
			if (pa)
				iset_add(&res_model, pa, pa + size);
			else
				CHECK(memcmp(&before, &memblock, sizeof(before)) == 0,
				      "a failed allocation changed memblock");
			break;
		}
		case 1:	  /* reserve */
		case 2:	  /* free a reservation */
		case 3:	  /* remove RAM */
		case 4: { /* add RAM */
			uint64_t base = units(in), size = units(in);
			bool wraps = base + size < base;
			int ret;
			before = memblock;
			if (kind % 7 == 1)
				ret = memblock_reserve(base, size, owners[in_u8(in) % 4]);
			else if (kind % 7 == 2)
				ret = memblock_phys_free(base, size);
			else if (kind % 7 == 3)
				ret = memblock_remove(base, size);
			else
				ret = memblock_add(base, size);
			if (size && wraps) {
				CHECK(ret == -EINVAL, "a wrapping range gave %d", ret);
			} else if (ret == -ENOSPC) {
				/*
				 * Only a table that cannot hold the result refuses: a
				 * reservation adds at most one region per gap it fills, a
				 * removal splits at most one region, an addition adds at most one.
				 */
				const struct memblock_type *t = kind % 7 == 1 || kind % 7 == 2
									? &before.reserved
									: &before.memory;
				unsigned grow = kind % 7 == 1 ? gaps(t, base, base + size) : 1;
				CHECK(t->cnt + grow > MEMBLOCK_MAX_REGIONS,
				      "%s: -ENOSPC, but %u regions + %u fit", what, t->cnt, grow);
			} else {
				CHECK(ret == 0, "%s returned %d", what, ret);
			}
			if (ret) {
				CHECK(memcmp(&before, &memblock, sizeof(before)) == 0,
				      "%s failed with %d but changed memblock", what, ret);
				break;
			}
			if (!size)
				break;
			if (kind % 7 == 1)
				iset_add(&res_model, base, base + size);
			else if (kind % 7 == 2)
				iset_sub(&res_model, base, base + size);
			else if (kind % 7 == 3)
				iset_sub(&mem_model, base, base + size);
			else
				iset_add(&mem_model, base, base + size);
			break;
		}
		default: { /* queries */
			uint64_t base = units(in), size = units(in) >> (in_u8(in) % 40);
			uint64_t end = base + (size ? size : 1);
			if (end > base) {
				CHECK(memblock_is_memory(base, size) ==
					      iset_covers(&mem_model, base, end),
				      "memblock_is_memory(%#llx, %#llx)", (unsigned long long)base,
				      (unsigned long long)size);
				CHECK(memblock_is_reserved(base, size) ==
					      iset_meets(&res_model, base, end),
				      "memblock_is_reserved(%#llx, %#llx)",
				      (unsigned long long)base, (unsigned long long)size);
			}
			break;
		}
		}
		check_memblock(what);
	}
}

FUZZ_QUIET_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_range out[MAX_OUT];
	static struct boot_mmap_entry basic[2];
	struct fuzz_in in = { data, size };
	struct memmap_report rep;

	decode(&in);
	const struct boot_mmap_entry *raw = d.bi.mmap;
	unsigned n = d.n;
	if (n == 0 && d.bi.has_basic_meminfo) {
		/* What memmap_setup falls back to without a map. */
		basic[0] = (struct boot_mmap_entry){ 0, (uint64_t)d.bi.mem_lower_kb << 10,
						     BOOT_MEM_AVAILABLE };
		basic[1] = (struct boot_mmap_entry){ 1ULL << 20, (uint64_t)d.bi.mem_upper_kb << 10,
						     BOOT_MEM_AVAILABLE };
		raw = basic;
		n = 2;
	}

	host_printk_log_clear();
	memset(out, 0xa5, sizeof(out));
	int cnt = memmap_sanitize(raw, n, out, d.max_out, d.mem_cap, d.phys_bits, &rep);
	check_sanitized(raw, n, out, cnt);
	check_same_as_reference(raw, n, out, cnt, &rep);
	check_messages(&rep, cnt);

	/* Boot's path: memmap_setup (which panics without usable RAM: boot cannot go on). */
	static struct mem_range usable[MAX_OUT];
	struct memmap_report urep;
	unsigned ucnt = ref_sanitize(raw, n, usable, MAX_OUT, d.mem_cap, d.phys_bits, &urep);
	if (!ucnt)
		return 0;
	memblock_reset();
	host_printk_log_clear();
	memmap_setup(&d.bi, d.kstart, d.kend, d.mem_cap, d.phys_bits);

	mem_model.n = 0;
	res_model.n = 0;
	for (unsigned i = 0; i < ucnt; i++)
		iset_add(&mem_model, usable[i].base, usable[i].base + usable[i].size);
	iset_add(&res_model, 0, 1ULL << 20);
	iset_add(&res_model, d.kstart, d.kend);
	if (d.bi.mbi_size && d.bi.mbi_phys + d.bi.mbi_size > d.bi.mbi_phys)
		iset_add(&res_model, d.bi.mbi_phys, d.bi.mbi_phys + d.bi.mbi_size);
	for (unsigned i = 0; i < d.bi.module_count; i++)
		if (d.bi.modules[i].end > d.bi.modules[i].start)
			iset_add(&res_model, d.bi.modules[i].start, d.bi.modules[i].end);
	check_memblock("memmap_setup");

	run_ops(&in);
	return 0;
}
