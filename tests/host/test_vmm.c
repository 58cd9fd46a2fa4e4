/*
 * test_vmm.c - host tests of the page-table walker (mm/vmm.c).
 *
 * The host cannot load CR3, but page tables are just memory: each case
 * builds a struct vmm_space whose PML4 and tables come from the real buddy
 * allocator over hosted "RAM", and inspects it with vmm_translate,
 * vmm_walk_leaves, vmm_check and direct reads of the entries. The physical
 * addresses mapped are arbitrary numbers (nothing dereferences them), so a
 * small RAM can hold tables mapping terabytes. TLB flushes are no-ops here;
 * their count (vmm_stats) is still checked.
 *
 * Every case ends with the space destroyed and checks that the page-table
 * pages and the allocator's free pages are back where they started.
 */
#include <stdlib.h>

#include "arch/x86_64/pgtable.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/vmm.h"
#include "mm/vmstat.h"
#include "kernel/xorshift.h"

#define KiB	 (1ULL << 10)
#define MiB	 (1ULL << 20)
#define GiB	 (1ULL << 30)
#define HOST_RAM (256 * MiB)

/* A 1 GiB-aligned base in the kernel half, and one in the user half. */
#define B  (VMM_SCRATCH_BASE + 64 * GiB)
#define UB (0x0000100000000000ULL)
/* Physical addresses: arbitrary, 1 GiB aligned, well beyond the hosted RAM. */
#define P (512 * GiB)

struct fixture {
	struct vmm_space sp;
	unsigned long free_before;
	long pt_before;
};

static struct fixture fx;

static void ram_init_once(void)
{
	static bool ready;
	if (ready)
		return;
	host_ram_init(HOST_RAM);
	memblock_reset();
	memblock_add(0, HOST_RAM);
	memblock_reserve(0, 1 * MiB, "first 1 MiB");
	page_alloc_init();
	ready = true;
}

static unsigned long free_pages_now(void)
{
	drain_all_pages();
	return nr_free_pages();
}

static int vmm_case_init(struct ktest *t)
{
	(void)t;
	ram_init_once();
	host_printk_echo = false; /* error paths print on purpose; keep the log for tests to read */
	host_printk_log_clear();
	vmm_test_fail_after(-1);
	arch_write_cr3(0);
	fx.free_before = free_pages_now();
	fx.pt_before = read_vm_stat(NR_PAGETABLE);
	return vmm_space_init(&fx.sp, "test", VMM_PAGE_SIZES_ALL);
}

static void vmm_case_exit(struct ktest *t)
{
	vmm_test_fail_after(-1);
	arch_write_cr3(0);
	KEXPECT_EQ(t, vmm_check(&fx.sp), 0u);
	vmm_space_destroy(&fx.sp);
	KEXPECT_EQ(t, read_vm_stat(NR_PAGETABLE), fx.pt_before);
	KEXPECT_EQ(t, free_pages_now(), fx.free_before);
	host_printk_echo = true;
}

/* ---- helpers ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/* A checksum of every table reachable from the PML4: entries, where they are, their counts. */
static uint64_t table_sum(const uint64_t *table, int level, uint64_t h)
{
	h = mix(h, (uint64_t)level << 56 | __pa(table));
	h = mix(h, virt_to_page(table)->private[0]);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = table[i];
		h = mix(h, e ^ i);
		if (pte_present(e) && !pte_leaf(e, level))
			h = table_sum(__va(pte_addr(e, level)), level - 1, h);
	}
	return h;
}

static uint64_t space_sum(struct vmm_space *as)
{
	return mix(table_sum(as->pml4, PT_LEVELS, 1), as->nr_pt_pages);
}

/* Translate va; returns page size (0 when unmapped) and checks pa and prot when mapped. */
static uint64_t xlate(struct vmm_space *as, uintptr_t va, uint64_t *pa, unsigned *prot)
{
	struct vmm_translation tr = { 0, 0, 0 };
	int err = vmm_translate(as, va, &tr);
	if (pa)
		*pa = tr.pa;
	if (prot)
		*prot = tr.prot;
	return err ? 0 : tr.page_size;
}

struct leaf_count {
	unsigned long n[3];
	uint64_t bytes;
};

static int count_leaf(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	struct leaf_count *c = arg;
	(void)va;
	(void)pa;
	(void)prot;
	c->n[size == PAGE_SIZE_1G ? 2 : size == PAGE_SIZE_2M ? 1 : 0]++;
	c->bytes += size;
	return 0;
}

static struct leaf_count leaves(struct vmm_space *as)
{
	struct leaf_count c = { { 0, 0, 0 }, 0 };
	vmm_walk_leaves(as, 0, UINTPTR_MAX, count_leaf, &c);
	return c;
}

/* ---- map and translate at every page size ---- */

static void map_translate_every_size(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	uint64_t pa;
	unsigned prot;

	KASSERT_EQ(t, vmm_map(as, B, P, PAGE_SIZE_4K, VM_READ | VM_WRITE), 0);
	KASSERT_EQ(t, vmm_map(as, B + 2 * MiB, P + 2 * MiB, PAGE_SIZE_2M, VM_READ | VM_EXEC), 0);
	KASSERT_EQ(t, vmm_map(as, B + GiB, P + GiB, PAGE_SIZE_1G, VM_READ | VM_GLOBAL), 0);

	KEXPECT_EQ(t, xlate(as, B + 0x123, &pa, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, P + 0x123);
	KEXPECT_EQ(t, prot, VM_READ | VM_WRITE);
	KEXPECT_EQ(t, xlate(as, B + 2 * MiB + 0x12345, &pa, &prot), PAGE_SIZE_2M);
	KEXPECT_EQ(t, pa, P + 2 * MiB + 0x12345);
	KEXPECT_EQ(t, prot, VM_READ | VM_EXEC);
	KEXPECT_EQ(t, xlate(as, B + GiB + 0x3456789, &pa, &prot), PAGE_SIZE_1G);
	KEXPECT_EQ(t, pa, P + GiB + 0x3456789);
	KEXPECT_EQ(t, prot, VM_READ | VM_GLOBAL);
	KEXPECT_EQ(t, xlate(as, B + PAGE_SIZE_4K, NULL, NULL), 0u);
	KEXPECT_EQ(t, xlate(as, B + 4 * MiB, NULL, NULL), 0u);
	KEXPECT_EQ(t, xlate(as, B + 2 * GiB, NULL, NULL), 0u);

	/* PML4 + PDPT + PD (for the 4K and 2M pages) + PT (for the 4K page). */
	KEXPECT_EQ(t, as->nr_pt_pages, 4ul);
	struct leaf_count c = leaves(as);
	KEXPECT_EQ(t, c.n[0], 1ul);
	KEXPECT_EQ(t, c.n[1], 1ul);
	KEXPECT_EQ(t, c.n[2], 1ul);
	/* A walk of [start, last] with start > last is empty, even inside one leaf. */
	struct leaf_count none = { { 0, 0, 0 }, 0 };
	KEXPECT_EQ(t, vmm_walk_leaves(as, B + GiB + 2 * MiB, B + GiB + MiB, count_leaf, &none), 0);
	KEXPECT_EQ(t, none.n[0] + none.n[1] + none.n[2], 0ul);

	/* Unmapping each frees what it alone needed. */
	KEXPECT_EQ(t, vmm_unmap(as, B, PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 3ul);
	KEXPECT_EQ(t, vmm_unmap(as, B + 2 * MiB, PAGE_SIZE_2M), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 2ul);
	KEXPECT_EQ(t, vmm_unmap(as, B + GiB, PAGE_SIZE_1G), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
	KEXPECT_EQ(t, leaves(as).bytes, 0ull);
	KEXPECT_EQ(t, vmm_check(as), 0u);
}

/* One range, unaligned at both ends: 4K pages up to the first 1G boundary, then 1G, 2M, 4K. */
static void map_uses_largest_size_alignment_allows(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	uintptr_t start = B + GiB - 12 * KiB;
	uintptr_t end = B + 2 * GiB + 2 * MiB + 16 * KiB;
	uint64_t pa0 = P + GiB - 12 * KiB;
	uint64_t pa;

	KASSERT_EQ(t, vmm_map(as, start, pa0, end - start, VM_READ | VM_WRITE), 0);
	struct leaf_count c = leaves(as);
	KEXPECT_EQ(t, c.n[0], 3ul + 4ul);
	KEXPECT_EQ(t, c.n[1], 1ul);
	KEXPECT_EQ(t, c.n[2], 1ul);
	KEXPECT_EQ(t, c.bytes, end - start);
	KEXPECT_EQ(t, xlate(as, start, &pa, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, pa0);
	KEXPECT_EQ(t, xlate(as, B + GiB + 5, &pa, NULL), PAGE_SIZE_1G);
	KEXPECT_EQ(t, pa, P + GiB + 5);
	KEXPECT_EQ(t, xlate(as, B + 2 * GiB + 7, &pa, NULL), PAGE_SIZE_2M);
	KEXPECT_EQ(t, pa, P + 2 * GiB + 7);
	KEXPECT_EQ(t, xlate(as, end - 1, &pa, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, P + 2 * GiB + 2 * MiB + 16 * KiB - 1);
	KEXPECT_EQ(t, xlate(as, end, NULL, NULL), 0u);
	KEXPECT_EQ(t, xlate(as, start - 1, NULL, NULL), 0u);

	/* va and pa not congruent modulo 2M: 4 KiB pages only, however aligned va is. */
	KASSERT_EQ(t, vmm_map(as, B + 8 * GiB, P + 4 * KiB, 4 * MiB, VM_READ), 0);
	KEXPECT_EQ(t, xlate(as, B + 8 * GiB, &pa, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, P + 4 * KiB);
	KEXPECT_EQ(t, leaves(as).n[0], 7ul + 1024ul);

	KEXPECT_EQ(t, vmm_unmap(as, start, end - start), 0);
	KEXPECT_EQ(t, vmm_unmap(as, B + 8 * GiB, 4 * MiB), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
}

/* A space may be limited to smaller pages (nohugepages, CPUs without pdpe1gb). */
static void page_sizes_can_be_limited(struct ktest *t)
{
	struct vmm_space small, mid;
	KASSERT_EQ(t, vmm_space_init(&small, "4k only", PAGE_SIZE_4K), 0);
	KASSERT_EQ(t, vmm_space_init(&mid, "no 1G", PAGE_SIZE_4K | PAGE_SIZE_2M), 0);

	KEXPECT_EQ(t, vmm_map(&small, B, P, 4 * MiB, VM_READ), 0);
	struct leaf_count c = leaves(&small);
	KEXPECT_EQ(t, c.n[0], 1024ul);
	KEXPECT_EQ(t, c.n[1] + c.n[2], 0ul);
	KEXPECT_EQ(t, small.nr_pt_pages, 5ul); /* PML4, PDPT, PD, 2 PTs */

	KEXPECT_EQ(t, vmm_map(&mid, B, P, GiB, VM_READ), 0);
	c = leaves(&mid);
	KEXPECT_EQ(t, c.n[1], 512ul);
	KEXPECT_EQ(t, c.n[0] + c.n[2], 0ul);
	KEXPECT_EQ(t, xlate(&mid, B + GiB - 1, NULL, NULL), PAGE_SIZE_2M);

	KEXPECT_EQ(t, vmm_check(&small), 0u);
	KEXPECT_EQ(t, vmm_check(&mid), 0u);
	vmm_space_destroy(&small);
	vmm_space_destroy(&mid);
}

/*
 * 1 GiB pages without 2 MiB ones are refused: a partial unmap of a 1 GiB
 * page would leave 2 MiB pages the space does not allow (found by
 * fuzz_vmm). Nothing is allocated for the refused space.
 */
static void one_gib_pages_need_two_mib_pages(struct ktest *t)
{
	struct vmm_space odd;
	unsigned long free_before = nr_free_pages();

	KEXPECT_EQ(t, vmm_space_init(&odd, "1G without 2M", PAGE_SIZE_4K | PAGE_SIZE_1G), -EINVAL);
	KEXPECT_EQ(t, vmm_space_init(&odd, "1G only", PAGE_SIZE_1G), -EINVAL);
	KEXPECT_EQ(t, nr_free_pages(), free_before);
}

/* ---- partial unmap splits large pages ---- */

static void unmap_hole_splits_1g_page(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	uintptr_t hole = B + 5 * MiB * 2 + 3 * PAGE_SIZE_4K; /* inside the sixth 2M page */
	unsigned long splits = vmm_stats.splits;

	KASSERT_EQ(t, vmm_map(as, B, P, GiB, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 2ul);
	KASSERT_EQ(t, vmm_unmap(as, hole, 2 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, vmm_stats.splits - splits, 2ul); /* 1G -> 512 x 2M, that 2M -> 512 x 4K */
	KEXPECT_EQ(t, as->nr_pt_pages, 4ul);

	/* Every 4 KiB page of the three 2M pages around the hole. */
	for (uintptr_t va = B + 4 * MiB * 2; va < B + 7 * 2 * MiB; va += PAGE_SIZE_4K) {
		uint64_t pa;
		unsigned prot;
		uint64_t size = xlate(as, va, &pa, &prot);
		bool in_hole = va >= hole && va < hole + 2 * PAGE_SIZE_4K;
		bool in_split = va >= B + 10 * MiB && va < B + 12 * MiB;
		if (in_hole) {
			KEXPECT_EQ(t, size, 0ull);
			continue;
		}
		KEXPECT_EQ(t, size, in_split ? PAGE_SIZE_4K : PAGE_SIZE_2M);
		KEXPECT_EQ(t, pa, P + (va - B));
		KEXPECT_EQ(t, prot, VM_READ | VM_WRITE);
		if (t->failures)
			break;
	}
	/* And the rest of the gigabyte, one probe per 2M page. */
	for (unsigned i = 0; i < 512; i++) {
		uintptr_t va = B + i * 2 * MiB + 6 * PAGE_SIZE_4K + 0x10;
		uint64_t pa;
		KEXPECT_EQ(t, xlate(as, va, &pa, NULL), i == 5 ? PAGE_SIZE_4K : PAGE_SIZE_2M);
		KEXPECT_EQ(t, pa, P + (va - B));
	}
	struct leaf_count c = leaves(as);
	KEXPECT_EQ(t, c.n[1], 511ul);
	KEXPECT_EQ(t, c.n[0], 510ul);
	KEXPECT_EQ(t, c.n[2], 0ul);

	/* Filling the hole again needs no new table; unmapping everything frees all of them. */
	KEXPECT_EQ(t, vmm_map(as, hole, P + (hole - B), 2 * PAGE_SIZE_4K, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 4ul);
	KEXPECT_EQ(t, vmm_unmap(as, B, GiB), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
}

static void unmap_hole_splits_2m_page(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KASSERT_EQ(t, vmm_map(as, B, P, 2 * MiB, VM_READ), 0);
	unsigned long before = as->nr_pt_pages;
	KASSERT_EQ(t, vmm_unmap(as, B + 3 * PAGE_SIZE_4K, 2 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, before + 1);
	for (unsigned i = 0; i < 512; i++) {
		uintptr_t va = B + i * PAGE_SIZE_4K;
		uint64_t pa;
		if (i == 3 || i == 4) {
			KEXPECT_EQ(t, xlate(as, va, NULL, NULL), 0ull);
		} else {
			KEXPECT_EQ(t, xlate(as, va, &pa, NULL), PAGE_SIZE_4K);
			KEXPECT_EQ(t, pa, P + i * PAGE_SIZE_4K);
		}
	}
	/* Unmapping the rest in two pieces frees the PT, the PD and the PDPT. */
	KEXPECT_EQ(t, vmm_unmap(as, B, 3 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, vmm_unmap(as, B + 5 * PAGE_SIZE_4K, 2 * MiB - 5 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
}

/* A range straddling a 2M boundary inside a 1G page: both edges split, sharing the PD. */
static void unmap_across_boundary_splits_both_edges(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KASSERT_EQ(t, vmm_map(as, B, P, GiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_unmap(as, B + 2 * MiB - PAGE_SIZE_4K, 2 * PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 2ul + 3ul); /* one PD, two PTs */
	KEXPECT_EQ(t, xlate(as, B + 2 * MiB - 2 * PAGE_SIZE_4K, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, xlate(as, B + 2 * MiB - PAGE_SIZE_4K, NULL, NULL), 0ull);
	KEXPECT_EQ(t, xlate(as, B + 2 * MiB, NULL, NULL), 0ull);
	KEXPECT_EQ(t, xlate(as, B + 2 * MiB + PAGE_SIZE_4K, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, xlate(as, B + 4 * MiB, NULL, NULL), PAGE_SIZE_2M);
	KEXPECT_EQ(t, vmm_unmap(as, B, GiB), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
}

/* Unmapping a range with holes in it is fine; unmapping nothing at all too. */
static void unmap_tolerates_holes(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KEXPECT_EQ(t, vmm_unmap(as, B, 4 * GiB), 0);
	KASSERT_EQ(t, vmm_map(as, B + 8 * KiB, P, 8 * KiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_map(as, B + GiB, P, GiB, VM_READ), 0);
	KEXPECT_EQ(t, vmm_unmap(as, B, 4 * GiB), 0);
	KEXPECT_EQ(t, leaves(as).bytes, 0ull);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
}

/* The last page of the address space: last + 1 wraps to 0, which is not an edge. */
static void top_page_of_address_space(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	uintptr_t top = (uintptr_t)0 - PAGE_SIZE_4K;
	uint64_t pa;
	KASSERT_EQ(t, vmm_map(as, top, P, PAGE_SIZE_4K, VM_READ), 0);
	KEXPECT_EQ(t, xlate(as, UINTPTR_MAX, &pa, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, pa, P + PAGE_SIZE_4K - 1);
	KEXPECT_EQ(t, vmm_protect(as, top, PAGE_SIZE_4K, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, vmm_unmap(as, top, PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
	/* The last 1 GiB as one page, then a hole punched at its very end. */
	KASSERT_EQ(t, vmm_map(as, (uintptr_t)0 - GiB, P, GiB, VM_READ), 0);
	KEXPECT_EQ(t, vmm_unmap(as, top, PAGE_SIZE_4K), 0);
	KEXPECT_EQ(t, xlate(as, top - 1, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_EQ(t, xlate(as, top - 2 * MiB, NULL, NULL), PAGE_SIZE_2M);
	KEXPECT_EQ(t, vmm_unmap(as, (uintptr_t)0 - GiB, GiB), 0);
}

/* ---- protect ---- */

static void protect_whole_and_partial_pages(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	unsigned prot;
	unsigned long splits;

	KASSERT_EQ(t, vmm_map(as, B, P, GiB, VM_READ | VM_WRITE), 0);

	/* The whole 1G page: rewritten in place. */
	splits = vmm_stats.splits;
	KEXPECT_EQ(t, vmm_protect(as, B, GiB, VM_READ), 0);
	KEXPECT_EQ(t, xlate(as, B + 77, NULL, &prot), PAGE_SIZE_1G);
	KEXPECT_EQ(t, prot, VM_READ);
	KEXPECT_EQ(t, vmm_stats.splits, splits);

	/* Part of it with the protection it already has: nothing to split. */
	KEXPECT_EQ(t, vmm_protect(as, B + 4 * KiB, 8 * KiB, VM_READ), 0);
	KEXPECT_EQ(t, vmm_stats.splits, splits);
	KEXPECT_EQ(t, as->nr_pt_pages, 2ul);

	/* One 4K page in the middle: 1G -> 2M -> 4K. */
	KEXPECT_EQ(t, vmm_protect(as, B + 6 * MiB + 4 * KiB, 4 * KiB, VM_READ | VM_EXEC), 0);
	KEXPECT_EQ(t, vmm_stats.splits - splits, 2ul);
	KEXPECT_EQ(t, as->nr_pt_pages, 4ul);
	KEXPECT_EQ(t, xlate(as, B + 6 * MiB + 4 * KiB, NULL, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, prot, VM_READ | VM_EXEC);
	KEXPECT_EQ(t, xlate(as, B + 6 * MiB, NULL, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, prot, VM_READ);
	KEXPECT_EQ(t, xlate(as, B + 6 * MiB + 8 * KiB, NULL, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, prot, VM_READ);
	KEXPECT_EQ(t, xlate(as, B + 8 * MiB, NULL, &prot), PAGE_SIZE_2M);
	KEXPECT_EQ(t, prot, VM_READ);

	/* A 2M-aligned part: the 2M leaves are rewritten, no more splits. */
	splits = vmm_stats.splits;
	KEXPECT_EQ(t, vmm_protect(as, B + 8 * MiB, 4 * MiB, VM_READ | VM_NOCACHE | VM_GLOBAL), 0);
	KEXPECT_EQ(t, vmm_stats.splits, splits);
	KEXPECT_EQ(t, xlate(as, B + 10 * MiB, NULL, &prot), PAGE_SIZE_2M);
	KEXPECT_EQ(t, prot, VM_READ | VM_NOCACHE | VM_GLOBAL);
	KEXPECT_EQ(t, xlate(as, B + 12 * MiB, NULL, &prot), PAGE_SIZE_2M);
	KEXPECT_EQ(t, prot, VM_READ);
	KEXPECT_EQ(t, vmm_check(as), 0u);
}

/* ---- errors leave the tables exactly as they were ---- */

static void errors_are_reported_and_change_nothing(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KASSERT_EQ(t, vmm_map(as, B + 2 * MiB, P, 4 * MiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_map(as, B + GiB, P, GiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_map(as, B + 3 * GiB - 4 * KiB, P, 4 * KiB, VM_READ), 0);
	uint64_t sum = space_sum(as);
	unsigned long free = free_pages_now();

	/* Overlaps: at the start, at the end, inside, around, exactly, inside a 1G page. */
	KEXPECT_EQ(t, vmm_map(as, B, P, 2 * MiB + 4 * KiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B + 6 * MiB - 4 * KiB, P, 8 * KiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B + 3 * MiB, P, 4 * KiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B, P, 8 * MiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B + 2 * MiB, P, 4 * MiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B + GiB + 12 * KiB, P, 4 * KiB, VM_READ), -EEXIST);
	KEXPECT_EQ(t, vmm_map(as, B + 2 * GiB, P, GiB, VM_READ), -EEXIST); /* last page taken */
	KEXPECT_TRUE(t, strstr(host_printk_log(), "is already mapped") != NULL);

	/* Bad arguments. */
	KEXPECT_EQ(t, vmm_map(as, B + 0x800, P, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P + 0x800, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P, 0x800, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P, 0, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, 0x0000800000000000ull, P, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, 0xffff7ffffffff000ull, P, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, 0x00007ffffffff000ull, P, 8 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, (uintptr_t)0 - 4 * KiB, P, 8 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, 1ull << 52, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, (1ull << arch_phys_addr_bits()) - 4 * KiB, 8 * KiB, VM_READ),
		   -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P, 4 * KiB, VM_READ | VM_WRITE | VM_EXEC), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P, 4 * KiB, VM_READ | VM_USER), -EINVAL);
	KEXPECT_EQ(t, vmm_map(as, B, P, 4 * KiB, 0x80), -EINVAL);
	KEXPECT_EQ(t, vmm_unmap(as, B + 1, 4 * KiB), -EINVAL);
	KEXPECT_EQ(t, vmm_unmap(as, 0x0000800000000000ull, 4 * KiB), -EINVAL);
	KEXPECT_EQ(t, vmm_protect(as, B + 2 * MiB, 4 * MiB, VM_WRITE | VM_EXEC), -EINVAL);
	KEXPECT_TRUE(t, strstr(host_printk_log(), "W^X") != NULL);
	KEXPECT_TRUE(t, strstr(host_printk_log(), "not canonical") != NULL);

	/* Protect needs every page mapped. */
	KEXPECT_EQ(t, vmm_protect(as, B + 2 * MiB, 4 * MiB + 4 * KiB, VM_READ | VM_WRITE), -ENOENT);
	KEXPECT_EQ(t, vmm_protect(as, B + GiB - 4 * KiB, 8 * KiB, VM_READ | VM_WRITE), -ENOENT);
	KEXPECT_TRUE(t, strstr(host_printk_log(), "is not mapped") != NULL);

	/* Lookups of nothing. */
	KEXPECT_EQ(t, xlate(as, 0x0000800000000000ull, NULL, NULL), 0ull);
	KEXPECT_EQ(t, xlate(as, 0, NULL, NULL), 0ull);

	/* An address space that was never set up. */
	struct vmm_space none = { 0 };
	KEXPECT_EQ(t, vmm_map(&none, B, P, 4 * KiB, VM_READ), -EINVAL);
	KEXPECT_EQ(t, vmm_unmap(&none, B, 4 * KiB), -EINVAL);

	KEXPECT_EQ(t, space_sum(as), sum);
	KEXPECT_EQ(t, free_pages_now(), free);
}

/* VM_USER works in the user half: the path down to the leaf is user-accessible too. */
static void user_mappings_in_user_half(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	unsigned prot;
	KASSERT_EQ(t, vmm_map(as, UB, P, 8 * KiB, VM_READ | VM_WRITE | VM_USER), 0);
	KEXPECT_EQ(t, xlate(as, UB + 4 * KiB, NULL, &prot), PAGE_SIZE_4K);
	KEXPECT_EQ(t, prot, VM_READ | VM_WRITE | VM_USER);
	uint64_t *table = as->pml4;
	for (int level = PT_LEVELS; level > 1; level--) {
		uint64_t e = table[pt_index(UB, level)];
		KEXPECT_TRUE(t, e & _PAGE_USER);
		table = __va(pte_addr(e, level));
	}
	/* Kernel-half paths are never user-accessible. */
	KASSERT_EQ(t, vmm_map(as, B, P, 4 * KiB, VM_READ), 0);
	KEXPECT_FALSE(t, as->pml4[pt_index(B, 4)] & _PAGE_USER);
	KEXPECT_EQ(t, vmm_unmap(as, UB, 8 * KiB), 0);
	KEXPECT_EQ(t, vmm_unmap(as, B, 4 * KiB), 0);
}

/*
 * Out of memory part-way: allow n table pages for every n short of what the
 * operation needs; each attempt fails with -ENOMEM and leaves the tables (and
 * the allocator) exactly as they were.
 */
static void enomem_part_way_rolls_back(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	uintptr_t start = B + GiB - 6 * MiB - 12 * KiB; /* crosses a 1G boundary, unaligned */
	uint64_t size = 12 * MiB + 28 * KiB;

	KASSERT_EQ(t, vmm_map(as, B + 8 * KiB, P, 4 * KiB, VM_READ), 0); /* a table to share */
	uint64_t sum = space_sum(as);
	unsigned long free = free_pages_now();
	unsigned long pts = as->nr_pt_pages;
	unsigned long needed = 0;

	for (long n = 0;; n++) {
		vmm_test_fail_after(n);
		int err = vmm_map(as, start, P + (start - B), size, VM_READ | VM_WRITE);
		vmm_test_fail_after(-1);
		if (err == 0) {
			needed = (unsigned long)n;
			break;
		}
		KASSERT_EQ(t, err, -ENOMEM);
		KEXPECT_EQ(t, space_sum(as), sum);
		KEXPECT_EQ(t, as->nr_pt_pages, pts);
		KEXPECT_EQ(t, free_pages_now(), free);
		KASSERT_LT(t, n, 100l);
	}
	/* The PDPT and the first PD exist; a PD past the 1G boundary, a PT at each unaligned end. */
	KEXPECT_EQ(t, needed, 3ul);
	KEXPECT_EQ(t, as->nr_pt_pages, pts + needed);

	/* Unmap and protect need pages only to split: a hole in a 1G page needs two. */
	KASSERT_EQ(t, vmm_map(as, B + 4 * GiB, P, GiB, VM_READ), 0);
	sum = space_sum(as);
	free = free_pages_now();
	for (long n = 0; n < 2; n++) {
		vmm_test_fail_after(n);
		KEXPECT_EQ(t, vmm_unmap(as, B + 4 * GiB + 6 * MiB, 4 * KiB), -ENOMEM);
		vmm_test_fail_after(n);
		KEXPECT_EQ(t, vmm_protect(as, B + 4 * GiB + 6 * MiB, 4 * KiB, VM_READ | VM_WRITE),
			   -ENOMEM);
		vmm_test_fail_after(-1);
		KEXPECT_EQ(t, space_sum(as), sum);
		KEXPECT_EQ(t, free_pages_now(), free);
	}
	vmm_test_fail_after(2);
	KEXPECT_EQ(t, vmm_unmap(as, B + 4 * GiB + 6 * MiB, 4 * KiB), 0);
	vmm_test_fail_after(-1);
	KEXPECT_EQ(t, xlate(as, B + 4 * GiB + 6 * MiB, NULL, NULL), 0ull);
	KEXPECT_EQ(t, xlate(as, B + 4 * GiB + 6 * MiB + 4 * KiB, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_TRUE(t, strstr(host_printk_log(), "no memory") != NULL);
}

/* The same with the buddy allocator really empty, not a simulated failure. */
static void enomem_when_ram_is_exhausted(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	struct page_list hoard = PAGE_LIST_INIT;
	struct page *p;
	unsigned long n = 0;

	KASSERT_EQ(t, vmm_map(as, B, P, PAGE_SIZE_4K, VM_READ), 0);
	uint64_t sum = space_sum(as);
	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_HIGH))) {
		page_list_add(&hoard, p);
		n++;
	}
	KEXPECT_GT(t, n, 0ul);
	KEXPECT_EQ(t, vmm_map(as, B + 2 * GiB, P, PAGE_SIZE_4K, VM_READ), -ENOMEM);
	KEXPECT_EQ(t, space_sum(as), sum);
	while ((p = page_list_first(&hoard))) {
		page_list_del(&hoard, p);
		__free_page(p);
	}
	KEXPECT_EQ(t, vmm_map(as, B + 2 * GiB, P, PAGE_SIZE_4K, VM_READ), 0);
}

/* A guard page: unmapped (splitting the page around it) and its frame marked PG_guard. */
static void guard_page_is_unmapped_and_marked(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	struct page *pg = alloc_pages(GFP_KERNEL, 9);
	KASSERT_NOT_NULL(t, pg);
	uint64_t pa = page_to_phys(pg);
	KASSERT_EQ(t, vmm_map(as, B, pa, 2 * MiB, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, vmm_guard_page(as, B + 5 * PAGE_SIZE_4K + 12), 0);
	KEXPECT_EQ(t, xlate(as, B + 5 * PAGE_SIZE_4K, NULL, NULL), 0ull);
	KEXPECT_EQ(t, xlate(as, B + 6 * PAGE_SIZE_4K, NULL, NULL), PAGE_SIZE_4K);
	KEXPECT_TRUE(t, pfn_to_page(PFN_DOWN(pa) + 5)->flags & PG_guard);
	KEXPECT_FALSE(t, pfn_to_page(PFN_DOWN(pa) + 6)->flags & PG_guard);
	pfn_to_page(PFN_DOWN(pa) + 5)->flags &= ~PG_guard;
	KEXPECT_EQ(t, vmm_unmap(as, B, 2 * MiB), 0);
	__free_pages(pg, 9);
}

/* ---- TLB flush policy ---- */

static void flush_per_page_then_whole_past_threshold(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	struct vmm_stats s;

	KASSERT_EQ(t, vmm_map(as, B, P, 2 * MiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_map(as, B + GiB, P, GiB, VM_READ), 0);
	KASSERT_EQ(t, vmm_map(as, B + 2 * GiB, P, 128 * 4 * KiB, VM_READ), 0);

	/* Not loaded in CR3: nothing to flush. */
	s = vmm_stats;
	KEXPECT_EQ(t, vmm_unmap(as, B + 2 * GiB, 4 * KiB), 0);
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page);

	arch_write_cr3(as->pml4_phys);
	s = vmm_stats;
	KEXPECT_EQ(t, vmm_map(as, B + 3 * GiB, P, 4 * KiB, VM_READ), 0); /* new: no flush */
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page);
	KEXPECT_EQ(t, vmm_unmap(as, B + GiB, GiB), 0); /* one 1G leaf: one invlpg */
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page + 1);
	/* A split and one changed 4K page: the 2M page's base and the page. */
	KEXPECT_EQ(t, vmm_protect(as, B + 8 * KiB, 4 * KiB, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page + 3);
	KEXPECT_EQ(t, vmm_unmap(as, B + 2 * GiB + 4 * KiB, VMM_FLUSH_THRESHOLD * 4 * KiB), 0);
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page + 3 + VMM_FLUSH_THRESHOLD);
	KEXPECT_EQ(t, vmm_stats.flush_all, s.flush_all);
	/* One past the threshold: a full flush, no invlpg. */
	KEXPECT_EQ(t,
		   vmm_unmap(as, B + 2 * GiB + 33 * 4 * KiB, (VMM_FLUSH_THRESHOLD + 1) * 4 * KiB),
		   0);
	KEXPECT_EQ(t, vmm_stats.flush_page, s.flush_page + 3 + VMM_FLUSH_THRESHOLD);
	KEXPECT_EQ(t, vmm_stats.flush_all, s.flush_all + 1);
	KEXPECT_EQ(t, vmm_unmap(as, B, 2 * MiB), 0); /* 512 PTEs */
	KEXPECT_EQ(t, vmm_stats.flush_all, s.flush_all + 2);
	arch_write_cr3(0);
}

/* ---- reports ---- */

static void dumps_describe_walk_and_layout(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KASSERT_EQ(t, vmm_map(as, B, P, 2 * MiB, VM_READ | VM_WRITE), 0);
	KASSERT_EQ(t, vmm_map(as, B + 2 * MiB, P, 2 * MiB, VM_READ | VM_WRITE), 0);
	KASSERT_EQ(t, vmm_map(as, B + GiB, P, GiB, VM_READ | VM_EXEC | VM_GLOBAL), 0);
	KASSERT_EQ(t, vmm_map(as, B + 3 * GiB, P, 8 * KiB, VM_READ), 0);

	host_printk_log_clear();
	vmm_dump_walk(as, B + GiB + 0x1234);
	const char *log = host_printk_log();
	KEXPECT_TRUE(t, strstr(log, "PML4[") != NULL);
	KEXPECT_TRUE(t, strstr(log, "PDPT[") != NULL);
	KEXPECT_TRUE(t, strstr(log, "P A PS G") != NULL);
	KEXPECT_TRUE(t, strstr(log, "1G page") != NULL);
	KEXPECT_TRUE(t, strstr(log, "maps to phys 0x8000001234") != NULL);

	host_printk_log_clear();
	vmm_dump_walk(as, B + 2 * GiB);
	KEXPECT_TRUE(t, strstr(host_printk_log(), "not present") != NULL);

	host_printk_log_clear();
	vmm_dump_layout(as);
	log = host_printk_log();
	/* The two adjacent 2M mappings with one protection are one range. */
	KEXPECT_TRUE(t, strstr(log, "ffffc91000000000-ffffc91000400000") != NULL);
	KEXPECT_TRUE(t, strstr(log, "2M x2") != NULL);
	KEXPECT_TRUE(t, strstr(log, "r-x global") != NULL);
	KEXPECT_TRUE(t, strstr(log, "4K x2") != NULL);
	KEXPECT_TRUE(t, strstr(log, "page-table pages: 5") != NULL);
}

/* ---- the checker catches what it should ---- */

static void check_detects_corruption(struct ktest *t)
{
	struct vmm_space *as = &fx.sp;
	KASSERT_EQ(t, vmm_map(as, B, P, 8 * KiB, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, vmm_check(as), 0u);

	uint64_t *table = as->pml4;
	for (int level = PT_LEVELS; level > 1; level--)
		table = __va(pte_addr(table[pt_index(B, level)], level));
	uint64_t *pte = &table[pt_index(B, 1)];

	*pte &= ~_PAGE_NX; /* writable and executable */
	KEXPECT_EQ(t, vmm_check(as), 1u);
	*pte |= _PAGE_NX;
	virt_to_page(table)->private[0]++; /* wrong count */
	KEXPECT_EQ(t, vmm_check(as), 1u);
	virt_to_page(table)->private[0]--;
	KEXPECT_EQ(t, vmm_check(as), 0u);
}

/* ---- random operations against a reference model ---- */

#define STRESS_PAGES (4 * GiB / PAGE_SIZE_4K)
#define STRESS_OPS   4000

static uint64_t rng_state;
static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

/* model[i]: 0 = unmapped, else the physical address of page i | its protection (low bits). */
static uint64_t *model;

struct verify {
	uintptr_t base;
	unsigned long pages, bad;
};

static int verify_leaf(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	struct verify *v = arg;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE_4K) {
		uint64_t i = (va + off - v->base) / PAGE_SIZE_4K;
		if (i >= STRESS_PAGES || model[i] != ((pa + off) | prot)) {
			if (v->bad++ < 5)
				printk("stress: page %#lx maps %#lx/%x, model says %#lx\n",
				       (unsigned long)(va + off), (unsigned long)(pa + off), prot,
				       (unsigned long)(i < STRESS_PAGES ? model[i] : 0));
		}
		v->pages++;
	}
	return 0;
}

static void stress_verify(struct ktest *t, struct vmm_space *as, uintptr_t base)
{
	struct verify v = { base, 0, 0 };
	unsigned long mapped = 0;
	vmm_walk_leaves(as, 0, UINTPTR_MAX, verify_leaf, &v);
	for (uint64_t i = 0; i < STRESS_PAGES; i++)
		mapped += model[i] != 0;
	KEXPECT_EQ(t, v.bad, 0ul);
	KEXPECT_EQ(t, v.pages, mapped);
	KEXPECT_EQ(t, vmm_check(as), 0u);
}

static void stress_against_model(struct ktest *t)
{
	static const unsigned prots[] = { VM_READ, VM_READ | VM_WRITE, VM_READ | VM_EXEC,
					  VM_READ | VM_GLOBAL, VM_READ | VM_WRITE | VM_NOCACHE };
	struct vmm_space *as = &fx.sp;
	uintptr_t base = B;
	unsigned long counts[3][2] = { { 0 } };

	model = calloc(STRESS_PAGES, sizeof(*model));
	KASSERT_NOT_NULL(t, model);
	rng_state = 0x2545f4914f6cdd1dull;
	ktest_log(t, "seed %#llx, %u operations over 4 GiB", (unsigned long long)rng_state,
		  STRESS_OPS);

	for (unsigned op = 0; op < STRESS_OPS && !t->failures; op++) {
		/* Granularity: mostly small, often 2M, sometimes 1G; sometimes shifted off alignment. */
		uint64_t r = rnd() % 100;
		uint64_t g = r < 50 ? PAGE_SIZE_4K : r < 85 ? PAGE_SIZE_2M : PAGE_SIZE_1G;
		uint64_t units = g == PAGE_SIZE_4K   ? 1 + rnd() % 700
				 : g == PAGE_SIZE_2M ? 1 + rnd() % 40
						     : 1 + rnd() % 2;
		uint64_t size = units * g;
		uint64_t shift = (rnd() % 4 == 0) ? (rnd() % 512) * PAGE_SIZE_4K : 0;
		if (size + shift > 4 * GiB)
			size = 4 * GiB - shift;
		uint64_t off = (rnd() % ((4 * GiB - size - shift) / g + 1)) * g + shift;
		uint64_t first = off / PAGE_SIZE_4K, n = size / PAGE_SIZE_4K;
		unsigned prot = prots[rnd() % ARRAY_SIZE(prots)];
		unsigned kind = rnd() % 100;
		if (kind >= 80 && rnd() % 3) {
			/* Most protects target a mapped run, so they succeed and split. */
			uint64_t run = 0;
			while (first < STRESS_PAGES - 1 && !model[first] && run++ < 262144)
				first++;
			for (run = 0; run < n && first + run < STRESS_PAGES && model[first + run];
			     run++)
				;
			n = run ? run : 1;
		}
		uintptr_t va = base + first * PAGE_SIZE_4K;
		size = n * PAGE_SIZE_4K;
		bool any = false, all = true;
		for (uint64_t i = first; i < first + n; i++) {
			any |= model[i] != 0;
			all &= model[i] != 0;
		}

		if (kind < 45) {
			uint64_t pa = (rnd() % 1000) * GiB + (va & (g - 1)) + (rnd() % 8) * g;
			int err = vmm_map(as, va, pa, size, prot);
			KEXPECT_EQ(t, err, any ? -EEXIST : 0);
			if (!err)
				for (uint64_t i = 0; i < n; i++)
					model[first + i] = (pa + i * PAGE_SIZE_4K) | prot;
			counts[0][!err]++;
		} else if (kind < 80) {
			KEXPECT_EQ(t, vmm_unmap(as, va, size), 0);
			for (uint64_t i = first; i < first + n; i++)
				model[i] = 0;
			counts[1][any]++;
		} else {
			int err = vmm_protect(as, va, size, prot);
			KEXPECT_EQ(t, err, all ? 0 : -ENOENT);
			if (!err)
				for (uint64_t i = first; i < first + n; i++)
					model[i] = (model[i] & PAGE_MASK) | prot;
			counts[2][!err]++;
		}
		/* Spot checks every time, the whole model now and then. */
		for (int k = 0; k < 4; k++) {
			uint64_t i = first + rnd() % n;
			uint64_t pa;
			unsigned p;
			uint64_t sz = xlate(as, base + i * PAGE_SIZE_4K, &pa, &p);
			KEXPECT_EQ(t, sz ? (pa | p) : 0, model[i]);
		}
		if (op % 500 == 499) {
			host_printk_log_clear();
			stress_verify(t, as, base);
		}
	}
	stress_verify(t, as, base);
	ktest_log(t,
		  "maps %lu ok / %lu -EEXIST, unmaps %lu (%lu hit something), protects %lu ok / "
		  "%lu -ENOENT; %lu splits, %lu tables freed",
		  counts[0][1], counts[0][0], counts[1][0] + counts[1][1], counts[1][1],
		  counts[2][1], counts[2][0], vmm_stats.splits, vmm_stats.tables_freed);

	/* Unmapping everything gives every table page back. */
	KEXPECT_EQ(t, vmm_unmap(as, base, 4 * GiB), 0);
	KEXPECT_EQ(t, as->nr_pt_pages, 1ul);
	KEXPECT_EQ(t, leaves(as).bytes, 0ull);
	free(model);
	model = NULL;
}

static struct ktest_case vmm_host_cases[] = {
	KTEST_CASE(map_translate_every_size),
	KTEST_CASE(map_uses_largest_size_alignment_allows),
	KTEST_CASE(page_sizes_can_be_limited),
	KTEST_CASE(one_gib_pages_need_two_mib_pages),
	KTEST_CASE(unmap_hole_splits_1g_page),
	KTEST_CASE(unmap_hole_splits_2m_page),
	KTEST_CASE(unmap_across_boundary_splits_both_edges),
	KTEST_CASE(unmap_tolerates_holes),
	KTEST_CASE(top_page_of_address_space),
	KTEST_CASE(protect_whole_and_partial_pages),
	KTEST_CASE(errors_are_reported_and_change_nothing),
	KTEST_CASE(user_mappings_in_user_half),
	KTEST_CASE(enomem_part_way_rolls_back),
	KTEST_CASE(enomem_when_ram_is_exhausted),
	KTEST_CASE(guard_page_is_unmapped_and_marked),
	KTEST_CASE(flush_per_page_then_whole_past_threshold),
	KTEST_CASE(dumps_describe_walk_and_layout),
	KTEST_CASE(check_detects_corruption),
	KTEST_CASE(stress_against_model),
	{},
};
KTEST_SUITE(host_vmm, vmm_host_cases, .init = vmm_case_init, .exit = vmm_case_exit);
