/*
 * monitor_cmds_sys.c - the monitor's system commands: the CPUs (cpus), the
 * invariant checkers (check), the test suites (test), the benchmarks (bench),
 * and leaving (reboot, poweroff).
 */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/arch.h"
#include "kernel/bench.h"
#include "kernel/ktest.h"
#include "kernel/monitor_internal.h"
#include "kernel/smp.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/slab_internal.h"

/*
 * kernel/bench.c's entry point for running benchmarks without leaving
 * (declared weak: it may not exist in this build; then `bench` says so).
 */

static int cmd_cpus(int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_printf("%u CPU%s online (of %u possible ids, NR_CPUS %u); the monitor runs on CPU %u\n",
		   num_online_cpus(), num_online_cpus() == 1 ? "" : "s", nr_cpu_ids, NR_CPUS,
		   smp_processor_id());
	mon_printf("cpu  apic  timer-ticks  ipis  calls-run  tlb-shootdowns  pcp-pages  "
		   "slab-objects-cached\n");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct percpu *pc = per_cpu(cpu);
		unsigned long pcp = 0, cached = 0, flags;
		struct kmem_cache *c;

		for (unsigned z = 0; z < MAX_NR_ZONES; z++)
			pcp += (unsigned long)READ_ONCE(page_zones[z].pcp[cpu].count);
		spin_lock_irqsave(&slab_caches_lock, flags);
		list_for_each_entry(c, &slab_caches, list) cached +=
			READ_ONCE(c->cpu_cache[cpu]->avail);
		spin_unlock_irqrestore(&slab_caches_lock, flags);
		mon_printf("%3u  %4u  %11lu  %4lu  %9lu  %14lu  %9lu  %19lu%s\n", cpu,
			   cpu_apic_id(cpu), READ_ONCE(pc->timer_ticks),
			   READ_ONCE(pc->ipis_received), READ_ONCE(pc->calls_run),
			   READ_ONCE(pc->tlb_shootdowns), pcp, cached,
			   cpu_online(cpu) ? "" : "  (offline)");
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_printf("running every invariant checker (buddy, slab, memblock, page tables...)\n");
	unsigned problems = ktest_run_checkers();
	mon_printf("and the full buddy check (every struct page of every free block):\n");
	problems += buddy_check_full();
	if (problems) {
		mon_note_failures(problems);
		mon_printf("check: %u problem%s (see above)\n", problems, problems == 1 ? "" : "s");
		return -1;
	}
	mon_printf("check: all invariants hold\n");
	return 0;
}

static int cmd_test(int argc, char **argv)
{
	unsigned passed = 0, failed = 0, skipped = 0;
	const char *glob = argc > 1 ? argv[1] : "*";

	ktest_run(glob, &passed, &failed, &skipped);
	mon_printf("test: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	if (passed + failed + skipped == 0)
		mon_printf("(no suite matches '%s')\n", glob);
	mon_note_failures(failed);
	return failed ? -1 : 0;
}

static int cmd_bench(int argc, char **argv)
{
	const char *glob = argc > 1 ? argv[1] : "*";

	int err = bench_run(glob);
	if (err)
		mon_printf("bench: some figures failed\n");
	return err ? -1 : 0;
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_shutdown(true);
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_shutdown(false);
}

const struct mon_cmd mon_cmds_sys[] = {
	{ "cpus", "", "online CPUs: APIC ids, interrupts, per-CPU caches", 0, 0, cmd_cpus },
	{ "check", "", "run every invariant checker", 0, 0, cmd_check },
	{ "test", "[glob]", "run in-kernel test suites (KTAP), e.g. `test buddy`", 0, 1, cmd_test },
	{ "bench", "[glob]", "run allocator benchmarks (docs/BENCHMARKS.md)", 0, 1, cmd_bench },
	{ "reboot", "", "reset the machine (QEMU under make run: exits)", 0, 0, cmd_reboot },
	{ "poweroff", "", "leave: free what the monitor holds, exit QEMU", 0, 0, cmd_poweroff },
	{ NULL, NULL, NULL, 0, 0, NULL },
};
