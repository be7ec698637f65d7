/*
 * ktest.h - in-kernel self-tests, reported in KTAP version 1 (the Linux
 * kernel's test output format, Documentation/dev-tools/ktap.rst).
 *
 * A suite is a list of cases; each case runs on the bootstrap core only,
 * on the first core of every cluster at once, or on every core at once,
 * between two kernel barriers. The bootstrap core prints the results.
 * Suites run when the kernel command line says ktest=all or ktest=NAME,...
 * The suites live beside their units, one <unit>_ktest.c file each, and are
 * compiled only with KTEST=1 (params.mk, CONFIG_KTEST), as is everything
 * declared here but ktest_run_all().
 */
#ifndef _KTEST_H_
#define _KTEST_H_

#include <stdint.h>
#include <stdbool.h>
#include "hal_remote.h"

#ifdef CONFIG_KTEST
typedef enum {
    KTEST_ON_BSP,        /* the bootstrap core alone */
    KTEST_ON_CLUSTERS,   /* local core 0 of every cluster, concurrently */
    KTEST_ON_CORES,      /* every core, concurrently */
} ktest_scope_t;

typedef struct ktest_s ktest_t;

typedef struct ktest_case_s {
    const char   *name;
    ktest_scope_t scope;
    void        (*run)(ktest_t *t);
} ktest_case_t;

typedef struct ktest_suite_s {
    const char         *name;
    const ktest_case_t *cases;
    uint32_t            ncases;
} ktest_suite_t;

/* Registers @suite (a ktest_suite_t) in the .ktest section. */
#define KTEST_SUITE(suite) \
    static const ktest_suite_t *const suite##_entry \
    __attribute__((section(".ktest"), used)) = &suite

#define KTEST_CASES(arr) arr, (uint32_t)(sizeof(arr) / sizeof((arr)[0]))

/*
 * Records a failure of the running case with a diagnostic line (printed as
 * "# ..." before the case's result). Any core, any time during the case.
 */
void ktest_fail(ktest_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails the case with "file:line: condition" and @fmt when @cond is false. */
#define KTEST_EXPECT(t, cond, fmt, ...) \
    do { if (!(cond)) ktest_fail((t), "%s:%d: %s: " fmt, __FILE__, __LINE__, #cond, \
                                 ##__VA_ARGS__); } while (0)

/* ---- helpers of the test cases: kernel threads and waits ---------------------------- */

/* Waits for workers (any cluster) that each call ktest_join_done() once. */
typedef struct ktest_join_s {
    volatile uint32_t left;             /* workers not done yet */
    xptr_t            waiter;           /* the thread in ktest_join_wait() */
} ktest_join_t;

/* Prepares @j (the caller's memory) for @n workers; the calling thread will wait. */
void ktest_join_init(ktest_join_t *j, uint32_t n);

/* A worker is done: counts it (remote atomic on @join, any cluster), wakes the waiter after the last. */
void ktest_join_done(xptr_t join);

/*
 * Waits until every worker of @j is done, or @ms milliseconds. A thread.
 * @return false when the workers did not all finish in time.
 */
bool ktest_join_wait(ktest_join_t *j, uint64_t ms);

/* Sleeps the calling thread about @ms milliseconds, yielding (other threads run). */
void ktest_sleep_ms(uint64_t ms);

/*
 * Creates a kernel thread running @fn(@arg), named @name, on core @lid of
 * cluster @cxy (RPC_THREAD_CREATE when remote). A thread, no busylock held.
 * @return the thread's xptr, or XPTR_NULL (no memory there).
 */
xptr_t ktest_spawn_in(uint32_t cxy, uint32_t lid, void (*fn)(void *), void *arg,
                      const char *name);
#endif /* CONFIG_KTEST */

/*
 * Runs the suites selected by boot_info.opt_ktest. Called by every core,
 * after all cores are online, with no lock held. In a kernel built without
 * self-tests (KTEST=0: no CONFIG_KTEST, no *_ktest.c), the bootstrap core
 * only prints "ktest: this kernel was built without self-tests (KTEST=0)"
 * and the boot goes on.
 * @return on the bootstrap core, the number of failed cases (0: all
 *         passed); 0 on the other cores.
 */
uint32_t ktest_run_all(void);

#endif
