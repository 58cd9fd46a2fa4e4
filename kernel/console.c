/*
 * console.c - the console: serial output, the log ring and the console lock
 * (see console.h).
 *
 * The lock is a ticket spinlock plus the owning CPU's id, so a CPU that
 * re-enters (an exception raised inside printk, reported by printk) can tell
 * it already owns the console and write without taking the lock again.
 */
#include "kernel/console.h"
#include "arch/x86_64/serial.h"
#include "kernel/arch.h"
#include "kernel/spinlock.h"

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
int oops_in_progress;

static spinlock_t console_spinlock = SPINLOCK_INIT;
static int console_owner = -1; /* CPU holding console_spinlock, -1 when free */

/* The ring: byte i of the log (counting from boot) is at log_buf[i % LOG_BUF_SIZE]. */
static char log_buf[LOG_BUF_SIZE];
static uint64_t log_end; /* bytes ever written */

/* How long an oops waits for the lock before taking over the console (in tries). */
#define OOPS_LOCK_TRIES 10000000u

void console_init(void)
{
	serial_init();
}

void console_lock(struct console_lock_state *st)
{
	int cpu = (int)smp_processor_id();

	st->irq_flags = arch_local_irq_save();
	st->locked = false;
	st->recursed = false;
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == cpu) {
		st->recursed = true;
		return;
	}
	if (READ_ONCE(oops_in_progress)) {
		for (unsigned i = 0; i < OOPS_LOCK_TRIES; i++) {
			if (spin_trylock(&console_spinlock)) {
				st->locked = true;
				break;
			}
			cpu_relax();
		}
		/* Not locked: another CPU is stuck holding it; write anyway. */
	} else {
		spin_lock(&console_spinlock);
		st->locked = true;
	}
	__atomic_store_n(&console_owner, cpu, __ATOMIC_RELAXED);
}

void console_unlock(struct console_lock_state *st)
{
	if (!st->recursed) {
		__atomic_store_n(&console_owner, -1, __ATOMIC_RELAXED);
		if (st->locked)
			spin_unlock(&console_spinlock);
	}
	arch_local_irq_restore(st->irq_flags);
}

void console_write(const char *s, size_t len)
{
	serial_write(s, len);
	for (size_t i = 0; i < len; i++)
		log_buf[(log_end + i) % LOG_BUF_SIZE] = s[i];
	log_end += len;
}

uint64_t log_buf_mark(void)
{
	struct console_lock_state st;
	console_lock(&st);
	uint64_t end = log_end;
	console_unlock(&st);
	return end;
}

size_t log_buf_read(uint64_t mark, char *buf, size_t size)
{
	struct console_lock_state st;
	size_t n = 0;

	if (!size)
		return 0;
	console_lock(&st);
	uint64_t start = mark;
	if (log_end > LOG_BUF_SIZE && start < log_end - LOG_BUF_SIZE)
		start = log_end - LOG_BUF_SIZE; /* older text is gone */
	for (uint64_t i = start; i < log_end && n + 1 < size; i++)
		buf[n++] = log_buf[i % LOG_BUF_SIZE];
	console_unlock(&st);
	buf[n] = '\0';
	return n;
}
