/*
 * restart.h - restartable sequences: per-CPU updates that need no lock, no
 * atomic instruction and no interrupts off (Bershad's restartable atomic
 * sequences, 1992; Linux's rseq(2) gives user space the same).
 *
 * A restartable sequence is a short run of instructions that reads per-CPU
 * state, decides, and ends with exactly one store that commits. Every
 * sequence is listed in the restart_table section as [start, end), where end
 * is the address just after the committing store. An interrupt (or a signal
 * in the hosted build) that finds the interrupted instruction pointer inside
 * [start, end) moves it back to start before the handler runs
 * (restart_rewind). So the sequence either committed before the interrupt, or
 * runs again from the beginning after it and reads whatever the handler left:
 * a handler may use, refill or drain the very state the sequence was working
 * on. Only one CPU ever runs sequences on a given piece of state (no
 * migration here: a CPU's code stays on it), so other CPUs never race them.
 *
 * Rules for a sequence: nothing before the commit may be visible to anyone
 * (stores to slots that the commit makes valid are fine: until the commit
 * they are garbage by definition), no input register may be modified (the
 * restart reuses them), and the sequence must not fault (an exception is not
 * rewound: only asynchronous interrupts are).
 *
 * Both the kernel and the hosted build run on x86_64, so both use these
 * sequences as they are; the table is bounded by __start_restart_table and
 * __stop_restart_table (the kernel's linker script defines them, GNU ld does
 * for the hosted executables).
 */
#ifndef ARCH_X86_64_RESTART_H
#define ARCH_X86_64_RESTART_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One table entry: start and end as offsets from the entry itself (no
 * relocation to apply in a position-independent hosted executable).
 */
struct restart_range {
	int32_t start, end;
};

extern const struct restart_range __start_restart_table[], __stop_restart_table[];

/* The table entry for the sequence between local labels 0 and 1 of an asm block. */
#define RESTART_ENTRY                           \
	".pushsection restart_table, \"a\"\n\t" \
	".balign 4\n\t"                         \
	".long 0b - ., 1b - . + 4\n\t"          \
	".popsection\n\t"

/*
 * If *ip lies inside a restartable sequence, before its committing store
 * has run, move it back to the sequence's start. Called on interrupt entry
 * with the interrupted context's instruction pointer. Returns whether it
 * rewound. A linear scan: the table has one entry per inlined fast path, a
 * handful.
 */
static inline bool restart_rewind(uintptr_t *ip)
{
	for (const struct restart_range *r = __start_restart_table; r < __stop_restart_table; r++) {
		uintptr_t start = (uintptr_t)&r->start + (intptr_t)r->start;
		uintptr_t end = (uintptr_t)&r->start + (intptr_t)r->end;
		if (*ip >= start && *ip < end) {
			*ip = start;
			return true;
		}
	}
	return false;
}

/* Entries in the table (tests). */
static inline unsigned restart_table_size(void)
{
	return (unsigned)(__stop_restart_table - __start_restart_table);
}

/*
 * Pop from a stack of pointers whose slot 0 holds NULL: base + aoff is the
 * unsigned count n, base + soff the array slots[0..n]. If slots[n] is NULL
 * (n == 0) jump to empty; else obj = slots[n] and the count becomes n - 1
 * (the commit). aoff and soff must be constants. obj comes out in %rax,
 * where a function returning it wants it.
 */
#define restart_pop(base, aoff, soff, obj, empty)                                         \
	do {                                                                              \
		unsigned long __n;                                                        \
		__asm__ __volatile__ goto("0:\tmovl %c[ao](%[b]), %k[n]\n\t"              \
					  "movq %c[so](%[b],%[n],8), %[o]\n\t"            \
					  "testq %[o], %[o]\n\t"                          \
					  "jz %l[" #empty "]\n\t"                         \
					  "subl $1, %k[n]\n\t"                            \
					  "movl %k[n], %c[ao](%[b])\n"                    \
					  "1:\n\t" RESTART_ENTRY                          \
					  : [o] "=&a"(obj), [n] "=&r"(__n)                \
					  : [b] "r"(base), [ao] "i"(aoff), [so] "i"(soff) \
					  : "memory", "cc"                                \
					  : empty);                                       \
	} while (0)

/*
 * The push, shared by restart_push and restart_push_keyed: operands b (the
 * stack), n (scratch), o (the object), ao, lo, so (offsets of the count,
 * the capacity and the slots). Ends with the commit; the caller's asm
 * supplies the labels 0 (start) and 1 (after the commit).
 */
#define RESTART_PUSH_ASM(full, dup)          \
	"movl %c[ao](%[b]), %k[n]\n\t"       \
	"cmpq %c[so](%[b],%[n],8), %[o]\n\t" \
	"je %l[" #dup "]\n\t"                \
	"cmpl %c[lo](%[b]), %k[n]\n\t"       \
	"jae %l[" #full "]\n\t"              \
	"addl $1, %k[n]\n\t"                 \
	"movq %[o], %c[so](%[b],%[n],8)\n\t" \
	"movl %k[n], %c[ao](%[b])\n"

/*
 * Push obj onto the same kind of stack, whose capacity is the unsigned at
 * base + loff. If obj is already on top (slots[n] == obj) jump to dup; if
 * n >= capacity jump to full; else slots[n + 1] = obj and the count becomes
 * n + 1 (the commit; the slot store before it is invisible until then).
 */
#define restart_push(base, aoff, loff, soff, obj, full, dup)                           \
	do {                                                                           \
		unsigned long __n;                                                     \
		__asm__ __volatile__ goto(                                             \
			"0:\t" RESTART_PUSH_ASM(full, dup) "1:\n\t" RESTART_ENTRY      \
			: [n] "=&r"(__n)                                               \
			: [b] "r"(base), [o] "r"(obj), [ao] "i"(aoff), [lo] "i"(loff), \
			  [so] "i"(soff)                                               \
			: "memory", "cc"                                               \
			: full, dup);                                                  \
	} while (0)

/*
 * A per-CPU word (this_cpu_var) in a sequence's template: "%%gs:%c[x]" with
 * [x] RESTART_GS_OFF(word), the word's offset in the GS-based area (the
 * address of a __seg_gs lvalue). Not an "m" operand: GCC prints one of a
 * __seg_gs lvalue with its %gs: prefix, but clang drops the address space
 * of inline-asm memory operands and would address absolute memory instead
 * (the libFuzzer build, tests/fuzz, is clang's). The instructions are the
 * same; the asm's "memory" clobber orders it against the word's other
 * accesses, as the "m" operand did.
 */
#define RESTART_GS_OFF(word) ((uintptr_t)(&(word)))

/*
 * Push obj onto the stack named by a pair of per-CPU words, if the pair is
 * for key: keyp and basep are per-CPU words (this_cpu_var). If *keyp !=
 * key jump to other; else base = *basep and go on as restart_push (dup,
 * full, commit). Both words are read inside the sequence, so an interrupt
 * that changes the pair (or the stack) restarts it, and base always
 * belongs to key. base comes out for counting after the commit (it is
 * valid only on the fall-through path).
 */
#define restart_push_keyed(keyp, basep, key, aoff, loff, soff, obj, base, other, full, dup) \
	do {                                                                                \
		unsigned long __n;                                                          \
		__asm__ __volatile__ goto(                                                  \
			"0:\tcmpq %[k], %%gs:%c[kp]\n\t"                                    \
			"jne %l[" #other "]\n\t"                                            \
			"movq %%gs:%c[bp], %[b]\n\t" /* then as restart_push: */            \
			RESTART_PUSH_ASM(full, dup) "1:\n\t" RESTART_ENTRY                  \
			: [b] "=&r"(base), [n] "=&r"(__n)                                   \
			: [kp] "i"(RESTART_GS_OFF(keyp)), [bp] "i"(RESTART_GS_OFF(basep)),  \
			  [k] "r"(key), [o] "r"(obj), [ao] "i"(aoff), [lo] "i"(loff),       \
			  [so] "i"(soff)                                                    \
			: "memory", "cc"                                                    \
			: other, full, dup);                                                \
	} while (0)

/*
 * Make a pair of per-CPU words (keyp, valp: this_cpu_var)
 * name key and the pointer now at *srcp: key first cleared, then *valp =
 * *srcp, then *keyp = key, the commit. Every state before the commit has
 * the key cleared, which restart_push_keyed reads as "no pair" (a key it
 * is given is never 0); an interrupt before the commit restarts the
 * sequence, which reads *srcp again, so whatever pair a handler set
 * meanwhile, and whatever it stored at *srcp, the pair is (key, *srcp) as of
 * the commit. (Three plain stores with interrupts on would not do: a
 * handler between the last two that sets its own pair leaves its val with
 * this key.)
 */
#define restart_set_pair(keyp, valp, key, srcp)                                            \
	do {                                                                               \
		unsigned long __v;                                                         \
		__asm__ __volatile__(                                                      \
			"0:\tmovq $0, %%gs:%c[kp]\n\t"                                     \
			"movq %[sp], %[v]\n\t"                                             \
			"movq %[v], %%gs:%c[vp]\n\t"                                       \
			"movq %[k], %%gs:%c[kp]\n"                                         \
			"1:\n\t" RESTART_ENTRY                                             \
			: [v] "=&r"(__v)                                                   \
			: [k] "r"(key), [sp] "m"(*(srcp)), [kp] "i"(RESTART_GS_OFF(keyp)), \
			  [vp] "i"(RESTART_GS_OFF(valp))                                   \
			: "memory");                                                       \
	} while (0)

#endif
