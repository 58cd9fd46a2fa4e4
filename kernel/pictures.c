/*
 * pictures.c - the `pictures` scenario (`make pictures`): a deterministic
 * stress of the allocators that prints a memdump (mm/page_census.h) after
 * each phase, for tools/mempictures.py to turn into SVG pictures of the
 * memory map, the free blocks by order, slab occupancy and fragmentation
 * over time. Then QEMU exits.
 *
 * The phases, chosen to make fragmentation visible and then undo it:
 *   1. boot           what the boot left
 *   2. fill           blocks of random orders 0-5 until 60% of free memory is
 *                     allocated (a dump at each quarter); on big machines the
 *                     orders are shifted up so that PIC_MAX_BLOCKS blocks do it
 *   3. punch holes    every other block freed, in random order: lots of free
 *                     memory, few large blocks (a dump at each half)
 *   4. kmalloc        objects of random sizes 8 B - 8 KiB (a dump at each half)
 *   5. kfree 3/4      three objects in four freed: slabs left partial
 *   6. big blocks     order-8 allocations while they succeed: how few fit
 *                     among the holes although plenty is free (then given back)
 *   7. free all       everything freed, per-CPU lists and empty slabs given back
 * The random numbers are xorshift64 from a fixed seed, so every run with the
 * same memory size draws the same pictures.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/monitor.h"
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/page_census.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "kernel/xorshift.h"

CMDLINE_PARAM(pictures, "run the allocator stress scenario that prints memdump lines for "
			"tools/mempictures.py (make pictures), then exit QEMU");

#define PIC_MAX_BLOCKS	(1u << 15) /* page blocks tracked (32768 x 8 bytes = order 6) */
#define PIC_MAX_OBJECTS (1u << 15) /* kmalloc objects tracked (32768 x 8 bytes = order 6) */
#define PIC_MAX_BIG	1024

struct pic_block {
	uint32_t pfn;
	uint32_t order; /* ~0u once freed */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	return xorshift64(&rng);
}

/* A scratch array of at least bytes, straight from the buddy allocator (not part of the story). */
static void *scratch(size_t bytes, unsigned *order)
{
	unsigned o = 0;
	while ((PAGE_SIZE << o) < bytes)
		o++;
	*order = o;
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, o);
	return p ? page_address(p) : NULL;
}

static void free_blocks(struct pic_block *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (b[i].order != ~0u) {
			__free_pages(pfn_to_page(b[i].pfn), b[i].order);
			b[i].order = ~0u;
		}
	}
}

void pictures_main(void)
{
	unsigned border, oorder;
	unsigned nblocks = 0, nobjs = 0, nbig = 0;
	static struct pic_block big[PIC_MAX_BIG];

	if (!cmdline_has("pictures"))
		return;
	pr_info("pictures: allocator stress scenario, memdump after each phase\n");
	struct pic_block *blocks = scratch(PIC_MAX_BLOCKS * sizeof(*blocks), &border);
	void **objs = scratch(PIC_MAX_OBJECTS * sizeof(*objs), &oorder);
	if (!blocks || !objs) {
		pr_err("pictures: no memory for the bookkeeping\n");
		arch_exit_qemu(QEMU_EXIT_FAILURE);
	}
	memdump("boot");

	/* 2. fill */
	unsigned long target = nr_free_pages() * 6 / 10, taken = 0, quarter = target / 4;
	unsigned long next_dump = quarter;
	unsigned base = 0; /* the mean block is about 3 << base pages */
	while (base < MAX_PAGE_ORDER - 5 && (target >> base) > PIC_MAX_BLOCKS * 3UL)
		base++;
	while (taken < target && nblocks < PIC_MAX_BLOCKS) {
		/* Small orders more often: order k with weight 2^(5-k). */
		unsigned r = (unsigned)(next_rand() % 63), order = 0;
		while (order < 5 && r >= (32u >> order)) {
			r -= 32u >> order;
			order++;
		}
		order += base;
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		if (!p)
			break;
		blocks[nblocks++] = (struct pic_block){ (uint32_t)page_to_pfn(p), order };
		taken += 1UL << order;
		if (taken >= next_dump && next_dump <= 3 * quarter) {
			static const char *const names[] = { "fill-25%", "fill-50%", "fill-75%" };
			memdump(names[next_dump / quarter - 1]);
			next_dump += quarter;
		}
	}
	memdump("fill-100%");

	/* 3. punch holes: every other block, in random order */
	unsigned nfree = nblocks / 2, done = 0;
	for (unsigned i = 0; i < nfree * 4 && done < nfree; i++) {
		unsigned k = (unsigned)(next_rand() % nblocks) | 1;
		if (k >= nblocks || blocks[k].order == ~0u)
			continue;
		__free_pages(pfn_to_page(blocks[k].pfn), blocks[k].order);
		blocks[k].order = ~0u;
		if (++done == nfree / 2)
			memdump("holes-50%");
	}
	drain_all_pages();
	memdump("holes-100%");

	/* 4. kmalloc */
	unsigned want = MIN(PIC_MAX_OBJECTS, (unsigned)(nr_free_pages() / 4));
	for (unsigned i = 0; i < want; i++) {
		/* Sizes spread over the classes: 8 << (0..10), minus a little. */
		size_t size = ((size_t)8 << (next_rand() % 11)) - (size_t)(next_rand() % 8);
		void *p = kmalloc(size ? size : 1, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			break;
		objs[nobjs++] = p;
		if (nobjs == want / 2)
			memdump("kmalloc-50%");
	}
	memdump("kmalloc-100%");

	/* 5. kfree three in four */
	for (unsigned i = 0; i < nobjs; i++) {
		if (next_rand() % 4) {
			kfree(objs[i]);
			objs[i] = NULL;
		}
	}
	kmem_cache_drain_all();
	memdump("kfree-75%");

	/* 6. big blocks */
	unsigned long free_before = nr_free_pages();
	while (nbig < PIC_MAX_BIG) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 8);
		if (!p)
			break;
		big[nbig++] = (struct pic_block){ (uint32_t)page_to_pfn(p), 8 };
	}
	pr_info("pictures: %u order-8 blocks (%u pages) could be allocated with %lu pages free\n",
		nbig, nbig << 8, free_before);
	memdump("order-8");
	free_blocks(big, nbig);

	/* 7. free all */
	for (unsigned i = 0; i < nobjs; i++)
		kfree(objs[i]);
	free_blocks(blocks, nblocks);
	slab_reclaim(); /* empty slabs back to the buddy allocator (through the per-CPU lists) */
	drain_all_pages();
	memdump("freed");

	__free_pages(virt_to_page(blocks), border);
	__free_pages(virt_to_page(objs), oorder);
	pr_info("pictures: done (%u page blocks, %u objects)\n", nblocks, nobjs);
	arch_exit_qemu(QEMU_EXIT_SUCCESS);
}
