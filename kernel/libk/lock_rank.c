/*
 * lock_rank.c - the lock-order checker (see lock_rank.h).
 */
#include "lock_rank.h"
#include "thread.h"
#include "printk.h"
#include "ksym.h"
#include "kstring.h"
#include "cpu.h"

#if defined(DEBUG) || defined(CONFIG_KTEST)
static volatile uint32_t violations;
static char last_violation[240];
#endif

#ifdef CONFIG_KTEST
static bool report_only;

void lock_rank_set_report_only(bool on)
{
    report_only = on;
    if (on) {
        violations = 0;
        last_violation[0] = '\0';
    }
}

uint32_t lock_rank_violations(void)
{
    return violations;
}

const char *lock_rank_last_violation(void)
{
    return last_violation;
}
#else
#define report_only false                   /* a violation always panics */
#endif

#ifdef DEBUG
/* "name+0xoff" for a call site. */
static void site_name(uintptr_t site, char *buf, size_t size)
{
    uint64_t off = 0;
    const char *name = ksym_lookup(site, &off);

    if (name)
        snprintf(buf, size, "%s+0x%lx", name, off);
    else
        snprintf(buf, size, "0x%lx", (unsigned long)site);
}

static void lock_rank_violation(const char *what, const lock_held_t *held, const char *name,
                                uint32_t rank, uintptr_t site)
{
    char s1[64], s2[64];

    site_name(held->site, s1, sizeof(s1));
    site_name(site, s2, sizeof(s2));
    snprintf(last_violation, sizeof(last_violation),
             "%s: '%s' (rank %u) taken at %s while holding '%s' (rank %u) taken at %s",
             what, name, rank, s2, held->name, held->rank, s1);
    __atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);
    if (!report_only)
        panic("lock order violation: %s", last_violation);
}
#endif

void lock_rank_acquire(const void *lock, const char *name, uint32_t rank, bool busy,
                       uintptr_t site)
{
#ifdef DEBUG
    thread_t *t = thread_current();
    lock_trace_t *lt;
    uint64_t flags;

    if (t == NULL || rank == RANK_UNCHECKED)
        return;
    flags = irq_save();                       /* handlers take busylocks too */
    lt = &t->locks;
    for (uint32_t i = 0; i < lt->nheld; i++) {
        if (lt->held[i].rank >= rank) {
            lock_rank_violation(lt->held[i].lock == lock ? "recursive acquisition"
                                                         : "out of rank order",
                                &lt->held[i], name, rank, site);
            break;
        }
    }
    if (!busy) {
        for (uint32_t i = 0; i < lt->nheld; i++)
            if (lt->held[i].busy) {
                lock_rank_violation("blocking lock taken under a busylock", &lt->held[i],
                                    name, rank, site);
                break;
            }
    }
    if (lt->nheld == LOCK_MAX_HELD)
        panic("thread %s holds more than %d locks", t->name, LOCK_MAX_HELD);
    lt->held[lt->nheld++] = (lock_held_t){ lock, name, rank, busy, site };
    if (busy)
        lt->nbusy++;
    irq_restore(flags);
#else
    (void)lock; (void)name; (void)rank; (void)busy; (void)site;
#endif
}

void lock_rank_release(const void *lock)
{
#ifdef DEBUG
    thread_t *t = thread_current();
    lock_trace_t *lt;
    uint64_t flags;

    if (t == NULL)
        return;
    flags = irq_save();
    lt = &t->locks;
    for (uint32_t i = lt->nheld; i-- > 0; ) {
        if (lt->held[i].lock == lock) {
            if (lt->held[i].busy)
                lt->nbusy--;
            memmove(&lt->held[i], &lt->held[i + 1], (lt->nheld - i - 1) * sizeof(lt->held[0]));
            lt->nheld--;
            break;
        }
    }
    irq_restore(flags);
#else
    (void)lock;
#endif
}

void lock_rank_check_deschedule(void)
{
#ifdef DEBUG
    thread_t *t = thread_current();

    if (t == NULL || t->locks.nbusy == 0)
        return;
    for (uint32_t i = 0; i < t->locks.nheld; i++) {
        if (t->locks.held[i].busy) {
            char s[64];
            site_name(t->locks.held[i].site, s, sizeof(s));
            panic("thread %s deschedules holding busylock '%s' (rank %u) taken at %s",
                  t->name, t->locks.held[i].name, t->locks.held[i].rank, s);
        }
    }
#endif
}
