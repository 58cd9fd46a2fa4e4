/*
 * traps.h - the IDT, CPU exceptions and interrupt dispatch.
 *
 * Every one of the 256 vectors enters through a small stub (entry.S) that
 * saves all general registers as a struct pt_regs and calls
 * exception_dispatch(). Exceptions (vectors 0-31) print a full report on the
 * console (name, decoded error code, RIP with its symbol, CR2, registers, a
 * frame-pointer backtrace) and end the run as a failure, unless:
 *   - a handler was registered for the vector and says it handled it, or
 *   - a test armed the expected-fault hook for it (below).
 * Vectors 32-255 call their registered handler; one without a handler is
 * reported (once per vector) and ignored.
 */
#ifndef ARCH_X86_64_TRAPS_H
#define ARCH_X86_64_TRAPS_H

#include "kernel/arch.h"
#include "kernel/compiler.h"

/*
 * Interrupts (and NMIs) on each CPU that arrived inside a restartable
 * sequence and moved it back to its start (arch/x86_64/restart.h).
 */
extern unsigned long irq_rewinds[NR_CPUS];

/* The interrupted context, as entry.S saves it (lowest address first). */
struct pt_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors where the CPU pushes none */
	/* Pushed by the CPU: the interrupt frame iretq consumes. */
	uint64_t rip, cs, rflags, rsp, ss;
};

enum x86_exception {
	X86_TRAP_DE = 0,  /* divide error */
	X86_TRAP_DB = 1,  /* debug */
	X86_TRAP_NMI = 2, /* non-maskable interrupt */
	X86_TRAP_BP = 3,  /* breakpoint (int3) */
	X86_TRAP_OF = 4,  /* overflow */
	X86_TRAP_BR = 5,  /* bound range exceeded */
	X86_TRAP_UD = 6,  /* invalid opcode */
	X86_TRAP_NM = 7,  /* device not available */
	X86_TRAP_DF = 8,  /* double fault */
	X86_TRAP_TS = 10, /* invalid TSS */
	X86_TRAP_NP = 11, /* segment not present */
	X86_TRAP_SS = 12, /* stack-segment fault */
	X86_TRAP_GP = 13, /* general protection */
	X86_TRAP_PF = 14, /* page fault */
	X86_TRAP_MF = 16, /* x87 floating point */
	X86_TRAP_AC = 17, /* alignment check */
	X86_TRAP_MC = 18, /* machine check */
	X86_TRAP_XF = 19, /* SIMD floating point */
	X86_TRAP_VE = 20, /* virtualization exception */
	X86_TRAP_CP = 21, /* control protection */
};

/* #PF error code bits. */
#define X86_PF_PROT  (1u << 0) /* 0: page not present; 1: protection violation */
#define X86_PF_WRITE (1u << 1) /* the access was a write */
#define X86_PF_USER  (1u << 2) /* the access came from user mode */
#define X86_PF_RSVD  (1u << 3) /* a reserved bit was set in a paging entry */
#define X86_PF_INSTR (1u << 4) /* the access was an instruction fetch (NX or SMEP) */
#define X86_PF_PK    (1u << 5) /* protection key violation */

/* Build the IDT, remap and mask the legacy PIC, load the IDT on this CPU. */
void traps_init(void);
/* Load the (shared) IDT on a secondary CPU. */
void idt_load(void);

/*
 * A handler for vector (0-255). For an exception it returns true when it
 * dealt with it (execution resumes with *regs, which it may change), false
 * to fall through to the report. For an interrupt the return value is
 * ignored; the handler does its own EOI. Pass NULL to remove. Returns the
 * handler it replaced (tests that borrow a vector put it back).
 */
typedef bool (*interrupt_handler_t)(struct pt_regs *regs);
interrupt_handler_t set_interrupt_handler(unsigned vector, interrupt_handler_t handler);

/*
 * Expected faults, for tests that provoke an exception on purpose.
 *
 *   struct expected_fault ef = { .vector = 14 };
 *   if (arch_setjmp(ef.resume) == 0) { fault_expect(&ef); *(volatile int *)0 = 1; }
 *   fault_expect_clear();
 *   KEXPECT_TRUE(t, ef.hit); KEXPECT_EQ(t, ef.cr2, 0);
 *
 * When exception ef->vector arrives on this CPU while armed, the handler
 * records error_code, cr2 (page faults only, else 0) and the faulting rip,
 * sets hit, disarms, and resumes at arch_setjmp returning 1. It does so by
 * rewriting the interrupt frame so that iretq "returns" into a small stub,
 * on the interrupted stack with the interrupted RFLAGS, which calls
 * arch_longjmp(ef->resume, 1): the jump happens in ordinary kernel context,
 * not inside the exception handler, and the interrupt flag is restored by
 * longjmp to its state at setjmp time. An exception on any other vector is
 * still reported and fatal. One expectation per CPU at a time.
 */
struct expected_fault {
	int vector;  /* exception to catch (14 = #PF, 3 = #BP, 6 = #UD, 13 = #GP) */
	bool report; /* also print the full exception report (to test the report) */
	volatile bool hit;
	uint64_t error_code, cr2, rip;
	arch_jmp_buf resume; /* the handler resumes here, arch_setjmp returning 1 */
};

void fault_expect(struct expected_fault *ef); /* arm (one at a time, this CPU) */
void fault_expect_clear(void);		      /* disarm */

/*
 * Touch va (read it, or write v there) expecting a page fault: true when a
 * #PF came, at va (one at another address is reported and counts as none);
 * *ec (if not NULL) gets its error code, ~0 when there was none.
 */
bool page_fault_probe(uintptr_t va, bool write, uint64_t v, uint64_t *ec);

/* The exception's short and long name: "#PF", "Page Fault". */
const char *exception_mnemonic(unsigned vector);
const char *exception_name(unsigned vector);

/* Print the report for an exception in regs (cr2 for #PF) without ending the run. */
void exception_report(const struct pt_regs *regs, uint64_t cr2);

/*
 * Called by the #PF report with the faulting address. Weak and empty here;
 * the paging code overrides it to print the page-table walk of cr2.
 */
void arch_pf_report_walk(uint64_t cr2);

/* Called from entry.S for every vector. */
void exception_dispatch(struct pt_regs *regs);

#endif
