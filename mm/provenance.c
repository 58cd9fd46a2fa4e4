/*
 * provenance.c - the allocation trace: a ring of the last MM_TRACE_EVENTS
 * allocator events, each a fixed-size record (no formatting, no allocation
 * while recording), formatted only when shown. See provenance.h.
 *
 * Recording takes trace_lock with interrupts off: events from every CPU go
 * into one ring in the order they took the lock, so the printed trace is a
 * single timeline. Only traced calls ever get here; with the trace off the
 * allocators do not call in at all (one branch on mm_trace_enabled).
 */
#include "mm/provenance.h"

#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "mm/mmzone.h"
#include "mm/page_census.h"
#include "mm/slab_internal.h"

const char *const slab_alloc_path_names[NR_SA_PATHS] = {
	[SA_CPU_HIT] = "per-CPU array hit",
	[SA_REFILL_DEPOT] = "refill from the depot (a full magazine)",
	[SA_REFILL_PARTIAL] = "refill from partial slabs",
	[SA_REFILL_EMPTY] = "refill from empty slabs",
	[SA_NEW_SLAB] = "refill with a new slab",
	[SA_DIRECT] = "slab lists directly (no per-CPU array)",
	[SA_LARGE] = "whole buddy block (kmalloc-large)",
	[SA_ZERO] = "zero size (ZERO_SIZE_PTR)",
	[SA_FAILED] = "failed",
};

struct kmalloc_info *slab_info_sink[NR_CPUS];

bool mm_trace_enabled;

enum mm_trace_kind { MT_PAGE_ALLOC, MT_PAGE_FREE, MT_KMALLOC, MT_KFREE };

/* Where a freed block ended up (MT_PAGE_FREE). */
enum { FREED_PCP, FREED_BUDDY, FREED_ELSEWHERE };

struct mm_trace_event {
	uint64_t cycles;
	uintptr_t caller;
	uintptr_t addr;	   /* pfn (page events) or the object's address */
	uintptr_t aux;	   /* page free: pfn of the free block it ended in; kmalloc: new pfn */
	const char *cache; /* kmalloc/kfree: the cache's name */
	uint32_t size;	   /* bytes requested (kmalloc) or the object size */
	uint16_t cpu;
	uint8_t kind;
	uint8_t path;	   /* page_alloc_path / slab_alloc_path / FREED_* */
	uint8_t order;	   /* page events: the order; kmalloc: page order of a new slab */
	uint8_t zone;	   /* page events */
	uint8_t split;	   /* alloc: order of the block it was cut from; free: order it merged to */
	uint8_t flags;	   /* page alloc: bit 0 fallback, 1 drained, 2-4 watermarks crossed;
			      kmalloc/kfree: bit 0 = kmem_cache_alloc/free */
	uint16_t refilled; /* kmalloc refill: objects moved into the array */
	uint16_t gfp;
};

static struct mm_trace_event ring[MM_TRACE_EVENTS];
static unsigned long ring_count; /* events since the last clear */
static uint64_t ring_t0;	 /* cycles at the first event after a clear */
static spinlock_t trace_lock = SPINLOCK_INIT;

void mm_trace_set(bool on)
{
	__atomic_store_n(&mm_trace_enabled, on, __ATOMIC_RELEASE);
	kmalloc_set_trace(on);
}

void mm_trace_clear(void)
{
	unsigned long flags;

	spin_lock_irqsave(&trace_lock, flags);
	ring_count = 0;
	spin_unlock_irqrestore(&trace_lock, flags);
}

unsigned long mm_trace_count(void)
{
	return READ_ONCE(ring_count);
}

static void record(const struct mm_trace_event *ev)
{
	unsigned long flags;

	spin_lock_irqsave(&trace_lock, flags);
	if (!ring_count)
		ring_t0 = ev->cycles;
	ring[ring_count % MM_TRACE_EVENTS] = *ev;
	ring_count++;
	spin_unlock_irqrestore(&trace_lock, flags);
}

static void event_init(struct mm_trace_event *ev, unsigned kind, uintptr_t caller)
{
	memset(ev, 0, sizeof(*ev));
	ev->cycles = arch_cycles();
	ev->caller = caller;
	ev->cpu = (uint16_t)smp_processor_id();
	ev->kind = (uint8_t)kind;
}

void mm_trace_page_alloc(gfp_t gfp, unsigned order, const struct page *page,
			 const struct page_alloc_info *info, uintptr_t caller)
{
	struct mm_trace_event ev;

	event_init(&ev, MT_PAGE_ALLOC, caller);
	ev.addr = page ? page_to_pfn(page) : 0;
	ev.order = (uint8_t)order;
	ev.gfp = (uint16_t)gfp;
	ev.path = (uint8_t)info->path;
	ev.zone = (uint8_t)info->zone;
	ev.split = (uint8_t)info->split_from;
	ev.flags = (uint8_t)((info->fallback ? 1 : 0) | (info->drained ? 2 : 0) |
			     (info->wmark_crossed << 2));
	record(&ev);
}

void mm_trace_page_free(unsigned long pfn, unsigned order, uintptr_t caller)
{
	struct mm_trace_event ev;
	struct page_block b;

	event_init(&ev, MT_PAGE_FREE, caller);
	ev.addr = pfn;
	ev.order = (uint8_t)order;
	ev.zone = (uint8_t)page_zonenum(pfn_to_page(pfn));
	/* Where it is now: on a per-CPU list, or merged into a free block of the buddy lists. */
	page_census_block(pfn, &b);
	ev.path = b.use == PU_PCP ? FREED_PCP : b.use == PU_FREE ? FREED_BUDDY : FREED_ELSEWHERE;
	ev.aux = b.pfn;
	ev.split = (uint8_t)b.order;
	record(&ev);
}

void mm_trace_kmalloc(size_t size, const void *p, const struct kmalloc_info *info, bool cache_alloc,
		      uintptr_t caller)
{
	struct mm_trace_event ev;

	event_init(&ev, MT_KMALLOC, caller);
	ev.flags = cache_alloc;
	ev.addr = (uintptr_t)p;
	ev.size = (uint32_t)MIN(size, (size_t)UINT32_MAX);
	ev.cache = info->cache;
	ev.path = (uint8_t)info->path;
	ev.refilled = (uint16_t)info->refilled;
	ev.aux = info->pfn;
	ev.order = (uint8_t)info->order;
	record(&ev);
}

void mm_trace_kfree(const void *p, const char *cache, bool cache_free, uintptr_t caller)
{
	struct mm_trace_event ev;

	event_init(&ev, MT_KFREE, caller);
	ev.flags = cache_free;
	ev.addr = (uintptr_t)p;
	ev.cache = cache;
	record(&ev);
}

/* ---- printing ---- */

static const char *const page_path_names[] = {
	[PA_PCP_HIT] = "per-CPU list hit",
	[PA_PCP_REFILL] = "per-CPU list refilled from the buddy lists",
	[PA_BUDDY] = "buddy lists",
	[PA_FAILED] = "FAILED",
};

static void show_event(const struct mm_trace_event *ev, uint64_t t0)
{
	char what[200];
	unsigned long long dt = (unsigned long long)(ev->cycles - t0);
	const char *zone = zone_names[ev->zone % MAX_NR_ZONES];

	switch (ev->kind) {
	case MT_PAGE_ALLOC: {
		char split[32] = "";
		if (ev->path == PA_FAILED) {
			ksnprintf(what, sizeof(what), "alloc_pages order %u gfp %#x: FAILED%s",
				  ev->order, ev->gfp, (ev->flags & 2) ? " (after draining)" : "");
			break;
		}
		if (ev->split > ev->order)
			ksnprintf(split, sizeof(split), ", split from order %u", ev->split);
		ksnprintf(what, sizeof(what),
			  "alloc_pages order %u gfp %#x -> pfn %#lx %s: %s%s%s%s%s%s", ev->order,
			  ev->gfp, (unsigned long)ev->addr, zone,
			  page_path_names[ev->path % ARRAY_SIZE(page_path_names)], split,
			  (ev->flags & 1) ? ", fallback zone" : "",
			  (ev->flags & 2) ? ", after draining per-CPU lists" : "",
			  (ev->flags & 4) ? ", crossed min" : "",
			  (ev->flags & 8) ? ", crossed low" : "");
		break;
	}
	case MT_PAGE_FREE:
		if (ev->path == FREED_PCP)
			ksnprintf(what, sizeof(what),
				  "free_pages pfn %#lx order %u %s -> per-CPU list",
				  (unsigned long)ev->addr, ev->order, zone);
		else if (ev->path == FREED_BUDDY)
			ksnprintf(what, sizeof(what),
				  "free_pages pfn %#lx order %u %s -> buddy lists, now in the free "
				  "block pfn %#lx order %u",
				  (unsigned long)ev->addr, ev->order, zone, (unsigned long)ev->aux,
				  ev->split);
		else
			ksnprintf(what, sizeof(what),
				  "free_pages pfn %#lx order %u %s -> (reused at once)",
				  (unsigned long)ev->addr, ev->order, zone);
		break;
	case MT_KMALLOC: {
		const char *fn = (ev->flags & 1) ? "kmem_cache_alloc" : "kmalloc";
		const char *why = slab_alloc_path_names[ev->path % NR_SA_PATHS];
		const char *cache = ev->cache ? ev->cache : "";
		if (ev->path == SA_NEW_SLAB)
			ksnprintf(what, sizeof(what),
				  "%s %u -> %p %s: %s (%u objects; slab pfn %#lx order %u)", fn,
				  ev->size, (void *)ev->addr, cache, why, ev->refilled,
				  (unsigned long)ev->aux, ev->order);
		else if (ev->path == SA_REFILL_PARTIAL || ev->path == SA_REFILL_EMPTY ||
			 ev->path == SA_REFILL_DEPOT)
			ksnprintf(what, sizeof(what), "%s %u -> %p %s: %s (%u objects)", fn,
				  ev->size, (void *)ev->addr, cache, why, ev->refilled);
		else if (ev->path == SA_LARGE)
			ksnprintf(what, sizeof(what), "%s %u -> %p: %s (pfn %#lx order %u)", fn,
				  ev->size, (void *)ev->addr, why, (unsigned long)ev->aux,
				  ev->order);
		else
			ksnprintf(what, sizeof(what), "%s %u -> %p %s: %s", fn, ev->size,
				  (void *)ev->addr, cache, why);
		break;
	}
	default:
		ksnprintf(what, sizeof(what), "%s %p %s",
			  (ev->flags & 1) ? "kmem_cache_free" : "kfree", (void *)ev->addr,
			  ev->cache ? ev->cache : "(not a slab object)");
		break;
	}
	printk(KERN_INFO "%12llu cpu%u %s  [%pS]\n", dt, ev->cpu, what, (void *)ev->caller);
}

void mm_trace_show(unsigned n)
{
	unsigned long flags, count;
	uint64_t t0;
	static struct mm_trace_event copy[MM_TRACE_EVENTS];
	static spinlock_t show_lock = SPINLOCK_INIT;

	/* Copy under the lock, print outside it (printing may be slow; tracing may be on). */
	spin_lock(&show_lock);
	spin_lock_irqsave(&trace_lock, flags);
	count = ring_count;
	t0 = ring_t0;
	memcpy(copy, ring, sizeof(ring));
	spin_unlock_irqrestore(&trace_lock, flags);

	unsigned long held = MIN(count, (unsigned long)MM_TRACE_EVENTS);
	if (n == 0 || n > held)
		n = (unsigned)held;
	printk(KERN_INFO "== trace == %lu events since cleared, tracing %s; the last %u "
			 "(cycles since the first):\n",
	       count, READ_ONCE(mm_trace_enabled) ? "on" : "off", n);
	for (unsigned long i = count - n; i < count; i++)
		show_event(&copy[i % MM_TRACE_EVENTS], t0);
	spin_unlock(&show_lock);
}
