/*
 * page_census.c - classify every page frame by use, by walking mem_map block
 * by block, and draw the result (see page_census.h).
 *
 * The walk. Every allocated or free block is announced by its first struct
 * page: a free block's head is PG_buddy or PG_pcp with its order, a slab's
 * head PG_slab with its order, a kmalloc-large block's PG_large_kmalloc, any
 * other multi-page allocation PG_head, all with the order in the flags; an
 * allocated single page has no role flag but a positive refcount. The other
 * pages of a block are plain (or PG_tail, pointing at the head). So from a
 * block's head the walk jumps 2^order pages to the next head, and reading
 * 131072 descriptors of a 512 MiB machine takes a few thousand steps. Only a
 * walk that starts inside a block must look for its head: blocks are aligned
 * to their size, so the head is at pfn rounded down to some 2^k, k <= 10.
 *
 * Reserved pages (never given to the buddy allocator) are attributed to the
 * boot reservation covering them, as page_alloc_init's accounting does: the
 * kernel image, mem_map, or anything else ("reserved").
 *
 * The picture. Cells of 2^k pages (the smallest power of two that fits the
 * machine in MAP_ROWS rows of MAP_COLS cells) show the most common use of
 * their pages; a mostly free cell shows the order of the largest free block
 * touching it, so the fragmentation is visible as the digits shrink.
 */
#include "mm/page_census.h"

#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/mmzone.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

#define MAP_COLS 64
#define MAP_ROWS 16

const char *const page_use_names[NR_PAGE_USES] = {
	[PU_HOLE] = "hole",	    [PU_KERNEL] = "kernel",
	[PU_MEMMAP] = "mem_map",    [PU_RESERVED] = "reserved",
	[PU_FREE] = "free",	    [PU_PCP] = "pcp",
	[PU_SLAB] = "slab",	    [PU_KMALLOC_LARGE] = "kmalloc_large",
	[PU_PGTABLE] = "pagetable", [PU_ALLOCATED] = "allocated",
	[PU_UNKNOWN] = "unknown",
};

/* PU_FREE has no single code: a free page is drawn as its block's order (free_code). */
const char page_use_codes[NR_PAGE_USES] = {
	[PU_HOLE] = '.',    [PU_KERNEL] = 'K',	  [PU_MEMMAP] = 'M',  [PU_RESERVED] = 'R',
	[PU_FREE] = 'f',    [PU_PCP] = 'c',	  [PU_SLAB] = 'S',    [PU_KMALLOC_LARGE] = 'L',
	[PU_PGTABLE] = 'P', [PU_ALLOCATED] = 'a', [PU_UNKNOWN] = '?',
};

/* '0'..'9', 'A' for order 10. */
static char free_code(unsigned order)
{
	return order < 10 ? (char)('0' + order) : (char)('A' + order - 10);
}

static char block_code(enum page_use use, unsigned order)
{
	return use == PU_FREE ? free_code(order) : page_use_codes[use];
}

/* ---------------------------------------------------------------------------
 * Classifying blocks
 */

/* The use of a reserved RAM page: the first boot reservation touching it names it. */
static enum page_use reserved_use(unsigned long pfn)
{
	const struct memblock_type *t = &memblock.reserved;
	uint64_t start = PFN_PHYS(pfn), end = start + PAGE_SIZE;
	unsigned lo = 0, hi = t->cnt;

	/* The first region ending after the page starts (regions are sorted, disjoint). */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct memblock_region *r = &t->regions[mid];
		if (r->base + r->size <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->cnt && t->regions[lo].base < end && t->regions[lo].owner) {
		const char *owner = t->regions[lo].owner;
		if (strncmp(owner, "kernel", 6) == 0)
			return PU_KERNEL;
		if (strcmp(owner, "mem_map") == 0)
			return PU_MEMMAP;
	}
	return PU_RESERVED;
}

/*
 * If the page at pfn starts a block, fill b and return true. Plain pages
 * with no reference and tail pages start nothing.
 */
static bool block_at_head(unsigned long pfn, struct page_block *b)
{
	const struct page *p = &mem_map[pfn];
	uint32_t f = READ_ONCE(p->flags);
	unsigned order = (f & PG_ORDER_MASK) >> PG_ORDER_SHIFT;

	b->pfn = pfn;
	b->pages = 1;
	b->order = 0;
	b->zone = (f & PG_ZONE_MASK) >> PG_ZONE_SHIFT;
	if (f & PG_hole) {
		b->use = PU_HOLE;
	} else if (f & PG_reserved) {
		b->use = reserved_use(pfn);
	} else if (f & (PG_buddy | PG_pcp)) {
		b->use = (f & PG_buddy) ? PU_FREE : PU_PCP;
		b->order = order;
		b->pages = 1UL << order;
	} else if (f & PG_tail) {
		return false;
	} else if (f & PG_slab) {
		b->use = PU_SLAB;
		b->pages = 1UL << order;
	} else if (f & PG_large_kmalloc) {
		b->use = PU_KMALLOC_LARGE;
		b->pages = 1UL << order;
	} else if (f & PG_pgtable) {
		b->use = PU_PGTABLE;
	} else if (f & PG_head) {
		b->use = PU_ALLOCATED;
		b->pages = 1UL << order;
	} else if (READ_ONCE(p->_refcount) > 0) {
		b->use = PU_ALLOCATED; /* an order-0 allocation (a guard page among them) */
	} else {
		return false;
	}
	if (order > MAX_PAGE_ORDER || b->pfn + b->pages > max_pfn) {
		/* A torn read of a block's head: report the page alone. */
		b->use = PU_UNKNOWN;
		b->pages = 1;
		b->order = 0;
	}
	return true;
}

void page_census_block(unsigned long pfn, struct page_block *b)
{
	if (block_at_head(pfn, b)) {
		/* Runs of holes or of reserved pages of one owner come as one block. */
		if (b->use == PU_HOLE || b->use == PU_KERNEL || b->use == PU_MEMMAP ||
		    b->use == PU_RESERVED) {
			struct page_block n;
			while (b->pfn + b->pages < max_pfn &&
			       block_at_head(b->pfn + b->pages, &n) && n.use == b->use &&
			       n.zone == b->zone)
				b->pages++;
		}
		return;
	}
	/* Inside a block: its head is pfn rounded down to its (aligned) size. */
	const struct page *p = &mem_map[pfn];
	if (p->flags & PG_tail) {
		const struct page *head = READ_ONCE(p->compound_head);
		if (head >= mem_map && head < p && block_at_head(page_to_pfn(head), b) &&
		    b->pfn + b->pages > pfn)
			return;
	}
	for (unsigned o = 1; o <= MAX_PAGE_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		if (head != pfn && block_at_head(head, b) && b->pfn + b->pages > pfn)
			return;
	}
	b->pfn = pfn;
	b->pages = 1;
	b->use = PU_UNKNOWN;
	b->order = 0;
	b->zone = page_zonenum(p);
}

void page_census_walk(unsigned long start, unsigned long end,
		      void (*fn)(void *arg, const struct page_block *b), void *arg)
{
	struct page_block b;

	if (!mem_map)
		return;
	end = MIN(end, max_pfn);
	for (unsigned long pfn = start; pfn < end;) {
		page_census_block(pfn, &b);
		unsigned long next = MAX(b.pfn + b.pages, pfn + 1);
		/* Clip to the range asked for. */
		b.pages = MIN(next, end) - pfn;
		b.pfn = pfn;
		fn(arg, &b);
		pfn = next;
	}
}

static void census_add(void *arg, const struct page_block *b)
{
	struct page_census *c = arg;

	c->pages[b->use] += b->pages;
	if (b->use == PU_FREE && b->zone < MAX_NR_ZONES) {
		c->free_blocks[b->zone][b->order]++;
		c->zone_free[b->zone] += b->pages;
		if ((int)b->order > c->largest_order[b->zone]) {
			c->largest_order[b->zone] = (int)b->order;
			c->largest_pfn[b->zone] = b->pfn;
		}
	}
}

void page_census_take(struct page_census *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		c->largest_order[z] = -1;
	page_census_walk(0, max_pfn, census_add, c);
}

/* ---------------------------------------------------------------------------
 * Fragmentation figures (Linux's mm/vmstat.c definitions, in integers)
 */

unsigned census_unusable_index(const unsigned long *free_blocks, unsigned order)
{
	unsigned long free = 0, suitable = 0;

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		free += free_blocks[o] << o;
		if (o >= order)
			suitable += free_blocks[o] << o;
	}
	if (!free)
		return 1000;
	return (unsigned)((free - suitable) * 1000 / free);
}

int census_fragmentation_index(const unsigned long *free_blocks, unsigned order)
{
	unsigned long free = 0, blocks = 0, suitable = 0;

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		free += free_blocks[o] << o;
		blocks += free_blocks[o];
		if (o >= order)
			suitable += free_blocks[o];
	}
	if (!blocks)
		return 0;
	if (suitable)
		return -1000;
	/* 1 - (1 + free / requested) / blocks, in thousandths. */
	return 1000 - (int)((1000 + free * 1000 / (1UL << order)) / blocks);
}

/* ---------------------------------------------------------------------------
 * The picture
 */

/* "512K", "32M", "4G": the largest unit that divides bytes. */
static void fmt_bytes(char *buf, size_t size, uint64_t bytes)
{
	if (!bytes)
		ksnprintf(buf, size, "0");
	else if (bytes % (1ULL << 30) == 0)
		ksnprintf(buf, size, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes % (1ULL << 20) == 0)
		ksnprintf(buf, size, "%lluM", (unsigned long long)(bytes >> 20));
	else
		ksnprintf(buf, size, "%lluK", (unsigned long long)(bytes >> 10));
}

struct map_ctx {
	unsigned long ppc;  /* pages per cell */
	unsigned long cell; /* the cell being accumulated */
	unsigned long count[NR_PAGE_USES];
	int max_free_order;
	char row[MAP_COLS + 1];
	unsigned col;
};

static const unsigned long zone_first_pfn[MAX_NR_ZONES] = { 0, ZONE_DMA_END_PFN,
							    ZONE_DMA32_END_PFN };

static void map_flush_row(struct map_ctx *m)
{
	char at[16], note[64] = "";
	/* m->cell is the first cell after the row. */
	unsigned long row_pfn = (m->cell - m->col) * m->ppc;
	unsigned long row_end = row_pfn + MAP_COLS * m->ppc;

	m->row[m->col] = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		if (zone_first_pfn[z] >= row_pfn && zone_first_pfn[z] < row_end &&
		    zone_first_pfn[z] < max_pfn)
			ksnprintf(note, sizeof(note), " <- %s from column %lu", zone_names[z],
				  (zone_first_pfn[z] - row_pfn) / m->ppc);
	}
	fmt_bytes(at, sizeof(at), PFN_PHYS(row_pfn));
	printk(KERN_INFO "%6s |%-*s|%s\n", at, MAP_COLS, m->row, note);
	m->col = 0;
}

/* Close the current cell: its character is its most common use. */
static void map_flush_cell(struct map_ctx *m)
{
	unsigned best = PU_HOLE;

	for (unsigned u = 0; u < NR_PAGE_USES; u++)
		if (m->count[u] > m->count[best])
			best = u;
	m->row[m->col++] =
		best == PU_FREE ? free_code((unsigned)m->max_free_order) : page_use_codes[best];
	memset(m->count, 0, sizeof(m->count));
	m->max_free_order = -1;
	m->cell++;
	if (m->col == MAP_COLS)
		map_flush_row(m);
}

static void map_add(void *arg, const struct page_block *b)
{
	struct map_ctx *m = arg;
	unsigned long pfn = b->pfn, left = b->pages;

	while (left) {
		unsigned long cell = pfn / m->ppc;
		while (m->cell < cell)
			map_flush_cell(m);
		unsigned long n = MIN(left, (cell + 1) * m->ppc - pfn);
		m->count[b->use] += n;
		if (b->use == PU_FREE && (int)b->order > m->max_free_order)
			m->max_free_order = (int)b->order;
		pfn += n;
		left -= n;
	}
}

static void show_zone_frag(const struct page_census *c, unsigned z)
{
	char line[160], a[16], b[16], big[16];
	int len;

	const struct zone *zone = &page_zones[z];
	fmt_bytes(a, sizeof(a), PFN_PHYS(zone_first_pfn[z]));
	fmt_bytes(b, sizeof(b), PFN_PHYS(MIN(zone_end_pfn(zone), max_pfn)));
	if (c->largest_order[z] >= 0) {
		fmt_bytes(big, sizeof(big), PAGE_SIZE << c->largest_order[z]);
		printk(KERN_INFO "zone %-6s [%s-%s): %lu pages free in the buddy lists; largest "
				 "free block order %d (%s) at pfn %#lx\n",
		       zone_names[z], a, b, c->zone_free[z], c->largest_order[z], big,
		       c->largest_pfn[z]);
	} else {
		printk(KERN_INFO "zone %-6s [%s-%s): no free block in the buddy lists\n",
		       zone_names[z], a, b);
	}
	len = ksnprintf(line, sizeof(line), "  unusable index   ");
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %4u",
				 census_unusable_index(c->free_blocks[z], o));
	printk(KERN_INFO "%s\n", line);
	len = ksnprintf(line, sizeof(line), "  fragmentation idx");
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		int fi = census_fragmentation_index(c->free_blocks[z], o);
		if (fi == -1000)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, "    -");
		else
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %4d", fi);
	}
	printk(KERN_INFO "%s\n", line);
}

void show_memmap(void)
{
	struct page_census c;
	struct map_ctx m;
	char cellsz[16], total[16];

	printk(KERN_INFO "== memmap ==\n");
	if (!page_alloc_ready()) {
		printk(KERN_INFO "memmap: the page allocator is not initialised\n");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.ppc = 1;
	while (max_pfn > m.ppc * MAP_COLS * MAP_ROWS)
		m.ppc <<= 1;
	m.max_free_order = -1;
	fmt_bytes(cellsz, sizeof(cellsz), PFN_PHYS(m.ppc));
	fmt_bytes(total, sizeof(total), PFN_PHYS(max_pfn));
	printk(KERN_INFO "%lu page frames (%s); one character = %lu pages (%s), %u per row\n",
	       max_pfn, total, m.ppc, cellsz, MAP_COLS);

	page_census_walk(0, max_pfn, map_add, &m);
	while (m.cell * m.ppc < max_pfn)
		map_flush_cell(&m);
	if (m.col)
		map_flush_row(&m);

	printk(KERN_INFO "legend: 0-9,A free buddy block of order 0-10 (the largest in the cell)"
			 "  c per-CPU list\n");
	printk(KERN_INFO "        S slab  L kmalloc-large  P page table  a other allocation"
			 "  K kernel  M mem_map\n");
	printk(KERN_INFO "        R reserved (firmware, boot)  . no RAM  ? changing; a cell "
			 "shows its most common use\n");
	printk(KERN_INFO "unusable index, order o: per mille of the free pages in blocks "
			 "below 2^o (1000 = all);\n");
	printk(KERN_INFO "fragmentation idx: when no block of 2^o is free, ~0 = too little free "
			 "memory, ~1000 = fragmented\n");
	printk(KERN_INFO "                    order:    0    1    2    3    4    5    6    7    8"
			 "    9   10\n");

	page_census_take(&c);
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (populated_zone(&page_zones[z]))
			show_zone_frag(&c, z);

	unsigned long sum = 0;
	for (unsigned u = 0; u < NR_PAGE_USES; u++)
		sum += c.pages[u];
	/* Pages whose state moved under the census (another CPU allocating): shown only if any. */
	char changing[32] = "";
	if (c.pages[PU_UNKNOWN])
		ksnprintf(changing, sizeof(changing), " | changing %lu", c.pages[PU_UNKNOWN]);
	printk(KERN_INFO "pages: free %lu + per-CPU %lu | slab %lu, kmalloc-large %lu, "
			 "page tables %lu, other %lu | kernel %lu, mem_map %lu, reserved %lu | "
			 "no RAM %lu%s = %lu frames\n",
	       c.pages[PU_FREE], c.pages[PU_PCP], c.pages[PU_SLAB], c.pages[PU_KMALLOC_LARGE],
	       c.pages[PU_PGTABLE], c.pages[PU_ALLOCATED], c.pages[PU_KERNEL], c.pages[PU_MEMMAP],
	       c.pages[PU_RESERVED], c.pages[PU_HOLE], changing, sum);
	bool same = c.pages[PU_FREE] + c.pages[PU_PCP] == nr_free_pages() &&
		    c.pages[PU_SLAB] == (unsigned long)read_vm_stat(NR_SLAB_PAGES) &&
		    c.pages[PU_KMALLOC_LARGE] == (unsigned long)read_vm_stat(NR_KMALLOC_LARGE) &&
		    c.pages[PU_PGTABLE] == (unsigned long)read_vm_stat(NR_PAGETABLE) &&
		    c.pages[PU_KERNEL] == (unsigned long)read_vm_stat(NR_KERNEL_IMAGE) &&
		    c.pages[PU_MEMMAP] == (unsigned long)read_vm_stat(NR_MEMMAP) &&
		    c.pages[PU_RESERVED] == (unsigned long)read_vm_stat(NR_EARLY_ALLOC);
	printk(KERN_INFO "meminfo: MemFree %lu, Slab %ld, KmallocLarge %ld, PageTables %ld, "
			 "KernelImage %ld, MemMap %ld, BootReserved %ld pages: %s\n",
	       nr_free_pages(), read_vm_stat(NR_SLAB_PAGES), read_vm_stat(NR_KMALLOC_LARGE),
	       read_vm_stat(NR_PAGETABLE), read_vm_stat(NR_KERNEL_IMAGE), read_vm_stat(NR_MEMMAP),
	       read_vm_stat(NR_EARLY_ALLOC), same ? "the same" : "DIFFERENT (see above)");
}

/* ---------------------------------------------------------------------------
 * The machine-readable dump
 */

#define DUMP_LINE 200 /* characters of run-length map per line (printk allows 1024) */

struct dump_ctx {
	char line[DUMP_LINE + 32];
	int len;
	unsigned long run_pfn, run_len;
	char run_code;
};

static void dump_flush_line(struct dump_ctx *d)
{
	if (d->len) {
		printk(KERN_INFO "memdump map %s\n", d->line);
		d->len = 0;
	}
}

static void dump_flush_run(struct dump_ctx *d)
{
	if (!d->run_len)
		return;
	if (!d->len)
		d->len = ksnprintf(d->line, sizeof(d->line), "%lu", d->run_pfn);
	d->len += ksnprintf(d->line + d->len, sizeof(d->line) - (size_t)d->len, " %lu%c",
			    d->run_len, d->run_code);
	if (d->len >= DUMP_LINE)
		dump_flush_line(d);
	d->run_len = 0;
}

static void dump_add(void *arg, const struct page_block *b)
{
	struct dump_ctx *d = arg;
	char code = block_code(b->use, b->order);

	/* Free blocks stay separate runs, so the tool sees each block's boundaries. */
	if (d->run_len && (code != d->run_code || b->use == PU_FREE || b->use == PU_PCP))
		dump_flush_run(d);
	if (!d->run_len) {
		d->run_pfn = b->pfn;
		d->run_code = code;
	}
	d->run_len += b->pages;
}

static void dump_slabs(void)
{
	unsigned long flags;
	struct kmem_cache *cache;

	if (!slab_is_ready)
		return;
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(cache, &slab_caches, list)
	{
		unsigned long cached = 0;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
			cached += READ_ONCE(cache->cpu_cache[cpu]->avail);
		/* name objsize inuse(incl. per-CPU) total per-CPU-cached slabs p/f/e pages */
		printk(KERN_INFO "memdump slab %s %u %lu %lu %lu %lu %lu %lu %lu\n", cache->name,
		       cache->size, cache->inuse_objects, cache->total_objects, cached,
		       cache->nr_slabs[SLAB_PARTIAL], cache->nr_slabs[SLAB_FULL],
		       cache->nr_slabs[SLAB_EMPTY], cache->total_pages);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}

void memdump(const char *label)
{
	static unsigned long seq;
	struct page_census c;
	struct dump_ctx d;
	char line[200];
	int len;

	if (!page_alloc_ready())
		return;
	unsigned long n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	printk(KERN_INFO "memdump begin %lu %s\n", n, label);
	printk(KERN_INFO "memdump machine max_pfn=%lu page_size=%lu cpus=%u\n", max_pfn, PAGE_SIZE,
	       nr_cpu_ids);
	page_census_take(&c);
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		if (!populated_zone(zone))
			continue;
		printk(KERN_INFO "memdump zone %s start=%lu end=%lu managed=%lu free=%lu pcp=%lu "
				 "min=%lu low=%lu high=%lu\n",
		       zone_names[z], zone_first_pfn[z], MIN(zone_end_pfn(zone), max_pfn),
		       zone->managed_pages, c.zone_free[z], zone_pcp_pages(zone),
		       zone->watermark[WMARK_MIN], zone->watermark[WMARK_LOW],
		       zone->watermark[WMARK_HIGH]);
		len = ksnprintf(line, sizeof(line), "memdump buddy %s", zone_names[z]);
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %lu",
					 c.free_blocks[z][o]);
		printk(KERN_INFO "%s\n", line);
		len = ksnprintf(line, sizeof(line), "memdump unusable %s", zone_names[z]);
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %u",
					 census_unusable_index(c.free_blocks[z], o));
		printk(KERN_INFO "%s\n", line);
	}
	len = ksnprintf(line, sizeof(line), "memdump pages");
	for (unsigned u = 0; u < NR_PAGE_USES; u++)
		len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s=%lu",
				 page_use_names[u], c.pages[u]);
	printk(KERN_INFO "%s\n", line);

	memset(&d, 0, sizeof(d));
	page_census_walk(0, max_pfn, dump_add, &d);
	dump_flush_run(&d);
	dump_flush_line(&d);
	dump_slabs();
	printk(KERN_INFO "memdump end %lu\n", n);
}
