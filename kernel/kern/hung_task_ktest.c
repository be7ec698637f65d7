/*
 * hung_task_ktest.c - self-tests of the hung-task detector (ktest=hung_task).
 */
#include "ktest.h"
#include "hung_task.h"
#include "thread.h"
#include "queuelock.h"
#include "core.h"
#include "ksym.h"
#include "kstring.h"
#include "boot_info.h"

typedef struct hung_blocker_s {
    queuelock_t       own;            /* taken first: a lock it holds while it hangs */
    queuelock_t       wanted;         /* held by the test: it hangs on this one */
    ktest_join_t      join;
    volatile uint32_t stop;           /* ends the sleeper */
} hung_blocker_t;

static void hung_blocker(void *arg)
{
    hung_blocker_t *b = arg;

    queuelock_acquire(&b->own);
    queuelock_acquire(&b->wanted);
    queuelock_release(&b->wanted);
    queuelock_release(&b->own);
    ktest_join_done(XPTR(local_cxy(), &b->join));
}

static bool hung_sleeper_stop(const void *arg)
{
    return ((const hung_blocker_t *)arg)->stop;
}

/* A timed sleep: never reported, however long. */
static void hung_sleeper(void *arg)
{
    hung_blocker_t *b = arg;

    thread_sleep_until(rdtsc() + tsc_from_ms(60000), hung_sleeper_stop, b);
    ktest_join_done(XPTR(local_cxy(), &b->join));
}

/*
 * A kernel thread blocked on a queuelock past the threshold is reported
 * once, with its wait channel (the lock's name, the queuelock code as the
 * place); a thread in a timed sleep for as long is not.
 */
static void hung_task_lock_wait_reported(ktest_t *t)
{
    static hung_blocker_t b;
    uint32_t lid = core_self()->lid, first, second;
    xptr_t xb, xs;
    thread_t *blocker, *sleeper;
    const char *sym;
    uint64_t off;

    memset(&b, 0, sizeof(b));
    queuelock_init(&b.own, "ktest hung own", RANK_TEST_LOW);
    queuelock_init(&b.wanted, "ktest hung wanted", RANK_TEST_MID);
    queuelock_acquire(&b.wanted);
    ktest_join_init(&b.join, 2);
    xb = ktest_spawn_in(local_cxy(), lid, hung_blocker, &b, "hung blocker");
    xs = ktest_spawn_in(local_cxy(), lid, hung_sleeper, &b, "hung sleeper");
    if (xb == XPTR_NULL || xs == XPTR_NULL) {
        ktest_fail(t, "no thread");
        queuelock_release(&b.wanted);
        return;
    }
    blocker = GET_PTR(xb);
    sleeper = GET_PTR(xs);
    ktest_sleep_ms(200);                  /* both now wait */
    KTEST_EXPECT(t, blocker->blocked & THREAD_BLOCKED_LOCK, "blocker not blocked: 0x%x",
                 blocker->blocked);
    hung_task_expected = true;
    first = hung_task_scan(local_cxy(), HUNG_SCAN_HUNG, 100);
    second = hung_task_scan(local_cxy(), HUNG_SCAN_HUNG, 100);
    hung_task_expected = false;
    KTEST_EXPECT(t, first >= 1, "nothing reported");
    KTEST_EXPECT(t, blocker->hung_reported, "the blocked thread was not reported");
    KTEST_EXPECT(t, !sleeper->hung_reported, "a timed sleep was reported as hung");
    KTEST_EXPECT(t, second == 0, "%u reported again by a second scan", second);
    KTEST_EXPECT(t, blocker->wchan && strcmp(blocker->wchan, "ktest hung wanted") == 0,
                 "wchan '%s'", blocker->wchan ? blocker->wchan : "(null)");
    sym = ksym_lookup(blocker->wchan_pc, &off);
    KTEST_EXPECT(t, sym && strstr(sym, "queuelock"), "wait place %s", sym ? sym : "?");
#ifdef DEBUG
    KTEST_EXPECT(t, blocker->locks.nheld >= 1 &&
                 strcmp(blocker->locks.held[0].name, "ktest hung own") == 0,
                 "held locks not recorded (%u)", blocker->locks.nheld);
#endif
    queuelock_release(&b.wanted);
    b.stop = 1;
    thread_unblock(xs, THREAD_BLOCKED_SLEEP);
    KTEST_EXPECT(t, ktest_join_wait(&b.join, 10000), "the threads did not finish");
}

static const ktest_case_t hung_task_cases[] = {
    { "lock_wait_reported", KTEST_ON_BSP, hung_task_lock_wait_reported },
};
static const ktest_suite_t hung_task_suite = { "hung_task", KTEST_CASES(hung_task_cases) };
KTEST_SUITE(hung_task_suite);
