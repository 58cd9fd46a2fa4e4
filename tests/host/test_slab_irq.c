/*
 * test_slab_irq.c - the per-CPU fast paths against interrupts, on the host.
 *
 * The fast paths (mm/slab_fast.c, struct array_cache) run with interrupts
 * on, as restartable sequences: an interrupt that arrives inside one moves
 * it back to its start (restart_rewind), and the handler may then allocate
 * and free from the very array the sequence was working on. Here the
 * "interrupt" is a signal, whose handler rewinds the interrupted context
 * (ucontext) as the kernel's interrupt entry does. A POSIX timer fires a signal every
 * few microseconds at the one thread that plays CPU 0, and the handler,
 * like an interrupt handler, allocates and frees from the very caches the
 * interrupted code is using (unless the code it interrupts has "interrupts
 * off", host_irq_flags, as a real CPU would hold the interrupt); one tick
 * allocates, the next frees, so some ticks push and some pop. Every object
 * carries a stamp naming its owner while it is held: an object handed out
 * twice, or freed while held, shows as a stamp overwritten by the other
 * owner. The case runs until signals have rewound a fast path many times,
 * so the interleavings it is about did happen. (Without the rewind it
 * fails within a few hundred: objects lost, or handed out twice.)
 */
#define _GNU_SOURCE
#include <ucontext.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLAB_WORLD_RAM (128ULL << 20)
#include "tests/host/slab_host_world.h"
#include "kernel/xorshift.h"

#define IRQ_OBJS     3	   /* objects the handler holds while it runs */
#define MAIN_OBJS    300   /* the interrupted code's working set */
#define WANT_REWINDS 200   /* interrupts that found a fast path at work, to see */
#define MAX_ROUNDS   20000 /* ... or give up (each round: MAIN_OBJS allocs and frees) */
#define MAX_SECONDS  3	   /* ... or after this long */

static const size_t sizes[] = { 64, 192 };
static volatile sig_atomic_t irq_runs, irq_masked, irq_rewinds;
static volatile unsigned long irq_bad;
static uint64_t irq_stamp = 1ull << 63;

static void stamp(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t stamp_of(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Objects one tick of the handler allocates and the next one frees: so that
 * some ticks are net pushes onto the arrays (a free whose fast path is
 * interrupted by another free must not lose either object) and others net
 * pops.
 */
static void *irq_stash[IRQ_OBJS];
static uint64_t irq_stash_stamp[IRQ_OBJS];

static void stash_turn(void)
{
	for (unsigned i = 0; i < IRQ_OBJS; i++) {
		if (irq_stash[i]) {
			if (stamp_of(irq_stash[i]) != irq_stash_stamp[i])
				irq_bad++;
			kfree(irq_stash[i]);
			irq_stash[i] = NULL;
		} else {
			irq_stash[i] = kmalloc(sizes[i % 2], GFP_ATOMIC);
			if (!irq_stash[i]) {
				irq_bad++;
				continue;
			}
			irq_stash_stamp[i] = ++irq_stamp;
			stamp(irq_stash[i], irq_stamp);
		}
	}
}

/* The "interrupt handler". */
static void on_tick(int sig, siginfo_t *si, void *ucontext)
{
	(void)sig;
	(void)si;
	/* Interrupt entry: a fast path caught before its commit starts over on return. */
	ucontext_t *uc = ucontext;
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	if (restart_rewind(&ip)) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)ip;
		irq_rewinds++;
	}
	if (host_irq_flags) { /* interrupts off: a real CPU would hold the interrupt */
		irq_masked++;
		return;
	}
	stash_turn();
	unsigned long flags = arch_local_irq_save(); /* as an interrupt gate does */
	void *held[IRQ_OBJS];
	for (unsigned i = 0; i < IRQ_OBJS; i++) {
		held[i] = kmalloc(sizes[i % 2], GFP_ATOMIC);
		if (held[i])
			stamp(held[i], ++irq_stamp);
	}
	arch_local_irq_restore(flags);
	/* The handler's allocations run with interrupts "on" again, like nested ones would. */
	for (unsigned i = 0; i < IRQ_OBJS; i++) {
		if (!held[i]) {
			irq_bad++;
			continue;
		}
		if (stamp_of(held[i]) != irq_stamp - IRQ_OBJS + 1 + i)
			irq_bad++;
		kfree(held[i]);
	}
	irq_runs++;
}

static void fast_paths_survive_interrupts_using_the_same_arrays(struct ktest *t)
{
	static void *objs[MAIN_OBJS];
	uint64_t rng = 42;
	unsigned long bad = 0, rounds = 0;

	KASSERT_GT(t, restart_table_size(), 0u);
	struct sigaction sa = { .sa_sigaction = on_tick, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	KASSERT_EQ(t, sigaction(SIGALRM, &sa, NULL), 0);
	timer_t timer;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	KASSERT_EQ(t, timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
	struct itimerspec its = { .it_interval = { 0, 7000 }, .it_value = { 0, 7000 } };
	KASSERT_EQ(t, timer_settime(timer, 0, &its, NULL), 0);

	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rounds < MAX_ROUNDS && irq_rewinds < WANT_REWINDS) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > MAX_SECONDS)
			break;
		for (unsigned i = 0; i < MAIN_OBJS; i++) {
			objs[i] = kmalloc(sizes[i % 2], GFP_KERNEL);
			if (objs[i])
				stamp(objs[i], rounds * MAIN_OBJS + i);
		}
		/* Free in a scrambled order, checking each stamp first. */
		for (unsigned i = MAIN_OBJS - 1; i > 0; i--) {
			unsigned j = (unsigned)(xorshift64(&rng) % (i + 1));
			void *tmp = objs[i];
			objs[i] = objs[j];
			objs[j] = tmp;
		}
		for (unsigned i = 0; i < MAIN_OBJS; i++) {
			if (!objs[i] || stamp_of(objs[i]) / MAIN_OBJS != rounds)
				bad++;
			kfree(objs[i]);
		}
		rounds++;
	}

	its = (struct itimerspec){ 0 };
	timer_settime(timer, 0, &its, NULL);
	timer_delete(timer);
	signal(SIGALRM, SIG_IGN);
	for (unsigned i = 0; i < IRQ_OBJS; i++) /* the last tick's allocations */
		if (irq_stash[i])
			kfree(irq_stash[i]);

	ktest_log(t, "%lu rounds, %d interrupts (%d while masked), %d rewound a fast path", rounds,
		  (int)irq_runs, (int)irq_masked, (int)irq_rewinds);
	KEXPECT_EQ(t, bad, 0ul);
	KEXPECT_EQ(t, (unsigned long)irq_bad, 0ul);
	KEXPECT_GT(t, (unsigned long)irq_runs, 0ul);
	KEXPECT_GE(t, (unsigned long)irq_rewinds, (unsigned long)WANT_REWINDS);
	KEXPECT_EQ(t, slab_check(), 0u);
	KEXPECT_EQ(t, slab_report_count(), 0ul);
}

/*
 * The table itself: every sequence the fast paths inlined is listed with
 * start < end; an address inside one rewinds to its start, its end (the
 * commit has run) and anything outside stay where they are.
 */
static void every_listed_sequence_rewinds_to_its_start(struct ktest *t)
{
	unsigned n = restart_table_size();
	/* kmalloc, kfree, kmem_cache_alloc/free and the slow paths' inlined copies. */
	KEXPECT_GE(t, n, 4u);
	for (const struct restart_range *r = __start_restart_table; r < __stop_restart_table; r++) {
		uintptr_t start = (uintptr_t)&r->start + (intptr_t)r->start;
		uintptr_t end = (uintptr_t)&r->start + (intptr_t)r->end;
		KEXPECT_LT(t, start, end);
		KEXPECT_LE(t, end - start, 64u); /* a few instructions */
		for (uintptr_t ip = start; ip < end; ip++) {
			uintptr_t v = ip;
			KEXPECT_TRUE(t, restart_rewind(&v));
			KEXPECT_EQ(t, v, start);
		}
		uintptr_t v = end;
		/* end may be the start of a neighbour: then it is its own start. */
		restart_rewind(&v);
		KEXPECT_EQ(t, v, end);
	}
	uintptr_t v = (uintptr_t)&every_listed_sequence_rewinds_to_its_start;
	KEXPECT_FALSE(t, restart_rewind(&v));
}

/*
 * An interrupt between every two instructions of a kfree that changes
 * caches: the CPU's trap flag (EFLAGS.TF) makes the host deliver SIGTRAP
 * after each instruction, and the handler plays an interrupt there (the
 * first time it finds the code at that address: a rewound sequence must be
 * let through on its next try) that frees an object of another cache, so
 * its kfree sets this CPU's kfree pair to that cache. Whatever instruction
 * of kfree_other_cache it lands after, the pair must end up naming one
 * cache and that cache's array (slab_check checks it), and the object
 * must be on its own cache's array (the next kmalloc of its size returns
 * it). The timer-driven case above meets the narrow spots only by chance.
 */
#define STEP_SEEN_MAX 4096
static volatile sig_atomic_t step_on;
static volatile unsigned long step_irqs, step_rewinds, step_full;
static uintptr_t step_seen[STEP_SEEN_MAX];
static unsigned step_nseen;

static bool step_first_visit(uintptr_t ip)
{
	for (unsigned i = 0; i < step_nseen; i++)
		if (step_seen[i] == ip)
			return false;
	if (step_nseen == STEP_SEEN_MAX) {
		step_full++;
		return false;
	}
	step_seen[step_nseen++] = ip;
	return true;
}

static void on_step(int sig, siginfo_t *si, void *ucontext)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucontext;
	if (!step_on) {
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100; /* TF off: stepping ends */
		return;
	}
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	if (host_irq_flags || !step_first_visit(ip))
		return; /* interrupts "off", or already interrupted here */
	if (restart_rewind(&ip)) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)ip;
		step_rewinds++;
	}
	void *p = kmalloc(64, GFP_ATOMIC);
	if (p)
		kfree(p); /* sets this CPU's pair to kmalloc-64 unless it names it */
	step_irqs++;
}

static void on_step_start(int sig, siginfo_t *si, void *ucontext)
{
	(void)sig;
	(void)si;
	((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_EFL] |= 0x100; /* TF on */
}

static void kfree_pair_survives_an_interrupt_after_every_instruction(struct ktest *t)
{
	struct sigaction step = { .sa_sigaction = on_step, .sa_flags = SA_SIGINFO };
	struct sigaction start = { .sa_sigaction = on_step_start, .sa_flags = SA_SIGINFO };
	sigemptyset(&step.sa_mask);
	sigemptyset(&start.sa_mask);
	KASSERT_EQ(t, sigaction(SIGTRAP, &step, NULL), 0);
	KASSERT_EQ(t, sigaction(SIGUSR1, &start, NULL), 0);

	void *small = kmalloc(64, GFP_KERNEL), *obj = kmalloc(192, GFP_KERNEL);
	KASSERT_TRUE(t, small && obj);
	kfree(small); /* the pair names kmalloc-64: the kfree below changes it */

	step_on = 1;
	raise(SIGUSR1); /* from here on, a SIGTRAP after every instruction */
	kfree(obj);
	step_on = 0;

	signal(SIGTRAP, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	ktest_log(t, "%lu interrupts after distinct instructions, %lu rewound a sequence",
		  (unsigned long)step_irqs, (unsigned long)step_rewinds);
	KEXPECT_GT(t, (unsigned long)step_irqs, 20ul);
	KEXPECT_GT(t, (unsigned long)step_rewinds, 0ul);
	KEXPECT_EQ(t, (unsigned long)step_full, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	void *again = kmalloc(192, GFP_KERNEL);
	KEXPECT_EQ(t, again, obj); /* obj went onto kmalloc-192's array, on top */
	kfree(again);
	KEXPECT_EQ(t, slab_check(), 0u);
	KEXPECT_EQ(t, slab_report_count(), 0ul);
}

static struct ktest_case cases[] = {
	KTEST_CASE(every_listed_sequence_rewinds_to_its_start),
	KTEST_CASE(fast_paths_survive_interrupts_using_the_same_arrays),
	KTEST_CASE(kfree_pair_survives_an_interrupt_after_every_instruction),
	{},
};

KTEST_SUITE(slab_irq, cases, .init = slab_host_world_init);
