/*
 * printk.h - kernel logging, with Linux's log levels.
 *
 * printk(KERN_ERR "fmt", ...) prefixes the message with its level; lines go
 * to the serial console with a TSC timestamp, "[   12.345678] ". Without a
 * level, KERN_DEFAULT (info) is assumed. The formatter (kernel/vsprintf.c,
 * portable, also used by the hosted build) understands:
 *   %d %i %u %x %X %o %c %s %p %% with flags "-0+ #", width, precision,
 *   length modifiers hh h l ll z t j;
 *   %pS   a kernel address as symbol+offset/size ("buddy_free+0x1c/0x90"),
 *         falling back to the hex address when no symbol covers it.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>

#include "kernel/compiler.h"

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define KERN_DEFAULT ""
/* Continues the previous line: no level, no timestamp. */
#define KERN_CONT KERN_SOH "c"

/* Print a message at the level its prefix names; returns characters written. */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(...)  printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)    printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)   printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...)   printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...)  printk(KERN_DEBUG __VA_ARGS__)
#define pr_cont(...)   printk(KERN_CONT __VA_ARGS__)

/*
 * Format into buf (at most size bytes including the NUL); return the length
 * the full output would have had, as C's vsnprintf does. Named with a k so the
 * hosted build never mixes it up with the C library's.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Resolve addr to the name of the function containing it. Returns the name
 * and stores the offset into it and the symbol's size; NULL when unknown.
 * Weak in the hosted build (always NULL there).
 */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size);

/* Print a message and stop: QEMU exits with the failure code. Never returns. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* A warning with the caller's location; the kernel keeps going. */
#define WARN(cond, ...)                                                              \
	({                                                                           \
		bool __w = !!(cond);                                                 \
		if (unlikely(__w)) {                                                 \
			printk(KERN_WARNING "WARNING: %s:%d: ", __FILE__, __LINE__); \
			printk(KERN_CONT __VA_ARGS__);                               \
		}                                                                    \
		__w;                                                                 \
	})

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (unlikely(cond))                                           \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
