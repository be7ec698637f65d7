/*
 * ipi.h - inter-processor interrupts between kernel cores, traced, and the
 * table of the kernel's interrupt handlers by vector.
 *
 * The IPI vectors below are the kernel's choice, in the range the HAL
 * leaves free (trap.h: between its LAPIC timer vector VEC_TIMER and the
 * PICs' VEC_PIC_BASE; Intel SDM Vol. 3A, 7.2 "Exception and interrupt
 * vectors"). Which kernel function handles each IPI vector is set once
 * in ipi_init() (ipi.c lists them); the timer's (VEC_TIMER) is called
 * directly, with whether it interrupted user mode. The HAL's trap
 * dispatch asks that table through the upcall ipi_dispatch()
 * (hal_upcalls.h) and sends the local APIC's EOI after it (SDM Vol. 3A,
 * 11.8.5 "Signaling interrupt servicing completion").
 */
#ifndef _IPI_H_
#define _IPI_H_

#include <stdint.h>
#include "trap.h"

#define VEC_WAKE         0x21    /* IPI: wake a halted core and reschedule */
#define VEC_RPC          0x22    /* IPI: a request was posted to this cluster's RPC FIFO */
#define VEC_PING         0x23    /* IPI: benchmark, answer with VEC_PONG */
#define VEC_PONG         0x24    /* IPI: benchmark, answer to VEC_PING */
#define VEC_SHOOTDOWN    0x25    /* IPI: flush this core's TLB and acknowledge (tlb.c) */
#define VEC_CONSOLE      0x30    /* I/O APIC: COM1 received bytes (ISA IRQ 4, console.c) */

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
 * Sends interrupt @vector (VEC_* above) to core @target (any cluster),
 * recording TRACE_IPI_SEND. Any context.
 */
void ipi_send(struct core_s *target, uint8_t vector);

#endif
