/*
 * uapi/sigcontext.h - what a signal handler receives on Linux x86_64: the
 * siginfo_t, the ucontext and its struct sigcontext, and the codes of
 * si_code.
 *
 * From Linux's include/uapi/asm-generic/siginfo.h (siginfo_t, SI_*,
 * SEGV_*, BUS_*, ...), arch/x86/include/uapi/asm/sigcontext.h (struct
 * sigcontext of x86_64), include/uapi/asm-generic/ucontext.h and
 * arch/x86/include/uapi/asm/ucontext.h (struct ucontext, UC_*). The frame
 * itself (struct rt_sigframe) is arch/x86/include/asm/sigframe.h: it is
 * kernel-internal, see kernel/kern/sigframe.c. tests/host/test_uapi.c checks
 * every value and layout against the host's headers.
 */
#ifndef _UAPI_SIGCONTEXT_H_
#define _UAPI_SIGCONTEXT_H_

#include <stdint.h>
#include "uapi/signal.h"

/* si_code: <asm-generic/siginfo.h> */
#define SI_USER      0           /* kill(2) */
#define SI_KERNEL    0x80        /* sent by the kernel */
#define SI_TKILL     (-6)        /* tkill(2), tgkill(2) */
#define SI_QUEUE     (-1)        /* sigqueue(3): rt_sigqueueinfo(2) */
#define SI_TIMER     (-2)        /* a POSIX timer expired (timer_create(2)) */
#define SEGV_MAPERR  1           /* SIGSEGV: address not mapped */
#define SEGV_ACCERR  2           /* SIGSEGV: invalid permissions */
#define BUS_ADRALN   1           /* SIGBUS: invalid address alignment (#AC) */
#define ILL_ILLOPN   2           /* SIGILL: illegal operand */
#define FPE_INTDIV   1           /* SIGFPE: integer divide by zero */
#define TRAP_BRKPT   1           /* SIGTRAP: breakpoint */
#define CLD_EXITED   1           /* SIGCHLD: the child exited (si_status: its exit code) */
#define CLD_KILLED   2           /* SIGCHLD: a signal killed it (si_status: the signal) */
#define CLD_DUMPED   3           /* SIGCHLD: ... and it dumped core */
#define CLD_STOPPED  5           /* SIGCHLD: a stop signal stopped it (si_status: the signal) */
#define CLD_CONTINUED 6          /* SIGCHLD: SIGCONT resumed it (si_status: SIGCONT) */

/* uc_flags: <asm/ucontext.h> */
#define UC_FP_XSTATE         0x1 /* the FPU area is an XSAVE image (never here: FXSAVE) */
#define UC_SIGCONTEXT_SS     0x2 /* sigcontext.ss is meaningful */
#define UC_STRICT_RESTORE_SS 0x4 /* rt_sigreturn restores ss as it is */

/* siginfo_t (<asm-generic/siginfo.h>), 128 bytes; the union's members used here */
typedef struct ksiginfo_s {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    int32_t pad0;
    union {
        struct { int32_t pid; uint32_t uid; } kill;      /* SI_USER, SI_TKILL */
        struct { int32_t pid; uint32_t uid; uint64_t value; } rt;  /* SI_QUEUE (pid, uid),
                                           SI_TIMER (timer id, overrun): si_value */
        struct { uint64_t addr; } fault;                 /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
        struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad;
                 int64_t utime, stime; } chld;           /* SIGCHLD (CLD_*) */
        uint8_t pad[112];
    } u;
} ksiginfo_t;

/* struct sigcontext of x86_64 (<asm/sigcontext.h>), 256 bytes */
typedef struct ksigcontext_s {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;            /* user address of the 512-byte FXSAVE image, 0: none */
    uint64_t reserved1[8];
} ksigcontext_t;

/* struct ucontext (<asm-generic/ucontext.h>), 304 bytes */
typedef struct kucontext_s {
    uint64_t      uc_flags;      /* UC_* */
    uint64_t      uc_link;
    kstack_t      uc_stack;
    ksigcontext_t uc_mcontext;
    uint64_t      uc_sigmask;
} kucontext_t;

#endif
