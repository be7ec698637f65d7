/*
 * lockup_ktest.c - self-tests of the lockup detector (ktest=lockup).
 */
#include "ktest.h"
#include "lockup.h"
#include "core.h"
#include "cpu.h"
#include "ksym.h"
#include "kstring.h"
#include "boot_info.h"
#include "printk.h"

typedef struct lockup_spin_s {
    volatile uint32_t started;
    volatile uint32_t stop;
    ktest_join_t      join;
    xptr_t            join_x;
} lockup_spin_t;

/* Spins with interrupts disabled until told to stop: a hard lockup of its core. */
static void __attribute__((noinline)) lockup_ktest_spin(void *arg)
{
    lockup_spin_t *s = arg;
    uint64_t flags = irq_save();

    hal_remote_s32(XPTR(GET_CXY(s->join_x), (void *)&s->started), 1);
    while (!hal_remote_l32(XPTR(GET_CXY(s->join_x), (void *)&s->stop)))
        cpu_pause();
    irq_restore(flags);
    ktest_join_done(s->join_x);
}

/*
 * The neighbour spins with interrupts off: the watcher reports a hard
 * lockup once its own ticks passed lockup_timeout, and the NMI brings back
 * the spinning function in the stuck core's backtrace, interrupts off.
 */
static void lockup_hard_reported_with_nmi_backtrace(ktest_t *t)
{
    static lockup_spin_t s;
    core_t *target = lockup_neighbour();
    uint64_t limit = (uint64_t)(lockup_timeout_s ? lockup_timeout_s : 1) * (1000000 / TICK_US);
    uint32_t saved = lockup_timeout_s, r0, r1, r2;
    bool found = false;

    if (target == NULL) {
        printk("# lockup: one core, no neighbour to watch: nothing to test");
        return;
    }
    memset(&s, 0, sizeof(s));
    ktest_join_init(&s.join, 1);
    s.join_x = XPTR(local_cxy(), &s.join);
    if (ktest_spawn_in(target->cxy, target->lid, lockup_ktest_spin, &s, "lockup spin") ==
        XPTR_NULL) {
        ktest_fail(t, "no thread");
        return;
    }
    for (int i = 0; i < 200 && !s.started; i++)
        ktest_sleep_ms(10);
    KTEST_EXPECT(t, s.started, "the spinner never ran on core %u.%u", target->cxy, target->lid);
    ktest_sleep_ms(5 * TICK_US / 1000 + 20);   /* its last tick is behind us */
    lockup_timeout_s = limit / (1000000 / TICK_US);
    lockup_expected = true;
    r0 = lockup_check_now(0);                   /* records the stopped tick count */
    r1 = lockup_check_now(limit - 1);           /* not yet */
    r2 = lockup_check_now(1);                   /* now */
    lockup_expected = false;
    lockup_timeout_s = saved;
    s.stop = 1;
    KTEST_EXPECT(t, ktest_join_wait(&s.join, 10000), "the spinner did not stop");
    KTEST_EXPECT(t, r0 == 0 && r1 == 0, "reported too early (%u, %u)", r0, r1);
    KTEST_EXPECT(t, r2 == LOCKUP_HARD, "not reported as a hard lockup: %u", r2);
    KTEST_EXPECT(t, target->nmi.done, "the stuck core did not answer the NMI");
    KTEST_EXPECT(t, !target->nmi.irq_on, "the NMI saw interrupts on");
    for (uint32_t i = 0; i < target->nmi.n && i < LOCKUP_BT_MAX; i++) {
        uint64_t off;
        const char *sym = ksym_lookup(target->nmi.pc[i], &off);

        if (sym && strcmp(sym, "lockup_ktest_spin") == 0)
            found = true;
    }
    KTEST_EXPECT(t, found, "lockup_ktest_spin not in the NMI backtrace (%u frames)",
                 target->nmi.n);
}

static const ktest_case_t lockup_cases[] = {
    { "hard_reported_with_nmi_backtrace", KTEST_ON_BSP, lockup_hard_reported_with_nmi_backtrace },
};
static const ktest_suite_t lockup_suite = { "lockup", KTEST_CASES(lockup_cases) };
KTEST_SUITE(lockup_suite);
