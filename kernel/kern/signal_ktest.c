/*
 * signal_ktest.c - self-tests of the signal set logic (ktest=signal): which
 * pending signal a thread takes (signal_next), rt_sigprocmask's arithmetic
 * (signal_mask_change) and the mask of a running handler
 * (signal_handler_mask), against man 7 signal and Linux's kernel/signal.c.
 */
#include "ktest.h"
#include "signal.h"
#include "uapi/errno.h"

static void signal_next_order(ktest_t *t)
{
    bool own;
    int sig;

    KTEST_EXPECT(t, signal_next(0, 0, 0, &own) == 0, "nothing pending");
    sig = signal_next(SIG_BIT(SIGUSR2), SIG_BIT(SIGHUP), 0, &own);
    KTEST_EXPECT(t, sig == SIGUSR2 && own, "the thread's own first: %d", sig);
    sig = signal_next(0, SIG_BIT(SIGTERM) | SIG_BIT(SIGINT), 0, &own);
    KTEST_EXPECT(t, sig == SIGINT && !own, "then the lowest shared: %d", sig);
    sig = signal_next(SIG_BIT(SIGHUP) | SIG_BIT(SIGSEGV), 0, 0, &own);
    KTEST_EXPECT(t, sig == SIGSEGV, "synchronous before lower numbers: %d", sig);
    sig = signal_next(SIG_BIT(SIGUSR1), SIG_BIT(SIGUSR2), SIG_BIT(SIGUSR1), &own);
    KTEST_EXPECT(t, sig == SIGUSR2 && !own, "a blocked own one is skipped: %d", sig);
    sig = signal_next(SIG_BIT(SIGUSR1), 0, SIG_BIT(SIGUSR1), &own);
    KTEST_EXPECT(t, sig == 0, "only blocked ones: %d", sig);
    sig = signal_next(0, SIG_BIT(SIGKILL), ~0ull, &own);
    KTEST_EXPECT(t, sig == SIGKILL, "SIGKILL is never blocked: %d", sig);
    sig = signal_next(0, SIG_BIT(64), 0, &own);
    KTEST_EXPECT(t, sig == 64, "signal 64 (the last bit): %d", sig);
}

static void signal_mask_arith(ktest_t *t)
{
    uint64_t m = SIG_BIT(SIGUSR1);

    KTEST_EXPECT(t, signal_mask_change(SIG_BLOCK, SIG_BIT(SIGUSR2) | SIG_BIT(SIGKILL), &m) == 0 &&
                 m == (SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2)), "block: 0x%lx", m);
    KTEST_EXPECT(t, signal_mask_change(SIG_UNBLOCK, SIG_BIT(SIGUSR1), &m) == 0 &&
                 m == SIG_BIT(SIGUSR2), "unblock: 0x%lx", m);
    KTEST_EXPECT(t, signal_mask_change(SIG_SETMASK, ~0ull, &m) == 0 &&
                 m == ~SIG_UNBLOCKABLE, "setmask all: 0x%lx", m);
    KTEST_EXPECT(t, signal_mask_change(3, 0, &m) == -EINVAL && m == ~SIG_UNBLOCKABLE,
                 "bad how: 0x%lx", m);
}

static void signal_handler_masks(ktest_t *t)
{
    ksigaction_t act = { .handler = 0x401000, .flags = SA_SIGINFO,
                         .mask = SIG_BIT(SIGTERM) | SIG_BIT(SIGSTOP) };
    uint64_t m = signal_handler_mask(SIG_BIT(SIGHUP), &act, SIGUSR1);

    KTEST_EXPECT(t, m == (SIG_BIT(SIGHUP) | SIG_BIT(SIGTERM) | SIG_BIT(SIGUSR1)),
                 "old | sa_mask | sig, without SIGSTOP: 0x%lx", m);
    act.flags |= SA_NODEFER;
    m = signal_handler_mask(0, &act, SIGUSR1);
    KTEST_EXPECT(t, m == SIG_BIT(SIGTERM), "SA_NODEFER: 0x%lx", m);
}

static const ktest_case_t signal_cases[] = {
    { "next_order",     KTEST_ON_BSP, signal_next_order },
    { "mask_arith",     KTEST_ON_BSP, signal_mask_arith },
    { "handler_masks",  KTEST_ON_BSP, signal_handler_masks },
};
static const ktest_suite_t signal_suite = { "signal", KTEST_CASES(signal_cases) };
KTEST_SUITE(signal_suite);
