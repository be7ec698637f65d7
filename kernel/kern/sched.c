/*
 * sched.c - per-core round-robin scheduler (see sched.h).
 */
#include "sched.h"
#include "thread.h"
#include "cluster.h"
#include "kcm.h"
#include "printk.h"
#include "kstring.h"
#include "dqdt.h"
#include "ppm.h"
#include "process.h"

void hal_context_switch(uint64_t *save_rsp, uint64_t new_rsp);

void sched_init(void)
{
    core_t *core = core_self();
    sched_t *s = &core->sched;
    thread_t *idle = kmem_alloc(sizeof(thread_t));

    if (idle == NULL)
        panic("no memory for the idle thread of core %u.%u", core->cxy, core->lid);
    busylock_init(&s->lock, "sched", RANK_SCHED);
    list_root_init(&s->threads);
    idle->magic     = THREAD_MAGIC;
    idle->type      = THREAD_IDLE;
    idle->trdid     = (core->cxy << 16) | (core->lid << 8);
    idle->core      = core;
    idle->stack_top = core->stack_top;
    snprintf(idle->name, sizeof(idle->name), "idle%u.%u", core->cxy, core->lid);
    list_add_last(&s->threads, &idle->sched_list);
    s->nthreads = 1;
    s->serial   = 1;
    s->idle     = idle;
    __atomic_store_n(&s->current, idle, __ATOMIC_RELEASE);
}

void sched_add(thread_t *t)
{
    sched_t *s = &t->core->sched;

    busylock_acquire(&s->lock);
    t->trdid = (t->core->cxy << 16) | (t->core->lid << 8) | (s->serial++ & 0xff);
    list_add_last(&s->threads, &t->sched_list);
    s->nthreads++;
    busylock_release(&s->lock);
}

/* Runnable: nothing blocks it, or an interrupt took the core from it mid-wait. */
static bool sched_runnable(thread_t *t)
{
    uint32_t blocked = __atomic_load_n(&t->blocked, __ATOMIC_ACQUIRE);

    if (blocked == THREAD_BLOCKED_SLEEP && t->wake_tsc && rdtsc() >= t->wake_tsc) {
        /* a timed sleep is over (thread_sleep_until) */
        __atomic_and_fetch(&t->blocked, ~THREAD_BLOCKED_SLEEP, __ATOMIC_ACQ_REL);
        return true;
    }
    return t->preempted || blocked == 0;
}

/* Next runnable non-idle thread after @cur in ring order (@cur last), or idle. */
static thread_t *sched_pick_locked(sched_t *s, thread_t *cur)
{
    list_entry_t *it = &cur->sched_list;

    for (uint32_t n = 0; n <= s->nthreads; n++) {
        thread_t *t;

        it = it->next;
        if (it == &s->threads)
            continue;
        t = LIST_ELEMENT(it, thread_t, sched_list);
        if (t != s->idle && sched_runnable(t))
            return t;
    }
    return s->idle;
}

/*
 * Switches to the next runnable thread. @preempt: called from an interrupt,
 * the current thread did not ask to stop, so it stays runnable whatever
 * its blocked bits say until it yields by itself.
 */
static void sched_switch(bool preempt)
{
    core_t *core = core_self();
    sched_t *s = &core->sched;
    thread_t *cur = s->current, *next;
    uint64_t flags;

    if (cur == NULL)
        return;                              /* before sched_init: nothing to switch */
    lock_rank_check_deschedule();
    flags = irq_save();
    s->need_resched = 0;
    cur->preempted = preempt && cur != s->idle;
    busylock_acquire(&s->lock);
    next = sched_pick_locked(s, cur);
    busylock_release(&s->lock);
    if (next != cur) {
        next->switches++;
        s->switches++;
        s->current = next;
        thread_switch_prepare(cur, next);
        hal_context_switch(&cur->rsp, next->rsp);
    }
    s->current->preempted = 0;               /* running again: its own code decides */
    thread_resumed(s->current);
    core->heartbeat++;                       /* it schedules: not soft-locked (lockup.h) */
    irq_restore(flags);
}

void sched_yield(void)
{
    sched_switch(false);
}

void sched_tick(void)
{
    sched_t *s = &core_self()->sched;

    if (s->current != NULL && s->nthreads > 1)
        s->need_resched = 1;
}

void sched_preempt(void)
{
    sched_t *s = &core_self()->sched;

    if (s->current != NULL && s->need_resched)
        sched_switch(true);
}

void sched_reap(void)
{
    sched_t *s = &core_self()->sched;
    thread_t *dead[8];
    uint32_t n = 0;
    list_entry_t *it, *next;

    busylock_acquire(&s->lock);
    for (it = s->threads.next; it != &s->threads && n < 8; it = next) {
        thread_t *t = LIST_ELEMENT(it, thread_t, sched_list);

        next = it->next;
        if ((t->blocked & THREAD_BLOCKED_EXIT) && t != s->current && !t->preempted) {
            list_unlink(&t->sched_list);
            s->nthreads--;
            dead[n++] = t;
        }
    }
    busylock_release(&s->lock);
    for (uint32_t i = 0; i < n; i++) {
        if (dead[i]->type == THREAD_KERNEL || dead[i]->type == THREAD_USER)
            dqdt_update_threads(-1);
        if (dead[i]->fpu)
            kmem_free(dead[i]->fpu);
        if (dead[i]->process)
            process_thread_reaped(dead[i]->process);
        dead[i]->magic = 0;
        ppm_free_pages(dead[i]->stack);
        kmem_free(dead[i]);
    }
}
