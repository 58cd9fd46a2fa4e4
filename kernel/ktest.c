/*
 * ktest.c - the test runner: finds the registered suites, runs the cases,
 * runs the invariant checkers after each case, and prints KTAP version 1.
 *
 * Output, for `ktest=buddy` with two cases, one failing:
 *
 *   KTAP version 1
 *   1..1
 *       KTAP version 1
 *       # Subtest: buddy
 *       1..2
 *       ok 1 buddy_merges_back
 *       # buddy_split: EXPECTATION FAILED at tests/kernel/buddy_test.c:40
 *       # Expected a == b, but ...
 *       not ok 2 buddy_split
 *   # buddy: pass:1 fail:1 skip:0 total:2
 *   not ok 1 buddy
 *   # Totals: pass:1 fail:1 skip:0 total:2
 *
 * Portable: the hosted build links this file too (ktest_emit differs).
 * Cases run one at a time on the calling CPU; the framework keeps no lock.
 */
#include <stdarg.h>

#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"

/* Section bounds, provided by the linker (GNU ld makes __start_/__stop_ for C-named sections). */
extern const struct ktest_suite *const __start_ktest_suites[] __attribute__((weak));
extern const struct ktest_suite *const __stop_ktest_suites[] __attribute__((weak));
extern const struct ktest_checker *const __start_ktest_checkers[] __attribute__((weak));
extern const struct ktest_checker *const __stop_ktest_checkers[] __attribute__((weak));

static struct ktest *current_test;

struct ktest *ktest_current(void)
{
	return current_test;
}

static void emitf(const char *fmt, ...) __printf(1, 2);
static void emitf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ktest_emit(line);
}

/* Emit text as "    # " diagnostic lines, one per line of text. */
static void emit_diag(const char *text)
{
	char line[512];
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		if (len > sizeof(line) - 16)
			len = sizeof(line) - 16;
		ksnprintf(line, sizeof(line), "    # %.*s\n", (int)len, text);
		ktest_emit(line);
		text += len;
		if (*text == '\n')
			text++;
	}
}

/* '*' matches any run, '?' any one character; no character classes. */
static bool glob_one(const char *g, const char *gend, const char *s)
{
	while (g < gend) {
		if (*g == '*') {
			g++;
			if (g == gend)
				return true;
			for (; *s; s++)
				if (glob_one(g, gend, s))
					return true;
			return glob_one(g, gend, s);
		}
		if (!*s || (*g != '?' && *g != *s))
			return false;
		g++;
		s++;
	}
	return *s == '\0';
}

bool ktest_glob_match(const char *glob, const char *name)
{
	if (!glob || !*glob)
		return true;
	for (;;) {
		const char *comma = strchr(glob, ',');
		const char *end = comma ? comma : glob + strlen(glob);
		if (glob_one(glob, end, name))
			return true;
		if (!comma)
			return false;
		glob = comma + 1;
	}
}

/* An explicit-only suite runs only when one alternative of the glob is exactly its name. */
static bool named_exactly(const char *glob, const char *name)
{
	size_t n = strlen(name);
	while (glob && *glob) {
		const char *comma = strchr(glob, ',');
		size_t len = comma ? (size_t)(comma - glob) : strlen(glob);
		if (len == n && strncmp(glob, name, n) == 0)
			return true;
		glob = comma ? comma + 1 : NULL;
	}
	return false;
}

static bool suite_selected(const struct ktest_suite *s, const char *glob)
{
	if (s->explicit_only)
		return named_exactly(glob, s->name);
	return ktest_glob_match(glob, s->name);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	t->status = KTEST_FAIL;
	t->failures++;
	emitf("    # %s: EXPECTATION FAILED at %s:%d\n", t->kcase->name, file, line);
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit_diag(msg);
}

void ktest_abort(struct ktest *t)
{
	if (t->status != KTEST_SKIP)
		t->status = KTEST_FAIL;
	arch_longjmp(t->abort_jmp, 1);
	__builtin_unreachable();
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->status = KTEST_SKIP;
	t->skip_reason = reason;
	arch_longjmp(t->abort_jmp, 1);
	__builtin_unreachable();
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	(void)t;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit_diag(msg);
}

unsigned ktest_run_checkers(void)
{
	unsigned problems = 0;
	if (!__start_ktest_checkers)
		return 0;
	for (const struct ktest_checker *const *c = __start_ktest_checkers;
	     c < __stop_ktest_checkers; c++) {
		unsigned n = (*c)->check();
		if (n)
			emitf("    # invariant checker %s found %u problem%s\n", (*c)->name, n,
			      n == 1 ? "" : "s");
		problems += n;
	}
	return problems;
}

/* Run one case with its suite's init/exit around it and the checkers after. */
static enum ktest_status run_case(const struct ktest_suite *s, const struct ktest_case *c,
				  const char **skip_reason)
{
	/* volatile: read after arch_longjmp returns to this frame. */
	struct ktest t_storage;
	struct ktest *volatile t = &t_storage;
	memset(&t_storage, 0, sizeof(t_storage));
	t->suite = s;
	t->kcase = c;
	t->status = KTEST_PASS;
	current_test = t;

	if (arch_setjmp(t->abort_jmp) == 0) {
		if (s->init && s->init(t) != 0) {
			ktest_fail(t, __FILE__, __LINE__, "suite init failed");
		} else {
			c->run(t);
		}
	}
	/* exit runs whatever happened, unless init itself failed. */
	if (s->exit && arch_setjmp(t->abort_jmp) == 0)
		s->exit(t);
	if (ktest_run_checkers() != 0)
		t->status = KTEST_FAIL;
	current_test = NULL;
	*skip_reason = t->skip_reason ? t->skip_reason : "";
	return t->status;
}

int ktest_run(const char *glob, unsigned *passed, unsigned *failed, unsigned *skipped)
{
	unsigned nsuites = 0, suite_no = 0;
	unsigned tp = 0, tf = 0, ts = 0;
	const struct ktest_suite *const *sp;

	if (__start_ktest_suites)
		for (sp = __start_ktest_suites; sp < __stop_ktest_suites; sp++)
			if (suite_selected(*sp, glob))
				nsuites++;

	ktest_emit("KTAP version 1\n");
	emitf("1..%u\n", nsuites);
	if (nsuites == 0)
		emitf("# no suite matches '%s'\n", glob ? glob : "");

	for (sp = __start_ktest_suites; nsuites && sp < __stop_ktest_suites; sp++) {
		const struct ktest_suite *s = *sp;
		unsigned ncases = 0, p = 0, f = 0, k = 0;
		if (!suite_selected(s, glob))
			continue;
		suite_no++;
		for (const struct ktest_case *c = s->cases; c->run; c++)
			ncases++;
		ktest_emit("    KTAP version 1\n");
		emitf("    # Subtest: %s\n", s->name);
		emitf("    1..%u\n", ncases);
		unsigned i = 0;
		for (const struct ktest_case *c = s->cases; c->run; c++) {
			i++;
			const char *why;
			enum ktest_status st = run_case(s, c, &why);
			if (st == KTEST_PASS) {
				p++;
				emitf("    ok %u %s\n", i, c->name);
			} else if (st == KTEST_SKIP) {
				k++;
				emitf("    ok %u %s # SKIP %s\n", i, c->name, why);
			} else {
				f++;
				emitf("    not ok %u %s\n", i, c->name);
			}
		}
		emitf("# %s: pass:%u fail:%u skip:%u total:%u\n", s->name, p, f, k, ncases);
		if (f)
			emitf("not ok %u %s\n", suite_no, s->name);
		else if (k == ncases && ncases)
			emitf("ok %u %s # SKIP\n", suite_no, s->name);
		else
			emitf("ok %u %s\n", suite_no, s->name);
		tp += p;
		tf += f;
		ts += k;
	}
	emitf("# Totals: pass:%u fail:%u skip:%u total:%u\n", tp, tf, ts, tp + tf + ts);
	if (passed)
		*passed = tp;
	if (failed)
		*failed = tf;
	if (skipped)
		*skipped = ts;
	return (int)tf;
}
