/*
 * test_cmdline.c - the kernel command-line parser: flags, values, quotes,
 * repeated and unknown keys, too many arguments, and size parsing.
 */
#include <stdio.h>

#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"

/* The keys this program "knows"; anything else must draw a warning. */
CMDLINE_PARAM(quiet, "fewer boot messages (test)");
CMDLINE_PARAM(mem, "memory size limit (test)");
CMDLINE_PARAM(name, "a string value (test)");
CMDLINE_PARAM(zeta, "sorts last (test)");
CMDLINE_PARAM(alpha, "sorts first (test)");

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static bool log_has(const char *s)
{
	return strstr(host_printk_log(), s) != NULL;
}

static int parse(const char *line)
{
	host_printk_log_clear();
	return cmdline_parse(line);
}

static void flags_and_values(struct ktest *t)
{
	KEXPECT_EQ(t, parse("quiet mem=512M name=foo"), 3);
	KEXPECT_TRUE(t, cmdline_has("quiet"));
	KEXPECT_STREQ(t, cmdline_get("quiet"), "");
	KEXPECT_STREQ(t, cmdline_get("mem"), "512M");
	KEXPECT_STREQ(t, cmdline_get("name"), "foo");
	KEXPECT_NULL(t, cmdline_get("alpha"));
	KEXPECT_FALSE(t, cmdline_has("alpha"));
	/* Prefixes are not matches. */
	KEXPECT_NULL(t, cmdline_get("me"));
	KEXPECT_NULL(t, cmdline_get("quiet2"));
	KEXPECT_STREQ(t, host_printk_log(), "");
}

static void whitespace_and_empty_lines(struct ktest *t)
{
	KEXPECT_EQ(t, parse(""), 0);
	KEXPECT_EQ(t, parse(NULL), 0);
	KEXPECT_EQ(t, parse("   \t \n"), 0);
	KEXPECT_EQ(t, parse("\t quiet \t  mem=1  \n"), 2);
	KEXPECT_STREQ(t, cmdline_get("mem"), "1");
	/* key= is present with an empty value, like a flag. */
	KEXPECT_EQ(t, parse("name="), 1);
	KEXPECT_STREQ(t, cmdline_get("name"), "");
	/* Only the first '=' separates. */
	KEXPECT_EQ(t, parse("name=a=b"), 1);
	KEXPECT_STREQ(t, cmdline_get("name"), "a=b");
}

static void quoted_values(struct ktest *t)
{
	KEXPECT_EQ(t, parse("name=\"hello world\" quiet"), 2);
	KEXPECT_STREQ(t, cmdline_get("name"), "hello world");
	KEXPECT_TRUE(t, cmdline_has("quiet"));
	KEXPECT_EQ(t, parse("\"name=a b\"  mem=2"), 2);
	KEXPECT_STREQ(t, cmdline_get("name"), "a b");
	KEXPECT_STREQ(t, cmdline_get("mem"), "2");
	KEXPECT_EQ(t, parse("name=\"\""), 1);
	KEXPECT_STREQ(t, cmdline_get("name"), "");
	KEXPECT_EQ(t, parse("name=pre\"mid dle\"post mem=3"), 2);
	KEXPECT_STREQ(t, cmdline_get("name"), "premid dlepost");
	KEXPECT_EQ(t, parse("name=\"x=y z\""), 1);
	KEXPECT_STREQ(t, cmdline_get("name"), "x=y z");
}

static void unterminated_quote_runs_to_the_end(struct ktest *t)
{
	KEXPECT_EQ(t, parse("quiet name=\"a b mem=4"), 2);
	KEXPECT_STREQ(t, cmdline_get("name"), "a b mem=4");
	KEXPECT_NULL(t, cmdline_get("mem"));
	KEXPECT_TRUE(t, log_has("unterminated quote"));
}

static void repeated_keys_last_wins(struct ktest *t)
{
	KEXPECT_EQ(t, parse("mem=1M name=a mem=2M quiet mem=3M"), 5);
	KEXPECT_STREQ(t, cmdline_get("mem"), "3M");
	KEXPECT_EQ(t, parse("mem=1M mem"), 2);
	KEXPECT_STREQ(t, cmdline_get("mem"), "");
}

static void unknown_keys_warn_once_and_are_kept(struct ktest *t)
{
	KEXPECT_EQ(t, parse("bogus=1 quiet bogus=2 typo"), 4);
	KEXPECT_EQ(t, count(host_printk_log(), "unknown parameter 'bogus'"), 1u);
	KEXPECT_EQ(t, count(host_printk_log(), "unknown parameter 'typo'"), 1u);
	KEXPECT_EQ(t, count(host_printk_log(), "quiet"), 0u);
	/* Not fatal: the value is still there for whoever asks. */
	KEXPECT_STREQ(t, cmdline_get("bogus"), "2");
	KEXPECT_TRUE(t, cmdline_has("quiet"));
}

static void argument_without_key_is_ignored(struct ktest *t)
{
	KEXPECT_EQ(t, parse("=orphan quiet"), 1);
	KEXPECT_TRUE(t, log_has("argument '=orphan' has no key"));
	KEXPECT_TRUE(t, cmdline_has("quiet"));
	KEXPECT_EQ(t, parse("\"\" quiet"), 1);
}

static void too_many_arguments(struct ktest *t)
{
	char line[1024];
	size_t len = 0;
	for (int i = 0; i < CMDLINE_MAX_ARGS + 6; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "mem=%d ", i);
	KEXPECT_EQ(t, parse(line), -E2BIG);
	/* The first CMDLINE_MAX_ARGS are kept; the last of them wins. */
	KEXPECT_STREQ(t, cmdline_get("mem"), "63");
	KEXPECT_TRUE(t, log_has("more than 64 arguments, the last 6 ignored"));
	/* Exactly the limit is fine. */
	len = 0;
	for (int i = 0; i < CMDLINE_MAX_ARGS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " name=\"%d x\"", i);
	KEXPECT_EQ(t, parse(line), CMDLINE_MAX_ARGS);
	KEXPECT_STREQ(t, cmdline_get("name"), "63 x");
}

static void overlong_line_is_cut(struct ktest *t)
{
	static char line[3000];
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "name=", 5);
	KEXPECT_EQ(t, parse(line), 1);
	KEXPECT_EQ(t, strlen(cmdline_get("name")), (size_t)2047 - 5);
	KEXPECT_TRUE(t, log_has("only the first 2047 are read"));
}

static void expect_size(struct ktest *t, const char *s, uint64_t want)
{
	uint64_t v = 12345;
	bool ok = parse_size(s, &v);
	if (!ok)
		ktest_log(t, "parse_size(\"%s\") refused", s);
	KEXPECT_TRUE(t, ok);
	KEXPECT_EQ(t, v, want);
}

static void expect_bad_size(struct ktest *t, const char *s)
{
	uint64_t v = 12345;
	bool ok = parse_size(s, &v);
	if (ok)
		ktest_log(t, "parse_size(\"%s\") accepted", s ? s : "(null)");
	KEXPECT_FALSE(t, ok);
	KEXPECT_EQ(t, v, 12345ull); /* untouched on failure */
}

static void sizes_parse(struct ktest *t)
{
	expect_size(t, "0", 0);
	expect_size(t, "4096", 4096);
	expect_size(t, "007", 7);
	expect_size(t, "4K", 4096);
	expect_size(t, "4k", 4096);
	expect_size(t, "512M", 512ull << 20);
	expect_size(t, "3G", 3ull << 30);
	expect_size(t, "2T", 2ull << 40);
	expect_size(t, "0x1000", 0x1000);
	expect_size(t, "0XfF", 255);
	expect_size(t, "0x10M", 16ull << 20);
	expect_size(t, "18446744073709551615", UINT64_MAX);
	expect_size(t, "0xffffffffffffffff", UINT64_MAX);
	expect_size(t, "16777215T", 16777215ull << 40);
}

static void bad_sizes_are_refused(struct ktest *t)
{
	expect_bad_size(t, NULL);
	expect_bad_size(t, "");
	expect_bad_size(t, "K");
	expect_bad_size(t, "12Q");
	expect_bad_size(t, "12KB");
	expect_bad_size(t, "-1");
	expect_bad_size(t, "+1");
	expect_bad_size(t, "0x");
	expect_bad_size(t, "0xG");
	expect_bad_size(t, " 1");
	expect_bad_size(t, "1 ");
	expect_bad_size(t, "1.5G");
	expect_bad_size(t, "ff");
	/* Overflow, in the digits and in the suffix. */
	expect_bad_size(t, "18446744073709551616");
	expect_bad_size(t, "99999999999999999999999");
	expect_bad_size(t, "0x10000000000000000");
	expect_bad_size(t, "16777216T");
	expect_bad_size(t, "17179869184G");
}

static void get_u64_reports_bad_values(struct ktest *t)
{
	uint64_t v = 0;
	parse("mem=64M name=abc alpha=99999999999999999999 quiet");
	KEXPECT_TRUE(t, cmdline_get_u64("mem", &v));
	KEXPECT_EQ(t, v, 64ull << 20);
	host_printk_log_clear();
	KEXPECT_FALSE(t, cmdline_get_u64("name", &v));
	KEXPECT_TRUE(t, log_has("name=abc is not a number"));
	KEXPECT_FALSE(t, cmdline_get_u64("alpha", &v));
	KEXPECT_TRUE(t, log_has("does not fit in 64 bits"));
	KEXPECT_FALSE(t, cmdline_get_u64("quiet", &v)); /* a bare flag has no number */
	host_printk_log_clear();
	KEXPECT_FALSE(t, cmdline_get_u64("zeta", &v)); /* absent: quietly false */
	KEXPECT_STREQ(t, host_printk_log(), "");
	KEXPECT_EQ(t, v, 64ull << 20);
}

static void known_params_are_listed_sorted(struct ktest *t)
{
	host_printk_log_clear();
	cmdline_print_known();
	const char *log = host_printk_log();
	const char *a = strstr(log, "alpha"), *m = strstr(log, "mem "), *z = strstr(log, "zeta");
	KEXPECT_TRUE(t, log_has("Known command line parameters (5)"));
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, m);
	KASSERT_NOT_NULL(t, z);
	KEXPECT_LT(t, a, m);
	KEXPECT_LT(t, m, z);
	KEXPECT_TRUE(t, log_has("sorts first (test)"));
	KEXPECT_NOT_NULL(t, cmdline_find_param("mem"));
	KEXPECT_STREQ(t, cmdline_find_param("mem")->help, "memory size limit (test)");
	KEXPECT_NULL(t, cmdline_find_param("me"));
}

static void private_table_leaves_the_kernel_line_alone(struct ktest *t)
{
	static struct cmdline c;
	parse("mem=1 quiet");
	KEXPECT_EQ(t, cmdline_parse_into(&c, "mem=2 name=\"x y\""), 2);
	KEXPECT_STREQ(t, cmdline_lookup(&c, "mem"), "2");
	KEXPECT_STREQ(t, cmdline_lookup(&c, "name"), "x y");
	KEXPECT_NULL(t, cmdline_lookup(&c, "quiet"));
	KEXPECT_STREQ(t, cmdline_get("mem"), "1");
	KEXPECT_TRUE(t, cmdline_has("quiet"));
	KEXPECT_NULL(t, cmdline_get("name"));
}

static struct ktest_case cmdline_host_cases[] = {
	KTEST_CASE(flags_and_values),
	KTEST_CASE(whitespace_and_empty_lines),
	KTEST_CASE(quoted_values),
	KTEST_CASE(unterminated_quote_runs_to_the_end),
	KTEST_CASE(repeated_keys_last_wins),
	KTEST_CASE(unknown_keys_warn_once_and_are_kept),
	KTEST_CASE(argument_without_key_is_ignored),
	KTEST_CASE(too_many_arguments),
	KTEST_CASE(overlong_line_is_cut),
	KTEST_CASE(sizes_parse),
	KTEST_CASE(bad_sizes_are_refused),
	KTEST_CASE(get_u64_reports_bad_values),
	KTEST_CASE(known_params_are_listed_sorted),
	KTEST_CASE(private_table_leaves_the_kernel_line_alone),
	{},
};
KTEST_SUITE(cmdline_host, cmdline_host_cases);
