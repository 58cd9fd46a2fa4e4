/*
 * slab_internal.h - the slab allocator's private data structures, shared by
 * mm/slab.c (object caches and the per-CPU layer), mm/kmalloc.c (size
 * classes) and mm/slab_debug.c (slab_debug mode). Nothing outside those three
 * files includes this; the public API is mm/slab.h.
 *
 * The picture, for one cache:
 *
 *   cpu_cache[cpu] --> struct array_cache   slots[1..avail]: free objects, LIFO
 *        |                 (owned by that CPU: no lock, no atomic instruction,
 *        |                  interrupts on: restartable sequences)
 *        | refill / flush a batch: a copy of batchcount pointers, made outside
 *        | any lock; a depot slot's lock only for the list operation
 *        v
 *   depot[cpu]   per-CPU slots of magazines (struct slab_magazine) of
 *        |       batchcount free objects: a CPU files its own and refills
 *        |       from its own first, from another CPU's slot when it has none
 *        | when no slot has a full magazine / at the bound: one object at a
 *        | time, under cache->lock
 *        v
 *   lists[SLAB_PARTIAL | SLAB_FULL | SLAB_EMPTY]   slabs (head struct pages)
 *        |                                           linked through page->lru
 *        | grow / release a slab
 *        v
 *   alloc_pages / __free_pages (the buddy allocator)
 *
 * A slab is 2^order contiguous pages. Its head struct page carries PG_slab,
 * the order, the colour (below), slab_cache, the free list head, inuse and
 * objects; every other page carries PG_tail and compound_head, so any address
 * inside a slab leads to its head and cache in O(1).
 *
 * Object layout inside a slab (c->size is the stride):
 *
 *   | colour | obj 0 | obj 1 | ... | obj n-1 | unused tail |
 *
 * and inside one stride, from its start:
 *
 *   normal cache, no ctor:  [object (free pointer at offset 0 while free)][pad]
 *   normal cache with ctor: [object][free pointer][pad]
 *   slab_debug cache:       [left red zone][object][right red zone]
 *                           [free pointer][struct slab_track][pad]
 *
 * The first object starts obj_offset bytes after the colour (0 unless
 * slab_debug: room for its left red zone),
 * and fp_offset is the free pointer's offset from the object's start.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/slab_percpu.h"

/*
 * Slab orders: the smallest order whose unused tail is at most 1/8 of the
 * slab (the "minimum" order) is always acceptable; the preferred order is the
 * smallest one, up to SLAB_PREFERRED_MAX_ORDER, that also holds
 * SLAB_MIN_OBJECTS objects, so that one slab feeds a whole per-CPU batch of
 * large objects. When the buddy allocator cannot provide the preferred order
 * (fragmentation), the cache falls back to the minimum order; each slab
 * records its own order and object count, so both kinds coexist.
 */
#define SLAB_MAX_ORDER		 5 /* 128 KiB: largest slab considered */
#define SLAB_PREFERRED_MAX_ORDER 3 /* Linux's PAGE_ALLOC_COSTLY_ORDER */
#define SLAB_MIN_OBJECTS	 8
#define SLAB_MAX_SIZE		 (PAGE_SIZE << SLAB_MAX_ORDER)

/*
 * Where a slab's first object starts (its colour, plus the left red zone in
 * slab_debug mode) lives in bits 22-31 of the head page's flags, in units of
 * 16 bytes (page.h leaves those bits free: flags 0-15, order 16-19, zone
 * 20-21), so kfree finds it without touching anything but the struct page and
 * the cache. Offsets reach 16368 bytes; a cache with more spare bytes cycles
 * through the colours below that, which is plenty (colouring only needs to
 * spread objects over the L1/L2 sets).
 */
#define SLAB_FIRST_SHIFT 22
#define SLAB_FIRST_BITS	 10
#define SLAB_FIRST_MASK	 (((1u << SLAB_FIRST_BITS) - 1) << SLAB_FIRST_SHIFT)
#define SLAB_FIRST_UNIT	 16
#define SLAB_FIRST_MAX	 (((1u << SLAB_FIRST_BITS) - 1) * SLAB_FIRST_UNIT)
BUILD_BUG_ON((PG_ZONE_MASK | PG_ORDER_MASK | 0xffffu) & SLAB_FIRST_MASK);
/* slab_base relies on it: the byte offset of a struct page in mem_map, times 128, is its pfn's. */
BUILD_BUG_ON(sizeof(struct page) != 32);

/*
 * "Is off a multiple of the stride, and which one?" without a divide
 * (Granlund and Montgomery, 1994): write the stride as d0 * 2^k with d0
 * odd, and let inv be d0's inverse modulo 2^64. Multiplying by inv maps
 * the multiples of d0 one-to-one onto 0, 1, 2, ... and every other 64-bit
 * value above (2^64 - 1) / d0; rotating right by k then sends any value
 * with one of its low k bits set to the top as well. So
 * ror64(off * inv, k) is off / size when size divides off, and larger than
 * any object count otherwise: one compare with the slab's count decides
 * (slab_obj_valid).
 */
static inline uint64_t slab_div_inverse(uint64_t odd)
{
	uint64_t x = odd; /* right to 3 bits: odd * odd = 1 mod 8 */
	for (int i = 0; i < 5; i++)
		x *= 2 - odd * x; /* Newton: doubles the correct bits, 3 -> 96 */
	return x;
}

/* off / size if size = odd * 2^shift divides off (inv = slab_div_inverse(odd)), else > 2^64 / size. */
static inline uint64_t slab_div_exact(uint64_t off, uint64_t inv, unsigned shift)
{
	uint64_t x = off * inv;
	return (x >> shift) | (x << ((64 - shift) & 63)); /* rotate right */
}

/* c->flags bits private to the allocator (above the public SLAB_* flags). */
#define SLAB_DEBUG     0x80000000UL /* slab_debug: poison, red zones, tracking; no per-CPU layer */
#define SLAB_POISON    0x40000000UL /* free objects are poisoned (debug caches without a ctor) */
#define SLAB_KMALLOC   0x20000000UL /* one of the kmalloc size classes */
#define SLAB_NOT_READY 0x10000000UL /* the placeholder used before kmem_cache_init */

enum slab_list_idx { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY, SLAB_NR_LISTS };

/*
 * One CPU's stack of free objects for one cache (Bonwick's magazine, Linux
 * SLAB's array_cache). slots[0] is always NULL and objects live in
 * slots[1..avail], so "is obj already on top?" (the cheap double-free check)
 * needs no test for an empty stack. Only its CPU touches it; even draining
 * is done by each CPU for itself (drain_cpu_arrays).
 *
 * The fast paths take no lock, no atomic instruction, and leave interrupts
 * on: each is a restartable sequence (arch/x86_64/restart.h) that reads
 * avail, decides, and commits with a single store of avail. An interrupt
 * arriving before that store moves the interrupted CPU back to the start of
 * the sequence, so a handler on this CPU may allocate, free, refill, flush
 * or drain this very array (the drain IPI does) and the sequence then runs
 * again on what the handler left. The slow paths change the array with
 * interrupts off. (Linux SLUB commits with a cmpxchg on freelist +
 * transaction id instead, which a stack of pointers cannot: a push must
 * write its slot before it commits. Linux's newer per-CPU "sheaves" take a
 * local_trylock. The restart costs the fast path nothing at all.)
 *
 * The layout is the sequences' contract: avail at offset 0, limit at 4,
 * slots after the counters (restart_pop / restart_push take the offsets).
 */
struct array_cache {
	unsigned int avail;	 /* objects in slots[1..avail] */
	unsigned int limit;	 /* capacity; 0 in the shared placeholder */
	unsigned int batchcount; /* objects moved per refill / flush */
	unsigned int cpu;
	/*
	 * Object movements, except the fast path's pops, which are counted
	 * as what is left: see ac_alloc_hits. Only this CPU writes them.
	 */
	unsigned long free_hits;     /* frees absorbed by the fast path */
	unsigned long free_slow;     /* frees pushed by the slow path (after a flush) */
	unsigned long alloc_slow;    /* allocations popped by the slow path (after a refill) */
	unsigned long objs_refilled; /* objects brought in by refills */
	unsigned long objs_flushed;  /* objects taken out by flushes and drains */
	unsigned long refills;	     /* batches taken (from the depot or the slab lists) */
	unsigned long flushes;	     /* batches given back (to the depot or the slab lists) */
	/* Refills by the deepest level they reached (provenance; their sum <= refills). */
	unsigned long refill_partial; /* partial slabs were enough */
	unsigned long refill_empty;   /* took from empty slabs the cache kept */
	unsigned long refill_new;     /* needed new slabs from the buddy allocator */
	unsigned long refill_depot;   /* a full magazine from the depot (not in the three above) */
	unsigned long flush_depot; /* flushes that went into a depot magazine (the rest: slabs) */
	/*
	 * spare: an empty magazine of this CPU's own, which its next flush
	 * fills (outside any lock: its slot's lock is held for list
	 * operations only). foreign: the magazine its last refill emptied when another
	 * CPU filled it, handed back to that CPU's empty list at the next
	 * depot operation (see slab_magazine on why magazines go home).
	 */
	struct slab_magazine *spare, *foreign;
	void *slots[];
};

/*
 * Allocations the fast path served from ac: every object that came into
 * the array and is neither still there nor taken out by a flush, a drain or
 * the slow path was popped by the fast path. Counting them as the
 * remainder keeps a counter off the allocation fast path. Exact on its own
 * CPU; a snapshot from another CPU may be off by the operations in flight.
 */
static inline unsigned long ac_alloc_hits(const struct array_cache *ac)
{
	return ac->objs_refilled + ac->free_hits + ac->free_slow - ac->objs_flushed - ac->avail -
	       ac->alloc_slow;
}

/*
 * The depot (Bonwick's name): a cache's free objects in magazines of
 * batchcount pointers, between the per-CPU arrays and the slabs. A flush
 * copies the array's oldest batch into an empty magazine and files it as
 * full; a refill copies a full magazine into an empty array. Neither touches
 * the objects or their slabs, so a batch costs a copy of pointers (made
 * outside any lock; a depot slot's lock covers the list operation only),
 * whichever CPU freed the objects: the
 * producer/consumer pattern (one CPU allocates, another frees) and a large
 * working set freed in any order both cycle through here instead of the
 * slab lists. Objects in the depot count as in use for the slabs (like
 * those in the arrays); kmem_cache_shrink, kmem_cache_drain_all and memory
 * pressure (slab_reclaim) put them back into their slabs.
 *
 * Each magazine belongs to the CPU that allocated it, and only that CPU
 * fills it: an emptied magazine goes back to its owner's empty list. Any
 * CPU may read a full one. Writing into memory another CPU has just used
 * is what costs between CPUs (measured under TCG, two CPUs each running
 * kmalloc-batch: a flush into a magazine the other CPU had filled took
 * 9,000-12,000 cycles for 60 pointers, against 500-850 into its own).
 */
struct slab_magazine {
	struct slab_magazine *next;
	unsigned int n;	    /* objects in objs[0..n-1]; 0 while empty */
	unsigned int owner; /* the CPU that fills it */
	void *objs[];
};

/*
 * One CPU's part of a cache's depot: the magazines it owns, full and empty,
 * under a lock of their own, on a cache line of their own. A CPU flushes
 * into and refills from its own slot, so CPUs that work from their own
 * magazines share no line at all (one shared lock for the depot made each
 * flush and refill cost about twice as much with two busy CPUs under TCG);
 * a CPU whose slot has no full magazine takes one from another CPU's slot,
 * and hands emptied foreign magazines back to their owner's.
 */
struct depot_slot {
	/*
	 * Padded to a line, not aligned by an attribute: struct kmem_cache
	 * starts with the slots and is allocated cache-line aligned, which
	 * puts each slot on a line of its own; an aligned type would make the
	 * list sentinel that list_for_each_entry computes a misaligned
	 * "struct kmem_cache".
	 */
	union {
		struct {
			spinlock_t lock;
			unsigned int nr_full, nr_empty;
			/* the fewest full magazines since the last reap (depot_reap_idle) */
			unsigned int min_full;
			struct slab_magazine *full, *empty;
			unsigned long bytes;   /* object bytes in the full magazines */
			unsigned long charged; /* of slab_depot_budget (depot_charge): >= bytes */
		};
		char line[CACHELINE_SIZE];
	};
};
BUILD_BUG_ON(sizeof(struct depot_slot) != CACHELINE_SIZE);

/*
 * The placeholder every cpu_cache[] slot points at until its CPU first needs
 * a real array (and forever for slab_debug caches): avail = limit = 0 sends
 * both fast paths to the slow path, so the fast paths test nothing else.
 */
extern struct array_cache slab_empty_ac;

/* Where a cache's slabs come from and how they are laid out, for one order. */
struct slab_geom {
	unsigned int order;
	unsigned int objects;  /* objects per slab */
	unsigned int leftover; /* slab bytes not covered by objects */
	unsigned int colours;  /* distinct colour offsets used (1 = no colouring) */
};

struct kmem_cache {
	/*
	 * The depot, one slot per CPU (a slot's lock is never held with
	 * another slot's; it may be taken under lock, by slab_check and the
	 * drain of an array, never the other way round). At most
	 * depot_max full magazines in each slot, each holding batchcount
	 * objects or fewer. First, so that the slots are line-aligned.
	 */
	struct depot_slot depot[NR_CPUS];
	unsigned int depot_max;

	/* Fast path, read-mostly. */
	struct array_cache *cpu_cache[NR_CPUS];
	unsigned long flags;
	unsigned int size;	  /* stride between objects */
	unsigned int object_size; /* bytes the user may use (ksize) */
	unsigned int obj_offset;  /* object start within its stride */
	unsigned int fp_offset;	  /* free pointer, from the object start */
	uint64_t div_inv;	  /* inverse of size's odd part mod 2^64 (slab_div_inverse) */
	unsigned int div_shift;	  /* size's trailing zero bits */
	/*
	 * size - 1 when every object of every slab starts at a multiple of
	 * size, in the direct map (a power-of-two size with no colour and no
	 * red zone: slabs are naturally aligned buddy blocks that size
	 * divides, and PAGE_OFFSET is aligned to more than any slab), so an
	 * object boundary is one TEST away; SLAB_OBJ_MASK_NONE otherwise,
	 * which every pointer fails: the exact test (slab_obj_valid) decides.
	 */
	uintptr_t obj_mask;
	uintptr_t random; /* free pointer obfuscation key */

	/* Geometry, set at creation. */
	unsigned int align;
	unsigned int colour_unit;  /* colours are multiples of this (keeps alignment) */
	struct slab_geom oo;	   /* preferred */
	struct slab_geom min;	   /* fallback when the preferred order is unavailable */
	unsigned int limit;	   /* per-CPU array capacity */
	unsigned int batchcount;   /* per-CPU refill/flush batch */
	unsigned int track_offset; /* slab_debug: struct slab_track, from the object start */
	void (*ctor)(void *);
	char name[32];

	/* Central layer: everything below is protected by lock. */
	spinlock_t lock;
	struct page_list lists[SLAB_NR_LISTS];
	unsigned long nr_slabs[SLAB_NR_LISTS];
	unsigned long total_objects; /* objects in all slabs */
	unsigned long inuse_objects; /* handed out (including per-CPU arrays) or lost */
	unsigned long total_pages;
	unsigned int colour_next;
	unsigned long grown, reaped; /* slabs allocated / given back */
	unsigned long lost_objects;  /* dropped with a corrupted free list */

	struct list_head list; /* slab_caches, under slab_caches_lock */
};

/* Totals over a cache's depot slots (unlocked reads: for reports and tests). */
#define DEPOT_SUM(c, field)                                          \
	({                                                           \
		unsigned long __sum = 0;                             \
		for (unsigned __cpu = 0; __cpu < NR_CPUS; __cpu++)   \
			__sum += READ_ONCE((c)->depot[__cpu].field); \
		__sum;                                               \
	})
#define depot_nr_full(c)  DEPOT_SUM(c, nr_full)
#define depot_nr_empty(c) DEPOT_SUM(c, nr_empty)
#define depot_bytes(c)	  DEPOT_SUM(c, bytes)
#define depot_charged(c)  DEPOT_SUM(c, charged)

/* Every cache, for slabinfo, slab_check and draining (slab_caches_lock). */
extern struct list_head slab_caches;
extern spinlock_t slab_caches_lock;
extern bool slab_is_ready;

/*
 * The bound on the objects held in all depots together: a sixteenth of the
 * memory free when the slab allocator started (each depot slot may hold up
 * to half of it, depot_max magazines). Slots charge it in chunks (slab.c,
 * depot_charge);
 * slab_depot_charged is the sum of their charges.
 */
extern unsigned long slab_depot_charged;
extern unsigned long slab_depot_budget;

/*
 * A private gfp bit: an allocation that must not call slab_reclaim when
 * memory is short (the depot's own magazines, allocated while an array is
 * being flushed, which slab_reclaim would drain under our feet).
 */
#define SLAB_GFP_NORECLAIM 0x80000000u

/* The slab_debug switch: read when each cache is created. */
extern bool slab_debug_enabled;

/* ---- slab geometry helpers ---- */

/*
 * When a slab becomes empty it goes back to the buddy allocator only if the
 * cache then still holds more than free_limit free objects in its slabs
 * (Linux SLAB's rule): (1 + nr_cpu_ids) * batchcount + objects per slab,
 * enough for every CPU's next refill without calling the buddy allocator.
 * With a reserve of one empty slab instead, a working set that hovers
 * around a batch boundary keeps allocating and freeing slabs (measured on
 * the host, one CPU, kmalloc-1024, a 200-object working set replaced at
 * random for 200,000 pairs: 388 slabs grown with a one-slab reserve, 274
 * with this rule; the rest comes from random frees leaving the free objects
 * spread over partial slabs, which no reserve of empty slabs can fix).
 * kmem_cache_shrink and memory pressure release every empty slab.
 */
static inline unsigned long slab_free_limit(const struct kmem_cache *c)
{
	return (1UL + nr_cpu_ids) * c->batchcount + c->oo.objects;
}

/* Byte offset of the first object from the slab's start. */
static inline unsigned slab_first(const struct page *slab)
{
	return ((slab->flags & SLAB_FIRST_MASK) >> SLAB_FIRST_SHIFT) * SLAB_FIRST_UNIT;
}

/* The slab's colour: how far its objects are shifted from where the layout puts them. */
static inline unsigned slab_colour(const struct kmem_cache *c, const struct page *slab)
{
	return slab_first(slab) - c->obj_offset;
}

/* page_to_phys(slab), as pfn * PAGE_SIZE = (byte offset in mem_map) * 128: one shift. */
static inline uintptr_t slab_phys(const struct page *slab)
{
	return ((uintptr_t)slab - (uintptr_t)mem_map) << (PAGE_SHIFT - 5);
}

static inline char *slab_base(const struct page *slab)
{
	return (char *)PAGE_OFFSET + slab_phys(slab);
}

/* Address of object idx of slab (the user's pointer, after any left red zone). */
static inline void *slab_obj(const struct kmem_cache *c, const struct page *slab, unsigned idx)
{
	return slab_base(slab) + slab_first(slab) + (size_t)idx * c->size;
}

/*
 * True when off, an offset from the start of slab's pages, is exactly the
 * start of one of its objects (see slab_div_inverse). An offset below the
 * first object wraps to a huge value: a multiple of the stride or not, it
 * is no object's.
 */
static __always_inline bool slab_off_valid(const struct kmem_cache *c, const struct page *slab,
					   uintptr_t off)
{
	return slab_div_exact(off - slab_first(slab), c->div_inv, c->div_shift) < slab->objects;
}

/* The same for p, an address inside slab's pages. */
static __always_inline bool slab_obj_valid(const struct kmem_cache *c, const struct page *slab,
					   const void *p)
{
	return slab_off_valid(c, slab, __pa(p) - slab_phys(slab));
}

/*
 * slab_obj_valid for p known to lie in one of c's slabs, by the cheapest
 * exact test the cache allows (see obj_mask).
 */
#define SLAB_OBJ_MASK_NONE (~(uintptr_t)0)
static __always_inline bool slab_obj_boundary(const struct kmem_cache *c, const struct page *slab,
					      const void *p)
{
	if (likely(c->obj_mask != SLAB_OBJ_MASK_NONE))
		return !((uintptr_t)p & c->obj_mask);
	return slab_obj_valid(c, slab, p);
}

/*
 * The slab head page of a direct-map address, or NULL when the address has
 * no struct page or its page is not part of a slab.
 */
static __always_inline struct page *virt_to_slab(const void *p)
{
	unsigned long pfn = __pa(p) >> PAGE_SHIFT;
	if (unlikely(pfn >= max_pfn))
		return NULL;
	struct page *page = compound_head(pfn_to_page(pfn));
	return likely(page->flags & PG_slab) ? page : NULL;
}

/* ---- the free pointer, obfuscated as with SLAB_FREELIST_HARDENED ---- */

/*
 * A free object stores the address of the next free object XORed with the
 * cache's random key and with the address where it is stored. Overwriting it
 * with a plain pointer (a use-after-free write, a heap overflow) decodes to
 * garbage, which the allocator validates before following (slab.c).
 */
static inline uintptr_t *freeptr_slot(const struct kmem_cache *c, void *obj)
{
	return (uintptr_t *)((char *)obj + c->fp_offset);
}

static inline void *freeptr_get(const struct kmem_cache *c, void *obj)
{
	uintptr_t *slot = freeptr_slot(c, obj);
	return (void *)(*slot ^ c->random ^ (uintptr_t)slot);
}

static inline void freeptr_set(const struct kmem_cache *c, void *obj, void *next)
{
	uintptr_t *slot = freeptr_slot(c, obj);
	*slot = (uintptr_t)next ^ c->random ^ (uintptr_t)slot;
}

/* ---- the per-CPU fast paths (mm/slab_fast.c; inlined into the slow paths too) ---- */

/*
 * Slow paths, entered with interrupts on (they turn them off): the array
 * was empty or full when the fast path looked, or c has no per-CPU layer.
 */
void *cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);
void cache_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller);

/* Report a bad free or a corruption: message, cache, object, caller (and tracking in debug). */
void slab_report(const struct kmem_cache *c, const void *obj, uintptr_t caller, const char *what);
/* Count a problem reported by other means (slab_report and slab_report_bad_ptr count their own). */
void slab_count_report(void);
/* The reason kfree/kmem_cache_free refused p (not a slab object, not a boundary...). */
void slab_report_bad_ptr(const struct kmem_cache *expect, const void *p, uintptr_t caller);
/* The same, for another function given p (fn: "ksize", "krealloc"; NULL: kfree). */
void slab_report_bad_ptr_in(const char *fn, const struct kmem_cache *expect, const void *p,
			    uintptr_t caller);
/* The double free the push caught: obj is already on top of this CPU's array. */
void slab_report_double_free(struct kmem_cache *c, void *obj, uintptr_t caller);

/*
 * Pop from the array ac into obj, or jump to empty when it holds nothing
 * (also the placeholder: debug caches, first use on this CPU). A
 * restartable sequence: see struct array_cache.
 */
#define ac_pop(ac, obj, empty)                                                                    \
	restart_pop(ac, offsetof(struct array_cache, avail), offsetof(struct array_cache, slots), \
		    obj, empty)

/*
 * Push obj onto ac, or jump to full (no room, or the placeholder) or to dup
 * (obj is already on top: the common double free, free(p); free(p), caught
 * for the price of one compare). obj has been checked to be an object of
 * the array's cache. An object freed on another CPU than the one that
 * allocated it goes into the freeing CPU's array like any other.
 */
#define ac_push(ac, obj, full, dup)                                                                \
	restart_push(ac, offsetof(struct array_cache, avail), offsetof(struct array_cache, limit), \
		     offsetof(struct array_cache, slots), obj, full, dup)

/*
 * The allocation fast path for callers off the hot path (kmalloc's slow
 * path, zeroing, provenance): a pop, else the slow path (which refills the
 * array from the depot or the slab lists). Does not zero.
 */
static __always_inline void *slab_alloc_fast(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	struct array_cache *ac = c->cpu_cache[smp_processor_id()];
	void *obj;

	ac_pop(ac, obj, empty);
	return obj;
empty:
	return cache_alloc_slow(c, gfp, caller);
}

/*
 * Push obj, an object of c, onto the array this CPU's kfree pair names
 * (struct slab_percpu: kfree_cache, kfree_ac), or jump to other when the
 * pair is for another cache; full and dup as ac_push. ac: the array used.
 */
#define ac_push_kfree(c, obj, ac, other, full, dup)                                        \
	restart_push_keyed(this_cpu_var(slab.kfree_cache), this_cpu_var(slab.kfree_ac), c, \
			   offsetof(struct array_cache, avail),                            \
			   offsetof(struct array_cache, limit),                            \
			   offsetof(struct array_cache, slots), obj, ac, other, full, dup)

/* The free fast path likewise: a push, else the slow path (which flushes a batch first). */
static __always_inline void slab_free_fast(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct array_cache *ac = c->cpu_cache[smp_processor_id()];

	ac_push(ac, obj, full, dup);
	ac->free_hits++;
	return;
full:
	cache_free_slow(c, obj, caller);
	return;
dup:
	slab_report_double_free(c, obj, caller);
}

/*
 * The out-of-line halves of the fast paths in slab_fast.c (slab.c,
 * kmalloc.c). Each is entered by a tail call, with the caller's address.
 */
/* kmem_cache_alloc for __GFP_ZERO and while the trace is on. */
void *kmem_cache_alloc_out_of_line(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);
/* kmem_cache_free for what the fast path did not accept: NULL, the trace, every bad pointer. */
void kmem_cache_free_out_of_line(struct kmem_cache *c, void *obj, uintptr_t caller);

/* ---- memory pressure ---- */

/*
 * Give back everything idle: every cache's per-CPU arrays are drained and its
 * empty slabs freed. Called when the buddy allocator fails a slab or
 * kmalloc-large request. No cache lock may be held by the caller. Returns
 * pages given back.
 */
unsigned long slab_reclaim(void);

/* ---- kmalloc internals (kmalloc.c) ---- */

void kmalloc_init(void);

#define KMALLOC_LARGE_GFP (__GFP_DMA | __GFP_DMA32)
/*
 * The fast paths' bounds, which double as the trace switch (so that kmalloc
 * and kfree test one thing, not two): kmalloc takes its fast path for
 * 1 <= size <= kmalloc_fast_max, kfree and kmem_cache_free for a physical
 * address below kfree_fast_bytes. While the trace is on both are 0, and
 * every call goes out of line, where the trace is recorded. NULL and
 * ZERO_SIZE_PTR lie far below the direct map, so their __pa is huge and
 * they too leave the fast path without a test of their own. Written only
 * by kmalloc_set_trace; the fast paths read them with plain loads (a
 * change takes effect at each CPU's next call).
 */
extern size_t kmalloc_fast_max;
extern uintptr_t kfree_fast_bytes;
/* The cache for sizes 8i+1..8i+8, i < KMALLOC_BY8_SLOTS (filled by kmalloc_init). */
extern struct kmem_cache *kmalloc_cache_by8[KMALLOC_BY8_SLOTS];
/* kmalloc outside its fast path: the trace, zeroing, DMA, size 0, large sizes. */
void *kmalloc_out_of_line(size_t size, gfp_t gfp, uintptr_t caller);
/*
 * kmalloc's array was empty: this CPU's array of the cache for size (or the
 * placeholder: a debug cache, or no array made yet on this CPU).
 */
void *kmalloc_miss(size_t size, gfp_t gfp, uintptr_t caller);
/*
 * This CPU just made its array ac of the kmalloc cache c (interrupts off):
 * point its kmalloc_ac[] entries for c's sizes at it.
 */
void kmalloc_cpu_array_made(const struct kmem_cache *c, struct array_cache *ac);
/* kfree outside its fast path: NULL, the trace, large blocks, every bad pointer. */
void kfree_out_of_line(const void *p, uintptr_t caller);
/*
 * kfree's fast path for an object p at a boundary of c, when c is not the
 * cache this CPU last freed to (struct slab_percpu): c becomes the one
 * kfree tries first, then the push onto this CPU's array of c (or the
 * slow path).
 */
void kfree_other_cache(struct kmem_cache *c, void *p, uintptr_t caller);
/*
 * The trace was turned on or off (mm_trace_set), or the slab allocator just
 * came up: kmalloc and kfree's fast-path bounds follow (see kmalloc.c).
 */
void kmalloc_set_trace(bool on);
/* The generated size classes (tests, benchmarks). */
unsigned kmalloc_nr_classes(void);
unsigned kmalloc_class_size(unsigned idx);
/* The cache serving a request of size bytes (NULL for 0 and above KMALLOC_MAX_CACHE_SIZE). */
struct kmem_cache *kmalloc_cache_for(size_t size);
/* An object of at least size bytes taken without the per-CPU layer (for the per-CPU arrays). */
void *kmalloc_nocpu(size_t size, gfp_t gfp);
void kfree_nocpu(void *p);

/* Allocate/free one object bypassing the per-CPU layer (cache lock taken inside). */
void *slab_alloc_direct(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);
void slab_free_direct(struct kmem_cache *c, void *obj, uintptr_t caller);

/* Create a cache without taking slab_caches_lock's list (kmalloc's boot caches use it too). */
struct kmem_cache *__kmem_cache_create(const char *name, size_t size, size_t align,
				       unsigned long flags, void (*ctor)(void *));

/* ---- slab_debug (slab_debug.c) ---- */

#define SLAB_RED_INACTIVE 0xbb /* red zone of a free object */
#define SLAB_RED_ACTIVE	  0xcc /* red zone of an allocated object (and kmalloc's slack) */
#define SLAB_POISON_FREE  0x6b /* free object contents */
#define SLAB_POISON_END	  0xa5 /* last byte of a free object */
#define SLAB_RZ_SIZE	  16   /* bytes of red zone on each side (at least) */

enum slab_obj_state {
	SLAB_STATE_FREE = 0x46524545u,	/* "FREE" */
	SLAB_STATE_ALLOC = 0x414c4f43u, /* "ALOC" */
};

/* Per-object record kept after the free pointer in slab_debug caches. */
struct slab_track {
	uintptr_t alloc_caller;
	uintptr_t free_caller;
	uint32_t state;	   /* enum slab_obj_state */
	uint32_t req_size; /* kmalloc: bytes requested (the rest is red-zoned slack) */
	uint16_t alloc_cpu, free_cpu;
	uint32_t pad;
};

/* Lay out a debug cache's stride (sets obj_offset, fp_offset, track_offset; returns stride). */
unsigned slab_debug_layout(struct kmem_cache *c, unsigned align);
/* A new slab's object, before the ctor: red zones inactive, poison, state FREE. */
void slab_debug_init_obj(struct kmem_cache *c, void *obj);
/* Checks on an object leaving the free list: poison, red zones, state. */
void slab_debug_on_alloc(struct kmem_cache *c, void *obj, uintptr_t caller);
/* Checks on free (cache lock held): state, red zones; returns false to refuse the free. */
bool slab_debug_on_free(struct kmem_cache *c, void *obj, uintptr_t caller);
/*
 * An empty debug slab about to go back to the page allocator (lock held):
 * every object's red zones and poison, each damage reported once, so a write
 * after free is caught even when the object is never handed out again.
 */
void slab_debug_on_release(struct kmem_cache *c, struct page *slab, uintptr_t caller);
/* kmalloc: record the requested size and red-zone the slack beyond it. */
void slab_debug_kmalloc_size(struct kmem_cache *c, void *obj, size_t size);
/*
 * ksize and in-place krealloc on a live object: report damage to the slack
 * as it was (caller named), then slab_debug_kmalloc_size.
 */
void slab_debug_kmalloc_resize(struct kmem_cache *c, void *obj, size_t size, uintptr_t caller);
/* slab_check's per-object checks for a debug slab (lock held); returns problems found. */
unsigned slab_debug_check_slab(struct kmem_cache *c, struct page *slab);
/* The tracking line of a report (allocated by, freed by), when obj is a debug object. */
void slab_debug_print_track(const struct kmem_cache *c, const void *obj);
static inline struct slab_track *slab_track_of(const struct kmem_cache *c, const void *obj)
{
	return (struct slab_track *)((char *)obj + c->track_offset);
}

#endif
