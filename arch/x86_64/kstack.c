/*
 * kstack.c - kernel stacks with a guard page below each (see kstack.h).
 *
 * A stack overflow on x86 runs downwards, silently, into whatever lies
 * below: unless the page below is unmapped, in which case the first push
 * past the bottom is a page fault (and, since that fault cannot be pushed
 * on the same stack, a double fault on its IST stack, which reports it).
 * Linux gets the hole from vmalloc (CONFIG_VMAP_STACK) and from the layout
 * of its cpu_entry_area; here a region of the CPU window (arch/x86_64/smp.h)
 * is handed out upwards by a bump pointer, one unmapped page and then the
 * stack each time:
 *
 *     CPU_STACKS_BASE: guard | stack | guard | stack | ... | (not yet used)
 *
 * The guard pages are never mapped, so nothing has to be done to keep them
 * holes; the page above a stack is the next one's guard, so running off the
 * top faults too. The stack's pages are one physically contiguous block
 * from the buddy allocator (so size is a power of two pages), mapped
 * read/write, no-execute and global: every CPU's page tables show every
 * stack, as with any kernel memory.
 *
 * Virtual addresses are never reused: kernel stacks live as long as their
 * CPU (there is no CPU hot-unplug), kstack_free exists for error paths, and
 * the region has room for thousands of stacks against the 4 * NR_CPUS that
 * the CPUs need.
 */
#include "arch/x86_64/kstack.h"
#include "arch/x86_64/smp.h"
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/vmm.h"

/* Where the next guard page goes: everything below is handed out, everything above unused. */
static uintptr_t kstack_next = CPU_STACKS_BASE;

uintptr_t kstack_alloc(uint64_t size, const char *what)
{
	if (size < PAGE_SIZE_4K || (size & (size - 1)) ||
	    size > (CPU_STACKS_END - CPU_STACKS_BASE)) {
		pr_err("kstack: %s: bad stack size %#llx (a power of two, at least 4 KiB)\n", what,
		       (unsigned long long)size);
		return 0;
	}
	uintptr_t guard = __atomic_fetch_add(&kstack_next, PAGE_SIZE_4K + size, __ATOMIC_RELAXED);
	if (guard > CPU_STACKS_END - PAGE_SIZE_4K - size) {
		pr_err("kstack: %s: the stack area [%#llx, %#llx) is full\n", what,
		       (unsigned long long)CPU_STACKS_BASE, (unsigned long long)CPU_STACKS_END);
		return 0;
	}
	uintptr_t bottom = guard + PAGE_SIZE_4K;

	unsigned order = ilog2_u64(size / PAGE_SIZE_4K);
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page) {
		pr_err("kstack: no memory for %s (%llu KiB)\n", what,
		       (unsigned long long)(size >> 10));
		return 0;
	}
	int err = vmm_map(&kernel_space, bottom, page_to_phys(page), size,
			  VM_READ | VM_WRITE | VM_GLOBAL);
	if (err) {
		pr_err("kstack: cannot map %s at %#lx (error %d)\n", what, (unsigned long)bottom,
		       err);
		__free_pages(page, order);
		return 0;
	}
	return bottom + size;
}

void kstack_free(uintptr_t top, uint64_t size)
{
	struct vmm_translation tr;
	uintptr_t bottom = top - size;

	if (top < CPU_STACKS_BASE + PAGE_SIZE_4K + size || top > CPU_STACKS_END ||
	    vmm_translate(&kernel_space, bottom, &tr)) {
		pr_err("kstack: %#lx (size %#llx) is not a kernel stack: not freed\n",
		       (unsigned long)top, (unsigned long long)size);
		return;
	}
	if (vmm_unmap(&kernel_space, bottom, size)) {
		pr_err("kstack: cannot unmap the stack at %#lx: not freed\n",
		       (unsigned long)bottom);
		return;
	}
	__free_pages(phys_to_page(tr.pa), ilog2_u64(size / PAGE_SIZE_4K));
}
