/*
 * hung_task.c - the hung-task detector and the thread dump (see hung_task.h).
 */
#include "hung_task.h"
#include "thread.h"
#include "core.h"
#include "cluster.h"
#include "boot_info.h"
#include "process.h"
#include "busylock.h"
#include "ksym.h"
#include "printk.h"
#include "kstring.h"
#include "layout.h"

uint32_t hung_task_timeout_s = HUNG_TASK_DEFAULT_S;
#ifdef CONFIG_KTEST
volatile bool hung_task_expected;
#define HUNG_PREFIX (hung_task_expected ? "ktest: expected hung task: " : "archipel: hung task: ")
#else
#define HUNG_PREFIX "archipel: hung task: "
#endif

#define HUNG_BT_MAX 12                /* frames printed per thread */

/* What is printed of one thread, copied under its core's scheduler lock. */
typedef struct hung_snap_s {
    char        name[16];
    uint32_t    tid, pid, cxy, lid, type, blocked;
    bool        running;
    uint64_t    age_ms;               /* of the current wait; 0: not waiting */
    const char *wchan;
    uintptr_t   wchan_pc;
    uint32_t    npc;
    uint64_t    pc[HUNG_BT_MAX];
    uint32_t    nheld;
    struct { const char *name; uint32_t rank; uintptr_t site; } held[LOCK_MAX_HELD];
} hung_snap_t;

bool hung_task_uninterruptible(const thread_t *t)
{
    return (t->blocked & (THREAD_BLOCKED_LOCK | THREAD_BLOCKED_RPC)) != 0;
}

/* Blocked, not as an idle RPC server nor as an exited thread. */
static bool hung_blocked(const thread_t *t)
{
    uint32_t b = t->blocked;

    return b != 0 && !(b & (THREAD_BLOCKED_IDLE | THREAD_BLOCKED_EXIT));
}

/* The kernel frames of @t, off its core: from the switch frame hal_context_switch left. */
static void hung_backtrace(const thread_t *t, hung_snap_t *s)
{
    uint64_t lo = t->stack_top - (PAGE_SIZE << THREAD_STACK_ORDER), hi = t->stack_top;
    const uint64_t *sw = (const uint64_t *)t->rsp;  /* r15 r14 r13 r12 rbx rbp rflags ret */
    uint64_t rbp;

    s->npc = 0;
    if (t->stack == NULL || t->rsp < lo || t->rsp + 8 * 8 > hi)
        return;                         /* the idle thread: on the boot stack */
    s->pc[s->npc++] = sw[7];
    rbp = sw[5];
    while (s->npc < HUNG_BT_MAX && rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
        uint64_t next = ((const uint64_t *)rbp)[0], rip = ((const uint64_t *)rbp)[1];

        if (rip < KERNEL_VMA)
            break;
        s->pc[s->npc++] = rip;
        if (next <= rbp)
            break;
        rbp = next;
    }
}

/* Copies what is printed of @t (of core @core; its scheduler lock held). */
static void hung_snapshot(const thread_t *t, const core_t *core, hung_snap_t *s)
{
    uint64_t since = t->wait_since, now = rdtsc();

    memcpy(s->name, t->name, sizeof(s->name));
    s->name[sizeof(s->name) - 1] = '\0';
    s->tid = t->tid;
    s->pid = t->process ? t->process->pid : 0;
    s->cxy = core->cxy;
    s->lid = core->lid;
    s->type = t->type;
    s->blocked = t->blocked;
    s->running = t == core->sched.current;
    s->age_ms = since && now > since ? tsc_to_ms(now - since) : 0;
    s->wchan = t->wchan;
    s->wchan_pc = t->wchan_pc;
    s->npc = 0;
    if (!s->running && !t->preempted)
        hung_backtrace(t, s);
    s->nheld = t->locks.nheld < LOCK_MAX_HELD ? t->locks.nheld : LOCK_MAX_HELD;
    for (uint32_t i = 0; i < s->nheld; i++) {
        s->held[i].name = t->locks.held[i].name;
        s->held[i].rank = t->locks.held[i].rank;
        s->held[i].site = t->locks.held[i].site;
    }
}

/* "D (lock)", "S (sleep)", "R": the state letter of Linux's ps and the reasons. */
static void hung_state(const hung_snap_t *s, char *buf, size_t cap)
{
    uint32_t b = s->blocked;

    if (b == 0) {
        snprintf(buf, cap, "%s", s->running ? "R (running)" : "R (runnable)");
        return;
    }
    snprintf(buf, cap, "%c (%s%s%s%s%s)",
             (b & (THREAD_BLOCKED_LOCK | THREAD_BLOCKED_RPC)) ? 'D' : 'S',
             b & THREAD_BLOCKED_LOCK ? "lock " : "", b & THREAD_BLOCKED_RPC ? "rpc " : "",
             b & THREAD_BLOCKED_SLEEP ? "sleep " : "", b & THREAD_BLOCKED_IDLE ? "idle " : "",
             b & THREAD_BLOCKED_EXIT ? "exit " : "");
    size_t n = strlen(buf);
    if (n >= 2 && buf[n - 2] == ' ')
        memmove(&buf[n - 2], &buf[n - 1], 2);   /* "(lock )" -> "(lock)" */
}

static void hung_print(const hung_snap_t *s, bool hung)
{
    char state[48], where[80];
    uint64_t off;
    const char *sym = s->wchan_pc ? ksym_lookup(s->wchan_pc, &off) : NULL;

    hung_state(s, state, sizeof(state));
    if (sym)
        snprintf(where, sizeof(where), "%s+0x%lx", sym, off);
    else
        snprintf(where, sizeof(where), "?");
    printk("%s%s (tid %u, pid %u) of cluster %u core %u.%u, state %s, waiting %lu ms "
           "on %s at %s", hung ? HUNG_PREFIX : "thread ", s->name, s->tid, s->pid,
           s->cxy, s->cxy, s->lid, state, s->age_ms, s->wchan ? s->wchan : "-",
           s->blocked ? where : "-");
    for (uint32_t i = 0; i < s->npc; i++) {
        sym = ksym_lookup(s->pc[i], &off);
        if (sym)
            printk("    #%u 0x%016lx %s+0x%lx", i, s->pc[i], sym, off);
        else
            printk("    #%u 0x%016lx ?", i, s->pc[i]);
    }
#ifdef DEBUG
    if (s->nheld == 0)
        printk("    locks held: none");
    for (uint32_t i = 0; i < s->nheld; i++) {
        /* the checker records a blocking lock when its wait begins: the last one is awaited */
        bool awaited = i == s->nheld - 1 && (s->blocked & THREAD_BLOCKED_LOCK) &&
                       s->wchan == s->held[i].name;

        sym = ksym_lookup(s->held[i].site, &off);
        printk("    lock %s: '%s' (rank %u) %s at %s+0x%lx", awaited ? "awaited" : "held",
               s->held[i].name, s->held[i].rank, awaited ? "wanted" : "taken",
               sym ? sym : "?", sym ? off : 0);
    }
#else
    printk("    locks held: unknown (recorded in DEBUG builds only)");
#endif
}

/* Whether @t of core @core is printed by a scan for @what (its scheduler lock held). */
static bool hung_selected(const thread_t *t, const core_t *core, hung_scan_t what,
                          uint64_t min_age)
{
    uint64_t since = t->wait_since;

    switch (what) {
    case HUNG_SCAN_ALL:
        return true;
    case HUNG_SCAN_BLOCKED:
        return hung_blocked(t);
    case HUNG_SCAN_LOCKS:
        return t->locks.nheld != 0;
    case HUNG_SCAN_HUNG:
        return t != core->sched.current && !t->preempted && !t->hung_reported &&
               since != 0 && hung_task_uninterruptible(t) &&
               rdtsc() - since >= min_age && rdtsc() > since;
    }
    return false;
}

uint32_t hung_task_scan(uint32_t cxy, hung_scan_t what, uint64_t min_age_ms)
{
    cluster_t *cl = cluster_tbl[cxy];
    uint64_t min_age = tsc_from_ms(min_age_ms);
    uint32_t printed = 0;
    hung_snap_t snap;

    for (uint32_t l = 0; l < cl->ncores; l++) {
        core_t *core = &cl->core[l];
        sched_t *s = &core->sched;

        if (__atomic_load_n(&s->current, __ATOMIC_ACQUIRE) == NULL)
            continue;                    /* that core has no scheduler yet */
        /* one thread per lock hold: the n-th selected, printed after the release */
        for (uint32_t skip = 0;; skip++) {
            list_entry_t *it;
            uint32_t n = 0;
            bool found = false;

            remote_busylock_acquire(XPTR(cxy, &s->lock));
            LIST_FOREACH(&s->threads, it) {
                thread_t *t = LIST_ELEMENT(it, thread_t, sched_list);

                if (!hung_selected(t, core, what, min_age))
                    continue;
                if (what != HUNG_SCAN_HUNG && n++ < skip)
                    continue;
                hung_snapshot(t, core, &snap);
                if (what == HUNG_SCAN_HUNG)
                    t->hung_reported = 1;
                found = true;
                break;
            }
            remote_busylock_release(XPTR(cxy, &s->lock));
            if (!found)
                break;
            hung_print(&snap, what == HUNG_SCAN_HUNG);
            printed++;
            if (what == HUNG_SCAN_HUNG)
                __atomic_add_fetch(&core_self()->hung_reports, 1, __ATOMIC_RELEASE);
        }
    }
    return printed;
}

void hung_task_tick(void)
{
    core_t *me = core_self();

    if (hung_task_timeout_s == 0 || me->lid != 0 || me->ticks % (1000000 / TICK_US) != 0)
        return;
    hung_task_scan(me->cxy, HUNG_SCAN_HUNG, (uint64_t)hung_task_timeout_s * 1000);
}
