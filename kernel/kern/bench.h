/*
 * bench.h - in-kernel micro-benchmarks (kernel command line bench=rpc).
 *
 * Each figure is measured in the same boot as the figure it is compared
 * with, in TSC cycles, and printed as one console line
 *   bench: NAME n=N median=M p99=P cycles
 * which tools/bench.py turns into a table and JSON. No figure is asserted:
 * the machines are shared and noisy (see README, make bench).
 */
#ifndef _BENCH_H_
#define _BENCH_H_

#include <stdint.h>

/*
 * The bare IPI round trip (ipi.c's table): VEC_PING answers the pinging
 * core with VEC_PONG; VEC_PONG counts the answer. Interrupt context.
 */
void bench_ping_ipi_handler(void);
void bench_pong_ipi_handler(void);

/* Runs the benchmarks named by @what ("rpc"). Bootstrap core, in a thread. */
void bench_run(const char *what);

#endif
