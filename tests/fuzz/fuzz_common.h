/*
 * fuzz_common.h - what the libFuzzer harnesses in tests/fuzz share.
 *
 *   - struct fuzz_in: a reader over the fuzzer's input. Every read past the
 *     end gives zeros, so every input, however short, decodes to something
 *     (a harness never rejects an input for being malformed: the decoding
 *     is total, and the mutator's work is never wasted).
 *   - CHECK(cond, fmt, ...): a postcondition. When it fails, the harness
 *     prints where, the condition, the message and the last lines printk
 *     wrote (the kernel's own account of what it did), then aborts; libFuzzer
 *     reports the abort as a crash and saves the input. A broken
 *     postcondition is therefore indistinguishable from an AddressSanitizer
 *     error to everything downstream (make fuzz, make test).
 *   - fuzz_quiet(): printk is captured in host_printk_log() but not echoed,
 *     because the kernel code under test reports every oddity it meets and
 *     the fuzzer feeds it nothing but oddities. FUZZ_VERBOSE=1 in the
 *     environment echoes it anyway, to read along when replaying one input
 *     (build/fuzz/fuzz_<name> <file>).
 *
 * The harnesses are built with clang -fsanitize=fuzzer,address,undefined
 * against the same portable sources as tests/host (tests/fuzz/fuzz.mk).
 */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/arch.h"

/* libFuzzer's entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t in_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t in_u16(struct fuzz_in *in)
{
	uint16_t lo = in_u8(in);
	return (uint16_t)(lo | (uint16_t)in_u8(in) << 8);
}

static inline uint32_t in_u32(struct fuzz_in *in)
{
	uint32_t lo = in_u16(in);
	return lo | (uint32_t)in_u16(in) << 16;
}

static inline uint64_t in_u64(struct fuzz_in *in)
{
	uint64_t lo = in_u32(in);
	return lo | (uint64_t)in_u32(in) << 32;
}

/* Copy up to n bytes (fewer when the input runs out); returns how many. */
static inline size_t in_bytes(struct fuzz_in *in, void *dst, size_t n)
{
	if (n > in->n)
		n = in->n;
	memcpy(dst, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

static inline void fuzz_quiet(void)
{
	host_printk_echo = getenv("FUZZ_VERBOSE") != NULL;
}

/*
 * The LLVMFuzzerInitialize of a harness whose only set-up is fuzz_quiet()
 * (libFuzzer calls it once, before the first input). The allocators
 * harness builds its world there and writes its own.
 */
#define FUZZ_QUIET_INITIALIZE()                           \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{                                                 \
		(void)argc;                               \
		(void)argv;                               \
		fuzz_quiet();                             \
		return 0;                                 \
	}

/* The last `lines` lines of the printk capture, to stderr. */
static inline void fuzz_dump_printk(unsigned lines)
{
	const char *log = host_printk_log();
	const char *p = log + strlen(log);
	while (p > log && lines) {
		p--;
		if (*p == '\n' && p[1])
			lines--;
	}
	if (*p == '\n')
		p++;
	fprintf(stderr, "---- last printk lines ----\n%s---- end of printk ----\n", p);
}

__attribute__((noreturn, format(printf, 4, 5))) static inline void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "\nFUZZ CHECK FAILED at %s:%d: %s\n    ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fuzz_dump_printk(15);
	fflush(stderr);
	abort();
}

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* How many times needle occurs in the printk capture. */
static inline unsigned printk_count(const char *needle)
{
	unsigned n = 0;
	for (const char *p = host_printk_log(); (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

#endif
