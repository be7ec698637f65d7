/*
 * exception.c - what the kernel does about a CPU exception the HAL cannot
 * handle alone: a page fault is resolved in the running process's address
 * space, and an exception in user mode that was not resolved ends the
 * process with the signal Linux sends for it. These are the HAL's upcalls
 * exception_page_fault() and exception_user() (declared in hal_upcalls.h);
 * an exception in kernel mode is a kernel bug, reported by panic.c.
 */
#include "hal_upcalls.h"
#include "cpu.h"
#include "process.h"
#include "signal.h"
#include "vmm.h"

/* Signal for an exception in user mode (what Linux sends for it). */
static int exception_signal(uint64_t vector)
{
    switch (vector) {
    case 0:  return SIGFPE;       /* #DE */
    case 16: return SIGFPE;       /* #MF */
    case 19: return SIGFPE;       /* #XM */
    case 1:
    case 3:  return SIGTRAP;      /* #DB, #BP */
    case 6:  return SIGILL;       /* #UD */
    case 17: return SIGBUS;       /* #AC */
    default: return SIGSEGV;      /* #GP (privileged instructions), #SS, #NP, #PF ... */
    }
}

exception_fault_t exception_page_fault(uint64_t addr, uint32_t error)
{
    process_t *p = process_copy_current();
    int rc;

    if (p == NULL)
        return EXCEPTION_FAULT_NO_PROCESS;
    irq_enable();                        /* the VMM may block (locks, RPC) */
    rc = vmm_handle_fault(&p->vmm, addr, error);
    irq_disable();
    return rc == 0 ? EXCEPTION_FAULT_RESOLVED : EXCEPTION_FAULT_FAILED;
}

void exception_user(trap_frame_t *frame, uint64_t addr)
{
    process_fault_kill(frame, exception_signal(frame->vector), addr);
}
