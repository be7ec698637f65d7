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
#include "thread.h"
#include "vmm.h"
#include "vseg.h"

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
    if (rc) {                            /* Linux's si_code: a mapping there or not */
        vseg_t v;
        uint64_t gen;

        thread_current()->sig_accerr =
            vsl_ref_find(PROCESS_FIELD(process_current_xp(), vmm), addr, &v, &gen);
    }
    irq_disable();
    return rc == 0 ? EXCEPTION_FAULT_RESOLVED : EXCEPTION_FAULT_FAILED;
}

/* si_code for that exception (Linux: arch/x86/kernel/traps.c, arch/x86/mm/fault.c). */
static int exception_code(const trap_frame_t *frame)
{
    switch (frame->vector) {
    case VEC_PAGE_FAULT: return thread_current()->sig_accerr ? SEGV_ACCERR : SEGV_MAPERR;
    case 0:              return FPE_INTDIV;
    case 6:              return ILL_ILLOPN;
    case 17:             return BUS_ADRALN;  /* #AC */
    case 3:              return SI_KERNEL;  /* int3: do_int3 sends SIGTRAP, SI_KERNEL */
    default:             return SI_KERNEL;  /* #GP and the others: SI_KERNEL, si_addr 0 */
    }
}

void exception_user(trap_frame_t *frame, uint64_t addr)
{
    int code = exception_code(frame);

    if (frame->vector != VEC_PAGE_FAULT && code == SI_KERNEL)
        addr = 0;
    signal_force_fault(exception_signal(frame->vector), code, addr);
}
