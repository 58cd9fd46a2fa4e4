/*
 * fuzz_cmdline.c - libFuzzer harness for the kernel command line
 * (kernel/cmdline.h): cmdline_parse_into, cmdline_lookup, parse_size, and
 * the kernel's own copy (cmdline_parse, cmdline_get, cmdline_has,
 * cmdline_get_u64).
 *
 * Input: arbitrary bytes. Up to the first NUL, the command line (any
 * length: the parser reads at most CMDLINE_BUF_SIZE - 1 bytes of it); after
 * it, NUL-separated strings that are looked up as keys and parsed as sizes
 * too (keys that may or may not be on the line).
 *
 * Checks, against a reference splitter written from cmdline.h's rules
 * (whitespace separates arguments, a double quote toggles quoting and is
 * dropped, the first '=' anywhere separates key and value, an argument with
 * an empty key is ignored, at most CMDLINE_MAX_ARGS arguments and -E2BIG
 * when more were given):
 *   - the return value, argc, and every (key, value) in order;
 *   - every key and every value given with '=' is a NUL-terminated string
 *     inside the struct's buffer (a bare flag's value is the empty string);
 *   - cmdline_lookup of every key on the line returns the value of its last
 *     occurrence (that very pointer), and of every extra string returns
 *     that or NULL when the line does not have it;
 *   - parse_size of every value and extra string agrees with a reference
 *     (decimal or 0x hex digits, then an optional K/M/G/T, nothing else,
 *     no overflow past 64 bits), and stores nothing when it refuses;
 *   - the kernel's copy gives the same answers through cmdline_get,
 *     cmdline_has and cmdline_get_u64.
 */
#include "tests/fuzz/fuzz_common.h"

#include "kernel/cmdline.h"
#include "kernel/errno.h"

#define MAX_EXTRA 16

struct ref_arg {
	char key[CMDLINE_BUF_SIZE], value[CMDLINE_BUF_SIZE];
	bool has_value;
};

static struct ref_arg ref[CMDLINE_MAX_ARGS];
static unsigned ref_n, ref_dropped;

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The reference splitter, on at most CMDLINE_BUF_SIZE - 1 bytes of line. */
static void ref_split(const char *line)
{
	size_t len = strnlen(line, CMDLINE_BUF_SIZE - 1), i = 0;
	ref_n = ref_dropped = 0;
	while (i < len) {
		if (space(line[i])) {
			i++;
			continue;
		}
		/* One argument, up to unquoted whitespace; past the limit, only counted. */
		static struct ref_arg spill;
		struct ref_arg *a = ref_n < CMDLINE_MAX_ARGS ? &ref[ref_n] : &spill;
		size_t kn = 0, vn = 0;
		bool quoted = false;
		a->has_value = false;
		for (; i < len && (quoted || !space(line[i])); i++) {
			char c = line[i];
			if (c == '"')
				quoted = !quoted;
			else if (c == '=' && !a->has_value)
				a->has_value = true;
			else if (a->has_value)
				a->value[vn++] = c;
			else
				a->key[kn++] = c;
		}
		a->key[kn] = a->value[vn] = 0;
		if (a == &spill)
			ref_dropped++;
		else if (kn)
			ref_n++;
	}
}

/* The last kept occurrence of key, or -1. */
static int ref_find(const char *key)
{
	for (int i = (int)ref_n - 1; i >= 0; i--)
		if (strcmp(ref[i].key, key) == 0)
			return i;
	return -1;
}

/* Decimal or 0x hex digits, then at most one of K/M/G/T: true and *out, or false. */
static bool ref_size(const char *s, uint64_t *out)
{
	unsigned base = 10, shift = 0;
	unsigned __int128 v = 0;
	bool digits = false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * base + (unsigned)d;
		if (v > UINT64_MAX)
			return false;
		digits = true;
	}
	if (!digits)
		return false;
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
	case 0:
		break;
	default:
		return false;
	}
	if (shift && *++s)
		return false;
	v <<= shift;
	if (v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

static void check_size(const char *s)
{
	uint64_t got = 0x5eed, want = 0;
	bool ok = parse_size(s, &got), wok = ref_size(s, &want);
	CHECK(ok == wok, "parse_size(\"%s\") says %s, the reference %s", s, ok ? "yes" : "no",
	      wok ? "yes" : "no");
	CHECK(ok ? got == want : got == 0x5eed, "parse_size(\"%s\") = %llu, reference %llu", s,
	      (unsigned long long)got, (unsigned long long)want);
}

static bool inside(const struct cmdline *c, const char *p)
{
	return p >= c->buf && p < c->buf + sizeof(c->buf) &&
	       memchr(p, 0, (size_t)(c->buf + sizeof(c->buf) - p)) != NULL;
}

FUZZ_QUIET_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline c;
	char *copy = malloc(size + 1);
	const char *extra[MAX_EXTRA];
	unsigned nextra = 0;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = 0;
	const char *line = copy;
	for (size_t i = strlen(copy) + 1; i <= size && nextra < MAX_EXTRA;
	     i += strlen(copy + i) + 1)
		extra[nextra++] = copy + i;

	host_printk_log_clear();
	memset(&c, 0xa5, sizeof(c));
	int ret = cmdline_parse_into(&c, line);
	ref_split(line);

	CHECK(ret == (ref_dropped ? -E2BIG : (int)ref_n), "cmdline_parse_into returned %d, want %d",
	      ret, ref_dropped ? -E2BIG : (int)ref_n);
	CHECK(c.argc == ref_n, "argc %u, the reference splits %u arguments", c.argc, ref_n);
	for (unsigned i = 0; i < ref_n; i++) {
		/* A bare flag's value is a constant "" (cmdline.h); the rest lie in the buffer. */
		CHECK(inside(&c, c.args[i].key) &&
			      (ref[i].has_value ? inside(&c, c.args[i].value) : !*c.args[i].value),
		      "argument %u points outside the buffer", i);
		CHECK(strcmp(c.args[i].key, ref[i].key) == 0 &&
			      strcmp(c.args[i].value, ref[i].value) == 0,
		      "argument %u is \"%s\"=\"%s\", the reference \"%s\"=\"%s\"", i, c.args[i].key,
		      c.args[i].value, ref[i].key, ref[i].value);
	}
	for (unsigned i = 0; i < ref_n; i++) {
		int last = ref_find(ref[i].key);
		const char *v = cmdline_lookup(&c, ref[i].key);
		CHECK(v == c.args[last].value, "lookup(\"%s\") is not its last occurrence (%d)",
		      ref[i].key, last);
		check_size(ref[i].value);
	}
	for (unsigned i = 0; i < nextra; i++) {
		int last = ref_find(extra[i]);
		const char *v = cmdline_lookup(&c, extra[i]);
		CHECK(last < 0 ? v == NULL : v == c.args[last].value,
		      "lookup(\"%s\") = %s%s%s, the reference says %s", extra[i], v ? "\"" : "",
		      v ? v : "NULL", v ? "\"" : "", last < 0 ? "absent" : ref[last].value);
		check_size(extra[i]);
	}

	/* The kernel's own copy answers the same. */
	CHECK(cmdline_parse(line) == ret, "cmdline_parse differs from cmdline_parse_into");
	for (unsigned i = 0; i < ref_n + nextra; i++) {
		const char *key = i < ref_n ? ref[i].key : extra[i - ref_n];
		int last = ref_find(key);
		const char *v = cmdline_get(key);
		uint64_t got = 0, want = 0;
		CHECK(cmdline_has(key) == (last >= 0) && (v != NULL) == (last >= 0) &&
			      (!v || strcmp(v, ref[last].value) == 0),
		      "cmdline_get/has(\"%s\")", key);
		bool ok = cmdline_get_u64(key, &got);
		bool wok = last >= 0 && ref_size(ref[last].value, &want);
		CHECK(ok == wok && (!ok || got == want), "cmdline_get_u64(\"%s\")", key);
	}
	free(copy);
	return 0;
}
