/*
 * panic.c - stop the kernel with a message and a backtrace. Under QEMU the
 * run ends with the failure exit code, so a test harness sees it at once.
 *
 * Only the first CPU to panic reports; any other that panics meanwhile just
 * stops. A panic raised while panicking (the report itself failing) skips
 * straight to the exit.
 */
#include <stdarg.h>

#include "arch/x86_64/stacktrace.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/string.h"

/*
 * Stop the other CPUs so they cannot scribble over the report. Weak and
 * empty until SMP bring-up provides it (Linux's name).
 */
__attribute__((weak)) void smp_send_stop(void)
{
}

static int panic_cpu = -1;

void panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int expected = -1;
	int cpu = (int)smp_processor_id();

	arch_local_irq_save();
	if (!__atomic_compare_exchange_n(&panic_cpu, &expected, cpu, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (expected == cpu) /* recursive panic */
			arch_exit_qemu(QEMU_EXIT_FAILURE);
		arch_halt_forever();
	}
	WRITE_ONCE(oops_in_progress, 1);
	smp_send_stop();

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';

	printk(KERN_EMERG "Kernel panic: %s\n", msg);
	printk(KERN_EMERG "CPU: %d\n", cpu);
	dump_stack();
	printk(KERN_EMERG "---[ end Kernel panic: %s ]---\n", msg);
	arch_exit_qemu(QEMU_EXIT_FAILURE);
}
