/*
 * ipi.h - inter-processor interrupts between kernel cores, traced.
 */
#ifndef _IPI_H_
#define _IPI_H_

#include <stdint.h>

struct core_s;

/*
 * Sends interrupt @vector (trap.h VEC_*) to core @target (any cluster),
 * recording TRACE_IPI_SEND. Any context.
 */
void ipi_send(struct core_s *target, uint8_t vector);

#endif
