/*
 * test_kmalloc.c - host run of the "kmalloc" suite
 * (tests/kernel/kmalloc_test.c) under ASan and UBSan, plus the text of the
 * size-class table.
 */
#include <string.h>

#define SLAB_WORLD_RAM (256ULL << 20)
#include "tests/host/slab_host_world.h"

#define KMALLOC_TEST_INIT slab_host_world_init
#include "tests/kernel/kmalloc_test.c"

static void kmalloc_sizeclass_table_printed(struct ktest *t)
{
	host_printk_log_clear();
	show_sizeclasses();
	const char *log = host_printk_log();
	KEXPECT_NOT_NULL(t, strstr(log, "== sizeclasses =="));
	KEXPECT_NOT_NULL(t, strstr(log, "bytes/obj"));
	KEXPECT_NOT_NULL(t, strstr(log, " 8192 "));
	host_printk_log_clear();
	show_slabinfo();
	log = host_printk_log();
	KEXPECT_NOT_NULL(t,
			 strstr(log, "== slabinfo ==\nslabinfo - version: 2.1\n# name            "
				     "<active_objs> <num_objs> <objsize> <objperslab> "
				     "<pagesperslab> : tunables <limit> <batchcount> "
				     "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
				     "<sharedavail>"));
	KEXPECT_NOT_NULL(t, strstr(log, "\nkmalloc-96 "));
	KEXPECT_NOT_NULL(t, strstr(log, "\nkmem_cache "));
}

static void kmalloc_before_init_message(struct ktest *t)
{
	/* Covered in the kernel by boot order; here: the world is up, so just a bad size. */
	host_printk_log_clear();
	KEXPECT_NULL(t, kmalloc(1UL << 40, GFP_KERNEL));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "more than the largest block"));
}

/* A bad pointer given to ksize or krealloc is reported as theirs, not as a kfree. */
static void kmalloc_bad_pointer_reports_name_the_function(struct ktest *t)
{
	char *p = kmalloc(100, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	unsigned long r = slab_report_count();

	host_printk_log_clear();
	KEXPECT_EQ(t, ksize(p + 8), 0ul);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "slab: ksize: bad pointer"));
	KEXPECT_NULL(t, strstr(host_printk_log(), "kfree"));

	host_printk_log_clear();
	KEXPECT_NULL(t, krealloc(p + 8, 200, GFP_KERNEL));
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "slab: krealloc: bad pointer"));
	KEXPECT_NULL(t, strstr(host_printk_log(), "kfree"));

	host_printk_log_clear();
	kfree(p + 8);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "slab: kfree: bad pointer"));
	kfree(p);
	KEXPECT_EQ(t, slab_report_count(), r);
}

static struct ktest_case kmalloc_host_cases[] = {
	KTEST_CASE(kmalloc_sizeclass_table_printed),
	KTEST_CASE(kmalloc_before_init_message),
	KTEST_CASE(kmalloc_bad_pointer_reports_name_the_function),
	{},
};
KTEST_SUITE(kmalloc_host, kmalloc_host_cases, .init = slab_host_world_init);
