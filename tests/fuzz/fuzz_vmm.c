/*
 * fuzz_vmm.c - libFuzzer harness for the page-table API (mm/vmm.h):
 * vmm_map, vmm_unmap, vmm_protect, vmm_guard_page, vmm_translate and
 * vmm_walk_leaves, called in a program decoded from the input on one
 * vmm_space, with table-page allocations made to fail in the middle of
 * operations (vmm_test_fail_after), and checked after every call against a
 * model that predicts every leaf.
 *
 * The world is like tests/host/test_vmm.c's: hosted RAM (32 MiB) with the
 * buddy allocator over it, built once per process, and tables that are
 * plain memory (the host cannot load CR3; a space is "live" when host_cr3
 * holds its PML4, which only changes the TLB-flush accounting). Each input
 * makes one space and destroys it at the end. Mapped physical addresses are
 * numbers nothing dereferences, placed far above the RAM (FAR_PA), except
 * for a 2 MiB block of RAM the harness owns (the window) that maps may
 * target, so that vmm_guard_page's PG_guard marking is seen on real struct
 * pages.
 *
 * Input (missing bytes read as 0):
 *
 *   u8 config  bits 0-2: the page sizes the space may use, {all, all,
 *              4K|2M, 4K, all, 4K|2M, 4K|1G, all}[c & 7] (4K|1G is
 *              refused, -EINVAL with nothing kept, and the input goes on
 *              with all sizes); bit 3: pass bits outside
 *              VMM_PAGE_SIZES_ALL too (ignored); bit 4: leave PAGE_SIZE_4K
 *              out (always on anyway); bit 5: a first vmm_space_init with
 *              the allocation failing (-ENOMEM, nothing kept); bit 6: the
 *              space starts live
 *   then up to MAX_OPS operations: u8 o, o & 7 the operation; bit 3: u8 n
 *   follows, and vmm_test_fail_after(n % 8) is in force for this operation
 *   only; bit 4: after an -ENOMEM, the same call again without failures
 *     0, 7  vmm_map ADDR SIZE PA PROT
 *     1     vmm_unmap ADDR SIZE
 *     2     vmm_protect ADDR SIZE PROT
 *     3     vmm_guard_page ADDR
 *     4     vmm_translate ADDR
 *     5     vmm_walk_leaves from ADDR to ADDR + SIZE - 1, u8 k: stop (return
 *           77) at the k-th leaf (0: never)
 *     6     u8 m, m % 4: 0 toggle live; 1 every call (and the destroy and
 *           the dumps) on an uninitialised space and on NULL; 2 unmap
 *           everything (each half in one call); 3 a full comparison of
 *           every leaf now, and of what vmm_dump_layout and vmm_dump_walk
 *           print
 *
 *   ADDR  u8 s, u8 c, u8 j (a u64 follows when s & 7 == 7). G = {4K, 2M,
 *         1G, 512G}[(s >> 3) & 3]; J = jitter(j), negated when s & 0x20.
 *         s & 7: 0, 1: VMM_SCRATCH_BASE + c*G + J; 2, 3: the model's extent
 *         c % n (its start, end, middle or last page by s >> 6) + J, so
 *         that ranges start on, next to and inside what is mapped; 4:
 *         USER_BASE + c*G + J; 5: the end of the lower half - c*G - J; 6:
 *         the start of the upper half (s & 0x40 clear) or the top of the
 *         address space, +/- c*G + J; 7: the raw u64
 *   jitter(j)  by j & 3: 0, (j >> 2) * 4K, (j >> 2) * 2M, (j >> 2) * 128
 *              (rarely page-aligned)
 *   SIZE  u8 t, u8 c, u8 j (a u64 follows when t & 7 == 7). G and J as
 *         for ADDR (from t). t & 7: 0, 1, 2: c*G + J; 3: from ADDR to the
 *         start, end, middle or last page of extent c % n (t >> 6) + J; 4:
 *         from ADDR to the end of its half + J; 5: huge, {2^47, 2^47 - 4K,
 *         2^48, 2^63, 2^64 - 4K, 2^64 - 2^47, 2^40, 2^39}[c & 7]; 6: odd,
 *         {0, 1, 2K, 4K - 1, 6K, 2M - 4K, 2M + 4K, 1G - 4K}[c & 7]; 7: raw
 *   PA    u8 m, u8 k (a u64 follows when m & 7 == 7). m & 7: 0, 1, 2:
 *         FAR_PA + ADDR mod 1G + k*1G (every page size possible); 3:
 *         FAR_PA + ADDR mod 2M + (2k + 1)*2M (2M pages at most, mostly);
 *         4: FAR_PA + ADDR mod 4K + (2k + 1)*4K (4K pages only); 5: the
 *         window + ADDR mod 2M (+ k*4K when m & 8); 6: 2^MAXPHYADDR - SIZE
 *         + (k & 3) * 2K (fits exactly, unaligned, a page too far, both); 7:
 *         raw. A range that would fall in RAM outside the window is moved up
 *         by FAR_PA (vmm_guard_page must only mark pages the harness owns).
 *   PROT  u8 p: {0, R, RW, RX, R|GLOBAL, RW|NOCACHE, RX|GLOBAL,
 *         RW|GLOBAL|NOCACHE}[p & 7]; p >> 5: 4 adds VM_USER when ADDR is in
 *         the user half, 5 VM_USER, 6 VM_WRITE|VM_EXEC (W^X), 7 an unknown
 *         bit (0x40, or 0x80 with p & 8)
 *
 *   A map the model expects to succeed is cut to its first MAP_BUDGET
 *   leaves, so that no call costs more than a few thousand entries.
 *
 * The model: a sorted array of extents, each a run of leaves of one size
 * (4K, 2M or 1G) with contiguous physical addresses and one protection.
 * It predicts every leaf, not just every page, because vmm.h determines
 * them: vmm_map uses the largest allowed size to which va and pa are both
 * aligned and which fits, at each address; vmm_unmap and vmm_protect split a
 * large page only where an edge of the range falls inside it, one level at
 * a time while the edge is still unaligned (protect: only pages whose
 * protection changes); nothing ever merges. Page-table pages follow from
 * the leaves, because no table but the PML4 is ever empty (vmm.c's
 * invariant): one PML4, a PDPT per 512 GiB with a leaf in it, a PD per 1 GiB
 * with a 2M or 4K leaf, a PT per 2 MiB with a 4K leaf. So the model knows how
 * many tables a map needs and how many splits an unmap or protect makes,
 * which is what an injected failure is compared against.
 *
 * Checks, after every operation:
 *   - the return value is the model's: -EINVAL for every bad argument
 *     vmm.h lists (size 0, unaligned va/size/pa, wrapping, non-canonical or
 *     crossing halves, pa beyond MAXPHYADDR, W^X, VM_USER in the kernel
 *     half, unknown bits, an uninitialised space), then -EEXIST (map over
 *     anything mapped), -ENOENT (protect over a hole), -ENOMEM exactly when
 *     the operation needs more table pages than vmm_test_fail_after allows
 *     (a map: its new tables; unmap, protect, guard: their splits), else 0;
 *   - on an error, what vmm.h promises: the tables exactly as before (a
 *     checksum of every table page, entry and count), no page kept, no
 *     PG_guard set, no split or flush counted;
 *   - vmm_translate of the range's edges, the pages before and after, and
 *     the start, end, middle and a large-page interior point of the extents
 *     around it and of one more: present or not, pa, prot and page size as
 *     the model says; every leaf (vmm_walk_leaves: va, pa, size, prot, in
 *     order) when there are at most WALK_LEAVES of them, else every 8
 *     operations; vmm_walk_leaves ops stop where asked and return 77;
 *   - vmm_check(as) == 0, as->nr_pt_pages is the model's table count and
 *     NR_PAGETABLE moved by as much, the free pages are exactly those before
 *     the space minus its tables (nothing leaked or freed twice);
 *   - vmm_stats: splits as the model counts them, tables_freed as the
 *     tables that emptied, and while live, flush_page/flush_all as the
 *     leaves removed or rewritten plus splits (one full flush past
 *     VMM_FLUSH_THRESHOLD); nothing flushed while not live;
 *   - vmm_guard_page marks PG_guard on the window page it unmapped, and
 *     only there; no WARNING in the printk log (vmm.c warns when its dry
 *     run over-counted);
 *   - (operation 6/3) vmm_dump_layout's totals (leaves of each size, table
 *     pages) and vmm_dump_walk's answer for one address are the model's;
 * and at the end of the input: every leaf once more, then
 * vmm_space_destroy gives back every table page (NR_PAGETABLE and the free
 * page count back to what they were before the input).
 *
 * Each call is logged with printk ("fuzz_vmm: op N: vmm_...(...) = err"), so
 * a failure report ends with the program's last calls, and FUZZ_VERBOSE=1
 * shows the whole program as it runs.
 *
 * (This harness found that vmm_space_init accepted 1 GiB pages without 2
 * MiB ones, and a partial unmap of a 1 GiB page then left 2 MiB leaves the
 * space did not allow; vmm_space_init now refuses that combination.)
 */
#include "tests/fuzz/fuzz_common.h"

#include "arch/x86_64/pgtable.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/vmm.h"
#include "mm/vmstat.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define RAM	      (32 * MiB)
#define FAR_PA	      (64 * GiB)	    /* mapped "physical" addresses: far above RAM */
#define USER_BASE     0x0000100000000000ULL /* a base in the user half */
#define LOWER_END     (1ULL << 47)	    /* the first address past the lower half */
#define UPPER_START   0xffff800000000000ULL /* the first address of the upper half */
#define WINDOW_ORDER  9			    /* the RAM the harness owns: 2 MiB */
#define WINDOW_PAGES  (1u << WINDOW_ORDER)
#define MAX_OPS	      64
#define MAX_EXT	      2048
#define MAP_BUDGET    1024 /* leaves one map may create */
#define WALK_LEAVES   256  /* compare every leaf after each operation up to this many */
#define WALK_STOP_RET 77

/*
 * The checks run without coverage instrumentation, as fuzz.mk builds the
 * kernel's own checkers: their branches say nothing about the input (they
 * walk every leaf whatever the program did), and traced compare by compare
 * they took most of the time.
 */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

/* ---- the model ---- */

struct ext {
	uint64_t va, last; /* [va, last], inclusive: an extent may end at 2^64 - 1 */
	uint64_t pa;	   /* what va maps to */
	unsigned prot;	   /* as vmm_translate reports it (VM_READ always there) */
	unsigned shift;	   /* leaf size: 12, 21 or 30 */
};

struct model {
	unsigned n;
	struct ext e[MAX_EXT];
};

/* cur: the space as it is; nxt: as it will be if the operation succeeds. */
static struct model cur, nxt;

static struct vmm_space as;
static uint64_t allowed;  /* the page sizes as's leaves may have */
static bool live;	  /* host_cr3 holds as's PML4 */
static uint64_t phys_end; /* 2^MAXPHYADDR */
static unsigned long free_before;
static long pt_before;
static uint64_t window_pa;
static bool guard_model[WINDOW_PAGES];
static unsigned op_no;
static char desc[200]; /* the operation being checked, for every message */

static uint64_t ext_size(const struct ext *e)
{
	return 1ULL << e->shift;
}

static uint64_t ext_leaves(const struct ext *e)
{
	return ((e->last - e->va) >> e->shift) + 1;
}

static void m_copy(struct model *dst, const struct model *src)
{
	dst->n = src->n;
	memcpy(dst->e, src->e, src->n * sizeof(src->e[0]));
}

/* The first extent that ends at or after x (n when none). */
static unsigned m_lower(const struct model *m, uint64_t x)
{
	unsigned lo = 0, hi = m->n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (m->e[mid].last < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The extent holding x, or -1. */
static int m_find(const struct model *m, uint64_t x)
{
	unsigned i = m_lower(m, x);
	return i < m->n && m->e[i].va <= x ? (int)i : -1;
}

static void m_insert(struct model *m, unsigned i, const struct ext *x)
{
	CHECK(m->n < MAX_EXT, "%s: the model is full (%u extents)", desc, m->n);
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(m->e[0]));
	m->e[i] = *x;
	m->n++;
}

static void m_delete(struct model *m, unsigned i, unsigned count)
{
	memmove(&m->e[i], &m->e[i + count], (m->n - i - count) * sizeof(m->e[0]));
	m->n -= count;
}

/* Cut extent i in two at x, a boundary between two of its leaves: no leaf changes. */
static void m_split_at(struct model *m, unsigned i, uint64_t x)
{
	struct ext hi = m->e[i];
	hi.va = x;
	hi.pa = m->e[i].pa + (x - m->e[i].va);
	m->e[i].last = x - 1;
	m_insert(m, i + 1, &hi);
}

/*
 * Make x a leaf boundary, splitting the large leaf it falls inside (and the
 * leaf one level down, while x is still unaligned), as unmap and protect do
 * at the edges of their range. keep_prot >= 0 (protect): a leaf that has
 * that protection already is left whole. Counts the splits.
 */
static void m_cut(struct model *m, uint64_t x, int keep_prot, unsigned long *splits)
{
	int i = m_find(m, x);
	if (i < 0)
		return;
	for (;;) {
		struct ext *e = &m->e[i];
		uint64_t size = ext_size(e), base = x & ~(size - 1);
		if (keep_prot >= 0 && e->prot == (unsigned)keep_prot)
			return;
		if (base == x) {
			if (x != e->va)
				m_split_at(m, (unsigned)i, x);
			return;
		}
		/* The leaf [base, base + size) alone in its extent, then one level down. */
		if (base != e->va)
			m_split_at(m, (unsigned)i++, base);
		if (m->e[i].last != base + size - 1)
			m_split_at(m, (unsigned)i, base + size);
		m->e[i].shift -= 9;
		(*splits)++;
	}
}

/* Join neighbours that are one run of leaves (same size and protection, contiguous va and pa). */
static void m_merge(struct model *m)
{
	unsigned out = 0;
	for (unsigned i = 0; i < m->n; i++) {
		struct ext *p = out ? &m->e[out - 1] : NULL, *e = &m->e[i];
		if (p && p->shift == e->shift && p->prot == e->prot && p->last + 1 == e->va &&
		    p->pa + (p->last - p->va + 1) == e->pa) {
			p->last = e->last;
			continue;
		}
		m->e[out++] = *e;
	}
	m->n = out;
}

static NO_COVERAGE uint64_t m_leaves(const struct model *m)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < m->n; i++)
		n += ext_leaves(&m->e[i]);
	return n;
}

/* How many (1 << shift)-byte regions hold a leaf of at most 1 << max_leaf bytes. */
static NO_COVERAGE unsigned long regions(const struct model *m, unsigned max_leaf, unsigned shift)
{
	unsigned long count = 0;
	uint64_t prev = 0;
	bool have = false;
	for (unsigned i = 0; i < m->n; i++) {
		const struct ext *e = &m->e[i];
		if (e->shift > max_leaf)
			continue;
		uint64_t a = e->va >> shift, b = e->last >> shift;
		if (have && a <= prev)
			a = prev + 1;
		if (a <= b)
			count += b - a + 1;
		if (!have || b > prev)
			prev = b;
		have = true;
	}
	return count;
}

/* The page-table pages the leaves need: no table but the PML4 is ever empty. */
static NO_COVERAGE unsigned long m_tables(const struct model *m)
{
	return 1 + regions(m, 30, 39) + regions(m, 21, 30) + regions(m, 12, 21);
}

static bool m_overlaps(const struct model *m, uint64_t va, uint64_t last)
{
	unsigned i = m_lower(m, va);
	return i < m->n && m->e[i].va <= last;
}

/* The first unmapped address in [va, last]; false when all of it is mapped. */
static bool m_hole(const struct model *m, uint64_t va, uint64_t last, uint64_t *hole)
{
	uint64_t x = va;
	for (unsigned i = m_lower(m, va);; i++) {
		if (i == m->n || m->e[i].va > x) {
			*hole = x;
			return true;
		}
		if (m->e[i].last >= last)
			return false;
		x = m->e[i].last + 1;
	}
}

struct run {
	uint64_t va, last;
	unsigned shift;
};

/*
 * vmm_map's leaves for [va, last] -> pa, as runs of equal leaves: at each
 * address the largest allowed size to which va and pa are aligned and that
 * fits before last. Stops after budget leaves; returns the number of runs
 * and where the last one ends.
 */
static unsigned plan_map(uint64_t va, uint64_t last, uint64_t pa, uint64_t budget, struct run *runs,
			 uint64_t *end)
{
	static const unsigned large[2] = { 21, 30 };
	uint64_t delta = pa - va, x = va, total = 0;
	unsigned n = 0;

	for (;;) {
		unsigned shift = 12;
		for (int k = 1; k >= 0; k--) {
			uint64_t s = 1ULL << large[k];
			if ((allowed & s) && !(x & (s - 1)) && !(delta & (s - 1)) &&
			    last - x >= s - 1) {
				shift = large[k];
				break;
			}
		}
		uint64_t size = 1ULL << shift, count = (last - x + 1) >> shift;
		/* Stop where a larger leaf would begin and fit. */
		for (int k = 0; k < 2; k++) {
			uint64_t s = 1ULL << large[k];
			if (large[k] <= shift || !(allowed & s) || (delta & (s - 1)))
				continue;
			uint64_t b = (x | (s - 1)) + 1;
			if (b != 0 && b <= last && last - b >= s - 1) {
				count = MIN(count, (b - x) >> shift);
				break;
			}
		}
		count = MIN(count, budget - total);
		runs[n++] = (struct run){ x, x + count * size - 1, shift };
		total += count;
		if (runs[n - 1].last == last || total == budget) {
			*end = runs[n - 1].last;
			return n;
		}
		x = runs[n - 1].last + 1;
	}
}

/* ---- what vmm.h says about arguments ---- */

static bool canonical(uint64_t va)
{
	return va < LOWER_END || va >= UPPER_START;
}

static bool user_half(uint64_t va)
{
	return va < LOWER_END;
}

static const char *bad_range(uint64_t va, uint64_t size, uint64_t *last)
{
	if (size == 0)
		return "size 0";
	if ((va | size) & (PAGE_SIZE_4K - 1))
		return "unaligned";
	*last = va + size - 1;
	if (*last < va)
		return "wraps";
	if (!canonical(va) || !canonical(*last) || user_half(va) != user_half(*last))
		return "not canonical";
	return NULL;
}

static const char *bad_prot(uint64_t va, unsigned prot)
{
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return "W^X";
	if ((prot & VM_USER) && !user_half(va))
		return "VM_USER in the kernel half";
	if (prot & ~(VM_READ | VM_WRITE | VM_EXEC | VM_USER | VM_NOCACHE | VM_GLOBAL))
		return "unknown bits";
	return NULL;
}

static const char *bad_pa(uint64_t pa, uint64_t size)
{
	if (pa & (PAGE_SIZE_4K - 1))
		return "pa unaligned";
	if (pa + size - 1 < pa || pa + size - 1 >= phys_end)
		return "pa beyond MAXPHYADDR";
	return NULL;
}

/* What vmm_translate reports for a mapping made with prot. */
static unsigned norm_prot(unsigned prot)
{
	return (prot & (VM_WRITE | VM_EXEC | VM_USER | VM_NOCACHE | VM_GLOBAL)) | VM_READ;
}

/* ---- the space's state, for "nothing changed" ---- */

static NO_COVERAGE uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/* Every table page reachable from table: where it is, its counts, every entry. */
static NO_COVERAGE uint64_t table_sum(const uint64_t *table, int level, uint64_t h)
{
	const struct page *pg = virt_to_page(table);
	h = mix(h, (uint64_t)level << 56 ^ __pa(table));
	h = mix(h, pg->private[0] ^ pg->private[1] << 32 ^ (uint64_t)pg->flags << 48);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = table[i];
		h = mix(h, e ^ i);
		if (level > 1 && pte_present(e) && !pte_leaf(e, level))
			h = table_sum(__va(pte_addr(e, level)), level - 1, h);
	}
	return h;
}

static NO_COVERAGE uint64_t space_sum(void)
{
	return mix(table_sum(as.pml4, PT_LEVELS, 1), as.nr_pt_pages);
}

static unsigned long free_pages_now(void)
{
	drain_all_pages();
	return nr_free_pages();
}

/* ---- checks against the model ---- */

static NO_COVERAGE void check_va(uint64_t va)
{
	struct vmm_translation tr = { 0, 0, 0 };
	int err = vmm_translate(&as, va, &tr);
	int i = canonical(va) ? m_find(&cur, va) : -1;
	if (i < 0) {
		CHECK(err == -ENOENT,
		      "%s: vmm_translate(%#lx) = %d (pa %#lx prot %#x size %#lx), the model has "
		      "nothing there",
		      desc, va, err, tr.pa, tr.prot, tr.page_size);
		return;
	}
	const struct ext *e = &cur.e[i];
	uint64_t pa = e->pa + (va - e->va);
	CHECK(err == 0 && tr.pa == pa && tr.prot == e->prot && tr.page_size == ext_size(e),
	      "%s: vmm_translate(%#lx) = %d, pa %#lx prot %#x size %#lx; the model: pa %#lx prot "
	      "%#x size %#lx",
	      desc, va, err, tr.pa, tr.prot, tr.page_size, pa, e->prot, ext_size(e));
}

/* The start, end, the addresses around them, the middle and a large-page interior point. */
static NO_COVERAGE void check_ext(unsigned i)
{
	if (i >= cur.n)
		return;
	const struct ext *e = &cur.e[i];
	uint64_t mid = e->va + (((e->last - e->va) / 2) & ~(PAGE_SIZE_4K - 1));
	check_va(e->va);
	check_va(e->va - 1);
	check_va(e->last);
	check_va(e->last + 1);
	check_va(mid + 0x123);
	if (e->shift > 12)
		check_va(e->va + ext_size(e) / 2 + 0x5008);
}

/* Around [va, last] of the operation just done: its edges and the extents near them. */
static NO_COVERAGE void check_around(uint64_t va, uint64_t last)
{
	const uint64_t pts[] = {
		va,   va + PAGE_SIZE_4K, va - PAGE_SIZE_4K,	  va - 1,
		last, last + 1,		 last - PAGE_SIZE_4K + 1, last + PAGE_SIZE_4K
	};
	for (unsigned k = 0; k < ARRAY_SIZE(pts); k++)
		check_va(pts[k]);
	unsigned i = m_lower(&cur, va), j = m_lower(&cur, last + 1);
	if (i)
		check_ext(i - 1);
	check_ext(i);
	check_ext(j);
	if (cur.n)
		check_ext((op_no * 2654435761u) % cur.n);
}

/* vmm_walk_leaves against the model: the leaves overlapping [start, last], in order. */
struct walk {
	uint64_t start, last;
	unsigned i;	 /* the model's extent being enumerated */
	uint64_t leaf;	 /* the next leaf of it to consider */
	bool at_end;	 /* no more expected leaves */
	unsigned long k; /* stop at the k-th leaf (0: never) */
	unsigned long seen;
};

/* The leaf after w->leaf, in its extent or the next one. */
static NO_COVERAGE void walk_step(struct walk *w)
{
	const struct ext *e = &cur.e[w->i];
	if (w->leaf + ext_size(e) - 1 == e->last) {
		if (++w->i < cur.n)
			w->leaf = cur.e[w->i].va;
	} else {
		w->leaf += ext_size(e);
	}
}

/*
 * On to the next leaf that overlaps [start, last]: one that ends at or after
 * start and begins at or before last (none when start > last).
 */
static NO_COVERAGE void walk_settle(struct walk *w)
{
	while (w->start <= w->last && w->i < cur.n && w->leaf <= w->last) {
		if (w->leaf + ext_size(&cur.e[w->i]) - 1 >= w->start)
			return;
		walk_step(w);
	}
	w->at_end = true;
}

static NO_COVERAGE int walk_leaf(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	struct walk *w = arg;
	w->seen++;
	CHECK(!w->at_end,
	      "%s: vmm_walk_leaves(%#lx, %#lx) leaf %lu: %#lx -> %#lx size %#lx prot %#x, the "
	      "model has no more leaves there",
	      desc, w->start, w->last, w->seen, va, pa, size, prot);
	const struct ext *e = &cur.e[w->i];
	uint64_t want_pa = e->pa + (w->leaf - e->va);
	CHECK(va == w->leaf && pa == want_pa && size == ext_size(e) && prot == e->prot,
	      "%s: vmm_walk_leaves(%#lx, %#lx) leaf %lu: %#lx -> %#lx size %#lx prot %#x; the "
	      "model: %#lx -> %#lx size %#lx prot %#x",
	      desc, w->start, w->last, w->seen, va, pa, size, prot, w->leaf, want_pa, ext_size(e),
	      e->prot);
	walk_step(w);
	walk_settle(w);
	return w->seen == w->k ? WALK_STOP_RET : 0;
}

static NO_COVERAGE void check_walk(uint64_t start, uint64_t last, unsigned long k)
{
	struct walk w = { start, last, m_lower(&cur, start), 0, false, k, 0 };
	if (w.i < cur.n) {
		uint64_t s = ext_size(&cur.e[w.i]);
		w.leaf = MAX(cur.e[w.i].va, start & ~(s - 1));
	}
	walk_settle(&w);
	int ret = vmm_walk_leaves(&as, start, last, walk_leaf, &w);
	if (k && w.seen == k) {
		CHECK(ret == WALK_STOP_RET, "%s: vmm_walk_leaves returned %d after the %lu-th leaf",
		      desc, ret, k);
		return;
	}
	CHECK(ret == 0 && w.at_end,
	      "%s: vmm_walk_leaves(%#lx, %#lx) returned %d after %lu leaves; the model has more, "
	      "from %#lx",
	      desc, start, last, ret, w.seen, w.at_end ? 0 : w.leaf);
}

static NO_COVERAGE void check_window(void)
{
	unsigned long pfn = window_pa >> PAGE_SHIFT;
	for (unsigned i = 0; i < WINDOW_PAGES; i++)
		CHECK(!!(pfn_to_page(pfn + i)->flags & PG_guard) == guard_model[i],
		      "%s: window page %u (pa %#lx): PG_guard %s, the model says %s", desc, i,
		      (uint64_t)(window_pa + i * PAGE_SIZE_4K),
		      pfn_to_page(pfn + i)->flags & PG_guard ? "set" : "clear",
		      guard_model[i] ? "set" : "clear");
}

/* After every operation: the space's own invariants and its accounting agree with the model. */
static NO_COVERAGE void check_space(void)
{
	unsigned long tables = m_tables(&cur);
	CHECK(vmm_check(&as) == 0, "%s: vmm_check found problems (see the printk lines)", desc);
	CHECK(as.nr_pt_pages == tables, "%s: %lu page-table pages, the model needs %lu", desc,
	      as.nr_pt_pages, tables);
	CHECK(read_vm_stat(NR_PAGETABLE) - pt_before == (long)tables,
	      "%s: NR_PAGETABLE moved by %ld, the space has %lu tables", desc,
	      read_vm_stat(NR_PAGETABLE) - pt_before, tables);
	CHECK(free_pages_now() == free_before - tables,
	      "%s: %lu pages free, expected %lu (before the space) - %lu (its tables)", desc,
	      free_pages_now(), free_before, tables);
	CHECK(!strstr(host_printk_log(), "WARNING"), "%s: vmm.c warned", desc);
}

/* ---- running one call ---- */

struct expect {
	int err;
	unsigned long splits;	    /* large pages split */
	unsigned long nflush;	    /* leaves removed or rewritten, plus splits */
	unsigned long tables_freed; /* tables that became empty */
};

struct before {
	struct vmm_stats stats;
	uint64_t sum;
	unsigned long free, tables;
};

/* The model's prediction for the call (nxt) becomes the model. */
static void commit(void)
{
	m_merge(&nxt);
	m_copy(&cur, &nxt);
}

/*
 * Around each call under test: before_call snapshots what a failure must
 * leave alone and puts the table-page failures of inject in force for this
 * call alone; after_call lifts them, checks the result against x and, on
 * success, commits the model's prediction.
 */
static void before_call(const struct expect *x, struct before *b, long inject)
{
	b->stats = vmm_stats;
	if (x->err) {
		/* Predicted to fail: remember the exact state it must leave alone. */
		b->sum = space_sum();
		b->free = free_pages_now();
		b->tables = as.nr_pt_pages;
	}
	vmm_test_fail_after(inject);
}

static void after_call(const struct expect *x, const struct before *b, int got)
{
	vmm_test_fail_after(-1);
	struct vmm_stats s = vmm_stats;
	/* The program as it runs: FUZZ_VERBOSE=1 shows it, and a failure report ends with it. */
	printk("fuzz_vmm: %s = %d\n", desc, got);
	CHECK(got == x->err, "%s returned %d, the model expects %d", desc, got, x->err);
	if (got) {
		CHECK(space_sum() == b->sum && as.nr_pt_pages == b->tables,
		      "%s failed (%d) but changed the tables (%lu table pages, %lu before)", desc,
		      got, as.nr_pt_pages, b->tables);
		CHECK(free_pages_now() == b->free, "%s failed (%d): %lu pages free, %lu before",
		      desc, got, free_pages_now(), b->free);
	}
	unsigned long splits = got ? 0 : x->splits, freed = got ? 0 : x->tables_freed;
	unsigned long nflush = got || !live ? 0 : x->nflush;
	CHECK(s.splits - b->stats.splits == splits, "%s: %lu splits counted, the model made %lu",
	      desc, s.splits - b->stats.splits, splits);
	CHECK(s.tables_freed - b->stats.tables_freed == freed,
	      "%s: %lu emptied tables counted, the model emptied %lu", desc,
	      s.tables_freed - b->stats.tables_freed, freed);
	unsigned long pages = nflush && nflush <= VMM_FLUSH_THRESHOLD ? nflush : 0;
	unsigned long all = nflush > VMM_FLUSH_THRESHOLD;
	CHECK(s.flush_page - b->stats.flush_page == pages &&
		      s.flush_all - b->stats.flush_all == all,
	      "%s (%s): %lu single-page and %lu full flushes, the model expects %lu and %lu "
	      "(%lu entries changed)",
	      desc, live ? "live" : "not live", s.flush_page - b->stats.flush_page,
	      s.flush_all - b->stats.flush_all, pages, all, nflush);
	if (!got)
		commit();
}

/* Say in desc when table-page allocations are made to fail, and after how many. */
static void fail_note(long inject)
{
	size_t len = strlen(desc);
	if (inject >= 0)
		snprintf(desc + len, sizeof(desc) - len, " with allocations failing after %ld",
			 inject);
}

static int do_map(uint64_t va, uint64_t pa, uint64_t size, unsigned prot, long inject)
{
	struct expect x = { 0, 0, 0, 0 };
	struct before b;
	const char *why;
	uint64_t last = 0;

	snprintf(desc, sizeof(desc), "op %u: vmm_map(%#lx, pa %#lx, size %#lx, prot %#x)", op_no,
		 va, pa, size, prot);
	fail_note(inject);
	if ((why = bad_range(va, size, &last)) || (why = bad_prot(va, prot)) ||
	    (why = bad_pa(pa, size))) {
		x.err = -EINVAL;
	} else if (m_overlaps(&cur, va, last)) {
		x.err = -EEXIST;
	} else {
		struct run runs[8];
		uint64_t end;
		unsigned n = plan_map(va, last, pa, UINT64_MAX, runs, &end);
		m_copy(&nxt, &cur);
		unsigned at = m_lower(&nxt, va);
		for (unsigned k = 0; k < n; k++) {
			struct ext e = { runs[k].va, runs[k].last, pa + (runs[k].va - va),
					 norm_prot(prot), runs[k].shift };
			m_insert(&nxt, at + k, &e);
		}
		unsigned long need = m_tables(&nxt) - m_tables(&cur);
		if (inject >= 0 && need > (unsigned long)inject)
			x.err = -ENOMEM;
	}
	before_call(&x, &b, inject);
	int err = vmm_map(&as, va, pa, size, prot);
	after_call(&x, &b, err);
	check_around(va, va + size - 1);
	return err;
}

/* Unmap [va, va + size) in nxt (a copy of cur): the edges cut, the leaves inside removed. */
static void model_unmap(uint64_t va, uint64_t last, struct expect *x)
{
	m_copy(&nxt, &cur);
	m_cut(&nxt, va, -1, &x->splits);
	if (last != UINT64_MAX)
		m_cut(&nxt, last + 1, -1, &x->splits);
	unsigned i = m_lower(&nxt, va), j = i;
	unsigned long removed = 0;
	for (; j < nxt.n && nxt.e[j].va <= last; j++) {
		CHECK(nxt.e[j].va >= va && nxt.e[j].last <= last,
		      "%s: harness: model extent [%#lx, %#lx] straddles the range", desc,
		      nxt.e[j].va, nxt.e[j].last);
		removed += ext_leaves(&nxt.e[j]);
	}
	m_delete(&nxt, i, j - i);
	x->nflush = removed + x->splits;
	x->tables_freed = m_tables(&cur) + x->splits - m_tables(&nxt);
}

static int do_unmap(uint64_t va, uint64_t size, long inject)
{
	struct expect x = { 0, 0, 0, 0 };
	struct before b;
	uint64_t last = 0;

	snprintf(desc, sizeof(desc), "op %u: vmm_unmap(%#lx, size %#lx)", op_no, va, size);
	fail_note(inject);
	if (bad_range(va, size, &last)) {
		x.err = -EINVAL;
	} else {
		model_unmap(va, last, &x);
		if (inject >= 0 && x.splits > (unsigned long)inject)
			x.err = -ENOMEM;
	}
	before_call(&x, &b, inject);
	int err = vmm_unmap(&as, va, size);
	after_call(&x, &b, err);
	check_around(va, va + size - 1);
	return err;
}

static int do_protect(uint64_t va, uint64_t size, unsigned prot, long inject)
{
	struct expect x = { 0, 0, 0, 0 };
	struct before b;
	uint64_t last = 0, hole;

	snprintf(desc, sizeof(desc), "op %u: vmm_protect(%#lx, size %#lx, prot %#x)", op_no, va,
		 size, prot);
	fail_note(inject);
	if (bad_range(va, size, &last) || bad_prot(va, prot)) {
		x.err = -EINVAL;
	} else if (m_hole(&cur, va, last, &hole)) {
		x.err = -ENOENT;
	} else {
		unsigned np = norm_prot(prot);
		unsigned long rewritten = 0;
		m_copy(&nxt, &cur);
		m_cut(&nxt, va, (int)np, &x.splits);
		if (last != UINT64_MAX)
			m_cut(&nxt, last + 1, (int)np, &x.splits);
		for (unsigned i = m_lower(&nxt, va); i < nxt.n && nxt.e[i].va <= last; i++) {
			struct ext *e = &nxt.e[i];
			if (e->prot == np)
				continue;
			CHECK(e->va >= va && e->last <= last,
			      "%s: harness: model extent [%#lx, %#lx] straddles the range", desc,
			      e->va, e->last);
			rewritten += ext_leaves(e);
			e->prot = np;
		}
		x.nflush = rewritten + x.splits;
		if (inject >= 0 && x.splits > (unsigned long)inject)
			x.err = -ENOMEM;
	}
	before_call(&x, &b, inject);
	int err = vmm_protect(&as, va, size, prot);
	after_call(&x, &b, err);
	check_around(va, va + size - 1);
	return err;
}

static int do_guard(uint64_t va, long inject)
{
	struct expect x = { 0, 0, 0, 0 };
	struct before b;
	uint64_t page = va & ~(PAGE_SIZE_4K - 1);
	int was = -1;

	snprintf(desc, sizeof(desc), "op %u: vmm_guard_page(%#lx)", op_no, va);
	fail_note(inject);
	if (!canonical(page)) {
		x.err = -EINVAL;
	} else {
		was = m_find(&cur, page);
		model_unmap(page, page + PAGE_SIZE_4K - 1, &x);
		if (inject >= 0 && x.splits > (unsigned long)inject)
			x.err = -ENOMEM;
	}
	uint64_t pa = was >= 0 ? cur.e[was].pa + (page - cur.e[was].va) : 0;
	before_call(&x, &b, inject);
	int err = vmm_guard_page(&as, va);
	after_call(&x, &b, err);
	/* The frame that was mapped there is marked, if it is RAM (only the window is). */
	if (!err && was >= 0 && pa >= window_pa && pa < window_pa + WINDOW_PAGES * PAGE_SIZE_4K)
		guard_model[(pa - window_pa) >> PAGE_SHIFT] = true;
	check_window();
	check_around(page, page + PAGE_SIZE_4K - 1);
	return err;
}

static int never_called(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	(void)arg;
	CHECK(false, "%s: vmm_walk_leaves called back for %#lx -> %#lx size %#lx prot %#x", desc,
	      va, pa, size, prot);
	return 0;
}

/* Every call on a space that was never initialised, and on NULL: refused, nothing touched. */
static void do_uninitialised(void)
{
	static struct vmm_space none;
	struct vmm_space *spaces[2] = { &none, NULL };
	struct vmm_translation tr;
	uint64_t va = VMM_SCRATCH_BASE;

	for (unsigned k = 0; k < 2; k++) {
		struct vmm_space *s = spaces[k];
		snprintf(desc, sizeof(desc), "op %u: calls on %s", op_no,
			 s ? "an uninitialised space" : "NULL");
		CHECK(vmm_map(s, va, FAR_PA, PAGE_SIZE_4K, VM_READ) == -EINVAL, "%s: vmm_map",
		      desc);
		CHECK(vmm_unmap(s, va, PAGE_SIZE_4K) == -EINVAL, "%s: vmm_unmap", desc);
		CHECK(vmm_protect(s, va, PAGE_SIZE_4K, VM_READ) == -EINVAL, "%s: vmm_protect",
		      desc);
		CHECK(vmm_guard_page(s, va) == -EINVAL, "%s: vmm_guard_page", desc);
		CHECK(vmm_translate(s, va, &tr) == -ENOENT, "%s: vmm_translate", desc);
		CHECK(vmm_walk_leaves(s, 0, UINT64_MAX, never_called, NULL) == 0,
		      "%s: vmm_walk_leaves", desc);
		CHECK(vmm_check(s) == 0, "%s: vmm_check", desc);
		vmm_space_destroy(s); /* nothing to free: returns */
		vmm_dump_walk(s, va);
		vmm_dump_layout(s);
		CHECK(strstr(host_printk_log(), "not initialised"), "%s: the dumps did not say so",
		      desc);
	}
}

/*
 * The monitor's views of the space: vmm_dump_layout's summary line counts
 * the leaves of each size and the table pages; vmm_dump_walk of a mapped
 * address ends in the physical address it maps to, of anything else in
 * "not present" (or "non-canonical").
 */
static NO_COVERAGE void check_dumps(void)
{
	uint64_t n[3] = { 0, 0, 0 };
	char want[160];

	for (unsigned i = 0; i < cur.n; i++)
		n[(cur.e[i].shift - 12) / 9] += ext_leaves(&cur.e[i]);
	host_printk_log_clear();
	vmm_dump_layout(&as);
	snprintf(want, sizeof(want), "leaves: %lu x 1G, %lu x 2M, %lu x 4K; page-table pages: %lu",
		 n[2], n[1], n[0], m_tables(&cur));
	CHECK(strstr(host_printk_log(), want), "%s: vmm_dump_layout does not say \"%s\"", desc,
	      want);

	uint64_t va = VMM_SCRATCH_BASE + op_no * PAGE_SIZE_2M + 0x123;
	if (cur.n) {
		const struct ext *e = &cur.e[op_no % cur.n];
		va = op_no & 1 ? e->last - 0x321 : e->va - 1;
	}
	int i = canonical(va) ? m_find(&cur, va) : -1;
	if (i >= 0)
		snprintf(want, sizeof(want), "va maps to phys 0x%lx",
			 cur.e[i].pa + (va - cur.e[i].va));
	else
		snprintf(want, sizeof(want), "%s", canonical(va) ? "not present" : "non-canonical");
	host_printk_log_clear();
	vmm_dump_walk(&as, va);
	CHECK(strstr(host_printk_log(), want), "%s: vmm_dump_walk(%#lx) does not say \"%s\"", desc,
	      va, want);
}

static void set_live(bool on)
{
	live = on;
	arch_write_cr3(on ? as.pml4_phys : 0);
}

/* ---- decoding ---- */

static uint64_t jitter(uint8_t j, bool neg)
{
	uint64_t m = j >> 2;
	static const uint64_t unit[4] = { 0, PAGE_SIZE_4K, PAGE_SIZE_2M, 128 };
	uint64_t v = m * unit[j & 3];
	return neg ? (uint64_t)0 - v : v;
}

static uint64_t gran(uint8_t sel)
{
	static const uint64_t g[4] = { PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G, 512 * GiB };
	return g[(sel >> 3) & 3];
}

/* A point of extent c % n: its start, the address past its end, its middle, its last page. */
static uint64_t ext_point(uint8_t c, unsigned which)
{
	const struct ext *e = &cur.e[c % cur.n];
	switch (which & 3) {
	case 0:
		return e->va;
	case 1:
		return e->last + 1;
	case 2:
		return e->va + (((e->last - e->va) / 2) & ~(PAGE_SIZE_4K - 1));
	default:
		return e->last + 1 - PAGE_SIZE_4K;
	}
}

static uint64_t decode_addr(struct fuzz_in *in)
{
	uint8_t s = in_u8(in), c = in_u8(in), j = in_u8(in);
	uint64_t g = gran(s), jit = jitter(j, s & 0x20);

	switch (s & 7) {
	case 2:
	case 3:
		if (cur.n)
			return ext_point(c, s >> 6) + jit;
		return VMM_SCRATCH_BASE + c * g + jit;
	case 4:
		return USER_BASE + c * g + jit;
	case 5:
		return LOWER_END - c * g - jit;
	case 6:
		if (s & 0x40)
			return (uint64_t)0 - c * g - jit;
		return UPPER_START + c * g + jit;
	case 7:
		return in_u64(in);
	default:
		return VMM_SCRATCH_BASE + c * g + jit;
	}
}

static uint64_t decode_size(struct fuzz_in *in, uint64_t va)
{
	static const uint64_t huge[8] = { 1ULL << 47,	    (1ULL << 47) - PAGE_SIZE_4K,
					  1ULL << 48,	    1ULL << 63,
					  0 - PAGE_SIZE_4K, 0 - (1ULL << 47),
					  1ULL << 40,	    1ULL << 39 };
	static const uint64_t odd[8] = { 0,
					 1,
					 2 * KiB,
					 PAGE_SIZE_4K - 1,
					 6 * KiB,
					 PAGE_SIZE_2M - PAGE_SIZE_4K,
					 PAGE_SIZE_2M + PAGE_SIZE_4K,
					 PAGE_SIZE_1G - PAGE_SIZE_4K };
	uint8_t t = in_u8(in), c = in_u8(in), j = in_u8(in);
	uint64_t g = gran(t), jit = jitter(j, t & 0x20);

	switch (t & 7) {
	case 3:
		if (cur.n)
			return ext_point(c, t >> 6) - va + jit;
		return c * g + jit;
	case 4:
		return (user_half(va) ? LOWER_END : 0) - va + jit;
	case 5:
		return huge[c & 7];
	case 6:
		return odd[c & 7];
	case 7:
		return in_u64(in);
	default:
		return c * g + jit;
	}
}

static uint64_t decode_pa(struct fuzz_in *in, uint64_t va, uint64_t size)
{
	uint8_t m = in_u8(in), k = in_u8(in);
	uint64_t pa;

	switch (m & 7) {
	case 3:
		pa = FAR_PA + (va & (PAGE_SIZE_2M - 1)) + (2 * k + 1ULL) * PAGE_SIZE_2M;
		break;
	case 4:
		pa = FAR_PA + (va & (PAGE_SIZE_4K - 1)) + (2 * k + 1ULL) * PAGE_SIZE_4K;
		break;
	case 5:
		pa = window_pa + (va & (PAGE_SIZE_2M - 1)) + (m & 8 ? k * PAGE_SIZE_4K : 0);
		break;
	case 6:
		pa = phys_end - size + (k & 3) * 2 * KiB;
		break;
	case 7:
		pa = in_u64(in);
		break;
	default:
		pa = FAR_PA + (va & (PAGE_SIZE_1G - 1)) + k * PAGE_SIZE_1G;
		break;
	}
	return pa;
}

/* Keep mapped frames that are RAM inside the window: vmm_guard_page marks what it unmaps. */
static uint64_t keep_off_ram(uint64_t pa, uint64_t size)
{
	uint64_t end = pa + size;
	if (end < pa || pa >= RAM)
		return pa; /* refused anyway (wraps), or above RAM */
	if (pa >= window_pa && end <= window_pa + WINDOW_PAGES * PAGE_SIZE_4K)
		return pa;
	return pa + FAR_PA;
}

static unsigned decode_prot(struct fuzz_in *in, uint64_t va)
{
	static const unsigned base[8] = {
		0,
		VM_READ,
		VM_READ | VM_WRITE,
		VM_READ | VM_EXEC,
		VM_READ | VM_GLOBAL,
		VM_READ | VM_WRITE | VM_NOCACHE,
		VM_READ | VM_EXEC | VM_GLOBAL,
		VM_READ | VM_WRITE | VM_GLOBAL | VM_NOCACHE,
	};
	uint8_t p = in_u8(in);
	unsigned prot = base[p & 7];
	switch (p >> 5) {
	case 4:
		if (user_half(va))
			prot |= VM_USER;
		break;
	case 5:
		prot |= VM_USER;
		break;
	case 6:
		prot |= VM_WRITE | VM_EXEC;
		break;
	case 7:
		prot |= p & 8 ? 0x80 : 0x40;
		break;
	default:
		break;
	}
	return prot;
}

static void op_map(struct fuzz_in *in, long inject, bool retry)
{
	uint64_t va = decode_addr(in);
	uint64_t size = decode_size(in, va);
	uint64_t pa = decode_pa(in, va, size);
	unsigned prot = decode_prot(in, va);
	uint64_t last;

	pa = keep_off_ram(pa, size);
	if (!bad_range(va, size, &last) && !bad_prot(va, prot) && !bad_pa(pa, size)) {
		/* A valid map: cut it to its first MAP_BUDGET leaves (bounded work per call). */
		struct run runs[8];
		uint64_t end;
		plan_map(va, last, pa, MAP_BUDGET, runs, &end);
		size = end - va + 1;
	}
	if (do_map(va, pa, size, prot, inject) == -ENOMEM && retry)
		do_map(va, pa, size, prot, -1);
}

static void op_unmap(struct fuzz_in *in, long inject, bool retry)
{
	uint64_t va = decode_addr(in);
	uint64_t size = decode_size(in, va);
	if (do_unmap(va, size, inject) == -ENOMEM && retry)
		do_unmap(va, size, -1);
}

static void op_protect(struct fuzz_in *in, long inject, bool retry)
{
	uint64_t va = decode_addr(in);
	uint64_t size = decode_size(in, va);
	unsigned prot = decode_prot(in, va);
	if (do_protect(va, size, prot, inject) == -ENOMEM && retry)
		do_protect(va, size, prot, -1);
}

static void op_guard(struct fuzz_in *in, long inject, bool retry)
{
	uint64_t va = decode_addr(in);
	if (do_guard(va, inject) == -ENOMEM && retry)
		do_guard(va, -1);
}

static void op_walk(struct fuzz_in *in)
{
	uint64_t start = decode_addr(in);
	uint64_t size = decode_size(in, start);
	uint8_t k = in_u8(in);
	snprintf(desc, sizeof(desc), "op %u: vmm_walk_leaves(%#lx, %#lx, stop at %u)", op_no, start,
		 start + size - 1, k);
	check_walk(start, start + size - 1, k);
}

static void op_misc(struct fuzz_in *in, long inject, bool retry)
{
	switch (in_u8(in) % 4) {
	case 0:
		set_live(!live);
		break;
	case 1:
		do_uninitialised();
		break;
	case 2:
		/* Unmap everything: no edge falls inside a page, so nothing to split or fail. */
		if (do_unmap(0, LOWER_END, inject) == -ENOMEM && retry)
			do_unmap(0, LOWER_END, -1);
		if (do_unmap(UPPER_START, 0 - UPPER_START, inject) == -ENOMEM && retry)
			do_unmap(UPPER_START, 0 - UPPER_START, -1);
		break;
	default:
		snprintf(desc, sizeof(desc), "op %u: full check", op_no);
		check_walk(0, UINT64_MAX, 0);
		check_dumps();
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	host_ram_init(RAM);
	memblock_reset();
	memblock_add(0, RAM);
	memblock_reserve(0, 1 * MiB, "first 1 MiB");
	page_alloc_init();
	/* The window: RAM the harness owns, which maps may target (PG_guard is seen there). */
	struct page *w = alloc_pages(GFP_KERNEL, WINDOW_ORDER);
	if (!w)
		abort();
	window_pa = page_to_phys(w);
	phys_end = 1ULL << arch_phys_addr_bits();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t size_sel[8] = {
		VMM_PAGE_SIZES_ALL,	     VMM_PAGE_SIZES_ALL,
		PAGE_SIZE_4K | PAGE_SIZE_2M, PAGE_SIZE_4K,
		VMM_PAGE_SIZES_ALL,	     PAGE_SIZE_4K | PAGE_SIZE_2M,
		PAGE_SIZE_4K | PAGE_SIZE_1G, /* refused: see below */
		VMM_PAGE_SIZES_ALL,
	};
	struct fuzz_in in = { data, size };

	host_printk_log_clear();
	vmm_test_fail_after(-1);
	arch_write_cr3(0);
	live = false;
	cur.n = 0;
	memset(guard_model, 0, sizeof(guard_model));
	op_no = 0;

	uint8_t cfg = in_u8(&in);
	allowed = size_sel[cfg & 7];
	uint64_t arg = allowed;
	if (cfg & 8)
		arg |= 0xdead00000000ULL | 0x801; /* not page sizes: ignored */
	if (cfg & 16)
		arg &= ~PAGE_SIZE_4K; /* always on anyway */
	free_before = free_pages_now();
	pt_before = read_vm_stat(NR_PAGETABLE);
	snprintf(desc, sizeof(desc), "vmm_space_init(sizes %#lx)", arg);
	if ((allowed & PAGE_SIZE_1G) && !(allowed & PAGE_SIZE_2M)) {
		/* refused before anything is allocated, with or without memory */
		vmm_test_fail_after(cfg & 32 ? 0 : -1);
		int err = vmm_space_init(&as, "fuzz", arg);
		vmm_test_fail_after(-1);
		CHECK(err == -EINVAL, "%s (1 GiB without 2 MiB pages) returned %d", desc, err);
		CHECK(free_pages_now() == free_before && read_vm_stat(NR_PAGETABLE) == pt_before,
		      "%s was refused but kept a page", desc);
		allowed = arg = VMM_PAGE_SIZES_ALL;
		snprintf(desc, sizeof(desc), "vmm_space_init(sizes %#lx)", arg);
	} else if (cfg & 32) {
		vmm_test_fail_after(0);
		int err = vmm_space_init(&as, "fuzz", arg);
		vmm_test_fail_after(-1);
		CHECK(err == -ENOMEM, "%s with no memory returned %d", desc, err);
		CHECK(free_pages_now() == free_before && read_vm_stat(NR_PAGETABLE) == pt_before,
		      "%s failed but kept a page", desc);
	}
	CHECK(vmm_space_init(&as, "fuzz", arg) == 0, "%s failed", desc);
	CHECK(as.page_sizes == allowed, "%s: page_sizes %#lx, expected %#lx", desc, as.page_sizes,
	      allowed);
	set_live(cfg & 64);
	check_space();

	for (op_no = 1; in.n && op_no <= MAX_OPS; op_no++) {
		uint8_t o = in_u8(&in);
		long inject = o & 8 ? (long)(in_u8(&in) % 8) : -1;
		bool retry = o & 16;
		host_printk_log_clear();
		switch (o & 7) {
		case 1:
			op_unmap(&in, inject, retry);
			break;
		case 2:
			op_protect(&in, inject, retry);
			break;
		case 3:
			op_guard(&in, inject, retry);
			break;
		case 4: {
			uint64_t va = decode_addr(&in);
			snprintf(desc, sizeof(desc), "op %u: vmm_translate(%#lx)", op_no, va);
			check_va(va);
			check_around(va, va);
			break;
		}
		case 5:
			op_walk(&in);
			break;
		case 6:
			op_misc(&in, inject, retry);
			break;
		default:
			op_map(&in, inject, retry);
			break;
		}
		check_space();
		if (m_leaves(&cur) <= WALK_LEAVES || op_no % 8 == 0) {
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
				 " (every leaf after)");
			check_walk(0, UINT64_MAX, 0);
		}
	}

	/* Every leaf once more, then everything back. */
	snprintf(desc, sizeof(desc), "the end of the program (%u operations)", op_no - 1);
	check_walk(0, UINT64_MAX, 0);
	check_space();
	check_window();
	set_live(false);
	vmm_space_destroy(&as);
	CHECK(read_vm_stat(NR_PAGETABLE) == pt_before,
	      "%s: NR_PAGETABLE %ld after destroy, %ld before", desc, read_vm_stat(NR_PAGETABLE),
	      pt_before);
	CHECK(free_pages_now() == free_before, "%s: %lu pages free after destroy, %lu before", desc,
	      free_pages_now(), free_before);
	unsigned long pfn = window_pa >> PAGE_SHIFT;
	for (unsigned i = 0; i < WINDOW_PAGES; i++)
		pfn_to_page(pfn + i)->flags &= ~PG_guard;
	return 0;
}
