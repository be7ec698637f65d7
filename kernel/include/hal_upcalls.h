/*
 * hal_upcalls.h - the kernel functions the HAL may call, and nothing else.
 *
 * hal/ sits below the kernel (ARCHITECTURE.md, "Layering"): its files include
 * only hal/ and boot/ headers, compiler headers, and this one, and the build
 * enforces it (the Makefile compiles hal/ with -Ihal/x86_64 -Iboot
 * -Ikernel/include only). Everything the HAL needs from above is declared
 * here: the string functions and errno values of kstring.h and kerrno.h,
 * and the upcalls, each implemented in the kernel file named with it. The
 * kernel files implementing them include this header, so the compiler
 * checks each definition against its declaration.
 */
#ifndef _HAL_UPCALLS_H_
#define _HAL_UPCALLS_H_

#include <stdint.h>
#include "kstring.h"
#include "kerrno.h"
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
 * A non-maskable interrupt (vector 2). The kernel sends NMIs only to stop
 * the other cores when one panics: then the calling core halts for good.
 * Any other NMI is reported like panic_exception(). Never returns.
 * @frame : the trap frame of the NMI (taken on the IST1 stack).
 */
void panic_nmi(trap_frame_t *frame) __attribute__((noreturn));

/* ---- interrupts: kernel/kern/ipi.c ---------------------------------------------- */

/*
 * Interrupt @vector (32-255: not the spurious vector, not a PIC's) arrived
 * on the calling core: runs the kernel's handler of that vector (the table
 * of ipi.c) or, for a vector without one, prints a warning. The caller
 * sends the EOI afterwards. Interrupt context, interrupts off.
 */
void ipi_dispatch(uint32_t vector);

#endif
