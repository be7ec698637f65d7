/*
 * thread.c - kernel threads (see thread.h).
 */
#include "thread.h"
#include "sched.h"
#include "cluster.h"
#include "kcm.h"
#include "ppm.h"
#include "ipi.h"
#include "trap.h"
#include "printk.h"
#include "kstring.h"
#include "dqdt.h"

thread_t *thread_current(void)
{
    return core_self()->sched.current;
}

/* First code of every new thread: entered by hal_context_switch's ret. */
static void thread_start(void) __attribute__((noreturn, used));
static void thread_start(void)
{
    thread_t *t = thread_current();

    irq_enable();
    t->entry(t->arg);
    thread_exit();
}

thread_t *thread_create(uint32_t lid, thread_type_t type, void (*entry)(void *), void *arg,
                        const char *name)
{
    cluster_t *cl = cluster_local();
    thread_t *t;
    page_t *stack;
    uint64_t *sp;

    if (lid >= cl->ncores)
        return NULL;
    t = kmem_alloc(sizeof(*t));
    if (t == NULL)
        return NULL;
    stack = ppm_alloc_pages(THREAD_STACK_ORDER);
    if (stack == NULL) {
        kmem_free(t);
        return NULL;
    }
    t->magic     = THREAD_MAGIC;
    t->type      = type;
    t->core      = &cl->core[lid];
    t->entry     = entry;
    t->arg       = arg;
    t->stack     = stack;
    t->stack_top = (uint64_t)ppm_page_to_virt(stack) + (PAGE_SIZE << THREAD_STACK_ORDER);
    snprintf(t->name, sizeof(t->name), "%s", name);

    /* the frame hal_context_switch pops: r15 r14 r13 r12 rbx rbp rflags, then ret */
    sp = (uint64_t *)t->stack_top;
    *--sp = 0;                               /* keeps the ABI alignment at thread_start */
    *--sp = (uint64_t)thread_start;
    *--sp = 0x2;                             /* RFLAGS: interrupts off until thread_start */
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    t->rsp = (uint64_t)sp;
    if (type == THREAD_KERNEL)
        dqdt_update_threads(+1);
    sched_add(t);
    return t;
}

void thread_set_blocked(uint32_t reason)
{
    __atomic_or_fetch(&thread_current()->blocked, reason, __ATOMIC_ACQ_REL);
}

void thread_clear_blocked(uint32_t reason)
{
    __atomic_and_fetch(&thread_current()->blocked, ~reason, __ATOMIC_ACQ_REL);
}

void thread_wait(uint32_t reason, bool (*done)(const void *arg), const void *arg)
{
    while (!done(arg)) {
        thread_set_blocked(reason);
        if (done(arg)) {
            thread_clear_blocked(reason);
            break;
        }
        sched_yield();
    }
}

void thread_block(uint32_t reason)
{
    thread_set_blocked(reason);
    sched_yield();
}

void thread_unblock(xptr_t thread, uint32_t reason)
{
    thread_t *t = GET_PTR(thread);
    core_t *core = (core_t *)hal_remote_l64(XPTR(GET_CXY(thread), &t->core));

    uint32_t old = hal_remote_atomic_and(XPTR(GET_CXY(thread), &t->blocked), ~reason);

    /*
     * Not blocked for @reason: it has not reached its yield and its re-check
     * will see the condition, so no wake-up is needed.
     */
    if (!(old & reason))
        return;
    hal_remote_s32(XPTR(core->cxy, &core->sched.need_resched), 1);
    if (core != core_self())
        ipi_send(core, VEC_WAKE);
}

void thread_grant(xptr_t thread)
{
    hal_remote_s32(XPTR(GET_CXY(thread), &((thread_t *)GET_PTR(thread))->wait_granted), 1);
    thread_unblock(thread, THREAD_BLOCKED_LOCK);
}

static bool thread_granted(const void *arg)
{
    return __atomic_load_n(&((const thread_t *)arg)->wait_granted, __ATOMIC_ACQUIRE);
}

void thread_wait_granted(void)
{
    thread_wait(THREAD_BLOCKED_LOCK, thread_granted, thread_current());
}

void thread_exit(void)
{
    thread_t *t = thread_current();

    if (t->type == THREAD_IDLE)
        panic("the idle thread of core %u.%u cannot exit", t->core->cxy, t->core->lid);
    thread_block(THREAD_BLOCKED_EXIT);
    panic("exited thread %s was scheduled again", t->name);
}
