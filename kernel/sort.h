/*
 * sort.h - in-place heapsort of an array of unsigned longs: O(n log n) in
 * the worst case, no memory beyond the array, no recursion (so it is safe on
 * a small kernel stack and with locks held). Used by invariant checkers that
 * look for duplicates.
 */
#ifndef KERNEL_SORT_H
#define KERNEL_SORT_H

#include <stddef.h>

/* Move a[i] down the max-heap a[0..n-1] until both children are smaller. */
static inline void sort_ulong_sift(unsigned long *a, size_t i, size_t n)
{
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[i] >= a[child])
			return;
		unsigned long t = a[i];
		a[i] = a[child];
		a[child] = t;
		i = child;
	}
}

/* Sort a[0..n-1] in ascending order. */
static inline void sort_ulong(unsigned long *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sort_ulong_sift(a, i, n);
	for (size_t end = n; end-- > 1;) {
		unsigned long t = a[0];
		a[0] = a[end];
		a[end] = t;
		sort_ulong_sift(a, 0, end);
	}
}

#endif
