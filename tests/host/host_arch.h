/*
 * host_arch.h - kernel/arch.h for the hosted build: mm/ runs inside an
 * ordinary Linux process. "Physical memory" is one large anonymous mapping
 * (host_ram_init), so __va(pa) = host_ram + pa. Each test thread plays one
 * CPU (host_set_cpu). "Interrupts" are a per-thread flag, so code that must
 * run with interrupts off can still be checked for it.
 */
#ifndef TESTS_HOST_HOST_ARCH_H
#define TESTS_HOST_HOST_ARCH_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* The host is x86_64 too: the same restartable sequences, rewound by signal handlers. */
#include "arch/x86_64/bitops.h"
#include "arch/x86_64/restart.h"
#include "arch/x86_64/this_cpu.h"

#ifndef NR_CPUS
#define NR_CPUS 16
#endif

extern unsigned nr_cpu_ids;
extern uintptr_t host_page_offset;
/* local-exec: every program links this in its executable, so one %fs load. */
extern __thread unsigned long host_irq_flags /* 1 = "interrupts disabled" */
	__attribute__((tls_model("local-exec")));
extern uint64_t host_cr3;

#define PAGE_OFFSET host_page_offset

/* smp_processor_id() is the kernel's (arch/x86_64/this_cpu.h): host_set_cpu sets the GS base. */

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long old = host_irq_flags;
	host_irq_flags = 1;
	return old;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	host_irq_flags = flags;
}

static inline bool arch_irqs_disabled(void)
{
	return host_irq_flags != 0;
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline uint64_t arch_cycles(void)
{
	return __builtin_ia32_rdtsc();
}

uint64_t arch_random_u64(void);
unsigned arch_phys_addr_bits(void);
uintptr_t __pa_symbol(const void *p);

static inline void arch_flush_tlb_pages(const uintptr_t *va, unsigned n)
{
	(void)va;
	(void)n;
}
static inline void arch_flush_tlb_all(void)
{
}
static inline uint64_t arch_read_cr3(void)
{
	return host_cr3;
}
static inline void arch_write_cr3(uint64_t v)
{
	host_cr3 = v;
}

typedef jmp_buf arch_jmp_buf;
#define arch_setjmp(b)	   setjmp(b)
#define arch_longjmp(b, v) longjmp(b, v)

static inline void arch_halt_forever(void)
{
	abort();
}
static inline void arch_exit_qemu(int code)
{
	exit(code);
}

/* The alignment of the hosted direct map (PAGE_OFFSET). */
#define HOST_RAM_ALIGN (2UL << 20)

/*
 * Reserve `span` bytes of address space standing for physical [0, span)
 * (lazily backed: untouched pages cost nothing) and point PAGE_OFFSET at it.
 * Calling again releases the old region first. Returns the base.
 */
void *host_ram_init(uint64_t span);
void host_ram_release(void);

/*
 * Make the calling thread CPU `cpu` (< NR_CPUS): point its GS base at that
 * CPU's area. Every program starts as CPU 0; a new thread inherits its
 * creator's CPU until it calls this.
 */
void host_set_cpu(unsigned cpu);

/* Lines printk'd since the last call are kept here for tests that check reports. */
const char *host_printk_log(void);
void host_printk_log_clear(void);
/* When false, printk output is captured but not written to stderr. */
extern bool host_printk_echo;

#endif
