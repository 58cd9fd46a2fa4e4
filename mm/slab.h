/*
 * slab.h - object caches (the slab allocator) and kmalloc, with Linux's names.
 *
 * Three levels, as in Bonwick's magazines, TCMalloc and Go's runtime:
 *   1. per-CPU arrays of free objects for each cache (no lock, no atomic);
 *   2. each cache's slab lists (full, partial, empty) under the cache lock;
 *   3. the buddy allocator, which provides the slabs.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "kernel/compiler.h"
#include "mm/gfp.h"

struct kmem_cache;

/* kmem_cache_create flags */
#define SLAB_HWCACHE_ALIGN 0x00002000UL /* align objects to the 64-byte cache line */
#define SLAB_PANIC	   0x00040000UL /* panic if creation fails (boot-time caches) */
#define SLAB_NO_MERGE	   0x01000000UL /* (accepted; caches are never merged here) */

/*
 * Create a cache of objects of size bytes aligned to align (0 = the default,
 * 8; SLAB_HWCACHE_ALIGN = 64). ctor, when given, runs once per object when
 * its slab is created; freed objects are assumed to be back in that state.
 * Returns NULL (with a message) for a zero or too large size or a bad align
 * (not a power of two, or above SLAB_MAX_SIZE / 2; with slab_debug on, 16 KiB
 * or more: the left red zone is padded to the alignment in front of the first
 * object, whose offset a slab records in 10 bits of 16 bytes).
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *));
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
/* Bad frees (wrong cache, not an object boundary, double free) are reported and ignored. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Give every empty slab back to the buddy allocator; returns pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *cache);
/* Drain and free the cache; objects still allocated are reported as a leak. */
void kmem_cache_destroy(struct kmem_cache *cache);

/*
 * kmalloc: size classes from 8 bytes to KMALLOC_MAX_CACHE_SIZE (the table is
 * generated at boot and printed by show_sizeclasses); larger requests are
 * whole buddy blocks. Objects are 8-byte aligned at least, and a request
 * whose size is a power of two gets an object aligned to that size.
 * kmalloc(0) returns ZERO_SIZE_PTR, as Linux does: not NULL (not a failure),
 * but never to be dereferenced; kfree and ksize accept it.
 */
#define KMALLOC_MAX_CACHE_SIZE 8192
#define ZERO_SIZE_PTR	       ((void *)16)
#define ZERO_OR_NULL_PTR(p)    ((uintptr_t)(p) <= (uintptr_t)ZERO_SIZE_PTR)

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp); /* NULL on n*size overflow */
void *krealloc(void *p, size_t new_size, gfp_t gfp);
void kfree(const void *p);   /* NULL is a no-op */
size_t ksize(const void *p); /* usable size of p */

/* Bring up the slab allocator and the kmalloc caches (after page_alloc_init). */
void kmem_cache_init(void);

/* Validate every cache; print each problem, return their number (0 before init). */
unsigned slab_check(void);

/* Dumps: "== slabinfo ==" in /proc/slabinfo 2.1 layout; the size-class table. */
void show_slabinfo(void);
void show_sizeclasses(void);

/* Drain every CPU's object caches back to the slab lists (memory pressure, tests). */
void kmem_cache_drain_all(void);

/*
 * Problems reported so far (bad frees, double frees, corruption, leaks at
 * destroy): each is printed and counted, and never applied. Tests compare it
 * before and after a bad call.
 */
unsigned long slab_report_count(void);

#endif
