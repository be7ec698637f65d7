/*
 * ipi.c - traced inter-processor interrupts (see ipi.h).
 */
#include "ipi.h"
#include "core.h"
#include "apic.h"
#include "trace.h"

void ipi_send(core_t *target, uint8_t vector)
{
    trace(TRACE_IPI_SEND, vector, ((uint64_t)target->cxy << 16) | target->lid, 0);
    lapic_send_ipi(target->apic_id, vector);
}
