/*
 * page.h - struct page, the descriptor of one 4 KiB page frame, and the
 * conversions between pages, page frame numbers (pfn), physical addresses and
 * direct-map virtual addresses.
 *
 * Layout choice: one flat array, mem_map[], indexed by pfn from 0 to max_pfn.
 * Holes in the physical address space (below 1 MiB's gaps, the PCI hole
 * between 3 and 4 GiB when QEMU has more than 3 GiB) get descriptors too,
 * marked PG_reserved | PG_hole, so pfn_to_page() is one addition. The cost is
 * 32 bytes per hole page: 8 MiB for QEMU's 1 GiB PCI hole, 0.78% of what the
 * hole spans. Linux's SPARSEMEM avoids that with sections; for the machines
 * QEMU builds (at most one large hole) the flat array is simpler and faster.
 *
 * struct page is 32 bytes (Linux's is 64): the list link uses 32-bit pfns
 * instead of two pointers (struct page_list below), and the slab fields share
 * a union with the buddy allocator's, since a page is in one role at a time.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "kernel/arch.h"
#include "kernel/compiler.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/* Buddy orders 0..MAX_PAGE_ORDER: 4 KiB .. 4 MiB (Linux 6.8+ names). */
#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)

#define PFN_NIL	    0xffffffffu /* "no page" in a page_list link */
#define PFN_UP(x)   (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((uint64_t)(x) << PAGE_SHIFT)

struct kmem_cache;

/* A link in a page_list: pfns of the neighbours, PFN_NIL at the ends. */
struct page_link {
	uint32_t next, prev;
};

/* Page flags (low 16 bits of page->flags). A page is in exactly one role. */
enum pageflags {
	PG_reserved =
		1u << 0, /* never given to the buddy allocator (firmware, kernel, hole, memblock) */
	PG_hole = 1u << 1,  /* no RAM behind this pfn at all */
	PG_buddy = 1u << 2, /* head of a free block in a buddy free list; order in the flags */
	PG_pcp = 1u << 3,   /* free, on a per-CPU page list (order in the flags) */
	PG_slab = 1u << 4,  /* a page of a slab, head or tail (PG_tail tells); slab_cache valid */
	PG_head = 1u << 5,  /* first page of an allocated multi-page block (order in the flags) */
	PG_tail = 1u << 6, /* non-first page of a slab or __GFP_COMP block; ->compound_head valid */
	PG_pgtable = 1u << 7,	    /* a page-table page */
	PG_large_kmalloc = 1u << 8, /* head of a kmalloc allocation too big for any slab class */
	PG_memblock = 1u << 9,	    /* handed out by the early allocator (mem_map) */
	PG_guard = 1u << 10,	    /* a stack guard page, deliberately unmapped */
};

#define PG_ORDER_SHIFT 16
#define PG_ORDER_MASK  (0xfu << PG_ORDER_SHIFT)
#define PG_ZONE_SHIFT  20
#define PG_ZONE_MASK   (0x3u << PG_ZONE_SHIFT)

struct page {
	/* PG_* bits (0-15), order (16-19), zone number (20-21). */
	uint32_t flags;
	union {
		/* Allocated non-slab pages: users of the block (1 when allocated, 0 when free). */
		int32_t _refcount;
		/* Slab head page: objects handed out / objects in the slab. */
		struct {
			uint16_t inuse;
			uint16_t objects;
		};
	};
	/* Buddy free list, per-CPU list, or the slab cache's partial/full/empty list. */
	struct page_link lru;
	union {
		/*
		 * Every page of a slab (PG_slab), head and tails: its cache, at
		 * the same place in all of them, so that kfree finds the cache
		 * of any object without going through the head first.
		 */
		struct {
			struct kmem_cache *slab_cache;
			void *freelist; /* head: first free object (obfuscated pointer chain) */
		};
		/* Tail page (PG_tail) of a slab or a __GFP_COMP block: the block's first page. */
		struct {
			uintptr_t __tail_word0; /* slab_cache in a slab's tail pages */
			struct page *compound_head;
		};
		/* Free to use by whoever owns the page (page tables, kmalloc-large). */
		uintptr_t private[2];
	};
};

/* The page descriptors: mem_map[pfn] for every pfn in [0, max_pfn). */
extern struct page *mem_map;
extern unsigned long max_pfn;

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mem_map + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - mem_map);
}

/* True when pfn has a descriptor and RAM behind it. */
static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < max_pfn && !(mem_map[pfn].flags & PG_hole);
}

static inline uint64_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

static inline void *page_address(const struct page *page)
{
	return __va(page_to_phys(page));
}

static inline struct page *phys_to_page(uint64_t pa)
{
	return pfn_to_page(PFN_DOWN(pa));
}

/* The descriptor of the page holding a direct-map address. */
static inline struct page *virt_to_page(const void *va)
{
	return pfn_to_page(PFN_DOWN(__pa(va)));
}

static inline unsigned page_order(const struct page *page)
{
	return (page->flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

static inline void set_page_order(struct page *page, unsigned order)
{
	page->flags = (page->flags & ~PG_ORDER_MASK) | (order << PG_ORDER_SHIFT);
}

static inline unsigned page_zonenum(const struct page *page)
{
	return (page->flags & PG_ZONE_MASK) >> PG_ZONE_SHIFT;
}

static inline void set_page_zone(struct page *page, unsigned zone)
{
	page->flags = (page->flags & ~PG_ZONE_MASK) | (zone << PG_ZONE_SHIFT);
}

/* The first page of the slab (or block) a page belongs to. */
static inline struct page *compound_head(struct page *page)
{
	return (page->flags & PG_tail) ? page->compound_head : page;
}

/*
 * page_list: a doubly linked list of pages threaded through page->lru by pfn.
 * Not circular: first/last are PFN_NIL when empty. Every operation is O(1).
 */
struct page_list {
	uint32_t first, last;
};

#define PAGE_LIST_INIT           \
	{                        \
		PFN_NIL, PFN_NIL \
	}

static inline void page_list_init(struct page_list *l)
{
	l->first = l->last = PFN_NIL;
}

static inline bool page_list_empty(const struct page_list *l)
{
	return l->first == PFN_NIL;
}

static inline struct page *page_list_first(const struct page_list *l)
{
	return l->first == PFN_NIL ? NULL : pfn_to_page(l->first);
}

static inline struct page *page_list_last(const struct page_list *l)
{
	return l->last == PFN_NIL ? NULL : pfn_to_page(l->last);
}

static inline struct page *page_list_next(const struct page *p)
{
	return p->lru.next == PFN_NIL ? NULL : pfn_to_page(p->lru.next);
}

static inline void page_list_add(struct page_list *l, struct page *p)
{
	uint32_t pfn = (uint32_t)page_to_pfn(p);
	p->lru.prev = PFN_NIL;
	p->lru.next = l->first;
	if (l->first != PFN_NIL)
		pfn_to_page(l->first)->lru.prev = pfn;
	else
		l->last = pfn;
	l->first = pfn;
}

static inline void page_list_add_tail(struct page_list *l, struct page *p)
{
	uint32_t pfn = (uint32_t)page_to_pfn(p);
	p->lru.next = PFN_NIL;
	p->lru.prev = l->last;
	if (l->last != PFN_NIL)
		pfn_to_page(l->last)->lru.next = pfn;
	else
		l->first = pfn;
	l->last = pfn;
}

static inline void page_list_del(struct page_list *l, struct page *p)
{
	if (p->lru.prev != PFN_NIL)
		pfn_to_page(p->lru.prev)->lru.next = p->lru.next;
	else
		l->first = p->lru.next;
	if (p->lru.next != PFN_NIL)
		pfn_to_page(p->lru.next)->lru.prev = p->lru.prev;
	else
		l->last = p->lru.prev;
	p->lru.next = p->lru.prev = PFN_NIL;
}

#define page_list_for_each(pos, l) for (pos = page_list_first(l); pos; pos = page_list_next(pos))

#endif
