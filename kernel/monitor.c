/*
 * monitor.c - the command monitor's core: reading and editing a line from
 * the serial port, finding the command, checking its argument count, and
 * the table of what the monitor itself has allocated (see monitor.h).
 *
 * Input is polled. Between polls the CPU sleeps (hlt) until a one-shot APIC
 * timer MON_POLL_US away wakes it, so an idle monitor costs the host almost
 * nothing; without an APIC it spins. Every byte typed is echoed: QEMU puts
 * the terminal in raw mode, so the guest is the only one that can echo, and
 * a script piped into the serial port shows up in the log next to its
 * answers.
 *
 * The allocation table. `alloc` and `kmalloc` record what they hand out;
 * `free` and `kfree` accept only what is recorded, with the order it was
 * allocated with, so a typo cannot free somebody else's page (the allocators
 * would catch most bad frees, but not a page that some other user allocated
 * legitimately). What is still held when the monitor ends is reported and
 * freed, so the invariant checkers and the leak report stay exact.
 */
#include "kernel/monitor.h"

#include <stdarg.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/monitor_internal.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/slab.h"

CMDLINE_PARAM(monitor, "go straight to the command monitor after the boot: no boot-time tests "
		       "(overrides ktest=)");

#define MON_LINE     128
#define MON_MAX_ARGS 8
#define MON_POLL_US  5000
#define MON_PROMPT   "mon> "

static const char *cur_cmd = "monitor"; /* the command running, for error messages */
static unsigned mon_failures;		/* from boot tests, `check` and `test` */
static struct mon_held held[MON_MAX_HELD];

/* ---------------------------------------------------------------------------
 * Output
 */

/* Raw bytes to the console: no timestamp, no log level (prompt, echo). */
static void mon_raw(const char *s, size_t len)
{
	struct console_lock_state st;

	console_lock(&st);
	console_write(s, len);
	console_unlock(&st);
}

static void mon_puts(const char *s)
{
	mon_raw(s, strlen(s));
}

void mon_printf(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mon_raw(text, MIN((size_t)n, sizeof(text) - 1));
}

int mon_err(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mon_printf("%s: %s\n", cur_cmd, msg);
	return -1;
}

void mon_note_failures(unsigned n)
{
	mon_failures += n;
}

/* ---------------------------------------------------------------------------
 * Arguments
 */

bool mon_parse_u64(const char *arg, const char *what, uint64_t *out)
{
	const char *s = arg;
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		goto bad;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			goto bad;
		if (v > (UINT64_MAX - d) / base) {
			mon_err("%s '%s' does not fit in 64 bits", what, arg);
			return false;
		}
		v = v * base + d;
	}
	*out = v;
	return true;
bad:
	mon_err("%s '%s' is not a number (decimal, or hex with 0x)", what, arg);
	return false;
}

bool mon_parse_size(const char *arg, const char *what, uint64_t *out)
{
	if (parse_size(arg, out))
		return true;
	mon_err("%s '%s' is not a size (a number, optionally with K, M or G)", what, arg);
	return false;
}

bool mon_parse_pfn(const char *arg, unsigned long *pfn)
{
	uint64_t v;

	if (!mon_parse_u64(arg, "pfn", &v))
		return false;
	if (v >= max_pfn) {
		mon_err("pfn %#llx is outside RAM (page frames 0 to %#lx)", (unsigned long long)v,
			max_pfn - 1);
		return false;
	}
	if (!pfn_valid((unsigned long)v)) {
		mon_err("pfn %#llx is in a hole: no RAM behind it", (unsigned long long)v);
		return false;
	}
	*pfn = (unsigned long)v;
	return true;
}

bool mon_parse_order(const char *arg, unsigned *order)
{
	uint64_t v;

	if (!mon_parse_u64(arg, "order", &v))
		return false;
	if (v > MAX_PAGE_ORDER) {
		mon_err("order %llu is above MAX_PAGE_ORDER (%u): blocks are 4 KiB to 4 MiB",
			(unsigned long long)v, MAX_PAGE_ORDER);
		return false;
	}
	*order = (unsigned)v;
	return true;
}

bool mon_parse_vaddr(const char *arg, uintptr_t *va)
{
	uint64_t v = 0;
	const char *s = arg;

	/* Addresses are hex, 0x or not. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s || strlen(s) > 16)
		goto bad;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			goto bad;
		v = v << 4 | d;
	}
	/* Canonical: bits 63..47 all equal (4-level paging). */
	if ((int64_t)(v << 16) >> 16 != (int64_t)v) {
		mon_err("address %#llx is not canonical (bits 63-47 must all be equal)",
			(unsigned long long)v);
		return false;
	}
	*va = (uintptr_t)v;
	return true;
bad:
	mon_err("address '%s' is not a hex number", arg);
	return false;
}

/* ---------------------------------------------------------------------------
 * The monitor's allocations
 */

static struct mon_held *held_slot(void)
{
	for (unsigned i = 0; i < MON_MAX_HELD; i++)
		if (held[i].kind == MON_HELD_FREE)
			return &held[i];
	return NULL;
}

bool mon_hold_pages(unsigned long pfn, unsigned order)
{
	struct mon_held *h = held_slot();
	if (!h)
		return false;
	*h = (struct mon_held){ .kind = MON_HELD_PAGES, .pfn = pfn, .order = order };
	return true;
}

bool mon_hold_kmalloc(void *ptr, size_t size)
{
	struct mon_held *h = held_slot();
	if (!h)
		return false;
	*h = (struct mon_held){ .kind = MON_HELD_KMALLOC, .ptr = ptr, .size = size };
	return true;
}

struct mon_held *mon_find_pages(unsigned long pfn)
{
	for (unsigned i = 0; i < MON_MAX_HELD; i++)
		if (held[i].kind == MON_HELD_PAGES && held[i].pfn == pfn)
			return &held[i];
	return NULL;
}

struct mon_held *mon_find_kmalloc(const void *ptr)
{
	for (unsigned i = 0; i < MON_MAX_HELD; i++)
		if (held[i].kind == MON_HELD_KMALLOC && held[i].ptr == ptr)
			return &held[i];
	return NULL;
}

void mon_release(struct mon_held *h)
{
	h->kind = MON_HELD_FREE;
}

unsigned mon_held_room(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < MON_MAX_HELD; i++)
		n += held[i].kind == MON_HELD_FREE;
	return n;
}

unsigned mon_show_held(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MON_MAX_HELD; i++) {
		const struct mon_held *h = &held[i];
		if (h->kind == MON_HELD_PAGES)
			mon_printf("  pages   pfn %#lx order %u (%lu KiB)\n", h->pfn, h->order,
				   (PAGE_SIZE << h->order) >> 10);
		else if (h->kind == MON_HELD_KMALLOC)
			mon_printf("  kmalloc %p (%zu bytes asked)\n", h->ptr, h->size);
		else
			continue;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------------------
 * Input
 */

/* Sleep until the next poll: hlt, woken by a one-shot APIC timer (or any interrupt). */
static void mon_wait(void)
{
	if (!apic_available() || !apic_timer_khz) {
		for (unsigned i = 0; i < 1000; i++)
			cpu_relax();
		return;
	}
	unsigned long flags = arch_local_irq_save();
	apic_timer_start(MON_POLL_US, false);
	/* sti takes effect after hlt has started: a timer that already fired still wakes us. */
	__asm__ __volatile__("sti; hlt" ::: "memory");
	arch_local_irq_save();
	apic_timer_stop();
	arch_local_irq_restore(flags);
}

/* The next input byte; -1 when a script's input has been silent for MONITOR_IDLE_MS. */
static int mon_getc(bool script)
{
	uint64_t start = arch_cycles();
	uint64_t idle = tsc_khz * MONITOR_IDLE_MS;

	for (;;) {
		int c = serial_try_getc();
		if (c >= 0)
			return c;
		if (script && tsc_khz && arch_cycles() - start > idle)
			return -1;
		mon_wait();
	}
}

static char last_line[MON_LINE];

static void erase_chars(size_t n)
{
	while (n--)
		mon_puts("\b \b");
}

/*
 * Read one line into buf, echoing and editing: backspace/DEL, Ctrl-U (erase
 * the line), Ctrl-C (cancel), up arrow (the previous line), Ctrl-D on an
 * empty line (end of input). CR, LF and CR LF all end a line. Returns the
 * length, or -1 at the end of the input.
 */
static int mon_read_line(char *buf, size_t size, bool script)
{
	static bool after_cr;
	size_t len = 0;
	int esc = 0; /* 1: after ESC, 2: inside a CSI sequence */

	for (;;) {
		int c = mon_getc(script);
		if (c < 0) {
			if (!len)
				return -1;
			break; /* a last line without its newline */
		}
		if (c == '\n' && after_cr) {
			after_cr = false;
			continue;
		}
		after_cr = c == '\r';
		if (esc == 1) {
			esc = (c == '[' || c == 'O') ? 2 : 0;
			continue;
		}
		if (esc == 2) {
			if (c >= 0x40 && c <= 0x7e) {
				esc = 0;
				if (c == 'A' && last_line[0]) { /* up arrow: the previous line */
					erase_chars(len);
					len = strlen(last_line);
					memcpy(buf, last_line, len);
					mon_raw(buf, len);
				}
			}
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x1b) {
			esc = 1;
		} else if (c == 0x7f || c == 0x08) {
			if (len) {
				len--;
				erase_chars(1);
			}
		} else if (c == 0x15) { /* Ctrl-U */
			erase_chars(len);
			len = 0;
		} else if (c == 0x03) { /* Ctrl-C */
			mon_puts("^C\n");
			buf[0] = 0;
			return 0;
		} else if (c == 0x04) { /* Ctrl-D */
			if (!len) {
				mon_puts("^D\n");
				return -1;
			}
		} else if (c >= 0x20 && c < 0x7f && len + 1 < size) {
			char ch = (char)c;
			buf[len++] = ch;
			mon_raw(&ch, 1);
		}
	}
	mon_puts("\n");
	buf[len] = 0;
	if (len)
		memcpy(last_line, buf, len + 1);
	return (int)len;
}

/* ---------------------------------------------------------------------------
 * Commands
 */

static int cmd_help(int argc, char **argv);

static const struct mon_cmd mon_cmds_core[] = {
	{ "help", "[command]", "list the commands, or show one command's help", 0, 1, cmd_help },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static const struct mon_cmd *const mon_tables[] = { mon_cmds_core, mon_cmds_mem, mon_cmds_vm,
						    mon_cmds_sys };

static const struct mon_cmd *find_cmd(const char *name)
{
	for (unsigned t = 0; t < ARRAY_SIZE(mon_tables); t++)
		for (const struct mon_cmd *c = mon_tables[t]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

static void show_usage(const struct mon_cmd *c)
{
	char usage[64];

	ksnprintf(usage, sizeof(usage), "%s %s", c->name, c->args);
	mon_printf("  %-32s %s\n", usage, c->help);
}

static void list_names(void)
{
	char line[200];
	int len = ksnprintf(line, sizeof(line), "commands:");

	for (unsigned t = 0; t < ARRAY_SIZE(mon_tables); t++) {
		for (const struct mon_cmd *c = mon_tables[t]; c->name; c++) {
			if (len + strlen(c->name) + 1 > 76) {
				mon_printf("%s\n", line);
				len = ksnprintf(line, sizeof(line), "         ");
			}
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s", c->name);
		}
	}
	mon_printf("%s\n", line);
}

static int cmd_help(int argc, char **argv)
{
	if (argc == 2) {
		const struct mon_cmd *c = find_cmd(argv[1]);
		if (!c) {
			mon_err("no command '%s'", argv[1]);
			list_names();
			return -1;
		}
		show_usage(c);
		return 0;
	}
	mon_printf("Commands (numbers are decimal or 0x hex; addresses hex):\n");
	for (unsigned t = 0; t < ARRAY_SIZE(mon_tables); t++)
		for (const struct mon_cmd *c = mon_tables[t]; c->name; c++)
			show_usage(c);
	mon_printf("Line editing: Backspace, Ctrl-U (erase line), Ctrl-C (cancel), Up (previous "
		   "line), Ctrl-D (end). In QEMU, Ctrl-A X quits.\n");
	return 0;
}

static int split_args(char *line, char **argv)
{
	int argc = 0;
	char *s = line;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			return argc;
		if (argc == MON_MAX_ARGS)
			return -1;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

static void execute(char *line)
{
	char *argv[MON_MAX_ARGS];
	int argc = split_args(line, argv);

	if (argc == 0)
		return;
	cur_cmd = "monitor";
	if (argc < 0) {
		mon_err("too many words (at most %d)", MON_MAX_ARGS);
		return;
	}
	const struct mon_cmd *c = find_cmd(argv[0]);
	if (!c) {
		mon_err("unknown command '%s'", argv[0]);
		list_names();
		mon_printf("(`help` explains each)\n");
		return;
	}
	cur_cmd = c->name;
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		mon_err("%s arguments; usage: %s %s",
			argc - 1 < c->min_args ? "missing" : "too many", c->name, c->args);
		return;
	}
	c->run(argc, argv);
	cur_cmd = "monitor";
}

/* ---------------------------------------------------------------------------
 * Ending
 */

static __noreturn void machine_reset(void)
{
	/* The keyboard controller's reset line (pulse output port bit 0). */
	for (unsigned i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0x64, 0xfe);
	for (unsigned i = 0; i < 1000000; i++)
		cpu_relax();
	/* Still here: a triple fault (no IDT, then an exception) resets any PC. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed null_idt = { 0, 0 };
	__asm__ __volatile__("lidt %0; int3" : : "m"(null_idt));
	arch_halt_forever();
}

__noreturn void mon_shutdown(bool reboot)
{
	cur_cmd = "monitor";
	unsigned n = MON_MAX_HELD - mon_held_room();
	if (n) {
		mon_printf("monitor: %u allocation%s still held by the monitor, freed now:\n", n,
			   n == 1 ? "" : "s");
		mon_show_held();
		for (unsigned i = 0; i < MON_MAX_HELD; i++) {
			if (held[i].kind == MON_HELD_PAGES)
				__free_pages(pfn_to_page(held[i].pfn), held[i].order);
			else if (held[i].kind == MON_HELD_KMALLOC)
				kfree(held[i].ptr);
			held[i].kind = MON_HELD_FREE;
		}
	} else {
		mon_printf("monitor: no allocation left behind\n");
	}
	if (reboot) {
		mon_printf("monitor: resetting the machine (under `make run`, -no-reboot makes "
			   "QEMU exit instead)\n");
		machine_reset();
	}
	mon_printf("monitor: power off (%s)\n",
		   mon_failures ? "failure: a boot-time test, `check` or `test` failed"
				: "success");
	printk_time = true;
	arch_exit_qemu(mon_failures ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}

__noreturn void monitor_run(unsigned boot_failures)
{
	static char line[MON_LINE];
	bool script = cmdline_has("halt_exit");

	mon_failures = boot_failures;
	printk_time = false;
	mon_printf("\nmonitor: type `help` for the commands%s\n",
		   script ? "; no terminal (halt_exit): the run ends when the input stays "
			    "silent for 2 s"
			  : ", `poweroff` to leave");
	for (;;) {
		mon_puts(MON_PROMPT);
		int len = mon_read_line(line, sizeof(line), script);
		if (len < 0) {
			mon_puts("\n");
			mon_printf("monitor: end of input\n");
			mon_shutdown(false);
		}
		execute(line);
	}
}
