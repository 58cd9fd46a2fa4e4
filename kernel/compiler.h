/*
 * compiler.h - compiler helpers shared by every part of the kernel and by the
 * hosted build of mm/. Nothing here depends on the machine.
 */
#ifndef KERNEL_COMPILER_H
#define KERNEL_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#ifndef __aligned
#define __aligned(n) __attribute__((aligned(n)))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef __unused
#define __unused __attribute__((unused))
#endif
#ifndef __used
#define __used __attribute__((used))
#endif
#ifndef __section
#define __section(s) __attribute__((section(s)))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __cold
#define __cold __attribute__((cold))
#endif

#define CACHELINE_SIZE	      64
#define ____cacheline_aligned __aligned(CACHELINE_SIZE)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* x rounded up/down to a multiple of a; a must be a power of two. */
#define ALIGN_UP(x, a)	   (((x) + ((__typeof__(x))(a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a)-1)) == 0)
#define IS_POWER_OF_2(x)   ((x) != 0 && ((x) & ((x)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()	 __asm__ __volatile__("" ::: "memory")

/* The caller's address, for reports naming who made a bad call (Linux's _RET_IP_). */
#define _RET_IP_ ((uintptr_t)__builtin_return_address(0))
#define _THIS_IP_                      \
	({                             \
		__label__ __here;      \
__here:                                \
		(uintptr_t) && __here; \
	})

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

/* Integer log2 of a power of two / of anything (floor); x must be non-zero. */
static inline unsigned ilog2_u64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

#endif
