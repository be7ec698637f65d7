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
#define SIGURG  23
#define SIGWINCH 28

/* struct sigaction as the x86_64 kernel sees it (rt_sigaction(2)), 32 bytes */
typedef struct ksigaction_s {
    uint64_t handler;            /* sa_handler: SIG_DFL, SIG_IGN or a user address */
    uint64_t flags;              /* sa_flags: SA_* */
    uint64_t restorer;           /* sa_restorer: user address of the sigreturn trampoline */
    uint64_t mask;               /* sa_mask: signals blocked while the handler runs */
} ksigaction_t;

#endif
