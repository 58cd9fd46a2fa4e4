/*
 * string.c - the C library's memory and string functions for the kernel
 * (the hosted build uses the real C library; see kernel/string.h).
 *
 * memset/memcpy/memmove use the x86 string instructions: on every CPU since
 * Ivy Bridge ("ERMSB") rep movsb/stosb is as fast as hand-unrolled loops for
 * all but tiny sizes, and writing them in C would let the compiler turn the
 * loop back into a call to the very function being defined. memset and
 * memcpy move 8 bytes per step (rep stosq/movsq) and the last 0-7 bytes one
 * at a time: under QEMU's TCG, where this kernel mostly runs, every `rep`
 * step is emulated on its own, so the byte forms cost 8 times as many.
 * (memmove's backward copy, rare, stays bytewise.)
 */
#include "kernel/string.h"
#include "kernel/compiler.h"

void *memset(void *s, int c, size_t n)
{
	void *d = s;
	size_t q = n / 8, r = n % 8;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;
	__asm__ __volatile__("rep stosq\n\tmovq %3, %%rcx\n\trep stosb"
			     : "+D"(d), "+c"(q), "+a"(v)
			     : "r"(r)
			     : "memory");
	return s;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	void *dd = d;
	size_t q = n / 8, r = n % 8;
	__asm__ __volatile__("rep movsq\n\tmovq %3, %%rcx\n\trep movsb"
			     : "+D"(dd), "+S"(s), "+c"(q)
			     : "r"(r)
			     : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		/* No harmful overlap: d is below s, or past its end. */
		return memcpy(d, s, n);
	}
	/* d overlaps the tail of s: copy backwards (direction flag set for the copy only). */
	void *dd = (char *)d + n - 1;
	const void *ss = (const char *)s + n - 1;
	__asm__ __volatile__("std\n\trep movsb\n\tcld" : "+D"(dd), "+S"(ss), "+c"(n) : : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n == 0 ? (char *)haystack : NULL;
}
