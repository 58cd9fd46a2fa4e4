/*
 * exceptions_test.c - CPU exceptions are caught, decoded and reported.
 *
 * Suite `exceptions`: each case provokes one exception on purpose with the
 * expected-fault hook armed (arch/x86_64/traps.h) and checks what the handler
 * recorded: the vector, the error code, CR2 and the faulting RIP, which is
 * known exactly because the faulting instructions sit at assembly labels.
 * Two cases also have the handler print its full report and check the text.
 *
 * Explicit-only suites (run with ktest=<name>; each ENDS the run, on purpose,
 * to show that the harness notices): crash_exception (an unexpected page
 * fault: report, exit status 35), crash_panic (panic(): exit status 35),
 * crash_triple_fault (no IDT at all: QEMU -no-reboot exits with status 0,
 * which the runner must treat as a failure) and crash_hang (the runner's
 * timeout must fire).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"

/* An address no page table maps: user half, far above anything the kernel maps. */
#define UNMAPPED_ADDR 0x0000400000000000ull
/* Not canonical (bits 63:47 differ): any access is a #GP, before paging is even consulted. */
#define NONCANONICAL_ADDR 0xdead000000000000ull

/*
 * Faulting instructions at known addresses. Each function is called normally;
 * the fault "returns" through the expected-fault hook (longjmp), so the
 * instruction after the faulting one never runs, except for int3, a trap,
 * after which the CPU reports the next instruction's address.
 */
__asm__(".pushsection .text\n"
	".globl exc_test_int3, exc_test_int3_insn\n"
	".type exc_test_int3, @function\n"
	"exc_test_int3:\n"
	"	nop\n"
	"exc_test_int3_insn:\n"
	"	int3\n"
	"	ret\n"
	".size exc_test_int3, . - exc_test_int3\n"
	".globl exc_test_ud2, exc_test_ud2_insn\n"
	".type exc_test_ud2, @function\n"
	"exc_test_ud2:\n"
	"	nop\n"
	"exc_test_ud2_insn:\n"
	"	ud2\n"
	"	ret\n"
	".size exc_test_ud2, . - exc_test_ud2\n"
	".globl exc_test_divide, exc_test_divide_insn\n"
	".type exc_test_divide, @function\n"
	"exc_test_divide:\n"
	"	xorl %edx, %edx\n"
	"	movl $1, %eax\n"
	"	xorl %ecx, %ecx\n"
	"exc_test_divide_insn:\n"
	"	divl %ecx\n"
	"	ret\n"
	".size exc_test_divide, . - exc_test_divide\n"
	".popsection");

void exc_test_int3(void);
void exc_test_ud2(void);
void exc_test_divide(void);
extern char exc_test_int3_insn[], exc_test_ud2_insn[], exc_test_divide_insn[];

static void breakpoint_int3_is_caught(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_BP };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		exc_test_int3();
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	/* #BP is a trap: the saved RIP is the instruction after int3 (one byte long). */
	KEXPECT_EQ(t, ef.rip, (uint64_t)(uintptr_t)exc_test_int3_insn + 1);
	KEXPECT_EQ(t, ef.error_code, 0u);
}

static void invalid_opcode_ud2_is_caught(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_UD };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		exc_test_ud2();
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	/* #UD is a fault: the saved RIP is the faulting instruction itself. */
	KEXPECT_EQ(t, ef.rip, (uint64_t)(uintptr_t)exc_test_ud2_insn);
}

static void divide_by_zero_is_caught(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_DE };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		exc_test_divide();
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.rip, (uint64_t)(uintptr_t)exc_test_divide_insn);
}

static void page_fault_read_of_unmapped_address(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		(void)*(volatile uint64_t *)(uintptr_t)UNMAPPED_ADDR;
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.cr2, UNMAPPED_ADDR);
	/* Not present, read, supervisor, data access. */
	KEXPECT_EQ(t, ef.error_code & (X86_PF_PROT | X86_PF_WRITE | X86_PF_USER | X86_PF_INSTR),
		   0u);
}

static void page_fault_write_of_unmapped_address(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		*(volatile uint64_t *)(uintptr_t)(UNMAPPED_ADDR + 8) = 1;
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.cr2, UNMAPPED_ADDR + 8);
	KEXPECT_EQ(t, ef.error_code & (X86_PF_PROT | X86_PF_WRITE | X86_PF_USER), X86_PF_WRITE);
}

static void page_fault_instruction_fetch(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF };
	/* The I/D bit is only reported when no-execute is enabled (EFER.NXE, set at boot with NX). */
	if (!cpu_has(X86_FEATURE_NX))
		KTEST_SKIP(t, "CPU without NX: the fetch bit is not reported");
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		((void (*)(void))(uintptr_t)UNMAPPED_ADDR)();
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.cr2, UNMAPPED_ADDR);
	KEXPECT_EQ(t, ef.rip, UNMAPPED_ADDR);
	KEXPECT_TRUE(t, ef.error_code & X86_PF_INSTR);
}

static void general_protection_on_noncanonical_address(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_GP };
	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		(void)*(volatile uint64_t *)(uintptr_t)NONCANONICAL_ADDR;
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	KEXPECT_EQ(t, ef.error_code, 0u); /* not a segment-selector problem */
	KEXPECT_EQ(t, ef.cr2, 0u);	  /* CR2 is recorded for page faults only */
}

static void disarmed_hook_does_not_fire(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF };
	fault_expect(&ef);
	fault_expect_clear();
	/* Nothing faults here: the hook must have recorded nothing. */
	(void)*(volatile uint8_t *)(uintptr_t)disarmed_hook_does_not_fire;
	KEXPECT_FALSE(t, ef.hit);
}

static void setjmp_longjmp_return_values(struct ktest *t)
{
	arch_jmp_buf buf;
	volatile int round = 0;
	int r = arch_setjmp(buf);
	round++;
	if (round == 1) {
		KEXPECT_EQ(t, r, 0);
		arch_longjmp(buf, 42);
	} else if (round == 2) {
		KEXPECT_EQ(t, r, 42);
		arch_longjmp(buf, 0); /* like longjmp: 0 becomes 1 */
	}
	KEXPECT_EQ(t, round, 3);
	KEXPECT_EQ(t, r, 1);
}

static bool log_contains(const char *log, const char *what, struct ktest *t)
{
	if (strstr(log, what))
		return true;
	ktest_log(t, "the report does not contain \"%s\"", what);
	return false;
}

static char report_log[LOG_BUF_SIZE];

static void report_names_vector_rip_and_symbol(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_UD, .report = true };
	char rip_sym[160];
	uint64_t mark = log_buf_mark();

	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		exc_test_ud2();
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	log_buf_read(mark, report_log, sizeof(report_log));
	ksnprintf(rip_sym, sizeof(rip_sym), "%pS", (void *)(uintptr_t)ef.rip);
	KEXPECT_TRUE(t, log_contains(report_log, "#UD: Invalid Opcode (vector 6)", t));
	KEXPECT_TRUE(t, log_contains(report_log, "RIP: 0008:", t));
	KEXPECT_TRUE(t, log_contains(report_log, rip_sym, t));
	KEXPECT_TRUE(t, log_contains(report_log, "exc_test_ud2", t));
	KEXPECT_TRUE(t, log_contains(report_log, "RAX: ", t));
	KEXPECT_TRUE(t, log_contains(report_log, "R15: ", t));
	KEXPECT_TRUE(t, log_contains(report_log, "Call Trace:", t));
	/*
	 * The frame-pointer walk starts at the frame of this test function
	 * (exc_test_ud2 has none of its own), so its first entry is the test
	 * runner that called it.
	 */
	KEXPECT_TRUE(t, log_contains(report_log, "] run_case+", t));
	KEXPECT_TRUE(t, log_contains(report_log, "] ktest_run+", t));
}

static void report_decodes_page_fault(struct ktest *t)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF, .report = true };
	uint64_t mark = log_buf_mark();

	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		*(volatile uint32_t *)(uintptr_t)UNMAPPED_ADDR = 1;
	}
	fault_expect_clear();
	KASSERT_TRUE(t, ef.hit);
	log_buf_read(mark, report_log, sizeof(report_log));
	KEXPECT_TRUE(t, log_contains(report_log, "#PF: Page Fault (vector 14)", t));
	KEXPECT_TRUE(t, log_contains(report_log, "page not present, write access, kernel mode", t));
	KEXPECT_TRUE(t, log_contains(report_log, "faulting address (CR2): 0x0000400000000000", t));
}

static struct ktest_case exceptions_cases[] = {
	KTEST_CASE(breakpoint_int3_is_caught),
	KTEST_CASE(invalid_opcode_ud2_is_caught),
	KTEST_CASE(divide_by_zero_is_caught),
	KTEST_CASE(page_fault_read_of_unmapped_address),
	KTEST_CASE(page_fault_write_of_unmapped_address),
	KTEST_CASE(page_fault_instruction_fetch),
	KTEST_CASE(general_protection_on_noncanonical_address),
	KTEST_CASE(disarmed_hook_does_not_fire),
	KTEST_CASE(setjmp_longjmp_return_values),
	KTEST_CASE(report_names_vector_rip_and_symbol),
	KTEST_CASE(report_decodes_page_fault),
	{},
};
KTEST_SUITE(exceptions, exceptions_cases);

/* ---- explicit-only: each of these ends the run ---- */

static void unexpected_page_fault(struct ktest *t)
{
	(void)t;
	*(volatile uint64_t *)(uintptr_t)UNMAPPED_ADDR = 0xbad;
}

static void explicit_panic(struct ktest *t)
{
	(void)t;
	panic("crash_panic: deliberate panic from %s", __func__);
}

static void triple_fault(struct ktest *t)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty_idt = { 0, 0 };
	(void)t;
	/* No IDT: the breakpoint cannot be delivered (#GP), nor can that (#DF): shutdown. */
	__asm__ __volatile__("lidt %0\n\tint3" : : "m"(empty_idt));
}

static void hang(struct ktest *t)
{
	(void)t;
	printk(KERN_INFO
	       "crash_hang: stopping this CPU forever; the runner's timeout must end it\n");
	arch_halt_forever();
}

static struct ktest_case crash_exception_cases[] = { KTEST_CASE(unexpected_page_fault), {} };
static struct ktest_case crash_panic_cases[] = { KTEST_CASE(explicit_panic), {} };
static struct ktest_case crash_triple_fault_cases[] = { KTEST_CASE(triple_fault), {} };
static struct ktest_case crash_hang_cases[] = { KTEST_CASE(hang), {} };
KTEST_SUITE(crash_exception, crash_exception_cases, .explicit_only = true);
KTEST_SUITE(crash_panic, crash_panic_cases, .explicit_only = true);
KTEST_SUITE(crash_triple_fault, crash_triple_fault_cases, .explicit_only = true);
KTEST_SUITE(crash_hang, crash_hang_cases, .explicit_only = true);
