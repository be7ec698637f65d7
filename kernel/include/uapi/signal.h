/*
 * uapi/signal.h - Linux x86_64 signal numbers and the sigaction layout of
 * rt_sigaction(2), as the kernel uses them.
 *
 * From Linux's arch/x86/include/uapi/asm/signal.h (signal numbers, struct
 * sigaction of x86_64) and arch/x86/include/asm/signal.h (_NSIG: signals
 * 1..64, the bits of a sigset_t). SIG_BLOCK and SIG_DFL are in
 * uapi/signal_defs.h. tests/host/test_uapi.c checks every value against
 * the system's <asm/signal.h>.
 */
#ifndef _UAPI_SIGNAL_H_
#define _UAPI_SIGNAL_H_

#include <stdint.h>

#define NSIG             64      /* signals are 1..NSIG; bit sig-1 of a 64-bit sigset_t */

#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG  23
#define SIGWINCH 28
#define SIGRTMIN 32              /* the real-time signals: SIGRTMIN..SIGRTMAX, they queue */
#define SIGRTMAX 64

/* sa_flags of struct sigaction: <asm-generic/signal-defs.h>, SA_RESTORER from <asm/signal.h> */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO   0x00000004u  /* handler(sig, siginfo_t *, ucontext_t *) */
#define SA_RESTORER  0x04000000u  /* sa_restorer is the return address (musl, glibc: always) */
#define SA_ONSTACK   0x08000000u  /* run on the sigaltstack(2) stack */
#define SA_RESTART   0x10000000u  /* restart interrupted system calls */
#define SA_NODEFER   0x40000000u  /* do not block the signal in its handler */
#define SA_RESETHAND 0x80000000u  /* back to SIG_DFL when delivered */

/* sigaltstack(2): <linux/signal.h> (SS_*), <asm/signal.h> (MINSIGSTKSZ) */
#define SS_ONSTACK    1           /* ss_flags: now running on it */
#define SS_DISABLE    2           /* ss_flags: no alternate stack */
#define MINSIGSTKSZ   2048        /* bytes: the smallest stack accepted */

/* stack_t of sigaltstack(2) (<asm/signal.h>), 24 bytes */
typedef struct kstack_s {
    uint64_t ss_sp;              /* user address of the lowest byte */
    int32_t  ss_flags;           /* SS_* */
    int32_t  pad;
    uint64_t ss_size;            /* bytes */
} kstack_t;

/* struct sigaction as the x86_64 kernel sees it (rt_sigaction(2)), 32 bytes */
typedef struct ksigaction_s {
    uint64_t handler;            /* sa_handler: SIG_DFL, SIG_IGN or a user address */
    uint64_t flags;              /* sa_flags: SA_* */
    uint64_t restorer;           /* sa_restorer: user address of the sigreturn trampoline */
    uint64_t mask;               /* sa_mask: signals blocked while the handler runs */
} ksigaction_t;

#endif
