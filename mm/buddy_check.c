/*
 * buddy_check.c - the buddy allocator's invariants, verified (the KTEST
 * checker "buddy", run after every test case), and the state snapshots the
 * tests compare.
 *
 * For each zone, under its lock:
 *   - each free list, walked: every block is in the zone, aligned to its
 *     order, its head says PG_buddy with that order and refcount 0, the links
 *     run both ways, the length equals nr_free; no block has a free buddy of
 *     its own order (it would have merged); the pages add up to zone->nr_free;
 *   - each CPU's lists: the same with PG_pcp, and the pages add up to count;
 *   - the descriptors: every PG_buddy / PG_pcp head in the zone is counted.
 *     Equal counts plus "every listed block is such a head" mean no orphan
 *     head and no block on two lists, without marking anything (the checker
 *     allocates nothing and writes nothing). The quick walk jumps over free
 *     blocks, so it costs the allocated pages plus the free blocks;
 *     buddy_check_full also checks every page inside every free block.
 */
#include <stdarg.h>

#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page_alloc_internal.h"
#include "mm/page_alloc_test.h"

#define CHECK_PRINT_LIMIT 20

struct check_state {
	unsigned problems;
};

static void check_fail(struct check_state *cs, const char *fmt, ...) __printf(2, 3);
static void check_fail(struct check_state *cs, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (cs->problems++ >= CHECK_PRINT_LIMIT)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("buddy_check: %s\n", msg);
}

/*
 * Walk one list of blocks that should all have flags `want` and `order`, in
 * zone [lo, hi). Returns the number of blocks (stops at `limit`: a cycle).
 */
static unsigned long check_list(struct check_state *cs, const struct zone *zone,
				const struct page_list *l, uint32_t want, unsigned order,
				unsigned long limit, const char *what, bool free_list)
{
	unsigned long n = 0;
	uint32_t prev = PFN_NIL, pfn = l->first;
	unsigned long lo = zone->zone_start_pfn, hi = zone_end_pfn(zone);

	while (pfn != PFN_NIL) {
		if (pfn >= nr_memmap) {
			check_fail(cs, "zone %s %s order %u: link to pfn %#x beyond mem_map",
				   zone->name, what, order, pfn);
			return n;
		}
		const struct page *p = &mem_map[pfn];
		if (++n > limit) {
			check_fail(cs, "zone %s %s order %u: more than %lu blocks (a cycle?)",
				   zone->name, what, order, limit);
			return n;
		}
		if (p->lru.prev != prev)
			check_fail(cs, "zone %s %s order %u: pfn %#x: prev link %#x, expected %#x",
				   zone->name, what, order, pfn, p->lru.prev, prev);
		if (pfn < lo || pfn + (1UL << order) > hi)
			check_fail(cs, "zone %s %s order %u: block at pfn %#x outside the zone",
				   zone->name, what, order, pfn);
		if (pfn & ((1u << order) - 1))
			check_fail(cs, "zone %s %s order %u: block at pfn %#x not aligned",
				   zone->name, what, order, pfn);
		if (p->flags != want || p->_refcount != 0) {
			char st[160];
			describe_page(p, st, sizeof(st));
			check_fail(cs, "zone %s %s order %u: pfn %#x: descriptor says %s",
				   zone->name, what, order, pfn, st);
		}
		if (free_list && order < MAX_PAGE_ORDER) {
			uint32_t buddy = pfn ^ (1u << order);
			if (buddy < nr_memmap && mem_map[buddy].flags == want)
				check_fail(cs,
					   "zone %s order %u: free buddies %#x and %#x not merged",
					   zone->name, order, pfn, buddy);
		}
		prev = pfn;
		pfn = p->lru.next;
	}
	if (l->last != prev)
		check_fail(cs, "zone %s %s order %u: list tail %#x, last block %#x", zone->name,
			   what, order, l->last, prev);
	return n;
}

static void check_zone(struct check_state *cs, struct zone *zone, bool full)
{
	unsigned long pages = 0, heads[NR_PAGE_ORDERS] = { 0 }, pcp_heads = 0, pcp_blocks = 0;
	unsigned long limit = zone->spanned_pages + 1;

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		const struct free_area *area = &zone->free_area[o];
		unsigned long n = check_list(cs, zone, &area->free_list, buddy_flags(zone->idx, o),
					     o, limit, "free list", true);
		if (n != area->nr_free)
			check_fail(cs, "zone %s order %u: %lu blocks on the list, nr_free says %lu",
				   zone->name, o, n, area->nr_free);
		pages += area->nr_free << o;
	}
	if (pages != zone->nr_free)
		check_fail(cs, "zone %s: free lists hold %lu pages, nr_free says %lu", zone->name,
			   pages, zone->nr_free);

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct per_cpu_pages *pcp = &zone->pcp[cpu];
		unsigned long pcp_pages = 0;
		for (unsigned o = 0; o <= PCP_MAX_ORDER; o++) {
			unsigned long n =
				check_list(cs, zone, &pcp->lists[o], pcp_flags(zone->idx, o), o,
					   limit, "pcp list", false);
			pcp_pages += n << o;
			pcp_blocks += n;
		}
		if (pcp_pages != (unsigned long)pcp->count)
			check_fail(cs, "zone %s cpu %u: pcp lists hold %lu pages, count says %d",
				   zone->name, cpu, pcp_pages, pcp->count);
	}

	/*
	 * The descriptors: every PG_buddy / PG_pcp head in the zone must be one
	 * counted above (equal counts + every listed block checked = no orphan
	 * heads, no block on two lists). Quick mode skips over free blocks;
	 * full mode also checks each page inside them.
	 */
	unsigned long pfn = zone->zone_start_pfn, end = zone_end_pfn(zone);
	uint32_t plain = (uint32_t)zone->idx << PG_ZONE_SHIFT;
	while (pfn < end) {
		const struct page *p = &mem_map[pfn];
		if (page_zonenum(p) != zone->idx)
			check_fail(cs, "zone %s: pfn %#lx has zone %u in its flags", zone->name,
				   pfn, page_zonenum(p));
		if (!(p->flags & (PG_buddy | PG_pcp))) {
			pfn++;
			continue;
		}
		unsigned o = page_order(p);
		if (o > MAX_PAGE_ORDER || (pfn & ((1UL << o) - 1)) || pfn + (1UL << o) > end) {
			check_fail(cs, "zone %s: free head at pfn %#lx has bad order %u",
				   zone->name, pfn, o);
			pfn++;
			continue;
		}
		if ((p->flags & (PG_buddy | PG_pcp)) == (PG_buddy | PG_pcp))
			check_fail(cs, "zone %s: pfn %#lx is both PG_buddy and PG_pcp", zone->name,
				   pfn);
		if (p->flags & PG_buddy)
			heads[o]++;
		else
			pcp_heads++;
		if (full) {
			for (unsigned long i = 1; i < (1UL << o); i++) {
				const struct page *q = &mem_map[pfn + i];
				if (q->flags != plain || q->_refcount != 0) {
					char st[160];
					describe_page(q, st, sizeof(st));
					check_fail(
						cs,
						"zone %s: pfn %#lx inside the free block at %#lx "
						"(order %u) is not clean: %s",
						zone->name, pfn + i, pfn, o, st);
				}
			}
		}
		pfn += 1UL << o;
	}
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		if (heads[o] != zone->free_area[o].nr_free)
			check_fail(cs,
				   "zone %s order %u: %lu PG_buddy heads in mem_map, %lu listed",
				   zone->name, o, heads[o], zone->free_area[o].nr_free);
	if (pcp_heads != pcp_blocks)
		check_fail(cs, "zone %s: %lu PG_pcp heads in mem_map, %lu on per-CPU lists",
			   zone->name, pcp_heads, pcp_blocks);
}

/*
 * Runs with each zone's lock held and interrupts off. The per-CPU lists of
 * other CPUs are read too, which is exact only while those CPUs are idle: the
 * checker runs between test cases, when the other CPUs sit in their idle loops.
 */
static unsigned do_buddy_check(bool full)
{
	struct check_state cs = { 0 };

	if (!allocator_ready)
		return 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &page_zones[z];
		unsigned long flags;

		spin_lock_irqsave(&zone->lock, flags);
		check_zone(&cs, zone, full);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	if (cs.problems > CHECK_PRINT_LIMIT)
		pr_err("buddy_check: %u problems in all (first %u shown)\n", cs.problems,
		       CHECK_PRINT_LIMIT);
	return cs.problems;
}

unsigned buddy_check(void)
{
	return do_buddy_check(false);
}

unsigned buddy_check_full(void)
{
	return do_buddy_check(true);
}

KTEST_CHECKER(buddy, buddy_check);

/* ---- snapshots (page_alloc_test.h) ---- */

void buddy_snapshot(struct buddy_snapshot *s, unsigned long lo, unsigned long hi)
{
	uint64_t h = 0xcbf29ce484222325ull, hl = h;

	memset(s, 0, sizeof(*s));
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			s->nr_free_blocks[z][o] = zone->free_area[o].nr_free;
		s->zone_free[z] = zone->nr_free;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			s->pcp_count[z][cpu] = (unsigned long)zone->pcp[cpu].count;
			for (unsigned o = 0; o <= PCP_MAX_ORDER; o++) {
				const struct page *p;
				unsigned long n = 0;
				page_list_for_each(p, &zone->pcp[cpu].lists[o])
				{
					if (++n > max_pfn)
						break;
				}
				s->pcp_blocks[z][cpu][o] = n;
			}
		}
	}
	if (!hi || hi > max_pfn)
		hi = max_pfn;
	for (unsigned long pfn = lo; pfn < hi; pfn++) {
		const struct page *p = &mem_map[pfn];
		h = (h ^ (p->flags | ((uint64_t)(uint32_t)p->_refcount << 32))) * 0x100000001b3ull;
		hl = (hl ^ (p->lru.next | ((uint64_t)p->lru.prev << 32))) * 0x100000001b3ull;
	}
	s->memmap_sum = h;
	s->links_sum = hl;
}

bool buddy_snapshot_equal(const struct buddy_snapshot *a, const struct buddy_snapshot *b,
			  bool links, const char *prefix)
{
	unsigned diffs = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			if (a->nr_free_blocks[z][o] != b->nr_free_blocks[z][o] && diffs++ < 8)
				pr_err("%s: zone %s order %u: %lu free blocks before, %lu after\n",
				       prefix, zone_names[z], o, a->nr_free_blocks[z][o],
				       b->nr_free_blocks[z][o]);
		if (a->zone_free[z] != b->zone_free[z] && diffs++ < 8)
			pr_err("%s: zone %s: nr_free %lu before, %lu after\n", prefix,
			       zone_names[z], a->zone_free[z], b->zone_free[z]);
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			if (a->pcp_count[z][cpu] != b->pcp_count[z][cpu] && diffs++ < 8)
				pr_err("%s: zone %s cpu %u: pcp count %lu before, %lu after\n",
				       prefix, zone_names[z], cpu, a->pcp_count[z][cpu],
				       b->pcp_count[z][cpu]);
			for (unsigned o = 0; o <= PCP_MAX_ORDER; o++)
				if (a->pcp_blocks[z][cpu][o] != b->pcp_blocks[z][cpu][o] &&
				    diffs++ < 8)
					pr_err("%s: zone %s cpu %u order %u: pcp blocks %lu "
					       "before, "
					       "%lu after\n",
					       prefix, zone_names[z], cpu, o,
					       a->pcp_blocks[z][cpu][o], b->pcp_blocks[z][cpu][o]);
		}
	}
	if (a->memmap_sum != b->memmap_sum && diffs++ < 8)
		pr_err("%s: mem_map checksum changed (%#llx -> %#llx)\n", prefix,
		       (unsigned long long)a->memmap_sum, (unsigned long long)b->memmap_sum);
	if (links && a->links_sum != b->links_sum && diffs++ < 8)
		pr_err("%s: list links changed (%#llx -> %#llx)\n", prefix,
		       (unsigned long long)a->links_sum, (unsigned long long)b->links_sum);
	return diffs == 0;
}
