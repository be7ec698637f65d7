/*
 * trap.c - IDT and trap dispatch.
 *
 * The HAL sorts each trap out (exception or interrupt, user or kernel mode,
 * a fault in the user-copy routines, the EOI) and leaves every decision to
 * the kernel, through the upcalls of hal_upcalls.h: page faults and user
 * exceptions (exception_page_fault, exception_user), fatal exceptions and
 * NMIs (panic_exception, panic_nmi), the interrupt handlers by vector
 * (ipi_dispatch) and preemption (sched_preempt).
 */
#include "trap.h"
#include "cpu.h"
#include "apic.h"
#include "hal_upcalls.h"
#include "hal_user.h"

typedef struct idt_gate_s {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t  ist;
    uint8_t  type;          /* P | DPL | 0xE (64-bit interrupt gate) */
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t reserved;
} __attribute__((packed)) idt_gate_t;

static idt_gate_t idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_stub_table[256];

/* Mnemonic and name of exceptions 0-31 (Intel SDM Vol. 3A, 7.15) */
static const char *const exc_name[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD exception", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t a = trap_stub_table[v];

        idt[v].off_lo   = a & 0xffff;
        idt[v].sel      = SEL_KCODE;
        idt[v].ist      = (v == VEC_NMI || v == VEC_DOUBLE_FAULT) ? 1 : 0;
        /* INT3 and INTO may be used by user code: DPL 3 (SDM Vol. 3A, 7.12.1.1) */
        idt[v].type     = (v == 3 || v == 4) ? 0xee : 0x8e;
        idt[v].off_mid  = (a >> 16) & 0xffff;
        idt[v].off_hi   = a >> 32;
        idt[v].reserved = 0;
    }
}

void idt_load(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
        sizeof(idt) - 1, (uint64_t)idt
    };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

const char *hal_exception_name(uint64_t vector)
{
    return exc_name[vector & 31];
}

/*
 * A page fault: from user mode, or from the kernel's user-copy routines.
 * @return true when handled (resolved, or the process was ended, or the
 * copy was redirected to its failure exit).
 */
static bool trap_page_fault(trap_frame_t *f)
{
    uint64_t addr = read_cr2();
    bool user = (f->cs & 3) == 3;

    if (!user && !(hal_user_copy_rip(f->rip) && addr < USER_END))
        return false;                    /* a kernel bug: report it */
    switch (exception_page_fault(addr, (uint32_t)f->error)) {
    case EXCEPTION_FAULT_RESOLVED:
        return true;
    case EXCEPTION_FAULT_NO_PROCESS:
        return false;
    case EXCEPTION_FAULT_FAILED:
        break;
    }
    if (user) {
        exception_user(f, addr);         /* a signal, taken on the way back to user mode */
        return true;
    }
    return hal_user_fixup(f);
}

void hal_trap(trap_frame_t *f)
{
    if (f->vector == VEC_PAGE_FAULT && trap_page_fault(f))
        return;
    if (f->vector < 32 && f->vector != VEC_NMI && (f->cs & 3) == 3) {
        exception_user(f, f->vector == VEC_PAGE_FAULT ? read_cr2() : f->rip);
        return;                             /* the signal is taken by trap_return */
    }

    switch (f->vector) {
    case VEC_NMI:
        panic_nmi(f);                       /* the kernel: stop, report, or a backtrace */
        return;
    case VEC_SPURIOUS:
        break;                              /* no EOI for spurious (SDM 11.9) */
    default:
        if (f->vector < 32)
            panic_exception(f);
        if (f->vector >= VEC_PIC_BASE && f->vector < VEC_PIC_BASE + 16)
            break;                          /* spurious 8259 interrupt */
        ipi_dispatch((uint32_t)f->vector, (f->cs & 3) == 3); /* the kernel's (kernel/kern/ipi.c) */
        lapic_eoi();
        break;
    }
    if (f->vector >= 32)
        sched_preempt();                    /* interrupts only, never an exception */
}
