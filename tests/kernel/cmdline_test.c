/*
 * cmdline_test.c - the command-line parser inside the kernel: the same code
 * the host tests exercise, compiled freestanding, plus what the boot really
 * handed over. Test strings go into a private struct cmdline, so the
 * kernel's own line (which ktest= itself came from) is never disturbed.
 */
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"

static struct cmdline test_line;

static void splits_flags_values_and_quotes(struct ktest *t)
{
	/* Registered keys only (ktest), but for one flag that draws the unknown-key warning. */
	int n = cmdline_parse_into(&test_line, "ktest=\"buddy* slab\" test_flag ktest=128M");
	KEXPECT_EQ(t, n, 3);
	KEXPECT_STREQ(t, cmdline_lookup(&test_line, "test_flag"), "");
	KEXPECT_STREQ(t, cmdline_lookup(&test_line, "ktest"), "128M"); /* the last one wins */
	KEXPECT_NULL(t, cmdline_lookup(&test_line, "ktes"));
	KEXPECT_EQ(t, cmdline_parse_into(&test_line, "  ktest=\"a b\"  "), 1);
	KEXPECT_STREQ(t, cmdline_lookup(&test_line, "ktest"), "a b");
}

static void too_many_arguments_are_cut(struct ktest *t)
{
	static char line[(CMDLINE_MAX_ARGS + 2) * 6 + 1];
	size_t len = 0;
	for (unsigned i = 0; i < CMDLINE_MAX_ARGS + 2; i++) {
		memcpy(line + len, "ktest ", 6);
		len += 6;
	}
	line[len] = '\0';
	KEXPECT_EQ(t, cmdline_parse_into(&test_line, line), -E2BIG);
	KEXPECT_EQ(t, test_line.argc, (unsigned)CMDLINE_MAX_ARGS);
}

static void sizes(struct ktest *t)
{
	uint64_t v = 0;
	KEXPECT_TRUE(t, parse_size("512M", &v));
	KEXPECT_EQ(t, v, 512ull << 20);
	KEXPECT_TRUE(t, parse_size("0x1000", &v));
	KEXPECT_EQ(t, v, 0x1000ull);
	KEXPECT_TRUE(t, parse_size("16777215T", &v));
	KEXPECT_EQ(t, v, 16777215ull << 40);
	KEXPECT_FALSE(t, parse_size("16777216T", &v)); /* 2^64: overflow */
	KEXPECT_FALSE(t, parse_size("18446744073709551616", &v));
	KEXPECT_FALSE(t, parse_size("12KB", &v));
	KEXPECT_FALSE(t, parse_size("", &v));
}

/*
 * The kernel's parsed line is the one GRUB passed: re-parsing boot_info.cmdline
 * gives the same value for every key the kernel looks at. ktest= is there when
 * the tests were started by it (make test), absent under make run.
 */
static void boot_line_was_parsed(struct ktest *t)
{
	static const char *const keys[] = { "ktest", "halt_exit", "mem", "maxcpus" };

	KEXPECT_NOT_NULL(t, cmdline_find_param("ktest"));
	KEXPECT_GE(t, cmdline_parse_into(&test_line, boot_info.cmdline), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *mine = cmdline_lookup(&test_line, keys[i]);
		const char *kernel = cmdline_get(keys[i]);
		KEXPECT_EQ(t, mine == NULL, kernel == NULL);
		if (mine && kernel)
			KEXPECT_STREQ(t, mine, kernel);
	}
}

static struct ktest_case cmdline_cases[] = {
	KTEST_CASE(splits_flags_values_and_quotes),
	KTEST_CASE(too_many_arguments_are_cut),
	KTEST_CASE(sizes),
	KTEST_CASE(boot_line_was_parsed),
	{},
};
KTEST_SUITE(cmdline, cmdline_cases);
