/*
 * panic.c - stopping the machine on a broken kernel invariant: panic()
 * (declared in printk.h), the report of a fatal CPU exception and the NMI
 * that stops the other cores (the HAL's upcalls panic_exception() and
 * panic_nmi(), declared in hal_upcalls.h), and symbolized backtraces.
 *
 * The panicking core stops every other one with an NMI, takes the console
 * without its lock, prints, then powers the machine off with status 3 (or
 * halts for the debugger with panic=halt).
 */
#include <stdarg.h>
#include "hal_upcalls.h"
#include "printk.h"
#include "ksym.h"
#include "boot_info.h"
#include "core.h"
#include "cpu.h"
#include "apic.h"
#include "hal_cpu.h"
#include "lockup.h"

static volatile uint32_t panic_owner = 0;     /* 1 + gid of the panicking core */

/* Stops every other core and takes the console; a second panicking core halts. */
static void panic_begin(void)
{
    core_t *core = core_self();
    uint32_t expected = 0;

    irq_disable();
    if (!__atomic_compare_exchange_n(&panic_owner, &expected, core->gid + 1, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        hal_halt_forever();
    lapic_send_nmi_others();
    udelay(20000);                 /* let them take the NMI before we print */
    printk_bypass_lock = 1;
}

static void panic_end(void) __attribute__((noreturn));
static void panic_end(void)
{
    if (boot_info.opt_panic_halt) {
        printk("PANIC: all cores stopped; halted for the debugger (panic=halt)");
        hal_halt_forever();
    }
    printk("PANIC: all cores stopped; powering off with status 3");
    hal_poweroff(3);
}

/*
 * Prints a symbolized backtrace following the frame-pointer chain from
 * @rbp (the kernel is built with -fno-omit-frame-pointer), at most @max
 * frames, with @rip as frame #0.
 */
/*
 * Prints the frame chain from @rip/@rbp. @rip is a return address when
 * @from_call (the call of a noreturn function may be the last instruction
 * of its caller: the return address then lies past it, so return addresses
 * are looked up one byte back, as Linux's unwinder does); every caller
 * frame's is.
 */
static void panic_backtrace(uint64_t rip, uint64_t rbp, int max, bool from_call)
{
    uint64_t off;
    const char *name;

    printk("  backtrace:");
    for (int i = 0; i < max; i++) {
        uint64_t back = (i > 0 || from_call) ? 1 : 0;

        name = ksym_lookup(rip - back, &off);
        if (name)
            printk("    #%d 0x%016lx %s+0x%lx", i, rip, name, off + back);
        else
            printk("    #%d 0x%016lx ?", i, rip);
        /* the frame chain stays inside the kernel half and grows upwards */
        if (rbp < DIRECT_MAP_BASE || (rbp & 7))
            break;
        rip = ((uint64_t *)rbp)[1];
        rbp = ((uint64_t *)rbp)[0];
        if (rip < KERNEL_VMA)
            break;
    }
}

void panic(const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    panic_begin();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printk("PANIC: %s", msg);
    /* frame #0 is panic's caller: start from our own frame record */
    panic_backtrace((uint64_t)__builtin_return_address(0),
                    *(uint64_t *)__builtin_frame_address(0), 16, true);
    panic_end();
}

/* Prints everything known about an exception in the kernel, then stops. */
void panic_exception(trap_frame_t *f)
{
    core_t *core = core_self();
    uint64_t off;
    const char *sym = ksym_lookup(f->rip, &off);

    panic_begin();
    printk("PANIC: exception %s (vector %lu) error 0x%lx on core %u.%u (apic %u)",
           hal_exception_name(f->vector), f->vector, f->error, core->cxy, core->lid,
           core->apic_id);
    printk("  rip 0x%016lx <%s+0x%lx>  cr2 0x%016lx", f->rip, sym ? sym : "?",
           sym ? off : 0, read_cr2());
    printk("  rflags 0x%016lx cs 0x%lx ss 0x%lx rsp 0x%016lx", f->rflags, f->cs, f->ss, f->rsp);
    printk("  rax 0x%016lx rbx 0x%016lx rcx 0x%016lx rdx 0x%016lx", f->rax, f->rbx, f->rcx, f->rdx);
    printk("  rsi 0x%016lx rdi 0x%016lx rbp 0x%016lx r8  0x%016lx", f->rsi, f->rdi, f->rbp, f->r8);
    printk("  r9  0x%016lx r10 0x%016lx r11 0x%016lx r12 0x%016lx", f->r9, f->r10, f->r11, f->r12);
    printk("  r13 0x%016lx r14 0x%016lx r15 0x%016lx cr3 0x%016lx", f->r13, f->r14, f->r15, read_cr3());
    panic_backtrace(f->rip, f->rbp, 16, false);
    panic_end();
}

void panic_nmi(trap_frame_t *f)
{
    if (panic_owner)
        hal_halt_forever();             /* another core panicked: stop here */
    if (lockup_nmi(f))
        return;                         /* a backtrace was asked of this core */
    panic_exception(f);
}

/* ---- stack protector (DEBUG kernels) -------------------------------------------- */

uint64_t __stack_chk_guard = 0x595e9fbd94fda766ull;   /* replaced at boot */

void stack_protector_init(void)
{
    uint32_t a, b, c, d;
    uint64_t seed = rdtsc() * 0x9e3779b97f4a7c15ull, r = 0;

    cpuid(1, 0, &a, &b, &c, &d);
    if (c & (1u << 30)) {
        for (int tries = 0; tries < 10; tries++) {
            uint8_t ok;

            __asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
            if (ok)
                break;
            r = 0;
        }
    }
    /* a zero byte first, as glibc's canary: a string overflow cannot copy past it */
    __stack_chk_guard = (seed ^ r) << 8;
}

void __stack_chk_fail(void)
{
    uint64_t off = 0;
    uint64_t ret = (uint64_t)__builtin_return_address(0);
    const char *fn = ksym_lookup(ret - 1, &off);     /* the call may end the function */

    panic("stack smashing detected: the canary of %s's frame (return 0x%lx) was overwritten",
          fn ? fn : "?", ret);
}
