/*
 * ksyms.c - the kernel's own symbol table, for %pS and backtraces
 * (Linux's kallsyms, without the compression).
 *
 * The table is generated at build time (kernel/ksyms.awk over `nm -n -S` of a
 * first link) and linked into the final image, in the .ksyms section at the
 * end of .rodata, so the functions it describes sit at the same addresses in
 * both links (the Makefile checks that the table of the final image matches).
 * Entries are sorted by address; every function symbol has a non-zero size
 * (nm's size, or the distance to the next symbol when the size is unknown,
 * as for assembly labels).
 */
#include "kernel/printk.h"

struct ksym {
	uint64_t addr;
	uint64_t size;
	const char *name;
};

extern const struct ksym ksym_table[];
extern const uint64_t ksym_count;

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size)
{
	uint64_t lo = 0, hi = ksym_count;

	/* Find the last entry with entry.addr <= addr. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct ksym *s = &ksym_table[lo - 1];
	if (addr - s->addr >= s->size)
		return NULL;
	if (offset)
		*offset = addr - s->addr;
	if (size)
		*size = s->size;
	return s->name;
}
