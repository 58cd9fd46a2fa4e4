/*
 * console.h - where printk's text goes: the serial port (COM1), and a log
 * buffer holding the last LOG_BUF_SIZE bytes written, which tests read back to
 * check what was printed (the kernel's dmesg).
 *
 * All output is serialised by the console lock, so lines from different CPUs
 * never interleave. The lock is recursion-safe: a CPU that faults while
 * holding it (an exception inside printk) still gets its report out, and
 * once oops_in_progress is set (panic, fatal exception) a CPU that cannot
 * get the lock in reasonable time takes over the console rather than wait
 * forever for a CPU that may never release it.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/compiler.h"

#define LOG_BUF_SIZE (16u * 1024)

/* Default console_loglevel: print messages with a level below it (7 = all but KERN_DEBUG). */
#define CONSOLE_LOGLEVEL_DEFAULT 7

/* printk prints a message when its level < console_loglevel (loglevel= on the command line). */
extern int console_loglevel;

/* printk starts each line with "[seconds.micros] " (Linux's printk.time; the monitor turns it off). */
extern bool printk_time;

/* Set by panic and fatal exceptions: the console lock may be broken to get the report out. */
extern int oops_in_progress;

/* Apply loglevel= from the command line (printk.c; after cmdline_parse). */
void printk_apply_cmdline(void);

/* Program the serial port. First thing kernel_main does. */
void console_init(void);

struct console_lock_state {
	unsigned long irq_flags;
	bool locked;   /* we took the lock (release it) */
	bool recursed; /* this CPU already held it */
};

/* Take/release the console lock (interrupts disabled while held). */
void console_lock(struct console_lock_state *st);
void console_unlock(struct console_lock_state *st);

/* Write raw bytes to the serial port and the log buffer. Call with the console lock held. */
void console_write(const char *s, size_t len);

/* Position of the end of the log (bytes ever written), to read what follows later. */
uint64_t log_buf_mark(void);

/*
 * Copy into buf (NUL-terminated, at most size - 1 bytes) the text written
 * since mark: the oldest part first; text that has already been overwritten
 * in the ring (more than LOG_BUF_SIZE bytes ago) is skipped. Returns the
 * number of bytes copied.
 */
size_t log_buf_read(uint64_t mark, char *buf, size_t size);

#endif
