/*
 * xorshift.h - Marsaglia's xorshift64 (shifts 13, 7, 17): the one small
 * deterministic pseudo-random generator of the tree, for tests, the
 * benchmarks' free order (shared/bench/WORKLOADS.md defines it so) and the
 * pictures. Not for anything an attacker may guess: arch_random_u64 is the
 * source of the hardening keys.
 */
#ifndef KERNEL_XORSHIFT_H
#define KERNEL_XORSHIFT_H

#include <stdint.h>

/* Advance *state (never 0) and return the new value. */
static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif
