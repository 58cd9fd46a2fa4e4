/*
 * spinlock_test.c - the ticket lock (kernel/spinlock.h) under real
 * contention: every online CPU runs the same loop at once
 * (smp_run_everywhere) and the shared result must come out exact.
 *
 * An unprotected read-modify-write would lose updates as soon as two CPUs
 * interleave; the counters below are plain (non-atomic) on purpose, so only
 * the lock's mutual exclusion keeps them exact. With one CPU (maxcpus=1) the
 * cases still run, and still check the arithmetic and the flag handling.
 *
 * Iteration counts are modest: under TCG the virtual CPUs outnumber the host
 * cores, and a FIFO lock hands over only when the next ticket's vCPU gets
 * to run.
 */
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"

/*
 * A fixed total, shared out: the cost of the test is the number of lock
 * hand-overs, and on an over-committed host each one can wait for the next
 * ticket holder's vCPU to be scheduled.
 */
#define ITERS_TOTAL 8000
#define ITERS_MIN   500
static unsigned iters_per_cpu(void)
{
	return MAX(ITERS_TOTAL / num_online_cpus(), ITERS_MIN);
}

struct counter_test {
	spinlock_t lock;
	volatile unsigned long counter; /* volatile: one load and one store per increment */
	unsigned long irq_problems;	/* irqsave: interrupts found on inside, or not restored */
	unsigned long owner_problems;	/* debug builds: holder_cpu not this CPU */
	unsigned long trylock_failures;
	unsigned iters; /* per CPU */
};

static void plain_worker(void *arg)
{
	struct counter_test *c = arg;
	for (unsigned i = 0; i < c->iters; i++) {
		spin_lock(&c->lock);
#ifdef SPINLOCK_DEBUG
		if (c->lock.holder_cpu != (int32_t)smp_processor_id())
			c->owner_problems++;
#endif
		c->counter = c->counter + 1;
		spin_unlock(&c->lock);
	}
}

static void irqsave_worker(void *arg)
{
	struct counter_test *c = arg;
	for (unsigned i = 0; i < c->iters; i++) {
		unsigned long flags;
		bool was_off = arch_irqs_disabled();
		spin_lock_irqsave(&c->lock, flags);
		if (!arch_irqs_disabled())
			__atomic_add_fetch(&c->irq_problems, 1, __ATOMIC_RELAXED);
		c->counter = c->counter + 1;
		spin_unlock_irqrestore(&c->lock, flags);
		if (arch_irqs_disabled() != was_off)
			__atomic_add_fetch(&c->irq_problems, 1, __ATOMIC_RELAXED);
	}
}

static void trylock_worker(void *arg)
{
	struct counter_test *c = arg;
	unsigned long failures = 0;
	for (unsigned done = 0; done < c->iters;) {
		if (!spin_trylock(&c->lock)) {
			failures++;
			cpu_relax();
			continue;
		}
		c->counter = c->counter + 1;
		spin_unlock(&c->lock);
		done++;
	}
	__atomic_add_fetch(&c->trylock_failures, failures, __ATOMIC_RELAXED);
}

static void run_counter(struct ktest *t, smp_call_func_t worker, struct counter_test *c)
{
	*c = (struct counter_test){ .lock = SPINLOCK_INIT, .iters = iters_per_cpu() };
	unsigned ran = smp_run_everywhere(worker, c);
	KEXPECT_EQ(t, ran, num_online_cpus());
	KEXPECT_EQ(t, c->counter, (unsigned long)ran * c->iters);
	KEXPECT_FALSE(t, spin_is_locked(&c->lock));
	KEXPECT_EQ(t, c->lock.owner, c->lock.next);
#ifdef SPINLOCK_DEBUG
	KEXPECT_EQ(t, c->lock.holder_cpu, -1);
#endif
	ktest_log(t, "%u CPUs x %u iterations", ran, c->iters);
}

static void spin_lock_counts_exactly(struct ktest *t)
{
	static struct counter_test c;
	run_counter(t, plain_worker, &c);
	KEXPECT_EQ(t, c.owner_problems, 0ul);
	/* Each acquisition took one ticket: the 16-bit counters moved by exactly that. */
	KEXPECT_EQ(t, c.lock.next, (uint16_t)(c.counter));
}

static void spin_lock_irqsave_counts_and_restores_flags(struct ktest *t)
{
	static struct counter_test c;
	run_counter(t, irqsave_worker, &c);
	KEXPECT_EQ(t, c.irq_problems, 0ul);
}

static void spin_trylock_counts_exactly(struct ktest *t)
{
	static struct counter_test c;
	run_counter(t, trylock_worker, &c);
	/* Failures are expected only when CPUs compete; they must not cost increments. */
	ktest_log(t, "%lu failed trylocks", c.trylock_failures);
}

static void trylock_fails_while_held(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT;
	KASSERT_TRUE(t, spin_trylock(&l));
	KEXPECT_TRUE(t, spin_is_locked(&l));
	/* Not a recursion: trylock never spins, it only reports. */
	KEXPECT_FALSE(t, spin_trylock(&l));
	spin_unlock(&l);
	KEXPECT_FALSE(t, spin_is_locked(&l));
	KEXPECT_TRUE(t, spin_trylock(&l));
	spin_unlock(&l);
}

/* The 16-bit tickets wrap around; the lock must not care. */
static void tickets_wrap_around(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT;
	l.owner = l.next = 0xfffe;
	for (int i = 0; i < 4; i++) {
		spin_lock(&l);
		KEXPECT_TRUE(t, spin_is_locked(&l));
		spin_unlock(&l);
	}
	KEXPECT_EQ(t, l.owner, 2);
	KEXPECT_EQ(t, l.next, 2);
}

static struct ktest_case spinlock_cases[] = {
	KTEST_CASE(spin_lock_counts_exactly),
	KTEST_CASE(spin_lock_irqsave_counts_and_restores_flags),
	KTEST_CASE(spin_trylock_counts_exactly),
	KTEST_CASE(trylock_fails_while_held),
	KTEST_CASE(tickets_wrap_around),
	{},
};
KTEST_SUITE(spinlock, spinlock_cases);
