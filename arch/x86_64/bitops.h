/*
 * bitops.h - bit tests the compiler does not emit on its own, for the
 * allocation fast paths (mm/slab_fast.c). Shared by the kernel and the
 * hosted build (both x86_64).
 */
#ifndef ARCH_X86_64_BITOPS_H
#define ARCH_X86_64_BITOPS_H

/*
 * Jump to label when value & *mem is not zero: one TEST with a memory
 * operand. GCC writes `value & *mem` as a copy of value and an AND (two
 * instructions, and a register); kfree tests every pointer against its
 * cache's boundary mask this way, so the one it saves is one of the forty
 * that its pair with kmalloc is allowed (docs/BENCHMARKS.md).
 */
#define test_mask_goto(value, mem, label)                \
	__asm__ goto("testq %0, %1\n\t"                  \
		     "jnz %l[" #label "]"                \
		     :                                   \
		     : "r"((uintptr_t)(value)), "m"(mem) \
		     : "cc"                              \
		     : label)

#endif
