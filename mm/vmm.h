/*
 * vmm.h - the page-table API: map, unmap, protect and translate ranges in a
 * 4-level x86_64 address space, with 4 KiB, 2 MiB and 1 GiB pages.
 * The portable walker is mm/vmm.c; the x86 entry bits are in
 * arch/x86_64/pgtable.h.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include "kernel/compiler.h"
#include "kernel/spinlock.h"

/* Protections (combine with |). VM_READ is implied by any mapping on x86. */
#define VM_READ    0x01u
#define VM_WRITE   0x02u
#define VM_EXEC    0x04u
#define VM_USER    0x08u
#define VM_NOCACHE 0x10u
#define VM_GLOBAL  0x20u

#define PAGE_SIZE_4K (1ULL << 12)
#define PAGE_SIZE_2M (1ULL << 21)
#define PAGE_SIZE_1G (1ULL << 30)

/* Virtual layout (see docs/): the direct map of all RAM, and the kernel image. */
#define DIRECT_MAP_BASE 0xffff888000000000ULL
#define KERNEL_VMA_BASE 0xffffffff80000000ULL

struct vmm_space {
	uint64_t *pml4;      /* direct-map address of the top-level table */
	uint64_t pml4_phys;
	spinlock_t lock;     /* serialises changes to this space's tables */
	unsigned long nr_pt_pages; /* page-table pages, the PML4 included */
};

struct vmm_translation {
	uint64_t pa;      /* physical address va maps to */
	unsigned prot;    /* VM_* */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
};

/* The kernel's address space (built by paging_init). */
extern struct vmm_space kernel_space;

/*
 * Map [va, va+size) to [pa, pa+size) with prot, using the largest page size
 * alignment allows. va, pa and size page-aligned; va canonical. Returns 0;
 * -EINVAL (unaligned, non-canonical, size 0 or wrapping), -EEXIST (some page
 * already mapped) or -ENOMEM (out of page-table pages). On any error the
 * tables are exactly as before.
 */
int vmm_map(struct vmm_space *as, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot);

/*
 * Unmap [va, va+size), splitting large pages that the range covers only in
 * part, freeing page-table pages that become empty and flushing the TLB.
 * Unmapped holes inside the range are allowed. Returns 0, -EINVAL or -ENOMEM
 * (a split needed a page and none was left; nothing changed).
 */
int vmm_unmap(struct vmm_space *as, uintptr_t va, uint64_t size);

/* Change the protection of a fully mapped range; -ENOENT if part is unmapped. */
int vmm_protect(struct vmm_space *as, uintptr_t va, uint64_t size, unsigned prot);

/* Look va up; 0 and *out filled, or -ENOENT when unmapped. */
int vmm_translate(struct vmm_space *as, uintptr_t va, struct vmm_translation *out);

/*
 * Build the kernel's own tables from the buddy allocator (direct map of all
 * RAM, the image with per-section permissions) and switch to them.
 */
void paging_init(void);

#endif
