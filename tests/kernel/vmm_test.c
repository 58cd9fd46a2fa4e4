/*
 * vmm_test.c - the page-table API on the live kernel address space.
 *
 * Suite `vmm`: map, unmap, protect and translate in kernel_space, in the
 * scratch region at VMM_SCRATCH_BASE (Linux's vmalloc base; nothing else
 * lives there), with real memory behind the mappings so that every case also
 * checks what the CPU sees: loads and stores through the new mapping reach
 * the right page, a removed or write-protected page faults (so the TLB was
 * flushed), and the kernel's own tables and the page-table page count are
 * exactly as before when the case ends.
 */
#include "arch/x86_64/pgtable.h"
#include "arch/x86_64/traps.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/vmm.h"
#include "mm/vmstat.h"
#include "kernel/xorshift.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* Each case works in its own GiB-aligned window of the scratch region. */
#define SCR (VMM_SCRATCH_BASE + 16 * GiB)

static struct {
	unsigned long pt_pages;
	long nr_pagetable;
	unsigned long free;
} before;

static int vmm_test_init(struct ktest *t)
{
	(void)t;
	if (!kernel_space.pml4)
		return -1;
	vmm_test_fail_after(-1);
	before.pt_pages = kernel_space.nr_pt_pages;
	before.nr_pagetable = read_vm_stat(NR_PAGETABLE);
	drain_all_pages();
	before.free = nr_free_pages();
	return 0;
}

/* Whatever a case did in the scratch region is undone, and must have cost nothing. */
static void vmm_test_exit(struct ktest *t)
{
	vmm_test_fail_after(-1);
	KEXPECT_EQ(t,
		   vmm_unmap(&kernel_space, VMM_SCRATCH_BASE, VMM_SCRATCH_END - VMM_SCRATCH_BASE),
		   0);
	KEXPECT_EQ(t, kernel_space.nr_pt_pages, before.pt_pages);
	KEXPECT_EQ(t, read_vm_stat(NR_PAGETABLE), before.nr_pagetable);
	drain_all_pages();
	KEXPECT_EQ(t, nr_free_pages(), before.free);
	KEXPECT_EQ(t, vmm_check(&kernel_space), 0u);
}

static bool has_size(uint64_t size)
{
	return (kernel_space.page_sizes & size) != 0;
}

static uint64_t xlate(uintptr_t va, uint64_t *pa, unsigned *prot)
{
	struct vmm_translation tr = { 0, 0, 0 };
	int err = vmm_translate(&kernel_space, va, &tr);
	if (pa)
		*pa = tr.pa;
	if (prot)
		*prot = tr.prot;
	return err ? 0 : tr.page_size;
}

static void fill(void *p, uint64_t seed, size_t bytes)
{
	uint64_t *w = p;
	for (size_t i = 0; i < bytes / 8; i++)
		w[i] = seed ^ (i * 0x9e3779b97f4a7c15ull);
}

/* ---- cases ---- */

static void map_4k_reaches_the_page(struct ktest *t)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	KASSERT_NOT_NULL(t, pg);
	uint64_t *direct = page_address(pg);
	uint64_t pa;
	unsigned prot;
	fill(direct, 1, PAGE_SIZE);

	KASSERT_EQ(t,
		   vmm_map(&kernel_space, SCR, page_to_phys(pg), PAGE_SIZE_4K, VM_READ | VM_WRITE),
		   0);
	KEXPECT_EQ(t, xlate(SCR + 8, &pa, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, page_to_phys(pg) + 8);
	KEXPECT_EQ(t, prot, VM_READ | VM_WRITE);
	KEXPECT_EQ(t, memcmp((void *)SCR, direct, PAGE_SIZE), 0);
	*(volatile uint64_t *)(SCR + 64) = 0x1234;
	KEXPECT_EQ(t, direct[8], 0x1234ull);

	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SCR, PAGE_SIZE_4K), 0);
	uint64_t ec;
	KEXPECT_TRUE(t, page_fault_probe(SCR, false, 0, &ec));
	KEXPECT_EQ(t, ec & (X86_PF_PROT | X86_PF_WRITE | X86_PF_INSTR), 0ull);
	__free_page(pg);
}

/* The same VA, unmapped and mapped to another page: the CPU must see the new page. */
static void remap_same_va_sees_new_page(struct ktest *t)
{
	struct page *a = alloc_page(GFP_KERNEL), *b = alloc_page(GFP_KERNEL);
	KASSERT_TRUE(t, a && b);
	fill(page_address(a), 0xa, PAGE_SIZE);
	fill(page_address(b), 0xb, PAGE_SIZE);
	KASSERT_EQ(t, vmm_map(&kernel_space, SCR, page_to_phys(a), PAGE_SIZE_4K, VM_READ), 0);
	KEXPECT_EQ(t, *(volatile uint64_t *)SCR, *(uint64_t *)page_address(a));
	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SCR, PAGE_SIZE_4K), 0);
	KASSERT_EQ(t, vmm_map(&kernel_space, SCR, page_to_phys(b), PAGE_SIZE_4K, VM_READ), 0);
	KEXPECT_EQ(t, *(volatile uint64_t *)SCR, *(uint64_t *)page_address(b));
	__free_page(a);
	__free_page(b);
}

/* More pages than VMM_FLUSH_THRESHOLD, global: the full flush must drop global entries too. */
static void full_flush_drops_global_entries(struct ktest *t)
{
	enum { N = 64 };
	struct page *a = alloc_pages(GFP_KERNEL, 6), *b = alloc_pages(GFP_KERNEL, 6);
	KASSERT_TRUE(t, a && b);
	fill(page_address(a), 0xa, N * PAGE_SIZE);
	fill(page_address(b), 0xb, N * PAGE_SIZE);
	unsigned long full = vmm_stats.flush_all;

	KASSERT_EQ(
		t,
		vmm_map(&kernel_space, SCR, page_to_phys(a), N * PAGE_SIZE_4K, VM_READ | VM_GLOBAL),
		0);
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(t, *(volatile uint64_t *)(SCR + i * PAGE_SIZE),
			   ((uint64_t *)page_address(a))[i * PAGE_SIZE / 8]);
	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SCR, N * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, vmm_stats.flush_all, full + 1);
	KASSERT_EQ(
		t,
		vmm_map(&kernel_space, SCR, page_to_phys(b), N * PAGE_SIZE_4K, VM_READ | VM_GLOBAL),
		0);
	unsigned stale = 0;
	for (unsigned i = 0; i < N; i++)
		stale += *(volatile uint64_t *)(SCR + i * PAGE_SIZE) !=
			 ((uint64_t *)page_address(b))[i * PAGE_SIZE / 8];
	KEXPECT_EQ(t, stale, 0u);
	__free_pages(a, 6);
	__free_pages(b, 6);
}

static void map_2m_and_split_by_partial_unmap(struct ktest *t)
{
	if (!has_size(PAGE_SIZE_2M))
		KTEST_SKIP(t, "2 MiB pages are off (nohugepages or pagesize=4k)");
	struct page *pg = alloc_pages(GFP_KERNEL, 9); /* 2 MiB, 2 MiB-aligned (buddy blocks are) */
	KASSERT_NOT_NULL(t, pg);
	fill(page_address(pg), 2, 2 * MiB);
	uint64_t pa0 = page_to_phys(pg), pa;
	unsigned long splits = vmm_stats.splits;

	KASSERT_EQ(t, vmm_map(&kernel_space, SCR, pa0, 2 * MiB, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, xlate(SCR + 0x1234, &pa, NULL), PAGE_SIZE_2M);
	KEXPECT_EQ(t, pa, pa0 + 0x1234);
	KEXPECT_EQ(t, memcmp((void *)SCR, page_address(pg), 2 * MiB), 0);

	/* A hole of two pages in the middle. */
	uintptr_t hole = SCR + 300 * PAGE_SIZE;
	KASSERT_EQ(t, vmm_unmap(&kernel_space, hole, 2 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, vmm_stats.splits, splits + 1);
	KEXPECT_TRUE(t, page_fault_probe(hole, false, 0, NULL));
	KEXPECT_TRUE(t, page_fault_probe(hole + PAGE_SIZE, true, 1, NULL));
	unsigned bad = 0;
	for (unsigned i = 0; i < 512; i++) {
		uintptr_t va = SCR + i * PAGE_SIZE;
		if (va == hole || va == hole + PAGE_SIZE)
			continue;
		bad += xlate(va, &pa, NULL) != PAGE_SIZE_4K || pa != pa0 + i * PAGE_SIZE;
		bad += *(volatile uint64_t *)va !=
		       ((uint64_t *)page_address(pg))[i * PAGE_SIZE / 8];
	}
	KEXPECT_EQ(t, bad, 0u);
	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SCR, 2 * MiB), 0);
	__free_pages(pg, 9);
}

/*
 * A 1 GiB page needs 1 GiB of physically contiguous, aligned memory: alias
 * physical [0, 1 GiB) read-only (every byte the case reads is a page it owns)
 * and punch a hole in it.
 */
static void map_1g_alias_and_split(struct ktest *t)
{
	if (!has_size(PAGE_SIZE_1G))
		KTEST_SKIP(t, "1 GiB pages are off (CPU without pdpe1gb, or pagesize=)");
	struct page *pg = alloc_page(GFP_DMA); /* below 16 MiB */
	KASSERT_NOT_NULL(t, pg);
	uint64_t pa = page_to_phys(pg), got;
	if (pa >= GiB) {
		__free_page(pg);
		KTEST_SKIP(t, "no free page below 1 GiB");
	}
	fill(page_address(pg), 3, PAGE_SIZE);
	uintptr_t alias = SCR + GiB;
	KASSERT_EQ(t, vmm_map(&kernel_space, alias, 0, GiB, VM_READ), 0);
	KEXPECT_EQ(t, xlate(alias + pa + 8, &got, NULL), PAGE_SIZE_1G);
	KEXPECT_EQ(t, got, pa + 8);
	KEXPECT_EQ(t, memcmp((void *)(alias + pa), page_address(pg), PAGE_SIZE), 0);

	/* Unmap the page after ours: 1G -> 2M -> 4K, ours still readable. */
	KASSERT_EQ(t, vmm_unmap(&kernel_space, alias + pa + PAGE_SIZE, PAGE_SIZE_4K), 0);
	KEXPECT_TRUE(t, page_fault_probe(alias + pa + PAGE_SIZE, false, 0, NULL));
	KEXPECT_EQ(t, xlate(alias + pa, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, memcmp((void *)(alias + pa), page_address(pg), PAGE_SIZE), 0);
	KEXPECT_EQ(t, vmm_unmap(&kernel_space, alias, GiB), 0);
	__free_page(pg);
}

/* protect takes effect at once: the TLB may hold the old writable entry. */
static void protect_write_faults_then_allowed_again(struct ktest *t)
{
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KASSERT_NOT_NULL(t, pg);
	uint64_t ec;
	unsigned prot;
	KASSERT_EQ(t,
		   vmm_map(&kernel_space, SCR, page_to_phys(pg), PAGE_SIZE_4K, VM_READ | VM_WRITE),
		   0);
	*(volatile uint64_t *)SCR = 7; /* the TLB now holds a writable entry */

	KEXPECT_EQ(t, vmm_protect(&kernel_space, SCR, PAGE_SIZE_4K, VM_READ), 0);
	KEXPECT_EQ(t, xlate(SCR, NULL, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, prot, VM_READ);
	KEXPECT_TRUE(t, page_fault_probe(SCR, true, 8, &ec));
	KEXPECT_EQ(t, ec & (X86_PF_PROT | X86_PF_WRITE | X86_PF_INSTR),
		   (uint64_t)(X86_PF_PROT | X86_PF_WRITE));
	KEXPECT_FALSE(t, page_fault_probe(SCR, false, 0, NULL));
	KEXPECT_EQ(t, *(uint64_t *)page_address(pg), 7ull);

	KEXPECT_EQ(t, vmm_protect(&kernel_space, SCR, PAGE_SIZE_4K, VM_READ | VM_WRITE), 0);
	KEXPECT_FALSE(t, page_fault_probe(SCR, true, 9, NULL));
	KEXPECT_EQ(t, *(uint64_t *)page_address(pg), 9ull);
	__free_page(pg);
}

static void errors_on_the_kernel_tables(struct ktest *t)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	KASSERT_NOT_NULL(t, pg);
	uint64_t pa = page_to_phys(pg);

	/* What is mapped already: the image, the direct map. */
	KEXPECT_EQ(
		t,
		vmm_map(&kernel_space, (uintptr_t)vmm_map & PAGE_MASK, pa, PAGE_SIZE_4K, VM_READ),
		-EEXIST);
	KEXPECT_EQ(t,
		   vmm_map(&kernel_space, (uintptr_t)page_address(pg), pa, PAGE_SIZE_4K, VM_READ),
		   -EEXIST);
	KEXPECT_EQ(t, vmm_map(&kernel_space, SCR + 1, pa, PAGE_SIZE_4K, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(&kernel_space, SCR, pa + 1, PAGE_SIZE_4K, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(&kernel_space, 0xdead000000000000ull, pa, PAGE_SIZE_4K, VM_READ),
		   -EINVAL);
	KEXPECT_EQ(t, vmm_map(&kernel_space, SCR, pa, PAGE_SIZE_4K, VM_WRITE | VM_EXEC), -EINVAL);
	KEXPECT_EQ(t, vmm_protect(&kernel_space, SCR, PAGE_SIZE_4K, VM_READ), -ENOENT);
	KEXPECT_EQ(t, xlate(SCR, NULL, NULL), 0ull);
	__free_page(pg);
}

/*
 * Out of page-table pages part-way, in the live tables: every prefix of the
 * allocations the map needs fails cleanly, and the kernel keeps running on
 * tables identical to before.
 */
static uint64_t sum_tables(const uint64_t *table, int level, uint64_t h)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = table[i];
		h = (h ^ e ^ i) * 0x100000001b3ull;
		if (pte_present(e) && !pte_leaf(e, level))
			h = sum_tables(__va(pte_addr(e, level)), level - 1, h);
	}
	return h;
}

static void enomem_part_way_leaves_tables_identical(struct ktest *t)
{
	uintptr_t va = SCR + GiB - 2 * MiB - PAGE_SIZE; /* unaligned, across a 1 GiB boundary */
	uint64_t size = 4 * MiB + 2 * PAGE_SIZE;
	uint64_t sum = sum_tables(kernel_space.pml4, PT_LEVELS, 0);
	long n;

	for (n = 0; n < 64; n++) {
		vmm_test_fail_after(n);
		int err = vmm_map(&kernel_space, va, 0x40000000ull - 2 * MiB - PAGE_SIZE, size,
				  VM_READ);
		vmm_test_fail_after(-1);
		if (!err)
			break;
		KASSERT_EQ(t, err, -ENOMEM);
		KEXPECT_EQ(t, sum_tables(kernel_space.pml4, PT_LEVELS, 0), sum);
		KEXPECT_EQ(t, kernel_space.nr_pt_pages, before.pt_pages);
	}
	KEXPECT_GT(t, n, 1l);
	KEXPECT_LT(t, n, 64l);
	ktest_log(t, "the map needed %ld page-table pages", n);
	KEXPECT_EQ(t, xlate(va, NULL, NULL), PAGE_SIZE_4K);
}

/* ---- random operations against a model (the host test does thousands more) ---- */

#define STRESS_SPAN  (64 * MiB)
#define STRESS_PAGES (STRESS_SPAN / PAGE_SIZE)
#define STRESS_OPS   1500

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static void stress_against_model(struct ktest *t)
{
	/* model[i]: 0 = unmapped, else pa | prot. The pa are never accessed: arbitrary numbers. */
	unsigned order = ilog2_u64(STRESS_PAGES * 8 / PAGE_SIZE);
	struct page *mp = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KASSERT_NOT_NULL(t, mp);
	uint64_t *model = page_address(mp);
	unsigned fails = 0;
	int loglevel = console_loglevel;

	console_loglevel = 3; /* the expected -EEXIST/-ENOENT messages stay off the console */

	for (unsigned op = 0; op < STRESS_OPS && !fails; op++) {
		uint64_t g = (rnd() % 3) ? PAGE_SIZE : 2 * MiB;
		uint64_t n = (g == PAGE_SIZE ? 1 + rnd() % 300 : (1 + rnd() % 4) * 512);
		uint64_t first = rnd() % (STRESS_PAGES - n + 1);
		if (g != PAGE_SIZE)
			first &= ~511ull;
		uintptr_t va = SCR + first * PAGE_SIZE;
		uint64_t size = n * PAGE_SIZE;
		unsigned prot = (rnd() & 1) ? VM_READ : VM_READ | VM_WRITE;
		bool any = false, all = true;
		for (uint64_t i = first; i < first + n; i++) {
			any |= model[i] != 0;
			all &= model[i] != 0;
		}
		unsigned kind = rnd() % 10;
		if (kind < 5) {
			uint64_t pa =
				(1 + rnd() % 14) * GiB + first * PAGE_SIZE; /* < 16 GiB: any CPU */
			int err = vmm_map(&kernel_space, va, pa, size, prot);
			fails += err != (any ? -EEXIST : 0);
			if (!err)
				for (uint64_t i = 0; i < n; i++)
					model[first + i] = (pa + i * PAGE_SIZE) | prot;
		} else if (kind < 8) {
			fails += vmm_unmap(&kernel_space, va, size) != 0;
			for (uint64_t i = first; i < first + n; i++)
				model[i] = 0;
		} else {
			int err = vmm_protect(&kernel_space, va, size, prot);
			fails += err != (all ? 0 : -ENOENT);
			if (!err)
				for (uint64_t i = first; i < first + n; i++)
					model[i] = (model[i] & PAGE_MASK) | prot;
		}
		if (op % 100 == 99 || fails) {
			for (uint64_t i = 0; i < STRESS_PAGES; i++) {
				uint64_t pa;
				unsigned p;
				uint64_t sz = xlate(SCR + i * PAGE_SIZE, &pa, &p);
				if ((sz ? (pa | p) : 0) != model[i] && fails++ < 5)
					ktest_log(t, "op %u: page %lu maps %#lx, model %#lx", op,
						  (unsigned long)i,
						  (unsigned long)(sz ? pa | p : 0),
						  (unsigned long)model[i]);
			}
			fails += vmm_check(&kernel_space);
		}
	}
	console_loglevel = loglevel;
	KEXPECT_EQ(t, fails, 0u);
	__free_pages(mp, order);
}

static struct ktest_case vmm_cases[] = {
	KTEST_CASE(map_4k_reaches_the_page),
	KTEST_CASE(remap_same_va_sees_new_page),
	KTEST_CASE(full_flush_drops_global_entries),
	KTEST_CASE(map_2m_and_split_by_partial_unmap),
	KTEST_CASE(map_1g_alias_and_split),
	KTEST_CASE(protect_write_faults_then_allowed_again),
	KTEST_CASE(errors_on_the_kernel_tables),
	KTEST_CASE(enomem_part_way_leaves_tables_identical),
	KTEST_CASE(stress_against_model),
	{},
};
KTEST_SUITE(vmm, vmm_cases, .init = vmm_test_init, .exit = vmm_test_exit);
