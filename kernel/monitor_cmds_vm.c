/*
 * monitor_cmds_vm.c - the monitor's virtual-memory commands: the walk of
 * one address through the kernel's four page-table levels (walk), the
 * address space's layout with contiguous ranges merged (map), and one
 * translation with what the physical page is used for (translate). They
 * print what mm/vmm.c's dumps print; the monitor only checks the address.
 */
#include "kernel/monitor_internal.h"
#include "mm/page.h"
#include "mm/vmm.h"

static int cmd_walk(int argc, char **argv)
{
	uintptr_t va;

	(void)argc;
	if (!mon_parse_vaddr(argv[1], &va))
		return -1;
	vmm_dump_walk(&kernel_space, va);
	return 0;
}

static int cmd_map(int argc, char **argv)
{
	(void)argc, (void)argv;
	vmm_dump_layout(&kernel_space);
	return 0;
}

static int cmd_translate(int argc, char **argv)
{
	uintptr_t va;
	struct vmm_translation t;
	char use[160];

	(void)argc;
	if (!mon_parse_vaddr(argv[1], &va))
		return -1;
	if (vmm_translate(&kernel_space, va, &t) != 0) {
		mon_printf("%#lx: not mapped in the kernel's address space (`walk %lx` shows where "
			   "the walk stops)\n",
			   (unsigned long)va, (unsigned long)va);
		return 0;
	}
	mon_printf("%#lx -> phys %#llx (pfn %#llx) in a %s page, %c%c%c%s%s\n", (unsigned long)va,
		   (unsigned long long)t.pa, (unsigned long long)(t.pa >> PAGE_SHIFT),
		   t.page_size == PAGE_SIZE_1G	 ? "1 GiB"
		   : t.page_size == PAGE_SIZE_2M ? "2 MiB"
						 : "4 KiB",
		   'r', (t.prot & VM_WRITE) ? 'w' : '-', (t.prot & VM_EXEC) ? 'x' : '-',
		   (t.prot & VM_GLOBAL) ? " global" : "", (t.prot & VM_NOCACHE) ? " uncached" : "");
	unsigned long pfn = (unsigned long)(t.pa >> PAGE_SHIFT);
	if (pfn < max_pfn) {
		mon_describe_pfn(pfn, use, sizeof(use));
		mon_printf("  the page frame is %s\n", use);
	} else {
		mon_printf("  the physical address is beyond RAM (a device?)\n");
	}
	return 0;
}

const struct mon_cmd mon_cmds_vm[] = {
	{ "walk", "<vaddr>", "the page-table walk of an address, level by level", 1, 1, cmd_walk },
	{ "translate", "<vaddr>", "virtual to physical, and what the page frame holds", 1, 1,
	  cmd_translate },
	{ "map", "", "the kernel's address space, contiguous ranges merged", 0, 0, cmd_map },
	{ NULL, NULL, NULL, 0, 0, NULL },
};
