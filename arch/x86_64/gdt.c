/*
 * gdt.c - per-CPU GDT and TSS (see gdt.h for why they still exist).
 *
 * Layout (arch/x86_64/layout.h): 0x00 null, 0x08 kernel code (64-bit),
 * 0x10 kernel data, 0x18 TSS (a 16-byte system descriptor: two slots).
 */
#include "arch/x86_64/gdt.h"
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/string.h"

#define NR_IST_USED 3 /* double fault, NMI, machine check */

struct cpu_gdt {
	uint64_t entries[5];
	struct tss64 tss;
} __aligned(64);

static struct cpu_gdt cpu_gdts[NR_CPUS];
static uint8_t ist_stacks[NR_CPUS][NR_IST_USED][IST_STACK_SIZE] __aligned(16);

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

/* Access byte: present, DPL 0, code/data, accessed; flags: L (64-bit code) or G+D/B (data). */
#define GDT_CODE64	   0x00af9b000000ffffull
#define GDT_DATA	   0x00cf93000000ffffull
#define TSS_TYPE_AVAILABLE 0x89ull /* present, 64-bit TSS (available) */

BUILD_BUG_ON(sizeof(struct tss64) != 104);

uintptr_t gdt_ist_stack_top(unsigned cpu, unsigned ist)
{
	if (cpu >= NR_CPUS || ist < 1 || ist > NR_IST_USED)
		return 0;
	return (uintptr_t)&ist_stacks[cpu][ist - 1][IST_STACK_SIZE];
}

void gdt_init_cpu(unsigned cpu)
{
	if (cpu >= NR_CPUS)
		panic("gdt: CPU %u is beyond NR_CPUS (%u)", cpu, NR_CPUS);
	struct cpu_gdt *g = &cpu_gdts[cpu];
	uint64_t base = (uint64_t)(uintptr_t)&g->tss;
	uint64_t limit = sizeof(g->tss) - 1;

	memset(g, 0, sizeof(*g));
	for (unsigned ist = 1; ist <= NR_IST_USED; ist++)
		g->tss.ist[ist - 1] = gdt_ist_stack_top(cpu, ist);
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
