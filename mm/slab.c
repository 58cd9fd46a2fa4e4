/*
 * slab.c - object caches: Bonwick's slab allocator with a per-CPU magazine
 * layer, in three levels (the same shape as Go's mcache/mcentral/mheap and
 * TCMalloc's thread cache/central free list/page heap):
 *
 *  1. Per CPU, per cache, an array of free object pointers (struct
 *     array_cache). kmem_cache_alloc pops, kmem_cache_free pushes: no lock,
 *     no atomic instruction, interrupts on: each is a restartable sequence,
 *     which an interrupt rewinds to its start, so handlers and drains may
 *     use the array freely (see struct array_cache). The fast paths are in
 *     slab_fast.c.
 *  2. When the array is empty, a batch is refilled; when it is full, its
 *     oldest batch is flushed. First stop, the depot (Bonwick's): magazines
 *     of batchcount pointers in per-CPU slots, filed by a flush and taken by
 *     a refill as a copy of pointers, the objects and slabs untouched (see
 *     struct slab_magazine and struct depot_slot). Beyond it, objects go
 *     one by one between the array and the cache's slabs under the cache
 *     lock. Slabs sit on three lists: partial (some objects free: allocation
 *     takes from here first), full, and empty (all free: kept while the
 *     cache holds few free objects, given back to the buddy allocator beyond
 *     that; see slab_free_limit).
 *  3. A slab is 2^order pages from alloc_pages. Its free objects form a
 *     singly linked list through a pointer stored in each free object, the
 *     pointer obfuscated and validated before use (see freeptr_get). The
 *     head struct page holds the metadata (cache, free list, counts), so
 *     kfree(p) finds everything from p in O(1): virt_to_page, compound_head.
 *
 * Per-CPU capacity (limit) and batch, by object stride, after Linux SLAB's
 * enable_cpucache table, whose reasoning we keep: the array bounds the memory
 * a CPU can hold idle in one cache (120 x 256 B = 30 KiB at most for small
 * objects, 24 x 4 KiB = 96 KiB for big ones), and batch = limit / 2 gives the
 * hysteresis that stops a CPU alternating alloc/free at a boundary from
 * refilling and flushing on every call. Measured on the host (callgrind,
 * one CPU, 20 rounds of 10,000 kmallocs freed in random order): scaling the
 * whole table by 1/4, 1 and 4 (SLAB_CPU_LIMIT_PCT) costs 281, 255 and 229
 * instructions per kmalloc+kfree pair for 64-byte objects, 389, 360 and 337
 * for 1 KiB ones: a 4x larger array saves about 10% on this worst case and
 * nothing when the working set fits (pairs hit the array either way), so we
 * keep Linux's sizes and their bounded idle memory.
 *
 * Colouring: a slab's spare bytes (its tail) are used to shift the first
 * object by successive multiples of the colour unit (the cache line, or the
 * alignment when larger) in successive slabs, so that objects at the same
 * index in different slabs do not all compete for the same cache sets. For a
 * power-of-two size class the stride divides the slab, so there are no spare
 * bytes and no colouring: natural alignment is never at risk.
 *
 * Free pointer placement: at offset 0 of a free object, unless the cache has
 * a constructor (objects must stay in their constructed state while free, so
 * the pointer goes after the object, inside the stride, as SLUB does) or is a
 * slab_debug cache (the whole object is poisoned, so the pointer lives
 * outside it).
 *
 * Locking: slab_caches_lock (the list of caches) may be taken before a
 * cache's lock, never after; a depot slot's lock may be taken under the
 * cache's lock, never the other way round, and never with another slot's.
 * All are taken with interrupts off. The buddy allocator is called with a
 * cache lock held only to free slabs; slabs are allocated with the lock
 * dropped. Magazines are kmalloc objects, allocated and freed with no slab
 * lock held (they may come from the very cache being flushed).
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sort.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/provenance.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

CMDLINE_PARAM(slab_debug, "slab allocator debugging: poison, red zones, owner tracking, "
			  "complete double-free detection (slower; no per-CPU caches)");

struct array_cache slab_empty_ac = { .slots = { NULL } };

LIST_HEAD(slab_caches);
spinlock_t slab_caches_lock = SPINLOCK_INIT;
bool slab_is_ready;
bool slab_debug_enabled;
static unsigned long slab_nr_reports;

/* The cache of struct kmem_cache itself: static, since it must exist first. */
static struct kmem_cache kmem_cache_boot ____cacheline_aligned;

unsigned long slab_report_count(void)
{
	return __atomic_load_n(&slab_nr_reports, __ATOMIC_RELAXED);
}

/* ---- reports ---- */

void slab_count_report(void)
{
	__atomic_fetch_add(&slab_nr_reports, 1, __ATOMIC_RELAXED);
}

void slab_report_double_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	slab_report(c, obj, caller, "double free (object is already on this CPU's free array)");
}

void slab_report(const struct kmem_cache *c, const void *obj, uintptr_t caller, const char *what)
{
	__atomic_fetch_add(&slab_nr_reports, 1, __ATOMIC_RELAXED);
	if (caller)
		pr_err("slab: %s: cache %s, object %p, caller %pS\n", what, c ? c->name : "?", obj,
		       (void *)caller);
	else
		pr_err("slab: %s: cache %s, object %p\n", what, c ? c->name : "?", obj);
	if (c && (c->flags & SLAB_DEBUG))
		slab_debug_print_track(c, obj);
}

void slab_report_bad_ptr(const struct kmem_cache *expect, const void *p, uintptr_t caller)
{
	slab_report_bad_ptr_in(NULL, expect, p, caller);
}

void slab_report_bad_ptr_in(const char *fn, const struct kmem_cache *expect, const void *p,
			    uintptr_t caller)
{
	unsigned long pfn = __pa(p) >> PAGE_SHIFT;
	char who[48];

	if (expect)
		ksnprintf(who, sizeof(who), "kmem_cache_free(%s)", expect->name);
	else
		ksnprintf(who, sizeof(who), "%s", fn ? fn : "kfree");
	__atomic_fetch_add(&slab_nr_reports, 1, __ATOMIC_RELAXED);
	if (pfn >= max_pfn || !pfn_valid(pfn)) {
		pr_err("slab: %s: bad pointer %p: not a direct-map address of RAM, caller %pS\n",
		       who, p, (void *)caller);
		return;
	}
	struct page *slab = compound_head(pfn_to_page(pfn));
	if (!(slab->flags & PG_slab)) {
		pr_err("slab: %s: bad pointer %p: not in a slab page (page flags %#x), caller "
		       "%pS\n",
		       who, p, slab->flags, (void *)caller);
		return;
	}
	struct kmem_cache *c = slab->slab_cache;
	if (expect && c != expect) {
		pr_err("slab: %s: bad pointer %p: object of cache %s freed to cache %s, caller "
		       "%pS\n",
		       who, p, c->name, expect->name, (void *)caller);
		return;
	}
	uintptr_t first = (uintptr_t)slab_base(slab) + slab_first(slab);
	if ((uintptr_t)p < first) {
		pr_err("slab: %s: bad pointer %p: before the first object of its slab (cache %s), "
		       "caller %pS\n",
		       who, p, c->name, (void *)caller);
		return;
	}
	uintptr_t off = (uintptr_t)p - first;
	pr_err("slab: %s: bad pointer %p: not an object boundary in cache %s (%lu bytes into slot "
	       "%lu of %u bytes), caller %pS\n",
	       who, p, c->name, (unsigned long)(off % c->size), (unsigned long)(off / c->size),
	       c->size, (void *)caller);
}

/* ---- slabs ---- */

static unsigned slab_list_idx(const struct page *slab)
{
	if (!slab->freelist)
		return SLAB_FULL;
	return slab->inuse ? SLAB_PARTIAL : SLAB_EMPTY;
}

/* Move slab to the list its state calls for, given the list it is on. Lock held. */
static void slab_relist(struct kmem_cache *c, struct page *slab, unsigned old)
{
	unsigned now = slab_list_idx(slab);
	if (now == old)
		return;
	page_list_del(&c->lists[old], slab);
	c->nr_slabs[old]--;
	page_list_add(&c->lists[now], slab);
	c->nr_slabs[now]++;
}

/* True when p lies in slab's pages and is one of its object starts. */
static bool slab_contains_obj(const struct kmem_cache *c, const struct page *slab, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)slab_base(slab);
	return off < (PAGE_SIZE << page_order(slab)) && slab_obj_valid(c, slab, p);
}

/*
 * Where the objects of one cache_take came from, for the provenance counters
 * and records (mm/provenance.h). Filled on the slow path only.
 */
struct take_src {
	unsigned partial, empty, fresh; /* objects from partial, empty and new slabs */
	unsigned new_slabs;
	bool reclaimed;
	unsigned long pfn; /* the last new slab */
	unsigned order;
	struct page_alloc_info page; /* how the buddy allocator served it */
};

/*
 * Allocate and format a new slab: not yet on any list, all objects free,
 * constructed. Called without the cache lock. quiet: no failure warning (a
 * later attempt will be made). src learns how the buddy allocator served it.
 */
static struct page *cache_grow(struct kmem_cache *c, gfp_t gfp, bool quiet, struct take_src *src)
{
	const struct slab_geom *g = &c->oo;
	gfp_t pgfp = gfp & (__GFP_HIGH | __GFP_NOWARN);
	struct page *page = alloc_pages_info(pgfp | __GFP_NOWARN, g->order, &src->page);
	if (!page) {
		g = &c->min;
		page = alloc_pages_info(quiet ? (pgfp | __GFP_NOWARN) : pgfp, g->order, &src->page);
		if (!page)
			return NULL;
	}
	src->new_slabs++;
	src->pfn = page_to_pfn(page);
	src->order = g->order;

	unsigned colour = (__atomic_fetch_add(&c->colour_next, 1, __ATOMIC_RELAXED) % g->colours) *
			  c->colour_unit;
	page->flags = (page->flags & ~SLAB_FIRST_MASK) | PG_slab |
		      (((colour + c->obj_offset) / SLAB_FIRST_UNIT) << SLAB_FIRST_SHIFT);
	set_page_order(page, g->order);
	page->inuse = 0;
	page->objects = (uint16_t)g->objects;
	page->slab_cache = c;
	page->lru.next = page->lru.prev = PFN_NIL;
	for (unsigned long i = 1; i < (1UL << g->order); i++) {
		page[i].flags |= PG_slab | PG_tail;
		page[i].slab_cache = c;
		page[i].compound_head = page;
	}

	/* Objects in address order, so the first allocations walk the slab upwards. */
	for (unsigned i = 0; i < g->objects; i++) {
		void *obj = slab_obj(c, page, i);
		if (c->flags & SLAB_DEBUG)
			slab_debug_init_obj(c, obj);
		if (c->ctor)
			c->ctor(obj);
		freeptr_set(c, obj, i + 1 < g->objects ? slab_obj(c, page, i + 1) : NULL);
	}
	page->freelist = slab_obj(c, page, 0);
	mod_vm_stat(NR_SLAB_PAGES, 1L << g->order);
	return page;
}

/* Put a freshly grown slab on the empty list. Lock held. */
static void cache_add_slab(struct kmem_cache *c, struct page *slab)
{
	page_list_add(&c->lists[SLAB_EMPTY], slab);
	c->nr_slabs[SLAB_EMPTY]++;
	c->total_objects += slab->objects;
	c->total_pages += 1UL << page_order(slab);
	c->grown++;
}

/*
 * Give an empty slab back to the buddy allocator, with every mark the slab
 * allocator put on its pages removed (the buddy allocator refuses slab
 * pages). The head's refcount, overlaid by inuse/objects, goes back to 1.
 * Lock held. Returns the pages freed.
 */
static unsigned long slab_release(struct kmem_cache *c, struct page *slab)
{
	unsigned order = page_order(slab);
	unsigned long pages = 1UL << order;

	if (c->flags & SLAB_DEBUG)
		slab_debug_on_release(c, slab, _RET_IP_);
	page_list_del(&c->lists[SLAB_EMPTY], slab);
	c->nr_slabs[SLAB_EMPTY]--;
	c->total_objects -= slab->objects;
	c->total_pages -= pages;
	c->reaped++;

	for (unsigned long i = 1; i < pages; i++) {
		slab[i].flags &= ~(PG_slab | PG_tail);
		slab[i].private[0] = slab[i].private[1] = 0;
	}
	slab->flags &= ~(PG_slab | SLAB_FIRST_MASK);
	slab->_refcount = 1;
	slab->private[0] = slab->private[1] = 0;
	mod_vm_stat(NR_SLAB_PAGES, -(long)pages);
	__free_pages(slab, order);
	return pages;
}

/* Free every empty slab (keep reserve of them). Lock held. Returns pages freed. */
static unsigned long cache_release_empty(struct kmem_cache *c, unsigned long reserve)
{
	unsigned long freed = 0;
	while (c->nr_slabs[SLAB_EMPTY] > reserve)
		freed += slab_release(c, page_list_first(&c->lists[SLAB_EMPTY]));
	return freed;
}

/*
 * Take up to n objects from slab's free list. Every decoded free pointer is
 * validated before it is followed: one that does not lead to an object of
 * this slab means the list was overwritten (use after free, overflow); we
 * report it and drop the rest of the list (those objects are counted as in
 * use forever: leaked, but never handed out twice or followed into the
 * unknown). Lock held.
 */
static unsigned slab_take(struct kmem_cache *c, struct page *slab, void **out, unsigned n)
{
	unsigned old = slab_list_idx(slab);
	unsigned k = 0;

	while (k < n && slab->freelist) {
		void *obj = slab->freelist;
		if (unlikely(slab->inuse >= slab->objects)) {
			slab_report(c, obj, 0,
				    "free list corrupted (more free objects than the slab has)");
			slab->freelist = NULL;
			break;
		}
		void *next = freeptr_get(c, obj);
		if (unlikely(next && !slab_contains_obj(c, slab, next))) {
			slab_report(c, obj, 0,
				    "free list corrupted (free pointer overwritten); "
				    "dropping the rest of this slab's free list");
			unsigned lost = slab->objects - slab->inuse - 1;
			slab->inuse += lost;
			c->inuse_objects += lost;
			c->lost_objects += lost;
			next = NULL;
		}
		slab->freelist = next;
		slab->inuse++;
		out[k++] = obj;
	}
	c->inuse_objects += k;
	slab_relist(c, slab, old);
	return k;
}

/*
 * Return one object to its slab. obj is known to be an object boundary of
 * this cache. The checks here catch the double frees the per-CPU layer lets
 * through when they meet the slab: obj already at the head of the free list,
 * or a slab with no object in use. Lock held.
 */
static void cache_put_obj(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct page *slab = compound_head(virt_to_page(obj));
	unsigned old = slab_list_idx(slab);

	if (unlikely(slab->freelist == obj || slab->inuse == 0)) {
		slab_report(c, obj, caller, "double free (object is already free in its slab)");
		return;
	}
	freeptr_set(c, obj, slab->freelist);
	slab->freelist = obj;
	slab->inuse--;
	c->inuse_objects--;
	slab_relist(c, slab, old);
	if (slab->inuse == 0 && c->total_objects - c->inuse_objects > slab_free_limit(c))
		slab_release(c, slab);
}

/*
 * Take want objects from the slab lists into out: partial slabs first, then
 * empty ones, then new slabs. When the buddy allocator cannot give a slab and
 * nothing was found yet, everything idle in every cache is given back
 * (slab_reclaim) and the allocation tried once more. Returns the number
 * taken (0: out of memory); src (zeroed by the caller) says from where.
 * Interrupts off; takes c->lock.
 */
static unsigned cache_take(struct kmem_cache *c, void **out, unsigned want, gfp_t gfp,
			   struct take_src *src)
{
	unsigned got = 0, n;
	struct page *grown = NULL;

	spin_lock(&c->lock);
	while (got < want) {
		struct page *slab = page_list_first(&c->lists[SLAB_PARTIAL]);
		if (slab) {
			n = slab_take(c, slab, out + got, want - got);
			got += n;
			src->partial += n;
			continue;
		}
		slab = page_list_first(&c->lists[SLAB_EMPTY]);
		if (slab) {
			n = slab_take(c, slab, out + got, want - got);
			got += n;
			if (slab == grown)
				src->fresh += n;
			else
				src->empty += n;
			continue;
		}
		spin_unlock(&c->lock);
		slab = cache_grow(c, gfp, got || !src->reclaimed, src);
		if (!slab) {
			if (got || src->reclaimed || (gfp & SLAB_GFP_NORECLAIM)) {
				spin_lock(&c->lock);
				break;
			}
			slab_reclaim();
			src->reclaimed = true;
		}
		spin_lock(&c->lock);
		if (slab)
			cache_add_slab(c, slab);
		grown = slab;
	}
	spin_unlock(&c->lock);
	return got;
}

/*
 * Fill the provenance record of a caller that asked for one (kmalloc_info,
 * kmem_cache_alloc_info, the trace): which level served this allocation.
 * Slow paths only; the per-CPU hit is recorded by the caller.
 */
static void note_provenance(enum slab_alloc_path path, const struct take_src *src, unsigned got)
{
	struct kmalloc_info *info = slab_info_sink_get();

	if (likely(!info))
		return;
	if (path == SA_REFILL_PARTIAL)
		path = src->fresh ? SA_NEW_SLAB : src->empty ? SA_REFILL_EMPTY : SA_REFILL_PARTIAL;
	info->path = got ? path : SA_FAILED;
	info->refilled = path == SA_DIRECT ? 0 : got;
	info->from_partial = src->partial;
	info->from_empty = src->empty;
	info->from_new = src->fresh;
	info->new_slabs = src->new_slabs;
	info->reclaimed = src->reclaimed;
	if (src->new_slabs) {
		info->pfn = src->pfn;
		info->order = src->order;
		info->page = src->page;
	}
}

/* ---- the direct path (debug caches, per-CPU arrays' own memory) ---- */

void *slab_alloc_direct(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	unsigned long flags;
	void *obj;

	struct take_src src = { 0 };

	local_irq_save(flags);
	if (!cache_take(c, &obj, 1, gfp, &src))
		obj = NULL;
	note_provenance(SA_DIRECT, &src, obj != NULL);
	local_irq_restore(flags);
	if (obj && (c->flags & SLAB_DEBUG))
		slab_debug_on_alloc(c, obj, caller);
	return obj;
}

void slab_free_direct(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (!(c->flags & SLAB_DEBUG) || slab_debug_on_free(c, obj, caller))
		cache_put_obj(c, obj, caller);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* ---- the per-CPU layer's slow paths ---- */

/*
 * Give this CPU its own array for c (the first time it needs one). The
 * array's memory comes from kmalloc without going through any per-CPU array
 * itself (kmalloc_nocpu), so this never recurses. NULL before kmalloc is up
 * or when memory is short: the caller then works on the slab lists directly.
 */
static struct array_cache *cache_setup_cpu(struct kmem_cache *c, unsigned cpu, gfp_t gfp)
{
	struct array_cache *ac =
		kmalloc_nocpu(sizeof(*ac) + (c->limit + 1) * sizeof(void *), gfp | __GFP_NOWARN);
	if (!ac)
		return NULL;
	memset(ac, 0, sizeof(*ac));
	ac->limit = c->limit;
	ac->batchcount = c->batchcount;
	ac->cpu = cpu;
	ac->slots[0] = NULL;
	WRITE_ONCE(c->cpu_cache[cpu], ac);
	/* The per-CPU pointers that name c's array on this CPU follow (mm/slab_percpu.h). */
	if (this_cpu_read(slab.kfree_cache) == c)
		this_cpu_write(slab.kfree_ac, ac);
	if (c->flags & SLAB_KMALLOC)
		kmalloc_cpu_array_made(c, ac);
	return ac;
}

/* ---- the depot (see struct slab_magazine and struct depot_slot) ---- */

unsigned long slab_depot_charged;
unsigned long slab_depot_budget;
static unsigned long depot_chunk;

static size_t magazine_size(const struct kmem_cache *c)
{
	return sizeof(struct slab_magazine) + c->batchcount * sizeof(void *);
}

/*
 * The global bound is charged in chunks (a 64th of the budget), so that the
 * shared counter is written once per chunk of depot traffic, not once per
 * batch: each slot charges a chunk when its objects would exceed what it
 * has charged, and gives back what exceeds two unused chunks. Slot lock held.
 */
static bool depot_charge(struct depot_slot *d, unsigned long bytes)
{
	while (d->bytes + bytes > d->charged) {
		unsigned long old = __atomic_load_n(&slab_depot_charged, __ATOMIC_RELAXED);
		if (old + depot_chunk > slab_depot_budget)
			return false;
		if (!__atomic_compare_exchange_n(&slab_depot_charged, &old, old + depot_chunk,
						 false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			continue;
		d->charged += depot_chunk;
	}
	d->bytes += bytes;
	return true;
}

/* Give back whole chunks of d's charge while more than keep bytes of it are unused. */
static void depot_give_back(struct depot_slot *d, unsigned long keep)
{
	while (d->charged - d->bytes >= keep + depot_chunk) {
		d->charged -= depot_chunk;
		__atomic_fetch_sub(&slab_depot_charged, depot_chunk, __ATOMIC_RELAXED);
	}
}

static void depot_uncharge(struct depot_slot *d, unsigned long bytes)
{
	d->bytes -= bytes;
	depot_give_back(d, depot_chunk);
}

/* Pop a full (or an empty) magazine of slot d, or NULL. d's lock held. */
static struct slab_magazine *depot_pop_full_locked(struct kmem_cache *c, struct depot_slot *d)
{
	struct slab_magazine *m = d->full;
	if (m) {
		d->full = m->next;
		d->nr_full--;
		d->min_full = MIN(d->min_full, d->nr_full);
		depot_uncharge(d, (unsigned long)m->n * c->size);
	}
	return m;
}

static struct slab_magazine *depot_pop_empty_locked(struct depot_slot *d)
{
	struct slab_magazine *m = d->empty;
	if (m) {
		d->empty = m->next;
		d->nr_empty--;
	}
	return m;
}

/* Free a list of magazines (kmalloc objects, perhaps of c itself): no slab lock held. */
static void magazines_free(struct slab_magazine *list)
{
	while (list) {
		struct slab_magazine *m = list;
		list = m->next;
		kfree_nocpu(m);
	}
}

/* Objects of a list of full magazines back to their slabs, the magazines freed. No lock held. */
static void depot_release_full(struct kmem_cache *c, struct slab_magazine *full)
{
	unsigned long flags;

	if (!full)
		return;
	spin_lock_irqsave(&c->lock, flags);
	for (struct slab_magazine *m = full; m; m = m->next)
		for (unsigned i = 0; i < m->n; i++)
			cache_put_obj(c, m->objs[i], 0);
	spin_unlock_irqrestore(&c->lock, flags);
	magazines_free(full);
}

/*
 * Bonwick's working-set reaping, run when a flush finds the budget spent:
 * in every slot of every cache, as many magazines as stayed full since the
 * previous reap (min_full: the fewest the slot held since then; the
 * magazines themselves are interchangeable, so the newest go) were not
 * needed, so their objects go back to their slabs and their charge to the
 * budget. A cache idle since the previous reap loses its whole depot; a
 * busy one only what it never dipped into. At most once per
 * DEPOT_REAP_CYCLES (a burst of failed flushes reaps once), so a cache
 * needs two reaps to lose magazines it used just before the first.
 * Interrupts off, no slab lock held. true: it ran.
 */
#define DEPOT_REAP_CYCLES (1ULL << 24) /* about 8 ms at 2 GHz */
static uint64_t depot_last_reap;

static bool depot_reap_idle(void)
{
	uint64_t now = arch_cycles(), last = __atomic_load_n(&depot_last_reap, __ATOMIC_RELAXED);
	struct kmem_cache *c;

	if (now - last < DEPOT_REAP_CYCLES ||
	    !__atomic_compare_exchange_n(&depot_last_reap, &last, now, false, __ATOMIC_RELAXED,
					 __ATOMIC_RELAXED))
		return false;
	spin_lock(&slab_caches_lock);
	list_for_each_entry(c, &slab_caches, list)
	{
		struct slab_magazine *idle = NULL, *m;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			struct depot_slot *d = &c->depot[cpu];
			if (!READ_ONCE(d->nr_full) && !READ_ONCE(d->min_full) &&
			    !READ_ONCE(d->charged))
				continue;
			spin_lock(&d->lock);
			for (unsigned k = d->min_full; k && (m = depot_pop_full_locked(c, d));
			     k--) {
				m->next = idle;
				idle = m;
			}
			d->min_full = d->nr_full;
			/* and every unused chunk of its charge (not one kept for a next flush) */
			depot_give_back(d, 0);
			spin_unlock(&d->lock);
		}
		depot_release_full(c, idle);
	}
	spin_unlock(&slab_caches_lock);
	return true;
}

/*
 * Put an empty magazine on its owner's empty list, which may be over its
 * bound (drains), or (limit true) return it when the list is at its bound,
 * for the caller to free. Interrupts off; takes the owner's slot lock.
 */
static struct slab_magazine *depot_put_empty(struct kmem_cache *c, struct slab_magazine *m,
					     bool limit)
{
	struct depot_slot *d = &c->depot[m->owner];

	spin_lock(&d->lock);
	if (limit && d->nr_empty >= c->depot_max) {
		spin_unlock(&d->lock);
		return m;
	}
	m->next = d->empty;
	d->empty = m;
	d->nr_empty++;
	spin_unlock(&d->lock);
	return NULL;
}

/* Hand this CPU's foreign magazine (if any) back to its owner, or free it. No lock held. */
static void depot_send_foreign_home(struct kmem_cache *c, struct array_cache *ac)
{
	struct slab_magazine *m = ac->foreign;

	ac->foreign = NULL;
	if (m && (m = depot_put_empty(c, m, true)))
		kfree_nocpu(m);
}

/*
 * Refill this CPU's empty array with a full magazine: its own slot's first,
 * else another CPU's. Interrupts off, no lock held; slot locks are held for
 * the list operations only, and the copy is made after. The emptied
 * magazine becomes this CPU's spare when it is its own and it has none,
 * else its foreign one, handed back at the next depot operation. Returns
 * the objects moved (0: no full magazine anywhere).
 */
static unsigned depot_refill(struct kmem_cache *c, struct array_cache *ac)
{
	struct slab_magazine *m = NULL;

	for (unsigned i = 0; i < NR_CPUS && !m; i++) {
		struct depot_slot *d = &c->depot[(ac->cpu + i) % NR_CPUS];
		if (!READ_ONCE(d->nr_full))
			continue; /* unlocked peek: an empty slot costs no lock */
		spin_lock(&d->lock);
		m = depot_pop_full_locked(c, d);
		spin_unlock(&d->lock);
	}
	if (!m)
		return 0;
	unsigned n = m->n;
	memcpy(&ac->slots[1], m->objs, n * sizeof(void *));
	m->n = 0;
	depot_send_foreign_home(c, ac);
	if (m->owner == ac->cpu && !ac->spare)
		ac->spare = m;
	else
		ac->foreign = m;
	return n;
}

/*
 * Flush slots[1..n] of this CPU's array into a magazine filed as full in its
 * own slot. Interrupts off, no lock held. The magazine is this CPU's spare,
 * else one of its empty ones, else a new one from kmalloc (without reclaim:
 * slab_reclaim would drain this very array); it is filled outside the lock,
 * and the critical section that files it also takes the next spare. false:
 * the slot or the budget is at its bound, or no magazine could be had; the
 * caller returns the objects to their slabs instead.
 */
static bool depot_flush(struct kmem_cache *c, struct array_cache *ac, unsigned n)
{
	struct depot_slot *d = &c->depot[ac->cpu];
	struct slab_magazine *m = ac->spare;
	bool filed = false;

	if (!c->depot_max)
		return false;
	if (!m && READ_ONCE(d->nr_empty)) {
		spin_lock(&d->lock);
		m = depot_pop_empty_locked(d);
		spin_unlock(&d->lock);
	}
	if (!m) {
		m = kmalloc_nocpu(magazine_size(c), GFP_ATOMIC | __GFP_NOWARN | SLAB_GFP_NORECLAIM);
		if (!m)
			return false;
		m->n = 0;
		m->owner = ac->cpu;
	}
	ac->spare = m;
	memcpy(m->objs, &ac->slots[1], n * sizeof(void *));

	/*
	 * At a bound, m stays this CPU's spare and the objects go to their
	 * slabs; when the global budget is what is spent, idle magazines of
	 * every cache are reaped first and the charge tried once more.
	 */
	for (unsigned attempt = 0; attempt < 2 && !filed; attempt++) {
		bool spent = false;
		spin_lock(&d->lock);
		if (d->nr_full < c->depot_max) {
			if (depot_charge(d, (unsigned long)n * c->size)) {
				m->n = n;
				m->next = d->full;
				d->full = m;
				d->nr_full++;
				ac->spare = depot_pop_empty_locked(d);
				filed = true;
			} else {
				spent = true;
			}
		}
		spin_unlock(&d->lock);
		if (!spent || !depot_reap_idle())
			break;
	}
	depot_send_foreign_home(c, ac);
	return filed;
}

/*
 * Empty c's depot: every object back to its slab, every magazine freed.
 * Takes each slot's lock, then lock, never two at once; the caller holds
 * none of them.
 */
static void depot_drain(struct kmem_cache *c)
{
	struct slab_magazine *full = NULL, *empty = NULL, *m;
	unsigned long flags;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		struct depot_slot *d = &c->depot[cpu];
		spin_lock_irqsave(&d->lock, flags);
		while ((m = depot_pop_full_locked(c, d))) {
			m->next = full;
			full = m;
		}
		while ((m = depot_pop_empty_locked(d))) {
			m->next = empty;
			empty = m;
		}
		depot_give_back(d, 0); /* bytes is 0 now: the whole charge */
		spin_unlock_irqrestore(&d->lock, flags);
	}
	depot_release_full(c, full);
	magazines_free(empty);
}

/* Every cache's depot drained (slab_caches_lock held: it may be taken before cache locks). */
static void depot_drain_all(void)
{
	unsigned long flags;
	struct kmem_cache *c;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) depot_drain(c);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}

void *cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	unsigned long flags;
	void *obj = NULL;

	if (unlikely(c->flags & (SLAB_DEBUG | SLAB_NOT_READY))) {
		if (c->flags & SLAB_NOT_READY) {
			pr_err("slab: allocation from %s before kmem_cache_init, caller %pS\n",
			       c->name, (void *)caller);
			return NULL;
		}
		return slab_alloc_direct(c, gfp, caller);
	}

	local_irq_save(flags);
	unsigned cpu = smp_processor_id();
	struct array_cache *ac = c->cpu_cache[cpu];
	struct take_src src = { 0 };
	if (unlikely(ac->avail)) {
		/* An interrupt freed into the array since the fast path found it empty. */
		obj = ac->slots[ac->avail];
		ac->avail = ac->avail - 1;
		ac->alloc_slow++;
		local_irq_restore(flags);
		return obj;
	}
	if (ac == &slab_empty_ac) {
		ac = cache_setup_cpu(c, cpu, gfp);
		if (!ac) {
			if (!cache_take(c, &obj, 1, gfp, &src))
				obj = NULL;
			note_provenance(SA_DIRECT, &src, obj != NULL);
			local_irq_restore(flags);
			return obj;
		}
	}
	/* avail is 0 here, and nothing else runs on this CPU until interrupts are back on. */
	unsigned got = depot_refill(c, ac);
	if (got) {
		ac->refills++;
		ac->refill_depot++;
		ac->objs_refilled += got;
		ac->alloc_slow++;
		note_provenance(SA_REFILL_DEPOT, &src, got);
		obj = ac->slots[got];
		ac->avail = got - 1;
		local_irq_restore(flags);
		return obj;
	}
	got = cache_take(c, ac->slots + 1, ac->batchcount, gfp, &src);
	ac->refills++;
	if (src.fresh)
		ac->refill_new++;
	else if (src.empty)
		ac->refill_empty++;
	else if (got)
		ac->refill_partial++;
	note_provenance(SA_REFILL_PARTIAL, &src, got);
	/* Reverse, so that objects leave the array in the order they came (address order). */
	for (unsigned i = 1, j = got; i < j; i++, j--) {
		void *tmp = ac->slots[i];
		ac->slots[i] = ac->slots[j];
		ac->slots[j] = tmp;
	}
	if (got) {
		ac->objs_refilled += got;
		ac->alloc_slow++;
		obj = ac->slots[got];
		ac->avail = got - 1;
	}
	local_irq_restore(flags);
	return obj;
}

/*
 * The array is full: return its oldest (coldest) batch to the slabs, keeping
 * the most recently freed objects, which are likeliest to be in the cache.
 */
static void cache_flusharray(struct kmem_cache *c, struct array_cache *ac)
{
	unsigned n = MIN(ac->batchcount, ac->avail);

	if (depot_flush(c, ac, n)) {
		ac->flush_depot++;
	} else {
		spin_lock(&c->lock);
		for (unsigned i = 1; i <= n; i++)
			cache_put_obj(c, ac->slots[i], 0);
		spin_unlock(&c->lock);
	}
	memmove(&ac->slots[1], &ac->slots[n + 1], (ac->avail - n) * sizeof(void *));
	ac->avail = ac->avail - n;
	ac->flushes++;
	ac->objs_flushed += n;
}

void cache_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	unsigned long flags;

	if (unlikely(c->flags & SLAB_DEBUG)) {
		slab_free_direct(c, obj, caller);
		return;
	}

	local_irq_save(flags);
	unsigned cpu = smp_processor_id();
	struct array_cache *ac = c->cpu_cache[cpu];
	if (ac == &slab_empty_ac) {
		ac = cache_setup_cpu(c, cpu, GFP_ATOMIC);
		if (!ac) {
			local_irq_restore(flags);
			slab_free_direct(c, obj, caller);
			return;
		}
	} else if (ac->avail >= ac->limit) {
		/* (An interrupt may have made room since the fast path looked: then no flush.) */
		cache_flusharray(c, ac);
	}
	ac->slots[ac->avail + 1] = obj;
	ac->avail = ac->avail + 1;
	ac->free_slow++;
	local_irq_restore(flags);
}

void kfree_other_cache(struct kmem_cache *c, void *p, uintptr_t caller)
{
	/*
	 * Name c and this CPU's array of it first, then push: a push that
	 * has to make the array (cache_setup_cpu) updates the pair, which
	 * names c by then, and the push leaves by a tail call. Interrupts
	 * stay on: the pair is set by a restartable sequence (restart.h,
	 * restart_set_pair) that names no cache until its last store, so a
	 * kfree that interrupts it sees no pair, and the sequence then starts
	 * over, reading this CPU's array of c again (the interrupt may have
	 * made it, or set a pair of its own: that one is overwritten, a guess
	 * lost, nothing else).
	 */
	restart_set_pair(this_cpu_var(slab.kfree_cache), this_cpu_var(slab.kfree_ac), c,
			 &c->cpu_cache[smp_processor_id()]);
	slab_free_fast(c, p, caller);
}

/*
 * Return this CPU's array of c to the slab lists, its magazines to their
 * owners' depot slots. Lock held, interrupts off. Only its own CPU ever
 * touches an array (without the lock), so the other CPUs' arrays are
 * drained by those CPUs themselves: see drain_cpu_arrays.
 */
static void cache_drain_this_cpu(struct kmem_cache *c)
{
	struct array_cache *ac = READ_ONCE(c->cpu_cache[smp_processor_id()]);
	if (ac == &slab_empty_ac)
		return;
	/*
	 * If this IPI interrupted a fast path on the array, that path was
	 * rewound to its start (before its commit) and runs again afterwards
	 * on the empty array: nothing it did is lost or done twice.
	 */
	for (unsigned i = 1; i <= ac->avail; i++)
		cache_put_obj(c, ac->slots[i], 0);
	ac->objs_flushed += ac->avail;
	ac->avail = 0;
	/* Both magazines go to their owners' empty lists, where depot_drain frees them. */
	if (ac->spare)
		depot_put_empty(c, ac->spare, false);
	if (ac->foreign)
		depot_put_empty(c, ac->foreign, false);
	ac->spare = ac->foreign = NULL;
}

/* Runs on each CPU: its array of one cache (arg), or of every cache (arg NULL). */
static void drain_cpu_callback(void *arg)
{
	struct kmem_cache *only = arg, *c;
	unsigned long flags;

	if (only) {
		spin_lock_irqsave(&only->lock, flags);
		cache_drain_this_cpu(only);
		spin_unlock_irqrestore(&only->lock, flags);
		return;
	}
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
	{
		spin_lock(&c->lock);
		cache_drain_this_cpu(c);
		spin_unlock(&c->lock);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}

/*
 * Every CPU's array (of one cache, or of all when only is NULL) back to the
 * slab lists: on_each_cpu asks each CPU to drain its own and waits. Called
 * with no cache lock held. Waiting for other CPUs is only safe with
 * interrupts on (kernel/smp.h: one of them might be spinning, interrupts
 * off, on a lock our caller holds), so with interrupts off only this CPU's
 * arrays are drained, as drain_all_pages does.
 */
static void drain_cpu_arrays(struct kmem_cache *only)
{
	if (arch_irqs_disabled()) {
		drain_cpu_callback(only);
		return;
	}
	on_each_cpu(drain_cpu_callback, only, true);
}

/* ---- cache creation ---- */

/*
 * Per-CPU capacity by stride; batch is half of it. Linux SLAB's table, but
 * for strides of 257 B to 1 KiB, which get 120 as the small ones do, not
 * SLAB's 54: each refill or flush (a depot operation) costs about as much
 * as 15-20 fast-path operations under TCG, and two CPUs make those
 * operations dearer than they make the fast paths: in smp-kmalloc at 1 KiB,
 * two CPUs gave 1.22-1.79x (median 1.64x) the ops/s of one with batches of
 * 27, and 1.57-2.05x (median 1.92x) with batches of 60, in alternating
 * boots under TCG, whose single-CPU operations were also cheaper
 * (docs/BENCHMARKS.md). The price is memory a CPU may hold idle: 120 KiB
 * instead of 54 in a 1 KiB cache.
 * SLAB_CPU_LIMIT_PCT scales the table at build time, for measurements.
 */
#ifndef SLAB_CPU_LIMIT_PCT
#define SLAB_CPU_LIMIT_PCT 100
#endif
static unsigned cpu_limit_for(unsigned size)
{
	unsigned limit = size > PAGE_SIZE ? 8 : size > 1024 ? 24 : 120;
	return MAX(2u, limit * SLAB_CPU_LIMIT_PCT / 100);
}

static void geom_for_order(const struct kmem_cache *c, unsigned order, struct slab_geom *g)
{
	unsigned long bytes = PAGE_SIZE << order;
	g->order = order;
	g->objects = bytes > c->obj_offset ? (unsigned)((bytes - c->obj_offset) / c->size) : 0;
	if (g->objects > 0xffff)
		g->objects = 0xffff;
	g->leftover = (unsigned)(bytes - c->obj_offset - (unsigned long)g->objects * c->size);
	g->colours = MIN(g->leftover, SLAB_FIRST_MAX - c->obj_offset) / c->colour_unit + 1;
}

static bool geom_tail_ok(const struct slab_geom *g)
{
	return g->objects && (unsigned long)g->leftover * 8 <= (PAGE_SIZE << g->order);
}

/* Choose the minimum and preferred slab orders (see slab_internal.h). false: nothing fits. */
static bool cache_pick_orders(struct kmem_cache *c)
{
	struct slab_geom g, best = { 0 };
	bool found = false;

	for (unsigned o = 0; o <= SLAB_MAX_ORDER && !found; o++) {
		geom_for_order(c, o, &g);
		if (geom_tail_ok(&g)) {
			c->min = g;
			found = true;
		} else if (g.objects &&
			   (!best.objects || (uint64_t)g.leftover * (PAGE_SIZE << best.order) <
						     (uint64_t)best.leftover * (PAGE_SIZE << o))) {
			best = g;
		}
	}
	if (!found) {
		if (!best.objects)
			return false;
		/* No order keeps the tail under 1/8 (huge odd sizes): take the least wasteful. */
		c->min = best;
	}
	c->oo = c->min;
	for (unsigned o = c->min.order + 1; o <= SLAB_PREFERRED_MAX_ORDER; o++) {
		if (c->oo.objects >= SLAB_MIN_OBJECTS)
			break;
		geom_for_order(c, o, &g);
		if (geom_tail_ok(&g) && g.objects > c->oo.objects)
			c->oo = g;
	}
	return true;
}

static int cache_init(struct kmem_cache *c, const char *name, size_t size, size_t align,
		      unsigned long flags, void (*ctor)(void *))
{
	if (!name || !size || size > SLAB_MAX_SIZE / 2) {
		pr_err("kmem_cache_create(%s): bad object size %zu (1..%lu)\n",
		       name ? name : "(null)", size, SLAB_MAX_SIZE / 2);
		return -1;
	}
	if (!align)
		align = 8;
	if (!IS_POWER_OF_2(align) || align > SLAB_MAX_SIZE / 2) {
		pr_err("kmem_cache_create(%s): bad alignment %zu (a power of two up to %lu)\n",
		       name, align, SLAB_MAX_SIZE / 2);
		return -1;
	}
	if (flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, (size_t)CACHELINE_SIZE);
	align = MAX(align, (size_t)8);

	memset(c, 0, sizeof(*c));
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		c->cpu_cache[cpu] = &slab_empty_ac;
	size_t nlen = strlen(name);
	if (nlen >= sizeof(c->name))
		nlen = sizeof(c->name) - 1;
	memcpy(c->name, name, nlen);
	c->name[nlen] = 0;
	c->flags = flags;
	c->object_size = (unsigned)size;
	c->align = (unsigned)align;
	c->ctor = ctor;

	if (slab_debug_enabled) {
		c->flags |= SLAB_DEBUG | (ctor ? 0 : SLAB_POISON);
		c->size = slab_debug_layout(c, c->align);
	} else {
		unsigned inner = ALIGN_UP(c->object_size, 8u);
		c->fp_offset = 0;
		if (ctor) {
			c->fp_offset = inner;
			inner += sizeof(void *);
		}
		c->obj_offset = 0;
		c->size = ALIGN_UP(inner, c->align);
	}
	if (c->obj_offset > SLAB_FIRST_MAX) {
		pr_err("kmem_cache_create(%s): alignment %zu too large for slab_debug\n", name,
		       align);
		return -1;
	}
	c->div_shift = (unsigned)__builtin_ctz(c->size);
	c->div_inv = slab_div_inverse(c->size >> c->div_shift);
	c->colour_unit = MAX(c->align, (unsigned)CACHELINE_SIZE);
	if (!cache_pick_orders(c) || align > (PAGE_SIZE << c->min.order)) {
		pr_err("kmem_cache_create(%s): no slab layout for size %zu align %zu\n", name, size,
		       align);
		return -1;
	}
	/*
	 * Power of two, no red zone, no spare bytes for colours in either
	 * geometry, and a direct map aligned to the largest slab (true of the
	 * kernel's; the hosted build's "RAM" is mapped so that it is too).
	 */
	c->obj_mask = SLAB_OBJ_MASK_NONE;
	if (IS_POWER_OF_2(c->size) && !c->obj_offset && c->oo.colours == 1 && c->min.colours == 1 &&
	    !c->oo.leftover && !c->min.leftover &&
	    !((uintptr_t)PAGE_OFFSET & ((PAGE_SIZE << MAX(c->oo.order, c->min.order)) - 1)))
		c->obj_mask = c->size - 1;
	c->limit = cpu_limit_for(c->size);
	c->batchcount = (c->limit + 1) / 2;
	/* Half the depot budget per slot, in magazines (0: no depot yet, or at all). */
	c->depot_max =
		(unsigned)MIN(slab_depot_budget / 2 / ((unsigned long)c->batchcount * c->size),
			      (unsigned long)UINT32_MAX / 2);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_init(&c->depot[cpu].lock);
	c->random = (uintptr_t)arch_random_u64();
	spin_lock_init(&c->lock);
	for (unsigned i = 0; i < SLAB_NR_LISTS; i++)
		page_list_init(&c->lists[i]);
	INIT_LIST_HEAD(&c->list);
	return 0;
}

static void cache_link(struct kmem_cache *c)
{
	unsigned long flags;
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_add_tail(&c->list, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}

struct kmem_cache *__kmem_cache_create(const char *name, size_t size, size_t align,
				       unsigned long flags, void (*ctor)(void *))
{
	if (!slab_is_ready && !(flags & SLAB_KMALLOC)) {
		pr_err("kmem_cache_create(%s): called before kmem_cache_init\n", name);
		goto fail;
	}
	struct kmem_cache *c = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!c) {
		pr_err("kmem_cache_create(%s): out of memory\n", name);
		goto fail;
	}
	if (cache_init(c, name, size, align, flags, ctor) < 0) {
		kmem_cache_free(&kmem_cache_boot, c);
		goto fail;
	}
	cache_link(c);
	return c;
fail:
	if (flags & SLAB_PANIC)
		panic("kmem_cache_create(%s) failed", name ? name : "(null)");
	return NULL;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *))
{
	const unsigned long known = SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_NO_MERGE;
	if (flags & ~known)
		pr_warn("kmem_cache_create(%s): ignoring unknown flags %#lx\n", name,
			flags & ~known);
	return __kmem_cache_create(name, size, align, flags & known, ctor);
}

/* ---- the public object API ---- */

static __noinline void *cache_zalloc(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	void *obj = slab_alloc_fast(c, gfp, caller);
	if (obj)
		memset(obj, 0, c->object_size);
	return obj;
}

/*
 * kmem_cache_alloc that records how it was served (mm/provenance.h): the
 * same fast path; the slow paths fill info through slab_info_sink.
 */
static __noinline void *cache_alloc_provenance(struct kmem_cache *c, gfp_t gfp,
					       struct kmalloc_info *info, uintptr_t caller)
{
	unsigned cpu = smp_processor_id();

	*info = (struct kmalloc_info){
		.path = SA_CPU_HIT, .cache = c->name, .obj_size = c->object_size, .cpu = cpu
	};
	slab_info_sink[cpu] = info;
	void *obj =
		(gfp & __GFP_ZERO) ? cache_zalloc(c, gfp, caller) : slab_alloc_fast(c, gfp, caller);
	slab_info_sink[cpu] = NULL;
	if (!obj)
		info->path = SA_FAILED;
	return obj;
}

static __noinline void *cache_alloc_traced(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	struct kmalloc_info info;
	void *obj = cache_alloc_provenance(c, gfp, &info, caller);
	mm_trace_kmalloc(c->object_size, obj, &info, true, caller);
	return obj;
}

void *kmem_cache_alloc_info(struct kmem_cache *c, gfp_t gfp, struct kmalloc_info *info)
{
	void *obj = cache_alloc_provenance(c, gfp, info, _RET_IP_);
	if (unlikely(mm_trace_enabled))
		mm_trace_kmalloc(c->object_size, obj, info, true, _RET_IP_);
	return obj;
}

void *kmem_cache_alloc_out_of_line(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	if (unlikely(mm_trace_enabled))
		return cache_alloc_traced(c, gfp, caller);
	if (gfp & __GFP_ZERO)
		return cache_zalloc(c, gfp, caller);
	return slab_alloc_fast(c, gfp, caller); /* the trace went off meanwhile */
}

void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	if (unlikely(mm_trace_enabled))
		return cache_alloc_traced(c, gfp | __GFP_ZERO, _RET_IP_);
	return cache_zalloc(c, gfp, _RET_IP_);
}

void kmem_cache_free_out_of_line(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	if (unlikely(!obj))
		return;
	if (unlikely(mm_trace_enabled))
		mm_trace_kfree(obj, c->name, true, caller);
	struct page *slab = virt_to_slab(obj);
	if (unlikely(!slab || slab->slab_cache != c || !slab_obj_boundary(c, slab, obj))) {
		slab_report_bad_ptr(c, obj, caller);
		return;
	}
	slab_free_fast(c, obj, caller);
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	unsigned long flags, freed;

	drain_cpu_arrays(c);
	depot_drain(c);
	spin_lock_irqsave(&c->lock, flags);
	freed = cache_release_empty(c, 0);
	spin_unlock_irqrestore(&c->lock, flags);
	return freed;
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long flags, leaked;

	if (!c)
		return;
	if (c == &kmem_cache_boot || (c->flags & (SLAB_KMALLOC | SLAB_NOT_READY))) {
		pr_err("kmem_cache_destroy(%s): refusing to destroy a boot cache\n", c->name);
		slab_count_report();
		return;
	}
	drain_cpu_arrays(c);
	depot_drain(c);
	spin_lock_irqsave(&c->lock, flags);
	cache_release_empty(c, 0);
	leaked = c->inuse_objects;
	spin_unlock_irqrestore(&c->lock, flags);
	if (leaked) {
		/* Like Linux: the cache stays (its slabs still point at it); destroy again later. */
		slab_count_report();
		pr_err("kmem_cache_destroy(%s): %lu object%s still allocated (leak); cache kept\n",
		       c->name, leaked, leaked == 1 ? "" : "s");
		if (c->lost_objects)
			pr_err("kmem_cache_destroy(%s): %lu of them lost to free-list corruption\n",
			       c->name, c->lost_objects);
		if (c->flags & SLAB_DEBUG) {
			spin_lock_irqsave(&c->lock, flags);
			unsigned shown = 0;
			for (unsigned l = 0; l < SLAB_NR_LISTS; l++) {
				struct page *slab;
				page_list_for_each(slab, &c->lists[l])
				{
					for (unsigned i = 0; i < slab->objects && shown < 8; i++) {
						void *obj = slab_obj(c, slab, i);
						struct slab_track *t = slab_track_of(c, obj);
						if (t->state != SLAB_STATE_ALLOC)
							continue;
						pr_err("  leaked %p allocated by %pS\n", obj,
						       (void *)t->alloc_caller);
						shown++;
					}
				}
			}
			spin_unlock_irqrestore(&c->lock, flags);
		}
		return;
	}

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_del(&c->list);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	/*
	 * No CPU's kfree may push to c's arrays once they are freed, nor to a
	 * cache created later at c's address: clear every kfree pair that
	 * names c (mm/slab_percpu.h). A CPU that still frees objects of c
	 * now breaks the contract (no object of c is allocated any more).
	 */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (READ_ONCE(per_cpu(cpu)->slab.kfree_cache) == c)
			WRITE_ONCE(per_cpu(cpu)->slab.kfree_cache, NULL);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (c->cpu_cache[cpu] != &slab_empty_ac)
			kfree_nocpu(c->cpu_cache[cpu]);
	kmem_cache_free(&kmem_cache_boot, c);
}

/* ---- draining, reclaim ---- */

void kmem_cache_drain_all(void)
{
	drain_cpu_arrays(NULL);
	depot_drain_all();
}

unsigned long slab_reclaim(void)
{
	unsigned long flags, freed = 0;
	struct kmem_cache *c;

	drain_cpu_arrays(NULL);
	depot_drain_all();
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
	{
		spin_lock(&c->lock);
		freed += cache_release_empty(c, 0);
		spin_unlock(&c->lock);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return freed;
}

/* ---- bring-up ---- */

void kmem_cache_init(void)
{
	if (slab_is_ready)
		return;
	if (cmdline_has("slab_debug"))
		slab_debug_enabled = true;
	slab_depot_budget = nr_free_pages() * PAGE_SIZE / 16;
	depot_chunk = MAX(slab_depot_budget / 64, 16 * PAGE_SIZE);
	if (cache_init(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache), CACHELINE_SIZE, 0,
		       NULL) < 0)
		panic("kmem_cache_init: cannot set up the kmem_cache cache");
	cache_link(&kmem_cache_boot);
	kmalloc_init();
	slab_is_ready = true;
	kmalloc_set_trace(READ_ONCE(mm_trace_enabled));
	pr_info("slab: %u-byte kmem_cache, per-CPU arrays for %u CPUs, depots of up to %lu KiB%s\n",
		kmem_cache_boot.size, NR_CPUS, slab_depot_budget >> 10,
		slab_debug_enabled ? ", slab_debug on" : "");
}

/* ---- invariant checker ---- */

static unsigned check_problem(const struct kmem_cache *c, const char *what, const void *p,
			      unsigned long a, unsigned long b)
{
	pr_err("slab_check: cache %s: %s (%p: %lu vs %lu)\n", c->name, what, p, a, b);
	return 1;
}

/* Validate one slab: marks, counts, list, free list. Lock held. */
static unsigned check_slab(struct kmem_cache *c, struct page *slab, unsigned list)
{
	unsigned problems = 0;
	unsigned order = page_order(slab);

	if (!(slab->flags & PG_slab) || slab->slab_cache != c)
		return check_problem(c, "slab page not marked as this cache's", slab, slab->flags,
				     0);
	if (slab->objects != c->oo.objects && slab->objects != c->min.objects)
		problems +=
			check_problem(c, "objects per slab", slab, slab->objects, c->oo.objects);
	if (order != c->oo.order && order != c->min.order)
		problems += check_problem(c, "slab order", slab, order, c->oo.order);
	if (slab->inuse > slab->objects)
		problems += check_problem(c, "inuse > objects", slab, slab->inuse, slab->objects);
	if (slab_list_idx(slab) != list)
		problems +=
			check_problem(c, "slab on the wrong list", slab, list, slab_list_idx(slab));
	for (unsigned long i = 1; i < (1UL << order); i++)
		if ((slab[i].flags & (PG_slab | PG_tail)) != (PG_slab | PG_tail) ||
		    slab[i].compound_head != slab || slab[i].slab_cache != c)
			problems += check_problem(c, "tail page not linked to its head and cache",
						  slab + i, i, slab[i].flags);

	/* The free list: bounded walk, every pointer inside the slab at a boundary. */
	unsigned long nfree = 0, want = slab->objects - MIN(slab->inuse, slab->objects);
	void *p = slab->freelist;
	while (p) {
		if (!slab_contains_obj(c, slab, p)) {
			problems += check_problem(c, "free list points outside the slab", p, nfree,
						  want);
			break;
		}
		if ((c->flags & SLAB_DEBUG) && slab_track_of(c, p)->state != SLAB_STATE_FREE) {
			problems += check_problem(c, "object on the free list is not recorded free",
						  p, slab_track_of(c, p)->state, SLAB_STATE_FREE);
			break;
		}
		if (++nfree > want) {
			problems += check_problem(c, "free list longer than objects - inuse", slab,
						  nfree, want);
			break;
		}
		p = freeptr_get(c, p);
	}
	if (nfree < want && !problems)
		problems += check_problem(c, "free list shorter than objects - inuse", slab, nfree,
					  want);
	if (c->flags & SLAB_DEBUG)
		problems += slab_debug_check_slab(c, slab);
	return problems;
}

/*
 * The depot, slot by slot: list lengths as counted, bounds kept, every full
 * magazine's objects objects of this cache, every magazine in its owner's
 * slot, empty ones empty, bytes as counted and charged. Lock held (each
 * slot's lock taken here).
 */
static unsigned check_depot(struct kmem_cache *c)
{
	unsigned problems = 0;
	struct slab_magazine *m;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		struct depot_slot *d = &c->depot[cpu];
		unsigned long n = 0, here = 0;

		spin_lock(&d->lock);
		for (m = d->full; m && n <= d->nr_full; m = m->next, n++) {
			if (!m->n || m->n > c->batchcount || m->owner != cpu) {
				problems += check_problem(c, "depot magazine: objects, owner", m,
							  m->n, m->owner);
				continue;
			}
			for (unsigned i = 0; i < m->n; i++) {
				struct page *slab = virt_to_slab(m->objs[i]);
				if (!slab || slab->slab_cache != c ||
				    !slab_obj_valid(c, slab, m->objs[i]))
					problems += check_problem(
						c, "depot magazine holds a foreign pointer",
						m->objs[i], n, i);
			}
			here += m->n;
		}
		if (n != d->nr_full || n > c->depot_max)
			problems += check_problem(c, "full magazines in a depot slot", d, n,
						  d->nr_full);
		if (here * c->size != d->bytes || d->bytes > d->charged)
			problems += check_problem(c, "depot bytes (counted, recorded)", d,
						  here * c->size, d->bytes);
		n = 0;
		for (m = d->empty; m && n <= d->nr_empty; m = m->next, n++)
			if (m->n || m->owner != cpu)
				problems += check_problem(c, "empty magazine: objects, owner", m,
							  m->n, m->owner);
		/* Drained CPUs' magazines may push a list past its bound until depot_drain. */
		if (n != d->nr_empty || n > c->depot_max + 2 * nr_cpu_ids)
			problems += check_problem(c, "empty magazines in a depot slot", d, n,
						  d->nr_empty);
		spin_unlock(&d->lock);
	}
	return problems;
}

/*
 * Every free object of c is in exactly one place: on its slab's free list,
 * in one CPU's array, or in one depot magazine. A double free that the cheap
 * checks miss (the first copy already flushed to the depot or the slab by
 * the time of the second) leaves an object in two places, to be handed out
 * twice; here it is found by sorting every free object's address. The
 * buffer is static (the checker must not allocate while it holds cache
 * locks): a cache with more free objects than it holds is not checked this
 * way. Lock held; the structures have passed the other checks.
 */
#define DUP_CHECK_MAX 8192
static unsigned long dup_check_buf[DUP_CHECK_MAX];

static bool dup_add(unsigned long *n, const void *obj)
{
	if (*n >= DUP_CHECK_MAX)
		return false;
	dup_check_buf[(*n)++] = (unsigned long)obj;
	return true;
}

static unsigned check_duplicates(struct kmem_cache *c)
{
	unsigned long n = 0;
	bool room = true;

	if (c->total_objects - c->inuse_objects > DUP_CHECK_MAX)
		return 0;
	for (unsigned l = 0; l < SLAB_NR_LISTS && room; l++) {
		struct page *slab;
		page_list_for_each(slab, &c->lists[l])
		{
			for (void *p = slab->freelist; p && room; p = freeptr_get(c, p))
				room = dup_add(&n, p);
		}
	}
	for (unsigned cpu = 0; cpu < NR_CPUS && room; cpu++) {
		const struct array_cache *ac = c->cpu_cache[cpu];
		for (unsigned i = 1; ac != &slab_empty_ac && i <= ac->avail && room; i++)
			room = dup_add(&n, ac->slots[i]);
	}
	for (unsigned cpu = 0; cpu < NR_CPUS && room; cpu++) {
		struct depot_slot *d = &c->depot[cpu];
		spin_lock(&d->lock);
		for (const struct slab_magazine *m = d->full; m && room; m = m->next)
			for (unsigned i = 0; i < m->n && room; i++)
				room = dup_add(&n, m->objs[i]);
		spin_unlock(&d->lock);
	}
	if (!room)
		return 0; /* grew past the buffer since the estimate: not checked */
	sort_ulong(dup_check_buf, n);
	unsigned problems = 0;
	for (unsigned long i = 1; i < n; i++)
		if (dup_check_buf[i] == dup_check_buf[i - 1])
			problems += check_problem(
				c, "object free in two places (slab, arrays, depot): a double free",
				(void *)dup_check_buf[i], i, n);
	return problems;
}

static unsigned check_cache(struct kmem_cache *c)
{
	unsigned long flags, objects = 0, inuse = 0, pages = 0;
	unsigned problems = 0;

	spin_lock_irqsave(&c->lock, flags);
	for (unsigned l = 0; l < SLAB_NR_LISTS; l++) {
		unsigned long n = 0;
		struct page *slab;
		page_list_for_each(slab, &c->lists[l])
		{
			problems += check_slab(c, slab, l);
			objects += slab->objects;
			inuse += slab->inuse;
			pages += 1UL << page_order(slab);
			if (++n > c->nr_slabs[l] + 1000000)
				break; /* a cycle: reported by the count below */
		}
		if (n != c->nr_slabs[l])
			problems +=
				check_problem(c, "slab count of a list", NULL, n, c->nr_slabs[l]);
	}
	if (objects != c->total_objects)
		problems += check_problem(c, "total objects", NULL, objects, c->total_objects);
	if (inuse != c->inuse_objects)
		problems += check_problem(c, "objects in use", NULL, inuse, c->inuse_objects);
	if (pages != c->total_pages)
		problems += check_problem(c, "pages", NULL, pages, c->total_pages);

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		struct array_cache *ac = c->cpu_cache[cpu];
		if (ac == &slab_empty_ac)
			continue;
		if ((ac->spare && (ac->spare->n || ac->spare->owner != cpu)) ||
		    (ac->foreign && ac->foreign->n))
			problems += check_problem(c, "a CPU's spare or foreign magazine", ac, cpu,
						  ac->spare ? ac->spare->n : 0);
		if (ac->avail > ac->limit || ac->slots[0] != NULL) {
			problems +=
				check_problem(c, "per-CPU array state", ac, ac->avail, ac->limit);
			continue;
		}
		for (unsigned i = 1; i <= ac->avail; i++) {
			struct page *slab = virt_to_slab(ac->slots[i]);
			if (!slab || slab->slab_cache != c ||
			    !slab_obj_valid(c, slab, ac->slots[i]))
				problems +=
					check_problem(c, "per-CPU array holds a foreign pointer",
						      ac->slots[i], cpu, i);
		}
	}
	if (slab_empty_ac.avail || slab_empty_ac.limit || slab_empty_ac.slots[0])
		problems += check_problem(c, "placeholder array was written", &slab_empty_ac, 0, 0);
	problems += check_depot(c);
	if (!problems)
		problems += check_duplicates(c);
	spin_unlock_irqrestore(&c->lock, flags);
	return problems;
}

/*
 * Each CPU's slab part of its area (mm/slab_percpu.h): its kfree pair
 * names nothing, or a live cache and this CPU's array of it; its kmalloc
 * table holds this CPU's array of each size's cache. slab_caches_lock held.
 * Another CPU may be changing its pair (kfree_other_cache clears the cache,
 * writes the array, then the cache): a pair whose array changed while it
 * was read is skipped.
 */
static unsigned check_percpu(unsigned cpu)
{
	const struct slab_percpu *sp = &per_cpu(cpu)->slab;
	unsigned problems = 0;

	const struct array_cache *ac = READ_ONCE(sp->kfree_ac);
	const struct kmem_cache *kc = READ_ONCE(sp->kfree_cache);
	if (kc && ac == READ_ONCE(sp->kfree_ac)) {
		const struct kmem_cache *c;
		bool live = false;
		list_for_each_entry(c, &slab_caches, list)
		{
			live |= c == kc;
		}
		if (!live) {
			pr_err("slab_check: CPU %u: kfree pair names %p, not a cache\n", cpu, kc);
			problems++;
		} else if (ac != kc->cpu_cache[cpu]) {
			problems +=
				check_problem(kc, "CPU's kfree pair has another array", ac, cpu, 0);
		}
	}
	for (unsigned i = 0; i < ARRAY_SIZE(sp->kmalloc_ac); i++)
		if (sp->kmalloc_ac[i] != kmalloc_cache_by8[i]->cpu_cache[cpu])
			problems += check_problem(kmalloc_cache_by8[i],
						  "CPU's kmalloc table has another array",
						  sp->kmalloc_ac[i], cpu, i);
	return problems;
}

unsigned slab_check(void)
{
	unsigned long flags;
	unsigned problems = 0;
	struct kmem_cache *c;

	if (!slab_is_ready)
		return 0;
	spin_lock_irqsave(&slab_caches_lock, flags);
	unsigned long charged = 0;
	list_for_each_entry(c, &slab_caches, list)
	{
		problems += check_cache(c);
		charged += depot_charged(c);
	}
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		problems += check_percpu(cpu);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	unsigned long total = __atomic_load_n(&slab_depot_charged, __ATOMIC_RELAXED);
	if (charged != total || total > slab_depot_budget) {
		pr_err("slab_check: depots charged %lu bytes, the total says %lu (budget %lu)\n",
		       charged, total, slab_depot_budget);
		problems++;
	}
	return problems;
}
KTEST_CHECKER(slab, slab_check);

/* ---- slabinfo ---- */

void show_slabinfo(void)
{
	unsigned long flags;
	struct kmem_cache *c;

	printk("== slabinfo ==\n");
	printk("slabinfo - version: 2.1\n");
	printk("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	       " : tunables <limit> <batchcount> <sharedfactor>"
	       " : slabdata <active_slabs> <num_slabs> <sharedavail>"
	       " : cpustat <allochit> <freehit> <refills> <flushes>\n");
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
	{
		unsigned long hits = 0, fhits = 0, refills = 0, flushes = 0, avail = 0;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			const struct array_cache *ac = c->cpu_cache[cpu];
			hits += ac_alloc_hits(ac);
			fhits += ac->free_hits;
			refills += ac->refills;
			flushes += ac->flushes;
			avail += ac->avail;
		}
		(void)avail;
		bool dbg = c->flags & SLAB_DEBUG;
		unsigned long depot = depot_bytes(c) / c->size;
		printk("%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu "
		       "%6lu"
		       " : cpustat %6lu %6lu %6lu %6lu\n",
		       c->name, c->inuse_objects, c->total_objects, c->size, c->oo.objects,
		       1u << c->oo.order, dbg ? 0 : c->limit, dbg ? 0 : c->batchcount,
		       dbg ? 0 : c->depot_max, c->nr_slabs[SLAB_PARTIAL] + c->nr_slabs[SLAB_FULL],
		       c->nr_slabs[SLAB_PARTIAL] + c->nr_slabs[SLAB_FULL] + c->nr_slabs[SLAB_EMPTY],
		       depot, hits, fhits, refills, flushes);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}
