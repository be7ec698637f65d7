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
#include "hal_user.h"
#include "hal_gpt.h"
#include "process.h"

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

/* A thread_t with its kernel stack, not yet runnable; NULL without memory. */
static thread_t *thread_alloc(uint32_t lid, thread_type_t type, const char *name)
{
    cluster_t *cl = cluster_local();
    thread_t *t;
    page_t *stack;

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
    memset(t, 0, sizeof(*t));
    t->magic     = THREAD_MAGIC;
    t->type      = type;
    t->core      = &cl->core[lid];
    t->stack     = stack;
    t->stack_top = (uint64_t)ppm_page_to_virt(stack) + (PAGE_SIZE << THREAD_STACK_ORDER);
    snprintf(t->name, sizeof(t->name), "%s", name);
    return t;
}

/* Pushes the frame hal_context_switch pops: r15 r14 r13 r12 rbx rbp rflags, then ret to @start. */
static void thread_push_switch_frame(thread_t *t, uint64_t *sp, void (*start)(void))
{
    *--sp = (uint64_t)start;
    *--sp = 0x2;                             /* RFLAGS: interrupts off until the thread starts */
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    t->rsp = (uint64_t)sp;
}

struct trap_frame_s *thread_user_frame(thread_t *t)
{
    return (trap_frame_t *)(t->stack_top - sizeof(trap_frame_t));
}

void hal_user_enter(void);

thread_t *thread_user_create(uint32_t lid, struct process_s *process,
                             const struct trap_frame_s *frame, const void *fpu,
                             uint64_t fs_base, const char *name)
{
    thread_t *t = thread_alloc(lid, THREAD_USER, name);
    trap_frame_t *f;

    if (t == NULL)
        return NULL;
    t->fpu = kmem_alloc(HAL_FPU_SIZE);
    if (t->fpu == NULL) {
        ppm_free_pages(t->stack);
        kmem_free(t);
        return NULL;
    }
    if (fpu)
        memcpy(t->fpu, fpu, HAL_FPU_SIZE);
    else
        hal_fpu_init_state(t->fpu);
    t->process = process;
    t->gpt     = &process->vmm.gpt;
    t->fs_base = fs_base;
    t->blocked = THREAD_BLOCKED_SLEEP;
    f = thread_user_frame(t);
    *f = *frame;
    thread_push_switch_frame(t, (uint64_t *)f, hal_user_enter);
    dqdt_update_threads(+1);
    sched_add(t);
    return t;
}

void thread_switch_prepare(thread_t *cur, thread_t *next)
{
    core_t *core = core_self();

    if (cur->fpu)
        hal_fpu_save(cur->fpu);
    core->kstack_top = next->stack_top;
    core->arch.tss.rsp[0] = next->stack_top;
    hal_gpt_activate(next->gpt);
    if (next->fpu) {
        hal_fpu_restore(next->fpu);
        wrmsr(MSR_FS_BASE, next->fs_base);
    }
}

thread_t *thread_create(uint32_t lid, thread_type_t type, void (*entry)(void *), void *arg,
                        const char *name)
{
    thread_t *t = thread_alloc(lid, type, name);
    uint64_t *sp;

    if (t == NULL)
        return NULL;
    t->entry = entry;
    t->arg   = arg;
    sp = (uint64_t *)t->stack_top;
    *--sp = 0;                               /* keeps the ABI alignment at thread_start */
    thread_push_switch_frame(t, sp, thread_start);
    if (type == THREAD_KERNEL)
        dqdt_update_threads(+1);
    sched_add(t);
    return t;
}

/*
 * Records the start of a wait of @t at the wait primitive's caller @pc,
 * unless one is in progress (the outermost primitive names the wait). Own
 * thread only; the hung-task detector reads it while @t is off its core.
 */
static void thread_wait_begin(thread_t *t, uintptr_t pc)
{
    if (t->wait_since != 0)
        return;
    t->wchan_pc = pc;
    t->hung_reported = 0;
    __atomic_store_n(&t->wait_since, rdtsc() | 1, __ATOMIC_RELEASE);
}

/* The wait of @t is over (own thread). */
static void thread_wait_end(thread_t *t)
{
    __atomic_store_n(&t->wait_since, 0, __ATOMIC_RELEASE);
    t->wchan = NULL;
}

void thread_set_blocked(uint32_t reason)
{
    thread_t *t = thread_current();

    thread_wait_begin(t, (uintptr_t)__builtin_return_address(0));
    __atomic_or_fetch(&t->blocked, reason, __ATOMIC_ACQ_REL);
}

void thread_clear_blocked(uint32_t reason)
{
    thread_t *t = thread_current();

    if (__atomic_and_fetch(&t->blocked, ~reason, __ATOMIC_ACQ_REL) == 0)
        thread_wait_end(t);
}

void thread_resumed(thread_t *t)
{
    if (__atomic_load_n(&t->blocked, __ATOMIC_ACQUIRE) == 0 && t->wait_since)
        thread_wait_end(t);
}

void thread_wait(uint32_t reason, bool (*done)(const void *arg), const void *arg)
{
    thread_t *t = thread_current();
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);

    while (!done(arg)) {
        thread_wait_begin(t, pc);
        thread_set_blocked(reason);
        if (done(arg)) {
            thread_clear_blocked(reason);
            break;
        }
        sched_yield();
    }
    thread_wait_end(t);
}

bool thread_sleep_until(uint64_t deadline, bool (*stop)(const void *arg), const void *arg)
{
    thread_t *t = thread_current();
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);

    for (;;) {
        if (rdtsc() >= deadline)
            break;
        if (stop && stop(arg)) {
            thread_wait_end(t);
            return false;
        }
        t->wake_tsc = deadline;
        thread_wait_begin(t, pc);
        thread_set_blocked(THREAD_BLOCKED_SLEEP);
        if (rdtsc() >= deadline || (stop && stop(arg))) {
            thread_clear_blocked(THREAD_BLOCKED_SLEEP);
            continue;
        }
        sched_yield();
        t->wake_tsc = 0;                     /* woken: by time, by a stop condition, or spuriously */
    }
    thread_wait_end(t);
    return true;
}

void thread_block(uint32_t reason)
{
    thread_t *t = thread_current();

    thread_wait_begin(t, (uintptr_t)__builtin_return_address(0));
    thread_set_blocked(reason);
    sched_yield();
    thread_wait_end(t);
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
