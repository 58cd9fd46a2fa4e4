/*
 * smp.h - running code on other CPUs, with Linux's names (portable API; the
 * kernel's implementation is arch/x86_64/smp.c, over inter-processor
 * interrupts).
 *
 *   smp_call_function(func, info, wait)   func(info) on every other online CPU
 *   smp_call_function_single(cpu, ...)    on one CPU (the caller's own: run here)
 *   on_each_cpu(func, info, wait)         on every online CPU, this one included
 *
 * func runs in interrupt context on the target, with interrupts disabled: it
 * must be short and must not wait for anything another CPU might be holding.
 * With wait, the caller returns after every func has returned; without, as
 * soon as the requests are queued (info must then stay valid until they ran).
 *
 * The rule that keeps this deadlock-free: a CPU can only answer while it can
 * take interrupts, so the caller must not hold, while it waits, a lock that
 * another CPU might be spinning on with interrupts disabled (in particular no
 * spin_lock_irqsave lock of a subsystem whose callbacks are being sent).
 * Two CPUs calling each other at once are fine: a waiting caller runs the
 * requests queued for itself while it waits, interrupts enabled or not.
 * (TLB shootdown does not go through here: see arch/x86_64/smp.c; it is safe
 * from any context, locks held and interrupts off included.)
 *
 * Long jobs (test workers) are not run in interrupt context but handed to a
 * CPU's idle loop with smp_queue_work, where they run with interrupts on.
 *
 * In the hosted build (MM_HOSTED) there are no other CPUs to interrupt: the
 * calls run func on the calling thread once per CPU id, with
 * smp_processor_id() temporarily switched to that id and "interrupts" off.
 * Host tests use them only when no other thread is playing that CPU.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "kernel/errno.h"

typedef void (*smp_call_func_t)(void *info);

#ifndef MM_HOSTED

/* CPUs that are up and answer calls (1 before smp_init, and with maxcpus=1). */
unsigned num_online_cpus(void);
bool cpu_online(unsigned cpu);

void smp_call_function(smp_call_func_t func, void *info, bool wait);
/* Returns 0, or -EINVAL when cpu is not online. */
int smp_call_function_single(unsigned cpu, smp_call_func_t func, void *info, bool wait);
void on_each_cpu(smp_call_func_t func, void *info, bool wait);

/*
 * Hand func(info) to cpu's idle loop (cpu != this CPU), to run with
 * interrupts enabled. Returns 0, -EBUSY when that CPU has a job it has not
 * finished, -EINVAL when it is not an online AP. smp_work_done(cpu) is true
 * once the job has returned; smp_wait_work(cpu) waits for that.
 */
int smp_queue_work(unsigned cpu, smp_call_func_t func, void *info);
bool smp_work_done(unsigned cpu);
void smp_wait_work(unsigned cpu);

/*
 * Run func(info) on every online CPU at the same time, the caller's
 * included, each in ordinary context with interrupts on (the APs from their
 * idle loops), and return when all have returned. The CPUs are released
 * together once every one has started, so the work really overlaps.
 * func learns where it runs from smp_processor_id(). Returns the number of
 * CPUs that ran it. For stress tests and benchmarks.
 */
unsigned smp_run_everywhere(smp_call_func_t func, void *info);

#else /* MM_HOSTED */

static inline unsigned num_online_cpus(void)
{
	return nr_cpu_ids;
}

static inline bool cpu_online(unsigned cpu)
{
	return cpu < nr_cpu_ids;
}

static inline void __host_call_on(unsigned cpu, smp_call_func_t func, void *info)
{
	unsigned self = smp_processor_id();
	unsigned long flags;
	host_set_cpu(cpu);
	local_irq_save(flags);
	func(info);
	local_irq_restore(flags);
	host_set_cpu(self);
}

static inline void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	(void)wait;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu != smp_processor_id())
			__host_call_on(cpu, func, info);
}

static inline int smp_call_function_single(unsigned cpu, smp_call_func_t func, void *info,
					   bool wait)
{
	(void)wait;
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	__host_call_on(cpu, func, info);
	return 0;
}

static inline void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	(void)wait;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		__host_call_on(cpu, func, info);
}

#endif /* MM_HOSTED */

#endif
