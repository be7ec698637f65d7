/*
 * ipi.h - inter-processor interrupts between kernel cores, traced, and the
 * table of the kernel's interrupt handlers by vector.
 *
 * The vectors are the HAL's (trap.h VEC_*, 32-255: Intel SDM Vol. 3A,
 * 7.2 "Exception and interrupt vectors"); which kernel function handles
 * each one is the kernel's choice, made once in ipi_init() (ipi.c lists
 * them). The HAL's trap dispatch asks the table through the upcall
 * ipi_dispatch() (hal_upcalls.h) and sends the local APIC's EOI after it
 * (SDM Vol. 3A, 11.8.5 "Signaling interrupt servicing completion").
 */
#ifndef _IPI_H_
#define _IPI_H_

#include <stdint.h>

struct core_s;

/*
 * A handler of one interrupt vector: runs on the interrupted core, in
 * interrupt context (interrupts off, must not block), before the EOI.
 */
typedef void (*ipi_handler_t)(void);

/*
 * Fills the table of interrupt handlers by vector (the list is in ipi.c).
 * Bootstrap core, once, first thing at boot: before any interrupt is
 * enabled and any other core starts; read-only afterwards (read-mostly
 * boot information, invariant 1).
 */
void ipi_init(void);

/*
 * Sends interrupt @vector (trap.h VEC_*) to core @target (any cluster),
 * recording TRACE_IPI_SEND. Any context.
 */
void ipi_send(struct core_s *target, uint8_t vector);

#endif
