/*
 * sched_ktest.c - self-tests of the scheduler (ktest=sched): preemption,
 * progress of threads that never yield, a wake-up across clusters.
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "cpu.h"
#include "kstring.h"

typedef struct spinner_s {
    ktest_join_t      join;
    volatile uint32_t stop;
    volatile uint32_t next_slot;
    volatile uint64_t count[3];
} spinner_t;

static void spinner(void *arg)
{
    spinner_t *s = arg;
    uint32_t slot = __atomic_fetch_add(&s->next_slot, 1, __ATOMIC_RELAXED) % 3;

    while (!s->stop)
        s->count[slot]++;                              /* never yields: only the tick preempts */
    ktest_join_done(XPTR(local_cxy(), &s->join));
}

/* Three threads that never yield, plus the main thread, all make progress. */
static void sched_threads_progress(ktest_t *t)
{
    static spinner_t s[MAX_CLUSTERS * MAX_CORES_PER_CLUSTER];
    core_t *core = core_self();
    spinner_t *my = &s[core->gid];

    uint64_t deadline;

    memset((void *)my, 0, sizeof(*my));
    ktest_join_init(&my->join, 3);
    for (int i = 0; i < 3; i++)
        thread_create(core->lid, THREAD_KERNEL, spinner, my, "spinner");
    /* until each has run (bounded: 64 vCPUs may share 2 host cores under TCG) */
    deadline = rdtsc() + 20 * boot_info.tsc_hz;
    while ((!my->count[0] || !my->count[1] || !my->count[2]) && rdtsc() < deadline)
        ktest_sleep_ms(10);
    my->stop = 1;
    KTEST_EXPECT(t, ktest_join_wait(&my->join, 5000), "core %u.%u: spinners did not stop",
                 core->cxy, core->lid);
    for (int i = 0; i < 3; i++)
        KTEST_EXPECT(t, my->count[i] > 0, "core %u.%u: spinner %d never ran", core->cxy,
                     core->lid, i);
}

typedef struct sleeper_s {
    ktest_join_t      join;
    volatile xptr_t   self;
    volatile uint32_t woken;
} sleeper_t;

static void sleeper(void *arg)
{
    sleeper_t *s = arg;

    hal_remote_sxp(XPTR(0, (void *)&s->self), XPTR(local_cxy(), thread_current()));
    thread_block(THREAD_BLOCKED_SLEEP);
    s->woken = local_cxy() + 1;
    ktest_join_done(XPTR(0, &s->join));
}

/* A thread in the farthest cluster sleeps; this core wakes it remotely. */
static void sched_cross_cluster_wakeup(ktest_t *t)
{
    static sleeper_t s;
    uint32_t n = boot_info.topo.nclusters, target = n - 1;
    uint64_t deadline;

    memset((void *)&s, 0, sizeof(s));
    ktest_join_init(&s.join, 1);
    KTEST_EXPECT(t, ktest_spawn_in(target, 0, sleeper, &s, "sleeper") != XPTR_NULL, "no thread");
    deadline = rdtsc() + boot_info.tsc_hz;
    while (s.self == XPTR_NULL && rdtsc() < deadline)
        sched_yield();
    KTEST_EXPECT(t, s.self != XPTR_NULL, "the sleeper never ran");
    if (s.self == XPTR_NULL)
        return;
    ktest_sleep_ms(20);
    KTEST_EXPECT(t, s.woken == 0, "woke before being unblocked");
    thread_unblock(s.self, THREAD_BLOCKED_SLEEP);
    KTEST_EXPECT(t, ktest_join_wait(&s.join, 5000), "the sleeper was not woken");
    KTEST_EXPECT(t, s.woken == target + 1, "woken in cluster %u", s.woken - 1);
}

typedef struct window_s {
    ktest_join_t      join;
    volatile uint32_t done;
} window_t;

/* Sets its blocked bit, then stays in the set-to-check window for 5 ticks. */
static void window_waiter(void *arg)
{
    window_t *w = arg;
    uint64_t end = rdtsc() + tsc_from_us(5 * TICK_US);

    thread_set_blocked(THREAD_BLOCKED_SLEEP);    /* the wake-up came before: nobody else will */
    while (rdtsc() < end)
        cpu_pause();                              /* the timer preempts us in the window */
    thread_clear_blocked(THREAD_BLOCKED_SLEEP);   /* the re-check found the condition true */
    w->done = 1;
    ktest_join_done(XPTR(local_cxy(), &w->join));
}

/* Keeps the core busy so that preemption switches away from the waiter. */
static void window_rival(void *arg)
{
    window_t *w = arg;
    uint64_t end = rdtsc() + 2 * boot_info.tsc_hz;

    while (!w->done && rdtsc() < end)
        cpu_pause();
    ktest_join_done(XPTR(local_cxy(), &w->join));
}

/*
 * Regression (lost wake-up: the RPC storm hung when the timer preempted a
 * client between setting its blocked bit and re-checking its condition;
 * the scheduler then treated it as blocked, and its wake-up had already
 * come): a thread preempted inside that window stays runnable until it
 * yields by itself.
 */
static void sched_preempted_waiter_resumes(ktest_t *t)
{
    window_t w = { .done = 0 };
    uint32_t lid = core_self()->lid;

    ktest_join_init(&w.join, 2);
    thread_create(lid, THREAD_KERNEL, window_waiter, &w, "window");
    thread_create(lid, THREAD_KERNEL, window_rival, &w, "rival");
    KTEST_EXPECT(t, ktest_join_wait(&w.join, 5000), "the threads did not finish");
    KTEST_EXPECT(t, w.done, "the waiter preempted in its wait window never ran again");
}

static const ktest_case_t sched_cases[] = {
    { "preempted_waiter_resumes", KTEST_ON_BSP, sched_preempted_waiter_resumes },
    { "threads_progress",     KTEST_ON_CORES, sched_threads_progress },
    { "cross_cluster_wakeup", KTEST_ON_BSP,   sched_cross_cluster_wakeup },
};
static const ktest_suite_t sched_suite = { "sched", KTEST_CASES(sched_cases) };
KTEST_SUITE(sched_suite);
