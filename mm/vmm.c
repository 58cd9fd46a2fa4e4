/*
 * vmm.c - the page-table walker: map, unmap, protect and translate ranges of
 * a 4-level x86_64 address space, with 4 KiB, 2 MiB and 1 GiB pages.
 *
 * The tables are a radix tree with 512-way nodes (arch/x86_64/pgtable.h).
 * Every operation is one recursive walk over the range, the same code at
 * every level: at each entry the range either covers the entry's whole span
 * (a leaf can be written or dropped right there) or only part of it (descend,
 * creating or splitting a table on the way).
 *
 * Never half done. Every change that needs memory runs in two passes under
 * the space's lock:
 *   1. a dry run walks the range, checks it (-EEXIST, -ENOENT) and counts the
 *      table pages the change will need; they are all allocated up front
 *      (-ENOMEM returns here, before anything changed);
 *   2. the commit pass makes the change and cannot fail: it takes its tables
 *      from the preallocated list.
 * Mapping needs a table wherever the range covers part of an empty entry;
 * unmapping and protecting need one per large page split, which happens only
 * at the two ends of the range, so their count (at most four) comes from
 * walking down to the two edge addresses.
 *
 * Invariants (vmm_check verifies them):
 *   - every table page is PG_pgtable, counted in as->nr_pt_pages and in
 *     vm_stat[NR_PAGETABLE]; page->private[0] holds the number of present
 *     entries in it (so "did this table just become empty?" is O(1)) and
 *     page->private[1] its level;
 *   - no table but the PML4 is empty: unmap frees a table the moment its
 *     last entry goes, after the TLB flush (so no CPU can still be walking it);
 *   - no leaf is writable and executable (W^X is refused at the API).
 * Entries above the leaves are permissive (present, writable, and user in the
 * user half); the leaf alone decides the protection.
 *
 * TLB: a new mapping over a non-present entry needs no flush (x86 does not
 * cache non-present entries). Every leaf removed or changed is queued; up to
 * VMM_FLUSH_THRESHOLD of them get one invlpg each (an invlpg of any address
 * in a large page drops that page's entries, and also every cached
 * upper-level entry), more get one full flush. The flush is one call at the
 * end of the operation, after every table change and before any emptied
 * table is freed, so with several CPUs online an operation costs one
 * shootdown round trip (the other CPUs do the same invlpgs, or the same
 * full flush), not one per page. Only the space loaded in CR3 (or
 * kernel_space, whose mappings every CPU uses) is flushed.
 */
#include "arch/x86_64/pgtable.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/vmm.h"
#include "mm/vmstat.h"

struct vmm_space kernel_space = {
	.lock = SPINLOCK_INIT,
	.name = "kernel",
	.node = LIST_HEAD_INIT(kernel_space.node),
};

struct vmm_stats vmm_stats;

/* Every initialised space, for the invariant checker. */
static LIST_HEAD(vmm_spaces);
static spinlock_t vmm_spaces_lock = SPINLOCK_INIT;

/* Fault injection (vmm_test_fail_after): table allocations left before failing; -1 = off. */
static long fail_after = -1;

static const char *const level_name[PT_LEVELS + 1] = { "", "PT", "PD", "PDPT", "PML4" };

#define stat_inc(field, n) __atomic_fetch_add(&vmm_stats.field, (n), __ATOMIC_RELAXED)

/* ---- table pages ---- */

static inline struct page *table_page(const uint64_t *table)
{
	return virt_to_page(table);
}

/* Present entries in a table (page->private[0]). */
static inline unsigned long table_count(const uint64_t *table)
{
	return table_page(table)->private[0];
}

static inline void table_count_add(uint64_t *table, long delta)
{
	table_page(table)->private[0] += (unsigned long)delta;
}

static inline uint64_t *table_at(uint64_t entry, int level)
{
	return __va(pte_addr(entry, level));
}

/* A zeroed table page, accounted to as; NULL when the buddy allocator (or the test hook) says no. */
static uint64_t *alloc_table(struct vmm_space *as)
{
	if (unlikely(fail_after >= 0)) {
		if (fail_after == 0)
			return NULL;
		fail_after--;
	}
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!page)
		return NULL;
	page->flags |= PG_pgtable;
	page->private[0] = 0;
	page->private[1] = 0;
	as->nr_pt_pages++;
	mod_vm_stat(NR_PAGETABLE, 1);
	return page_address(page);
}

static void free_table(struct vmm_space *as, struct page *page)
{
	page->flags &= ~PG_pgtable;
	page->private[0] = 0;
	page->private[1] = 0;
	as->nr_pt_pages--;
	mod_vm_stat(NR_PAGETABLE, -1);
	__free_page(page);
}

void vmm_test_fail_after(long n)
{
	fail_after = n < 0 ? -1 : n;
}

/* ---- entries ---- */

static inline void set_entry(uint64_t *slot, uint64_t value)
{
	WRITE_ONCE(*slot, value); /* one 8-byte store: a concurrent hardware walk sees old or new */
}

/*
 * The entry bits of a 4 KiB leaf with protection prot. Accessed is preset (and
 * Dirty on writable pages) so the CPU never has to write them back.
 */
static uint64_t prot_to_bits(unsigned prot)
{
	uint64_t bits = _PAGE_PRESENT | _PAGE_ACCESSED;
	if (prot & VM_WRITE)
		bits |= _PAGE_RW | _PAGE_DIRTY;
	if (!(prot & VM_EXEC))
		bits |= _PAGE_NX;
	if (prot & VM_USER)
		bits |= _PAGE_USER;
	if (prot & VM_NOCACHE)
		bits |= _PAGE_PCD | _PAGE_PWT;
	if (prot & VM_GLOBAL)
		bits |= _PAGE_GLOBAL;
	return bits;
}

static unsigned bits_to_prot(uint64_t e)
{
	unsigned prot = VM_READ;
	if (e & _PAGE_RW)
		prot |= VM_WRITE;
	if (!(e & _PAGE_NX))
		prot |= VM_EXEC;
	if (e & _PAGE_USER)
		prot |= VM_USER;
	if (e & _PAGE_PCD)
		prot |= VM_NOCACHE;
	if (e & _PAGE_GLOBAL)
		prot |= VM_GLOBAL;
	return prot;
}

static inline uint64_t leaf_entry(uint64_t pa, uint64_t bits, int level)
{
	return pa | bits | (level > 1 ? _PAGE_PSE : 0);
}

/* An entry pointing at a lower table: permissive, the leaves decide. */
static inline uint64_t table_entry(const uint64_t *table, uintptr_t va)
{
	uint64_t e = __pa(table) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED;
	if (va_user_half(va))
		e |= _PAGE_USER;
	return e;
}

/* ---- one operation's state ---- */

struct vmm_op {
	struct vmm_space *as;
	uint64_t bits;		/* map/protect: leaf bits for a 4 KiB page */
	uint64_t delta;		/* map: pa - va (modulo 2^64) */
	unsigned long need;	/* dry run: table pages the commit will take */
	struct page_list spare; /* preallocated table pages */
	struct page_list dead;	/* emptied tables, freed after the TLB flush */
	uintptr_t bad_va;	/* dry run: where the range failed its check */
	unsigned long nflush;	/* leaf entries removed or changed */
	uintptr_t flush_va[VMM_FLUSH_THRESHOLD];
};

static void op_init(struct vmm_op *op, struct vmm_space *as)
{
	memset(op, 0, sizeof(*op));
	op->as = as;
	page_list_init(&op->spare);
	page_list_init(&op->dead);
}

static int op_prealloc(struct vmm_op *op)
{
	for (unsigned long n = 0; n < op->need; n++) {
		uint64_t *t = alloc_table(op->as);
		if (!t) {
			struct page *p;
			while ((p = page_list_first(&op->spare))) {
				page_list_del(&op->spare, p);
				free_table(op->as, p);
			}
			return -ENOMEM;
		}
		page_list_add(&op->spare, table_page(t));
	}
	return 0;
}

static uint64_t *op_take_table(struct vmm_op *op, int level)
{
	struct page *p = page_list_first(&op->spare);
	BUG_ON(!p); /* the dry run counted every table the commit takes */
	page_list_del(&op->spare, p);
	p->private[1] = (uintptr_t)level;
	return page_address(p);
}

static void op_queue_flush(struct vmm_op *op, uintptr_t va)
{
	if (op->nflush < VMM_FLUSH_THRESHOLD)
		op->flush_va[op->nflush] = va;
	op->nflush++;
}

static bool space_live(struct vmm_space *as)
{
	return as == &kernel_space || (arch_read_cr3() & PTE_ADDR_MASK) == as->pml4_phys;
}

/* Flush the TLB for what the commit changed, then free emptied tables and unused spares. */
static void op_finish(struct vmm_op *op)
{
	struct page *p;

	if (op->nflush && space_live(op->as)) {
		/* One call either way: every CPU's TLB in a single round trip. */
		if (op->nflush > VMM_FLUSH_THRESHOLD) {
			arch_flush_tlb_all();
			stat_inc(flush_all, 1);
		} else {
			arch_flush_tlb_pages(op->flush_va, (unsigned)op->nflush);
			stat_inc(flush_page, op->nflush);
		}
	}
	while ((p = page_list_first(&op->dead))) {
		page_list_del(&op->dead, p);
		free_table(op->as, p);
		stat_inc(tables_freed, 1);
	}
	WARN(!page_list_empty(&op->spare), "vmm: the dry run over-counted table pages\n");
	while ((p = page_list_first(&op->spare))) {
		page_list_del(&op->spare, p);
		free_table(op->as, p);
	}
}

/* ---- argument checks ---- */

static const char *range_problem(uintptr_t va, uint64_t size, uintptr_t *last)
{
	if (size == 0)
		return "empty range";
	if (!IS_ALIGNED(va, PAGE_SIZE_4K) || !IS_ALIGNED(size, PAGE_SIZE_4K))
		return "not page-aligned";
	*last = va + size - 1;
	if (*last < va)
		return "wraps around the address space";
	if (!va_canonical(va) || !va_canonical(*last) || va_user_half(va) != va_user_half(*last))
		return "not canonical";
	return NULL;
}

static const char *prot_problem(uintptr_t va, unsigned prot)
{
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return "writable and executable (W^X)";
	if ((prot & VM_USER) && !va_user_half(va))
		return "VM_USER in the kernel half";
	if (prot & ~(VM_READ | VM_WRITE | VM_EXEC | VM_USER | VM_NOCACHE | VM_GLOBAL))
		return "unknown protection bits";
	return NULL;
}

static int bad_call(const char *what, uintptr_t va, uint64_t size, const char *why, int err)
{
	pr_err("vmm: %s [0x%lx, +0x%lx): %s\n", what, (unsigned long)va, (unsigned long)size, why);
	return err;
}

static bool space_ready(struct vmm_space *as, const char *what)
{
	if (likely(as && as->pml4))
		return true;
	pr_err("vmm: %s on an uninitialised address space\n", what);
	return false;
}

/* ---- map ---- */

/*
 * Map [va, last] within the entries of table (a table at level). In the dry
 * run table is NULL below a table that does not exist yet (every entry
 * empty), and the function counts tables and finds conflicts; in the commit
 * it writes. Returns 0 or -EEXIST (dry run only).
 */
static int map_walk(struct vmm_op *op, uint64_t *table, int level, uintptr_t va, uintptr_t last,
		    bool commit)
{
	uint64_t size = pt_level_size(level);
	bool may_leaf = level == 1 || (op->as->page_sizes & size);
	long added = 0;

	if (!table && level == 1)
		return 0; /* a future page table: nothing to check, nothing to count */
	for (unsigned i = pt_index(va, level);; i++) {
		uintptr_t end = MIN(last, va | (size - 1));
		uint64_t e = table ? table[i] : 0;

		if (pte_present(e)) {
			if (pte_leaf(e, level)) {
				op->bad_va = va;
				return -EEXIST;
			}
			int err = map_walk(op, table_at(e, level), level - 1, va, end, commit);
			if (err)
				return err;
		} else if (may_leaf && IS_ALIGNED(va, size) && end - va == size - 1 &&
			   IS_ALIGNED(va + op->delta, size)) {
			if (commit) {
				set_entry(&table[i], leaf_entry(va + op->delta, op->bits, level));
				added++;
			}
		} else {
			uint64_t *child = NULL;
			if (commit) {
				child = op_take_table(op, level - 1);
				set_entry(&table[i], table_entry(child, va));
				added++;
			} else {
				op->need++;
			}
			/* Everything below is empty: this cannot fail. */
			map_walk(op, child, level - 1, va, end, commit);
		}
		if (end == last)
			break;
		va = end + 1;
	}
	if (added)
		table_count_add(table, added);
	return 0;
}

int vmm_map(struct vmm_space *as, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	const char *why;
	uintptr_t last;
	unsigned long flags;
	struct vmm_op op;
	int err;

	if (!space_ready(as, "map"))
		return -EINVAL;
	if ((why = range_problem(va, size, &last)) || (why = prot_problem(va, prot)))
		return bad_call("map", va, size, why, -EINVAL);
	if (!IS_ALIGNED(pa, PAGE_SIZE_4K) || pa + size - 1 < pa ||
	    ((pa + size - 1) >> arch_phys_addr_bits()) != 0)
		return bad_call("map", va, size, "physical range unaligned or beyond MAXPHYADDR",
				-EINVAL);

	op_init(&op, as);
	op.bits = prot_to_bits(prot);
	op.delta = pa - va;

	spin_lock_irqsave(&as->lock, flags);
	err = map_walk(&op, as->pml4, PT_LEVELS, va, last, false);
	if (!err)
		err = op_prealloc(&op);
	if (!err) {
		map_walk(&op, as->pml4, PT_LEVELS, va, last, true);
		op_finish(&op);
	}
	spin_unlock_irqrestore(&as->lock, flags);

	if (err == -EEXIST)
		pr_err("vmm: map [0x%lx, +0x%lx): 0x%lx is already mapped\n", (unsigned long)va,
		       (unsigned long)size, (unsigned long)op.bad_va);
	else if (err == -ENOMEM)
		pr_err("vmm: map [0x%lx, +0x%lx): no memory for %lu page-table pages\n",
		       (unsigned long)va, (unsigned long)size, op.need);
	return err;
}

/* ---- splitting, shared by unmap and protect ---- */

/*
 * Replace the large leaf *slot (level 3 or 2, mapping base) by a table of
 * 512 leaves one level down with the same physical pages and bits: the
 * translation of every address is unchanged, so the old large TLB entry may
 * stay until the caller flushes base along with what it changes next.
 */
static void split_leaf(struct vmm_op *op, uint64_t *slot, int level, uintptr_t base)
{
	uint64_t e = *slot;
	uint64_t pa = pte_addr(e, level);
	uint64_t bits = e & ~PTE_ADDR_MASK & ~_PAGE_PSE;
	uint64_t csize = pt_level_size(level - 1);
	uint64_t *child = op_take_table(op, level - 1);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		child[i] = leaf_entry(pa + i * csize, bits, level - 1);
	table_count_add(child, PT_ENTRIES);
	set_entry(slot, table_entry(child, base));
	op_queue_flush(op, base);
	stat_inc(splits, 1);
}

/*
 * Dry run of the splits: a large leaf is split where an edge of the range
 * (va, or last + 1) falls strictly inside it, and again one level down while
 * the edge is still unaligned. The tables are identified by (level, base);
 * the two edges can share one (a hole in the middle of a 1 GiB page), so the
 * at most four candidates are deduplicated. want_split says whether a leaf
 * needs splitting at all (protect skips leaves that already have the bits).
 */
struct split_node {
	int level;
	uintptr_t base;
};

static unsigned count_edge(struct vmm_op *op, uintptr_t x, struct split_node *nodes, unsigned n,
			   bool (*want_split)(struct vmm_op *, uint64_t))
{
	uint64_t *table = op->as->pml4;
	if (!va_canonical(x))
		return n; /* the range ends at the top of its half: no edge there */
	for (int level = PT_LEVELS; level >= 2; level--) {
		uint64_t e = table[pt_index(x, level)];
		if (!pte_present(e))
			return n;
		if (!pte_leaf(e, level)) {
			table = table_at(e, level);
			continue;
		}
		if (!want_split(op, e))
			return n;
		for (int l = level; l >= 2 && !IS_ALIGNED(x, pt_level_size(l)); l--) {
			uintptr_t base = ALIGN_DOWN(x, pt_level_size(l));
			bool seen = false;
			for (unsigned k = 0; k < n; k++)
				seen |= nodes[k].level == l && nodes[k].base == base;
			if (!seen)
				nodes[n++] = (struct split_node){ l, base };
		}
		return n;
	}
	return n;
}

static void count_splits(struct vmm_op *op, uintptr_t va, uintptr_t last,
			 bool (*want_split)(struct vmm_op *, uint64_t))
{
	struct split_node nodes[2 * (PT_LEVELS - 2)];
	unsigned n = count_edge(op, va, nodes, 0, want_split);
	if (last + 1 != 0)
		n = count_edge(op, last + 1, nodes, n, want_split);
	op->need += n;
}

/* ---- unmap ---- */

static bool unmap_wants_split(struct vmm_op *op, uint64_t e)
{
	(void)op;
	(void)e;
	return true;
}

static void unmap_walk(struct vmm_op *op, uint64_t *table, int level, uintptr_t va, uintptr_t last)
{
	uint64_t size = pt_level_size(level);
	long removed = 0;

	for (unsigned i = pt_index(va, level);; i++) {
		uintptr_t end = MIN(last, va | (size - 1));
		uint64_t e = table[i];

		if (pte_present(e)) {
			bool whole = IS_ALIGNED(va, size) && end - va == size - 1;
			if (pte_leaf(e, level) && whole) {
				set_entry(&table[i], 0);
				removed++;
				op_queue_flush(op, va);
			} else {
				if (pte_leaf(e, level)) {
					split_leaf(op, &table[i], level, ALIGN_DOWN(va, size));
					e = table[i];
				}
				uint64_t *child = table_at(e, level);
				unmap_walk(op, child, level - 1, va, end);
				if (table_count(child) == 0) {
					set_entry(&table[i], 0);
					removed++;
					page_list_add(&op->dead, table_page(child));
				}
			}
		}
		if (end == last)
			break;
		va = end + 1;
	}
	if (removed)
		table_count_add(table, -removed);
}

int vmm_unmap(struct vmm_space *as, uintptr_t va, uint64_t size)
{
	const char *why;
	uintptr_t last;
	unsigned long flags;
	struct vmm_op op;
	int err;

	if (!space_ready(as, "unmap"))
		return -EINVAL;
	if ((why = range_problem(va, size, &last)))
		return bad_call("unmap", va, size, why, -EINVAL);

	op_init(&op, as);
	spin_lock_irqsave(&as->lock, flags);
	count_splits(&op, va, last, unmap_wants_split);
	err = op_prealloc(&op);
	if (!err) {
		unmap_walk(&op, as->pml4, PT_LEVELS, va, last);
		op_finish(&op);
	}
	spin_unlock_irqrestore(&as->lock, flags);

	if (err)
		pr_err("vmm: unmap [0x%lx, +0x%lx): no memory to split a large page\n",
		       (unsigned long)va, (unsigned long)size);
	return err;
}

/* ---- protect ---- */

static bool protect_wants_split(struct vmm_op *op, uint64_t e)
{
	return (e & PTE_PROT_MASK) != (op->bits & PTE_PROT_MASK);
}

/* Dry run: the first unmapped address in [va, last], or false when all is mapped. */
static bool find_hole(uint64_t *table, int level, uintptr_t va, uintptr_t last, uintptr_t *hole)
{
	uint64_t size = pt_level_size(level);
	for (unsigned i = pt_index(va, level);; i++) {
		uintptr_t end = MIN(last, va | (size - 1));
		uint64_t e = table[i];
		if (!pte_present(e)) {
			*hole = va;
			return true;
		}
		if (!pte_leaf(e, level) && find_hole(table_at(e, level), level - 1, va, end, hole))
			return true;
		if (end == last)
			return false;
		va = end + 1;
	}
}

static void protect_walk(struct vmm_op *op, uint64_t *table, int level, uintptr_t va,
			 uintptr_t last)
{
	uint64_t size = pt_level_size(level);

	for (unsigned i = pt_index(va, level);; i++) {
		uintptr_t end = MIN(last, va | (size - 1));
		uint64_t e = table[i];

		if (pte_leaf(e, level) && protect_wants_split(op, e)) {
			if (IS_ALIGNED(va, size) && end - va == size - 1) {
				set_entry(&table[i],
					  leaf_entry(pte_addr(e, level), op->bits, level));
				op_queue_flush(op, va);
			} else {
				split_leaf(op, &table[i], level, ALIGN_DOWN(va, size));
				protect_walk(op, table_at(table[i], level), level - 1, va, end);
			}
		} else if (!pte_leaf(e, level)) {
			protect_walk(op, table_at(e, level), level - 1, va, end);
		}
		if (end == last)
			break;
		va = end + 1;
	}
}

int vmm_protect(struct vmm_space *as, uintptr_t va, uint64_t size, unsigned prot)
{
	const char *why;
	uintptr_t last, hole;
	unsigned long flags;
	struct vmm_op op;
	int err = 0;

	if (!space_ready(as, "protect"))
		return -EINVAL;
	if ((why = range_problem(va, size, &last)) || (why = prot_problem(va, prot)))
		return bad_call("protect", va, size, why, -EINVAL);

	op_init(&op, as);
	op.bits = prot_to_bits(prot);
	spin_lock_irqsave(&as->lock, flags);
	if (find_hole(as->pml4, PT_LEVELS, va, last, &hole)) {
		err = -ENOENT;
	} else {
		count_splits(&op, va, last, protect_wants_split);
		err = op_prealloc(&op);
		if (!err) {
			protect_walk(&op, as->pml4, PT_LEVELS, va, last);
			op_finish(&op);
		}
	}
	spin_unlock_irqrestore(&as->lock, flags);

	if (err == -ENOENT)
		pr_err("vmm: protect [0x%lx, +0x%lx): 0x%lx is not mapped\n", (unsigned long)va,
		       (unsigned long)size, (unsigned long)hole);
	else if (err)
		pr_err("vmm: protect [0x%lx, +0x%lx): no memory to split a large page\n",
		       (unsigned long)va, (unsigned long)size);
	return err;
}

int vmm_guard_page(struct vmm_space *as, uintptr_t va)
{
	struct vmm_translation tr;
	bool mapped;
	int err;

	va = ALIGN_DOWN(va, PAGE_SIZE_4K);
	mapped = vmm_translate(as, va, &tr) == 0;
	err = vmm_unmap(as, va, PAGE_SIZE_4K);
	if (err)
		return err;
	if (mapped && mem_map && pfn_valid(PFN_DOWN(tr.pa)))
		pfn_to_page(PFN_DOWN(tr.pa))->flags |= PG_guard;
	return 0;
}

/* ---- lookups ---- */

/* The leaf mapping va and its level, or 0 when unmapped. Lockless: callers lock or accept races. */
static uint64_t lookup(uint64_t *pml4, uintptr_t va, int *level_out)
{
	uint64_t *table = pml4;
	for (int level = PT_LEVELS; level >= 1; level--) {
		uint64_t e = READ_ONCE(table[pt_index(va, level)]);
		if (!pte_present(e))
			return 0;
		if (pte_leaf(e, level)) {
			*level_out = level;
			return e;
		}
		table = table_at(e, level);
	}
	return 0;
}

int vmm_translate(struct vmm_space *as, uintptr_t va, struct vmm_translation *out)
{
	unsigned long flags;
	uint64_t e = 0;
	int level = 0;

	if (!as || !as->pml4 || !va_canonical(va))
		return -ENOENT;
	spin_lock_irqsave(&as->lock, flags);
	e = lookup(as->pml4, va, &level);
	spin_unlock_irqrestore(&as->lock, flags);
	if (!e)
		return -ENOENT;
	uint64_t size = pt_level_size(level);
	out->pa = pte_addr(e, level) + (va & (size - 1));
	out->prot = bits_to_prot(e);
	out->page_size = size;
	return 0;
}

/* Sign-extend a 48-bit address assembled from indices. */
static inline uintptr_t canonical(uintptr_t va)
{
	return (uintptr_t)((int64_t)(va << (64 - VA_BITS)) >> (64 - VA_BITS));
}

typedef int (*leaf_fn)(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot);

static int walk_leaves(uint64_t *table, int level, uintptr_t base, uintptr_t start, uintptr_t last,
		       leaf_fn fn, void *arg)
{
	uint64_t size = pt_level_size(level);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uintptr_t va = canonical(base + i * size);
		uintptr_t va_last = va + (size - 1);
		uint64_t e = table[i];
		int ret;

		if (!pte_present(e) || va_last < start || va > last)
			continue;
		if (pte_leaf(e, level))
			ret = fn(arg, va, pte_addr(e, level), size, bits_to_prot(e));
		else
			ret = walk_leaves(table_at(e, level), level - 1, va, start, last, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int vmm_walk_leaves(struct vmm_space *as, uintptr_t start, uintptr_t last, leaf_fn fn, void *arg)
{
	unsigned long flags;
	int ret;

	if (!as || !as->pml4 || start > last)
		return 0;
	spin_lock_irqsave(&as->lock, flags);
	ret = walk_leaves(as->pml4, PT_LEVELS, 0, start, last, fn, arg);
	spin_unlock_irqrestore(&as->lock, flags);
	return ret;
}

/* ---- reports ---- */

static void decode_entry(char *buf, size_t len, uint64_t e, int level)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ _PAGE_PRESENT, "P" }, { _PAGE_RW, "RW" },   { _PAGE_USER, "US" },
		{ _PAGE_PWT, "PWT" },	{ _PAGE_PCD, "PCD" }, { _PAGE_ACCESSED, "A" },
		{ _PAGE_DIRTY, "D" },	{ _PAGE_PSE, "PS" },  { _PAGE_GLOBAL, "G" },
		{ _PAGE_NX, "NX" },
	};
	size_t n = 0;
	buf[0] = 0;
	for (unsigned k = 0; k < ARRAY_SIZE(names); k++) {
		if (!(e & names[k].bit))
			continue;
		const char *name = names[k].name;
		if (names[k].bit == _PAGE_PSE && level == 1)
			name = "PAT";
		n += (size_t)ksnprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? " " : "", name);
	}
	if (n >= len)
		buf[len - 1] = 0;
}

static const char *size_name(uint64_t size)
{
	return size == PAGE_SIZE_1G ? "1G" : size == PAGE_SIZE_2M ? "2M" : "4K";
}

void vmm_dump_walk_phys(uint64_t pml4_phys, uintptr_t va)
{
	char flags[64], line[192];
	uint64_t table_pa = pml4_phys & PTE_ADDR_MASK;
	uint64_t phys_limit = 1ULL << arch_phys_addr_bits();

	printk("walk of 0x%lx (PML4 at phys 0x%lx):\n", (unsigned long)va, (unsigned long)table_pa);
	if (!va_canonical(va)) {
		printk("  non-canonical address: no translation\n");
		return;
	}
	for (int level = PT_LEVELS; level >= 1; level--) {
		/* A fault report must not fault: read only tables that are RAM. */
		if (mem_map && !pfn_valid(PFN_DOWN(table_pa))) {
			printk("  %s at 0x%lx is not RAM: stopping\n", level_name[level],
			       (unsigned long)table_pa);
			return;
		}
		unsigned idx = pt_index(va, level);
		uint64_t e = READ_ONCE(((uint64_t *)__va(table_pa))[idx]);
		int n = ksnprintf(line, sizeof(line), "  %-4s[%3u] = %016lx  ", level_name[level],
				  idx, (unsigned long)e);
		if (!pte_present(e)) {
			printk("%snot present\n", line);
			return;
		}
		decode_entry(flags, sizeof(flags), e, level);
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, "%-20s", flags);
		if ((e & 0x7ff0000000000000ULL) || (level == 4 && (e & _PAGE_PSE)) ||
		    pte_addr(e, level) >= phys_limit)
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " (reserved bits set)");
		if (pte_leaf(e, level)) {
			uint64_t size = pt_level_size(level);
			printk("%s -> %s page at 0x%lx: va maps to phys 0x%lx\n", line,
			       size_name(size), (unsigned long)pte_addr(e, level),
			       (unsigned long)(pte_addr(e, level) + (va & (size - 1))));
			return;
		}
		table_pa = pte_addr(e, level);
		printk("%s -> %s at 0x%lx\n", line, level_name[level - 1], (unsigned long)table_pa);
	}
}

void vmm_dump_walk(struct vmm_space *as, uintptr_t va)
{
	if (!as || !as->pml4) {
		printk("walk: address space not initialised\n");
		return;
	}
	vmm_dump_walk_phys(as->pml4_phys, va);
}

/* A range of the layout being accumulated: contiguous, one protection. */
struct layout_range {
	uintptr_t start, end; /* end exclusive (0 = the top of the address space) */
	unsigned prot;
	unsigned long count[3]; /* leaves: 4K, 2M, 1G */
	bool open;
	unsigned long total[3];
};

static const char *region_name(uintptr_t va)
{
	if (va_user_half(va))
		return "user half";
	if (va >= DIRECT_MAP_BASE && va < DIRECT_MAP_BASE + (64ULL << 40))
		return "direct map";
	if (va >= VMM_SCRATCH_BASE && va < VMM_SCRATCH_END)
		return "scratch";
	if (va >= CPU_WINDOW_BASE && va < CPU_WINDOW_END)
		return "CPU window (APIC, stacks)";
	if (va >= KERNEL_VMA_BASE)
		return "kernel image";
	return "";
}

/* "636K", "3G": exact in the largest unit that divides; else two decimals ("2.99G"). */
static void print_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGT";
	unsigned u = 0;
	while (u < 3 && (bytes >> (10 * (u + 2))) != 0)
		u++; /* the largest unit with a value of at least 1 */
	uint64_t unit = 1ULL << (10 * (u + 1));
	if (bytes % unit == 0 || u == 0)
		ksnprintf(buf, len, "%lu%c", (unsigned long)(bytes / unit), units[u]);
	else
		ksnprintf(buf, len, "%lu.%02lu%c", (unsigned long)(bytes / unit),
			  (unsigned long)(bytes % unit * 100 / unit), units[u]);
}

static void layout_flush(struct layout_range *r)
{
	char size[16], perms[48];
	if (!r->open)
		return;
	print_size(size, sizeof(size), r->end - r->start);
	ksnprintf(perms, sizeof(perms), "%c%c%c%s%s%s", 'r', (r->prot & VM_WRITE) ? 'w' : '-',
		  (r->prot & VM_EXEC) ? 'x' : '-', (r->prot & VM_USER) ? " user" : "",
		  (r->prot & VM_GLOBAL) ? " global" : "",
		  (r->prot & VM_NOCACHE) ? " uncached" : "");
	printk("  %016lx-%016lx %8s  %-18s", (unsigned long)r->start, (unsigned long)r->end, size,
	       perms);
	for (int k = 2; k >= 0; k--)
		if (r->count[k])
			printk(KERN_CONT " %s x%lu", size_name(PAGE_SIZE_4K << (9 * k)),
			       r->count[k]);
	printk(KERN_CONT "  %s\n", region_name(r->start));
	r->open = false;
}

static int layout_leaf(void *arg, uintptr_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	struct layout_range *r = arg;
	unsigned k = size == PAGE_SIZE_1G ? 2 : size == PAGE_SIZE_2M ? 1 : 0;
	(void)pa;
	if (r->open && (va != r->end || prot != r->prot))
		layout_flush(r);
	if (!r->open) {
		r->open = true;
		r->start = va;
		r->prot = prot;
		r->count[0] = r->count[1] = r->count[2] = 0;
	}
	r->end = va + size;
	r->count[k]++;
	r->total[k]++;
	return 0;
}

void vmm_dump_layout(struct vmm_space *as)
{
	struct layout_range r = { 0 };

	if (!as || !as->pml4) {
		printk("map: address space not initialised\n");
		return;
	}
	printk("address space \"%s\" (PML4 at phys 0x%lx):\n", as->name ? as->name : "?",
	       (unsigned long)as->pml4_phys);
	printk("  %-16s %-16s %9s  %-18s %s\n", "start", "end", "size", "perms", "pages");
	vmm_walk_leaves(as, 0, UINTPTR_MAX, layout_leaf, &r);
	layout_flush(&r);
	printk("  leaves: %lu x 1G, %lu x 2M, %lu x 4K; page-table pages: %lu (%lu KiB)\n",
	       r.total[2], r.total[1], r.total[0], as->nr_pt_pages, as->nr_pt_pages * 4);
}

/* ---- invariants ---- */

struct check_state {
	struct vmm_space *as;
	unsigned long tables;
	unsigned problems;
	uint64_t phys_limit;
};

#define check_fail(st, ...)                  \
	do {                                 \
		if ((st)->problems++ < 10)   \
			pr_err(__VA_ARGS__); \
	} while (0)

static void check_table(struct check_state *st, uint64_t *table, int level, uintptr_t base)
{
	struct page *page = table_page(table);
	unsigned long present = 0;
	uint64_t size = pt_level_size(level);

	st->tables++;
	if (!(page->flags & PG_pgtable))
		check_fail(st, "vmm: %s: %s table for 0x%lx at phys 0x%lx is not PG_pgtable\n",
			   st->as->name, level_name[level], (unsigned long)base,
			   (unsigned long)__pa(table));
	if (page->private[1] != (unsigned long)level)
		check_fail(st, "vmm: %s: %s table for 0x%lx was made for level %lu\n", st->as->name,
			   level_name[level], (unsigned long)base, page->private[1]);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = table[i];
		uintptr_t va = canonical(base + i * size);
		if (!pte_present(e))
			continue;
		present++;
		if (pte_addr(e, level) >= st->phys_limit || (e & 0x7ff0000000000000ULL) ||
		    (level == 4 && (e & _PAGE_PSE)))
			check_fail(st, "vmm: %s: entry %016lx for 0x%lx has reserved bits set\n",
				   st->as->name, (unsigned long)e, (unsigned long)va);
		if (pte_leaf(e, level)) {
			if (level > 1 && !(st->as->page_sizes & size))
				check_fail(st, "vmm: %s: %s leaf at 0x%lx, size not allowed\n",
					   st->as->name, size_name(size), (unsigned long)va);
			if ((e & _PAGE_RW) && !(e & _PAGE_NX))
				check_fail(st, "vmm: %s: 0x%lx is writable and executable\n",
					   st->as->name, (unsigned long)va);
		} else {
			check_table(st, table_at(e, level), level - 1, va);
		}
	}
	if (present != page->private[0])
		check_fail(st, "vmm: %s: %s table for 0x%lx counts %lu entries, has %lu\n",
			   st->as->name, level_name[level], (unsigned long)base, page->private[0],
			   present);
	if (!present && level != PT_LEVELS)
		check_fail(st, "vmm: %s: empty %s table for 0x%lx was not freed\n", st->as->name,
			   level_name[level], (unsigned long)base);
}

unsigned vmm_check(struct vmm_space *as)
{
	struct check_state st = { .as = as, .phys_limit = 1ULL << arch_phys_addr_bits() };
	unsigned long flags;

	if (!as || !as->pml4)
		return 0;
	spin_lock_irqsave(&as->lock, flags);
	check_table(&st, as->pml4, PT_LEVELS, 0);
	if (st.tables != as->nr_pt_pages)
		check_fail(&st, "vmm: %s: %lu tables reachable, %lu counted\n", as->name, st.tables,
			   as->nr_pt_pages);
	spin_unlock_irqrestore(&as->lock, flags);
	return st.problems;
}

/* Every live space is consistent, and together they hold all of NR_PAGETABLE. */
static unsigned vmm_check_all(void)
{
	struct vmm_space *as;
	unsigned problems = 0;
	unsigned long total = 0;

	spin_lock(&vmm_spaces_lock);
	list_for_each_entry(as, &vmm_spaces, node)
	{
		problems += vmm_check(as);
		total += as->nr_pt_pages;
	}
	spin_unlock(&vmm_spaces_lock);
	if (total != (unsigned long)read_vm_stat(NR_PAGETABLE)) {
		pr_err("vmm: live spaces hold %lu page-table pages, NR_PAGETABLE says %ld\n", total,
		       read_vm_stat(NR_PAGETABLE));
		problems++;
	}
	return problems;
}
KTEST_CHECKER(vmm, vmm_check_all);

/* ---- spaces ---- */

int vmm_space_init(struct vmm_space *as, const char *name, uint64_t page_sizes)
{
	uint64_t *pml4;

	page_sizes = (page_sizes & VMM_PAGE_SIZES_ALL) | PAGE_SIZE_4K;
	/*
	 * A 1 GiB page is split one level at a time, into a table of 2 MiB
	 * pages (split_leaf), so a space with 1 GiB pages needs 2 MiB ones.
	 * Every CPU with 1 GiB pages has 2 MiB pages too.
	 */
	if ((page_sizes & PAGE_SIZE_1G) && !(page_sizes & PAGE_SIZE_2M)) {
		pr_err("vmm: \"%s\": 1 GiB pages without 2 MiB pages (a 1 GiB page splits into "
		       "2 MiB ones)\n",
		       name);
		return -EINVAL;
	}
	if (as != &kernel_space)
		memset(as, 0, sizeof(*as));
	spin_lock_init(&as->lock);
	as->name = name;
	as->nr_pt_pages = 0;
	as->page_sizes = page_sizes;
	pml4 = alloc_table(as);
	if (!pml4) {
		pr_err("vmm: no memory for the PML4 of \"%s\"\n", name);
		return -ENOMEM;
	}
	table_page(pml4)->private[1] = PT_LEVELS;
	as->pml4 = pml4;
	as->pml4_phys = __pa(pml4);
	spin_lock(&vmm_spaces_lock);
	list_add_tail(&as->node, &vmm_spaces);
	spin_unlock(&vmm_spaces_lock);
	return 0;
}

static void free_tables(struct vmm_space *as, uint64_t *table, int level)
{
	for (unsigned i = 0; level > 1 && i < PT_ENTRIES; i++)
		if (pte_present(table[i]) && !pte_leaf(table[i], level))
			free_tables(as, table_at(table[i], level), level - 1);
	free_table(as, table_page(table));
}

void vmm_space_destroy(struct vmm_space *as)
{
	if (!as || !as->pml4)
		return;
	if (WARN((arch_read_cr3() & PTE_ADDR_MASK) == as->pml4_phys,
		 "vmm: destroying the live address space \"%s\"\n", as->name))
		return;
	spin_lock(&vmm_spaces_lock);
	list_del(&as->node);
	spin_unlock(&vmm_spaces_lock);
	free_tables(as, as->pml4, PT_LEVELS);
	as->pml4 = NULL;
	as->pml4_phys = 0;
}
