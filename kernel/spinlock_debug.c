/*
 * spinlock_debug.c - lock checks for debug builds (SPINLOCK_DEBUG): a CPU
 * taking a lock it already holds would spin forever, and a CPU releasing a
 * lock it does not hold corrupts whoever does; both are caught and named.
 */
#include "kernel/printk.h"
#include "kernel/spinlock.h"

#ifdef SPINLOCK_DEBUG
void spinlock_debug_acquire(spinlock_t *l)
{
	l->holder_cpu = (int32_t)smp_processor_id();
}

void spinlock_debug_recursion(spinlock_t *l)
{
	panic("spinlock %p: CPU %u takes a lock it already holds (caller %pS)", (void *)l,
	      smp_processor_id(), (void *)_RET_IP_);
}

void spinlock_debug_release(spinlock_t *l)
{
	if (l->holder_cpu != (int32_t)smp_processor_id())
		panic("spinlock %p released by CPU %u but held by CPU %d (caller %pS)", (void *)l,
		      smp_processor_id(), l->holder_cpu, (void *)_RET_IP_);
	l->holder_cpu = -1;
}
#endif
