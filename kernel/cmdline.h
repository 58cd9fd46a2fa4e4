/*
 * cmdline.h - the kernel command line: "key=value" pairs and bare flags,
 * separated by spaces (a value may be "double quoted" to hold spaces).
 *
 * Every key the kernel understands is declared once, next to the code that
 * reads it, with CMDLINE_PARAM(key, help); cmdline_parse warns about unknown
 * keys (never fatal) and `make help`/docs list the known ones.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/compiler.h"

struct cmdline_param {
	const char *key;
	const char *help;
};

#define CMDLINE_PARAM(k, h)                                                                \
	static const struct cmdline_param __cmdline_param_##k = { #k, h };                 \
	static const struct cmdline_param *const __cmdline_param_ptr_##k __used __section( \
		"cmdline_params") = &__cmdline_param_##k

#define CMDLINE_MAX_ARGS 64

/*
 * Split line into arguments (kept in a static table until the next call).
 * Returns the number of arguments, or -E2BIG when there are more than
 * CMDLINE_MAX_ARGS (the rest are ignored, with a message). Unknown keys are
 * reported with a warning.
 */
int cmdline_parse(const char *line);

/* The value of key: "" for a bare flag, NULL when absent. The last one wins. */
const char *cmdline_get(const char *key);
bool cmdline_has(const char *key);

/*
 * Parse key's value as an unsigned number (decimal, 0x hex) with an optional
 * K, M, G or T suffix (powers of 1024). false when absent or malformed (a
 * malformed value is reported).
 */
bool cmdline_get_u64(const char *key, uint64_t *out);

/* Parse a size like "512M" into *out; false when malformed. Used by cmdline_get_u64. */
bool parse_size(const char *s, uint64_t *out);

/* Print every registered key with its help text, sorted (for `help` and the docs). */
void cmdline_print_known(void);

/* The registered parameter named key, or NULL (keys are matched exactly). */
const struct cmdline_param *cmdline_find_param(const char *key);

/*
 * The same parser on a caller-owned table, so that tests (and any code that
 * wants to split a string of its own) leave the kernel's command line alone:
 * the functions above are these, applied to one static struct cmdline.
 */
#define CMDLINE_BUF_SIZE 2048

struct cmdline {
	char buf[CMDLINE_BUF_SIZE]; /* the line, cut in place into keys and values */
	struct {
		const char *key;
		const char *value; /* "" for a bare flag */
	} args[CMDLINE_MAX_ARGS];
	unsigned argc;
};

int cmdline_parse_into(struct cmdline *c, const char *line);
const char *cmdline_lookup(const struct cmdline *c, const char *key);

#endif
