/*
 * provenance.h - where an allocation came from: which level of the
 * allocators served it and why, on request for one call (kmalloc_info,
 * kmem_cache_alloc_info; alloc_pages_info is in mm/gfp.h), and for every call
 * while the optional trace is on (a bounded ring of events, printed one line
 * per event by the monitor's `trace`).
 *
 * Cost. The per-call variants share the allocators' code: the fast paths are
 * unchanged (their "info" is a compile-time NULL on the normal path, or the
 * slow path fills a record the caller asked for through slab_info_sink).
 * The trace costs one predictable branch on a read-mostly global in each
 * exported allocation and free function while it is off; when on, calls take
 * an out-of-line variant that records an event under a lock.
 */
#ifndef MM_PROVENANCE_H
#define MM_PROVENANCE_H

#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "mm/gfp.h"

struct kmem_cache;

/* The level of the slab allocator (and kmalloc) that served an object. */
enum slab_alloc_path {
	SA_CPU_HIT,	   /* popped from this CPU's array: no lock, no atomic */
	SA_REFILL_DEPOT,   /* the array was empty: refilled with a full magazine (a slot lock) */
	SA_REFILL_PARTIAL, /* the array was empty: refilled from partial slabs (cache lock) */
	SA_REFILL_EMPTY,   /* ... and had to take from empty slabs the cache kept */
	SA_NEW_SLAB,	   /* ... and had to get new slabs from the buddy allocator */
	SA_DIRECT, /* no per-CPU array (slab_debug, or none could be made): the slab lists */
	SA_LARGE,  /* kmalloc above the largest class, or DMA: a whole buddy block */
	SA_ZERO,   /* kmalloc(0): ZERO_SIZE_PTR, nothing allocated */
	SA_FAILED, /* NULL returned */
	NR_SA_PATHS
};

extern const char *const slab_alloc_path_names[NR_SA_PATHS];

struct kmalloc_info {
	enum slab_alloc_path path;
	const char *cache; /* the cache's name ("kmalloc-96"); NULL for SA_LARGE/ZERO */
	unsigned obj_size; /* the class's object size, or the large block's bytes */
	unsigned cpu;
	/* A refill (SA_REFILL_* and SA_NEW_SLAB): the batch moved into this CPU's array. */
	/* (from_* stay 0 for SA_REFILL_DEPOT: a magazine's objects come from no one slab) */
	unsigned refilled;
	unsigned from_partial, from_empty, from_new; /* objects of the batch, by slab */
	unsigned new_slabs;			     /* slabs the batch needed */
	bool reclaimed; /* memory was short: idle objects of every cache were given back first */
	/* SA_NEW_SLAB: the last new slab; SA_LARGE: the block. */
	unsigned long pfn;
	unsigned order;
	struct page_alloc_info page; /* how the buddy allocator served that slab or block */
};

/*
 * kmalloc / kmem_cache_alloc that also say how the object was served
 * (info must not be NULL). Same code, same result as the plain calls.
 */
void *kmalloc_info(size_t size, gfp_t gfp, struct kmalloc_info *info);
void *kmem_cache_alloc_info(struct kmem_cache *cache, gfp_t gfp, struct kmalloc_info *info);

/*
 * The record the slab allocator's slow paths fill, per CPU: set (with
 * interrupts off or in plain kernel context, which has no preemption) by
 * the *_info calls around one allocation, NULL otherwise. An interrupt
 * handler allocating on the same CPU meanwhile would write into it; none
 * does in this kernel.
 */
extern struct kmalloc_info *slab_info_sink[NR_CPUS];

static inline struct kmalloc_info *slab_info_sink_get(void)
{
	return slab_info_sink[smp_processor_id()];
}

/* ---- the trace ---- */

/* True while tracing: the one flag the allocators test. */
extern bool mm_trace_enabled;

#define MM_TRACE_EVENTS 1024 /* the ring keeps the last this many events */

/* Turn tracing on or off (the ring is kept); clear it. */
void mm_trace_set(bool on);
void mm_trace_clear(void);
/* Events recorded since the last clear (the ring holds the last MM_TRACE_EVENTS). */
unsigned long mm_trace_count(void);
/* Print the last n events (0 = all the ring holds), oldest first, one line each. */
void mm_trace_show(unsigned n);

/* The recording hooks, called by the allocators' traced variants only. */
void mm_trace_page_alloc(gfp_t gfp, unsigned order, const struct page *page,
			 const struct page_alloc_info *info, uintptr_t caller);
/* After a successful free: records where the block went (per-CPU list, merged to order N). */
void mm_trace_page_free(unsigned long pfn, unsigned order, uintptr_t caller);
/* kmalloc (or kmem_cache_alloc, with cache_alloc) returned p, served as info says. */
void mm_trace_kmalloc(size_t size, const void *p, const struct kmalloc_info *info, bool cache_alloc,
		      uintptr_t caller);
/*
 * Before kfree (kmem_cache_free with cache_free): cache is the object's cache
 * (NULL when p is no slab object: kmalloc-large, or a pointer to be refused).
 */
void mm_trace_kfree(const void *p, const char *cache, bool cache_free, uintptr_t caller);

#endif
