/*
 * ipi.c - traced inter-processor interrupts and the table of interrupt
 * handlers by vector (see ipi.h).
 *
 * The vectors (the timer's in hal/x86_64/trap.h, the IPIs' in ipi.h; Intel
 * SDM Vol. 3A 7.2: 0-31 are the CPU's exceptions, 32-255 are free for the
 * system) and who raises them:
 *
 *   VEC_TIMER      0x20  the local APIC timer of each core, every TICK_US
 *                        (lapic_timer_start(); SDM Vol. 3A 11.5.4)
 *   VEC_WAKE       0x21  IPI: wake a halted core and reschedule (thread_unblock, boot)
 *   VEC_RPC        0x22  IPI: a request was posted to this cluster's RPC FIFO (rpc.c)
 *   VEC_PING       0x23  IPI: benchmark, answered with VEC_PONG (bench.c)
 *   VEC_PONG       0x24  IPI: benchmark, the answer to VEC_PING (bench.c)
 *   VEC_SHOOTDOWN  0x25  IPI: flush this core's TLB and acknowledge (tlb.c)
 *   VEC_CONSOLE    0x30  device: COM1's receive interrupt, ISA IRQ 4 through the
 *                        I/O APIC to the first core of cluster 0 (console.c)
 *
 * IPIs are sent through the local APIC's ICR (SDM Vol. 3A, 11.6 "Issuing
 * interprocessor interrupts"). The NMI that stops every core on a panic, the
 * spurious vector (0xff) and the masked 8259 PICs' vectors (0xe0-0xef) are
 * the HAL's and never reach this table.
 */
#include "ipi.h"
#include "hal_upcalls.h"
#include "core.h"
#include "apic.h"
#include "trace.h"
#include "sched.h"
#include "rpc.h"
#include "bench.h"
#include "tlb.h"
#include "printk.h"
#include "vfs.h"
#include "lockup.h"
#include "hung_task.h"

/* Handler of each vector, NULL when none (read-only after ipi_init()). */
static ipi_handler_t ipi_table[256];

/*
 * VEC_TIMER: one more tick of this core; the scheduler decides whether to
 * preempt; the lockup and hung-task detectors look (@from_user: it
 * interrupted user mode).
 */
static void ipi_timer(bool from_user)
{
    core_self()->ticks++;
    sched_tick();
    lockup_tick(from_user);
    hung_task_tick();
}

/* VEC_WAKE: the core was woken (halted in its idle loop) so that it reschedules. */
static void ipi_wake(void)
{
    trace(TRACE_IPI_RECV, VEC_WAKE, 0, 0);
    core_self()->sched.need_resched = 1;
}

void ipi_init(void)
{
    ipi_table[VEC_WAKE]      = ipi_wake;
    ipi_table[VEC_RPC]       = rpc_ipi_handler;
    ipi_table[VEC_PING]      = bench_ping_ipi_handler;
    ipi_table[VEC_PONG]      = bench_pong_ipi_handler;
    ipi_table[VEC_SHOOTDOWN] = vmm_shootdown_ipi;
    ipi_table[VEC_CONSOLE]   = console_irq;
}

void ipi_dispatch(uint32_t vector, bool from_user)
{
    if (vector == VEC_TIMER) {
        ipi_timer(from_user);
        return;
    }
    ipi_handler_t handler = vector < 256 ? ipi_table[vector] : NULL;

    if (handler == NULL) {
        printk("warning: unexpected interrupt vector %u", vector);
        return;
    }
    handler();
}

void ipi_send(core_t *target, uint8_t vector)
{
    trace(TRACE_IPI_SEND, vector, ((uint64_t)target->cxy << 16) | target->lid, 0);
    lapic_send_ipi(target->apic_id, vector);
}
