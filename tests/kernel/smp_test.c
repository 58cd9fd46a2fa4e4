/*
 * smp_test.c - the CPUs really are several: numbering, calls on other CPUs,
 * the local APIC timer, TLB shootdown seen from every CPU, and the memory
 * allocators under concurrent use with objects freed by CPUs other than
 * their allocator's.
 *
 * Work reaches the other CPUs as it does in the kernel: short functions by
 * IPI (smp_call_function & co, interrupts off on the target), long ones
 * through the idle loop (smp_run_everywhere). Workers never touch the
 * ktest state (which has no lock): each fills its own slot of a result
 * array, and the boot CPU checks the results afterwards.
 *
 * Every case also runs with one CPU (maxcpus=1): what needs two or three is
 * skipped with a reason, the rest degenerates to the boot CPU alone.
 *
 * Also here, because they are per CPU: every CPU's stacks (an AP's kernel
 * stack, every CPU's IST stacks, read back from the TSS it has loaded) are
 * mapped read/write no-execute above an unmapped guard page.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/kstack.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmm.h"
#include "kernel/xorshift.h"

/* Wait (bounded) until cond holds; false if it never did within ms milliseconds. */
static bool wait_until(bool (*cond)(void *), void *arg, unsigned ms)
{
	uint64_t start = arch_cycles(), limit = (uint64_t)ms * (tsc_khz ? tsc_khz : 4000000);
	while (!cond(arg)) {
		if (arch_cycles() - start > limit)
			return cond(arg);
		cpu_relax();
	}
	return true;
}

/* ---- numbering ---- */

struct id_report {
	unsigned cpu_id, gs_cpu_id;
	uint32_t apic_id;
	bool self_ok;
	bool ran;
};
static struct id_report id_reports[NR_CPUS];

static void report_ids(void *arg)
{
	(void)arg;
	unsigned cpu = smp_processor_id();
	struct id_report *r = &id_reports[cpu];
	r->cpu_id = cpu;
	r->gs_cpu_id = this_cpu_read(cpu_id);
	r->apic_id = apic_available() ? apic_read_id() : 0;
	r->self_ok = this_cpu_ptr() == per_cpu(cpu);
	r->ran = true;
}

static void cpus_are_numbered_densely_with_their_apic_ids(struct ktest *t)
{
	memset(id_reports, 0, sizeof(id_reports));
	KEXPECT_EQ(t, nr_cpu_ids, num_online_cpus());
	KEXPECT_EQ(t, smp_processor_id(), 0u);
	on_each_cpu(report_ids, NULL, true);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		struct id_report *r = &id_reports[cpu];
		KEXPECT_EQ(t, cpu_online(cpu), cpu < nr_cpu_ids);
		KEXPECT_EQ(t, r->ran, cpu < nr_cpu_ids);
		if (!r->ran)
			continue;
		KEXPECT_EQ(t, r->gs_cpu_id, cpu);
		KEXPECT_TRUE(t, r->self_ok);
		if (apic_available())
			KEXPECT_EQ(t, r->apic_id, cpu_apic_id(cpu));
		for (unsigned other = 0; other < cpu; other++)
			KEXPECT_NE(t, cpu_apic_id(other), cpu_apic_id(cpu));
		ktest_log(t, "CPU %u: APIC id %u", cpu, cpu_apic_id(cpu));
	}
}

/* ---- calls ---- */

struct call_record {
	unsigned ran_on[NR_CPUS];
	unsigned irqs_on; /* callbacks that found interrupts enabled */
};

static void record_call(void *arg)
{
	struct call_record *rec = arg;
	__atomic_add_fetch(&rec->ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
	if (!arch_irqs_disabled())
		__atomic_add_fetch(&rec->irqs_on, 1, __ATOMIC_RELAXED);
}

static void calls_reach_exactly_the_cpus_asked(struct ktest *t)
{
	static struct call_record rec;

	memset(&rec, 0, sizeof(rec));
	smp_call_function(record_call, &rec, true);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		KEXPECT_EQ(t, rec.ran_on[cpu], cpu != 0 && cpu < nr_cpu_ids ? 1u : 0u);

	memset(&rec, 0, sizeof(rec));
	on_each_cpu(record_call, &rec, true);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		KEXPECT_EQ(t, rec.ran_on[cpu], cpu < nr_cpu_ids ? 1u : 0u);

	memset(&rec, 0, sizeof(rec));
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		KEXPECT_EQ(t, smp_call_function_single(cpu, record_call, &rec, true), 0);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		KEXPECT_EQ(t, rec.ran_on[cpu], cpu < nr_cpu_ids ? 1u : 0u);
	KEXPECT_EQ(t, rec.irqs_on, 0u);

	KEXPECT_EQ(t, smp_call_function_single(nr_cpu_ids, record_call, &rec, true), -EINVAL);
	KEXPECT_EQ(t, smp_call_function_single(NR_CPUS + 5, record_call, &rec, true), -EINVAL);
}

static void count_call(void *arg)
{
	__atomic_add_fetch((unsigned *)arg, 1, __ATOMIC_RELEASE);
}

struct async_wait {
	unsigned *counter, want;
};

static bool async_done(void *arg)
{
	struct async_wait *w = arg;
	return __atomic_load_n(w->counter, __ATOMIC_ACQUIRE) >= w->want;
}

static void calls_without_waiting_all_arrive(struct ktest *t)
{
	static unsigned counter;
	const unsigned rounds = 50;

	counter = 0;
	/* Back to back: each reuse of a per-target request slot waits for its last use. */
	for (unsigned i = 0; i < rounds; i++)
		smp_call_function(count_call, &counter, false);
	struct async_wait w = { &counter, rounds * (nr_cpu_ids - 1) };
	KEXPECT_TRUE(t, wait_until(async_done, &w, 10000));
	KEXPECT_EQ(t, counter, rounds * (nr_cpu_ids - 1));
}

/*
 * Every CPU calls the next one (a cycle) with interrupts disabled and waits:
 * without the waiting caller serving its own queue, nobody could answer.
 */
struct ring_calls {
	unsigned received[NR_CPUS];
	unsigned rounds;
};

static void ring_call_target(void *arg)
{
	struct ring_calls *rc = arg;
	rc->received[smp_processor_id()]++; /* one caller per target at a time */
}

static void ring_caller(void *arg)
{
	struct ring_calls *rc = arg;
	unsigned next = (smp_processor_id() + 1) % nr_cpu_ids;
	for (unsigned i = 0; i < rc->rounds; i++) {
		unsigned long flags;
		local_irq_save(flags);
		smp_call_function_single(next, ring_call_target, rc, true);
		local_irq_restore(flags);
	}
}

static void crossing_calls_with_interrupts_off_do_not_deadlock(struct ktest *t)
{
	static struct ring_calls rc;
	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs two CPUs");
	memset(&rc, 0, sizeof(rc));
	rc.rounds = 200;
	unsigned ran = smp_run_everywhere(ring_caller, &rc);
	KEXPECT_EQ(t, ran, nr_cpu_ids);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		KEXPECT_EQ(t, rc.received[cpu], rc.rounds);
}

/* ---- jobs for the idle loop ---- */

static void wait_for_flag(void *arg)
{
	while (!__atomic_load_n((bool *)arg, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void noop_job(void *arg)
{
	(void)arg;
}

static void work_queue_reports_busy_and_done(struct ktest *t)
{
	static bool release;
	KEXPECT_EQ(t, smp_queue_work(0, noop_job, NULL), -EINVAL);
	KEXPECT_EQ(t, smp_queue_work(nr_cpu_ids, noop_job, NULL), -EINVAL);
	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs two CPUs");
	unsigned cpu = nr_cpu_ids - 1;
	release = false;
	KASSERT_EQ(t, smp_queue_work(cpu, wait_for_flag, &release), 0);
	KEXPECT_FALSE(t, smp_work_done(cpu));
	KEXPECT_EQ(t, smp_queue_work(cpu, noop_job, NULL), -EBUSY);
	__atomic_store_n(&release, true, __ATOMIC_RELEASE);
	smp_wait_work(cpu);
	KEXPECT_TRUE(t, smp_work_done(cpu));
	KEXPECT_EQ(t, smp_queue_work(cpu, noop_job, NULL), 0);
	smp_wait_work(cpu);
}

/* ---- the local APIC timer ---- */

static uint32_t timer_period_us = 1000;

static void timer_start(void *arg)
{
	(void)arg;
	apic_timer_start(timer_period_us, true);
}

static void timer_stop(void *arg)
{
	(void)arg;
	apic_timer_stop();
}

static unsigned long ticks_before[NR_CPUS];

static bool every_cpu_ticked(void *arg)
{
	unsigned long want = (unsigned long)(uintptr_t)arg;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (apic_timer_ticks(cpu) < ticks_before[cpu] + want)
			return false;
	return true;
}

static void apic_timer_interrupts_every_cpu(struct ktest *t)
{
	if (!apic_available() || !apic_timer_khz)
		KTEST_SKIP(t, "no calibrated local APIC timer");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		ticks_before[cpu] = apic_timer_ticks(cpu);
	unsigned long flags;
	local_irq_save(flags);
	__asm__ __volatile__("sti" ::: "memory"); /* the boot CPU takes its own ticks too */
	on_each_cpu(timer_start, NULL, true);
	bool ok = wait_until(every_cpu_ticked, (void *)5, 10000);
	on_each_cpu(timer_stop, NULL, true);
	local_irq_restore(flags);
	KEXPECT_TRUE(t, ok);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		ktest_log(t, "CPU %u: %lu timer interrupts", cpu,
			  apic_timer_ticks(cpu) - ticks_before[cpu]);
}

/*
 * The per-CPU fast paths against real interrupts on this CPU: the local
 * APIC timer fires every few microseconds with a handler that, like an
 * interrupt handler in a driver, allocates and frees from the very caches
 * the interrupted code is using (kmalloc-64 and kmalloc-192), one tick
 * allocating, the next freeing, so that ticks push and pop. The
 * interrupted code allocates and frees batches, each object stamped with
 * its owner: an object handed out twice, or freed while held, shows as a
 * stamp overwritten. An interrupt that lands inside a pop or push rewinds
 * it (irq_rewinds); the case goes on until that has happened many times,
 * or a bound on its rounds. tests/host/test_slab_irq.c does the same with
 * signals.
 */
#define IRQ_ALLOC_OBJS	  3
#define IRQ_ALLOC_MAIN	  300
#define IRQ_ALLOC_ROUNDS  20000
#define IRQ_ALLOC_REWINDS 100
static void *irq_alloc_stash[IRQ_ALLOC_OBJS];
static uint64_t irq_alloc_stash_stamp[IRQ_ALLOC_OBJS], irq_alloc_stamp = 1ull << 63;
static unsigned long irq_alloc_bad, irq_alloc_ticks;
static const size_t irq_alloc_sizes[] = { 64, 192 };

static bool irq_alloc_tick(struct pt_regs *regs)
{
	(void)regs;
	for (unsigned i = 0; i < IRQ_ALLOC_OBJS; i++) {
		uint64_t *o = irq_alloc_stash[i];
		if (o) {
			if (*o != irq_alloc_stash_stamp[i])
				irq_alloc_bad++;
			kfree(o);
			irq_alloc_stash[i] = NULL;
		} else if ((o = kmalloc(irq_alloc_sizes[i % 2], GFP_ATOMIC))) {
			*o = irq_alloc_stash_stamp[i] = ++irq_alloc_stamp;
			irq_alloc_stash[i] = o;
		} else {
			irq_alloc_bad++;
		}
	}
	irq_alloc_ticks++;
	apic_eoi();
	return true;
}

static void interrupts_that_allocate_rewind_the_fast_paths(struct ktest *t)
{
	static uint64_t *objs[IRQ_ALLOC_MAIN];
	if (!apic_available() || !apic_timer_khz)
		KTEST_SKIP(t, "no calibrated local APIC timer");
	if (kmalloc_cache_for(64)->flags & SLAB_DEBUG)
		KTEST_SKIP(t, "slab_debug: no per-CPU arrays");
	unsigned cpu = smp_processor_id();
	unsigned long reports = slab_report_count(), rewinds = READ_ONCE(irq_rewinds[cpu]);
	unsigned long bad = 0, rounds = 0, flags;
	uint64_t rng = 42;

	irq_alloc_bad = irq_alloc_ticks = 0;
	interrupt_handler_t saved = set_interrupt_handler(LOCAL_TIMER_VECTOR, irq_alloc_tick);
	local_irq_save(flags);
	__asm__ __volatile__("sti" ::: "memory");
	apic_timer_start(20, true);
	for (;
	     rounds < IRQ_ALLOC_ROUNDS && READ_ONCE(irq_rewinds[cpu]) - rewinds < IRQ_ALLOC_REWINDS;
	     rounds++) {
		for (unsigned i = 0; i < IRQ_ALLOC_MAIN; i++) {
			objs[i] = kmalloc(irq_alloc_sizes[i % 2], GFP_KERNEL);
			if (objs[i])
				*objs[i] = rounds * IRQ_ALLOC_MAIN + i;
		}
		for (unsigned i = IRQ_ALLOC_MAIN - 1; i > 0; i--) {
			unsigned j = (unsigned)(xorshift64(&rng) % (i + 1));
			uint64_t *tmp = objs[i];
			objs[i] = objs[j];
			objs[j] = tmp;
		}
		for (unsigned i = 0; i < IRQ_ALLOC_MAIN; i++) {
			if (!objs[i] || *objs[i] / IRQ_ALLOC_MAIN != rounds)
				bad++;
			kfree(objs[i]);
		}
	}
	apic_timer_stop();
	local_irq_restore(flags);
	set_interrupt_handler(LOCAL_TIMER_VECTOR, saved);
	for (unsigned i = 0; i < IRQ_ALLOC_OBJS; i++) {
		kfree(irq_alloc_stash[i]);
		irq_alloc_stash[i] = NULL;
	}

	rewinds = READ_ONCE(irq_rewinds[cpu]) - rewinds;
	ktest_log(t, "%lu rounds, %lu timer interrupts, %lu rewound a fast path", rounds,
		  irq_alloc_ticks, rewinds);
	KEXPECT_EQ(t, bad, 0ul);
	KEXPECT_EQ(t, irq_alloc_bad, 0ul);
	KEXPECT_GT(t, irq_alloc_ticks, 0ul);
	KEXPECT_GE(t, rewinds, (unsigned long)IRQ_ALLOC_REWINDS);
	KEXPECT_EQ(t, slab_report_count(), reports);
	KEXPECT_EQ(t, slab_check(), 0u);
}

/* ---- TLB shootdown ---- */

#define TLB_MAGIC 0x7e57c0de5eedull

struct tlb_probe {
	uint64_t value; /* what a read returned */
	bool read_ok;	/* the read did not fault */
	bool write_ok;	/* the write did not fault */
	struct expected_fault ef;
};
static struct tlb_probe probes[NR_CPUS];

/* Read (and with arg, write) the test page: fills this CPU's TLB with the entry. */
static void touch_test_page(void *arg)
{
	struct tlb_probe *p = &probes[smp_processor_id()];
	p->value = *(volatile uint64_t *)SMP_TEST_VA;
	if (arg)
		*(volatile uint64_t *)(SMP_TEST_VA + 8) = smp_processor_id();
}

/* Read the test page expecting a page fault (a stale TLB entry would let the read through). */
static void read_expecting_fault(void *arg)
{
	(void)arg;
	struct tlb_probe *p = &probes[smp_processor_id()];
	p->ef = (struct expected_fault){ .vector = X86_TRAP_PF };
	p->read_ok = false;
	if (arch_setjmp(p->ef.resume) == 0) {
		fault_expect(&p->ef);
		p->value = *(volatile uint64_t *)SMP_TEST_VA;
		p->read_ok = true;
	}
	fault_expect_clear();
}

/* Read, then write expecting a protection fault. */
static void write_expecting_fault(void *arg)
{
	(void)arg;
	struct tlb_probe *p = &probes[smp_processor_id()];
	p->value = *(volatile uint64_t *)SMP_TEST_VA;
	p->read_ok = true;
	p->ef = (struct expected_fault){ .vector = X86_TRAP_PF };
	p->write_ok = false;
	if (arch_setjmp(p->ef.resume) == 0) {
		fault_expect(&p->ef);
		*(volatile uint64_t *)(SMP_TEST_VA + 8) = 1;
		p->write_ok = true;
	}
	fault_expect_clear();
}

static struct page *map_test_page(struct ktest *t, unsigned prot)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KASSERT_NOT_NULL(t, page);
	*(uint64_t *)page_address(page) = TLB_MAGIC;
	int err = vmm_map(&kernel_space, SMP_TEST_VA, page_to_phys(page), PAGE_SIZE_4K, prot);
	if (err)
		__free_page(page);
	KASSERT_EQ(t, err, 0);
	return page;
}

static void unmap_is_seen_by_every_cpu(struct ktest *t)
{
	struct page *page = map_test_page(t, VM_READ | VM_WRITE);
	memset(probes, 0, sizeof(probes));
	smp_run_everywhere(touch_test_page, NULL);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		KEXPECT_EQ(t, probes[cpu].value, TLB_MAGIC);

	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SMP_TEST_VA, PAGE_SIZE_4K), 0);
	smp_run_everywhere(read_expecting_fault, NULL);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct tlb_probe *p = &probes[cpu];
		KEXPECT_FALSE(t, p->read_ok);
		KEXPECT_TRUE(t, p->ef.hit);
		KEXPECT_EQ(t, p->ef.cr2, (uint64_t)SMP_TEST_VA);
		KEXPECT_EQ(t, p->ef.error_code & (X86_PF_PROT | X86_PF_WRITE), 0ull);
		if (p->read_ok)
			ktest_log(t, "CPU %u still read %#llx through a stale TLB entry", cpu,
				  (unsigned long long)p->value);
	}
	__free_page(page);
}

static void protect_is_seen_by_every_cpu(struct ktest *t)
{
	struct page *page = map_test_page(t, VM_READ | VM_WRITE);
	memset(probes, 0, sizeof(probes));
	smp_run_everywhere(touch_test_page, (void *)1); /* writable entries in every TLB */
	KEXPECT_EQ(t, vmm_protect(&kernel_space, SMP_TEST_VA, PAGE_SIZE_4K, VM_READ), 0);
	smp_run_everywhere(write_expecting_fault, NULL);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct tlb_probe *p = &probes[cpu];
		KEXPECT_TRUE(t, p->read_ok);
		KEXPECT_EQ(t, p->value, TLB_MAGIC);
		KEXPECT_FALSE(t, p->write_ok);
		KEXPECT_TRUE(t, p->ef.hit);
		KEXPECT_EQ(t, p->ef.cr2, (uint64_t)SMP_TEST_VA + 8);
		KEXPECT_EQ(t, p->ef.error_code & (X86_PF_PROT | X86_PF_WRITE),
			   (uint64_t)(X86_PF_PROT | X86_PF_WRITE));
	}
	KEXPECT_EQ(t, vmm_unmap(&kernel_space, SMP_TEST_VA, PAGE_SIZE_4K), 0);
	__free_page(page);
}

/*
 * Many pages changed by one call: every page is flushed on every CPU, and
 * each other CPU is interrupted exactly once for all of them (one NMI round
 * trip per operation), whether the pages go by invlpg (up to
 * VMM_FLUSH_THRESHOLD) or by a full flush (more).
 */
#define MANY_PAGES_MAX	   64 /* a block of this many pages backs the mappings */
#define MANY_PAGES_BELOW   16 /* flushed page by page */
#define MANY_PAGES_ABOVE   40 /* past the threshold: one full flush */
#define MANY_PAGES_ORDER   6
#define MANY_PAGES_PROTECT ((void *)1)
BUILD_BUG_ON(MANY_PAGES_BELOW > VMM_FLUSH_THRESHOLD || MANY_PAGES_ABOVE <= VMM_FLUSH_THRESHOLD);
BUILD_BUG_ON(MANY_PAGES_ABOVE > MANY_PAGES_MAX || (1u << MANY_PAGES_ORDER) != MANY_PAGES_MAX);

struct many_probe {
	unsigned faulted; /* pages whose access faulted as it should */
	unsigned stale;	  /* pages whose access went through a stale TLB entry */
	uintptr_t first_stale;
};
static struct many_probe many_probes[NR_CPUS];
static unsigned many_npages;

static void touch_many_pages(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < many_npages; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(SMP_TEST_VA + i * PAGE_SIZE_4K);
		(void)p[0];
		p[1] = smp_processor_id(); /* writable entries in every TLB */
	}
}

/* Read each page (after an unmap) or write it (after a protect), expecting a fault each time. */
static void probe_many_pages(void *arg)
{
	struct many_probe *mp = &many_probes[smp_processor_id()];
	for (unsigned i = 0; i < many_npages; i++) {
		uintptr_t va = SMP_TEST_VA + i * PAGE_SIZE_4K + 8;
		if (page_fault_probe(va, arg == MANY_PAGES_PROTECT, 1, NULL))
			mp->faulted++;
		else if (!mp->stale++)
			mp->first_stale = va;
	}
}

static void many_pages_one_shootdown(struct ktest *t, unsigned npages, bool protect)
{
	unsigned long before[NR_CPUS];
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_ZERO, MANY_PAGES_ORDER);
	KASSERT_NOT_NULL(t, block);
	int err = vmm_map(&kernel_space, SMP_TEST_VA, page_to_phys(block), npages * PAGE_SIZE_4K,
			  VM_READ | VM_WRITE);
	if (err)
		__free_pages(block, MANY_PAGES_ORDER);
	KASSERT_EQ(t, err, 0);

	many_npages = npages;
	memset(many_probes, 0, sizeof(many_probes));
	smp_run_everywhere(touch_many_pages, NULL);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		before[cpu] = __atomic_load_n(&per_cpu(cpu)->tlb_shootdowns, __ATOMIC_ACQUIRE);
	struct vmm_stats stats = vmm_stats;

	if (protect)
		KEXPECT_EQ(t,
			   vmm_protect(&kernel_space, SMP_TEST_VA, npages * PAGE_SIZE_4K, VM_READ),
			   0);
	else
		KEXPECT_EQ(t, vmm_unmap(&kernel_space, SMP_TEST_VA, npages * PAGE_SIZE_4K), 0);

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		unsigned long nmis =
			__atomic_load_n(&per_cpu(cpu)->tlb_shootdowns, __ATOMIC_ACQUIRE) -
			before[cpu];
		KEXPECT_EQ(t, nmis, cpu != 0 && cpu < nr_cpu_ids ? 1ul : 0ul);
		if (nmis > 1)
			ktest_log(t, "CPU %u answered %lu shootdowns for one call", cpu, nmis);
	}
	if (npages > VMM_FLUSH_THRESHOLD) {
		KEXPECT_EQ(t, vmm_stats.flush_all - stats.flush_all, 1ul);
		KEXPECT_EQ(t, vmm_stats.flush_page - stats.flush_page, 0ul);
	} else {
		KEXPECT_EQ(t, vmm_stats.flush_all - stats.flush_all, 0ul);
		KEXPECT_EQ(t, vmm_stats.flush_page - stats.flush_page, (unsigned long)npages);
	}

	smp_run_everywhere(probe_many_pages, protect ? MANY_PAGES_PROTECT : NULL);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct many_probe *mp = &many_probes[cpu];
		KEXPECT_EQ(t, mp->faulted, npages);
		KEXPECT_EQ(t, mp->stale, 0u);
		if (mp->stale)
			ktest_log(t,
				  "CPU %u: %u of %u pages still reachable through the TLB (first "
				  "%#lx)",
				  cpu, mp->stale, npages, (unsigned long)mp->first_stale);
	}
	if (protect)
		KEXPECT_EQ(t, vmm_unmap(&kernel_space, SMP_TEST_VA, npages * PAGE_SIZE_4K), 0);
	__free_pages(block, MANY_PAGES_ORDER);
}

static void unmap_of_many_pages_is_one_shootdown(struct ktest *t)
{
	many_pages_one_shootdown(t, MANY_PAGES_BELOW, false);
	many_pages_one_shootdown(t, MANY_PAGES_ABOVE, false);
}

static void protect_of_many_pages_is_one_shootdown(struct ktest *t)
{
	many_pages_one_shootdown(t, MANY_PAGES_BELOW, true);
	many_pages_one_shootdown(t, MANY_PAGES_ABOVE, true);
}

/* ---- bring-up leftovers ---- */

/*
 * A kernel stack [top - size, top): every page mapped read/write and
 * no-execute (the bits of the 4 KiB leaf: VM_READ | VM_WRITE, not VM_EXEC),
 * and the page right below unmapped.
 */
static void expect_guarded_stack(struct ktest *t, unsigned cpu, const char *what, uintptr_t top,
				 uint64_t size)
{
	struct vmm_translation tr;
	unsigned bad = 0;

	KEXPECT_EQ(t, top % PAGE_SIZE_4K, 0ul);
	KEXPECT_GE(t, top - size, (unsigned long)CPU_STACKS_BASE + PAGE_SIZE_4K);
	KEXPECT_LE(t, top, (unsigned long)CPU_STACKS_END);
	for (uintptr_t va = top - size; va < top; va += PAGE_SIZE_4K) {
		int err = vmm_translate(&kernel_space, va, &tr);
		KEXPECT_EQ(t, err, 0);
		if (!err)
			KEXPECT_EQ(t, tr.prot & (VM_READ | VM_WRITE | VM_EXEC), VM_READ | VM_WRITE);
		bad += err != 0 || (tr.prot & (VM_WRITE | VM_EXEC)) != VM_WRITE;
	}
	KEXPECT_EQ(t, vmm_translate(&kernel_space, top - size - 1, &tr), -ENOENT);
	if (bad)
		ktest_log(t, "CPU %u: %s [%#lx, %#lx): %u pages not mapped rw-/NX", cpu, what,
			  (unsigned long)(top - size), (unsigned long)top, bad);
}

static void ap_stacks_are_guarded_and_the_trampoline_is_gone(struct ktest *t)
{
	struct vmm_translation tr;
	KEXPECT_NE(t, vmm_translate(&kernel_space, TRAMPOLINE_PHYS, &tr), 0);
	for (unsigned cpu = 1; cpu < nr_cpu_ids; cpu++) {
		uintptr_t top = per_cpu(cpu)->stack_top;
		KASSERT_NE(t, top, 0ul);
		expect_guarded_stack(t, cpu, "kernel stack", top, AP_STACK_SIZE);
	}
}

/*
 * The allocator behind all of them: back-to-back stacks are separated by a
 * hole (the page above one is the next one's guard), a freed stack is
 * unmapped, and a size that is not a power-of-two number of pages is refused.
 */
static void kernel_stack_allocator_guards_frees_and_refuses(struct ktest *t)
{
	struct vmm_translation tr;
	uintptr_t a = kstack_alloc(AP_STACK_SIZE, "a test stack");
	KASSERT_NE(t, a, 0ul);
	uintptr_t b = kstack_alloc(IST_STACK_SIZE, "a test stack");
	if (!b)
		kstack_free(a, AP_STACK_SIZE);
	KASSERT_NE(t, b, 0ul);

	expect_guarded_stack(t, 0, "test stack a", a, AP_STACK_SIZE);
	expect_guarded_stack(t, 0, "test stack b", b, IST_STACK_SIZE);
	KEXPECT_EQ(t, b - IST_STACK_SIZE, a + PAGE_SIZE_4K);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, a, &tr), -ENOENT);
	KEXPECT_EQ(t, *(volatile uint64_t *)(a - 8), 0ull); /* zeroed */
	*(volatile uint64_t *)(a - AP_STACK_SIZE) = 1;	    /* writable to the bottom */

	kstack_free(a, AP_STACK_SIZE);
	kstack_free(b, IST_STACK_SIZE);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, a - PAGE_SIZE_4K, &tr), -ENOENT);
	KEXPECT_EQ(t, vmm_translate(&kernel_space, b - PAGE_SIZE_4K, &tr), -ENOENT);

	KEXPECT_EQ(t, kstack_alloc(3 * PAGE_SIZE_4K, "a bad test stack"), 0ul);
	KEXPECT_EQ(t, kstack_alloc(0, "a bad test stack"), 0ul);
	kstack_free(a, AP_STACK_SIZE); /* not mapped any more: refused with a message */
}

/* What each CPU's loaded TSS says (task register -> GDT descriptor -> TSS). */
static uint64_t live_ist[NR_CPUS][3];
static uint16_t live_tr[NR_CPUS];

static void read_live_tss(void *arg)
{
	(void)arg;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr;
	uint16_t tr;
	__asm__ __volatile__("sgdt %0" : "=m"(gdtr));
	__asm__ __volatile__("str %0" : "=r"(tr));
	const uint64_t *gdt = (const uint64_t *)gdtr.base;
	uint64_t lo = gdt[tr / 8], hi = gdt[tr / 8 + 1];
	uintptr_t base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);
	const struct tss64 *tss = (const struct tss64 *)base;
	unsigned cpu = smp_processor_id();
	live_tr[cpu] = tr;
	for (unsigned i = 0; i < 3; i++)
		live_ist[cpu][i] = tss->ist[i];
}

static void ist_stacks_are_guarded_on_every_cpu(struct ktest *t)
{
	static const char *const names[3] = { "#DF stack", "NMI stack", "#MC stack" };
	uintptr_t tops[NR_CPUS * 3];
	unsigned ntops = 0;

	memset(live_ist, 0, sizeof(live_ist));
	on_each_cpu(read_live_tss, NULL, true);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		KEXPECT_EQ(t, live_tr[cpu], (uint16_t)GDT_TSS);
		for (unsigned ist = IST_DOUBLE_FAULT; ist <= IST_MACHINE_CHECK; ist++) {
			uintptr_t top = gdt_ist_stack_top(cpu, ist);
			KASSERT_NE(t, top, 0ul);
			KEXPECT_EQ(t, live_ist[cpu][ist - 1], (uint64_t)top);
			expect_guarded_stack(t, cpu, names[ist - 1], top, IST_STACK_SIZE);
			for (unsigned i = 0; i < ntops; i++)
				KEXPECT_GE(t, top > tops[i] ? top - tops[i] : tops[i] - top,
					   (unsigned long)IST_STACK_SIZE + PAGE_SIZE_4K);
			tops[ntops++] = top;
		}
	}

	/* And the hardware agrees: touching the guard page below this CPU's NMI stack faults. */
	uintptr_t guard = gdt_ist_stack_top(0, IST_NMI) - IST_STACK_SIZE - 8;
	struct expected_fault ef = { .vector = X86_TRAP_PF };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		(void)*(volatile uint64_t *)guard;
	}
	fault_expect_clear();
	KEXPECT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.cr2, (uint64_t)guard);
	KEXPECT_EQ(t, ef.error_code & X86_PF_PROT, 0ull);
}

/* ---- the allocators under concurrent use ---- */

#define STRESS_OPS_TOTAL 16000 /* shared out between the CPUs, at least STRESS_OPS_MIN each */
#define STRESS_OPS_MIN	 1500
#define STRESS_LOCAL	 32 /* objects a CPU holds at once */
#define STRESS_RING	 64 /* shared slots through which objects change CPU */
#define STRESS_HANDOFF	 16 /* objects each CPU leaves for the next one */
#define STAMP_MAGIC	 0x53545250u
#define STAMP_FREED	 0xdeadf4eeu

enum { KIND_KMALLOC = 1, KIND_PAGES = 2 };

/* At the start of every object; the last 8 bytes of the object repeat `check`. */
struct stamp {
	uint32_t magic;
	uint16_t owner; /* allocating CPU */
	uint8_t kind;
	uint8_t order;
	uint32_t size; /* bytes: the kmalloc request, or the block size */
	uint32_t seq;
	uint64_t check;
};

struct stress_result {
	unsigned long allocs, frees, remote_frees, bad_stamps, alloc_failures;
};

static void *stress_ring[STRESS_RING];
static void *handoff[NR_CPUS][STRESS_HANDOFF];
static struct stress_result results[NR_CPUS];

static uint64_t xorshift(uint64_t *s)
{
	return xorshift64(s);
}

static uint64_t stamp_check(const struct stamp *s)
{
	return ((uint64_t)s->owner << 48 | (uint64_t)s->seq << 16 | s->kind << 8 | s->order) ^
	       ((uintptr_t)s * 0x9e3779b97f4a7c15ull) ^ s->size;
}

static void *stress_alloc(uint64_t *rng, struct stress_result *r, uint32_t seq)
{
	struct stamp *s;
	uint32_t size;
	uint8_t kind, order = 0;

	if (xorshift(rng) % 4 == 0) {
		order = (uint8_t)(xorshift(rng) % 3);
		struct page *page = alloc_pages(GFP_KERNEL, order);
		s = page ? page_address(page) : NULL;
		size = (uint32_t)(PAGE_SIZE << order);
		kind = KIND_PAGES;
	} else {
		size = 32 + 8 * (uint32_t)(xorshift(rng) % 250); /* 32 .. 2024 bytes */
		s = kmalloc(size, GFP_KERNEL);
		kind = KIND_KMALLOC;
	}
	if (!s) {
		r->alloc_failures++;
		return NULL;
	}
	*s = (struct stamp){ STAMP_MAGIC, (uint16_t)smp_processor_id(), kind, order, size, seq, 0 };
	s->check = stamp_check(s);
	*(uint64_t *)((char *)s + size - 8) = s->check;
	r->allocs++;
	return s;
}

static void stress_free(void *obj, struct stress_result *r)
{
	struct stamp *s = obj;
	if (s->magic != STAMP_MAGIC || s->check != stamp_check(s) ||
	    *(uint64_t *)((char *)s + s->size - 8) != s->check ||
	    (s->kind == KIND_KMALLOC && ksize(s) < s->size)) {
		r->bad_stamps++;
		return; /* leave it: freeing a damaged object would only spread the damage */
	}
	if (s->owner != smp_processor_id())
		r->remote_frees++;
	s->magic = STAMP_FREED;
	if (s->kind == KIND_PAGES)
		__free_pages(virt_to_page(s), s->order);
	else
		kfree(s);
	r->frees++;
}

/* Random allocations and frees; a third of the objects go through the shared ring. */
static void stress_worker(void *arg)
{
	(void)arg;
	unsigned cpu = smp_processor_id();
	struct stress_result *r = &results[cpu];
	void *local[STRESS_LOCAL] = { NULL };
	uint64_t rng = 0x9e3779b97f4a7c15ull * (cpu + 1);

	uint32_t ops = MAX(STRESS_OPS_TOTAL / nr_cpu_ids, STRESS_OPS_MIN);
	for (uint32_t op = 0; op < ops; op++) {
		unsigned slot = (unsigned)(xorshift(&rng) % STRESS_LOCAL);
		unsigned action = (unsigned)(xorshift(&rng) % 3);
		if (!local[slot]) {
			local[slot] = stress_alloc(&rng, r, op);
		} else if (action == 0) {
			/* Publish it; if the ring slot is taken, free it here. */
			void *expect = NULL;
			unsigned j = (unsigned)(xorshift(&rng) % STRESS_RING);
			if (!__atomic_compare_exchange_n(&stress_ring[j], &expect, local[slot],
							 false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				stress_free(local[slot], r);
			local[slot] = NULL;
		} else {
			stress_free(local[slot], r);
			local[slot] = NULL;
		}
		/* Take whatever another (or this) CPU left in a random ring slot. */
		void *got = __atomic_exchange_n(&stress_ring[xorshift(&rng) % STRESS_RING], NULL,
						__ATOMIC_ACQ_REL);
		if (got)
			stress_free(got, r);
	}
	for (unsigned i = 0; i < STRESS_LOCAL; i++)
		if (local[i])
			stress_free(local[i], r);
	/* Leave a batch for the next CPU to free (deterministic cross-CPU frees). */
	for (unsigned i = 0; i < STRESS_HANDOFF; i++)
		handoff[cpu][i] = stress_alloc(&rng, r, ops + i);
}

static void handoff_worker(void *arg)
{
	(void)arg;
	unsigned cpu = smp_processor_id();
	unsigned from = (cpu + nr_cpu_ids - 1) % nr_cpu_ids;
	for (unsigned i = 0; i < STRESS_HANDOFF; i++) {
		if (handoff[from][i])
			stress_free(handoff[from][i], &results[cpu]);
		handoff[from][i] = NULL;
	}
}

/*
 * Touch every kmalloc size class and page order the stress uses, on this
 * CPU: what a CPU creates on first use of a cache (its per-CPU object array)
 * then exists before the free pages are counted.
 */
static void warmup_worker(void *arg)
{
	(void)arg;
	for (uint32_t size = 32; size <= 2024; size += 8)
		kfree(kmalloc(size, GFP_KERNEL));
	for (unsigned order = 0; order < 3; order++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		if (p)
			__free_pages(p, order);
	}
}

/* Everything idle in per-CPU lists and caches back to the buddy allocator, on every CPU. */
static unsigned long drained_free_pages(void)
{
	kmem_cache_drain_all();
	slab_reclaim();
	drain_all_pages();
	return nr_free_pages();
}

/*
 * After a drain from the boot CPU, nothing may be parked on any CPU: the
 * drains reach the other CPUs (by IPI), not only the caller. Returns the
 * pages and objects still found in per-CPU lists and arrays.
 */
static unsigned long parked_anywhere(void)
{
	unsigned long parked = 0, flags;
	struct kmem_cache *c;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			parked += (unsigned long)READ_ONCE(page_zones[z].pcp[cpu].count);
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
	{
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			parked += READ_ONCE(c->cpu_cache[cpu]->avail);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return parked;
}

static void run_stress(struct stress_result *total)
{
	memset(results, 0, sizeof(results));
	memset(stress_ring, 0, sizeof(stress_ring));
	smp_run_everywhere(stress_worker, NULL);
	smp_run_everywhere(handoff_worker, NULL);
	for (unsigned j = 0; j < STRESS_RING; j++)
		if (stress_ring[j])
			stress_free(stress_ring[j], &results[0]);
	memset(total, 0, sizeof(*total));
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		total->allocs += results[cpu].allocs;
		total->frees += results[cpu].frees;
		total->remote_frees += results[cpu].remote_frees;
		total->bad_stamps += results[cpu].bad_stamps;
		total->alloc_failures += results[cpu].alloc_failures;
	}
}

static void allocators_survive_every_cpu_at_once(struct ktest *t)
{
	struct stress_result warm, r;

	/* First create what every CPU keeps for good (per-CPU object arrays). */
	smp_run_everywhere(warmup_worker, NULL);
	run_stress(&warm);
	KEXPECT_EQ(t, warm.bad_stamps, 0ul);
	unsigned long free_before = drained_free_pages();

	run_stress(&r);
	unsigned long free_after = drained_free_pages();
	unsigned long parked = parked_anywhere();

	KEXPECT_EQ(t, r.bad_stamps, 0ul);
	KEXPECT_EQ(t, r.alloc_failures, 0ul);
	KEXPECT_EQ(t, r.allocs, r.frees);
	if (nr_cpu_ids > 1)
		KEXPECT_GE(t, r.remote_frees, (unsigned long)nr_cpu_ids * STRESS_HANDOFF);
	KEXPECT_EQ(t, free_after, free_before);
	KEXPECT_EQ(t, parked, 0ul);
	KEXPECT_EQ(t, buddy_check(), 0u);
	KEXPECT_EQ(t, slab_check(), 0u);
	ktest_log(t, "%u CPUs: %lu allocations, %lu freed by another CPU", nr_cpu_ids, r.allocs,
		  r.remote_frees);
}

/* ---- the slab depot between CPUs ---- */

#define DEPOT_XCPU_SIZE 256 /* kmalloc size */
#define DEPOT_XCPU_OBJS 1000
static void *depot_xcpu[DEPOT_XCPU_OBJS];

static void depot_xcpu_free_all(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < DEPOT_XCPU_OBJS; i++)
		kfree(depot_xcpu[i]);
}

/* Allocate every object on this CPU, each stamped with its index; false if one failed. */
static bool depot_xcpu_alloc_all(void)
{
	bool ok = true;
	for (unsigned i = 0; i < DEPOT_XCPU_OBJS; i++) {
		depot_xcpu[i] = kmalloc(DEPOT_XCPU_SIZE, GFP_KERNEL);
		if (depot_xcpu[i])
			*(uint32_t *)depot_xcpu[i] = i;
		ok &= depot_xcpu[i] != NULL;
	}
	return ok;
}

/*
 * Producer/consumer on real CPUs: the boot CPU allocates 1000 kmalloc-256
 * objects, CPU 1 frees them all (its flushes file batches in the depot), and
 * the boot CPU allocates 1000 again: it refills from CPU 1's magazines, as
 * many as it needs of them, and gets valid, distinct objects.
 */
static void slab_depot_carries_frees_to_the_allocating_cpu(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache_for(DEPOT_XCPU_SIZE);
	KASSERT_NOT_NULL(t, c);
	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs two CPUs");
	if (c->flags & SLAB_DEBUG)
		KTEST_SKIP(t, "slab_debug: no per-CPU arrays, hence no depot");
	/* Start with nothing parked in any array or depot, on any CPU. */
	kmem_cache_drain_all();

	KASSERT_TRUE(t, depot_xcpu_alloc_all());
	struct array_cache *ac0 = c->cpu_cache[0];
	KASSERT_TRUE(t, ac0 != &slab_empty_ac);
	/* CPU 1's array may still be the placeholder, whose counters are 0. */
	unsigned long filed_before = READ_ONCE(c->cpu_cache[1])->flush_depot;
	KASSERT_EQ(t, smp_queue_work(1, depot_xcpu_free_all, NULL), 0);
	smp_wait_work(1);
	struct array_cache *ac1 = READ_ONCE(c->cpu_cache[1]);
	KASSERT_TRUE(t, ac1 != &slab_empty_ac);
	unsigned long filed = ac1->flush_depot - filed_before;
	KEXPECT_GT(t, filed, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * The boot CPU pops what its array holds, then refills a batch at a
	 * time; the depot has at least CPU 1's magazines, so at least that many
	 * refills (or as many as 1000 objects need) come from it.
	 */
	unsigned long from_depot = ac0->refill_depot, avail = ac0->avail;
	KASSERT_TRUE(t, depot_xcpu_alloc_all());
	unsigned long need = (DEPOT_XCPU_OBJS - avail) / ac0->batchcount;
	KEXPECT_GT(t, ac0->refill_depot, from_depot);
	KEXPECT_GE(t, ac0->refill_depot - from_depot, MIN(filed, need));
	KEXPECT_EQ(t, slab_check(), 0u);
	/* Valid: kmalloc-256 objects; distinct: no stamp was overwritten by another's. */
	unsigned bad = 0;
	for (unsigned i = 0; i < DEPOT_XCPU_OBJS; i++)
		if (*(uint32_t *)depot_xcpu[i] != i || ksize(depot_xcpu[i]) < DEPOT_XCPU_SIZE)
			bad++;
	KEXPECT_EQ(t, bad, 0u);
	for (unsigned i = 0; i < DEPOT_XCPU_OBJS; i++)
		kfree(depot_xcpu[i]);
	KEXPECT_EQ(t, slab_check(), 0u);
	ktest_log(t, "CPU 1 filed %lu magazines, the boot CPU refilled %lu from the depot", filed,
		  ac0->refill_depot - from_depot);
}

/*
 * Drains against fast paths: CPU 1 runs kmalloc/kfree pairs of 64 bytes
 * (restartable sequences on its array) while the boot CPU drains every
 * CPU's arrays over and over (an IPI each time). A drain that lands inside a
 * fast path empties the array under it; the interrupt rewinds the fast path,
 * which then runs again on the empty array. Nothing may be lost or handed
 * out twice: afterwards every array and slab checks out, no problem was
 * reported, and some drains did land inside a sequence (irq_rewinds).
 */
#define DRAIN_RACE_ROUNDS 300
static volatile bool drain_race_stop;
static unsigned long drain_race_pairs;

static void drain_race_worker(void *arg)
{
	(void)arg;
	unsigned long n = 0;
	while (!READ_ONCE(drain_race_stop)) {
		void *p = kmalloc(64, GFP_KERNEL);
		if (!p)
			break;
		*(volatile uint64_t *)p = n;
		kfree(p);
		n++;
	}
	drain_race_pairs = n;
}

static void drains_rewind_the_fast_paths_they_interrupt(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache_for(64);
	KASSERT_NOT_NULL(t, c);
	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "needs two CPUs");
	if (c->flags & SLAB_DEBUG)
		KTEST_SKIP(t, "slab_debug: no per-CPU arrays");
	unsigned long reports = slab_report_count();
	unsigned long rewinds = READ_ONCE(irq_rewinds[1]);

	drain_race_stop = false;
	drain_race_pairs = 0;
	KASSERT_EQ(t, smp_queue_work(1, drain_race_worker, NULL), 0);
	for (unsigned i = 0; i < DRAIN_RACE_ROUNDS; i++)
		kmem_cache_drain_all();
	WRITE_ONCE(drain_race_stop, true);
	smp_wait_work(1);

	rewinds = READ_ONCE(irq_rewinds[1]) - rewinds;
	KEXPECT_GT(t, drain_race_pairs, 0ul);
	KEXPECT_EQ(t, slab_report_count(), reports);
	KEXPECT_EQ(t, slab_check(), 0u);
	/* The case is about that interleaving: it must have happened. */
	KEXPECT_GT(t, rewinds, 0ul);
	ktest_log(t, "%lu pairs on CPU 1 during %u drains; %lu interrupts rewound a fast path",
		  drain_race_pairs, DRAIN_RACE_ROUNDS, rewinds);
}

static struct ktest_case smp_cases[] = {
	KTEST_CASE(cpus_are_numbered_densely_with_their_apic_ids),
	KTEST_CASE(drains_rewind_the_fast_paths_they_interrupt),
	KTEST_CASE(calls_reach_exactly_the_cpus_asked),
	KTEST_CASE(calls_without_waiting_all_arrive),
	KTEST_CASE(crossing_calls_with_interrupts_off_do_not_deadlock),
	KTEST_CASE(work_queue_reports_busy_and_done),
	KTEST_CASE(apic_timer_interrupts_every_cpu),
	KTEST_CASE(interrupts_that_allocate_rewind_the_fast_paths),
	KTEST_CASE(unmap_is_seen_by_every_cpu),
	KTEST_CASE(protect_is_seen_by_every_cpu),
	KTEST_CASE(unmap_of_many_pages_is_one_shootdown),
	KTEST_CASE(protect_of_many_pages_is_one_shootdown),
	KTEST_CASE(ap_stacks_are_guarded_and_the_trampoline_is_gone),
	KTEST_CASE(ist_stacks_are_guarded_on_every_cpu),
	KTEST_CASE(kernel_stack_allocator_guards_frees_and_refuses),
	KTEST_CASE(allocators_survive_every_cpu_at_once),
	KTEST_CASE(slab_depot_carries_frees_to_the_allocating_cpu),
	{},
};
KTEST_SUITE(smp, smp_cases);
