/*
 * traps.c - the IDT, exception reports, the expected-fault hook and the
 * dispatch of interrupt vectors to registered handlers (see traps.h).
 *
 * Every gate is an interrupt gate (interrupts stay disabled in handlers).
 * The double fault, NMI and machine check gates switch to their own IST
 * stacks (gdt.c), so a kernel stack overflow still produces a report.
 *
 * Re-entry: an exception raised while this CPU is already reporting one
 * (a bad pointer in the report itself, say) is not reported again: a short
 * message goes straight to the serial port and the run ends.
 */
#include "arch/x86_64/traps.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/stacktrace.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"

#define NR_VECTORS	 256
#define NR_EXCEPTIONS	 32
#define ISR_STUB_SIZE	 16
#define GATE_INTERRUPT64 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;  /* bits 0-2: IST slot, 0 = stay on the current stack */
	uint8_t type; /* present, DPL, gate type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

BUILD_BUG_ON(sizeof(struct idt_entry) != 16);
BUILD_BUG_ON(sizeof(struct pt_regs) != 22 * 8);

/* Stop the other CPUs before a fatal report (kernel/panic.c: weak, SMP code overrides). */
void smp_send_stop(void);

extern char isr_stubs[];	 /* entry.S: 256 stubs of ISR_STUB_SIZE bytes */
extern char fault_resume_stub[]; /* entry.S */

static struct idt_entry idt[NR_VECTORS] __aligned(16);
static interrupt_handler_t handlers[NR_VECTORS];
static struct expected_fault *expected[NR_CPUS];
static unsigned reporting[NR_CPUS];
static bool unexpected_irq_reported[NR_VECTORS];

static const char *const exception_names[NR_EXCEPTIONS][2] = {
	[0] = { "#DE", "Divide Error" },
	[1] = { "#DB", "Debug" },
	[2] = { "NMI", "Non-Maskable Interrupt" },
	[3] = { "#BP", "Breakpoint" },
	[4] = { "#OF", "Overflow" },
	[5] = { "#BR", "BOUND Range Exceeded" },
	[6] = { "#UD", "Invalid Opcode" },
	[7] = { "#NM", "Device Not Available" },
	[8] = { "#DF", "Double Fault" },
	[9] = { "#CSO", "Coprocessor Segment Overrun" },
	[10] = { "#TS", "Invalid TSS" },
	[11] = { "#NP", "Segment Not Present" },
	[12] = { "#SS", "Stack-Segment Fault" },
	[13] = { "#GP", "General Protection" },
	[14] = { "#PF", "Page Fault" },
	[15] = { "#15", "Reserved" },
	[16] = { "#MF", "x87 Floating-Point Error" },
	[17] = { "#AC", "Alignment Check" },
	[18] = { "#MC", "Machine Check" },
	[19] = { "#XM", "SIMD Floating-Point Exception" },
	[20] = { "#VE", "Virtualization Exception" },
	[21] = { "#CP", "Control Protection" },
	[22] = { "#22", "Reserved" },
	[23] = { "#23", "Reserved" },
	[24] = { "#24", "Reserved" },
	[25] = { "#25", "Reserved" },
	[26] = { "#26", "Reserved" },
	[27] = { "#27", "Reserved" },
	[28] = { "#HV", "Hypervisor Injection" },
	[29] = { "#VC", "VMM Communication" },
	[30] = { "#SX", "Security Exception" },
	[31] = { "#31", "Reserved" },
};

const char *exception_mnemonic(unsigned vector)
{
	return vector < NR_EXCEPTIONS ? exception_names[vector][0] : "IRQ";
}

const char *exception_name(unsigned vector)
{
	return vector < NR_EXCEPTIONS ? exception_names[vector][1] : "External Interrupt";
}

static void set_gate(unsigned vector, uintptr_t handler, unsigned ist)
{
	struct idt_entry *e = &idt[vector];
	e->offset_low = (uint16_t)handler;
	e->selector = GDT_KERNEL_CS;
	e->ist = (uint8_t)ist;
	e->type = GATE_INTERRUPT64;
	e->offset_mid = (uint16_t)(handler >> 16);
	e->offset_high = (uint32_t)(handler >> 32);
	e->reserved = 0;
}

void idt_load(void)
{
	struct idt_ptr ptr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ __volatile__("lidt %0" : : "m"(ptr) : "memory");
}

void traps_init(void)
{
	for (unsigned v = 0; v < NR_VECTORS; v++)
		set_gate(v, (uintptr_t)isr_stubs + v * ISR_STUB_SIZE, 0);
	set_gate(X86_TRAP_DF, (uintptr_t)isr_stubs + X86_TRAP_DF * ISR_STUB_SIZE, IST_DOUBLE_FAULT);
	set_gate(X86_TRAP_NMI, (uintptr_t)isr_stubs + X86_TRAP_NMI * ISR_STUB_SIZE, IST_NMI);
	set_gate(X86_TRAP_MC, (uintptr_t)isr_stubs + X86_TRAP_MC * ISR_STUB_SIZE,
		 IST_MACHINE_CHECK);
	pic_remap_and_mask();
	idt_load();
}

interrupt_handler_t set_interrupt_handler(unsigned vector, interrupt_handler_t handler)
{
	if (vector >= NR_VECTORS)
		return NULL;
	return __atomic_exchange_n(&handlers[vector], handler, __ATOMIC_ACQ_REL);
}

void fault_expect(struct expected_fault *ef)
{
	ef->hit = false;
	ef->error_code = ef->cr2 = ef->rip = 0;
	barrier();
	expected[smp_processor_id()] = ef;
	barrier();
}

void fault_expect_clear(void)
{
	barrier();
	expected[smp_processor_id()] = NULL;
	barrier();
}

__noinline bool page_fault_probe(uintptr_t va, bool write, uint64_t v, uint64_t *ec)
{
	struct expected_fault ef = { .vector = X86_TRAP_PF };

	if (arch_setjmp(ef.resume) == 0) {
		fault_expect(&ef);
		if (write)
			*(volatile uint64_t *)va = v;
		else
			(void)*(volatile uint64_t *)va;
	}
	fault_expect_clear();
	if (ef.hit && ef.cr2 != va) {
		pr_err("page_fault_probe: fault at %#lx, expected at %#lx\n", (unsigned long)ef.cr2,
		       (unsigned long)va);
		return false;
	}
	if (ec)
		*ec = ef.hit ? ef.error_code : ~0ULL;
	return ef.hit;
}

__attribute__((weak)) void arch_pf_report_walk(uint64_t cr2)
{
	(void)cr2;
}

static bool has_selector_error_code(unsigned v)
{
	return v == X86_TRAP_TS || v == X86_TRAP_NP || v == X86_TRAP_SS || v == X86_TRAP_GP;
}

static bool has_error_code(unsigned v)
{
	return v == X86_TRAP_DF || has_selector_error_code(v) || v == X86_TRAP_PF ||
	       v == X86_TRAP_AC || v == X86_TRAP_CP || v == 29 || v == 30;
}

static void report_error_code(unsigned v, uint64_t ec, uint64_t cr2)
{
	const char *m = exception_mnemonic(v);

	if (v == X86_TRAP_PF) {
		const char *access = (ec & X86_PF_INSTR)   ? "instruction fetch"
				     : (ec & X86_PF_WRITE) ? "write"
							   : "read";
		printk(KERN_EMERG "%s: error code 0x%04llx: %s, %s access, %s mode%s%s\n", m,
		       (unsigned long long)ec,
		       (ec & X86_PF_PROT) ? "protection violation" : "page not present", access,
		       (ec & X86_PF_USER) ? "user" : "kernel",
		       (ec & X86_PF_RSVD) ? ", reserved bit set in a paging entry" : "",
		       (ec & X86_PF_PK) ? ", protection key" : "");
		printk(KERN_EMERG "%s: faulting address (CR2): 0x%016llx\n", m,
		       (unsigned long long)cr2);
	} else if (has_selector_error_code(v)) {
		if (ec == 0) {
			printk(KERN_EMERG "%s: error code 0 (not caused by a segment selector)\n",
			       m);
		} else {
			const char *table = (ec & 2) ? "IDT" : (ec & 4) ? "LDT" : "GDT";
			printk(KERN_EMERG
			       "%s: error code 0x%04llx: selector 0x%04llx, %s entry %llu%s\n",
			       m, (unsigned long long)ec, (unsigned long long)(ec & 0xfff8), table,
			       (unsigned long long)((ec & 0xffff) >> 3),
			       (ec & 1) ? ", during delivery of an external event" : "");
		}
	} else if (has_error_code(v)) {
		printk(KERN_EMERG "%s: error code 0x%04llx\n", m, (unsigned long long)ec);
	}
}

void exception_report(const struct pt_regs *regs, uint64_t cr2)
{
	unsigned v = (unsigned)regs->vector;
	uint64_t cr0 = read_cr0(), cr3 = arch_read_cr3(), cr4 = read_cr4();
	struct ktest *t = ktest_current();

	printk(KERN_EMERG "------------[ exception ]------------\n");
	printk(KERN_EMERG "%s: %s (vector %u) on CPU %u\n", exception_mnemonic(v),
	       exception_name(v), v, smp_processor_id());
	if (t)
		printk(KERN_EMERG "while running test case %s.%s\n", t->suite->name,
		       t->kcase->name);
	report_error_code(v, regs->error_code, cr2);
	printk(KERN_EMERG "RIP: %04llx:%016llx %pS\n", (unsigned long long)regs->cs,
	       (unsigned long long)regs->rip, (void *)regs->rip);
	printk(KERN_EMERG "RSP: %04llx:%016llx EFLAGS: %08llx\n", (unsigned long long)regs->ss,
	       (unsigned long long)regs->rsp, (unsigned long long)regs->rflags);
	printk(KERN_EMERG "RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)regs->rax,
	       (unsigned long long)regs->rbx, (unsigned long long)regs->rcx);
	printk(KERN_EMERG "RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)regs->rdx,
	       (unsigned long long)regs->rsi, (unsigned long long)regs->rdi);
	printk(KERN_EMERG "RBP: %016llx R08: %016llx R09: %016llx\n", (unsigned long long)regs->rbp,
	       (unsigned long long)regs->r8, (unsigned long long)regs->r9);
	printk(KERN_EMERG "R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)regs->r10,
	       (unsigned long long)regs->r11, (unsigned long long)regs->r12);
	printk(KERN_EMERG "R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)regs->r13,
	       (unsigned long long)regs->r14, (unsigned long long)regs->r15);
	printk(KERN_EMERG "CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       (unsigned long long)cr0, (unsigned long long)read_cr2(), (unsigned long long)cr3,
	       (unsigned long long)cr4);
	if (v == X86_TRAP_PF)
		arch_pf_report_walk(cr2);
	/* Not the stack top of a double fault: RSP may be in the overflowed stack's guard page. */
	show_backtrace(regs->rbp, v == X86_TRAP_DF ? 0 : regs->rsp);
	printk(KERN_EMERG "---[ end of exception report ]---\n");
}

static void nested_exception(const struct pt_regs *regs)
{
	char line[160];
	int n = ksnprintf(line, sizeof(line),
			  "\n*** %s (vector %u) at RIP 0x%016llx while reporting an exception on "
			  "CPU %u; stopping ***\n",
			  exception_mnemonic((unsigned)regs->vector), (unsigned)regs->vector,
			  (unsigned long long)regs->rip, smp_processor_id());
	serial_write(line, (size_t)MIN(n, (int)sizeof(line) - 1));
	arch_exit_qemu(QEMU_EXIT_FAILURE);
}

static void unexpected_interrupt(struct pt_regs *regs)
{
	unsigned v = (unsigned)regs->vector;
	if (v >= PIC_VECTOR_BASE && v < PIC_VECTOR_BASE + 16 && ((v - PIC_VECTOR_BASE) & 7) == 7)
		return; /* a spurious IRQ 7/15 from a masked PIC: no EOI, nothing to do */
	if (!unexpected_irq_reported[v]) {
		unexpected_irq_reported[v] = true;
		pr_warn("traps: interrupt on vector %u with no handler (ignored; reported once)\n",
			v);
	}
}

unsigned long irq_rewinds[NR_CPUS];

void exception_dispatch(struct pt_regs *regs)
{
	unsigned v = (unsigned)regs->vector & (NR_VECTORS - 1);
	/* Read CR2 first: a fault in the code below would overwrite it. */
	uint64_t cr2 = v == X86_TRAP_PF ? read_cr2() : 0;
	unsigned cpu = smp_processor_id();
	interrupt_handler_t h = __atomic_load_n(&handlers[v], __ATOMIC_ACQUIRE);

	if (v >= NR_EXCEPTIONS || v == X86_TRAP_NMI) {
		/*
		 * An asynchronous interrupt: if it arrived inside a restartable
		 * sequence (arch/x86_64/restart.h), before its commit, the
		 * sequence starts over when we return, and the handler may use
		 * the state the sequence was working on.
		 */
		if (restart_rewind((uintptr_t *)&regs->rip))
			irq_rewinds[cpu]++;
	}
	if (v >= NR_EXCEPTIONS) {
		if (h)
			h(regs);
		else
			unexpected_interrupt(regs);
		return;
	}

	struct expected_fault *ef = expected[cpu];
	if (ef && ef->vector == (int)v && !reporting[cpu]) {
		expected[cpu] = NULL;
		ef->error_code = regs->error_code;
		ef->cr2 = cr2;
		ef->rip = regs->rip;
		ef->hit = true;
		if (ef->report)
			exception_report(regs, cr2);
		/* iretq into fault_resume_stub, which calls arch_longjmp(ef->resume, 1). */
		regs->rdi = (uint64_t)(uintptr_t)ef->resume;
		regs->rsi = 1;
		regs->rip = (uint64_t)(uintptr_t)fault_resume_stub;
		return;
	}
	if (h && h(regs))
		return;

	if (reporting[cpu]++)
		nested_exception(regs);
	WRITE_ONCE(oops_in_progress, 1);
	smp_send_stop();
	exception_report(regs, cr2);
	printk(KERN_EMERG "Fatal exception: ending the run as a failure.\n");
	arch_exit_qemu(QEMU_EXIT_FAILURE);
}
