/*
 * smp.c - starting the application processors (APs), running functions on
 * other CPUs, and TLB shootdown.
 *
 * Bring-up (smp_init, on the boot CPU, after mm_init):
 *   1. the local APIC (apic_init_boot), and the CPU list from the MADT;
 *   2. the AP start-up code (trampoline.S) is copied to TRAMPOLINE_PHYS,
 *      inside the first MiB that memblock keeps reserved, and that one page
 *      is identity-mapped read+execute in kernel_space for as long as APs
 *      are starting (an AP turns paging on while running from it);
 *   3. for each AP in MADT order, one at a time: its kernel stack and its
 *      three IST stacks (kstack.c: each above an unmapped guard page in the
 *      CPU window), its per-CPU area, the trampoline's data block, then
 *      INIT-SIPI-SIPI; the AP claims its start-up ticket, sets up its GDT,
 *      TSS, IDT and local APIC, and reports ready; the boot CPU waits with a
 *      timeout and gives up on (and names) an AP that does not;
 *   4. the identity mapping is removed; nr_cpu_ids = CPUs that came up.
 * Ids are handed out densely in bring-up order, 0 being the boot CPU.
 *
 * The ticket makes a late AP harmless: the boot CPU and the AP both move
 * ap_state by compare-and-swap (WAITING -> CLAIMED -> ONLINE); a boot CPU
 * that times out swaps the ticket away, and an AP that then loses its swap
 * halts for good instead of running with an id that is given to another.
 *
 * Calls on other CPUs (kernel/smp.h) go through per-CPU lock-free queues:
 * the caller pushes a request (struct call_single_data) on the target's
 * queue and sends CALL_FUNCTION_VECTOR if the queue was empty (else an IPI
 * is already on its way); the target's handler takes the whole queue with
 * one exchange and runs it. A caller that waits runs its own queue while it
 * waits, so two CPUs calling each other never deadlock.
 *
 * TLB shootdown is separate and uses NMIs: vmm.c flushes while holding an
 * address space's lock with interrupts disabled, and a CPU spinning on that
 * lock with interrupts disabled could never take an ordinary IPI. An NMI is
 * taken whatever the interrupt flag says, and its handler only invalidates
 * and acknowledges: no lock, nothing that can fault. One shootdown carries
 * a whole operation's pages (up to TLB_FLUSH_MAX, else "everything"), so a
 * vmm call costs one NMI round trip however many pages it changed.
 * Shootdowns are serialised by tlb_lock (a sender spinning on it still
 * answers NMIs).
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/kstack.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/vmm.h"

#define EFER_LMA (1u << 10) /* long mode active: read-only, never written back */

CMDLINE_PARAM(smp_bogus_apic, "test hook: first try to start this APIC id, where no CPU is "
			      "(exercises the bring-up timeout and the dense CPU numbering)");
CMDLINE_PARAM(maxcpus, "start at most this many CPUs, the boot CPU included (maxcpus=1: no SMP)");

unsigned smp_num_online = 1;
static uint32_t online_mask = 1; /* bit n: CPU n is online */

BUILD_BUG_ON(NR_CPUS > 32);

unsigned num_online_cpus(void)
{
	return __atomic_load_n(&smp_num_online, __ATOMIC_ACQUIRE);
}

bool cpu_online(unsigned cpu)
{
	return cpu < NR_CPUS && (__atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) >> cpu) & 1;
}

uint32_t cpu_apic_id(unsigned cpu)
{
	return per_cpu(cpu)->apic_id;
}

/* Seconds of waiting after which a silent CPU is reported, then declared dead. */
#define WAIT_WARN_S  5
#define WAIT_PANIC_S 60

static uint64_t seconds_to_cycles(uint64_t s)
{
	return s * 1000 * (tsc_khz ? tsc_khz : 1000000);
}

/* ================================================================== */
/* Calls on other CPUs                                                */
/* ================================================================== */

/* Run every request queued for this CPU (interrupts disabled). */
static void run_call_queue(void)
{
	struct percpu *me = this_cpu_ptr();
	struct call_single_data *list =
		__atomic_exchange_n(&me->call_queue, NULL, __ATOMIC_ACQUIRE);
	struct call_single_data *fifo = NULL;

	/* The queue is a LIFO stack; reverse it so requests run in the order they came. */
	while (list) {
		struct call_single_data *next = list->next;
		list->next = fifo;
		fifo = list;
		list = next;
	}
	while (fifo) {
		/* Read everything first: once flags is 0 the caller may reuse or free the request. */
		struct call_single_data *next = fifo->next;
		smp_call_func_t func = fifo->func;
		void *arg = fifo->arg;
		func(arg);
		__atomic_store_n(&fifo->flags, 0, __ATOMIC_RELEASE);
		me->calls_run++;
		fifo = next;
	}
}

static void poll_own_queue(void)
{
	if (__atomic_load_n(&this_cpu_ptr()->call_queue, __ATOMIC_RELAXED)) {
		unsigned long flags;
		local_irq_save(flags);
		run_call_queue();
		local_irq_restore(flags);
	}
}

static bool call_function_interrupt(struct pt_regs *regs)
{
	(void)regs;
	/* EOI first: a request queued from now on raises a new IPI that must not be lost. */
	apic_eoi();
	this_cpu_inc(ipis_received);
	run_call_queue();
	return true;
}

void smp_call_function_interrupt(void)
{
	call_function_interrupt(NULL);
}

static void csd_queue(unsigned cpu, struct call_single_data *csd)
{
	struct percpu *p = per_cpu(cpu);
	struct call_single_data *old = __atomic_load_n(&p->call_queue, __ATOMIC_RELAXED);
	do {
		csd->next = old;
	} while (!__atomic_compare_exchange_n(&p->call_queue, &old, csd, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	if (!old)
		apic_send_ipi(p->apic_id, CALL_FUNCTION_VECTOR);
}

/* Wait until csd's function has run, answering our own requests meanwhile. */
static void csd_wait(struct call_single_data *csd)
{
	uint64_t start = arch_cycles();
	bool warned = false;

	while (__atomic_load_n(&csd->flags, __ATOMIC_ACQUIRE) & CSD_LOCKED) {
		poll_own_queue();
		cpu_relax();
		uint64_t waited = arch_cycles() - start;
		if (!warned && waited > seconds_to_cycles(WAIT_WARN_S)) {
			warned = true;
			pr_warn("smp: CPU %u has waited %u s for CPU %u to run %pS\n",
				smp_processor_id(), WAIT_WARN_S, csd->cpu, (void *)csd->func);
		}
		if (waited > seconds_to_cycles(WAIT_PANIC_S))
			panic("smp: CPU %u never ran %pS for CPU %u (interrupts disabled for %u "
			      "s?)",
			      csd->cpu, (void *)csd->func, smp_processor_id(), WAIT_PANIC_S);
	}
}

/*
 * Queue func(info) on every CPU in mask but this one. With sync, the
 * requests are the caller's (on its stack); without, this CPU's per-target
 * slots, each first waited for if its previous use has not run yet.
 */
static void queue_calls(uint32_t mask, smp_call_func_t func, void *info,
			struct call_single_data *sync)
{
	unsigned long flags;
	local_irq_save(flags);
	unsigned self = smp_processor_id();
	mask &= __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) & ~(1u << self);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!(mask & (1u << cpu)))
			continue;
		struct call_single_data *csd = sync ? &sync[cpu] : &this_cpu_ptr()->csd_async[cpu];
		if (!sync)
			csd_wait(csd);
		csd->func = func;
		csd->arg = info;
		csd->cpu = cpu;
		csd->flags = CSD_LOCKED;
		csd_queue(cpu, csd);
	}
	local_irq_restore(flags);
}

static void wait_calls(uint32_t mask, struct call_single_data *sync)
{
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (mask & (1u << cpu))
			csd_wait(&sync[cpu]);
}

static void run_local(smp_call_func_t func, void *info)
{
	unsigned long flags;
	local_irq_save(flags);
	func(info);
	local_irq_restore(flags);
}

static void call_mask(uint32_t mask, smp_call_func_t func, void *info, bool wait, bool self)
{
	struct call_single_data sync[NR_CPUS];
	memset(sync, 0, sizeof(sync)); /* unused slots stay unlocked for wait_calls */
	queue_calls(mask, func, info, wait ? sync : NULL);
	if (self)
		run_local(func, info);
	if (wait)
		wait_calls(mask, sync);
}

void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	if (num_online_cpus() > 1)
		call_mask(~0u, func, info, wait, false);
}

int smp_call_function_single(unsigned cpu, smp_call_func_t func, void *info, bool wait)
{
	if (!cpu_online(cpu))
		return -EINVAL;
	if (cpu == smp_processor_id())
		run_local(func, info);
	else
		call_mask(1u << cpu, func, info, wait, false);
	return 0;
}

void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	if (num_online_cpus() > 1)
		call_mask(~0u, func, info, wait, true);
	else
		run_local(func, info);
}

/* ---- jobs for the idle loop ---- */

struct work_request {
	smp_call_func_t func;
	void *info;
	int result;
};

static void accept_work(void *arg)
{
	struct work_request *w = arg;
	struct percpu *me = this_cpu_ptr();
	if (me->work_fn) {
		w->result = -EBUSY;
		return;
	}
	me->work_arg = w->info;
	__atomic_store_n(&me->work_fn, w->func, __ATOMIC_RELEASE);
	w->result = 0;
}

int smp_queue_work(unsigned cpu, smp_call_func_t func, void *info)
{
	struct work_request w = { func, info, -EINVAL };
	if (cpu == 0 || cpu == smp_processor_id() || !cpu_online(cpu))
		return -EINVAL;
	smp_call_function_single(cpu, accept_work, &w, true);
	return w.result;
}

bool smp_work_done(unsigned cpu)
{
	return cpu >= NR_CPUS || !__atomic_load_n(&per_cpu(cpu)->work_fn, __ATOMIC_ACQUIRE);
}

void smp_wait_work(unsigned cpu)
{
	while (!smp_work_done(cpu)) {
		poll_own_queue();
		cpu_relax();
	}
}

struct everywhere {
	smp_call_func_t func;
	void *info;
	unsigned started; /* CPUs that have arrived at the start line */
	unsigned expected;
};

static void everywhere_job(void *arg)
{
	struct everywhere *e = arg;
	__atomic_add_fetch(&e->started, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&e->started, __ATOMIC_ACQUIRE) <
	       __atomic_load_n(&e->expected, __ATOMIC_ACQUIRE))
		cpu_relax();
	e->func(e->info);
}

unsigned smp_run_everywhere(smp_call_func_t func, void *info)
{
	struct everywhere e = { func, info, 0, 1 };
	unsigned self = smp_processor_id();
	uint32_t ran = 0;

	/* Count first: every CPU waits at the start line for all the others. */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu != self && cpu_online(cpu) && smp_work_done(cpu))
			e.expected++;
	unsigned queued = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS && queued + 1 < e.expected; cpu++) {
		if (cpu == self || !cpu_online(cpu))
			continue;
		if (smp_queue_work(cpu, everywhere_job, &e) == 0) {
			ran |= 1u << cpu;
			queued++;
		}
	}
	/* A CPU that turned out busy never arrives: lower the bar to those that will. */
	__atomic_store_n(&e.expected, queued + 1, __ATOMIC_RELEASE);
	everywhere_job(&e);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (ran & (1u << cpu))
			smp_wait_work(cpu);
	return queued + 1;
}

/*
 * Where an AP spends its life: run the job it was given, else sleep until an
 * interrupt. "sti; hlt" is atomic (sti takes effect after the next
 * instruction), so an IPI that hands over a job between the check and the
 * hlt still wakes us.
 */
static __noreturn void ap_idle_loop(void)
{
	struct percpu *me = this_cpu_ptr();
	for (;;) {
		__asm__ __volatile__("cli" ::: "memory");
		smp_call_func_t fn = __atomic_load_n(&me->work_fn, __ATOMIC_ACQUIRE);
		if (fn) {
			__asm__ __volatile__("sti" ::: "memory");
			fn(me->work_arg);
			__atomic_store_n(&me->work_fn, NULL, __ATOMIC_RELEASE);
			continue;
		}
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}

/* ================================================================== */
/* TLB shootdown                                                      */
/* ================================================================== */

/*
 * The request of the shootdown in progress, written under tlb_lock before
 * tlb_gen is bumped (release) and read by the targets after they see the
 * new generation (acquire); the sender waits for every acknowledgement
 * before it drops the lock, so no request is overwritten while read. The
 * pages are copied, not pointed to: a target never reads the sender's stack.
 * vmm.c never asks for more than its VMM_FLUSH_THRESHOLD pages at once.
 */
#define TLB_FLUSH_MAX VMM_FLUSH_THRESHOLD
static spinlock_t tlb_lock = SPINLOCK_INIT;
static uintptr_t tlb_req_va[TLB_FLUSH_MAX];
static unsigned tlb_req_n;
static bool tlb_req_all;
static uint64_t tlb_gen; /* bumped per shootdown; each CPU acks the last it did */

/* Set by smp_send_stop: every CPU that takes an NMI from now on stops for good. */
static bool smp_stopping;
static unsigned smp_stopped;

bool smp_handle_nmi(void)
{
	struct percpu *me = this_cpu_ptr();
	if (__atomic_load_n(&smp_stopping, __ATOMIC_ACQUIRE)) {
		__atomic_add_fetch(&smp_stopped, 1, __ATOMIC_RELEASE);
		arch_halt_forever(); /* in the NMI handler: not even another NMI gets in */
	}
	uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&me->tlb_ack_gen, __ATOMIC_RELAXED) >= gen)
		return false; /* nothing asked of us: a real NMI */
	if (READ_ONCE(tlb_req_all)) {
		__flush_tlb_all_local();
	} else {
		unsigned n = READ_ONCE(tlb_req_n);
		for (unsigned i = 0; i < n; i++)
			__flush_tlb_one_local(READ_ONCE(tlb_req_va[i]));
	}
	me->tlb_shootdowns++;
	__atomic_store_n(&me->tlb_ack_gen, gen, __ATOMIC_RELEASE);
	return true;
}

static bool nmi_handler(struct pt_regs *regs)
{
	(void)regs;
	return smp_handle_nmi();
}

void smp_flush_tlb_others(const uintptr_t *va, unsigned n)
{
	unsigned long flags;
	bool all = !va || n > TLB_FLUSH_MAX; /* a longer list costs more than a full flush */
	local_irq_save(flags);
	spin_lock(&tlb_lock);

	unsigned self = smp_processor_id();
	uint32_t targets = __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) & ~(1u << self);
	uint64_t gen = tlb_gen + 1;
	tlb_req_all = all;
	tlb_req_n = 0;
	if (!all) {
		tlb_req_n = n;
		for (unsigned i = 0; i < n; i++)
			tlb_req_va[i] = va[i];
	}
	__atomic_store_n(&this_cpu_ptr()->tlb_ack_gen, gen, __ATOMIC_RELAXED);
	__atomic_store_n(&tlb_gen, gen, __ATOMIC_RELEASE);

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (targets & (1u << cpu))
			apic_send_nmi(per_cpu(cpu)->apic_id);

	uint64_t start = arch_cycles();
	bool warned = false;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!(targets & (1u << cpu)))
			continue;
		while (__atomic_load_n(&per_cpu(cpu)->tlb_ack_gen, __ATOMIC_ACQUIRE) < gen) {
			cpu_relax();
			uint64_t waited = arch_cycles() - start;
			if (!warned && waited > seconds_to_cycles(WAIT_WARN_S)) {
				warned = true;
				pr_warn("smp: CPU %u has not answered a TLB shootdown NMI in %u "
					"s\n",
					cpu, WAIT_WARN_S);
			}
			if (waited > seconds_to_cycles(WAIT_PANIC_S))
				panic("smp: CPU %u never answered a TLB shootdown NMI", cpu);
		}
	}
	spin_unlock(&tlb_lock);
	local_irq_restore(flags);
}

/*
 * Stop every other CPU, for a panic or a fatal exception: they must not
 * scribble over the report or keep changing what it describes. An NMI each
 * (it reaches CPUs spinning with interrupts off, or waiting for the CPU that
 * is now reporting), whose handler halts. The caller may hold any lock and
 * be in any context, so nothing here waits for a lock; it waits at most
 * 100 ms for the others to acknowledge. Afterwards this is the only CPU
 * online, so no later TLB flush or call waits for the stopped ones.
 */
void smp_send_stop(void)
{
	unsigned self = smp_processor_id();
	uint32_t others = __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) & ~(1u << self);

	if (!others || !apic_available() ||
	    __atomic_exchange_n(&smp_stopping, true, __ATOMIC_ACQ_REL))
		return;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (others & (1u << cpu))
			apic_send_nmi(per_cpu(cpu)->apic_id);
	__atomic_store_n(&online_mask, 1u << self, __ATOMIC_RELEASE);
	__atomic_store_n(&smp_num_online, 1, __ATOMIC_RELEASE);

	unsigned want = 0;
	for (uint32_t m = others; m; m &= m - 1)
		want++;
	uint64_t start = arch_cycles(), limit = 100 * (tsc_khz ? tsc_khz : 1000000);
	while (__atomic_load_n(&smp_stopped, __ATOMIC_ACQUIRE) < want &&
	       arch_cycles() - start < limit)
		cpu_relax();
}

/* ================================================================== */
/* Bring-up                                                           */
/* ================================================================== */

/* The data block at the end of the trampoline (trampoline.S), field for field. */
struct trampoline_data {
	uint64_t boot_cr3, cr3, cr4, cr0, efer, gs_base, stack, entry, arg, alive;
};

extern char trampoline_start[], trampoline_data[], trampoline_end[];

/* ap_state: ticket << 2 | stage. */
#define AP_WAITING 0u
#define AP_CLAIMED 1u
#define AP_ONLINE  2u
static uint64_t ap_state;

/*
 * Timeouts: for the AP to claim its ticket after the SIPIs, then to finish
 * its set-up. A real AP takes well under a millisecond; these are generous
 * because emulated CPUs on a busy host may wait seconds to be scheduled, and
 * they cost nothing unless a listed CPU is really missing.
 */
#define AP_CLAIM_TIMEOUT_MS 5000
#define AP_SETUP_TIMEOUT_MS 10000

static __noreturn void ap_abandon(void)
{
	/* The boot CPU has given up on us and may have given our id away: stop, quietly. */
	arch_halt_forever();
}

/* The AP's first C code: on its own stack, with its per-CPU area in GS (trampoline.S). */
__noreturn void ap_start(uint64_t ticket);
__noreturn void ap_start(uint64_t ticket)
{
	uint64_t expect = ticket | AP_WAITING;
	if (!__atomic_compare_exchange_n(&ap_state, &expect, ticket | AP_CLAIMED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		ap_abandon();

	unsigned cpu = this_cpu_read(cpu_id);
	gdt_init_cpu(cpu);
	idt_load();
	apic_init_ap();
	/* Nothing to flush for shootdowns done before we loaded CR3. */
	__atomic_store_n(&this_cpu_ptr()->tlb_ack_gen, __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);

	expect = ticket | AP_CLAIMED;
	if (!__atomic_compare_exchange_n(&ap_state, &expect, ticket | AP_ONLINE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		ap_abandon();
	ap_idle_loop();
}

/* Wait up to ms for ap_state to reach at least stage (of this ticket); true if it did. */
static bool wait_stage(uint64_t ticket, unsigned stage, unsigned ms)
{
	uint64_t start = arch_cycles(), limit = (uint64_t)ms * (tsc_khz ? tsc_khz : 1000000);
	for (;;) {
		uint64_t s = __atomic_load_n(&ap_state, __ATOMIC_ACQUIRE);
		if ((s & ~3ull) == ticket && (s & 3) >= stage)
			return true;
		if (arch_cycles() - start >= limit)
			return false;
		cpu_relax();
	}
}

/*
 * Start the AP with APIC id apic_id as CPU cpu. Returns 0 when it is online,
 * else an error after saying what went wrong. The AP, if it ever runs, halts on
 * its stacks, which therefore stay mapped (40 KiB lost per failed AP; the
 * next AP, which gets the same id, gets new stacks).
 */
static int boot_ap(unsigned cpu, uint32_t apic_id, uint64_t boot_cr3)
{
	static uint64_t tickets;
	volatile struct trampoline_data *td =
		__va(TRAMPOLINE_PHYS + (uintptr_t)(trampoline_data - trampoline_start));

	uintptr_t stack = kstack_alloc(AP_STACK_SIZE, "an AP's kernel stack");
	if (!stack)
		return -ENOMEM;
	if (gdt_alloc_ist_stacks(cpu)) {
		kstack_free(stack, AP_STACK_SIZE);
		return -ENOMEM;
	}
	percpu_setup(cpu, apic_id);
	per_cpu(cpu)->stack_top = stack;

	uint64_t ticket = ++tickets << 2;
	td->boot_cr3 = boot_cr3;
	td->cr3 = arch_read_cr3();
	td->cr4 = read_cr4();
	td->cr0 = read_cr0();
	td->efer = rdmsr(MSR_EFER) & ~EFER_LMA;
	td->gs_base = (uint64_t)(uintptr_t)per_cpu(cpu);
	td->stack = stack;
	td->entry = (uint64_t)(uintptr_t)ap_start;
	td->arg = ticket;
	td->alive = 0;
	__atomic_store_n(&ap_state, ticket | AP_WAITING, __ATOMIC_RELEASE);

	int err = apic_wakeup_ap(apic_id, (uint8_t)(TRAMPOLINE_PHYS >> 12));
	if (err) {
		pr_err("smp: APIC id %u: the INIT/STARTUP IPIs were not accepted\n", apic_id);
	} else if (!wait_stage(ticket, AP_CLAIMED, AP_CLAIM_TIMEOUT_MS)) {
		err = -ETIMEDOUT;
		pr_err("smp: APIC id %u did not come up in %u ms (%s)\n", apic_id,
		       AP_CLAIM_TIMEOUT_MS,
		       td->alive
			       ? "it ran the trampoline but never reached the kernel"
			       : "it never ran the trampoline: no such CPU, or the SIPI was lost");
	} else if (!wait_stage(ticket, AP_ONLINE, AP_SETUP_TIMEOUT_MS)) {
		err = -ETIMEDOUT;
		pr_err("smp: APIC id %u entered the kernel but did not finish its set-up in %u "
		       "ms\n",
		       apic_id, AP_SETUP_TIMEOUT_MS);
	}
	if (err) {
		/* Take the ticket back: if the AP shows up now, it loses its swap and halts. */
		uint64_t cur = __atomic_load_n(&ap_state, __ATOMIC_ACQUIRE);
		while (cur != (ticket | AP_ONLINE) &&
		       !__atomic_compare_exchange_n(&ap_state, &cur, 0, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE))
			;
		if (cur != (ticket | AP_ONLINE)) {
			/*
			 * And put it back to sleep (INIT: wait for a STARTUP IPI), so
			 * that it cannot still be in the trampoline when the next AP's
			 * data is written there, and take that AP's stack and ticket.
			 */
			apic_send_init(apic_id);
			udelay(10000);
			return err;
		}
		pr_warn("smp: APIC id %u came up after all\n", apic_id);
	}

	__atomic_or_fetch(&online_mask, 1u << cpu, __ATOMIC_RELEASE);
	__atomic_add_fetch(&smp_num_online, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Copy the trampoline below 1 MiB and identity-map its page. Returns the
 * CR3 value an AP can load in 32-bit mode (below 4 GiB), or 0 on failure;
 * *pml4_copy is set when that is a low copy of the kernel's PML4, to free.
 */
static uint64_t trampoline_setup(struct page **pml4_copy)
{
	size_t size = (size_t)(trampoline_end - trampoline_start);
	struct vmm_translation tr;

	*pml4_copy = NULL;
	BUG_ON(size > PAGE_SIZE_4K);
	BUG_ON((size_t)(trampoline_end - trampoline_data) != sizeof(struct trampoline_data));
	if (!memblock_is_reserved(TRAMPOLINE_PHYS, PAGE_SIZE_4K)) {
		pr_err("smp: the trampoline page %#llx is not reserved in memblock: it may be in "
		       "use\n",
		       (unsigned long long)TRAMPOLINE_PHYS);
		return 0;
	}
	if (vmm_translate(&kernel_space, (uintptr_t)__va(TRAMPOLINE_PHYS), &tr)) {
		pr_err("smp: the trampoline page is not in the direct map\n");
		return 0;
	}
	memcpy(__va(TRAMPOLINE_PHYS), trampoline_start, size);
	int err = vmm_map(&kernel_space, TRAMPOLINE_PHYS, TRAMPOLINE_PHYS, PAGE_SIZE_4K,
			  VM_READ | VM_EXEC);
	if (err) {
		pr_err("smp: cannot identity-map the trampoline (error %d)\n", err);
		return 0;
	}
	if (kernel_space.pml4_phys < (1ull << 32))
		return kernel_space.pml4_phys;

	/* The PML4 is above 4 GiB: give the APs a copy below (the lower levels are shared). */
	struct page *p = alloc_page(GFP_DMA32);
	if (!p) {
		pr_err("smp: no page below 4 GiB for the APs' first page table\n");
		vmm_unmap(&kernel_space, TRAMPOLINE_PHYS, PAGE_SIZE_4K);
		return 0;
	}
	memcpy(page_address(p), kernel_space.pml4, PAGE_SIZE_4K);
	*pml4_copy = p;
	return page_to_phys(p);
}

void smp_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	uint64_t maxcpus = NR_CPUS;

	set_interrupt_handler(X86_TRAP_NMI, nmi_handler);
	set_interrupt_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);

	if (apic_init_boot(madt ? madt->lapic_phys : 0)) {
		pr_info("smp: 1 CPU online (no local APIC)\n");
		return;
	}
	uint32_t bsp_id = apic_read_id();
	per_cpu(0)->apic_id = bsp_id;
	pr_info("smp: CPU 0: APIC id %u (boot CPU)\n", bsp_id);

	if (cmdline_has("maxcpus") && (!cmdline_get_u64("maxcpus", &maxcpus) || maxcpus == 0)) {
		pr_warn("smp: ignoring maxcpus=%s\n", cmdline_get("maxcpus"));
		maxcpus = NR_CPUS;
	}
	if (maxcpus > NR_CPUS)
		maxcpus = NR_CPUS;

	unsigned listed = madt ? madt->nr_cpus : 1, failed = 0;
	bool bsp_listed = false;
	for (unsigned i = 0; madt && i < madt->nr_cpus; i++)
		bsp_listed |= madt->cpus[i].apic_id == bsp_id;
	if (madt && !bsp_listed)
		pr_warn("smp: the boot CPU's APIC id %u is not in the MADT\n", bsp_id);

	/* Test hook: an APIC id with no CPU behind it, tried first (the timeout path). */
	uint64_t bogus = 0;
	bool try_bogus = madt && cmdline_get_u64("smp_bogus_apic", &bogus) && bogus <= 0xfe;

	if (madt && (listed > 1 || try_bogus) && maxcpus > 1) {
		struct page *pml4_copy;
		uint64_t boot_cr3 = trampoline_setup(&pml4_copy);
		if (boot_cr3 && try_bogus) {
			if (boot_ap(1, (uint32_t)bogus, boot_cr3) == 0)
				pr_warn("smp: APIC id %llu answered after all\n",
					(unsigned long long)bogus);
			else
				failed++;
		}
		for (unsigned i = 0; boot_cr3 && i < madt->nr_cpus; i++) {
			uint32_t id = madt->cpus[i].apic_id;
			unsigned cpu = num_online_cpus();
			if (id == bsp_id)
				continue;
			if (cpu >= maxcpus)
				continue;
			if (!apic_x2apic_mode() && id > 0xfe) {
				pr_warn("smp: APIC id %u needs x2APIC mode: not started\n", id);
				continue;
			}
			if (boot_ap(cpu, id, boot_cr3) == 0)
				pr_info("smp: CPU %u: APIC id %u up\n", cpu, id);
			else
				failed++;
		}
		if (boot_cr3) {
			vmm_unmap(&kernel_space, TRAMPOLINE_PHYS, PAGE_SIZE_4K);
			if (pml4_copy)
				__free_page(pml4_copy);
		}
	}

	nr_cpu_ids = num_online_cpus();
	unsigned not_started = listed > nr_cpu_ids + failed ? listed - nr_cpu_ids - failed : 0;
	pr_info("smp: %u CPU%s online", nr_cpu_ids, nr_cpu_ids == 1 ? "" : "s");
	if (madt)
		pr_cont(" (%u listed by ACPI; %u failed to start, %u not started: maxcpus=%llu, "
			"NR_CPUS=%u)",
			listed, failed, not_started, (unsigned long long)maxcpus, NR_CPUS);
	else
		pr_cont(" (no usable ACPI MADT)");
	pr_cont(":");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		pr_cont(" %u/apic%u", cpu, cpu_apic_id(cpu));
	pr_cont("\n");

	/*
	 * From here the boot CPU, like the APs, runs with interrupts enabled,
	 * so that it answers other CPUs' calls while it is not waiting itself,
	 * and so that "drain every CPU" (drain_all_pages, kmem_cache_drain_all),
	 * which only reaches the others from a caller with interrupts on, does.
	 * Nothing but IPIs and the local APIC timer can interrupt (the PICs are
	 * masked, the I/O APIC is not programmed).
	 */
	__asm__ __volatile__("sti" ::: "memory");
}
