/*
 * gdt.c - per-CPU GDT and TSS (see gdt.h for why they still exist), and the
 * IST stacks the TSS points at.
 *
 * Layout (arch/x86_64/layout.h): 0x00 null, 0x08 kernel code (64-bit),
 * 0x10 kernel data, 0x18 TSS (a 16-byte system descriptor: two slots).
 *
 * IST stacks: every CPU has three (double fault, NMI, machine check) of
 * IST_STACK_SIZE from kstack_alloc, each above an unmapped guard page in the
 * CPU window. An AP's are allocated by the boot CPU before it starts the AP
 * (gdt_alloc_ist_stacks in smp.c's boot_ap), so its first TSS has them. The
 * boot CPU loads its TSS long before there are page tables to map such
 * stacks in, so it starts on boot_ist_stacks, one static page per slot
 * without a guard; paging_init then gives it guarded ones, and from then on
 * boot_ist_stacks is unused. (Before paging_init an overflow would not fault
 * anyway: the boot tables map the boot stack's guard page too.)
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/kstack.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"

#define NR_IST_USED	    3	 /* double fault, NMI, machine check */
#define BOOT_IST_STACK_SIZE 4096 /* enough for an exception report (about 3 KiB deep) */

struct cpu_gdt {
	uint64_t entries[5];
	struct tss64 tss;
} __aligned(64);

static struct cpu_gdt cpu_gdts[NR_CPUS];
static uintptr_t ist_tops[NR_CPUS][NR_IST_USED]; /* 0: not allocated yet */
static uint8_t boot_ist_stacks[NR_IST_USED][BOOT_IST_STACK_SIZE] __aligned(4096);

static const char *const ist_stack_name[NR_IST_USED] = {
	"a double-fault stack",
	"an NMI stack",
	"a machine-check stack",
};

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

/* Access byte: present, DPL 0, code/data, accessed; flags: L (64-bit code) or G+D/B (data). */
#define GDT_CODE64	   0x00af9b000000ffffull
#define GDT_DATA	   0x00cf93000000ffffull
#define TSS_TYPE_AVAILABLE 0x89ull /* present, 64-bit TSS (available) */

BUILD_BUG_ON(sizeof(struct tss64) != 104);
/* gdt_alloc_ist_stacks relies on the IST slots sharing one cache line (atomic stores). */
BUILD_BUG_ON((offsetof(struct cpu_gdt, tss) + offsetof(struct tss64, ist)) / 64 !=
	     (offsetof(struct cpu_gdt, tss) + offsetof(struct tss64, ist) +
	      NR_IST_USED * sizeof(uint64_t) - 1) /
		     64);

uintptr_t gdt_ist_stack_top(unsigned cpu, unsigned ist)
{
	if (cpu >= NR_CPUS || ist < 1 || ist > NR_IST_USED)
		return 0;
	return __atomic_load_n(&ist_tops[cpu][ist - 1], __ATOMIC_ACQUIRE);
}

int gdt_alloc_ist_stacks(unsigned cpu)
{
	uintptr_t tops[NR_IST_USED];

	if (cpu >= NR_CPUS)
		return -EINVAL;
	for (unsigned i = 0; i < NR_IST_USED; i++) {
		tops[i] = kstack_alloc(IST_STACK_SIZE, ist_stack_name[i]);
		if (!tops[i]) {
			while (i--)
				kstack_free(tops[i], IST_STACK_SIZE);
			return -ENOMEM;
		}
	}
	/*
	 * Record them, and write them into cpu's TSS in case that CPU runs on it
	 * already (the boot CPU, called from paging_init): the processor reads
	 * an IST slot from the TSS in memory at each delivery, so its next
	 * #DF/NMI/#MC lands on the new stack. Each slot is one 8-byte store
	 * (not 8-byte aligned in the packed TSS, but inside one cache line,
	 * which x86 makes atomic), so an NMI in between finds the old stack
	 * or the new one, both valid. The stacks replaced (the boot CPU's
	 * static ones) are not reused.
	 */
	volatile struct tss64 *tss = &cpu_gdts[cpu].tss;
	for (unsigned i = 0; i < NR_IST_USED; i++) {
		__atomic_store_n(&ist_tops[cpu][i], tops[i], __ATOMIC_RELEASE);
		tss->ist[i] = tops[i];
	}
	return 0;
}

void gdt_init_cpu(unsigned cpu)
{
	if (cpu >= NR_CPUS)
		panic("gdt: CPU %u is beyond NR_CPUS (%u)", cpu, NR_CPUS);
	struct cpu_gdt *g = &cpu_gdts[cpu];
	uint64_t base = (uint64_t)(uintptr_t)&g->tss;
	uint64_t limit = sizeof(g->tss) - 1;

	if (cpu == 0 && !ist_tops[0][0])
		for (unsigned i = 0; i < NR_IST_USED; i++)
			ist_tops[0][i] = (uintptr_t)&boot_ist_stacks[i][BOOT_IST_STACK_SIZE];
	for (unsigned i = 0; i < NR_IST_USED; i++)
		if (!ist_tops[cpu][i])
			panic("gdt: CPU %u has no IST stacks (gdt_alloc_ist_stacks comes first)",
			      cpu);

	memset(g, 0, sizeof(*g));
	for (unsigned i = 0; i < NR_IST_USED; i++)
		g->tss.ist[i] = ist_tops[cpu][i];
	g->tss.iomap_base = sizeof(g->tss);

	g->entries[0] = 0;
	g->entries[GDT_KERNEL_CS / 8] = GDT_CODE64;
	g->entries[GDT_KERNEL_DS / 8] = GDT_DATA;
	/* 16-byte TSS descriptor: limit, base[23:0], type, base[31:24]; then base[63:32]. */
	g->entries[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				  (TSS_TYPE_AVAILABLE << 40) | (((limit >> 16) & 0xf) << 48) |
				  (((base >> 24) & 0xff) << 56);
	g->entries[GDT_TSS / 8 + 1] = base >> 32;

	struct gdt_ptr ptr = { sizeof(g->entries) - 1, (uint64_t)(uintptr_t)g->entries };
	__asm__ __volatile__("lgdt %0\n\t"
			     /* Reload CS with a far return: push selector and target, lretq. */
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "movw %3, %%ax\n\t"
			     "ltr %%ax"
			     :
			     : "m"(ptr), "i"((uint64_t)GDT_KERNEL_CS), "i"(GDT_KERNEL_DS),
			       "i"(GDT_TSS)
			     : "rax", "memory");
}
