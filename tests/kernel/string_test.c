/*
 * string_test.c - KTAP suite "string": the kernel's own memset, memcpy and
 * memmove (kernel/string.c), which copy 8 bytes per `rep` step and the
 * remainder byte by byte. Every length from 0 to 70 at every start offset
 * from 0 to 7 (so every split between the two steps), against a byte loop;
 * the bytes around the range must stay as they were.
 */
#include "kernel/ktest.h"
#include "kernel/string.h"

#define STR_BUF 96
#define STR_MAX 70

static uint8_t str_a[STR_BUF], str_b[STR_BUF];

static void str_fill(uint8_t *p, uint8_t seed)
{
	for (unsigned i = 0; i < STR_BUF; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void memset_sets_exactly_its_range(struct ktest *t)
{
	unsigned bad = 0;

	for (unsigned off = 0; off < 8; off++) {
		for (unsigned n = 0; n <= STR_MAX; n++) {
			str_fill(str_a, 1);
			memset(str_a + off, 0xab, n);
			for (unsigned i = 0; i < STR_BUF; i++) {
				uint8_t want =
					(i >= off && i < off + n) ? 0xab : (uint8_t)(1 + i * 7);
				bad += str_a[i] != want;
			}
		}
	}
	KEXPECT_EQ(t, bad, 0u);
	/* The return value is the destination. */
	KEXPECT_TRUE(t, memset(str_a + 3, 0, 5) == str_a + 3);
}

static void memcpy_copies_exactly_its_range(struct ktest *t)
{
	unsigned bad = 0;

	for (unsigned doff = 0; doff < 8; doff++) {
		for (unsigned n = 0; n <= STR_MAX; n++) {
			unsigned soff = 7 - doff;
			str_fill(str_a, 1);
			str_fill(str_b, 100);
			memcpy(str_a + doff, str_b + soff, n);
			for (unsigned i = 0; i < STR_BUF; i++) {
				uint8_t want = (i >= doff && i < doff + n) ? str_b[soff + i - doff]
									   : (uint8_t)(1 + i * 7);
				bad += str_a[i] != want;
			}
		}
	}
	KEXPECT_EQ(t, bad, 0u);
}

static void memmove_handles_overlap_both_ways(struct ktest *t)
{
	unsigned bad = 0;

	for (int shift = -9; shift <= 9; shift++) {
		for (unsigned n = 0; n <= STR_MAX - 10; n++) {
			uint8_t ref[STR_BUF];
			str_fill(str_a, 1);
			memcpy(ref, str_a, STR_BUF);
			unsigned src = 10, dst = (unsigned)(10 + shift);
			memmove(str_a + dst, str_a + src, n);
			for (unsigned i = 0; i < n; i++) /* what memmove must give */
				ref[dst + i] = (uint8_t)(1 + (src + i) * 7);
			for (unsigned i = 0; i < STR_BUF; i++)
				bad += str_a[i] != ref[i];
		}
	}
	KEXPECT_EQ(t, bad, 0u);
}

static struct ktest_case string_cases[] = {
	KTEST_CASE(memset_sets_exactly_its_range),
	KTEST_CASE(memcpy_copies_exactly_its_range),
	KTEST_CASE(memmove_handles_overlap_both_ways),
	{},
};
KTEST_SUITE(string, string_cases);
