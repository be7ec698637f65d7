/*
 * barrier.c - hierarchical sense-reversing kernel barrier (see barrier.h).
 *
 * Waiting threads block (they do not spin), so the other threads of their
 * core, the idle thread included, keep running: each waiter registers
 * itself before it arrives, and whoever releases a level unblocks the
 * registered waiters of that level.
 */
#include "barrier.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "sched.h"
#include "cpu.h"

/* Top level: one arrival per cluster. Lives in the kernel image's cluster. */
static struct {
    volatile uint32_t count;
    volatile uint32_t sense;
} top_barrier;

typedef struct sense_wait_s {
    volatile uint32_t *word;
    uint32_t           value;
} sense_wait_t;

static bool sense_reached(const void *arg)
{
    const sense_wait_t *w = arg;

    return __atomic_load_n(w->word, __ATOMIC_ACQUIRE) == w->value;
}

/* Blocks the calling thread until *@word == @value. */
static void barrier_wait_for(volatile uint32_t *word, uint32_t value)
{
    sense_wait_t w = { word, value };

    thread_wait(THREAD_BLOCKED_SLEEP, sense_reached, &w);
}

void kernel_barrier(void)
{
    core_t *core = core_self();
    cluster_t *cl = core->cluster;
    xptr_t me = XPTR(core->cxy, thread_current());
    uint32_t sense = !core->barrier_sense;

    core->barrier_sense = sense;
    core->barrier_waiter = me;                 /* registered before arriving */
    if (__atomic_add_fetch(&cl->barrier.count, 1, __ATOMIC_ACQ_REL) == cl->ncores) {
        /* last of the cluster: represent it at the top level */
        cl->barrier.count = 0;
        cl->barrier_rep = me;
        if (__atomic_add_fetch(&top_barrier.count, 1, __ATOMIC_ACQ_REL) ==
            boot_info.topo.nclusters) {
            top_barrier.count = 0;
            __atomic_store_n(&top_barrier.sense, sense, __ATOMIC_RELEASE);
            for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
                if (c != core->cxy)
                    thread_unblock(hal_remote_lxp(XPTR(c, &cluster_tbl[c]->barrier_rep)),
                                   THREAD_BLOCKED_SLEEP);
        } else {
            barrier_wait_for(&top_barrier.sense, sense);
        }
        __atomic_store_n(&cl->barrier.sense, sense, __ATOMIC_RELEASE);
        for (uint32_t l = 0; l < cl->ncores; l++)
            if (&cl->core[l] != core)
                thread_unblock(cl->core[l].barrier_waiter, THREAD_BLOCKED_SLEEP);
    } else {
        barrier_wait_for(&cl->barrier.sense, sense);
    }
}
