/*
 * test_slab_irq.c - the per-CPU fast paths against interrupts, on the host.
 *
 * The fast paths (mm/slab_internal.h, struct array_cache) run with
 * interrupts on and mark the array busy while they work on it; an interrupt
 * handler that allocates or frees from the same cache finds it busy and is
 * served by the slab lists instead. Here a POSIX timer fires a signal every
 * few microseconds at the one thread that plays CPU 0, and the handler,
 * like an interrupt handler, allocates and frees from the very caches the
 * interrupted code is using (unless the code it interrupts has "interrupts
 * off", host_irq_flags, as a real CPU would hold the interrupt); one tick
 * allocates, the next frees, so some ticks push and some pop. Every object
 * carries a stamp naming its owner while it is held: an object handed out
 * twice, or freed while held, shows as a stamp overwritten by the other
 * owner. The case runs until handlers have found a fast path at work many
 * times (array_cache.nested), so the interleavings it is about did happen.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLAB_WORLD_RAM (128ULL << 20)
#include "tests/host/slab_host_world.h"
#include "kernel/xorshift.h"

#define IRQ_OBJS    3	  /* objects the handler holds while it runs */
#define MAIN_OBJS   300	  /* the interrupted code's working set */
#define WANT_NESTED 200	  /* interrupts that found a fast path at work, to see */
#define MAX_ROUNDS  20000 /* ... or give up (each round: MAIN_OBJS allocs and frees) */
#define MAX_SECONDS 3	  /* ... or after this long */

static const size_t sizes[] = { 64, 192 };
static volatile sig_atomic_t irq_runs, irq_masked;
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
static void on_tick(int sig)
{
	(void)sig;
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

static unsigned long nested_of(size_t size)
{
	struct kmem_cache *c = kmalloc_cache_for(size);
	return c->cpu_cache[0] == &slab_empty_ac ? 0 : c->cpu_cache[0]->nested;
}

static void fast_paths_survive_interrupts_using_the_same_arrays(struct ktest *t)
{
	static void *objs[MAIN_OBJS];
	uint64_t rng = 42;
	unsigned long bad = 0, before = nested_of(64) + nested_of(192), rounds = 0;

	struct sigaction sa = { .sa_handler = on_tick };
	sigemptyset(&sa.sa_mask);
	KASSERT_EQ(t, sigaction(SIGALRM, &sa, NULL), 0);
	timer_t timer;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	KASSERT_EQ(t, timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
	struct itimerspec its = { .it_interval = { 0, 7000 }, .it_value = { 0, 7000 } };
	KASSERT_EQ(t, timer_settime(timer, 0, &its, NULL), 0);

	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rounds < MAX_ROUNDS && nested_of(64) + nested_of(192) - before < WANT_NESTED) {
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

	unsigned long nested = nested_of(64) + nested_of(192) - before;
	ktest_log(t, "%lu rounds, %d interrupts (%d while masked), %lu found the array busy",
		  rounds, (int)irq_runs, (int)irq_masked, nested);
	KEXPECT_EQ(t, bad, 0ul);
	KEXPECT_EQ(t, (unsigned long)irq_bad, 0ul);
	KEXPECT_GT(t, (unsigned long)irq_runs, 0ul);
	KEXPECT_GE(t, nested, (unsigned long)WANT_NESTED);
	KEXPECT_EQ(t, slab_check(), 0u);
	KEXPECT_EQ(t, slab_report_count(), 0ul);
}

static struct ktest_case cases[] = {
	KTEST_CASE(fast_paths_survive_interrupts_using_the_same_arrays),
	{},
};

KTEST_SUITE(slab_irq, cases, .init = slab_host_world_init);
