/*
 * cmdline.c - split the kernel command line into key=value arguments.
 *
 * The line is copied once into a buffer and cut there in place: each
 * argument's key and value become NUL-terminated strings inside the buffer,
 * and a table of (key, value) pointers into it is kept until the next parse
 * into the same struct cmdline (the kernel's own is static; see cmdline.h). Lookups walk the table from the end, so when a key is
 * repeated the last occurrence wins, as it does for Linux.
 *
 * Quoting: a double quote toggles "inside quotes", where spaces do not end
 * the argument; the quote characters themselves are dropped. The first '='
 * of an argument separates key from value wherever it is, so both
 * key="a b" and "key=a b" give the value `a b`.
 *
 * Every known key is registered by the code that reads it (CMDLINE_PARAM),
 * which puts a pointer into the "cmdline_params" section; the linker
 * brackets the section with __start_/__stop_ symbols. They are weak: a
 * program registering no key at all (a host test) links with both NULL.
 *
 * Not thread safe: parsed once during boot, before other CPUs run.
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"

extern const struct cmdline_param *const __start_cmdline_params[] __attribute__((weak));
extern const struct cmdline_param *const __stop_cmdline_params[] __attribute__((weak));

/* The kernel's command line, as cmdline_parse last split it. */
static struct cmdline kernel_cmdline;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * How many keys are registered. The bounds are two distinct linker symbols,
 * so the distance is taken on addresses rather than by subtracting pointers
 * to (formally) different objects.
 */
static size_t nr_params(void)
{
	if (!__start_cmdline_params || !__stop_cmdline_params)
		return 0;
	return ((uintptr_t)__stop_cmdline_params - (uintptr_t)__start_cmdline_params) /
	       sizeof(__start_cmdline_params[0]);
}

const struct cmdline_param *cmdline_find_param(const char *key)
{
	size_t n = nr_params();
	for (size_t i = 0; i < n; i++)
		if (strcmp(__start_cmdline_params[i]->key, key) == 0)
			return __start_cmdline_params[i];
	return NULL;
}

/* Warn once per distinct unknown key (repeats of one typo are one problem). */
static void check_known(const struct cmdline *c, unsigned idx)
{
	const char *key = c->args[idx].key;
	if (cmdline_find_param(key))
		return;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(c->args[i].key, key) == 0)
			return;
	pr_warn("cmdline: unknown parameter '%s' ignored\n", key);
}

int cmdline_parse_into(struct cmdline *c, const char *line)
{
	size_t len = line ? strlen(line) : 0;
	char *r = c->buf, *w = c->buf;
	unsigned dropped = 0;

	c->argc = 0;
	if (len >= sizeof(c->buf)) {
		pr_warn("cmdline: command line is %zu bytes long, only the first %zu are read\n",
			len, sizeof(c->buf) - 1);
		len = sizeof(c->buf) - 1;
	}
	if (len)
		memcpy(c->buf, line, len);
	c->buf[len] = '\0';

	/*
	 * Compact each argument in place (dropping quotes, cutting at '='):
	 * the write pointer never passes the read pointer, so reads see
	 * only bytes not yet overwritten.
	 */
	for (;;) {
		while (is_space(*r))
			r++;
		if (!*r)
			break;
		if (c->argc == CMDLINE_MAX_ARGS) {
			/* Count what is dropped, for the message. */
			while (*r) {
				bool inq = false;
				dropped++;
				while (*r && (inq || !is_space(*r))) {
					if (*r == '"')
						inq = !inq;
					r++;
				}
				while (is_space(*r))
					r++;
			}
			break;
		}
		char *key = w, *value = NULL;
		bool inq = false;
		while (*r && (inq || !is_space(*r))) {
			char c = *r++;
			if (c == '"') {
				inq = !inq;
			} else if (c == '=' && !value) {
				*w++ = '\0';
				value = w;
			} else {
				*w++ = c;
			}
		}
		char end = *r;
		*w++ = '\0';
		if (end)
			r++;
		if (inq)
			pr_warn("cmdline: unterminated quote in argument '%s'\n", key);
		if (!*key) {
			if (value)
				pr_warn("cmdline: argument '=%s' has no key, ignored\n", value);
			continue;
		}
		c->args[c->argc].key = key;
		c->args[c->argc].value = value ? value : "";
		check_known(c, c->argc);
		c->argc++;
	}
	if (dropped) {
		pr_warn("cmdline: more than %u arguments, the last %u ignored\n", CMDLINE_MAX_ARGS,
			dropped);
		return -E2BIG;
	}
	return (int)c->argc;
}

int cmdline_parse(const char *line)
{
	return cmdline_parse_into(&kernel_cmdline, line);
}

const char *cmdline_lookup(const struct cmdline *c, const char *key)
{
	for (unsigned i = c->argc; i-- > 0;)
		if (strcmp(c->args[i].key, key) == 0)
			return c->args[i].value;
	return NULL;
}

const char *cmdline_get(const char *key)
{
	return cmdline_lookup(&kernel_cmdline, key);
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

enum size_error { SIZE_OK, SIZE_MALFORMED, SIZE_OVERFLOW };

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static enum size_error do_parse_size(const char *s, uint64_t *out)
{
	unsigned base = 10, shift = 0, ndigits = 0;
	uint64_t v = 0;

	if (!s)
		return SIZE_MALFORMED;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; digit_value(*s) < (int)base; s++, ndigits++) {
		unsigned d = (unsigned)digit_value(*s);
		if (v > (UINT64_MAX - d) / base)
			return SIZE_OVERFLOW;
		v = v * base + d;
	}
	if (!ndigits)
		return SIZE_MALFORMED;
	switch (*s) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return SIZE_MALFORMED;
	}
	if (shift) {
		s++;
		if (*s)
			return SIZE_MALFORMED;
		if (v > (UINT64_MAX >> shift))
			return SIZE_OVERFLOW;
		v <<= shift;
	}
	*out = v;
	return SIZE_OK;
}

bool parse_size(const char *s, uint64_t *out)
{
	return do_parse_size(s, out) == SIZE_OK;
}

bool cmdline_get_u64(const char *key, uint64_t *out)
{
	const char *v = cmdline_get(key);
	if (!v)
		return false;
	switch (do_parse_size(v, out)) {
	case SIZE_OK:
		return true;
	case SIZE_OVERFLOW:
		pr_warn("cmdline: %s=%s does not fit in 64 bits, ignored\n", key, v);
		return false;
	default:
		pr_warn("cmdline: %s=%s is not a number (decimal or 0x hex, optional K/M/G/T "
			"suffix), ignored\n",
			key, v);
		return false;
	}
}

void cmdline_print_known(void)
{
	const char *last = NULL;
	unsigned n = (unsigned)nr_params();

	pr_info("Known command line parameters (%u):\n", n);
	/* Selection by repeated minimum: n is small and there is no allocator to sort into. */
	for (unsigned done = 0; done < n; done++) {
		const struct cmdline_param *best = NULL;
		for (unsigned i = 0; i < n; i++) {
			const struct cmdline_param *p = __start_cmdline_params[i];
			if (last && strcmp(p->key, last) <= 0)
				continue;
			if (!best || strcmp(p->key, best->key) < 0)
				best = p;
		}
		if (!best)
			break; /* the rest are duplicate keys */
		pr_info("  %-20s %s\n", best->key, best->help);
		last = best->key;
	}
}
