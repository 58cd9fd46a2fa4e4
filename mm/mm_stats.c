/*
 * mm_stats.c - the page allocator's state in Linux's /proc layouts, printed
 * to the console: show_buddyinfo (/proc/buddyinfo), show_zoneinfo (a subset
 * of /proc/zoneinfo plus this kernel's counters), show_meminfo (/proc/meminfo
 * style, with the lines that matter here). Each dump starts with a line
 * "== <name> ==" so scripts and tests can find it in the log.
 *
 * The counters are read without stopping the allocator (as /proc does): each
 * number is exact, a dump as a whole is a snapshot taken one zone at a time.
 */
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/vmstat.h"

#define KIB(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/*
 * Linux's frag_show_print: "Node %d, zone %8s " then "%6lu " per order and a
 * newline, populated zones only. The counts are free blocks per order in the
 * buddy lists (blocks on per-CPU lists are not in them, as in Linux).
 */
void show_buddyinfo(void)
{
	printk(KERN_INFO "== buddyinfo ==\n");
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &page_zones[z];
		unsigned long counts[NR_PAGE_ORDERS], flags;
		char line[160];
		int len;

		if (!populated_zone(zone))
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			counts[o] = zone->free_area[o].nr_free;
		spin_unlock_irqrestore(&zone->lock, flags);

		len = ksnprintf(line, sizeof(line), "Node %d, zone %8s ", 0, zone->name);
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, "%6lu ",
					 counts[o]);
		printk(KERN_INFO "%s\n", line);
	}
}

/*
 * Linux's zoneinfo_show_print, the lines that exist here: free pages (buddy
 * lists only, as Linux's NR_FREE_PAGES), watermarks, spanned/present/managed,
 * protection (lowmem_reserve), the pagesets, start_pfn. Then this kernel's
 * counters, indented the same way.
 */
void show_zoneinfo(void)
{
	printk(KERN_INFO "== zoneinfo ==\n");
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &page_zones[z];

		printk(KERN_INFO "Node %d, zone %8s\n", 0, zone_names[z]);
		printk(KERN_INFO "  pages free     %lu\n", READ_ONCE(zone->nr_free));
		printk(KERN_INFO "        min      %lu\n", zone->watermark[WMARK_MIN]);
		printk(KERN_INFO "        low      %lu\n", zone->watermark[WMARK_LOW]);
		printk(KERN_INFO "        high     %lu\n", zone->watermark[WMARK_HIGH]);
		printk(KERN_INFO "        spanned  %lu\n", zone->spanned_pages);
		printk(KERN_INFO "        present  %lu\n", zone->present_pages);
		printk(KERN_INFO "        managed  %lu\n", zone->managed_pages);
		printk(KERN_INFO "        protection: (%lu, %lu, %lu)\n", zone->lowmem_reserve[0],
		       zone->lowmem_reserve[1], zone->lowmem_reserve[2]);
		if (!populated_zone(zone))
			continue;
		printk(KERN_INFO "  pagesets\n");
		for (unsigned cpu = 0; cpu < nr_cpu_ids && cpu < NR_CPUS; cpu++) {
			const struct per_cpu_pages *pcp = &zone->pcp[cpu];
			printk(KERN_INFO "    cpu: %u\n", cpu);
			printk(KERN_INFO "              count: %d\n", READ_ONCE(pcp->count));
			printk(KERN_INFO "              high:  %d\n", pcp->high);
			printk(KERN_INFO "              batch: %d\n", pcp->batch);
		}
		printk(KERN_INFO "  start_pfn:           %lu\n", zone->zone_start_pfn);
		/* This kernel's counters (not in Linux's zoneinfo). */
		printk(KERN_INFO "  pcp pages      %lu\n", zone_pcp_pages(zone));
		printk(KERN_INFO "  below min      %lu\n",
		       READ_ONCE(zone->wmark_crossed[WMARK_MIN]));
		printk(KERN_INFO "  below low      %lu\n",
		       READ_ONCE(zone->wmark_crossed[WMARK_LOW]));
		printk(KERN_INFO "  below high     %lu\n",
		       READ_ONCE(zone->wmark_crossed[WMARK_HIGH]));
		printk(KERN_INFO "  fallbacks      %lu\n", READ_ONCE(zone->nr_fallback));
		printk(KERN_INFO "  failures       %lu\n", READ_ONCE(zone->nr_fail));
		printk(KERN_INFO "  bad frees      %lu\n", READ_ONCE(zone->nr_bad_free));
		printk(KERN_INFO "  pcp hits       %lu\n", ZONE_PCP_STAT(zone, nr_hit));
		printk(KERN_INFO "  pcp refills    %lu\n", ZONE_PCP_STAT(zone, nr_refill));
		printk(KERN_INFO "  pcp drains     %lu\n", ZONE_PCP_STAT(zone, nr_drain));

		char line[200];
		int len = ksnprintf(line, sizeof(line), "  allocs per order");
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %lu",
					 zone_nr_alloc(zone, o));
		printk(KERN_INFO "%s\n", line);
	}
}

/* Linux's show_val_kb: a 16-column label, the value right-aligned in 8, " kB". */
static void show_val_kb(const char *label, unsigned long pages)
{
	printk(KERN_INFO "%-16s%8lu kB\n", label, KIB(pages));
}

/*
 * MemTotal is what the buddy allocator manages (RAM minus what was reserved
 * at boot), as in Linux; MemFree counts the buddy lists and the per-CPU lists.
 * Reserved = RAM - MemTotal, broken down into KernelImage, MemMap and
 * BootReserved (firmware, boot data, other early allocations). PageTables,
 * Slab and KmallocLarge come from vm_stat; Allocated = MemTotal - MemFree is
 * everything handed out, by anyone.
 */
void show_meminfo(void)
{
	unsigned long total = 0, freep = nr_free_pages(), pcp = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		total += page_zones[z].managed_pages;
		pcp += zone_pcp_pages(&page_zones[z]);
	}
	printk(KERN_INFO "== meminfo ==\n");
	show_val_kb("MemTotal:", total);
	show_val_kb("MemFree:", freep);
	show_val_kb("PerCPULists:", pcp);
	show_val_kb("Allocated:", total > freep ? total - freep : 0);
	show_val_kb("Reserved:", mem_accounting.reserved);
	show_val_kb("KernelImage:", (unsigned long)read_vm_stat(NR_KERNEL_IMAGE));
	show_val_kb("MemMap:", (unsigned long)read_vm_stat(NR_MEMMAP));
	show_val_kb("BootReserved:", (unsigned long)read_vm_stat(NR_EARLY_ALLOC));
	show_val_kb("PageTables:", (unsigned long)read_vm_stat(NR_PAGETABLE));
	show_val_kb("Slab:", (unsigned long)read_vm_stat(NR_SLAB_PAGES));
	show_val_kb("KmallocLarge:", (unsigned long)read_vm_stat(NR_KMALLOC_LARGE));
}
