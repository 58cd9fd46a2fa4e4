/*
 * main.c - the kernel's C entry and boot sequence.
 *
 * boot/boot32.S arrives here in 64-bit mode on the boot stack, running in
 * the higher half, with the boot page tables (identity 1 GiB, direct map
 * 16 GiB, kernel window) and interrupts off. In order:
 *
 *   console (COM1) -> GDT/TSS/IDT, so any fault from here on is reported ->
 *   banner -> TSC calibration (timestamps) -> CPU report -> multiboot2
 *   information -> command line -> ACPI tables -> memory management
 *   (mm/init.c) -> the other CPUs (smp_init) -> the in-kernel tests ->
 *   exit QEMU (ktest=) or the command monitor (kernel/monitor.c).
 *
 * With ktest=<glob> the kernel runs the matching suites, prints KTAP and
 * "== ktest done ==", and exits QEMU: status 33 when every case passed or
 * was skipped, 35 otherwise. Without it, it runs every suite that is not
 * explicit-only, prints a summary, and runs the command monitor on the
 * serial port (`make run`); with halt_exit (no terminal) the monitor reads
 * until its input goes silent, then exits QEMU the same way.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/bench.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/monitor.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "mm/mm.h"
#include "mm/slab.h"

#ifndef KERNEL_VERSION
#define KERNEL_VERSION "0.1"
#endif

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
/* The boot tables map the first 16 GiB; the information block is far smaller than 1 MiB. */
#define MBI_MAX_BYTES	(1ull << 20)
#define BOOT_DIRECT_MAP (16ull << 30)

CMDLINE_PARAM(ktest, "run the test suites matching this glob (e.g. ktest=buddy*,slab), print KTAP, "
		     "exit QEMU (33 = all passed, 35 = failures)");
CMDLINE_PARAM(halt_exit, "no terminal (`make run` > log): the monitor reads commands until its "
			 "input is silent, then exits QEMU (33 = tests passed)");

static void parse_boot_info(uint32_t magic, uint64_t mbi_phys)
{
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("boot: bad multiboot2 magic 0x%08x (boot/boot32.S should have caught this)",
		      magic);
	if (mbi_phys == 0 || mbi_phys >= BOOT_DIRECT_MAP)
		panic("boot: multiboot2 information at 0x%llx is outside the boot mappings",
		      (unsigned long long)mbi_phys);
	size_t avail = (size_t)MIN(MBI_MAX_BYTES, BOOT_DIRECT_MAP - mbi_phys);
	int err = mb2_parse(__va(mbi_phys), avail, mbi_phys, &boot_info);
	if (err)
		panic("multiboot2: cannot use the boot information at 0x%llx (error %d)",
		      (unsigned long long)mbi_phys, err);
	mb2_print(&boot_info);
}

/* Run the selected suites; returns the number of failed cases. */
static unsigned run_tests(const char *glob)
{
	unsigned passed = 0, failed = 0, skipped = 0;
	pr_info("ktest: running the suites matching '%s'\n", glob);
	ktest_run(glob, &passed, &failed, &skipped);
	show_slabinfo(); /* what the tests left in the caches: a learner's view of the slab layer */
	pr_info("ktest: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed;
}

__noreturn void kernel_main(uint32_t magic, uint64_t mbi_phys);

__noreturn void kernel_main(uint32_t magic, uint64_t mbi_phys)
{
	percpu_init_boot_cpu(); /* first: smp_processor_id() reads the per-CPU area through GS */
	console_init();
	gdt_init_cpu(0);
	traps_init();
	pr_info("kernel " KERNEL_VERSION " (x86_64, gcc " __VERSION__ ")\n");
	tsc_init();
	cpu_init();

	parse_boot_info(magic, mbi_phys);
	cmdline_parse(boot_info.cmdline);
	printk_apply_cmdline();
	/* Before paging_init: reads the tables through the boot direct map. */
	acpi_init(&boot_info);

	mm_init(&boot_info);
	smp_init();
	bench_main(); /* bench=<glob>: the allocator benchmarks (kernel/bench.c), then QEMU exits */
	pictures_main(); /* pictures: the stress scenario for `make pictures`, then QEMU exits */

	const char *glob = cmdline_get("ktest");
	if (glob && !cmdline_has("monitor")) {
		unsigned failed = run_tests(*glob ? glob : "*");
		ktest_emit("== ktest done ==\n");
		arch_exit_qemu(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}

	/* `monitor` on the command line: straight to the monitor (the monitor tests use it). */
	unsigned failed = cmdline_has("monitor") ? 0 : run_tests("*");
	monitor_run(failed);
}
