/*
 * test_buddy_world.h - building a machine for the hosted buddy allocator
 * tests: fake RAM (host_ram_init), memblock's view of it, page_alloc_init.
 * Shared by test_buddy.c and test_buddy_random.c (a header, not a program).
 *
 * Worlds:
 *   WORLD_6G   6 GiB span: RAM [4 KiB, 636 KiB), [1 MiB, 3 GiB), [4 GiB, 5 GiB);
 *              a 1 GiB PCI-style hole; all three zones populated.
 *   WORLD_32M  RAM [4 KiB, 636 KiB), [1 MiB, 32 MiB): DMA and a small DMA32.
 *   WORLD_256M RAM [1 MiB, 256 MiB): DMA and DMA32, pcp batch > 1.
 * Each reserves the first MiB ("first 1 MiB") and [1 MiB, 3 MiB) ("kernel"),
 * as memmap_setup does on a real boot.
 */
#ifndef TEST_BUDDY_WORLD_H
#define TEST_BUDDY_WORLD_H

#include <stdio.h>
#include <stdlib.h>

#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/mmzone.h"
#include "mm/page_alloc_test.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

enum world { WORLD_6G, WORLD_32M, WORLD_256M };

/* Build a world; quiet keeps the boot dumps out of stderr (they stay in host_printk_log). */
static inline void buddy_world(enum world w, bool quiet)
{
	bool echo = host_printk_echo;

	page_alloc_reset_for_test();
	memblock_reset();
	switch (w) {
	case WORLD_6G:
		host_ram_init(GB(6));
		memblock_add(KB(4), KB(632));
		memblock_add(MB(1), GB(3) - MB(1));
		memblock_add(GB(4), GB(1));
		break;
	case WORLD_32M:
		host_ram_init(MB(32));
		memblock_add(KB(4), KB(632));
		memblock_add(MB(1), MB(31));
		break;
	case WORLD_256M:
		host_ram_init(MB(256));
		memblock_add(MB(1), MB(255));
		break;
	}
	memblock_reserve(0, MB(1), "first 1 MiB");
	memblock_reserve(MB(1), MB(2), "kernel");
	if (quiet)
		host_printk_echo = false;
	host_printk_log_clear();
	page_alloc_init();
	host_printk_echo = echo;
}

/* A growable list of allocated blocks, to give back at the end of a test. */
struct held {
	struct page **page;
	unsigned char *order;
	size_t n, cap;
};

static inline void held_push(struct held *h, struct page *p, unsigned order)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->page = realloc(h->page, h->cap * sizeof(*h->page));
		h->order = realloc(h->order, h->cap);
		if (!h->page || !h->order)
			abort();
	}
	h->page[h->n] = p;
	h->order[h->n++] = (unsigned char)order;
}

/* Free everything held (newest first); returns how many frees were refused. */
static inline unsigned held_free_all(struct held *h)
{
	unsigned bad = 0;
	while (h->n) {
		h->n--;
		if (free_pages_checked(h->page[h->n], h->order[h->n], 0))
			bad++;
	}
	free(h->page);
	free(h->order);
	memset(h, 0, sizeof(*h));
	return bad;
}

/* Allocate blocks of order top, then top-1, ... 0 until each fails; returns pages taken. */
static inline unsigned long exhaust(struct held *h, gfp_t gfp, unsigned top)
{
	unsigned long pages = 0;
	for (int o = (int)top; o >= 0; o--) {
		struct page *p;
		while ((p = alloc_pages(gfp | __GFP_NOWARN, (unsigned)o))) {
			held_push(h, p, (unsigned)o);
			pages += 1UL << o;
		}
	}
	return pages;
}

#endif
