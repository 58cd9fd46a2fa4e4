/*
 * apic.c - local APIC driver: mode choice (x2APIC or xAPIC), register
 * access, IPIs, the AP start-up sequence and the timer's calibration against
 * the PIT. All interrupts here come through the local APIC (the 8259 PICs
 * are masked by traps_init; device IRQs would come through an I/O APIC).
 *
 * Every CPU's APIC is programmed the same way: enabled through the spurious
 * vector register, task priority 0 (accept every vector), LINT0 masked (the
 * PICs are off), LINT1 as NMI on the boot CPU only, errors to
 * ERROR_APIC_VECTOR, the timer masked until someone starts it.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/vmm.h"

CMDLINE_PARAM(nox2apic, "use the local APIC in xAPIC (MMIO) mode even when x2APIC is available");

static bool timer_interrupt(struct pt_regs *regs);
static bool error_interrupt(struct pt_regs *regs);
static bool spurious_interrupt(struct pt_regs *regs);

static bool have_apic;
static bool x2apic;
static uint64_t lapic_base_phys;
static volatile uint32_t *lapic_mmio; /* LAPIC_VIRT once mapped (xAPIC mode) */

uint64_t apic_timer_khz;

bool apic_available(void)
{
	return have_apic;
}

bool apic_x2apic_mode(void)
{
	return x2apic;
}

uint64_t apic_phys_base(void)
{
	return lapic_base_phys;
}

uint32_t apic_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

void apic_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

uint32_t apic_read_id(void)
{
	/* xAPIC keeps the 8-bit id in bits 31:24; x2APIC's register is the whole id. */
	uint32_t id = apic_read(APIC_ID);
	return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* xAPIC: wait until the previous IPI has left (delivery status idle). */
static int xapic_wait_icr_idle(void)
{
	for (unsigned i = 0; i < 1000000; i++) {
		if (!(apic_read(APIC_ICR_LOW) & APIC_ICR_PENDING))
			return 0;
		cpu_relax();
	}
	return -EIO;
}

/*
 * Write the interrupt command register. In xAPIC mode it is two 32-bit
 * registers and the write of the low one sends; an interrupt handler sending
 * its own IPI between the two writes would change the destination, hence
 * interrupts off around the pair.
 */
static int apic_icr_write(uint32_t dest, uint32_t low)
{
	unsigned long flags;
	int err = 0;
	local_irq_save(flags);
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LOW >> 4), ((uint64_t)dest << 32) | low);
	} else {
		err = xapic_wait_icr_idle();
		if (!err) {
			apic_write(APIC_ICR_HIGH, dest << 24);
			apic_write(APIC_ICR_LOW, low);
			err = xapic_wait_icr_idle();
		}
	}
	local_irq_restore(flags);
	return err;
}

void apic_send_ipi(uint32_t dest, uint8_t vector)
{
	if (apic_icr_write(dest, APIC_ICR_FIXED | APIC_ICR_ASSERT | vector))
		pr_err("apic: IPI %#x to APIC id %u not accepted (delivery status stuck)\n", vector,
		       dest);
}

void apic_send_nmi(uint32_t dest)
{
	if (apic_icr_write(dest, APIC_ICR_NMI | APIC_ICR_ASSERT))
		pr_err("apic: NMI to APIC id %u not accepted (delivery status stuck)\n", dest);
}

int apic_send_init(uint32_t dest)
{
	return apic_icr_write(dest, APIC_ICR_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT) ? -EIO : 0;
}

int apic_wakeup_ap(uint32_t dest, uint8_t page)
{
	/* Clear stale errors first, so an error after the sequence is ours. */
	apic_write(APIC_ESR, 0);
	if (apic_send_init(dest))
		return -EIO;
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		if (apic_icr_write(dest, APIC_ICR_STARTUP | APIC_ICR_ASSERT | page))
			return -EIO;
		udelay(200);
	}
	apic_write(APIC_ESR, 0);
	uint32_t esr = apic_read(APIC_ESR);
	if (esr)
		pr_warn("apic: error status %#x after starting APIC id %u\n", esr, dest);
	return 0;
}

void udelay(uint64_t us)
{
	/* Before tsc_init assume a fast TSC (4 GHz): delays come out long, never short. */
	uint64_t khz = tsc_khz ? tsc_khz : 4000000;
	uint64_t end = arch_cycles() + us * khz / 1000;
	while (arch_cycles() < end)
		cpu_relax();
}

/* ---- calibration ---- */

#define PIT_HZ		 1193182u
#define PIT_CALIBRATE_MS 20u

/*
 * Count TSC cycles and APIC timer ticks over ms milliseconds of PIT channel
 * 2 (mode 0: OUT2, readable in port 0x61 bit 5, rises at terminal count).
 * Returns false when OUT2 never rises (no PIT).
 */
static bool pit_measure(unsigned ms, uint64_t *tsc, uint32_t *apic_ticks)
{
	uint32_t latch = PIT_HZ / 1000 * ms;
	uint8_t saved = inb(0x61);
	bool ok = false;

	outb(0x61, (uint8_t)((saved & ~0x02) | 0x01)); /* gate 2 on, speaker off */
	outb(0x43, 0xb0);			       /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, (uint8_t)(latch & 0xff));
	outb(0x42, (uint8_t)(latch >> 8));

	uint32_t a0 = apic_read(APIC_TIMER_CCR);
	uint64_t t0 = arch_cycles();
	/* Bound the wait by the TSC too: 10 G cycles is seconds on any CPU that has a PIT. */
	while (arch_cycles() - t0 < 10000000000ull) {
		if (inb(0x61) & 0x20) {
			ok = true;
			break;
		}
	}
	uint64_t t1 = arch_cycles();
	uint32_t a1 = apic_read(APIC_TIMER_CCR);
	outb(0x61, saved);
	*tsc = t1 - t0;
	*apic_ticks = a0 - a1;
	return ok;
}

static void calibrate(void)
{
	uint64_t tsc;
	uint32_t ticks;
	unsigned long flags;

	apic_write(APIC_TIMER_DCR, 0x3); /* divide by 16 */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TIMER_ICR, 0xffffffffu);

	local_irq_save(flags);
	bool ok = pit_measure(PIT_CALIBRATE_MS, &tsc, &ticks);
	local_irq_restore(flags);
	apic_write(APIC_TIMER_ICR, 0);

	if (!ok) {
		apic_timer_khz = 0;
		pr_warn("apic: the PIT did not count; the APIC timer is left uncalibrated\n");
		return;
	}
	apic_timer_khz = ticks / PIT_CALIBRATE_MS;
	pr_info("apic: timer %llu.%03llu MHz (bus clock / 16), calibrated over %u ms of PIT "
		"(the TSC ran %llu kHz meanwhile)\n",
		(unsigned long long)(apic_timer_khz / 1000),
		(unsigned long long)(apic_timer_khz % 1000), PIT_CALIBRATE_MS,
		(unsigned long long)(tsc / PIT_CALIBRATE_MS));
}

/* ---- set-up ---- */

/* The same register state on every CPU; see the top of the file. */
static void apic_setup_local(bool boot_cpu)
{
	if (!x2apic)
		apic_write(APIC_DFR, 0xffffffffu); /* flat model (we only use physical ids) */
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, boot_cpu ? APIC_DM_NMI : APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, ERROR_APIC_VECTOR);
	/* The error register latches on write: write twice to clear it. */
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	apic_eoi(); /* drop anything left in service from before */
}

/*
 * Turn the APIC on in the chosen mode through IA32_APIC_BASE. The
 * architecture only allows disabled -> xAPIC -> x2APIC (going straight from
 * disabled to x2APIC faults), hence two writes when the firmware left it off.
 */
static void apic_enable_msr(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE)) {
		base = (base & ~(uint64_t)APIC_BASE_X2APIC) | APIC_BASE_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (x2apic && !(base & APIC_BASE_X2APIC))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC);
}

int apic_init_boot(uint64_t lapic_phys)
{
	if (!cpu_has(X86_FEATURE_APIC)) {
		pr_err("apic: this CPU has no local APIC (CPUID 1 EDX[9]): one CPU, no timer\n");
		return -ENODEV;
	}
	uint64_t msr_base = rdmsr(MSR_IA32_APIC_BASE) & 0x000ffffffffff000ull;
	if (lapic_phys && lapic_phys != msr_base)
		pr_warn("apic: MADT says the local APIC is at %#llx, IA32_APIC_BASE says %#llx; "
			"using the MSR\n",
			(unsigned long long)lapic_phys, (unsigned long long)msr_base);
	lapic_base_phys = msr_base;

	x2apic = cpu_has(X86_FEATURE_X2APIC) && !cmdline_has("nox2apic");
	if (!x2apic && (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC)) {
		/* Leaving x2APIC mode means disabling the APIC first: keep the firmware's choice. */
		pr_warn("apic: the firmware left x2APIC mode on; staying in it\n");
		x2apic = true;
	}
	if (!x2apic) {
		int err = vmm_map(&kernel_space, LAPIC_VIRT, lapic_base_phys, PAGE_SIZE_4K,
				  VM_READ | VM_WRITE | VM_NOCACHE | VM_GLOBAL);
		if (err) {
			pr_err("apic: cannot map the local APIC at %#llx (error %d)\n",
			       (unsigned long long)lapic_base_phys, err);
			return err;
		}
		lapic_mmio = (volatile uint32_t *)LAPIC_VIRT;
	}
	set_interrupt_handler(LOCAL_TIMER_VECTOR, timer_interrupt);
	set_interrupt_handler(ERROR_APIC_VECTOR, error_interrupt);
	set_interrupt_handler(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	apic_enable_msr();
	have_apic = true;
	apic_setup_local(true);
	pr_info("apic: %s mode, registers at %s%#llx, boot CPU APIC id %u, version %#x\n",
		x2apic ? "x2APIC" : "xAPIC", x2apic ? "MSR " : "",
		x2apic ? (unsigned long long)MSR_X2APIC_BASE : (unsigned long long)lapic_base_phys,
		apic_read_id(), apic_read(APIC_VERSION) & 0xff);
	calibrate();
	return 0;
}

void apic_init_ap(void)
{
	apic_enable_msr();
	apic_setup_local(false);
}

/* ---- timer ---- */

void apic_timer_start(uint32_t period_us, bool periodic)
{
	uint64_t count = apic_timer_khz * period_us / 1000;
	if (count == 0)
		count = 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	apic_write(APIC_TIMER_DCR, 0x3);
	apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR | (periodic ? APIC_LVT_PERIODIC : 0));
	apic_write(APIC_TIMER_ICR, (uint32_t)count);
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TIMER_ICR, 0);
}

/* ---- interrupt handlers ---- */

static bool timer_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu_inc(timer_ticks);
	apic_eoi();
	return true;
}

unsigned long apic_timer_ticks(unsigned cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(per_cpu(cpu)->timer_ticks) : 0;
}

static bool error_interrupt(struct pt_regs *regs)
{
	(void)regs;
	apic_write(APIC_ESR, 0);
	uint32_t esr = apic_read(APIC_ESR);
	apic_eoi();
	pr_err("apic: CPU %u: APIC error, ESR %#x\n", smp_processor_id(), esr);
	return true;
}

static bool spurious_interrupt(struct pt_regs *regs)
{
	/* A spurious interrupt is not in service: no EOI (SDM vol. 3, 11.9). */
	(void)regs;
	return true;
}
