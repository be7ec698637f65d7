/*
 * itimer.c - ITIMER_REAL timers fired by a kernel thread per cluster (see
 * itimer.h). Linux's rules: kernel/time/itimer.c and man 2 getitimer.
 */
#include "itimer.h"
#include "process.h"
#include "cluster.h"
#include "thread.h"
#include "boot_info.h"
#include "printk.h"
#include "uapi/errno.h"
#include "uapi/signal_defs.h"

#define ITIMER_BATCH 32          /* expired timers handled per hold of the lock */
#define USEC         1000000ull

#define ITIMER_MAX_SEC 1000000000ll /* ~31 years: longer settings are kept as that (no overflow) */

static uint64_t tv_to_tsc(const ktimeval_t *tv)
{
    int64_t sec = tv->tv_sec < ITIMER_MAX_SEC ? tv->tv_sec : ITIMER_MAX_SEC;

    return (uint64_t)sec * boot_info.tsc_hz + (uint64_t)tv->tv_usec * boot_info.tsc_hz / USEC;
}

/* A time left in TSC cycles, rounded up to the next microsecond as Linux reports it. */
static ktimeval_t tsc_to_tv(uint64_t cycles)
{
    uint64_t hz = boot_info.tsc_hz;
    ktimeval_t tv = { (int64_t)(cycles / hz), (int64_t)(((cycles % hz) * USEC + hz - 1) / hz) };

    if (tv.tv_usec == (int64_t)USEC) {
        tv.tv_sec++;
        tv.tv_usec = 0;
    }
    return tv;
}

void itimer_cluster_init(cluster_t *cl)
{
    busylock_init(&cl->itimer_lock, "itimer", RANK_ITIMER);
    xlist_root_init(XPTR(cl->cxy, &cl->itimer_root));
    cl->itimer_thread = XPTR_NULL;
    cl->itimer_kick = 0;
}

/*
 * SIGALRM is ignored by process @p (local reference). Linux re-arms an
 * interval ITIMER_REAL only when its SIGALRM is dequeued (dequeue_signal in
 * kernel/signal.c); an ignored one is dropped when sent, so the timer
 * stops after that expiry, it_interval kept. This kernel re-arms when the
 * timer fires, except in that case.
 */
static bool itimer_sigalrm_ignored(const process_t *p)
{
    return p->sigaction[SIGALRM - 1].handler == SIG_IGN;
}

static bool itimer_kicked(const void *arg)
{
    return __atomic_load_n(&((const cluster_t *)arg)->itimer_kick, __ATOMIC_ACQUIRE) != 0;
}

/* The cluster's timer thread: fires what expired, then sleeps until the next expiry or a kick. */
static void itimer_thread(void *arg)
{
    cluster_t *cl = arg;
    xptr_t root = XPTR(cl->cxy, &cl->itimer_root);

    for (;;) {
        uint32_t fire[ITIMER_BATCH], n = 0;
        uint64_t now = rdtsc(), next = UINT64_MAX;
        xptr_t it;

        __atomic_store_n(&cl->itimer_kick, 0, __ATOMIC_RELEASE);
        busylock_acquire(&cl->itimer_lock);
        it = xlist_first(root);
        while (it != XPTR_NULL) {
            process_t *p = GET_PTR(XLIST_ELEMENT(it, process_t, itimer_list));
            xptr_t nxt = xlist_next(root, it);

            if (p->itimer_expire <= now && n < ITIMER_BATCH) {
                fire[n++] = p->pid;
                if (p->itimer_interval && !itimer_sigalrm_ignored(p)) {
                    /* Linux reloads from the expiry, not from now; a late tick skips periods */
                    while (p->itimer_expire <= now)
                        p->itimer_expire += p->itimer_interval;
                } else {
                    p->itimer_expire = 0;
                    xlist_unlink(it);
                }
            }
            if (p->itimer_expire && p->itimer_expire < next)
                next = p->itimer_expire;
            it = nxt;
        }
        busylock_release(&cl->itimer_lock);
        for (uint32_t i = 0; i < n; i++)
            process_kill((int64_t)fire[i], SIGALRM);
        if (n == ITIMER_BATCH)
            continue;                    /* more may have expired */
        thread_sleep_until(next, itimer_kicked, cl);
    }
}

void itimer_thread_start(core_t *core)
{
    cluster_t *cl = core->cluster;
    thread_t *t = thread_create(core->lid, THREAD_KERNEL, itimer_thread, cl, "itimer");

    if (t == NULL)
        panic("no memory for the itimer thread of cluster %u", cl->cxy);
    cl->itimer_thread = XPTR(cl->cxy, t);
}

/* Unlinks the timer of reference @p in cluster @cxy (its lock held). */
static void itimer_unlink(uint32_t cxy, process_t *p)
{
    xptr_t entry = XPTR(cxy, &p->itimer_list);

    if (hal_remote_l64(XPTR(cxy, &p->itimer_list.next)) != XPTR_NULL)
        xlist_unlink(entry);
    hal_remote_s64(XPTR(cxy, &p->itimer_expire), 0);
    hal_remote_s64(XPTR(cxy, &p->itimer_interval), 0);
}

/* The setting of reference @p in cluster @cxy, read at TSC @now (its lock held). */
static void itimer_read(uint32_t cxy, process_t *p, uint64_t now, kitimerval_t *cur)
{
    uint64_t expire = hal_remote_l64(XPTR(cxy, &p->itimer_expire));

    cur->it_interval = tsc_to_tv(hal_remote_l64(XPTR(cxy, &p->itimer_interval)));
    cur->it_value = tsc_to_tv(expire == 0 ? 0 : expire > now ? expire - now : 1);
}

static bool tv_valid(const ktimeval_t *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < (int64_t)USEC;
}

int itimer_set(const kitimerval_t *val, kitimerval_t *old)
{
    xptr_t ref = process_current_xp();
    uint32_t cxy = GET_CXY(ref);
    process_t *p = GET_PTR(ref);
    cluster_t *cl = cluster_tbl[cxy];
    xptr_t lock = XPTR(cxy, &cl->itimer_lock);
    uint64_t now, value, interval;

    if (!tv_valid(&val->it_value) || !tv_valid(&val->it_interval))
        return -EINVAL;
    value = tv_to_tsc(&val->it_value);
    interval = tv_to_tsc(&val->it_interval);
    if (value == 0 && (val->it_value.tv_sec || val->it_value.tv_usec))
        value = 1;                       /* shorter than a cycle: still armed */
    remote_busylock_acquire(lock);
    now = rdtsc();
    if (old)
        itimer_read(cxy, p, now, old);
    itimer_unlink(cxy, p);               /* it_value 0: it_interval goes too (Linux) */
    if (value) {
        hal_remote_s64(XPTR(cxy, &p->itimer_expire), now + value);
        hal_remote_s64(XPTR(cxy, &p->itimer_interval), interval);
        xlist_add_last(XPTR(cxy, &cl->itimer_root), XPTR(cxy, &p->itimer_list));
    }
    remote_busylock_release(lock);
    if (value) {
        xptr_t t = hal_remote_lxp(XPTR(cxy, &cl->itimer_thread));

        hal_remote_s32(XPTR(cxy, &cl->itimer_kick), 1);
        if (t != XPTR_NULL)
            thread_unblock(t, THREAD_BLOCKED_SLEEP);
    }
    return 0;
}

void itimer_get(kitimerval_t *cur)
{
    xptr_t ref = process_current_xp();
    uint32_t cxy = GET_CXY(ref);
    xptr_t lock = XPTR(cxy, &cluster_tbl[cxy]->itimer_lock);

    remote_busylock_acquire(lock);
    itimer_read(cxy, GET_PTR(ref), rdtsc(), cur);
    remote_busylock_release(lock);
}

void itimer_cancel(process_t *p)
{
    cluster_t *cl = cluster_local();

    busylock_acquire(&cl->itimer_lock);
    itimer_unlink(local_cxy(), p);
    busylock_release(&cl->itimer_lock);
}
