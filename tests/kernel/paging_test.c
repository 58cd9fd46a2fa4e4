/*
 * paging_test.c - the kernel's own page tables, as paging_init left them.
 *
 * Suite `paging`: the protections are real (a write to .rodata, a jump into
 * .data, a NULL dereference and a touch of the boot stack's guard page each
 * fault, with the right error code and CR2), the whole address space obeys
 * W^X, the direct map covers exactly memblock's RAM with the largest pages
 * allowed, there is no identity map, and the control bits are on.
 */
#include "arch/x86_64/io.h"
#include "arch/x86_64/pgtable.h"
#include "arch/x86_64/traps.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/vmm.h"

extern char _boot_stack_guard[];

static const uint64_t rodata_word = 0x5eed;
/* A `ret` instruction in .data: calling it must fault (NX), never return. */
static uint8_t data_ret[16] = { 0xc3 };

static int paging_test_init(struct ktest *t)
{
	(void)t;
	return kernel_space.pml4 ? 0 : -1;
}

/* Run fn(arg) with a #PF expected; returns whether it faulted, with the error code and CR2. */
static bool page_fault(void (*fn)(uintptr_t), uintptr_t arg, bool report, uint64_t *ec,
		       uint64_t *cr2)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF, .report = report };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		fn(arg);
	}
	fault_expect_clear();
	*ec = ef.error_code;
	*cr2 = ef.cr2;
	return ef.hit;
}

static void do_write(uintptr_t va)
{
	*(volatile uint64_t *)va = 0xbad;
}

static void do_read(uintptr_t va)
{
	(void)*(volatile uint8_t *)va;
}

static void do_call(uintptr_t va)
{
	((void (*)(void))va)();
}

#define PF_BITS (X86_PF_PROT | X86_PF_WRITE | X86_PF_USER | X86_PF_INSTR)

static void write_to_rodata_faults(struct ktest *t)
{
	uint64_t ec, cr2;
	KASSERT_TRUE(t, page_fault(do_write, (uintptr_t)&rodata_word, false, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, (uint64_t)(X86_PF_PROT | X86_PF_WRITE));
	KEXPECT_EQ(t, cr2, (uint64_t)(uintptr_t)&rodata_word);
	KEXPECT_EQ(t, *(const volatile uint64_t *)&rodata_word, 0x5eedull);
}

/* Never called: the target of the write to .text (harmless should the write go through). */
static __noinline __used void text_target(void)
{
	barrier();
}

static void write_to_text_faults(struct ktest *t)
{
	uint64_t ec, cr2;
	uintptr_t code = (uintptr_t)text_target;
	KASSERT_TRUE(t, page_fault(do_write, code, false, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, (uint64_t)(X86_PF_PROT | X86_PF_WRITE));
	KEXPECT_EQ(t, cr2, (uint64_t)code);
}

static void execute_from_data_faults(struct ktest *t)
{
	uint64_t ec, cr2;
	KASSERT_TRUE(t, page_fault(do_call, (uintptr_t)data_ret, false, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, (uint64_t)(X86_PF_PROT | X86_PF_INSTR));
	KEXPECT_EQ(t, cr2, (uint64_t)(uintptr_t)data_ret);
}

/* Also executing from the direct map (data too: NX). */
static void execute_from_direct_map_faults(struct ktest *t)
{
	uint64_t ec, cr2;
	uintptr_t alias = (uintptr_t)__va(__pa_symbol(data_ret));
	KASSERT_TRUE(t, page_fault(do_call, alias, false, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, (uint64_t)(X86_PF_PROT | X86_PF_INSTR));
	KEXPECT_EQ(t, cr2, (uint64_t)alias);
}

/* The report names the walk of CR2: every level down to the missing entry. */
static void null_dereference_faults_with_walk(struct ktest *t)
{
	static char log[LOG_BUF_SIZE];
	uint64_t ec, cr2;
	uint64_t mark = log_buf_mark();
	KASSERT_TRUE(t, page_fault(do_read, 0, true, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, 0ull); /* not present, read, kernel */
	KEXPECT_EQ(t, cr2, 0ull);
	log_buf_read(mark, log, sizeof(log));
	KEXPECT_TRUE(t, strstr(log, "walk of 0x0") != NULL);
	KEXPECT_TRUE(t, strstr(log, "PML4[  0]") != NULL);
	KEXPECT_TRUE(t, strstr(log, "not present") != NULL);
}

static void boot_stack_guard_page_faults(struct ktest *t)
{
	uint64_t ec, cr2;
	uintptr_t guard = (uintptr_t)_boot_stack_guard;
	KASSERT_TRUE(t, page_fault(do_read, guard + 100, false, &ec, &cr2));
	KEXPECT_EQ(t, ec & PF_BITS, 0ull);
	KEXPECT_EQ(t, cr2, (uint64_t)guard + 100);
	/* The stack just above it is mapped. */
	struct vmm_translation tr;
	KEXPECT_EQ(t, vmm_translate(&kernel_space, guard + PAGE_SIZE, &tr), 0);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, guard, &tr), -ENOENT);
	KEXPECT_TRUE(t, phys_to_page(__pa_symbol(_boot_stack_guard))->flags & PG_guard);
}

/* ---- sweeps over every leaf ---- */

struct sweep {
	struct ktest *t;
	unsigned wx, text_bad, rodata_bad, data_bad, direct_bad, user, not_global;
	unsigned long leaves[3];
	uint64_t direct_bytes;
	uint64_t max_size;
};

static bool overlaps(uintptr_t va, uint64_t size, const char *s, const char *e)
{
	return va < (uintptr_t)e && va + size > (uintptr_t)s;
}

static int sweep_leaf(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	struct sweep *s = arg;
	(void)pa;
	s->leaves[size == PAGE_SIZE_1G ? 2 : size == PAGE_SIZE_2M ? 1 : 0]++;
	if ((prot & VM_WRITE) && (prot & VM_EXEC) && s->wx++ < 5)
		ktest_log(s->t, "%#lx (+%#lx) is writable and executable", (unsigned long)va,
			  (unsigned long)size);
	if (overlaps(va, size, _text_start, _text_end) && (prot & (VM_WRITE | VM_EXEC)) != VM_EXEC)
		s->text_bad++;
	if (overlaps(va, size, _rodata_start, _rodata_end) && (prot & (VM_WRITE | VM_EXEC)))
		s->rodata_bad++;
	if (overlaps(va, size, _data_start, _data_end) && (prot & (VM_WRITE | VM_EXEC)) != VM_WRITE)
		s->data_bad++;
	if (va >= DIRECT_MAP_BASE && va < KERNEL_VMA_BASE && va < VMM_SCRATCH_BASE) {
		s->direct_bytes += size;
		if ((prot & (VM_WRITE | VM_EXEC)) != VM_WRITE)
			s->direct_bad++;
	}
	if (prot & VM_USER)
		s->user++;
	if (va >= KERNEL_VMA_BASE && !(prot & VM_GLOBAL))
		s->not_global++;
	s->max_size = MAX(s->max_size, size);
	return 0;
}

static void wx_sweep_of_every_leaf(struct ktest *t)
{
	struct sweep s = { .t = t };
	vmm_walk_leaves(&kernel_space, 0, UINTPTR_MAX, sweep_leaf, &s);
	ktest_log(t, "%lu x 1G, %lu x 2M, %lu x 4K leaves", s.leaves[2], s.leaves[1], s.leaves[0]);
	KEXPECT_GT(t, s.leaves[0] + s.leaves[1] + s.leaves[2], 0ul);
	KEXPECT_EQ(t, s.wx, 0u);
	KEXPECT_EQ(t, s.text_bad, 0u);
	KEXPECT_EQ(t, s.rodata_bad, 0u);
	KEXPECT_EQ(t, s.data_bad, 0u);
	KEXPECT_EQ(t, s.direct_bad, 0u);
	KEXPECT_EQ(t, s.user, 0u);
	KEXPECT_EQ(t, s.not_global, 0u);
	KEXPECT_EQ(t, vmm_check(&kernel_space), 0u);
	/* nohugepages / pagesize= are obeyed. */
	KEXPECT_EQ(t, s.max_size & ~kernel_space.page_sizes, 0ull);
}

/* The direct map is memblock's RAM, page for page, with the largest pages alignment allows. */
static void direct_map_is_exactly_ram(struct ktest *t)
{
	struct sweep s = { .t = t };
	uint64_t ram = 0;
	unsigned bad = 0;

	vmm_walk_leaves(&kernel_space, DIRECT_MAP_BASE, DIRECT_MAP_BASE + (64ULL << 40) - 1,
			sweep_leaf, &s);
	for (unsigned i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		uint64_t start = ALIGN_UP(r->base, PAGE_SIZE_4K);
		uint64_t end = ALIGN_DOWN(r->base + r->size, PAGE_SIZE_4K);
		struct vmm_translation tr;
		ram += end - start;
		/* Probe the ends and every 2 MiB in between. */
		for (uint64_t pa = start; pa < end;
		     pa = ALIGN_DOWN(pa + PAGE_SIZE_2M, PAGE_SIZE_2M)) {
			if (vmm_translate(&kernel_space, DIRECT_MAP_BASE + pa, &tr) ||
			    tr.pa != pa) {
				bad++;
				continue;
			}
			/* The largest size allowed whose aligned block around pa is all RAM. */
			uint64_t want = PAGE_SIZE_4K;
			for (uint64_t sz = PAGE_SIZE_1G; sz > PAGE_SIZE_4K; sz >>= 9)
				if ((kernel_space.page_sizes & sz) && ALIGN_DOWN(pa, sz) >= start &&
				    ALIGN_DOWN(pa, sz) + sz <= end) {
					want = sz;
					break;
				}
			if (tr.page_size != want && bad++ < 5)
				ktest_log(t, "phys %#lx: %#lx page, expected %#lx",
					  (unsigned long)pa, (unsigned long)tr.page_size,
					  (unsigned long)want);
		}
		if (vmm_translate(&kernel_space, DIRECT_MAP_BASE + end - 1, &tr) ||
		    tr.pa != end - 1)
			bad++;
		/* Just past the range (a hole, or the next range's unaligned start) is unmapped. */
		if (i + 1 == memblock.memory.cnt || memblock.memory.regions[i + 1].base > end)
			bad += vmm_translate(&kernel_space, DIRECT_MAP_BASE + end, &tr) == 0;
	}
	KEXPECT_EQ(t, bad, 0u);
	KEXPECT_EQ(t, s.direct_bytes, ram);
}

static void no_identity_map_and_control_bits(struct ktest *t)
{
	struct vmm_translation tr;
	KEXPECT_EQ(t, vmm_translate(&kernel_space, 0, &tr), -ENOENT);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, __pa_symbol(_text_start), &tr), -ENOENT);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, 0x8000, &tr), -ENOENT);
	KEXPECT_EQ(t, arch_read_cr3() & PTE_ADDR_MASK, kernel_space.pml4_phys);
	KEXPECT_TRUE(t, rdmsr(MSR_EFER) & EFER_NXE);
	KEXPECT_TRUE(t, read_cr0() & X86_CR0_WP);
	KEXPECT_TRUE(t, read_cr4() & X86_CR4_PGE);
	/* The image's own address translates to where it was loaded. */
	KEXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)_text_start, &tr), 0);
	KEXPECT_EQ(t, tr.pa, (uint64_t)__pa_symbol(_text_start));
}

static struct ktest_case paging_cases[] = {
	KTEST_CASE(write_to_rodata_faults),
	KTEST_CASE(write_to_text_faults),
	KTEST_CASE(execute_from_data_faults),
	KTEST_CASE(execute_from_direct_map_faults),
	KTEST_CASE(null_dereference_faults_with_walk),
	KTEST_CASE(boot_stack_guard_page_faults),
	KTEST_CASE(wx_sweep_of_every_leaf),
	KTEST_CASE(direct_map_is_exactly_ram),
	KTEST_CASE(no_identity_map_and_control_bits),
	{},
};
KTEST_SUITE(paging, paging_cases, .init = paging_test_init);
