/*
 * string.h - the C string and memory functions. The kernel has its own
 * (kernel/string.c); the hosted build uses the C library's.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#ifdef MM_HOSTED
#include <string.h>
#else
#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
#endif

#endif
