/*
 * monitor_internal.h - what the monitor's files share: the command table
 * entry, argument parsing, output, and the table of the monitor's own
 * allocations (kernel/monitor.c); the commands live in
 * kernel/monitor_cmds_{mem,vm,sys}.c by topic.
 */
#ifndef KERNEL_MONITOR_INTERNAL_H
#define KERNEL_MONITOR_INTERNAL_H

#include "kernel/compiler.h"
#include "kernel/printk.h"

struct mon_cmd {
	const char *name;
	const char *args; /* usage, e.g. "<order> [dma|dma32|normal]" */
	const char *help; /* one line */
	int min_args, max_args;
	/* Returns 0, or -1 after printing an error (bad argument, refused request). */
	int (*run)(int argc, char **argv);
};

/* The commands of each topic file, terminated by an entry with name NULL. */
extern const struct mon_cmd mon_cmds_mem[];
extern const struct mon_cmd mon_cmds_vm[];
extern const struct mon_cmd mon_cmds_sys[];

/*
 * Monitor output, written raw to the console whatever the log level (the
 * dumps the commands call are printk at info level; timestamps are off while
 * the monitor runs).
 */
void mon_printf(const char *fmt, ...) __printf(1, 2);
/* An error about the command being run: "<cmd>: <message>\n". Returns -1. */
int mon_err(const char *fmt, ...) __printf(1, 2);

/*
 * Argument parsing; each prints "<cmd>: <what> '<arg>' ..." and returns false
 * on a bad argument. Numbers are decimal or 0x hex; sizes may end in K, M, G.
 */
bool mon_parse_u64(const char *arg, const char *what, uint64_t *out);
bool mon_parse_size(const char *arg, const char *what, uint64_t *out);
/* A pfn with RAM behind it (below max_pfn, not a hole). */
bool mon_parse_pfn(const char *arg, unsigned long *pfn);
/* An order 0..MAX_PAGE_ORDER. */
bool mon_parse_order(const char *arg, unsigned *order);
/* A virtual address (hex with or without 0x; canonical). */
bool mon_parse_vaddr(const char *arg, uintptr_t *va);

/* ---- the monitor's own allocations ---- */

#define MON_MAX_HELD 64

enum mon_held_kind { MON_HELD_FREE, MON_HELD_PAGES, MON_HELD_KMALLOC };

struct mon_held {
	enum mon_held_kind kind;
	unsigned long pfn; /* pages */
	unsigned order;
	void *ptr; /* kmalloc */
	size_t size;
};

/* Record an allocation; false (and nothing recorded) when the table is full. */
bool mon_hold_pages(unsigned long pfn, unsigned order);
bool mon_hold_kmalloc(void *ptr, size_t size);
/* The entry for pfn / ptr, or NULL when the monitor does not hold it. */
struct mon_held *mon_find_pages(unsigned long pfn);
struct mon_held *mon_find_kmalloc(const void *ptr);
void mon_release(struct mon_held *h);
/* Room left in the table. */
unsigned mon_held_room(void);
/* Print the table (the `held` command and the final report); returns entries. */
unsigned mon_show_held(void);

/* Failures seen by `check` and `test`: they make the final exit status a failure. */
void mon_note_failures(unsigned n);

/* Describe what pfn is used for, in a few words ("free: order-3 block at pfn 0x..."). */
void mon_describe_pfn(unsigned long pfn, char *buf, size_t size);

/* End the run: report and free what the monitor holds, exit QEMU (or reset). */
__noreturn void mon_shutdown(bool reboot);

#endif
