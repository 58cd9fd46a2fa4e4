/*
 * example_failing_test.c - a suite that fails on purpose, to show (and to
 * check) what a failure looks like end to end: `make test TESTS=example_failing`
 * must exit non-zero and name the failing case, its file and line, and both
 * values. It is explicit_only, so `ktest=*` never runs it.
 */
#include "kernel/ktest.h"

static void example_passes(struct ktest *t)
{
	unsigned pages = 1u << 3;
	KEXPECT_EQ(t, pages, 8u);
	KEXPECT_TRUE(t, pages % 2 == 0);
}

/* 6 * 7 is 42, not 43: the report shows "answer == 42 (0x2a)" and "43 == 43 (0x2b)". */
static void example_fails(struct ktest *t)
{
	volatile int six = 6; /* not folded: the value really is computed */
	int answer = six * 7;
	KEXPECT_EQ(t, answer, 43);
}

static void example_skips(struct ktest *t)
{
	KTEST_SKIP(t, "shows how a skipped case is reported");
	KEXPECT_TRUE(t, false); /* never reached */
}

static struct ktest_case example_failing_cases[] = {
	KTEST_CASE(example_passes),
	KTEST_CASE(example_fails),
	KTEST_CASE(example_skips),
	{},
};
KTEST_SUITE(example_failing, example_failing_cases, .explicit_only = true);
