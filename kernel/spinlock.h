/*
 * spinlock.h - ticket spinlocks, portable (GCC __atomic builtins), so mm/ uses
 * the same locks in the kernel and in the hosted build.
 *
 * A ticket lock hands the lock out in arrival order: a CPU takes a ticket
 * (atomic fetch-add on `next`) and spins until `owner` reaches it; unlock
 * increments `owner`. FIFO fairness matters under the SMP stress tests, where
 * a test-and-set lock can starve a CPU.
 *
 * The _irqsave variants also disable local interrupts, which every lock that
 * an interrupt handler could take must use (zone locks, slab cache locks).
 * In debug builds (SPINLOCK_DEBUG) the lock records its owner CPU and catches
 * recursion and unlock-by-non-owner.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/arch.h"
#include "kernel/compiler.h"

typedef struct spinlock {
	uint16_t owner; /* ticket now being served */
	uint16_t next;	/* next ticket to hand out */
#ifdef SPINLOCK_DEBUG
	int32_t holder_cpu; /* -1 when free */
#endif
} spinlock_t;

#ifdef SPINLOCK_DEBUG
#define SPINLOCK_INIT    \
	{                \
		0, 0, -1 \
	}
void spinlock_debug_acquire(spinlock_t *l);
void spinlock_debug_release(spinlock_t *l);
__noreturn void spinlock_debug_recursion(spinlock_t *l);
#else
#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}
#define spinlock_debug_acquire(l) ((void)(l))
#define spinlock_debug_release(l) ((void)(l))
#endif

static inline void spin_lock_init(spinlock_t *l)
{
	*l = (spinlock_t)SPINLOCK_INIT;
}

#ifdef SPINLOCK_DEBUG
/* Catch a CPU spinning on a lock it already holds: it would never get it. */
static inline void spinlock_debug_check_recursion(spinlock_t *l)
{
	if (unlikely(__atomic_load_n(&l->holder_cpu, __ATOMIC_RELAXED) ==
		     (int32_t)smp_processor_id()))
		spinlock_debug_recursion(l);
}
#else
#define spinlock_debug_check_recursion(l) ((void)(l))
#endif

static inline void spin_lock(spinlock_t *l)
{
	spinlock_debug_check_recursion(l);
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	spinlock_debug_acquire(l);
}

/* Take the lock only if nobody holds or waits for it; true on success. */
static inline bool spin_trylock(spinlock_t *l)
{
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t expect = owner;
	uint32_t *word = (uint32_t *)l;
	uint32_t old = (uint32_t)owner | ((uint32_t)expect << 16);
	uint32_t new = (uint32_t)owner | ((uint32_t)(uint16_t)(expect + 1) << 16);
	if (__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		spinlock_debug_acquire(l);
		return true;
	}
	return false;
}

static inline void spin_unlock(spinlock_t *l)
{
	spinlock_debug_release(l);
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(l, flags)    \
	do {                           \
		local_irq_save(flags); \
		spin_lock(l);          \
	} while (0)

#define spin_unlock_irqrestore(l, flags)  \
	do {                              \
		spin_unlock(l);           \
		local_irq_restore(flags); \
	} while (0)

#endif
