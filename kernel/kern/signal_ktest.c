/*
 * signal_ktest.c - self-tests of the signal set logic (ktest=signal): which
 * pending signal a thread takes (signal_next), rt_sigprocmask's arithmetic
 * (signal_mask_change), the mask of a running handler
 * (signal_handler_mask) and the queue of signals with their siginfo
 * (sigq_push, sigq_pop, sigq_flush), and the tty's predicate
 * signal_is_ignored_or_blocked, against man 7 signal and Linux's
 * kernel/signal.c.
 */
#include "ktest.h"
#include "signal.h"
#include "process.h"
#include "thread.h"
#include "cluster.h"
#include "kstring.h"
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

static sigq_entry_t sigq_ent(uint32_t tid, int sig, uint64_t value)
{
    sigq_entry_t e = { .tid = tid, .sig = sig, .code = SI_QUEUE, .value = value };

    return e;
}

static void signal_queue_order(ktest_t *t)
{
    static sigq_t q;                     /* 1 KiB: not on the test's stack */
    sigq_entry_t e;
    int left;

    q.n = 0;
    KTEST_EXPECT(t, sigq_pop(&q, 0, 40, &e) == -1, "empty queue");
    sigq_push(&q, &(sigq_entry_t){ .tid = 0, .sig = 40, .code = SI_QUEUE, .value = 1 });
    e = sigq_ent(7, 40, 2);
    sigq_push(&q, &e);                   /* the same signal for thread 7 */
    e = sigq_ent(0, 40, 3);
    sigq_push(&q, &e);
    e = sigq_ent(0, 33, 4);
    sigq_push(&q, &e);
    left = sigq_pop(&q, 0, 40, &e);
    KTEST_EXPECT(t, left == 1 && e.value == 1, "oldest first, one left: %d value %lu", left,
                 e.value);
    left = sigq_pop(&q, 0, 40, &e);
    KTEST_EXPECT(t, left == 0 && e.value == 3, "then the next, none left: %d value %lu", left,
                 e.value);
    KTEST_EXPECT(t, sigq_pop(&q, 0, 40, &e) == -1, "the process's are gone");
    left = sigq_pop(&q, 7, 40, &e);
    KTEST_EXPECT(t, left == 0 && e.value == 2 && e.tid == 7, "thread 7's own: %d", left);
    KTEST_EXPECT(t, q.n == 1 && q.e[0].sig == 33, "the other signal stays: n %u", q.n);
}

static void signal_queue_limit_flush(ktest_t *t)
{
    static sigq_t q;
    sigq_entry_t e;
    int i;

    q.n = 0;
    for (i = 0; i < SIGQ_MAX; i++) {
        e = sigq_ent(i % 2 ? 9 : 0, i % 3 ? 34 : 35, (uint64_t)i);
        KTEST_EXPECT(t, sigq_push(&q, &e) == 0, "push %d", i);
    }
    e = sigq_ent(0, 34, 99);
    KTEST_EXPECT(t, sigq_push(&q, &e) == -EAGAIN && q.n == SIGQ_MAX, "full: -EAGAIN");
    sigq_flush(&q, 9, SIG_BIT(34));      /* thread 9's SIGRTMIN+2 */
    for (i = 0; i < (int)q.n; i++)
        KTEST_EXPECT(t, !(q.e[i].tid == 9 && q.e[i].sig == 34), "flushed entry %d left", i);
    KTEST_EXPECT(t, q.n < SIGQ_MAX && q.n > 0, "some flushed, some kept: %u", q.n);
    for (i = 1; i < (int)q.n; i++)
        KTEST_EXPECT(t, q.e[i].value > q.e[i - 1].value, "order kept at %d", i);
    sigq_flush(&q, SIGQ_ANY_TID, ~0ull);
    KTEST_EXPECT(t, q.n == 0, "all flushed: %u", q.n);
}

static void signal_queue_timer_merge(ktest_t *t)
{
    static sigq_t q;
    sigq_entry_t e = { .tid = 0, .sig = 40, .code = SI_TIMER, .a = 3, .b = 0, .value = 9 };
    int left;

    q.n = 0;
    KTEST_EXPECT(t, sigq_push(&q, &e) == 0, "first expiry queued");
    KTEST_EXPECT(t, sigq_push(&q, &e) == 1 && q.n == 1, "second merged: n %u", q.n);
    e.b = 2;                             /* an expiry that already missed two */
    KTEST_EXPECT(t, sigq_push(&q, &e) == 1 && q.n == 1, "third merged");
    e.a = 4;
    KTEST_EXPECT(t, sigq_push(&q, &e) == 0 && q.n == 2, "another timer: its own entry");
    left = sigq_pop(&q, 0, 40, &e);
    KTEST_EXPECT(t, left == 1 && e.a == 3 && e.b == 4, "timer 3: overrun %u (1 + 1 + 2)", e.b);
}

static void signal_stop_set(ktest_t *t)
{
    KTEST_EXPECT(t, signal_is_stop(SIGSTOP) && signal_is_stop(SIGTSTP) &&
                 signal_is_stop(SIGTTIN) && signal_is_stop(SIGTTOU), "the four stop signals");
    KTEST_EXPECT(t, !signal_is_stop(SIGCONT) && !signal_is_stop(SIGKILL) &&
                 !signal_is_stop(0) && !signal_is_stop(65), "and no other");
}

static void signal_ignored_or_blocked(ktest_t *t)
{
    static process_t p;                  /* a process and its thread as the tty sees them */
    static thread_t th;
    xptr_t tx = XPTR(local_cxy(), &th);

    memset(&p, 0, sizeof(p));
    memset(&th, 0, sizeof(th));
    p.ref = &p;
    p.ref_cxy = local_cxy();
    th.process = &p;
    KTEST_EXPECT(t, !signal_is_ignored_or_blocked(tx, SIGTTIN), "SIG_DFL, not blocked");
    p.sigaction[SIGTTIN - 1].handler = SIG_IGN;
    KTEST_EXPECT(t, signal_is_ignored_or_blocked(tx, SIGTTIN), "SIG_IGN");
    p.sigaction[SIGTTIN - 1].handler = 0x401000;
    KTEST_EXPECT(t, !signal_is_ignored_or_blocked(tx, SIGTTIN), "a handler");
    th.sig_blocked = SIG_BIT(SIGTTOU);
    KTEST_EXPECT(t, signal_is_ignored_or_blocked(tx, SIGTTOU) &&
                 !signal_is_ignored_or_blocked(tx, SIGTTIN), "blocked by the thread");
    KTEST_EXPECT(t, signal_is_ignored_or_blocked(tx, SIGCHLD), "default action: ignore");
    th.process = NULL;
    KTEST_EXPECT(t, !signal_is_ignored_or_blocked(tx, SIGTTIN), "a kernel thread: no");
}

static const ktest_case_t signal_cases[] = {
    { "ignored_or_blocked", KTEST_ON_BSP, signal_ignored_or_blocked },
    { "queue_order",    KTEST_ON_BSP, signal_queue_order },
    { "queue_limit",    KTEST_ON_BSP, signal_queue_limit_flush },
    { "queue_timer",    KTEST_ON_BSP, signal_queue_timer_merge },
    { "stop_set",       KTEST_ON_BSP, signal_stop_set },
    { "next_order",     KTEST_ON_BSP, signal_next_order },
    { "mask_arith",     KTEST_ON_BSP, signal_mask_arith },
    { "handler_masks",  KTEST_ON_BSP, signal_handler_masks },
};
static const ktest_suite_t signal_suite = { "signal", KTEST_CASES(signal_cases) };
KTEST_SUITE(signal_suite);
