/*
 * ktest.c - the self-test runner (see ktest.h).
 */
#include <stdarg.h>
#include "ktest.h"
#include "barrier.h"
#include "boot_info.h"
#include "core.h"
#include "printk.h"
#include "busylock.h"
#include "kstring.h"
#include "cluster.h"
#include "sched.h"
#include "dqdt.h"
#include "thread.h"
#include "rpc.h"
#include "cpu.h"

#ifdef CONFIG_KTEST
#define KTEST_MAX_DIAG 6

struct ktest_s {
    busylock_t        lock;               /* guards diag */
    volatile uint32_t failures;
    uint32_t          ndiag;
    char              diag[KTEST_MAX_DIAG][200];
};

extern const ktest_suite_t *const __ktest_start[], *const __ktest_end[];
static ktest_t ktest_state;
static uint64_t free_before[MAX_CLUSTERS];     /* per cluster, before the first suite */

/*
 * The built-in last suite "leaks": every cluster has as many free pages as
 * before the first suite. Bootstrap core.
 */
static bool ktest_leaks(uint32_t num)
{
    bool ok = true;

    uint64_t deadline = rdtsc() + boot_info.tsc_hz;           /* 1 s */
    bool settled = false;

    /* exited test threads are freed by their cores' idle threads: let them run */
    while (!settled && rdtsc() < deadline) {
        sched_reap();
        settled = true;
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            if (ppm_free_count(c) != free_before[c])
                settled = false;
        if (!settled)
            sched_yield();
    }
    printk("    KTAP version 1");
    printk("    # Subtest: leaks");
    printk("    1..1");
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        uint64_t now = ppm_free_count(c);
        if (now != free_before[c]) {
            printk("    # no_page_leaked: cluster %u has %lu free pages, %lu before the tests",
                   c, now, free_before[c]);
            ok = false;
        }
    }
    printk("    %s 1 no_page_leaked", ok ? "ok" : "not ok");
    printk("%s %u leaks", ok ? "ok" : "not ok", num);
    return ok;
}

/* Kernel and user threads alive in the machine, not yet reaped (the DQDT root's count). */
static uint32_t ktest_threads(void)
{
    xptr_t root = dqdt_root();

    return hal_remote_l32(XPTR(GET_CXY(root), &((dqdt_node_t *)GET_PTR(root))->threads));
}

/*
 * Waits (100 ms at most) until the threads a case started are reaped, so that
 * the next case's page counts do not see their stacks come back. Bootstrap
 * core, the other cores blocked in the kernel barrier (their idle threads reap).
 */
static void ktest_settle_threads(uint32_t before)
{
    uint64_t deadline = rdtsc() + boot_info.tsc_hz / 10;

    while (ktest_threads() > before && rdtsc() < deadline) {
        sched_reap();
        sched_yield();
    }
}

void ktest_fail(ktest_t *t, const char *fmt, ...)
{
    va_list ap;

    __atomic_add_fetch(&t->failures, 1, __ATOMIC_RELAXED);
    busylock_acquire(&t->lock);
    if (t->ndiag < KTEST_MAX_DIAG) {
        va_start(ap, fmt);
        vsnprintf(t->diag[t->ndiag++], sizeof(t->diag[0]), fmt, ap);
        va_end(ap);
    }
    busylock_release(&t->lock);
}

/*
 * The next name of the comma list at *@p, or NULL at its end: sets *@len
 * to the name's length and moves *@p past it.
 */
static const char *ktest_next_name(const char **p, size_t *len)
{
    const char *name = *p, *comma;

    if (*name == '\0')
        return NULL;
    comma = strchr(name, ',');
    *len = comma ? (size_t)(comma - name) : strlen(name);
    *p = name + *len + (comma ? 1 : 0);
    return name;
}

/* Are the @len characters at @s the name @name? */
static bool ktest_name_is(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(s, name, len) == 0;
}

/* Is suite @name named in the comma list @sel (or is @sel "all")? */
static bool ktest_selected(const char *sel, const char *name)
{
    const char *s;
    size_t len;

    if (strcmp(sel, "all") == 0)
        return true;
    while ((s = ktest_next_name(&sel, &len)) != NULL)
        if (ktest_name_is(s, len, name))
            return true;
    return false;
}

/* Names in the selection that match no suite: each becomes a failed test. */
static uint32_t ktest_unknown(const char *sel, bool print, uint32_t first)
{
    uint32_t unknown = 0;
    const char *s;
    size_t len;

    if (strcmp(sel, "all") == 0)
        return 0;
    while ((s = ktest_next_name(&sel, &len)) != NULL) {
        bool found = ktest_name_is(s, len, "leaks");          /* the built-in suite */

        for (const ktest_suite_t *const *su = __ktest_start; su < __ktest_end; su++)
            found |= ktest_name_is(s, len, (*su)->name);
        if (!found && len) {
            if (print)
                printk("not ok %u %.*s # no such suite", first + unknown, (int)len, s);
            unknown++;
        }
    }
    return unknown;
}

static bool ktest_in_scope(ktest_scope_t scope, const core_t *core, bool bsp)
{
    switch (scope) {
    case KTEST_ON_BSP:      return bsp;
    case KTEST_ON_CLUSTERS: return core->lid == 0;
    default:                return true;
    }
}

uint32_t ktest_run_all(void)
{
    const char *sel = boot_info.opt_ktest;
    core_t *core = core_self();
    bool bsp = core->cxy == boot_info.bsp_cxy && core->lid == boot_info.bsp_lid;
    uint32_t nsuites = 0, snum = 0, passed = 0, failed = 0;

    bool leaks = ktest_selected(sel, "leaks");

    for (const ktest_suite_t *const *s = __ktest_start; s < __ktest_end; s++)
        if (ktest_selected(sel, (*s)->name))
            nsuites++;
    if (bsp) {
        busylock_init(&ktest_state.lock, "ktest", RANK_KTEST);
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            free_before[c] = ppm_free_count(c);
        printk("KTAP version 1");
        printk("1..%u", nsuites + (leaks ? 1 : 0) + ktest_unknown(sel, false, 0));
    }

    for (const ktest_suite_t *const *sp = __ktest_start; sp < __ktest_end; sp++) {
        const ktest_suite_t *s = *sp;
        uint32_t suite_failed = 0;

        if (!ktest_selected(sel, s->name))
            continue;
        snum++;
        if (bsp) {
            printk("    KTAP version 1");
            printk("    # Subtest: %s", s->name);
            printk("    1..%u", s->ncases);
        }
        for (uint32_t i = 0; i < s->ncases; i++) {
            const ktest_case_t *c = &s->cases[i];
            uint32_t threads = 0;

            if (bsp) {
                ktest_state.failures = 0;
                ktest_state.ndiag = 0;
            }
            kernel_barrier();
            if (bsp)
                threads = ktest_threads();
            if (ktest_in_scope(c->scope, core, bsp))
                c->run(&ktest_state);
            if (bsp)
                ktest_settle_threads(threads);
            kernel_barrier();
            if (bsp) {
                for (uint32_t d = 0; d < ktest_state.ndiag; d++)
                    printk("    # %s: %s", c->name, ktest_state.diag[d]);
                if (ktest_state.failures) {
                    printk("    not ok %u %s", i + 1, c->name);
                    suite_failed++;
                    failed++;
                } else {
                    printk("    ok %u %s", i + 1, c->name);
                    passed++;
                }
            }
        }
        if (bsp)
            printk("%s %u %s", suite_failed ? "not ok" : "ok", snum, s->name);
    }
    if (bsp && leaks) {
        snum++;
        if (ktest_leaks(snum))
            passed++;
        else
            failed++;
    }
    if (bsp) {
        uint32_t unknown = ktest_unknown(sel, true, snum + 1);
        failed += unknown;
        printk("ktest: %u passed, %u failed", passed, failed);
    }
    return bsp ? failed : 0;
}

/* ---- helpers of the test cases ------------------------------------------------------ */

void ktest_join_init(ktest_join_t *j, uint32_t n)
{
    j->left   = n;
    j->waiter = XPTR(local_cxy(), thread_current());
}

void ktest_join_done(xptr_t join)
{
    xptr_t waiter = hal_remote_lxp(join + offsetof(ktest_join_t, waiter));

    if (hal_remote_atomic_add(join + offsetof(ktest_join_t, left), -1) == 1)
        thread_unblock(waiter, THREAD_BLOCKED_SLEEP);
}

static bool ktest_join_over(const void *arg)
{
    return __atomic_load_n(&((const ktest_join_t *)arg)->left, __ATOMIC_ACQUIRE) == 0;
}

bool ktest_join_wait(ktest_join_t *j, uint64_t ms)
{
    /* a timed sleep: the scheduler ends it at the deadline if no worker does */
    thread_sleep_until(rdtsc() + tsc_from_ms(ms), ktest_join_over, j);
    return ktest_join_over(j);
}

void ktest_sleep_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + tsc_from_ms(ms);

    while (rdtsc() < end)
        sched_yield();
}

xptr_t ktest_spawn_in(uint32_t cxy, uint32_t lid, void (*fn)(void *), void *arg,
                      const char *name)
{
    rpc_desc_t d = { .type = RPC_THREAD_CREATE,
                     .args.thread_create = { .lid = lid, .entry = fn, .arg = arg,
                                             .name = XPTR(local_cxy(), name) } };

    if (cxy == local_cxy()) {
        thread_t *t = thread_create(lid, THREAD_KERNEL, fn, arg, name);
        return t ? XPTR(cxy, t) : XPTR_NULL;
    }
    rpc_send(cxy, &d);
    return d.args.thread_create.thread;
}

#else /* !CONFIG_KTEST */

uint32_t ktest_run_all(void)
{
    core_t *core = core_self();

    if (core->cxy == boot_info.bsp_cxy && core->lid == boot_info.bsp_lid)
        printk("ktest: this kernel was built without self-tests (KTEST=0)");
    return 0;
}

#endif
