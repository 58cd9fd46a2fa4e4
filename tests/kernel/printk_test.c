/*
 * printk_test.c - the console as users see it: %pS names functions, lines
 * carry a "[seconds.micros] " timestamp, KERN_CONT continues a line, levels
 * filter, overlong messages are cut visibly, KTAP lines are written raw.
 * Each case prints, then reads its own output back from the log buffer
 * (kernel/console.h).
 */
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "kernel/string.h"

static char out[LOG_BUF_SIZE];

/* A function of known name (and more than a few bytes long) for %pS. */
static volatile unsigned marker_sink;
__noinline void printk_test_marker_function(void);
__noinline void printk_test_marker_function(void)
{
	for (unsigned i = 0; i < 8; i++)
		marker_sink += i * marker_sink;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void pS_names_a_function(struct ktest *t)
{
	char buf[160];
	uintptr_t fn = (uintptr_t)printk_test_marker_function;

	ksnprintf(buf, sizeof(buf), "%pS", (void *)fn);
	KEXPECT_TRUE(t, starts_with(buf, "printk_test_marker_function+0x0/0x"));
	ksnprintf(buf, sizeof(buf), "%pS", (void *)(fn + 3));
	KEXPECT_TRUE(t, starts_with(buf, "printk_test_marker_function+0x3/0x"));
	ksnprintf(buf, sizeof(buf), "%pS", (void *)printk);
	KEXPECT_TRUE(t, starts_with(buf, "printk+0x0/0x"));
	ktest_log(t, "%%pS of printk: %s", buf);
}

static void ksym_lookup_reports_offset_and_size(struct ktest *t)
{
	uintptr_t off = 99, size = 0;
	uintptr_t fn = (uintptr_t)printk_test_marker_function;
	const char *name = ksym_lookup(fn + 1, &off, &size);

	KASSERT_NOT_NULL(t, name);
	KEXPECT_STREQ(t, name, "printk_test_marker_function");
	KEXPECT_EQ(t, off, 1u);
	KEXPECT_GT(t, size, 1u);
	/* One past the end belongs to someone else, or to nobody. */
	name = ksym_lookup(fn + size, &off, NULL);
	KEXPECT_TRUE(t, !name || strcmp(name, "printk_test_marker_function") != 0);
}

static void pS_of_non_code_is_hex(struct ktest *t)
{
	char buf[64];
	ksnprintf(buf, sizeof(buf), "%pS", (void *)0x1234);
	KEXPECT_STREQ(t, buf, "0x0000000000001234");
	KEXPECT_NULL(t, ksym_lookup((uintptr_t)_rodata_start, NULL, NULL));
	KEXPECT_NULL(t, ksym_lookup(0, NULL, NULL));
}

/* "[" 5-wide seconds "." 6 digits "] " */
static bool is_timestamp(const char *s)
{
	if (s[0] != '[' || s[6] != '.' || s[13] != ']' || s[14] != ' ')
		return false;
	for (int i = 1; i < 6; i++)
		if (!(s[i] == ' ' || (s[i] >= '0' && s[i] <= '9')))
			return false;
	for (int i = 7; i < 13; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void line_has_timestamp_and_text(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	printk(KERN_INFO "printk_test: hello %d\n", 42);
	log_buf_read(mark, out, sizeof(out));
	KEXPECT_TRUE(t, is_timestamp(out));
	KEXPECT_STREQ(t, out + 15, "printk_test: hello 42\n");
}

static void cont_continues_the_line(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	printk(KERN_INFO "printk_test: a");
	pr_cont("b");
	pr_cont("c\n");
	log_buf_read(mark, out, sizeof(out));
	KEXPECT_TRUE(t, is_timestamp(out));
	KEXPECT_STREQ(t, out + 15, "printk_test: abc\n");
}

static void new_message_closes_an_open_line(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	printk(KERN_INFO "printk_test: open");
	printk(KERN_INFO "printk_test: next\n");
	log_buf_read(mark, out, sizeof(out));
	const char *nl = strchr(out, '\n');
	KASSERT_NOT_NULL(t, nl);
	KEXPECT_EQ(t, (size_t)(nl - out), 15 + strlen("printk_test: open"));
	KEXPECT_TRUE(t, is_timestamp(nl + 1));
	KEXPECT_STREQ(t, nl + 1 + 15, "printk_test: next\n");
}

static void multi_line_message_stamps_each_line(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	printk(KERN_INFO "printk_test: one\nprintk_test: two\n");
	log_buf_read(mark, out, sizeof(out));
	const char *nl = strchr(out, '\n');
	KASSERT_NOT_NULL(t, nl);
	KEXPECT_TRUE(t, is_timestamp(out));
	KEXPECT_TRUE(t, is_timestamp(nl + 1));
	KEXPECT_STREQ(t, nl + 1 + 15, "printk_test: two\n");
}

static void levels_filter_by_console_loglevel(struct ktest *t)
{
	int saved = console_loglevel;
	uint64_t mark = log_buf_mark();

	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
	printk(KERN_DEBUG "printk_test: debug is hidden by default\n");
	printk(KERN_ERR "printk_test: err is shown\n");
	console_loglevel = 4; /* only KERN_ERR and more urgent */
	printk(KERN_WARNING "printk_test: warning hidden at level 4\n");
	pr_cont("printk_test: and so is its continuation\n");
	printk(KERN_CRIT "printk_test: crit shown at level 4\n");
	console_loglevel = saved;
	log_buf_read(mark, out, sizeof(out));
	KEXPECT_NULL(t, strstr(out, "debug is hidden"));
	KEXPECT_NOT_NULL(t, strstr(out, "err is shown"));
	KEXPECT_NULL(t, strstr(out, "warning hidden"));
	KEXPECT_NULL(t, strstr(out, "its continuation"));
	KEXPECT_NOT_NULL(t, strstr(out, "crit shown"));
}

static char long_msg[1100];

static void overlong_message_is_cut_visibly(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	int n = printk(KERN_INFO "printk_test: %s\n", long_msg);
	log_buf_read(mark, out, sizeof(out));
	/* printk returns the length the message would have had. */
	KEXPECT_EQ(t, n, (int)(strlen("printk_test: ") + sizeof(long_msg) - 1 + 1));
	KEXPECT_NOT_NULL(t, strstr(out, "xxx [truncated]\n"));
	KEXPECT_LT(t, strlen(out), 15u + 1024);
}

static void ksnprintf_truncates_and_counts(struct ktest *t)
{
	char buf[8];
	int n = ksnprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
	KEXPECT_EQ(t, n, 12);
	KEXPECT_STREQ(t, buf, "abcdef-");
}

static void ktest_lines_are_raw(struct ktest *t)
{
	uint64_t mark = log_buf_mark();
	printk(KERN_INFO "printk_test: left open");
	ktest_emit("    # printk_test: raw diagnostic line\n");
	log_buf_read(mark, out, sizeof(out));
	/* The open line was closed first, and the KTAP line carries no timestamp. */
	KEXPECT_NOT_NULL(t, strstr(out, "left open\n    # printk_test: raw diagnostic line\n"));
}

static struct ktest_case printk_cases[] = {
	KTEST_CASE(pS_names_a_function),
	KTEST_CASE(ksym_lookup_reports_offset_and_size),
	KTEST_CASE(pS_of_non_code_is_hex),
	KTEST_CASE(line_has_timestamp_and_text),
	KTEST_CASE(cont_continues_the_line),
	KTEST_CASE(new_message_closes_an_open_line),
	KTEST_CASE(multi_line_message_stamps_each_line),
	KTEST_CASE(levels_filter_by_console_loglevel),
	KTEST_CASE(overlong_message_is_cut_visibly),
	KTEST_CASE(ksnprintf_truncates_and_counts),
	KTEST_CASE(ktest_lines_are_raw),
	{},
};
KTEST_SUITE(printk, printk_cases);
