/*
 * lockup.c - soft and hard lockup detector, backtraces by NMI (see lockup.h).
 */
#include "lockup.h"
#include "core.h"
#include "cluster.h"
#include "boot_info.h"
#include "thread.h"
#include "ksym.h"
#include "printk.h"
#include "apic.h"
#include "cpu.h"
#include "trap.h"
#include "layout.h"

uint32_t lockup_timeout_s = LOCKUP_DEFAULT_S;
#ifdef CONFIG_KTEST
volatile bool lockup_expected;
#define LOCKUP_PREFIX (lockup_expected ? "ktest: expected" : "archipel:")
#else
#define LOCKUP_PREFIX "archipel:"
#endif

/* The core of global index @gid (cores are numbered in cluster order), or NULL. */
static core_t *lockup_core_by_gid(uint32_t gid)
{
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];

        if (cl == NULL)
            return NULL;
        if (gid < cl->ncores)
            return &cl->core[gid];
        gid -= cl->ncores;
    }
    return NULL;
}

core_t *lockup_neighbour(void)
{
    uint32_t ncores = boot_info.topo.ncores;

    return ncores < 2 ? NULL : lockup_core_by_gid((core_self()->gid + 1) % ncores);
}

/* ---- the NMI side -------------------------------------------------------------------- */

/*
 * The calling core's core_t from an NMI: the NMI may come between a
 * SWAPGS and the IRETQ/SYSRETQ next to it, with the user's GS base loaded
 * and the kernel's in MSR_KGS_BASE; pick the one that is a kernel address.
 */
static core_t *lockup_nmi_core(void)
{
    uint64_t gs = rdmsr(MSR_GS_BASE);

    if (gs < DIRECT_MAP_BASE)
        gs = rdmsr(MSR_KGS_BASE);
    return gs < DIRECT_MAP_BASE ? NULL : (core_t *)gs;
}

bool lockup_nmi(const trap_frame_t *f)
{
    core_t *core = lockup_nmi_core();
    lockup_nmi_t *n;
    uint64_t rbp, lo = 0, hi = 0;
    thread_t *t;

    if (core == NULL || core->magic != CORE_MAGIC)
        return false;
    n = &core->nmi;
    if (!__atomic_load_n(&n->request, __ATOMIC_ACQUIRE))
        return false;
    n->irq_on = (f->rflags & RFLAGS_IF) != 0;
    n->pc[0] = f->rip;
    n->n = 1;
    /* the frame chain, only inside the interrupted thread's kernel stack */
    t = core->sched.current;
    if (t != NULL && t->magic == THREAD_MAGIC && (f->cs & 3) == 0) {
        hi = t->stack_top;
        lo = hi - (PAGE_SIZE << THREAD_STACK_ORDER);
    }
    rbp = f->rbp;
    while (n->n < LOCKUP_BT_MAX && rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
        uint64_t next = ((uint64_t *)rbp)[0], rip = ((uint64_t *)rbp)[1];

        if (rip < KERNEL_VMA)
            break;
        n->pc[n->n++] = rip;
        if (next <= rbp)
            break;                          /* frames grow upwards: a loop is corrupt */
        rbp = next;
    }
    __atomic_store_n(&n->request, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&n->done, 1, __ATOMIC_RELEASE);
    return true;
}

/* Prints the @n frames of @pc[] symbolized, one line each. */
static void lockup_print_frames(const uint64_t *pc, uint32_t n)
{
    uint64_t off;

    for (uint32_t i = 0; i < n; i++) {
        const char *name = ksym_lookup(pc[i], &off);

        if (name)
            printk("    #%u 0x%016lx %s+0x%lx", i, pc[i], name, off);
        else
            printk("    #%u 0x%016lx ?", i, pc[i]);
    }
}

void lockup_show_self(void)
{
    core_t *me = core_self();
    thread_t *t = me->sched.current;
    uint64_t pc[LOCKUP_BT_MAX], rbp = (uint64_t)__builtin_frame_address(0), lo = 0, hi = 0;
    uint32_t n = 0;

    if (t != NULL && t->stack != NULL) {
        hi = t->stack_top;
        lo = hi - (PAGE_SIZE << THREAD_STACK_ORDER);
    }
    while (n < LOCKUP_BT_MAX && rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
        uint64_t next = ((uint64_t *)rbp)[0], rip = ((uint64_t *)rbp)[1];

        if (rip < KERNEL_VMA)
            break;
        pc[n++] = rip;
        if (next <= rbp)
            break;
        rbp = next;
    }
    printk("  core %u.%u (self): thread %s, backtrace:", me->cxy, me->lid, t ? t->name : "?");
    lockup_print_frames(pc, n);
}

bool lockup_show_core(core_t *target)
{
    lockup_nmi_t *n = &target->nmi;
    uint64_t deadline;

    if (target == core_self() || !target->online)
        return false;
    n->done = 0;
    __atomic_store_n(&n->request, 1, __ATOMIC_RELEASE);
    lapic_send_nmi(target->apic_id);
    deadline = rdtsc() + tsc_from_ms(LOCKUP_NMI_WAIT_MS);
    while (!__atomic_load_n(&n->done, __ATOMIC_ACQUIRE) && rdtsc() < deadline)
        cpu_pause();
    if (!n->done) {
        __atomic_store_n(&n->request, 0, __ATOMIC_RELEASE);
        printk("  core %u.%u: no answer to the NMI within %u ms", target->cxy, target->lid,
               LOCKUP_NMI_WAIT_MS);
        return false;
    }
    printk("  core %u.%u (NMI): interrupts %s, backtrace:", target->cxy, target->lid,
           n->irq_on ? "on" : "off");
    lockup_print_frames(n->pc, n->n);
    return true;
}

/* ---- the watcher side ------------------------------------------------------------------ */

/* Prints the report of a stall of @target (@kind), @still_ticks of the watcher's ticks long. */
static void lockup_report(core_t *target, uint32_t kind, uint64_t still_ticks)
{
    core_t *me = core_self();
    thread_t *cur = __atomic_load_n(&target->sched.current, __ATOMIC_ACQUIRE);
    char name[16] = "?";

    if (cur != NULL)
        hal_remote_strcpy(XPTR(me->cxy, name), XPTR(target->cxy, cur->name), sizeof(name));
    printk("%s %s lockup on core %u.%u: %s for %lu ms (seen from core %u.%u), "
           "running thread %s", LOCKUP_PREFIX,
           kind == LOCKUP_HARD ? "hard" : "soft", target->cxy, target->lid,
           kind == LOCKUP_HARD ? "no timer interrupt" : "no pass through the scheduler",
           still_ticks * TICK_US / 1000, me->cxy, me->lid, name);
    lockup_show_core(target);
    me->lockup.reports++;
}

/* Looks at the neighbour of the calling core, @elapsed of its own ticks after the last look. */
static uint32_t lockup_check(uint64_t elapsed)
{
    core_t *me = core_self();
    lockup_watch_t *w = &me->lockup;
    uint64_t limit, hb, ticks;
    core_t *target;

    if (lockup_timeout_s == 0)
        return 0;
    target = lockup_neighbour();
    if (target == NULL || !hal_remote_l32(XPTR(target->cxy, &target->online)))
        return 0;
    hb = hal_remote_l64(XPTR(target->cxy, &target->heartbeat));
    ticks = hal_remote_l64(XPTR(target->cxy, &target->ticks));
    if (!w->armed) {
        w->armed = ticks != 0;             /* its timer runs: from now on, watch it */
        w->seen_heartbeat = hb;
        w->seen_ticks = ticks;
        return 0;
    }
    if (ticks != w->seen_ticks) {
        w->seen_ticks = ticks;
        w->ticks_still = 0;
    } else {
        w->ticks_still += elapsed;
    }
    if (hb != w->seen_heartbeat) {
        w->seen_heartbeat = hb;
        w->heartbeat_still = 0;
    } else {
        w->heartbeat_still += elapsed;
    }
    if (w->ticks_still == 0 && w->heartbeat_still == 0)
        w->reported = 0;                   /* it moves again: a new stall is a new report */
    limit = (uint64_t)lockup_timeout_s * (1000000 / TICK_US);
    if (w->ticks_still >= limit && w->reported != LOCKUP_HARD) {
        w->reported = LOCKUP_HARD;
        lockup_report(target, LOCKUP_HARD, w->ticks_still);
        return LOCKUP_HARD;
    }
    if (w->heartbeat_still >= limit && w->ticks_still == 0 && w->reported == 0) {
        w->reported = LOCKUP_SOFT;
        lockup_report(target, LOCKUP_SOFT, w->heartbeat_still);
        return LOCKUP_SOFT;
    }
    return 0;
}

void lockup_tick(bool from_user)
{
    core_t *me = core_self();

    if (from_user || me->sched.current == me->sched.idle)
        me->heartbeat++;
    if (me->ticks % LOCKUP_CHECK_TICKS == 0)
        lockup_check(LOCKUP_CHECK_TICKS);
}

#ifdef CONFIG_KTEST
uint32_t lockup_check_now(uint64_t elapsed_ticks)
{
    uint64_t flags = irq_save();
    uint32_t r = lockup_check(elapsed_ticks);

    irq_restore(flags);
    return r;
}
#endif
