/*
 * hal_upcalls.h - the kernel functions the HAL may call, and nothing else.
 *
 * hal/ sits below the kernel (ARCHITECTURE.md, "Layering"): its files include
 * only hal/ and boot/ headers, compiler headers, and this one, and the build
 * enforces it (the Makefile compiles hal/ with -Ihal/x86_64 -Iboot
 * -Ikernel/include only). Everything the HAL needs from above is declared
 * here: the string functions and errno values of kstring.h and uapi/errno.h,
 * and the upcalls, each implemented in the kernel file its section names.
 * Those files include this header, so the compiler checks each definition
 * against its declaration; the last three upcalls are also declared for
 * the kernel in sched.h, thread_user.h and syscall.h (ipi.c and exception.c see
 * both declarations of the first two).
 */
#ifndef _HAL_UPCALLS_H_
#define _HAL_UPCALLS_H_

#include <stdint.h>
#include <stdbool.h>
#include "kstring.h"
#include "uapi/errno.h"
#include "trap.h"

/* ---- fatal reports: kernel/kern/panic.c ------------------------------------------ */

/*
 * An exception the kernel cannot survive (in kernel mode, or with no
 * process to blame): prints the exception report ("PANIC: exception ...",
 * the registers of @frame, CR2 and CR3, a backtrace symbolized with the
 * kernel's symbols) after stopping every other core (NMI), then ends the
 * run like panic(). Any core, interrupts off. Never returns.
 * @frame : the trap frame of the exception (trap_entry.S).
 */
void panic_exception(trap_frame_t *frame) __attribute__((noreturn));

/*
 * A non-maskable interrupt (vector 2). The kernel sends NMIs to stop the
 * other cores when one panics (then the calling core halts for good) and to
 * ask a core for its backtrace (kernel/kern/lockup.h: then it records it
 * and returns). Any other NMI is reported like panic_exception().
 * @frame : the trap frame of the NMI (taken on the IST1 stack).
 */
void panic_nmi(trap_frame_t *frame);

/* ---- exceptions: kernel/kern/exception.c ---------------------------------------- */

/* What the kernel made of a page fault (exception_page_fault()). */
typedef enum exception_fault_e {
    EXCEPTION_FAULT_RESOLVED,      /* the page is mapped now: retry the instruction */
    EXCEPTION_FAULT_NO_PROCESS,    /* no process runs on this core: a kernel bug, report it */
    EXCEPTION_FAULT_FAILED,        /* the VMM refused (no vseg, protection) or lacked memory */
} exception_fault_t;

/*
 * A page fault at user address @addr, in user mode or in the HAL's
 * user-copy routines, resolved in the running thread's process copy (the
 * VMM's vmm_handle_fault(): zero-fill, file page, COW, global fault...).
 * Runs on the faulting core, in its thread; called with interrupts off,
 * enables them while the VMM works (it may block on locks and RPCs) and
 * returns with them off.
 * @addr  : the faulting virtual address (CR2), bytes.
 * @error : the CPU's page-fault error code (Intel SDM Vol. 3A, 4.7).
 * @return the outcome (above).
 */
exception_fault_t exception_page_fault(uint64_t addr, uint32_t error);

/*
 * An exception in user mode that was not resolved: forces on the calling
 * thread the signal Linux sends for @frame->vector (SIGFPE for #DE #MF #XM,
 * SIGTRAP for #DB #BP, SIGILL for #UD, SIGBUS for #AC, SIGSEGV for the
 * others), with Linux's si_code and si_addr, and returns: the HAL returns
 * through trap_return, whose thread_user_return delivers it (a handler
 * runs; default action: "pid N (name) segfault at ADDR ip RIP cluster C"
 * is logged and the process ends). Interrupts off.
 * @frame : the trap frame, from user mode.
 * @addr  : the faulting address: CR2 for a page fault, else the faulting RIP.
 */
void exception_user(trap_frame_t *frame, uint64_t addr);

/* ---- page-table pages: kernel/mm/ppm.c ------------------------------------------- */

/*
 * A zeroed page (4 KiB) of cluster @cxy's memory, for a table of a GPT
 * that lives there (invariant 5: from the PPM, never from the VMM). From the
 * local PPM when @cxy is the calling core's cluster; otherwise allocated by
 * the PPM of @cxy through an RPC_PPM_ALLOC request (invariant 2: the caller
 * is a thread holding no busylock, it blocks) and zeroed from here by
 * remote access. Takes the PPM lock of @cxy (in the RPC server when remote).
 * @cxy : the cluster whose memory must hold the page.
 * @return its physical address (bytes), or 0 when @cxy has no free page.
 */
uint64_t ppm_remote_alloc_zeroed(uint32_t cxy);

/*
 * Frees the page at physical address @phys (bytes), allocated by
 * ppm_remote_alloc_zeroed() in the calling core's cluster: it must run in
 * the page's own cluster (else panic). Takes the local PPM lock.
 */
void ppm_free_phys(uint64_t phys);

/* ---- interrupts: kernel/kern/ipi.c ---------------------------------------------- */

/*
 * Interrupt @vector (32-255: not the spurious vector, not a PIC's) arrived
 * on the calling core: runs the kernel's handler of that vector (the table
 * of ipi.c) or, for a vector without one, prints a warning. The caller
 * sends the EOI afterwards. Interrupt context, interrupts off.
 * @from_user : the interrupt came while the core ran in user mode (CS.RPL 3).
 */
void ipi_dispatch(uint32_t vector, bool from_user);

/* ---- scheduling, return to user mode, system calls: sched.c, signal.c, syscall.c ---- */

/*
 * At the end of an interrupt (not an exception): switches to another
 * thread if a reschedule was asked for (the timer's tick, a wake-up IPI).
 * Called by hal_trap() with interrupts off. Also declared in sched.h.
 */
void sched_preempt(void);

/*
 * On the way back to user mode (trap_entry.S, before the frame is
 * restored), in the thread's cluster: acts on pending signals (the lowest
 * one's default action ends the process), then moves the thread when its
 * core left its affinity mask. Called with interrupts off; may enable
 * them; returns with them off, or never (the process ended, the thread
 * moved away). Defined in thread_user.c (declared in thread_user.h too).
 * @frame : the user context that IRETQ restores.
 */
void thread_user_return(trap_frame_t *frame);

/*
 * The system call of @frame (syscall_entry.S, after SYSCALL): number in
 * @frame->rax, arguments in rdi rsi rdx r10 r8 r9 (Linux x86_64 ABI), its
 * result (or -errno) written to @frame->rax. Runs in the calling thread,
 * interrupts enabled; may block. Also declared in syscall.h.
 */
void syscall_dispatch(trap_frame_t *frame);

#endif
