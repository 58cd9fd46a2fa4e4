/*
 * ktest.h - the in-kernel test framework, in the spirit of Linux's KUnit.
 *
 * A suite is a named array of cases registered with KTEST_SUITE() into the
 * linker section "ktest_suites"; the runner (kernel/ktest.c) walks the
 * section, runs the suites whose names match a glob, and prints KTAP version 1
 * (Documentation/dev-tools/ktap.rst): a header, a plan, one nested block per
 * suite, "ok"/"not ok" lines, "# SKIP" directives and "# " diagnostics.
 *
 * The same framework is portable: the hosted build links it too, so host
 * tests of mm/ are written with the same macros and print the same KTAP.
 *
 *   static void buddy_merges_back(struct ktest *t)
 *   {
 *           struct page *p = alloc_pages(GFP_KERNEL, 3);
 *           KASSERT_NOT_NULL(t, p);           // ends the case if NULL
 *           KEXPECT_EQ(t, page_to_pfn(p) % 8, 0);  // records and continues
 *           __free_pages(p, 3);
 *   }
 *   static struct ktest_case buddy_cases[] = {
 *           KTEST_CASE(buddy_merges_back),
 *           {}
 *   };
 *   KTEST_SUITE(buddy, buddy_cases, .init = buddy_test_init);
 *
 * Expectations (KEXPECT_*) record file, line, both expressions and both values
 * and let the case go on. Assertions (KASSERT_*) do the same and then end the
 * case at once (through arch_longjmp to the runner). After every case the
 * runner calls every registered invariant checker (KTEST_CHECKER); a checker
 * that reports a problem fails the case.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include "kernel/arch.h"
#include "kernel/compiler.h"

struct ktest;

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	struct ktest_case *cases; /* terminated by an entry with run == NULL */
	/* Optional: before/after each case. init returning non-zero fails the case. */
	int (*init)(struct ktest *t);
	void (*exit)(struct ktest *t);
	/* Runs only when the glob names it exactly (e.g. example_failing). */
	bool explicit_only;
};

enum ktest_status { KTEST_PASS, KTEST_FAIL, KTEST_SKIP };

/* The running case's state. Suites may use ->priv for per-case data. */
struct ktest {
	const struct ktest_suite *suite;
	const struct ktest_case *kcase;
	enum ktest_status status;
	const char *skip_reason;
	unsigned failures; /* expectations that failed in this case */
	void *priv;
	arch_jmp_buf abort_jmp; /* where KASSERT_* and KTEST_SKIP return to */
};

#define KTEST_CASE(fn)                 \
	{                              \
		.name = #fn, .run = fn \
	}

#define KTEST_SUITE(sname, case_array, ...)                                                \
	static const struct ktest_suite __ktest_suite_##sname = { .name = #sname,          \
								  .cases = case_array,     \
								  __VA_ARGS__ };           \
	static const struct ktest_suite *const __ktest_suite_ptr_##sname __used __section( \
		"ktest_suites") = &__ktest_suite_##sname

/*
 * An invariant checker: walks a structure and returns the number of problems
 * found, printing each one. Run after every test case.
 */
struct ktest_checker {
	const char *name;
	unsigned (*check)(void);
};
#define KTEST_CHECKER(cname, fn)                                                               \
	static const struct ktest_checker __ktest_checker_##cname = { #cname, fn };            \
	static const struct ktest_checker *const __ktest_checker_ptr_##cname __used __section( \
		"ktest_checkers") = &__ktest_checker_##cname

/*
 * Run every suite whose name matches glob ('*' and '?'; a comma separates
 * alternatives: "buddy*,slab"). Prints KTAP. Returns the number of failed
 * cases (0 when all passed or were skipped). Counts of passed/failed/skipped
 * cases are stored through the pointers when non-NULL.
 */
int ktest_run(const char *glob, unsigned *passed, unsigned *failed, unsigned *skipped);

/* True when glob (with ',' alternatives) matches name. */
bool ktest_glob_match(const char *glob, const char *name);

/* Run every registered checker now; returns the total number of problems. */
unsigned ktest_run_checkers(void);

/* Record a failed expectation (used by the macros). */
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...) __printf(4, 5);
/* End the case now (after a failed assertion, or to skip). */
__noreturn void ktest_abort(struct ktest *t);
__noreturn void ktest_skip(struct ktest *t, const char *reason);
/*
 * Where KTAP lines go: one complete line (with its '\n') per call, written
 * raw (no log level, no timestamp). The kernel writes it to the console; the
 * hosted build to standard output (printk goes to standard error there).
 */
void ktest_emit(const char *line);

/* The running case, or NULL outside a test (for hooks that must report into it). */
struct ktest *ktest_current(void);

/* A "# " diagnostic line inside the current case's output. */
void ktest_log(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KTEST_SKIP(t, reason) ktest_skip(t, reason)

/* Comparison of two integers (or pointers, cast) with both values reported. */
#define __KTEST_CMP(t, a, op, b, fatal)                                                         \
	do {                                                                                    \
		__typeof__(a) __a = (a);                                                        \
		__typeof__(b) __b = (b);                                                        \
		if (!(__a op __b)) {                                                            \
			ktest_fail(t, __FILE__, __LINE__,                                       \
				   "Expected %s " #op " %s, but\n    %s == %lld (0x%llx)\n"     \
				   "    %s == %lld (0x%llx)",                                   \
				   #a, #b, #a, (long long)(__a), (unsigned long long)(__a), #b, \
				   (long long)(__b), (unsigned long long)(__b));                \
			if (fatal)                                                              \
				ktest_abort(t);                                                 \
		}                                                                               \
	} while (0)

#define __KTEST_BOOL(t, cond, want, fatal)                                               \
	do {                                                                             \
		if ((!!(cond)) != (want)) {                                              \
			ktest_fail(t, __FILE__, __LINE__, "Expected %s to be %s", #cond, \
				   (want) ? "true" : "false");                           \
			if (fatal)                                                       \
				ktest_abort(t);                                          \
		}                                                                        \
	} while (0)

#define __KTEST_STR(t, a, b, fatal)                                                              \
	do {                                                                                     \
		const char *__sa = (a), *__sb = (b);                                             \
		if (!__sa || !__sb || strcmp(__sa, __sb) != 0) {                                 \
			ktest_fail(t, __FILE__, __LINE__,                                        \
				   "Expected %s == %s, but\n    %s == \"%s\"\n    %s == \"%s\"", \
				   #a, #b, #a, __sa ? __sa : "(null)", #b,                       \
				   __sb ? __sb : "(null)");                                      \
			if (fatal)                                                               \
				ktest_abort(t);                                                  \
		}                                                                                \
	} while (0)

#define KEXPECT_EQ(t, a, b)    __KTEST_CMP(t, a, ==, b, 0)
#define KEXPECT_NE(t, a, b)    __KTEST_CMP(t, a, !=, b, 0)
#define KEXPECT_LT(t, a, b)    __KTEST_CMP(t, a, <, b, 0)
#define KEXPECT_LE(t, a, b)    __KTEST_CMP(t, a, <=, b, 0)
#define KEXPECT_GT(t, a, b)    __KTEST_CMP(t, a, >, b, 0)
#define KEXPECT_GE(t, a, b)    __KTEST_CMP(t, a, >=, b, 0)
#define KEXPECT_TRUE(t, c)     __KTEST_BOOL(t, c, true, 0)
#define KEXPECT_FALSE(t, c)    __KTEST_BOOL(t, c, false, 0)
#define KEXPECT_NULL(t, p)     __KTEST_BOOL(t, (p) == NULL, true, 0)
#define KEXPECT_NOT_NULL(t, p) __KTEST_BOOL(t, (p) != NULL, true, 0)
#define KEXPECT_STREQ(t, a, b) __KTEST_STR(t, a, b, 0)

#define KASSERT_EQ(t, a, b)    __KTEST_CMP(t, a, ==, b, 1)
#define KASSERT_NE(t, a, b)    __KTEST_CMP(t, a, !=, b, 1)
#define KASSERT_LT(t, a, b)    __KTEST_CMP(t, a, <, b, 1)
#define KASSERT_LE(t, a, b)    __KTEST_CMP(t, a, <=, b, 1)
#define KASSERT_GT(t, a, b)    __KTEST_CMP(t, a, >, b, 1)
#define KASSERT_GE(t, a, b)    __KTEST_CMP(t, a, >=, b, 1)
#define KASSERT_TRUE(t, c)     __KTEST_BOOL(t, c, true, 1)
#define KASSERT_FALSE(t, c)    __KTEST_BOOL(t, c, false, 1)
#define KASSERT_NULL(t, p)     __KTEST_BOOL(t, (p) == NULL, true, 1)
#define KASSERT_NOT_NULL(t, p) __KTEST_BOOL(t, (p) != NULL, true, 1)
#define KASSERT_STREQ(t, a, b) __KTEST_STR(t, a, b, 1)

#endif
