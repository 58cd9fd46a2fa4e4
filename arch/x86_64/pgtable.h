/*
 * pgtable.h - the x86_64 page-table entry format (4-level paging, 48-bit
 * virtual addresses), as plain C definitions with no instructions in them, so
 * the portable walker (mm/vmm.c) uses the same header in the kernel and in the
 * hosted build, where the tables are ordinary memory.
 *
 * Every table, at every level, is one 4 KiB page of 512 eight-byte entries.
 * Level 4 (PML4) entries point to level-3 tables (PDPT), level 3 to level 2
 * (PD), level 2 to level 1 (PT). An entry at level 3 or 2 with PS set is a
 * leaf: it maps a 1 GiB or 2 MiB page directly. Level-1 entries are always
 * leaves (4 KiB pages). The effective permission of a translation is the
 * AND of the permissions along the path (the OR for NX), so upper-level
 * entries are made permissive and the leaf decides.
 *
 * Linux calls the levels pgd/pud/pmd/pte (p4d folded); we name them by the
 * SDM's names, with a level number: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
 */
#ifndef ARCH_X86_64_PGTABLE_H
#define ARCH_X86_64_PGTABLE_H

#include <stdint.h>

#define PT_LEVELS     4
#define PT_ENTRIES    512
#define PT_INDEX_BITS 9
#define PT_PAGE_SHIFT 12
#define VA_BITS	      48 /* without LA57 */

/* Entry bits (Intel SDM vol. 3, 4.5). */
#define _PAGE_PRESENT	(1ULL << 0)
#define _PAGE_RW	(1ULL << 1) /* writable */
#define _PAGE_USER	(1ULL << 2) /* user-mode accessible */
#define _PAGE_PWT	(1ULL << 3) /* write-through */
#define _PAGE_PCD	(1ULL << 4) /* cache disable (PCD|PWT = UC with the power-on PAT) */
#define _PAGE_ACCESSED	(1ULL << 5)
#define _PAGE_DIRTY	(1ULL << 6)  /* leaves only */
#define _PAGE_PSE	(1ULL << 7)  /* level 3/2: this entry is a 1 GiB / 2 MiB leaf */
#define _PAGE_PAT	(1ULL << 7)  /* level 1: PAT index bit 2 (never set here) */
#define _PAGE_GLOBAL	(1ULL << 8)  /* leaves only: survives CR3 reloads (needs CR4.PGE) */
#define _PAGE_PAT_LARGE (1ULL << 12) /* level 3/2 leaves: PAT bit (never set here) */
#define _PAGE_NX	(1ULL << 63) /* no execute (needs EFER.NXE) */

/* Physical address bits 12..51 of an entry. Large leaves use the high part only. */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* The bits vmm.c derives from a protection; everything else is structure. */
#define PTE_PROT_MASK (_PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_GLOBAL | _PAGE_NX)

static inline unsigned pt_level_shift(int level)
{
	return PT_PAGE_SHIFT + PT_INDEX_BITS * (unsigned)(level - 1);
}

/* Bytes one entry at this level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline uint64_t pt_level_size(int level)
{
	return 1ULL << pt_level_shift(level);
}

static inline unsigned pt_index(uintptr_t va, int level)
{
	return (unsigned)(va >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

static inline int pte_present(uint64_t e)
{
	return (e & _PAGE_PRESENT) != 0;
}

/* A present entry maps memory (rather than pointing at a lower table). */
static inline int pte_leaf(uint64_t e, int level)
{
	return level == 1 || (e & _PAGE_PSE);
}

/* The physical address a present entry holds: next table, or the page it maps. */
static inline uint64_t pte_addr(uint64_t e, int level)
{
	if (level > 1 && (e & _PAGE_PSE))
		return e & PTE_ADDR_MASK & ~(pt_level_size(level) - 1);
	return e & PTE_ADDR_MASK;
}

/* Canonical: bits 63..47 all copies of bit 47. */
static inline int va_canonical(uint64_t va)
{
	int64_t s = (int64_t)(va << (64 - VA_BITS)) >> (64 - VA_BITS);
	return (uint64_t)s == va;
}

/* The lower (user) half of the canonical address space. */
static inline int va_user_half(uint64_t va)
{
	return va < (1ULL << (VA_BITS - 1));
}

#endif
