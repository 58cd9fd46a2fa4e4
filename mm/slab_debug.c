/*
 * slab_debug.c - the slab_debug mode (command line "slab_debug"; in the
 * hosted build, slab_debug_enabled set before caches are created), after
 * Linux's SLUB debugging:
 *
 *  - poison: a free object is filled with 0x6b and its last byte is 0xa5;
 *    the pattern is checked when the object is handed out again, or when its
 *    slab goes back to the page allocator if that comes first (a free that
 *    empties it, shrink, reclaim, destroy), so a write after free is caught
 *    either way (not done for caches with a constructor, whose free objects
 *    must keep their constructed state);
 *  - red zones of at least 8 bytes before and after every object, 0xbb while
 *    free and 0xcc while allocated, checked on every free and allocation; for
 *    kmalloc, the slack between the requested size and the class size is
 *    red-zoned too, so kmalloc(13) catches a write to byte 13;
 *  - a per-object record (struct slab_track): state (free/allocated), so
 *    every double free is caught, and the allocating and freeing callers and
 *    CPUs, printed in every report about the object.
 *
 * Each check reports on its own, once per damaged region: an overflow that
 * runs through kmalloc's slack into the right red zone makes two reports at
 * the free (the red zone, then the slack), while slab_check reports one
 * problem per object (the first it finds). ksize and an in-place krealloc
 * move the slack's start (the caller may use what ksize reports): they check
 * the slack first, so damage made before them is reported then, and
 * red-zone it anew.
 *
 * Layout of one stride (slab_debug_layout), from the object's start:
 *
 *   [object][right red zone][free pointer][slab_track][pad][left red zone of the next object]
 *
 * and the slab keeps obj_offset bytes in front of object 0 for its left red
 * zone (rounded up to the alignment, so every object stays aligned).
 *
 * Debug caches never use the per-CPU arrays: every allocation and free goes
 * through the slab lists under the cache lock, where the checks run. That
 * costs nothing in the fast paths: the debug caches' cpu_cache[] slots point
 * at the placeholder array, whose zero capacity sends every call to the slow
 * path.
 */
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/slab_internal.h"

unsigned slab_debug_layout(struct kmem_cache *c, unsigned align)
{
	unsigned inner = ALIGN_UP(c->object_size, 8u);
	c->obj_offset = ALIGN_UP((unsigned)SLAB_RZ_SIZE, align);
	c->fp_offset = inner + SLAB_RZ_SIZE;
	c->track_offset = c->fp_offset + (unsigned)sizeof(void *);
	unsigned end = c->track_offset + (unsigned)sizeof(struct slab_track) + SLAB_RZ_SIZE;
	return ALIGN_UP(end, align);
}

/* Offset of the first byte in [p, p+n) that is not v, or n. */
static size_t first_mismatch(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return i;
	return n;
}

static void set_redzones(const struct kmem_cache *c, void *obj, uint8_t v)
{
	memset((char *)obj - SLAB_RZ_SIZE, v, SLAB_RZ_SIZE);
	memset((char *)obj + c->object_size, v, c->fp_offset - c->object_size);
}

/*
 * Check both red zones hold v. Returns 0 or 1; on a problem, describes it in
 * msg (the first damaged byte, as an offset from the object's start).
 */
static unsigned check_redzones(const struct kmem_cache *c, const void *obj, uint8_t v, char *msg,
			       size_t len, const char *when)
{
	const char *left = (const char *)obj - SLAB_RZ_SIZE;
	const char *right = (const char *)obj + c->object_size;
	size_t nright = c->fp_offset - c->object_size;
	size_t bad = first_mismatch(left, v, SLAB_RZ_SIZE);
	if (bad < SLAB_RZ_SIZE) {
		ksnprintf(msg, len,
			  "left red zone overwritten %s (byte at offset -%zu is %#x, "
			  "expected %#x): buffer underflow",
			  when, SLAB_RZ_SIZE - bad, (uint8_t)left[bad], v);
		return 1;
	}
	bad = first_mismatch(right, v, nright);
	if (bad < nright) {
		ksnprintf(msg, len,
			  "right red zone overwritten %s (byte at offset %zu is %#x, "
			  "expected %#x): buffer overflow",
			  when, c->object_size + bad, (uint8_t)right[bad], v);
		return 1;
	}
	return 0;
}

static void poison(const struct kmem_cache *c, void *obj)
{
	memset(obj, SLAB_POISON_FREE, c->object_size - 1);
	((uint8_t *)obj)[c->object_size - 1] = SLAB_POISON_END;
}

/* 0, or 1 with msg describing the first byte of poison that was overwritten. */
static unsigned check_poison(const struct kmem_cache *c, const void *obj, char *msg, size_t len)
{
	if (!(c->flags & SLAB_POISON))
		return 0;
	const uint8_t *b = obj;
	size_t bad = first_mismatch(b, SLAB_POISON_FREE, c->object_size - 1);
	if (bad == c->object_size - 1 && b[bad] == SLAB_POISON_END)
		return 0;
	ksnprintf(msg, len, "use after free: poison overwritten at offset %zu (%#x) of %u bytes",
		  bad, b[bad], c->object_size);
	return 1;
}

/* kmalloc's slack [req_size, object_size) must still hold the allocated red-zone pattern. */
static unsigned check_slack(const struct kmem_cache *c, const void *obj, char *msg, size_t len)
{
	const struct slab_track *t = slab_track_of(c, obj);
	if (t->req_size >= c->object_size)
		return 0;
	size_t n = c->object_size - t->req_size;
	size_t bad = first_mismatch((const char *)obj + t->req_size, SLAB_RED_ACTIVE, n);
	if (bad == n)
		return 0;
	ksnprintf(msg, len,
		  "kmalloc red zone overwritten: wrote byte %zu of a %u-byte request "
		  "(class %u): buffer overflow",
		  t->req_size + bad, t->req_size, c->object_size);
	return 1;
}

void slab_debug_init_obj(struct kmem_cache *c, void *obj)
{
	struct slab_track *t = slab_track_of(c, obj);
	set_redzones(c, obj, SLAB_RED_INACTIVE);
	if (c->flags & SLAB_POISON)
		poison(c, obj);
	memset(t, 0, sizeof(*t));
	t->state = SLAB_STATE_FREE;
}

void slab_debug_on_alloc(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct slab_track *t = slab_track_of(c, obj);
	char msg[200];

	if (t->state != SLAB_STATE_FREE) {
		ksnprintf(msg, sizeof(msg), "handing out an object whose record says %#x, not free",
			  t->state);
		slab_report(c, obj, caller, msg);
	}
	if (check_redzones(c, obj, SLAB_RED_INACTIVE, msg, sizeof(msg), "while free"))
		slab_report(c, obj, caller, msg);
	if (check_poison(c, obj, msg, sizeof(msg)))
		slab_report(c, obj, caller, msg);
	set_redzones(c, obj, SLAB_RED_ACTIVE);
	t->state = SLAB_STATE_ALLOC;
	t->alloc_caller = caller;
	t->alloc_cpu = (uint16_t)smp_processor_id();
	t->req_size = c->object_size;
}

bool slab_debug_on_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct slab_track *t = slab_track_of(c, obj);
	char msg[200];

	if (t->state == SLAB_STATE_FREE) {
		slab_report(c, obj, caller, "double free");
		return false;
	}
	if (t->state != SLAB_STATE_ALLOC) {
		ksnprintf(msg, sizeof(msg), "free of an object whose record is corrupted (%#x)",
			  t->state);
		slab_report(c, obj, caller, msg);
		return false;
	}
	if (check_redzones(c, obj, SLAB_RED_ACTIVE, msg, sizeof(msg), "while allocated"))
		slab_report(c, obj, caller, msg);
	if (check_slack(c, obj, msg, sizeof(msg)))
		slab_report(c, obj, caller, msg);
	t->state = SLAB_STATE_FREE;
	t->free_caller = caller;
	t->free_cpu = (uint16_t)smp_processor_id();
	set_redzones(c, obj, SLAB_RED_INACTIVE);
	if (c->flags & SLAB_POISON)
		poison(c, obj);
	return true;
}

/*
 * Everything an object at rest must satisfy, by the state its record gives:
 * free (red zones 0xbb, poison) or allocated (red zones 0xcc, kmalloc's
 * slack). 0, or 1 with msg describing the first problem. slab_check and the
 * release of an empty slab check with it.
 */
static unsigned check_object(const struct kmem_cache *c, const void *obj, char *msg, size_t len)
{
	const struct slab_track *t = slab_track_of(c, obj);

	if (t->state == SLAB_STATE_FREE)
		return check_redzones(c, obj, SLAB_RED_INACTIVE, msg, len, "while free") ||
		       check_poison(c, obj, msg, len);
	if (t->state == SLAB_STATE_ALLOC)
		return check_redzones(c, obj, SLAB_RED_ACTIVE, msg, len, "while allocated") ||
		       check_slack(c, obj, msg, len);
	ksnprintf(msg, len, "object record corrupted (state %#x)", t->state);
	return 1;
}

void slab_debug_on_release(struct kmem_cache *c, struct page *slab, uintptr_t caller)
{
	static const char found[] = " (found as the empty slab was given back)";
	char msg[200 + sizeof(found)];

	for (unsigned i = 0; i < slab->objects; i++) {
		void *obj = slab_obj(c, slab, i);
		/* The slab is empty: an object recorded as allocated is itself a problem. */
		if (slab_track_of(c, obj)->state == SLAB_STATE_ALLOC)
			ksnprintf(msg, sizeof(msg) - sizeof(found),
				  "object recorded as allocated in an empty slab");
		else if (!check_object(c, obj, msg, sizeof(msg) - sizeof(found)))
			continue;
		size_t n = strlen(msg);
		ksnprintf(msg + n, sizeof(msg) - n, "%s", found);
		slab_report(c, obj, caller, msg);
	}
}

void slab_debug_kmalloc_size(struct kmem_cache *c, void *obj, size_t size)
{
	if (!obj || size > c->object_size)
		return;
	struct slab_track *t = slab_track_of(c, obj);
	t->req_size = (uint32_t)size;
	memset((char *)obj + size, SLAB_RED_ACTIVE, c->object_size - size);
}

void slab_debug_kmalloc_resize(struct kmem_cache *c, void *obj, size_t size, uintptr_t caller)
{
	char msg[200];

	if (!obj)
		return;
	if (slab_track_of(c, obj)->state == SLAB_STATE_ALLOC &&
	    check_slack(c, obj, msg, sizeof(msg)))
		slab_report(c, obj, caller, msg);
	slab_debug_kmalloc_size(c, obj, size);
}

void slab_debug_print_track(const struct kmem_cache *c, const void *obj)
{
	const struct slab_track *t = slab_track_of(c, obj);
	pr_err("  object %p (%u bytes): %s; allocated by %pS on cpu %u; last freed by %pS on cpu "
	       "%u\n",
	       obj, c->object_size,
	       t->state == SLAB_STATE_ALLOC  ? "allocated"
	       : t->state == SLAB_STATE_FREE ? "free"
					     : "record corrupted",
	       (void *)t->alloc_caller, t->alloc_cpu, (void *)t->free_caller, t->free_cpu);
}

unsigned slab_debug_check_slab(struct kmem_cache *c, struct page *slab)
{
	unsigned problems = 0, nfree = 0;
	char msg[200];

	for (unsigned i = 0; i < slab->objects; i++) {
		void *obj = slab_obj(c, slab, i);
		nfree += slab_track_of(c, obj)->state == SLAB_STATE_FREE;
		if (check_object(c, obj, msg, sizeof(msg))) {
			pr_err("slab_check: cache %s: object %p: %s\n", c->name, obj, msg);
			slab_debug_print_track(c, obj);
			problems++;
		}
	}
	/* Objects dropped with a corrupted free list stay "free" but count as in use. */
	if (!c->lost_objects && nfree != (unsigned)(slab->objects - slab->inuse)) {
		pr_err("slab_check: cache %s: slab %p has %u objects recorded free, expected %u\n",
		       c->name, (void *)slab, nfree, slab->objects - slab->inuse);
		problems++;
	}
	return problems;
}
