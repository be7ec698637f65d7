/*
 * benchutil.h - helpers of the benchmark programs (user/bin/procbench.c,
 * vmbench.c, cmpbench.c); header only.
 *
 * Timing with the TSC read in user mode, samples sorted for their median
 * and 99th percentile (nearest rank), and the figure line of the kernel
 * benchmark format that tools/bench.py reads:
 *
 *     bench: NAME n=N median=M p99=P cycles
 *
 * Plain Linux x86_64 only (no Archipel call), so that cmpbench stays one
 * binary for both kernels.
 */
#ifndef _BENCHUTIL_H_
#define _BENCHUTIL_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The time stamp counter (cycles), read with RDTSC. */
static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* qsort(3) order of uint64_t values: ascending. */
static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Sorts the @n (> 0) samples of @v in place. Returns the index of their
 * 99th percentile by nearest rank; the median is v[n / 2].
 */
static inline int bench_sort(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), bench_cmp_u64);
	int p99 = (n * 99 + 99) / 100 - 1;   /* nearest rank */
	return p99 < 0 ? 0 : p99;
}

/* Prints "bench: @name n=N median=M p99=P cycles" for the @n samples @v (sorted here). */
static inline void bench_report(const char *name, uint64_t *v, int n)
{
	int p99 = bench_sort(v, n);

	printf("bench: %s n=%d median=%llu p99=%llu cycles\n", name, n,
	       (unsigned long long)v[n / 2], (unsigned long long)v[p99]);
	fflush(stdout);
}

#endif /* _BENCHUTIL_H_ */
