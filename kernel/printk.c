/*
 * printk.c - kernel logging: log levels, TSC timestamps, KERN_CONT
 * continuation lines, and the raw KTAP output of the test framework.
 *
 * A message is formatted into a local buffer first (kvsnprintf), then
 * written under the console lock, so one printk call is never split by
 * another CPU's. Each line starts with "[seconds.micros] "; a message without
 * a trailing newline leaves its line open for KERN_CONT. Whoever writes next
 * without KERN_CONT, or from another CPU, first closes the open line, so an
 * unfinished line can delay nothing and corrupt nothing.
 *
 * As on Linux, the level is not printed: it decides whether the message
 * reaches the console at all (level < console_loglevel).
 */
#include <stdarg.h>

#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"

CMDLINE_PARAM(loglevel,
	      "console log level: print messages below it (0-8, default 7 = all but debug)");

#define PRINTK_MAX	 1024 /* longest message; longer ones are cut */
#define DEFAULT_LOGLEVEL 6    /* KERN_DEFAULT means info */
#define TRUNCATED_MARKER " [truncated]\n"

bool printk_time = true;

/* State of the current console line (under the console lock). */
static bool line_open;	  /* the last message did not end with '\n' */
static unsigned line_cpu; /* who opened it */
static bool line_shown;	  /* whether the open line's level let it through */

static void write_timestamp(void)
{
	char ts[32];
	uint64_t us = tsc_uptime_us();
	int n = ksnprintf(ts, sizeof(ts), "[%5llu.%06llu] ", (unsigned long long)(us / 1000000),
			  (unsigned long long)(us % 1000000));
	console_write(ts, (size_t)n);
}

/* Finish a line somebody left open, so the next text starts on a fresh line. */
static void close_open_line(void)
{
	if (line_open) {
		if (line_shown)
			console_write("\n", 1);
		line_open = false;
	}
}

static const char *find_newline(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n')
			return s + i;
	return NULL;
}

/* Write text, starting each line with a timestamp; track whether it ends mid-line. */
static void write_lines(const char *text, size_t len)
{
	while (len) {
		const char *nl = find_newline(text, len);
		size_t n = nl ? (size_t)(nl - text) + 1 : len;
		if (!line_open && READ_ONCE(printk_time))
			write_timestamp();
		console_write(text, n);
		line_open = !nl;
		text += n;
		len -= n;
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char text[PRINTK_MAX];
	int level = DEFAULT_LOGLEVEL;
	bool cont = false;
	struct console_lock_state st;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			cont = true;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}

	int n = kvsnprintf(text, sizeof(text), fmt, ap);
	size_t len = strlen(text);
	if (n >= (int)sizeof(text)) {
		/* Cut, and say so; keep the line ending if the message had one. */
		len = sizeof(text) - sizeof(TRUNCATED_MARKER);
		memcpy(text + len, TRUNCATED_MARKER, sizeof(TRUNCATED_MARKER));
		len += sizeof(TRUNCATED_MARKER) - 1;
	}

	console_lock(&st);
	unsigned cpu = smp_processor_id();
	if (cont && line_open && line_cpu == cpu) {
		/* Continue the open line at its level. */
		if (line_shown)
			write_lines(text, len);
		else
			line_open = len == 0 || text[len - 1] != '\n';
	} else {
		close_open_line();
		line_shown = level < READ_ONCE(console_loglevel);
		line_cpu = cpu;
		if (line_shown)
			write_lines(text, len);
		else
			line_open = len && text[len - 1] != '\n';
	}
	console_unlock(&st);
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

/* KTAP lines: raw, no timestamp, never filtered; on a line of their own. */
void ktest_emit(const char *line)
{
	struct console_lock_state st;
	console_lock(&st);
	close_open_line();
	console_write(line, strlen(line));
	console_unlock(&st);
}

/* loglevel= from the command line (after cmdline_parse). */
void printk_apply_cmdline(void)
{
	uint64_t level;
	if (!cmdline_has("loglevel"))
		return;
	if (cmdline_get_u64("loglevel", &level) && level <= 8)
		console_loglevel = (int)level;
	else
		pr_warn("printk: ignoring loglevel=%s (expected 0 to 8)\n",
			cmdline_get("loglevel"));
}
