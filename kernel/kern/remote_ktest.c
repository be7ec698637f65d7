/*
 * remote_ktest.c - self-tests of the remote access counters (ktest=remote).
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"

/* Remote loads from every cluster to cluster 0 are counted for that pair. */
static void remote_counters(ktest_t *t)
{
#ifdef INSTRUMENT
    static uint32_t remote_word;
    uint32_t here = local_cxy();
    uint64_t before = hal_remote_count(here, 0);

    for (int i = 0; i < 100; i++)
        (void)hal_remote_l32(XPTR(0, &remote_word));
    KTEST_EXPECT(t, hal_remote_count(here, 0) >= before + 100, "cluster %u -> 0: %lu -> %lu",
                 here, before, hal_remote_count(here, 0));
#else
    (void)t;
#endif
}

static const ktest_case_t remote_cases[] = {
    { "counters", KTEST_ON_CLUSTERS, remote_counters },
};
static const ktest_suite_t remote_suite = { "remote", KTEST_CASES(remote_cases) };
KTEST_SUITE(remote_suite);
