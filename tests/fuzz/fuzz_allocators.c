/*
 * fuzz_allocators.c - libFuzzer harness for the page allocator (buddy and
 * per-CPU lists), the slab allocator and kmalloc, driven by a program of
 * operations decoded from the input and checked against a model.
 *
 * The world is the hosted one the random host tests use (tests/host/
 * slab_host_world.h): 64 MiB of fake RAM from 1 MiB up (a DMA zone below
 * 16 MiB and a DMA32 zone above), memblock, page_alloc_init, kmem_cache_init,
 * four CPUs. It is built once per process (LLVMFuzzerInitialize), and every
 * input gives back all it took, so that inputs stay independent: at the end
 * of each one the free page count must be exactly what it was before.
 *
 * The program: one opcode byte (% 16) and its argument bytes, until the
 * input ends (missing bytes read as 0):
 *
 *   0  cpu c                   make CPU c % 4 the current one
 *   1  alloc_pages o g         order o (o < 200: o % 11; else o - 189: 11.. =
 *                              impossible), gfp from g: zone bits {KERNEL,
 *                              ATOMIC, DMA, DMA32, DMA|ATOMIC, DMA32|ATOMIC},
 *                              bit 3 __GFP_ZERO, bit 4 __GFP_COMP, bit 5 NOWARN;
 *                              bits 6-7 the entry point: alloc_pages,
 *                              alloc_pages_info, __get_free_pages,
 *                              get_zeroed_page (order 0)
 *   2  __free_pages i f        free live block i (f bit 1: free_pages of its
 *                              address); f bit 0: free it again at once (a
 *                              double free)
 *   3  bad page free k a b     k % 6: a live block with the wrong order; a
 *                              tail page of one; a page below 1 MiB (never
 *                              RAM); a pointer into the middle of a struct
 *                              page; a pointer outside mem_map; the head of a
 *                              free block (found from pfn (a << 8 | b))
 *   4  kmalloc h s0 s1 s2 g    h % 4: kmalloc, kzalloc, kcalloc, kmalloc_info; size from
 *                              s2 % 8: 0, 1-64, -256, -1024, -8192, large
 *                              (8193 - 4 MiB), a power of two, impossible (over
 *                              4 MiB; kcalloc: n * size overflows); g as above
 *                              without COMP
 *   5  kfree i f               free live object i (kfree, or with f bit 1
 *                              kmem_cache_free for a cache object); f bit 0:
 *                              free it again at once (a double free)
 *   6  bad kfree k a0 a1       k % 8: an interior pointer of a live object; a
 *                              pointer below 1 MiB; a pointer outside RAM; a
 *                              page of a live alloc_pages block; a cache
 *                              object freed to another cache; ksize of a bad
 *                              pointer; kmem_cache_destroy of a kmalloc cache;
 *                              a pointer into a free buddy block
 *   7  krealloc i s0 s1 s2 g   resize live kmalloc object i (size as for 4)
 *   8  kmem_cache_create s0 s1 a f   size s1 << 8 | s0 (plus 64 KiB with f
 *                              bit 7: too large; 0: refused), align from a %
 *                              16 (among them 3, 24 and 128 KiB: refused),
 *                              f: bit 0 SLAB_HWCACHE_ALIGN, bit 1
 *                              SLAB_NO_MERGE, bit 2 an unknown flag, bit 3 a
 *                              constructor
 *   9  kmem_cache_alloc c f    from cache c: kmem_cache_zalloc if f bit 0,
 *                              else by f bits 2-3: plain, kmem_cache_zalloc,
 *                              with __GFP_ZERO, kmem_cache_alloc_info; f bit
 *                              1 GFP_ATOMIC
 *   10 kmem_cache_shrink c
 *   11 kmem_cache_destroy c    with objects still allocated: must be refused
 *   12 drain d                 kmem_cache_drain_all, slab_reclaim,
 *                              drain_all_pages or drain_local_pages
 *   13 check                   buddy_check and slab_check now
 *   14 ksize i                 of live object i (whose pattern then covers all
 *                              ksize bytes: the caller may use them)
 *   15 trace t                 mm_trace_set(t & 1): while on, every entry
 *                              point takes its traced, out-of-line variant
 *                              (off again at the end of the input)
 *
 * Checks (the model is: live page blocks with an owner per pfn, live objects
 * with their size, usable size and a pattern written over them, the caches
 * with their geometry):
 *   - every allocation is what its contract says: a page block aligned to
 *     its order, inside the zones gfp allows, in the allocated state
 *     (refcount 1, flags = zone | head + order, compound tails when asked),
 *     zeroed when asked, made only of pfns the model has free; an object
 *     8-byte aligned (a power-of-two kmalloc size: aligned to its size; a
 *     cache: to its alignment), zeroed when asked, constructed when the
 *     cache has a constructor, with ksize >= the size asked (the class
 *     size; whole pages above KMALLOC_MAX_CACHE_SIZE), below 16 MiB for
 *     GFP_DMA, outside every page block of the model; impossible requests
 *     give NULL (kmalloc(0): ZERO_SIZE_PTR); small requests do not fail
 *     while memory is plentiful; the _info variants' records agree with
 *     what was returned (path, zone, cache, object size);
 *   - nothing ever overwrites another live allocation: every pattern is
 *     verified before its object or block is freed, resized or reused, and
 *     all of them at the end;
 *   - every bad operation is reported and changes nothing: a refused page
 *     free returns -EINVAL and leaves the allocator's state identical
 *     (buddy_snapshot, list order included); a bad kfree, kmem_cache_free,
 *     ksize, double free or destroy adds exactly one report
 *     (slab_report_count) and the victim stays intact; good operations add
 *     none: at the end the count of reports equals the bad operations made;
 *     after every operation the count of reports is the model's;
 *   - buddy_check and slab_check find nothing, every 128 operations and at
 *     the end (buddy_check_full then);
 *   - at the end everything is freed and every cache destroyed without a
 *     report, the per-CPU layers drained, and the free page count is what
 *     it was before the input, NR_KMALLOC_LARGE 0.
 *
 * Bad frees are reported by the allocators with pr_err and counted
 * (slab_report_count, zone nr_bad_free) and never applied: in the hosted
 * build that is all they do (no abort), so they are ordinary operations
 * here. Only the double frees the allocators promise to see are made: the
 * second free comes right after the first, on the same CPU (the per-CPU
 * array's top-of-stack check and the slab's free-list head check; see
 * docs/07-per-cpu-object-caches.md for the ones only slab_check finds).
 *
 * tests/fuzz/fuzz_slab_debug.c compiles this file a second time with
 * FUZZ_SLAB_DEBUG defined: the same programs and model in a world booted
 * with slab_debug, one more opcode (16: corrupt an object the way
 * slab_debug exists to catch) and the dbg_* hooks declared below, which
 * predict and check its reports; in this build they do nothing.
 */
#include "tests/fuzz/fuzz_common.h"

#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/page_alloc_test.h"
#include "mm/provenance.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

/* The world of the slab host tests (tests/host/slab_host_world.h), smaller. */
#define SLAB_WORLD_RAM (64ULL << 20)
#ifdef FUZZ_SLAB_DEBUG
#define SLAB_WORLD_DEBUG 1
#endif
#include "tests/host/slab_host_world.h"
#define RAM	      SLAB_WORLD_RAM
#define NCPUS	      SLAB_WORLD_CPUS
#define MAX_BLOCKS    256
#define MAX_OBJS      1024
#define MAX_CACHES    8
#define CHECK_EVERY   128
#define CTOR_MAGIC    0xc0c0feedf00dcafeull
#define MAX_KMALLOC   (PAGE_SIZE << MAX_PAGE_ORDER)
#define DMA_LIMIT_PFN ZONE_DMA_END_PFN

struct block {
	struct page *page;
	unsigned order;
	uint32_t tag;
	uint64_t seed;
	bool comp;
};

struct obj {
	uint8_t *p;
	size_t size;   /* bytes the caller asked for (the pattern covers them) */
	size_t usable; /* ksize */
	uint64_t seed;
	int cache;    /* index in caches[], -1 for kmalloc */
	uint32_t tag; /* large kmalloc: the owner tag of its pages; 0 otherwise */
	unsigned cpu; /* the CPU that allocated it (slab_debug's reports name it) */
};

struct fcache {
	struct kmem_cache *c;
	size_t size, align;
	bool ctor;
	unsigned live;
	char name[24];
};

static struct block blocks[MAX_BLOCKS];
static unsigned nblocks;
static struct obj objs[MAX_OBJS];
static unsigned nobjs;
static struct fcache caches[MAX_CACHES];
static unsigned ncaches;
static uint32_t *owner; /* per pfn: the tag of the model's block holding it, 0 if none */
static uint32_t next_tag;
static unsigned long free_baseline, reports_expected, reports_base;
static unsigned cur_cpu;
static uint8_t zero_page[PAGE_SIZE];
static struct buddy_snapshot snap_before, snap_after;

/*
 * The slab_debug hooks (see the top). handed_out: an allocation returned p;
 * freed: o was just freed, returns the reports that free had to make;
 * double_freed: o was freed a second time; rezoned: o's kmalloc red zone
 * moved (krealloc in place, ksize), which first reported damage to the slack
 * of a request of old_size; pinned: o may not be freed now;
 * check_expected / check_reported: what slab_check must find now and its
 * messages; after_op: after each operation; end: before the end of a
 * program frees everything.
 */
#ifdef FUZZ_SLAB_DEBUG
#define NR_OPCODES 17
static void dbg_handed_out(uint8_t *p, size_t size, size_t usable);
static unsigned dbg_freed(const struct obj *o);
static void dbg_double_freed(const struct obj *o);
static void dbg_rezoned(const struct obj *o, size_t old_size);
static bool dbg_pinned(const struct obj *o);
static unsigned dbg_check_expected(void);
static void dbg_check_reported(void);
static void dbg_after_op(void);
static void dbg_end(void);
static void op_corrupt(struct fuzz_in *in);
#else
#define FUZZ_SLAB_DEBUG 0
#define NR_OPCODES	16
static inline void dbg_handed_out(uint8_t *p, size_t size, size_t usable)
{
	(void)p, (void)size, (void)usable;
}
static inline unsigned dbg_freed(const struct obj *o)
{
	(void)o;
	return 0;
}
static inline void dbg_double_freed(const struct obj *o)
{
	(void)o;
}
static inline void dbg_rezoned(const struct obj *o, size_t old_size)
{
	(void)o, (void)old_size;
}
static inline bool dbg_pinned(const struct obj *o)
{
	(void)o;
	return false;
}
static inline unsigned dbg_check_expected(void)
{
	return 0;
}
static inline void dbg_check_reported(void)
{
}
static inline void dbg_after_op(void)
{
}
static inline void dbg_end(void)
{
}
static inline void op_corrupt(struct fuzz_in *in)
{
	(void)in;
}
#endif

/*
 * slab_debug mode: the printk log of the current operation (cleared before
 * each) holds this text, formatted by the kernel's own printf so that
 * pointers read as in its reports. Nothing to check in the other build.
 */
__attribute__((format(printf, 1, 2))) static void expect_log(const char *fmt, ...)
{
	char want[256];
	va_list ap;
	if (!FUZZ_SLAB_DEBUG)
		return;
	va_start(ap, fmt);
	kvsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	CHECK(strstr(host_printk_log(), want), "no report saying \"%s\"", want);
}

/* ---- patterns ---- */

/* Byte i of an allocation filled with seed's pattern is byte i % 8 of pat_word(seed, i / 8). */
static uint64_t pat_word(uint64_t seed, size_t w)
{
	return (seed ^ (w * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
}

/* Fill or compare [from, to) of p with the pattern, a word at a time where aligned. */
static bool pat_apply(uint8_t *p, size_t from, size_t to, uint64_t seed, bool write)
{
	size_t i = from;
	for (; i < to && (i & 7); i++) {
		uint8_t b = (uint8_t)(pat_word(seed, i / 8) >> (8 * (i & 7)));
		if (write)
			p[i] = b;
		else if (p[i] != b)
			return false;
	}
	for (; i + 8 <= to; i += 8) {
		uint64_t w = pat_word(seed, i / 8), v;
		if (write) {
			memcpy(p + i, &w, 8);
		} else {
			memcpy(&v, p + i, 8);
			if (v != w)
				return false;
		}
	}
	for (; i < to; i++) {
		uint8_t b = (uint8_t)(pat_word(seed, i / 8) >> (8 * (i & 7)));
		if (write)
			p[i] = b;
		else if (p[i] != b)
			return false;
	}
	return true;
}

/*
 * The bytes of a size-byte allocation that carry the pattern: all of them
 * up to KMALLOC_MAX_CACHE_SIZE, else the first and last 64 and 8 at the
 * start of each page (enough to catch overlaps, cheap for 4 MiB blocks).
 * Fills them, or compares those below limit.
 */
static bool pat_ranges(uint8_t *p, size_t size, size_t limit, uint64_t seed, bool write)
{
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return pat_apply(p, 0, MIN(size, limit), seed, write);
	if (!pat_apply(p, 0, MIN((size_t)64, limit), seed, write))
		return false;
	for (size_t off = PAGE_SIZE; off + 8 <= size - 64; off += PAGE_SIZE)
		if (!pat_apply(p, MIN(off, limit), MIN(off + 8, limit), seed, write))
			return false;
	return pat_apply(p, MIN(size - 64, limit), MIN(size, limit), seed, write);
}

static void fill(uint8_t *p, size_t size, uint64_t seed)
{
	pat_ranges(p, size, size, seed, true);
}

static bool verify(uint8_t *p, size_t size, size_t limit, uint64_t seed)
{
	return pat_ranges(p, size, limit, seed, false);
}

static bool all_zero(const uint8_t *p, size_t size)
{
	for (size_t off = 0; off < size; off += PAGE_SIZE)
		if (memcmp(p + off, zero_page, MIN((size_t)PAGE_SIZE, size - off)))
			return false;
	return true;
}

/* ---- the model's pages ---- */

static unsigned long pfn_of(const void *p)
{
	return (unsigned long)(__pa(p) >> PAGE_SHIFT);
}

/* Claim [pfn, pfn + n) for tag: every pfn must be free in the model. */
static void own(unsigned long pfn, unsigned long n, uint32_t tag, const char *what)
{
	CHECK(pfn + n <= max_pfn, "%s: pfns %#lx+%lu beyond max_pfn", what, pfn, n);
	for (unsigned long i = 0; i < n; i++) {
		CHECK(owner[pfn + i] == 0,
		      "%s: pfn %#lx handed out again (the model has it in "
		      "block %u)",
		      what, pfn + i, owner[pfn + i]);
		owner[pfn + i] = tag;
	}
}

static void disown(unsigned long pfn, unsigned long n, uint32_t tag, const char *what)
{
	for (unsigned long i = 0; i < n; i++) {
		CHECK(owner[pfn + i] == tag, "%s: pfn %#lx changed owner (%u, not %u)", what,
		      pfn + i, owner[pfn + i], tag);
		owner[pfn + i] = 0;
	}
}

/* Plenty of memory: a quarter of it free and an order-5 block in DMA32 (no fragmentation excuse). */
static bool roomy(void)
{
	if (nr_free_pages() < mem_accounting.free_at_init / 4)
		return false;
	for (unsigned o = SLAB_MAX_ORDER; o <= MAX_PAGE_ORDER; o++)
		if (page_zones[ZONE_DMA32].free_area[o].nr_free)
			return true;
	return false;
}

static gfp_t decode_gfp(uint8_t g, bool comp_ok)
{
	static const gfp_t zone[8] = { GFP_KERNEL,
				       GFP_ATOMIC,
				       GFP_DMA,
				       GFP_DMA32,
				       GFP_DMA | GFP_ATOMIC,
				       GFP_DMA32 | GFP_ATOMIC,
				       GFP_KERNEL,
				       GFP_KERNEL };
	gfp_t gfp = zone[g & 7];
	if (g & 8)
		gfp |= __GFP_ZERO;
	if ((g & 16) && comp_ok)
		gfp |= __GFP_COMP;
	if (g & 32)
		gfp |= __GFP_NOWARN;
	return gfp;
}

/* ---- operations on page blocks ---- */

static void op_alloc_pages(struct fuzz_in *in)
{
	uint8_t o = in_u8(in), g = in_u8(in);
	unsigned order = o < 200 ? o % 11u : (unsigned)o - 189u;
	gfp_t gfp = decode_gfp(g, true);
	struct page_alloc_info info;
	struct page *p;

	/* The same allocation through each entry point of mm/gfp.h. */
	switch (g >> 6) {
	case 0:
		p = alloc_pages(gfp, order);
		break;
	case 1: {
		p = alloc_pages_info(gfp, order, &info);
		CHECK((info.path == PA_FAILED) == !p, "alloc_pages_info: path %u for %p", info.path,
		      (void *)p);
		if (p)
			CHECK(info.zone == page_zonenum(p) &&
				      info.fallback == (info.zone != info.preferred_zone),
			      "alloc_pages_info: zone %u (preferred %u, fallback %d), the block's "
			      "%u",
			      info.zone, info.preferred_zone, info.fallback, page_zonenum(p));
		break;
	}
	case 2: {
		uintptr_t a = __get_free_pages(gfp, order);
		p = a ? virt_to_page((void *)a) : NULL;
		break;
	}
	default: {
		uintptr_t a = order ? __get_free_pages(gfp, order) : get_zeroed_page(gfp);
		if (!order)
			gfp |= __GFP_ZERO; /* what get_zeroed_page promises */
		p = a ? virt_to_page((void *)a) : NULL;
		break;
	}
	}

	if (order > MAX_PAGE_ORDER) {
		CHECK(p == NULL, "alloc_pages(order %u) did not fail", order);
		return;
	}
	if (!p)
		return; /* memory can run out; the model has no opinion on fragmentation */
	unsigned long pfn = page_to_pfn(p), n = 1UL << order;
	uint32_t zone_bits = p->flags & PG_ZONE_MASK;
	uint32_t expect = order ? PG_head | (order << PG_ORDER_SHIFT) : 0;
	CHECK(!(pfn & (n - 1)), "order %u block at unaligned pfn %#lx", order, pfn);
	CHECK(!(gfp & __GFP_DMA) || pfn + n <= DMA_LIMIT_PFN, "GFP_DMA block at pfn %#lx", pfn);
	CHECK(p->_refcount == 1 && (p->flags & ~PG_ZONE_MASK) == expect,
	      "new block at pfn %#lx: flags %#x refcount %d", pfn, p->flags, p->_refcount);
	for (unsigned long i = 1; i < n; i++) {
		const struct page *t = p + i;
		if (gfp & __GFP_COMP)
			CHECK((t->flags & ~PG_ZONE_MASK) == PG_tail && t->compound_head == p,
			      "compound tail pfn %#lx: flags %#x", pfn + i, t->flags);
		else
			CHECK(!(t->flags & ~PG_ZONE_MASK), "tail pfn %#lx has role flags %#x",
			      pfn + i, t->flags);
		CHECK((t->flags & PG_ZONE_MASK) == zone_bits, "block at pfn %#lx crosses zones",
		      pfn);
	}
	if (gfp & __GFP_ZERO)
		CHECK(all_zero(page_address(p), PAGE_SIZE << order),
		      "__GFP_ZERO block at pfn %#lx not zero", pfn);
	if (nblocks == MAX_BLOCKS) {
		__free_pages(p, order);
		return;
	}
	struct block *b = &blocks[nblocks++];
	uint32_t tag = ++next_tag;
	*b = (struct block){ p, order, tag, pat_word(tag, 77), !!(gfp & __GFP_COMP) };
	own(pfn, n, b->tag, "alloc_pages");
	fill(page_address(p), PAGE_SIZE << order, b->seed);
}

static void verify_block(const struct block *b, const char *what)
{
	CHECK(verify(page_address(b->page), PAGE_SIZE << b->order, SIZE_MAX, b->seed),
	      "%s: block at pfn %#lx (order %u) was overwritten", what, page_to_pfn(b->page),
	      b->order);
}

/*
 * A refused free: -EINVAL, and the allocator's state exactly as before: every
 * free list, per-CPU list and counter, and the descriptors of the largest
 * block around the page (the whole of mem_map would be as good a witness,
 * and 16 times slower).
 */
static void refused_page_free(struct page *page, unsigned order, const char *what)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;
	unsigned long lo = 1, hi = 1; /* an empty window: the page is not in mem_map */
	if (off < max_pfn * sizeof(struct page)) {
		lo = ALIGN_DOWN(off / sizeof(struct page), 1UL << MAX_PAGE_ORDER);
		hi = lo + (1UL << MAX_PAGE_ORDER);
	}
	buddy_snapshot(&snap_before, lo, hi);
	int ret = free_pages_checked(page, order, 0);
	CHECK(ret == -EINVAL, "%s (page %p order %u) was accepted (%d)", what, (void *)page, order,
	      ret);
	buddy_snapshot(&snap_after, lo, hi);
	CHECK(buddy_snapshot_equal(&snap_before, &snap_after, true, what),
	      "%s changed the allocator's state", what);
}

static void op_free_pages(struct fuzz_in *in)
{
	uint8_t i = in_u8(in), f = in_u8(in);
	if (!nblocks)
		return;
	unsigned at = i % nblocks;
	struct block b = blocks[at];
	blocks[at] = blocks[--nblocks];
	verify_block(&b, "__free_pages");
	disown(page_to_pfn(b.page), 1UL << b.order, b.tag, "__free_pages");
	if (f & 2)
		free_pages((uintptr_t)page_address(b.page), b.order);
	else
		__free_pages(b.page, b.order);
	if (f & 1)
		refused_page_free(b.page, b.order, "double __free_pages");
}

static void op_bad_page_free(struct fuzz_in *in)
{
	uint8_t k = in_u8(in), a = in_u8(in), bb = in_u8(in);
	const struct block *b = nblocks ? &blocks[(a ^ bb) % nblocks] : NULL;
	switch (k % 6) {
	case 0: /* wrong order: any other, or one above MAX_PAGE_ORDER */
		if (b) {
			unsigned order = a % 16;
			if (order == b->order)
				order = order ? order - 1 : 1;
			refused_page_free(b->page, order, "free with the wrong order");
		}
		break;
	case 1: /* a tail page of a live block */
		if (b && b->order)
			refused_page_free(b->page + 1 + bb % ((1u << b->order) - 1), a % 11,
					  "free of a tail page");
		break;
	case 2: /* below 1 MiB: never RAM in this world */
		refused_page_free(pfn_to_page(a % 256), bb % 11, "free of a page below 1 MiB");
		break;
	case 3: /* inside a descriptor */
		refused_page_free((struct page *)((char *)pfn_to_page((a << 8 | bb) % max_pfn) + 1 +
						  a % (sizeof(struct page) - 1)),
				  0, "free of a misaligned struct page pointer");
		break;
	case 4: /* outside mem_map, both sides */
		refused_page_free((struct page *)((uintptr_t)mem_map +
						  (a & 1 ? max_pfn + bb : -(uintptr_t)(1 + bb)) *
							  sizeof(struct page)),
				  0, "free of a pointer outside mem_map");
		break;
	default: { /* the head of a free block */
		for (unsigned long n = 0, pfn = (a << 8 | bb) % max_pfn; n < max_pfn;
		     n++, pfn = (pfn + 1) % max_pfn) {
			const struct page *p = pfn_to_page(pfn);
			if (p->flags & (PG_buddy | PG_pcp)) {
				refused_page_free((struct page *)p, page_order(p),
						  "free of a free block");
				break;
			}
		}
		break;
	}
	}
	if (b)
		verify_block(b, "after a refused free");
}

/* ---- objects ---- */

static size_t decode_size(uint8_t s0, uint8_t s1, uint8_t s2)
{
	size_t v = (size_t)s1 << 8 | s0;
	switch (s2 % 8) {
	case 0:
		return 0;
	case 1:
		return 1 + v % 64;
	case 2:
		return 1 + v % 256;
	case 3:
		return 1 + v % 1024;
	case 4:
		return 1 + v % KMALLOC_MAX_CACHE_SIZE;
	case 5:
		return KMALLOC_MAX_CACHE_SIZE + 1 +
		       (v << 6) % (MAX_KMALLOC - KMALLOC_MAX_CACHE_SIZE);
	case 6:
		return (size_t)1 << (v % 23);
	default:
		return s2 & 8 ? SIZE_MAX - v : MAX_KMALLOC + 1 + v;
	}
}

static size_t large_bytes(size_t size)
{
	size_t bytes = PAGE_SIZE;
	while (bytes < size)
		bytes *= 2;
	return bytes;
}

/* A kmalloc request that is served by whole pages, not a size class. */
static bool kmalloc_is_large(size_t size, gfp_t gfp)
{
	return size > KMALLOC_MAX_CACHE_SIZE || (gfp & (__GFP_DMA | __GFP_DMA32));
}

/*
 * ksize(p) of a kmalloc object of size bytes just allocated. In slab_debug
 * mode ksize also tells the allocator that the caller now uses the whole
 * class, which lifts the red zone off the slack (mm/kmalloc.c): there the
 * class size stands in for it, so that the slack stays guarded (op_ksize
 * still asks ksize, and checks its answer).
 */
static size_t kmalloc_usable(uint8_t *p, size_t size, bool large)
{
	if (FUZZ_SLAB_DEBUG && !large)
		return kmalloc_cache_for(size)->object_size;
	return ksize(p);
}

/* Record a new object (or give it back if the table is full); checks what is common. */
static void new_obj(uint8_t *p, size_t size, int cache, gfp_t gfp, bool zeroed, const char *what)
{
	bool large = cache < 0 && kmalloc_is_large(size, gfp);
	size_t usable = cache < 0 ? kmalloc_usable(p, size, large) : ksize(p);
	if (!large)
		dbg_handed_out(p, size, usable);
	CHECK(usable >= size, "%s: ksize %zu < size %zu", what, usable, size);
	CHECK(!((uintptr_t)p & 7), "%s: object %p not 8-byte aligned", what, (void *)p);
	if (zeroed)
		CHECK(all_zero(p, size), "%s: object %p (%zu bytes) not zeroed", what, (void *)p,
		      size);
	uint32_t tag = 0;
	if (cache < 0) {
		if (large) {
			/*
			 * Whole pages, aligned to their size physically; the hosted direct
			 * map is aligned to HOST_RAM_ALIGN only, so virtually up to that.
			 */
			CHECK(usable == large_bytes(size) && !(__pa(p) & (usable - 1)) &&
				      !((uintptr_t)p & (MIN(usable, HOST_RAM_ALIGN) - 1)),
			      "%s: large object %p of %zu bytes: ksize %zu", what, (void *)p, size,
			      usable);
			CHECK(!(gfp & __GFP_DMA) || pfn_of(p) + usable / PAGE_SIZE <= DMA_LIMIT_PFN,
			      "%s: GFP_DMA object at %p", what, (void *)p);
			tag = ++next_tag;
			own(pfn_of(p), usable / PAGE_SIZE, tag, what);
		} else {
			CHECK(usable == kmalloc_cache_for(size)->object_size,
			      "%s: ksize %zu is not the class of %zu", what, usable, size);
			if (IS_POWER_OF_2(
				    size)) /* (size <= KMALLOC_MAX_CACHE_SIZE < HOST_RAM_ALIGN) */
				CHECK(!((uintptr_t)p & (size - 1)),
				      "%s: %zu-byte object %p not aligned to its size", what, size,
				      (void *)p);
		}
	} else {
		const struct fcache *fc = &caches[cache];
		CHECK(usable == fc->size, "%s: ksize %zu for a cache of %zu", what, usable,
		      fc->size);
		CHECK(!((uintptr_t)p & (fc->align - 1)), "%s: object %p not aligned to %zu", what,
		      (void *)p, fc->align);
		if (fc->ctor && !zeroed) {
			uint64_t m;
			memcpy(&m, p, 8);
			CHECK(m == CTOR_MAGIC,
			      "%s: object %p of a cache with a constructor is not "
			      "constructed",
			      what, (void *)p);
		}
	}
	if (!tag) {
		/* A slab object never lies in a page the model holds as a block. */
		CHECK(!owner[pfn_of(p)] && !owner[pfn_of(p + usable - 1)],
		      "%s: object %p inside a live page block", what, (void *)p);
	}
	if (nobjs == MAX_OBJS) {
		if (tag)
			disown(pfn_of(p), usable / PAGE_SIZE, tag, what);
		if (cache >= 0 && caches[cache].ctor)
			memcpy(p, &(uint64_t){ CTOR_MAGIC }, 8);
		kfree(p);
		return;
	}
	struct obj *o = &objs[nobjs++];
	*o = (struct obj){ p, size, usable, pat_word(++next_tag, 99), cache, tag, cur_cpu };
	if (cache >= 0)
		caches[cache].live++;
	fill(p, size, o->seed);
}

static void verify_obj(const struct obj *o, const char *what)
{
	CHECK(verify(o->p, o->size, SIZE_MAX, o->seed), "%s: object %p (%zu bytes) was overwritten",
	      what, (void *)o->p, o->size);
}

static void op_kmalloc(struct fuzz_in *in)
{
	uint8_t h = in_u8(in), s0 = in_u8(in), s1 = in_u8(in), s2 = in_u8(in), g = in_u8(in);
	size_t size = decode_size(s0, s1, s2);
	gfp_t gfp = decode_gfp(g, false);
	bool ok_to_fail = !roomy() || size > KMALLOC_MAX_CACHE_SIZE || (gfp & __GFP_DMA);
	bool impossible = size > MAX_KMALLOC;
	uint8_t *p;
	const char *what;

	struct kmalloc_info info = { .path = NR_SA_PATHS };
	switch (h % 4) {
	case 0:
		what = "kmalloc";
		p = kmalloc(size, gfp);
		break;
	case 3:
		what = "kmalloc_info";
		p = kmalloc_info(size, gfp, &info);
		break;
	case 1:
		what = "kzalloc";
		p = kzalloc(size, gfp);
		break;
	default: {
		/* n * each == size, or an overflowing product for the impossible sizes. */
		size_t n = 1 + s0 % 16, each = size / n;
		what = "kcalloc";
		if (impossible) {
			n = SIZE_MAX / 3;
			each = 4 + s1;
		}
		size = n * each;
		p = kcalloc(n, each, gfp);
		break;
	}
	}
	if (h % 4 == 3) {
		/* The record says how the allocation was served: a class, a block, nothing. */
		bool large = kmalloc_is_large(size, gfp);
		enum slab_alloc_path want = !p	    ? SA_FAILED
					    : !size ? SA_ZERO
					    : large ? SA_LARGE
						    : NR_SA_PATHS;
		CHECK(want != NR_SA_PATHS ? info.path == want : info.path <= SA_DIRECT,
		      "kmalloc_info(%zu): path %u for %p", size, info.path, (void *)p);
		if (p && size)
			CHECK(info.obj_size == kmalloc_usable(p, size, large),
			      "kmalloc_info(%zu): obj_size %u, ksize %zu", size, info.obj_size,
			      kmalloc_usable(p, size, large));
	}
	if (impossible) {
		CHECK(p == NULL, "%s of an impossible size (%zu) returned %p", what, size,
		      (void *)p);
		return;
	}
	if (size == 0) {
		CHECK(p == ZERO_SIZE_PTR, "%s(0) returned %p, not ZERO_SIZE_PTR", what, (void *)p);
		kfree(p); /* accepted, and nothing to do */
		return;
	}
	if (!p) {
		CHECK(ok_to_fail, "%s(%zu, %#x) failed with plenty of memory free", what, size,
		      gfp);
		return;
	}
	new_obj(p, size, -1, gfp, h % 4 == 1 || h % 4 == 2 || (gfp & __GFP_ZERO), what);
}

/*
 * Give back a live object the way it came (kfree, or kmem_cache_free for a
 * cache's). Returns the reports the free must make: none, but in slab_debug
 * mode one per guarded region the program overwrote.
 */
static unsigned free_obj(struct obj *o, bool by_cache)
{
	if (o->cache >= 0 && caches[o->cache].ctor)
		memcpy(o->p, &(uint64_t){ CTOR_MAGIC }, 8); /* freed objects are constructed */
	if (o->tag)
		disown(pfn_of(o->p), o->usable / PAGE_SIZE, o->tag, "kfree");
	if (o->cache >= 0)
		caches[o->cache].live--;
	if (o->cache >= 0 && by_cache)
		kmem_cache_free(caches[o->cache].c, o->p);
	else
		kfree(o->p);
	return dbg_freed(o);
}

/* Exactly one more report than before, from a call that must be refused. */
#define REPORTED(before, what)                                                                    \
	do {                                                                                      \
		reports_expected++;                                                               \
		CHECK(slab_report_count() == (before) + 1, "%s: %lu reports, expected one", what, \
		      slab_report_count() - (before));                                            \
	} while (0)

static void op_kfree(struct fuzz_in *in)
{
	uint8_t i = in_u8(in), f = in_u8(in);
	if (!nobjs || dbg_pinned(&objs[i % nobjs]))
		return;
	unsigned at = i % nobjs;
	struct obj o = objs[at];
	objs[at] = objs[--nobjs];
	verify_obj(&o, "kfree");
	unsigned long before = slab_report_count();
	unsigned damage = free_obj(&o, f & 2);
	CHECK(slab_report_count() == before + damage, "the free of %p made %lu reports, not %u",
	      (void *)o.p, slab_report_count() - before, damage);
	if (f & 1) {
		before = slab_report_count();
		if (o.cache >= 0 && (f & 2))
			kmem_cache_free(caches[o.cache].c, o.p);
		else
			kfree(o.p);
		REPORTED(before, "double free");
		dbg_double_freed(&o);
	}
}

/* The cache a live slab object (not a large kmalloc) belongs to, as the model sees it. */
static struct kmem_cache *obj_cache(const struct obj *o)
{
	return o->cache >= 0 ? caches[o->cache].c : kmalloc_cache_for(o->usable);
}

static void op_bad_kfree(struct fuzz_in *in)
{
	uint8_t k = in_u8(in), a0 = in_u8(in), a1 = in_u8(in);
	unsigned a = (unsigned)a1 << 8 | a0;
	unsigned long before = slab_report_count();
	struct obj *o = nobjs ? &objs[a % nobjs] : NULL;
	static uint64_t not_ram;
	uint8_t *bad;

	/* Each is reported once; slab_debug mode also checks what the report says. */
	switch (k % 8) {
	case 0: /* an interior pointer of a live object */
		if (!o || o->usable < 2)
			return;
		bad = o->p + 1 + a % (o->usable - 1);
		kfree(bad);
		REPORTED(before, "kfree of an interior pointer");
		if (o->tag && (size_t)(bad - o->p) >= PAGE_SIZE) /* its pages are not compound */
			expect_log("kfree: bad pointer %p: not in a slab page", bad);
		else if (o->tag)
			expect_log(
				"kfree: bad pointer %p: %lu bytes into a large kmalloc block at %p",
				bad, (unsigned long)(bad - o->p), o->p);
		else
			expect_log("kfree: bad pointer %p: not an object boundary in cache %s", bad,
				   obj_cache(o)->name);
		break;
	case 1: /* below 1 MiB */
		bad = __va(PAGE_SIZE + a % ((1u << 20) - PAGE_SIZE));
		kfree(bad);
		REPORTED(before, "kfree below 1 MiB");
		expect_log("kfree: bad pointer %p: not a direct-map address of RAM", bad);
		break;
	case 2: /* not RAM at all: a variable of ours, or past the end of RAM */
		bad = a & 1 ? (uint8_t *)&not_ram : (uint8_t *)__va(RAM) + a;
		kfree(bad);
		REPORTED(before, "kfree outside RAM");
		expect_log("kfree: bad pointer %p: not a direct-map address of RAM", bad);
		break;
	case 3: /* a page block from alloc_pages */
		if (!nblocks)
			return;
		bad = (uint8_t *)page_address(blocks[a % nblocks].page) + (a0 & 1) * 8;
		kfree(bad);
		REPORTED(before, "kfree of an alloc_pages block");
		expect_log("kfree: bad pointer %p: not in a slab page", bad);
		verify_block(&blocks[a % nblocks], "after kfree of an alloc_pages block");
		break;
	case 4: { /* a live object freed to a cache it does not belong to */
		if (!o || !ncaches)
			return;
		const struct fcache *fc = &caches[a1 % ncaches];
		if (o->cache >= 0 && &caches[o->cache] == fc)
			return;
		kmem_cache_free(fc->c, o->p);
		REPORTED(before, "kmem_cache_free to the wrong cache");
		if (o->tag)
			expect_log("kmem_cache_free(%s): bad pointer %p: not in a slab page",
				   fc->c->name, o->p);
		else
			expect_log("kmem_cache_free(%s): bad pointer %p: object of cache %s freed "
				   "to cache %s",
				   fc->c->name, o->p, obj_cache(o)->name, fc->c->name);
		break;
	}
	case 5: /* ksize of something kmalloc never returned */
		bad = __va(PAGE_SIZE + a);
		CHECK(ksize(bad) == 0, "ksize of a bad pointer is not 0");
		REPORTED(before, "ksize of a bad pointer");
		expect_log("ksize: bad pointer %p: not a direct-map address of RAM", bad);
		break;
	case 6: { /* kmalloc's own caches are not the caller's to destroy */
		struct kmem_cache *c = kmalloc_cache_for(1 + a % KMALLOC_MAX_CACHE_SIZE);
		kmem_cache_destroy(c);
		REPORTED(before, "kmem_cache_destroy of a kmalloc cache");
		expect_log("kmem_cache_destroy(%s): refusing to destroy a boot cache", c->name);
		break;
	}
	default: { /* inside a free buddy block */
		for (unsigned long n = 0, pfn = a % max_pfn; n < max_pfn;
		     n++, pfn = (pfn + 1) % max_pfn) {
			if (pfn_to_page(pfn)->flags & PG_buddy) {
				bad = (uint8_t *)__va(PFN_PHYS(pfn)) + a0;
				kfree(bad);
				REPORTED(before, "kfree of a free page");
				expect_log("kfree: bad pointer %p: not in a slab page", bad);
				break;
			}
		}
		break;
	}
	}
	if (o)
		verify_obj(o, "after a bad kfree");
}

static void op_krealloc(struct fuzz_in *in)
{
	uint8_t i = in_u8(in), s0 = in_u8(in), s1 = in_u8(in), s2 = in_u8(in), g = in_u8(in);
	size_t size = decode_size(s0, s1, s2);
	gfp_t gfp = decode_gfp(g, false);
	if (!nobjs || objs[i % nobjs].cache >= 0 || dbg_pinned(&objs[i % nobjs]))
		return; /* krealloc is for kmalloc's objects */
	struct obj *o = &objs[i % nobjs];
	verify_obj(o, "krealloc");
	bool roomy_before = roomy();
	uint8_t *n = krealloc(o->p, size, gfp);
	if (size == 0) {
		CHECK(n == ZERO_SIZE_PTR, "krealloc(p, 0) returned %p", (void *)n);
		if (o->tag)
			disown(pfn_of(o->p), o->usable / PAGE_SIZE, o->tag, "krealloc to 0");
		dbg_freed(o);
		*o = objs[--nobjs];
		return;
	}
	if (size > MAX_KMALLOC) {
		CHECK(n == NULL, "krealloc to an impossible size returned %p", (void *)n);
		verify_obj(o, "after a failed krealloc");
		return;
	}
	if (!n) {
		CHECK(!roomy_before || size > KMALLOC_MAX_CACHE_SIZE || (gfp & __GFP_DMA),
		      "krealloc(%zu) failed with plenty of memory free", size);
		verify_obj(o, "after a failed krealloc");
		return;
	}
	CHECK(verify(n, o->size, size, o->seed), "krealloc(%zu -> %zu) lost the contents", o->size,
	      size);
	/* Still fits its class or block: it stays (slab.c); else it moves. */
	CHECK((n == o->p) == (size <= o->usable), "krealloc(%zu -> %zu, ksize %zu) %s", o->size,
	      size, o->usable, n == o->p ? "stayed" : "moved");
	if (n != o->p) {
		if (o->tag)
			disown(pfn_of(o->p), o->usable / PAGE_SIZE, o->tag, "krealloc (moved)");
		bool large = kmalloc_is_large(size, gfp);
		uint32_t tag = 0;
		size_t usable = kmalloc_usable(n, size, large);
		CHECK(usable >= size, "krealloc: ksize %zu < %zu", usable, size);
		if (large) {
			tag = ++next_tag;
			own(pfn_of(n), usable / PAGE_SIZE, tag, "krealloc");
		} else {
			dbg_handed_out(n, size, usable);
		}
		dbg_freed(o); /* the old object */
		o->usable = usable;
		o->tag = tag;
		o->p = n;
		o->cpu = cur_cpu;
	}
	size_t old_size = o->size;
	o->size = size;
	dbg_rezoned(o, old_size); /* in place: krealloc checked the slack and red-zoned it anew */
	o->seed = pat_word(++next_tag, 99);
	fill(o->p, o->size, o->seed);
}

/* ---- caches ---- */

static void ctor(void *p)
{
	memcpy(p, &(uint64_t){ CTOR_MAGIC }, 8);
}

static void op_cache_create(struct fuzz_in *in)
{
	static const size_t aligns[16] = { 0,	 8,    16,    32, 64, 128,	256, 512,
					   1024, 4096, 65536, 3,  24, 1u << 17, 1,   2 };
	uint8_t s0 = in_u8(in), s1 = in_u8(in), a = in_u8(in), f = in_u8(in);
	size_t size = ((size_t)s1 << 8 | s0) + (f & 0x80 ? SLAB_MAX_SIZE / 2 : 0);
	size_t align = aligns[a % 16];
	bool with_ctor = f & 8;
	unsigned long flags = (f & 1 ? SLAB_HWCACHE_ALIGN : 0) | (f & 2 ? SLAB_NO_MERGE : 0) |
			      (f & 4 ? 0x1UL : 0);
	if (with_ctor && size < 8)
		size = 8; /* the constructor writes 8 bytes */
	if (ncaches == MAX_CACHES)
		return;
	bool valid = size && size <= SLAB_MAX_SIZE / 2 && (!align || IS_POWER_OF_2(align)) &&
		     align <= SLAB_MAX_SIZE / 2;
	/*
	 * slab_debug pads the left red zone in front of the first object to the
	 * alignment, and a slab records where that object starts in 10 bits of
	 * 16 bytes (slab_internal.h): larger alignments are refused.
	 */
	if (FUZZ_SLAB_DEBUG &&
	    ALIGN_UP((size_t)SLAB_RZ_SIZE, MAX(align, (size_t)8)) > SLAB_FIRST_MAX)
		valid = false;
	struct fcache *fc = &caches[ncaches];
	snprintf(fc->name, sizeof(fc->name), "fuzz%u", next_tag++);
	bool roomy_before = roomy();
	struct kmem_cache *c =
		kmem_cache_create(fc->name, size, align, flags, with_ctor ? ctor : NULL);
	if (!valid) {
		CHECK(c == NULL, "kmem_cache_create(%zu, align %zu) accepted a bad request", size,
		      align);
		return;
	}
	if (!c) {
		CHECK(!roomy_before, "kmem_cache_create(%zu, align %zu) failed", size, align);
		return;
	}
	fc->c = c;
	fc->size = size;
	fc->align = MAX(MAX(align, (size_t)8), (size_t)(f & 1 ? 64 : 8));
	fc->ctor = with_ctor;
	fc->live = 0;
	ncaches++;
}

static void op_cache_alloc(struct fuzz_in *in)
{
	uint8_t ci = in_u8(in), f = in_u8(in);
	if (!ncaches)
		return;
	struct fcache *fc = &caches[ci % ncaches];
	gfp_t gfp = f & 2 ? GFP_ATOMIC : GFP_KERNEL;
	bool roomy_before = roomy(), zeroed = false;
	struct kmalloc_info info;
	uint8_t *p;
	/* f bit 0, or bits 2-3 = 1: kmem_cache_zalloc; 2: __GFP_ZERO; 3: the _info variant. */
	switch (f & 1 ? 1 : (f >> 2) & 3) {
	case 1:
		p = kmem_cache_zalloc(fc->c, gfp);
		zeroed = true;
		break;
	case 2:
		p = kmem_cache_alloc(fc->c, gfp | __GFP_ZERO);
		zeroed = true;
		break;
	case 3:
		p = kmem_cache_alloc_info(fc->c, gfp, &info);
		CHECK((info.path == SA_FAILED) == !p && (!p || info.path <= SA_DIRECT),
		      "kmem_cache_alloc_info: path %u for %p", info.path, (void *)p);
		if (p)
			CHECK(info.cache && strcmp(info.cache, fc->name) == 0 &&
				      info.obj_size == fc->size,
			      "kmem_cache_alloc_info: cache %s size %u, not %s %zu", info.cache,
			      info.obj_size, fc->name, fc->size);
		break;
	default:
		p = kmem_cache_alloc(fc->c, gfp);
		break;
	}
	if (!p) {
		CHECK(!roomy_before || fc->size > PAGE_SIZE, "kmem_cache_alloc(%s) failed",
		      fc->name);
		return;
	}
	new_obj(p, fc->size, (int)(fc - caches), gfp, zeroed, "kmem_cache_alloc");
}

static void op_cache_shrink(struct fuzz_in *in)
{
	uint8_t ci = in_u8(in);
	if (ncaches)
		kmem_cache_shrink(caches[ci % ncaches].c);
}

static void destroy_cache(unsigned i)
{
	caches[i] = caches[--ncaches];
	/* Objects keep their cache's index: renumber those of the cache that moved. */
	for (unsigned k = 0; k < nobjs; k++)
		if (objs[k].cache == (int)ncaches)
			objs[k].cache = (int)i;
}

static void op_cache_destroy(struct fuzz_in *in)
{
	uint8_t ci = in_u8(in);
	if (!ncaches)
		return;
	unsigned i = ci % ncaches;
	unsigned long before = slab_report_count();
	kmem_cache_destroy(caches[i].c);
	if (caches[i].live) {
		REPORTED(before, "kmem_cache_destroy with objects allocated");
		return; /* refused: the cache stays, and its objects */
	}
	CHECK(slab_report_count() == before, "kmem_cache_destroy of an empty cache reported");
	destroy_cache(i);
}

/* ---- the rest ---- */

static void set_cpu(unsigned cpu)
{
	cur_cpu = cpu % NCPUS;
	host_set_cpu(cur_cpu);
}

static void op_drain(struct fuzz_in *in)
{
	switch (in_u8(in) % 4) {
	case 0:
		kmem_cache_drain_all();
		break;
	case 1:
		slab_reclaim();
		break;
	case 2:
		drain_all_pages();
		break;
	default:
		drain_local_pages();
		break;
	}
}

static void check_invariants(const char *when)
{
	CHECK(buddy_check() == 0, "buddy_check found problems %s", when);
	/* None, but in slab_debug mode one per object the program corrupted and no free caught yet. */
	unsigned problems = slab_check(), expected = dbg_check_expected();
	CHECK(problems == expected, "slab_check found %u problems %s, the model expects %u",
	      problems, when, expected);
	dbg_check_reported();
	CHECK(!arch_irqs_disabled(), "interrupts left disabled %s", when);
}

static void op_ksize(struct fuzz_in *in)
{
	uint8_t i = in_u8(in);
	if (!nobjs)
		return;
	struct obj *o = &objs[i % nobjs];
	CHECK(ksize(o->p) == o->usable, "ksize changed");
	/* Every byte ksize counts is the caller's now (and, in slab_debug, no longer red zone). */
	size_t old_size = o->size;
	o->size = o->usable;
	fill(o->p, o->size, o->seed);
	dbg_rezoned(o, old_size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	slab_host_world_boot(); /* slab_debug as FUZZ_SLAB_DEBUG says */
	/*
	 * Per-CPU arrays are made on a CPU's first use of a cache and kept (they
	 * are kmalloc'd): make every CPU's arrays of every kmalloc class and of
	 * the cache of caches now, so that the page count an input must return
	 * to is that of a warm world.
	 */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		host_set_cpu(cpu);
		for (unsigned i = 0; i < kmalloc_nr_classes(); i++)
			kfree(kmalloc(kmalloc_class_size(i), GFP_KERNEL));
		struct kmem_cache *c = kmem_cache_create("warm", 8, 0, 0, NULL);
		kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
		kmem_cache_destroy(c);
	}
	host_set_cpu(0);
	slab_reclaim();
	drain_all_pages();
	free_baseline = nr_free_pages();
	owner = calloc(max_pfn, sizeof(*owner));
	CHECK(owner, "no memory for the model");
	CHECK(buddy_check_full() == 0 && slab_check() == 0, "the world is broken before any input");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	host_printk_log_clear();
	reports_base = slab_report_count();
	reports_expected = 0;
	set_cpu(0);
	for (unsigned op = 1; in.n; op++) {
		uint8_t code = in_u8(&in) % NR_OPCODES;
		/* slab_debug: each operation's reports are looked for in its own part of the log. */
		if (FUZZ_SLAB_DEBUG)
			host_printk_log_clear();
		switch (code) {
		case 0:
			set_cpu(in_u8(&in));
			break;
		case 15:
			/* The trace: every entry point then takes its traced, out-of-line variant. */
			mm_trace_set(in_u8(&in) & 1);
			break;
		case 1:
			op_alloc_pages(&in);
			break;
		case 2:
			op_free_pages(&in);
			break;
		case 3:
			op_bad_page_free(&in);
			break;
		case 4:
			op_kmalloc(&in);
			break;
		case 5:
			op_kfree(&in);
			break;
		case 6:
			op_bad_kfree(&in);
			break;
		case 7:
			op_krealloc(&in);
			break;
		case 8:
			op_cache_create(&in);
			break;
		case 9:
			op_cache_alloc(&in);
			break;
		case 10:
			op_cache_shrink(&in);
			break;
		case 11:
			op_cache_destroy(&in);
			break;
		case 12:
			op_drain(&in);
			break;
		case 13:
			check_invariants("on request");
			break;
		case 16:
			op_corrupt(&in);
			break;
		default:
			op_ksize(&in);
			break;
		}
		CHECK(slab_report_count() - reports_base == reports_expected,
		      "after operation %u (opcode %u): %lu reports, the model expects %lu", op,
		      code, slab_report_count() - reports_base, reports_expected);
		dbg_after_op();
		if (op % CHECK_EVERY == 0)
			check_invariants("during the program");
	}

	/* Everything back: verified, freed, the caches destroyed, the per-CPU layers drained. */
	check_invariants("at the end of the program");
	dbg_end();
	mm_trace_set(false);
	mm_trace_clear();
	while (nblocks) {
		struct block *b = &blocks[--nblocks];
		verify_block(b, "at the end");
		disown(page_to_pfn(b->page), 1UL << b->order, b->tag, "at the end");
		__free_pages(b->page, b->order);
	}
	while (nobjs) {
		struct obj *o = &objs[--nobjs];
		verify_obj(o, "at the end");
		free_obj(o, false);
	}
	while (ncaches) {
		unsigned long before = slab_report_count();
		kmem_cache_destroy(caches[ncaches - 1].c);
		CHECK(slab_report_count() == before, "destroying empty cache %s was reported",
		      caches[ncaches - 1].name);
		ncaches--;
	}
	CHECK(slab_report_count() - reports_base == reports_expected,
	      "%lu reports for %lu bad operations", slab_report_count() - reports_base,
	      reports_expected);
	set_cpu(0);
	kmem_cache_drain_all();
	slab_reclaim();
	drain_all_pages();
	CHECK(nr_free_pages() == free_baseline, "%lu pages free after the program, %lu before",
	      nr_free_pages(), free_baseline);
	CHECK(read_vm_stat(NR_KMALLOC_LARGE) == 0, "NR_KMALLOC_LARGE is %ld",
	      read_vm_stat(NR_KMALLOC_LARGE));
	CHECK(buddy_check_full() == 0, "buddy_check_full found problems after the program");
	CHECK(slab_check() == 0, "slab_check found problems after the program");
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++)
		CHECK(!owner[pfn], "the model still holds pfn %#lx", pfn);
	return 0;
}
