/*
 * barrier_ktest.c - self-tests of the kernel barrier (ktest=barrier).
 */
#include "ktest.h"
#include "cluster.h"
#include "boot_info.h"
#include "barrier.h"
#include "apic.h"

/* One slot per core: the round it last reached. */
static volatile uint32_t barrier_slot[MAX_CLUSTERS * MAX_CORES_PER_CLUSTER];

/*
 * In each round every core writes its slot, passes the barrier, and checks
 * that every core has written this round: a core let through early sees a
 * stale slot. Cores arrive with different delays.
 */
static void barrier_rounds(ktest_t *t)
{
    core_t *core = core_self();
    uint32_t ncores = boot_info.topo.ncores, stale = 0;

    for (uint32_t r = 1; r <= 100; r++) {
        udelay((core->gid * 37 + r * 11) % 50);
        barrier_slot[core->gid] = r;
        kernel_barrier();
        for (uint32_t g = 0; g < ncores; g++)
            if (barrier_slot[g] != r)
                stale++;
        kernel_barrier();
    }
    KTEST_EXPECT(t, stale == 0, "core %u.%u saw %u stale slots", core->cxy, core->lid, stale);
}

static const ktest_case_t barrier_cases[] = {
    { "rounds", KTEST_ON_CORES, barrier_rounds },
};
static const ktest_suite_t barrier_suite = { "barrier", KTEST_CASES(barrier_cases) };
KTEST_SUITE(barrier_suite);
