/*
 * host_arch.c - the hosted build's side of kernel/arch.h: printk to stderr
 * (and a capture buffer tests can read), panic as abort, a fake RAM region.
 */
#include <asm/prctl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"

unsigned nr_cpu_ids = 1;
uintptr_t host_page_offset;
__thread unsigned long host_irq_flags;
uint64_t host_cr3;
bool host_printk_echo = true;

static void *ram_base;
static uint64_t ram_span;

void *host_ram_init(uint64_t span)
{
	/*
	 * Aligned like the kernel's direct map (to far more than any slab), so
	 * that an object's alignment in the direct map is its physical one
	 * (the kfree boundary mask, slab_internal.h, relies on it): reserve
	 * an extra HOST_RAM_ALIGN and trim both ends.
	 */
	const uintptr_t align = HOST_RAM_ALIGN;
	host_ram_release();
	char *raw = mmap(NULL, span + align, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		perror("host_ram_init: mmap");
		abort();
	}
	char *base = (char *)(((uintptr_t)raw + align - 1) & ~(align - 1));
	if (base > raw)
		munmap(raw, (size_t)(base - raw));
	munmap(base + span, (size_t)(raw + align - base));
	ram_base = base;
	ram_span = span;
	host_page_offset = (uintptr_t)ram_base;
	return ram_base;
}

void host_ram_release(void)
{
	if (ram_base)
		munmap(ram_base, ram_span);
	ram_base = NULL;
	ram_span = 0;
}

struct percpu host_percpu[NR_CPUS];

void host_set_cpu(unsigned cpu)
{
	if (cpu >= NR_CPUS)
		abort();
	struct percpu *p = per_cpu(cpu);
	p->self = p;
	p->cpu_id = cpu;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)p) != 0) {
		perror("host_set_cpu: arch_prctl(ARCH_SET_GS)");
		abort();
	}
}

/* Every hosted program starts as CPU 0, before main: smp_processor_id() reads through GS. */
__attribute__((constructor)) static void host_percpu_init(void)
{
	host_set_cpu(0);
}

uint64_t arch_random_u64(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;
	uint64_t v = __atomic_add_fetch(&x, 0x9e3779b97f4a7c15ull, __ATOMIC_RELAXED);
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

unsigned arch_phys_addr_bits(void)
{
	return 40;
}

/* The hosted build has no kernel image; symbols "live" at physical 0. */
uintptr_t __pa_symbol(const void *p)
{
	(void)p;
	return 0;
}

/* ---- printk ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[1 << 20];
static size_t log_len;

const char *host_printk_log(void)
{
	return log_buf;
}

void host_printk_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	log_buf[0] = 0;
	pthread_mutex_unlock(&log_lock);
}

int vprintk(const char *fmt, va_list ap)
{
	char line[1024];
	if (fmt[0] == KERN_SOH[0] && fmt[1])
		fmt += 2;
	int n = kvsnprintf(line, sizeof(line), fmt, ap);
	size_t len = strlen(line);
	pthread_mutex_lock(&log_lock);
	if (log_len + len + 1 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, line, len + 1);
		log_len += len;
	}
	pthread_mutex_unlock(&log_lock);
	if (host_printk_echo) {
		/* KTAP diagnostics: prefix so host output stays parseable. */
		fputs(line, stderr);
	}
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	char line[1024];
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "Kernel panic (hosted): %s\n", line);
	abort();
}

__attribute__((weak)) const char *ksym_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size)
{
	(void)addr;
	(void)offset;
	(void)size;
	return NULL;
}
