/*
 * paging.c - the kernel's own page tables, replacing the boot tables
 * (boot/boot32.S), and the x86 control bits paging relies on.
 *
 * paging_init builds kernel_space from the buddy allocator with the portable
 * API (mm/vmm.c), then loads it into CR3:
 *
 *   direct map    every memblock memory range at DIRECT_MAP_BASE + physical,
 *                 read/write, no-execute, global. vmm_map picks the largest
 *                 page alignment allows, so RAM gets 1 GiB pages (when the CPU
 *                 has pdpe1gb) or 2 MiB pages, and 4 KiB pages only at the
 *                 unaligned edges of a range. Holes in the physical map (the
 *                 PCI hole, the LAPIC/IOAPIC, the legacy VGA window) stay
 *                 unmapped: device memory is mapped separately, uncached.
 *   kernel image  at __START_KERNEL_map + physical, per section:
 *                 .text r-x, .rodata r--, .data and .bss rw- (no-execute),
 *                 the multiboot header and the 32-bit boot code r-- (dead
 *                 code is never kept executable), all global.
 *   guard page    the page below the boot stack is left unmapped (PG_guard),
 *                 so a stack overflow faults instead of overwriting .bss.
 *   IST stacks    once the tables are live, the boot CPU's double-fault, NMI
 *                 and machine-check stacks move from small static ones to
 *                 guarded stacks in the CPU window (gdt.c, kstack.c), as
 *                 every AP's are from the start.
 *   nothing else  no identity map: virtual page 0 is unmapped, so a NULL
 *                 dereference faults, and so does anything still using a
 *                 physical address as a pointer.
 *
 * Before the switch, EFER.NXE (no-execute bits are reserved bits without it),
 * CR0.WP (the kernel honours read-only pages too) and CR4.PGE (global
 * entries survive CR3 reloads) are turned on. No page is ever writable and
 * executable at once: vmm_map refuses it, vmm_check and the paging tests
 * sweep for it.
 *
 * Command line: nohugepages (or pagesize=4k) maps everything with 4 KiB pages,
 * pagesize=2m forbids only 1 GiB pages: for study, and to test the walker's
 * small-page paths on the real tables.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/pgtable.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/vmm.h"

CMDLINE_PARAM(nohugepages, "map the kernel with 4 KiB pages only (same as pagesize=4k)");
CMDLINE_PARAM(pagesize, "largest page for the kernel's tables: 4k, 2m or 1g (default: the CPU's)");

/* boot/boot32.S: the page below the boot stack. */
extern char _boot_stack_guard[];

static inline void write_cr0(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* The leaf sizes the kernel's tables may use: what the CPU has, capped by the command line. */
static uint64_t kernel_page_sizes(void)
{
	uint64_t sizes = VMM_PAGE_SIZES_ALL;
	const char *ps = cmdline_get("pagesize");

	if (!cpu_has(X86_FEATURE_PDPE1GB))
		sizes &= ~PAGE_SIZE_1G;
	if (cmdline_has("nohugepages") || (ps && (!strcmp(ps, "4k") || !strcmp(ps, "4K"))))
		sizes = PAGE_SIZE_4K;
	else if (ps && (!strcmp(ps, "2m") || !strcmp(ps, "2M")))
		sizes &= ~PAGE_SIZE_1G;
	else if (ps && strcmp(ps, "1g") && strcmp(ps, "1G"))
		pr_warn("paging: ignoring pagesize=%s (want 4k, 2m or 1g)\n", ps);
	return sizes;
}

static void enable_paging_features(void)
{
	if (!cpu_has(X86_FEATURE_NX))
		panic("paging: this CPU has no NX bit, so W^X cannot be enforced; "
		      "use a CPU that has it (QEMU: -cpu qemu64 or max)");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | X86_CR0_WP);
	if (cpu_has(X86_FEATURE_PGE))
		write_cr4(read_cr4() | X86_CR4_PGE);
}

/* Boot cannot go on without these mappings: any failure is fatal, and said so. */
static void map_or_panic(uintptr_t va, uint64_t pa, uint64_t size, unsigned prot, const char *what)
{
	int err = vmm_map(&kernel_space, va, pa, size, prot);
	if (err)
		panic("paging: cannot map %s [0x%lx, +0x%lx) -> 0x%lx: error %d", what,
		      (unsigned long)va, (unsigned long)size, (unsigned long)pa, err);
}

static void map_direct(void)
{
	for (unsigned i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		uint64_t start = ALIGN_UP(r->base, PAGE_SIZE_4K);
		uint64_t end = ALIGN_DOWN(r->base + r->size, PAGE_SIZE_4K);
		if (start < end)
			map_or_panic(DIRECT_MAP_BASE + start, start, end - start,
				     VM_READ | VM_WRITE | VM_GLOBAL, "the direct map");
	}
}

static void map_image_part(const char *start, const char *end, unsigned prot, const char *what)
{
	uintptr_t s = ALIGN_DOWN((uintptr_t)start, PAGE_SIZE_4K);
	uintptr_t e = ALIGN_UP((uintptr_t)end, PAGE_SIZE_4K);
	if (s < e)
		map_or_panic(s, __pa_symbol((void *)s), e - s, prot | VM_GLOBAL, what);
}

/* The image in address order; linker.ld puts each part on its own pages. */
static void map_image(void)
{
	map_image_part(_kernel_start, _text_start, VM_READ, "the boot code");
	map_image_part(_text_start, _text_end, VM_READ | VM_EXEC, ".text");
	map_image_part(_text_end, _rodata_start, VM_READ, "the gap after .text");
	map_image_part(_rodata_start, _rodata_end, VM_READ, ".rodata");
	map_image_part(_rodata_end, _data_start, VM_READ, "the gap after .rodata");
	map_image_part(_data_start, _kernel_end, VM_READ | VM_WRITE, ".data and .bss");
}

void paging_init(void)
{
	uint64_t sizes = kernel_page_sizes();

	if (vmm_space_init(&kernel_space, "kernel", sizes))
		panic("paging: no memory for the kernel's PML4");
	map_direct();
	map_image();
	if (vmm_guard_page(&kernel_space, (uintptr_t)_boot_stack_guard))
		panic("paging: cannot set up the boot stack's guard page");

	enable_paging_features();
	arch_write_cr3(kernel_space.pml4_phys);
	arch_flush_tlb_all(); /* the boot tables' entries, global ones included */
	if (gdt_alloc_ist_stacks(0))
		pr_warn("paging: the boot CPU keeps its unguarded static IST stacks\n");

	pr_info("paging: kernel tables loaded (pages: %s%s4K; NX, WP, PGE on; no identity map)\n",
		(sizes & PAGE_SIZE_1G) ? "1G " : "", (sizes & PAGE_SIZE_2M) ? "2M " : "");
	vmm_dump_layout(&kernel_space);
}

/* The #PF report's hook (arch/x86_64/traps.c): the walk of CR2 through the live tables. */
void arch_pf_report_walk(uint64_t cr2)
{
	vmm_dump_walk_phys(arch_read_cr3(), cr2);
}
