/*
 * test_ktest.c - host tests of the test framework itself (glob matching) and
 * of the printk formatter.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"

static void glob_matches_star_and_alternatives(struct ktest *t)
{
	KEXPECT_TRUE(t, ktest_glob_match("*", "buddy"));
	KEXPECT_TRUE(t, ktest_glob_match("bud*", "buddy"));
	KEXPECT_TRUE(t, ktest_glob_match("b?ddy", "buddy"));
	KEXPECT_FALSE(t, ktest_glob_match("slab", "buddy"));
	KEXPECT_TRUE(t, ktest_glob_match("slab,bud*", "buddy"));
	KEXPECT_FALSE(t, ktest_glob_match("slab,bud", "buddy"));
	KEXPECT_TRUE(t, ktest_glob_match("*dy", "buddy"));
	KEXPECT_FALSE(t, ktest_glob_match("*dx", "buddy"));
}

static void check(struct ktest *t, const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	KEXPECT_STREQ(t, buf, want);
	KEXPECT_EQ(t, n, (int)strlen(want));
}

static void vsnprintf_formats_like_c(struct ktest *t)
{
	check(t, "42 -7 ff FF 17", "%d %i %x %X %o", 42, -7, 255, 255, 15);
	check(t, "  42|42  |00042", "%4d|%-4d|%05d", 42, 42, 42);
	check(t, "-0042", "%05d", -42);
	check(t, "0x1f 0X1F", "%#x %#X", 31, 31);
	check(t, "18446744073709551615", "%llu", 18446744073709551615ULL);
	check(t, "-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	check(t, "abc|  abc|ab", "%s|%5s|%.2s", "abc", "abc", "abc");
	check(t, "(null)", "%s", (char *)NULL);
	check(t, "x%", "%c%%", 'x');
	check(t, "0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	check(t, "4096 ffff", "%zu %hx", (size_t)4096, 0x1ffff);
	check(t, "+5  5", "%+d % d", 5, 5);
}

static void vsnprintf_truncates_and_counts(struct ktest *t)
{
	char buf[6];
	int n = ksnprintf(buf, sizeof(buf), "%s", "hello world");
	KEXPECT_EQ(t, n, 11);
	KEXPECT_STREQ(t, buf, "hello");
	n = ksnprintf(NULL, 0, "%d", 12345);
	KEXPECT_EQ(t, n, 5);
}

static struct ktest_case ktest_self_cases[] = {
	KTEST_CASE(glob_matches_star_and_alternatives),
	KTEST_CASE(vsnprintf_formats_like_c),
	KTEST_CASE(vsnprintf_truncates_and_counts),
	{},
};
KTEST_SUITE(host_printk, ktest_self_cases);
