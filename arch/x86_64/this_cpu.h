/*
 * this_cpu.h - the accessors for this CPU's area, struct percpu, which the
 * GS segment base points at. Shared by both builds (the host is x86_64
 * too): the kernel's struct percpu is in arch/x86_64/percpu.h, the hosted
 * build's in tests/host/host_percpu.h (each test thread points its GS base
 * at the area of the CPU it plays, with arch_prctl). A field is one
 * %gs-relative instruction away, with no need to know the CPU id first:
 *
 *     this_cpu_read(timer_ticks)               movq %gs:OFFSET, %rax
 *     this_cpu_write(work_fn, f)               movq %rax, %gs:OFFSET
 *     this_cpu_read_idx(slab.kmalloc_ac, i)    movq %gs:OFFSET(,%rax,8), %rax
 *     smp_processor_id()                       movl %gs:8, %eax
 *
 * The accessors use GCC's __seg_gs named address space, so the compiler
 * knows the access size and schedules it like any load or store; they are
 * volatile, because interrupt handlers on this CPU change some fields.
 * Nothing may live at offset 0 that the hosted build reads this way
 * (UBSan takes a __seg_gs access at offset 0 for a NULL dereference).
 */
#ifndef ARCH_X86_64_THIS_CPU_H
#define ARCH_X86_64_THIS_CPU_H

#include <stddef.h>
#include <stdint.h>

#define __percpu_field(field) (((struct percpu *)0)->field)
#define __percpu_gs_ptr(field)                                                                     \
	((volatile __typeof__(__percpu_field(field)) __seg_gs *)(uintptr_t)offsetof(struct percpu, \
										    field))

/*
 * This CPU's id: one load from its area, whose cpu_id field lies at
 * PERCPU_CPU_ID_OFFSET from the GS base in both builds (each struct percpu
 * checks it). Not volatile: a CPU's id never changes under the code
 * running on it (no migration; the hosted build's host_set_cpu is a call,
 * after which the compiler reads it again).
 */
#define PERCPU_CPU_ID_OFFSET 8
static inline unsigned smp_processor_id(void)
{
	return *(const unsigned __seg_gs *)(uintptr_t)PERCPU_CPU_ID_OFFSET;
}

/* Read or write this CPU's copy of a scalar field with one %gs-relative access. */
#define this_cpu_read(field)	 (*__percpu_gs_ptr(field))
#define this_cpu_write(field, v) (*__percpu_gs_ptr(field) = (v))
#define this_cpu_inc(field)	 (*__percpu_gs_ptr(field) += 1)

/* Element i of an array field: one access, with the field's offset as displacement. */
#define __percpu_gs_elem(field)                                                         \
	((volatile __typeof__(__percpu_field(field)[0]) __seg_gs *)(uintptr_t)offsetof( \
		struct percpu, field))
#define this_cpu_read_idx(field, i)	(__percpu_gs_elem(field)[i])
#define this_cpu_write_idx(field, i, v) (__percpu_gs_elem(field)[i] = (v))

/*
 * The field as a GS-relative lvalue, for the restartable sequences that
 * read or write per-CPU state inside the sequence (arch/x86_64/restart.h):
 * its address is the field's offset, which they write as %gs:OFFSET in
 * their templates. (Not as an "m" operand: GCC would print the %gs: prefix
 * of a __seg_gs lvalue, but clang drops the address space of inline-asm
 * memory operands.)
 */
#define this_cpu_var(field) \
	(*(__typeof__(__percpu_field(field)) __seg_gs *)(uintptr_t)offsetof(struct percpu, field))

#endif
