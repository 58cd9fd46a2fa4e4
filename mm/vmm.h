/*
 * vmm.h - the page-table API: map, unmap, protect and translate ranges in a
 * 4-level x86_64 address space, with 4 KiB, 2 MiB and 1 GiB pages.
 * The portable walker is mm/vmm.c; the x86 entry bits are in
 * arch/x86_64/pgtable.h.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include "kernel/compiler.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"

/* Protections (combine with |). VM_READ is implied by any mapping on x86. */
#define VM_READ	   0x01u
#define VM_WRITE   0x02u
#define VM_EXEC	   0x04u
#define VM_USER	   0x08u
#define VM_NOCACHE 0x10u
#define VM_GLOBAL  0x20u

#define PAGE_SIZE_4K (1ULL << 12)
#define PAGE_SIZE_2M (1ULL << 21)
#define PAGE_SIZE_1G (1ULL << 30)

/* Leaf sizes a space may use: the OR of the sizes (PAGE_SIZE_4K is always on). */
#define VMM_PAGE_SIZES_ALL (PAGE_SIZE_4K | PAGE_SIZE_2M | PAGE_SIZE_1G)

/*
 * Virtual layout (see docs/), Linux's addresses:
 *   0x0000000000000000 - 0x00007fffffffffff  user half (nothing mapped; page 0 never)
 *   0xffff888000000000 - ...                 direct map of all RAM (DIRECT_MAP_BASE)
 *   0xffffc90000000000 - 0xffffe8ffffffffff  scratch region for tests (VMM_SCRATCH_BASE,
 *                                            Linux's vmalloc area)
 *   0xfffffe0000000000 - + 1 GiB             the CPU window: local APIC registers and
 *                                            guarded kernel stacks (arch/x86_64/smp.h)
 *   0xffffffff80000000 - ...                 kernel image at KERNEL_VMA_BASE + physical
 */
#define DIRECT_MAP_BASE	 0xffff888000000000ULL
#define VMM_SCRATCH_BASE 0xffffc90000000000ULL
#define VMM_SCRATCH_END	 0xffffe90000000000ULL
#define CPU_WINDOW_BASE	 0xfffffe0000000000ULL
#define CPU_WINDOW_END	 (CPU_WINDOW_BASE + 0x40000000ULL)
#define KERNEL_VMA_BASE	 0xffffffff80000000ULL

/*
 * More leaf entries than this changed by one call and the TLB is flushed
 * whole (a CR3 reload, plus a CR4.PGE toggle for global entries) instead of
 * one invlpg per entry: past a few dozen invlpgs, refilling the TLB costs
 * less than the invalidations (Linux's tlb_single_page_flush_ceiling is 33).
 */
#define VMM_FLUSH_THRESHOLD 32

struct vmm_space {
	uint64_t *pml4; /* direct-map address of the top-level table */
	uint64_t pml4_phys;
	spinlock_t lock;	   /* serialises changes to this space's tables */
	unsigned long nr_pt_pages; /* page-table pages, the PML4 included */
	uint64_t page_sizes;	   /* leaf sizes allowed: OR of PAGE_SIZE_4K/2M/1G */
	const char *name;
	struct list_head node; /* on the list of live spaces (for the checker) */
};

struct vmm_translation {
	uint64_t pa;	    /* physical address va maps to */
	unsigned prot;	    /* VM_* */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
};

/* The kernel's address space (built by paging_init). */
extern struct vmm_space kernel_space;

/* Event counts since boot (relaxed atomics), for tests and the monitor. */
struct vmm_stats {
	unsigned long flush_page;   /* single-entry TLB invalidations (invlpg) */
	unsigned long flush_all;    /* full TLB flushes (past VMM_FLUSH_THRESHOLD) */
	unsigned long splits;	    /* large pages split into a table of smaller ones */
	unsigned long tables_freed; /* page-table pages freed because they became empty */
};
extern struct vmm_stats vmm_stats;

/*
 * Set up an empty space (a zeroed PML4 from the buddy allocator) that may
 * use the leaf sizes in page_sizes (VMM_PAGE_SIZES_ALL, or fewer for study;
 * 4 KiB pages are always allowed, other bits ignored). Returns 0, -EINVAL
 * (1 GiB pages without 2 MiB ones: a 1 GiB page splits into 2 MiB pages)
 * or -ENOMEM; on an error nothing is kept and as is not a space. The space
 * is not loaded into CR3.
 */
int vmm_space_init(struct vmm_space *as, const char *name, uint64_t page_sizes);

/* Free every page-table page of as (not the memory it maps). as must not be live in CR3. */
void vmm_space_destroy(struct vmm_space *as);

/*
 * Map [va, va+size) to [pa, pa+size) with prot, using the largest page size
 * alignment allows. va, pa and size page-aligned; va canonical. Returns 0;
 * -EINVAL (unaligned, non-canonical, size 0 or wrapping, pa beyond MAXPHYADDR,
 * writable and executable at once (W^X), VM_USER in the kernel half, an
 * unknown prot bit, or as NULL or uninitialised),
 * -EEXIST (some page already mapped) or -ENOMEM (out of page-table pages).
 * On any error the tables are exactly as before.
 */
int vmm_map(struct vmm_space *as, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot);

/*
 * Unmap [va, va+size), splitting large pages that the range covers only in
 * part, freeing page-table pages that become empty and flushing the TLB.
 * Unmapped holes inside the range are allowed. Returns 0, -EINVAL (the range
 * checks of vmm_map, or a NULL or uninitialised space) or -ENOMEM (a split
 * needed a page and none was left); on any error nothing changed.
 */
int vmm_unmap(struct vmm_space *as, uintptr_t va, uint64_t size);

/*
 * Change the protection of a fully mapped range, splitting large pages it
 * covers in part (unless they have that protection already). Returns 0;
 * -ENOENT if part is unmapped, -EINVAL as for vmm_map, -ENOMEM (a split found
 * no page); on error nothing changed.
 */
int vmm_protect(struct vmm_space *as, uintptr_t va, uint64_t size, unsigned prot);

/*
 * Make the 4 KiB page containing va a guard page: unmap it (splitting a large
 * page if need be) and mark the page frame that was mapped there PG_guard
 * (when it is RAM with a struct page). For the page below a kernel stack.
 * Returns 0 (also when nothing was mapped there: nothing is marked) or
 * vmm_unmap's error.
 */
int vmm_guard_page(struct vmm_space *as, uintptr_t va);

/* Look va up; 0 and *out filled, or -ENOENT when unmapped (or va non-canonical, or as NULL or uninitialised). */
int vmm_translate(struct vmm_space *as, uintptr_t va, struct vmm_translation *out);

/*
 * Call fn for every leaf mapping that overlaps [start, last] (last inclusive,
 * so the whole space is 0..UINTPTR_MAX; start > last is an empty range), in
 * ascending address order, with the leaf's own base, physical address and
 * size. A non-zero return from fn stops the walk and is returned; otherwise
 * 0 (also for a NULL or uninitialised space). The space's lock is held: fn
 * must not change it.
 */
int vmm_walk_leaves(struct vmm_space *as, uintptr_t start, uintptr_t last,
		    int (*fn)(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot),
		    void *arg);

/* Print the walk of va: the entry at each level with its flags decoded (monitor `walk`). */
void vmm_dump_walk(struct vmm_space *as, uintptr_t va);
/* The same, through the tables whose PML4 is at physical pml4_phys (e.g. CR3 in a fault). */
void vmm_dump_walk_phys(uint64_t pml4_phys, uintptr_t va);

/*
 * Print the layout of as: ranges with equal protection merged, the page sizes
 * in each, and the page-table pages used (monitor `map`).
 */
void vmm_dump_layout(struct vmm_space *as);

/*
 * Verify as's tables: every table page is PG_pgtable and counted, its count
 * of present entries (page->private[0]) is right, no table but the PML4 is
 * empty, no leaf is writable and executable, no reserved bit is set. Prints
 * each problem; returns how many.
 */
unsigned vmm_check(struct vmm_space *as);

/*
 * Test hook (fault injection): after n more page-table page allocations
 * succeed, the following ones fail as if the buddy allocator were empty.
 * n < 0 turns it off (the default).
 */
void vmm_test_fail_after(long n);

/*
 * Build the kernel's own tables from the buddy allocator (direct map of all
 * RAM, the image with per-section permissions) and switch to them.
 */
void paging_init(void);

#endif
