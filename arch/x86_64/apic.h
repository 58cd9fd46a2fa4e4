/*
 * apic.h - the local APIC: one per CPU, it receives interrupts for its CPU
 * and sends inter-processor interrupts (IPIs) to the others.
 *
 * Two programming models reach the same registers:
 *   xAPIC   memory-mapped: a 4 KiB page at the physical base IA32_APIC_BASE
 *           holds (the same for every CPU, each sees its own APIC there);
 *           mapped uncached at the fixed virtual address LAPIC_VIRT;
 *   x2APIC  model-specific registers 0x800 + (offset >> 4), 32-bit ids, and
 *           the interrupt command register as one 64-bit MSR. Used when
 *           CPUID says the CPU has it (unless the command line says nox2apic).
 *
 * The APIC timer counts down at a bus-derived rate nobody tells us; it is
 * calibrated once on the boot CPU against the PIT (channel 2, 1.193182 MHz),
 * as tsc.c calibrates the TSC, which udelay() uses.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include "kernel/compiler.h"

/* xAPIC register offsets (Intel SDM vol. 3, table 11-1). */
#define APIC_ID	       0x020
#define APIC_VERSION   0x030
#define APIC_TPR       0x080 /* task priority */
#define APIC_EOI       0x0b0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0
#define APIC_SVR       0x0f0 /* spurious-interrupt vector; bit 8 enables the APIC */
#define APIC_ESR       0x280 /* error status */
#define APIC_ICR_LOW   0x300
#define APIC_ICR_HIGH  0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380 /* initial count */
#define APIC_TIMER_CCR 0x390 /* current count */
#define APIC_TIMER_DCR 0x3e0 /* divide configuration */

#define APIC_SVR_ENABLE	    (1u << 8)
#define APIC_LVT_MASKED	    (1u << 16)
#define APIC_LVT_PERIODIC   (1u << 17)
#define APIC_DM_NMI	    (4u << 8)
#define APIC_ICR_FIXED	    (0u << 8)
#define APIC_ICR_NMI	    (4u << 8)
#define APIC_ICR_INIT	    (5u << 8)
#define APIC_ICR_STARTUP    (6u << 8)
#define APIC_ICR_PENDING    (1u << 12) /* xAPIC: delivery status, "send pending" */
#define APIC_ICR_ASSERT	    (1u << 14)
#define APIC_ICR_LEVEL	    (1u << 15)
#define APIC_ICR_ALLBUTSELF (3u << 18)

#define MSR_IA32_APIC_BASE 0x1bu
#define APIC_BASE_BSP	   (1u << 8)
#define APIC_BASE_X2APIC   (1u << 10)
#define APIC_BASE_ENABLE   (1u << 11)
#define MSR_X2APIC_BASE	   0x800u

/* Interrupt vectors of the local APIC's own sources, at the top like Linux's. */
#define LOCAL_TIMER_VECTOR   0xec
#define CALL_FUNCTION_VECTOR 0xfc
#define ERROR_APIC_VECTOR    0xfe
#define SPURIOUS_APIC_VECTOR 0xff

/*
 * Boot CPU: choose the mode (x2APIC or xAPIC at lapic_phys, which the MADT
 * gave; 0 = take the MSR's), map the registers, enable this APIC and
 * calibrate its timer. Needs kernel_space (after
 * paging_init). Returns 0, or -ENODEV when the CPU has no APIC (then nothing
 * else here may be used).
 */
int apic_init_boot(uint64_t lapic_phys);

/* Every other CPU, early in its start-up: the same mode and settings. */
void apic_init_ap(void);

bool apic_available(void);
bool apic_x2apic_mode(void);
uint64_t apic_phys_base(void);

/* This CPU's APIC id (8 bits in xAPIC mode, 32 in x2APIC mode). */
uint32_t apic_read_id(void);

uint32_t apic_read(unsigned reg);
void apic_write(unsigned reg, uint32_t v);

/* Signal end of interrupt (every vector but the spurious one needs it). */
void apic_eoi(void);

/* A fixed IPI with vector to the CPU with APIC id dest. */
void apic_send_ipi(uint32_t dest, uint8_t vector);
/* A non-maskable interrupt to the CPU with APIC id dest. */
void apic_send_nmi(uint32_t dest);
/*
 * INIT to the CPU with APIC id dest: it resets and waits for a STARTUP IPI
 * (used to put back to sleep an AP that did not start in time). 0 or -EIO.
 */
int apic_send_init(uint32_t dest);
/*
 * The start-up sequence of one AP (Intel SDM vol. 3, 9.4.4.1): INIT, 10 ms,
 * STARTUP(page), 200 us, STARTUP(page), 200 us. page = trampoline physical
 * address >> 12 (below 1 MiB). Returns 0, or -EIO when an IPI was not
 * accepted by the APIC (xAPIC delivery status stuck).
 */
int apic_wakeup_ap(uint32_t dest, uint8_t page);

/* Busy-wait at least us microseconds (TSC, as calibrated by tsc_init). */
void udelay(uint64_t us);

/* APIC timer ticks per ms at divide-by-16 (0 before apic_init_boot or without a PIT). */
extern uint64_t apic_timer_khz;

/* Start this CPU's APIC timer: `vector` every period_us (periodic) or once. */
void apic_timer_start(uint32_t period_us, bool periodic);
void apic_timer_stop(void);

/* Timer ticks taken by CPU cpu so far (LOCAL_TIMER_VECTOR, counted per CPU). */
unsigned long apic_timer_ticks(unsigned cpu);

#endif
