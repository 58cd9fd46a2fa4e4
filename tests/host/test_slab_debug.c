/*
 * test_slab_debug.c - the "slab" and "kmalloc" suites again, in a world
 * booted with slab_debug (every cache, kmalloc's included, poisons, red-zones
 * and tracks its objects; no per-CPU arrays), plus the text of the debug
 * reports.
 */
#include <string.h>

#define SLAB_WORLD_RAM	 (256ULL << 20)
#define SLAB_WORLD_DEBUG 1
#include "tests/host/slab_host_world.h"

#define SLAB_TEST_INIT	  slab_host_world_init
#define KMALLOC_TEST_INIT slab_host_world_init
#include "tests/kernel/kmalloc_test.c"
#include "tests/kernel/slab_test.c"

static void slab_debug_reports_show_owners(struct ktest *t)
{
	char *p = kmalloc(24, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_TRUE(t, kmalloc_cache_for(24)->flags & SLAB_DEBUG);
	kfree(p);
	host_printk_log_clear();
	kfree(p);
	const char *log = host_printk_log();
	KEXPECT_NOT_NULL(t, strstr(log, "double free"));
	KEXPECT_NOT_NULL(t, strstr(log, "kmalloc-24"));
	KEXPECT_NOT_NULL(t, strstr(log, "allocated by"));
	KEXPECT_NOT_NULL(t, strstr(log, "last freed by"));

	p = kmalloc(20, GFP_KERNEL);
	p[21] = 0;
	host_printk_log_clear();
	kfree(p);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "kmalloc red zone overwritten: wrote byte 21 "
						      "of a 20-byte request"));
	p = kmalloc(24, GFP_KERNEL);
	kfree(p);
	p[3] = 1;
	host_printk_log_clear();
	char *q = kmalloc(24, GFP_KERNEL);
	KEXPECT_EQ(t, q, p);
	KEXPECT_NOT_NULL(
		t, strstr(host_printk_log(), "use after free: poison overwritten at offset 3"));
	kfree(q);
}

/*
 * A write after free is caught even when the object is never handed out
 * again: the empty slab is checked as it goes back to the page allocator
 * (here by kmem_cache_shrink), once, and the cache is left consistent.
 */
static void slab_debug_use_after_free_caught_when_slab_released(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("uaf_release", 40, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	char *p = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	p[5] = 0x5a;
	unsigned long before = slab_report_count();
	host_printk_log_clear();
	kmem_cache_shrink(c);
	KEXPECT_EQ(t, slab_report_count(), before + 1);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "use after free: poison overwritten at "
						      "offset 5 (0x5a) of 40 bytes (found as the "
						      "empty slab was given back)"));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "uaf_release"));
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_destroy(c);
}

/*
 * Damage to kmalloc's slack is reported by ksize and by an in-place
 * krealloc, which then hand the slack to the caller or red-zone it anew:
 * before, they erased it unreported.
 */
static void slab_debug_slack_checked_before_resize(struct ktest *t)
{
	char *p = kmalloc(13, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	p[13] = 0x11;
	unsigned long before = slab_report_count();
	host_printk_log_clear();
	KEXPECT_TRUE(t, krealloc(p, 13, GFP_KERNEL) == p);
	KEXPECT_EQ(t, slab_report_count(), before + 1);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "kmalloc red zone overwritten: wrote byte 13 "
						      "of a 13-byte request (class 16)"));
	p[14] = 0x22;
	host_printk_log_clear();
	KEXPECT_EQ(t, ksize(p), (size_t)16);
	KEXPECT_EQ(t, slab_report_count(), before + 2);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "wrote byte 14 of a 13-byte request"));
	host_printk_log_clear();
	kfree(p);
	KEXPECT_EQ(t, slab_report_count(), before + 2);
	KEXPECT_EQ(t, slab_check(), 0u);
}

static struct ktest_case slab_debug_host_cases[] = {
	KTEST_CASE(slab_debug_reports_show_owners),
	KTEST_CASE(slab_debug_use_after_free_caught_when_slab_released),
	KTEST_CASE(slab_debug_slack_checked_before_resize),
	{},
};
KTEST_SUITE(slab_debug_host, slab_debug_host_cases, .init = slab_host_world_init);
