/*
 * itimer.c - the timers of a process, fired by a kernel thread per cluster
 * (see itimer.h). Linux's rules: kernel/time/itimer.c, posix-timers.c and
 * man 2 getitimer, man 2 timer_create, man 2 timer_settime.
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
#define NSEC         1000000000ull
#define ITIMER_MAX_SEC 1000000000ll /* ~31 years: longer settings are kept as that (no overflow) */

/* ---- time conversions --------------------------------------------------------------- */

static uint64_t tv_to_tsc(const ktimeval_t *tv)
{
    int64_t sec = tv->tv_sec < ITIMER_MAX_SEC ? tv->tv_sec : ITIMER_MAX_SEC;

    return (uint64_t)sec * boot_info.tsc_hz + (uint64_t)tv->tv_usec * boot_info.tsc_hz / USEC;
}

static uint64_t ts_to_tsc(const ktimespec_t *ts)
{
    int64_t sec = ts->tv_sec < ITIMER_MAX_SEC ? ts->tv_sec : ITIMER_MAX_SEC;

    return (uint64_t)sec * boot_info.tsc_hz + (uint64_t)ts->tv_nsec * boot_info.tsc_hz / NSEC;
}

/* @cycles as seconds and @unit-ths of a second, rounded up (a time left is never shortened). */
static void tsc_split(uint64_t cycles, uint64_t unit, int64_t *sec, int64_t *frac)
{
    uint64_t hz = boot_info.tsc_hz;

    *sec = (int64_t)(cycles / hz);
    *frac = (int64_t)(((cycles % hz) * unit + hz - 1) / hz);
    if (*frac == (int64_t)unit) {
        (*sec)++;
        *frac = 0;
    }
}

static ktimeval_t tsc_to_tv(uint64_t cycles)
{
    ktimeval_t tv;

    tsc_split(cycles, USEC, &tv.tv_sec, &tv.tv_usec);
    return tv;
}

static ktimespec_t tsc_to_ts(uint64_t cycles)
{
    ktimespec_t ts;

    tsc_split(cycles, NSEC, &ts.tv_sec, &ts.tv_nsec);
    return ts;
}

/* ---- the timer thread -------------------------------------------------------------- */

void itimer_cluster_init(cluster_t *cl)
{
    busylock_init(&cl->itimer_lock, "itimer", RANK_ITIMER);
    xlist_root_init(XPTR(cl->cxy, &cl->itimer_root));
    cl->itimer_thread = XPTR_NULL;
    cl->itimer_kick = 0;
}

/*
 * SIGALRM is ignored by the process of ITIMER_REAL @t (local). Linux
 * re-arms an interval ITIMER_REAL only when its SIGALRM is dequeued
 * (dequeue_signal in kernel/signal.c); an ignored one is dropped when
 * sent, so the timer stops after that expiry, it_interval kept.
 */
static bool itimer_sigalrm_ignored(const itimer_t *t)
{
    const process_t *p = (const process_t *)((const char *)t - offsetof(process_t, itimer));

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
        struct { uint32_t pid; int32_t sig; uint32_t tid; bool posix; sigq_entry_t e; }
            fire[ITIMER_BATCH];
        uint64_t now = rdtsc(), next = UINT64_MAX;
        uint32_t n = 0;
        xptr_t it;

        __atomic_store_n(&cl->itimer_kick, 0, __ATOMIC_RELEASE);
        busylock_acquire(&cl->itimer_lock);
        it = xlist_first(root);
        while (it != XPTR_NULL) {
            itimer_t *t = GET_PTR(XLIST_ELEMENT(it, itimer_t, list));   /* local: this list's */
            xptr_t nxt = xlist_next(root, it);

            if (t->expire <= now && n < ITIMER_BATCH) {
                if (t->sig) {
                    fire[n].pid = t->pid;
                    fire[n].sig = t->sig;
                    fire[n].tid = t->tid;
                    fire[n].posix = !t->real;
                    fire[n].e = (sigq_entry_t){ .code = SI_TIMER, .value = t->value,
                                                .a = t->id };
                }
                if (t->interval && !(t->real && itimer_sigalrm_ignored(t))) {
                    uint32_t periods = 0;

                    /* Linux reloads from the expiry, not from now; late: overruns */
                    while (t->expire <= now) {
                        t->expire += t->interval;
                        periods++;
                    }
                    t->overrun = periods - 1;
                } else {
                    t->expire = 0;
                    xlist_unlink(it);
                }
                if (t->sig)
                    fire[n++].e.b = t->overrun;   /* si_overrun */
            }
            if (t->expire && t->expire < next)
                next = t->expire;
            it = nxt;
        }
        busylock_release(&cl->itimer_lock);
        for (uint32_t i = 0; i < n; i++) {
            if (!fire[i].posix)
                process_kill((int64_t)fire[i].pid, fire[i].sig);
            else if (fire[i].tid)
                signal_send_thread(fire[i].pid, fire[i].tid, fire[i].sig, &fire[i].e, false);
            else
                signal_send_process(fire[i].pid, fire[i].sig, &fire[i].e, false);
        }
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

/* ---- arming and reading, from any cluster ------------------------------------------- */

/* The itimer lock of the cluster of timer @t. */
static xptr_t timer_lock(xptr_t t)
{
    return XPTR(GET_CXY(t), &cluster_tbl[GET_CXY(t)]->itimer_lock);
}

#define TIMER_FIELD(t, field) XPTR(GET_CXY(t), &((itimer_t *)GET_PTR(t))->field)

/* Disarms timer @t (its lock held). */
static void timer_disarm(xptr_t t)
{
    if (hal_remote_l64(TIMER_FIELD(t, list.next)) != XPTR_NULL)
        xlist_unlink(TIMER_FIELD(t, list));
    hal_remote_s64(TIMER_FIELD(t, expire), 0);
    hal_remote_s64(TIMER_FIELD(t, interval), 0);
    hal_remote_s32(TIMER_FIELD(t, overrun), 0);
}

/* Arms timer @t (its lock held) for TSC @expire (> 0), reloading by @interval. */
static void timer_arm(xptr_t t, uint64_t expire, uint64_t interval)
{
    uint32_t cxy = GET_CXY(t);

    hal_remote_s64(TIMER_FIELD(t, expire), expire);
    hal_remote_s64(TIMER_FIELD(t, interval), interval);
    xlist_add_last(XPTR(cxy, &cluster_tbl[cxy]->itimer_root), TIMER_FIELD(t, list));
}

/* After timer_arm(), lock released: the timer thread of @t's cluster rescans its list. */
static void timer_kick(xptr_t t)
{
    cluster_t *cl = cluster_tbl[GET_CXY(t)];
    xptr_t thread = hal_remote_lxp(XPTR(GET_CXY(t), &cl->itimer_thread));

    hal_remote_s32(XPTR(GET_CXY(t), &cl->itimer_kick), 1);
    if (thread != XPTR_NULL)
        thread_unblock(thread, THREAD_BLOCKED_SLEEP);
}

/* Time left to timer @t's expiry at TSC @now (its lock held): 0 disarmed, >= 1 cycle armed. */
static uint64_t timer_left(xptr_t t, uint64_t now)
{
    uint64_t expire = hal_remote_l64(TIMER_FIELD(t, expire));

    return expire == 0 ? 0 : expire > now ? expire - now : 1;
}

/* ---- ITIMER_REAL -------------------------------------------------------------------- */

static bool tv_valid(const ktimeval_t *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < (int64_t)USEC;
}

int itimer_set(const kitimerval_t *val, kitimerval_t *old)
{
    xptr_t ref = process_current_xp();
    xptr_t t = PROCESS_FIELD(ref, itimer);
    uint64_t now, value, interval;

    if (!tv_valid(&val->it_value) || !tv_valid(&val->it_interval))
        return -EINVAL;
    value = tv_to_tsc(&val->it_value);
    interval = tv_to_tsc(&val->it_interval);
    if (value == 0 && (val->it_value.tv_sec || val->it_value.tv_usec))
        value = 1;                       /* shorter than a cycle: still armed */
    remote_busylock_acquire(timer_lock(t));
    now = rdtsc();
    if (old) {
        old->it_interval = tsc_to_tv(hal_remote_l64(TIMER_FIELD(t, interval)));
        old->it_value = tsc_to_tv(timer_left(t, now));
    }
    timer_disarm(t);                     /* it_value 0: it_interval goes too (Linux) */
    if (value) {
        hal_remote_s32(TIMER_FIELD(t, pid), hal_remote_l32(PROCESS_FIELD(ref, pid)));
        hal_remote_s32(TIMER_FIELD(t, sig), SIGALRM);
        hal_remote_s32(TIMER_FIELD(t, real), 1);
        timer_arm(t, now + value, interval);
    }
    remote_busylock_release(timer_lock(t));
    if (value)
        timer_kick(t);
    return 0;
}

void itimer_get(kitimerval_t *cur)
{
    xptr_t t = PROCESS_FIELD(process_current_xp(), itimer);

    remote_busylock_acquire(timer_lock(t));
    cur->it_interval = tsc_to_tv(hal_remote_l64(TIMER_FIELD(t, interval)));
    cur->it_value = tsc_to_tv(timer_left(t, rdtsc()));
    remote_busylock_release(timer_lock(t));
}

/* ---- POSIX timers ------------------------------------------------------------------- */

int ptimer_create(uint64_t clock, const ksigevent_t *ev)
{
    xptr_t ref = process_current_xp();
    int32_t sig = SIGALRM;
    uint32_t tid = 0;
    int id = -EAGAIN;

    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
        return -EINVAL;
    /* Linux's good_sigevent (kernel/time/posix-timers.c) */
    if (ev && ev->sigev_notify == SIGEV_NONE) {
        sig = 0;
    } else if (ev) {
        if (ev->sigev_notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID)) {
            if (ev->sigev_tid <= 0 || process_lookup((uint32_t)ev->sigev_tid) != ref)
                return -EINVAL;          /* not a thread of the calling process */
            tid = (uint32_t)ev->sigev_tid;
        } else if (ev->sigev_notify != SIGEV_SIGNAL && ev->sigev_notify != SIGEV_THREAD) {
            return -EINVAL;
        }
        if (ev->sigev_signo <= 0 || ev->sigev_signo > NSIG)
            return -EINVAL;
        sig = ev->sigev_signo;
    }
    remote_busylock_acquire(timer_lock(ref));
    for (int i = 0; i < PTIMER_MAX; i++) {
        xptr_t t = PROCESS_FIELD(ref, ptimer[i]);

        if (hal_remote_l32(TIMER_FIELD(t, used)) == 0) {
            hal_remote_s32(TIMER_FIELD(t, used), 1);
            hal_remote_s32(TIMER_FIELD(t, pid), hal_remote_l32(PROCESS_FIELD(ref, pid)));
            hal_remote_s32(TIMER_FIELD(t, sig), (uint32_t)sig);
            hal_remote_s32(TIMER_FIELD(t, clock), (uint32_t)clock);
            hal_remote_s32(TIMER_FIELD(t, tid), tid);
            hal_remote_s32(TIMER_FIELD(t, id), (uint32_t)i);
            /* Linux: without a sigevent, si_value is the timer's id */
            hal_remote_s64(TIMER_FIELD(t, value), ev ? ev->sigev_value : (uint64_t)i);
            timer_disarm(t);
            id = i;
            break;
        }
    }
    remote_busylock_release(timer_lock(ref));
    return id;
}

/* Timer @id of the calling process, locked, or XPTR_NULL (-EINVAL: no such timer). */
static xptr_t ptimer_lock(int64_t id)
{
    xptr_t ref = process_current_xp(), t;

    if (id < 0 || id >= PTIMER_MAX)
        return XPTR_NULL;
    t = PROCESS_FIELD(ref, ptimer[id]);
    remote_busylock_acquire(timer_lock(t));
    if (hal_remote_l32(TIMER_FIELD(t, used)) == 0) {
        remote_busylock_release(timer_lock(t));
        return XPTR_NULL;
    }
    return t;
}

static void ptimer_read(xptr_t t, uint64_t now, kitimerspec_t *cur)
{
    cur->it_interval = tsc_to_ts(hal_remote_l64(TIMER_FIELD(t, interval)));
    cur->it_value = tsc_to_ts(timer_left(t, now));
}

int ptimer_settime(int64_t id, uint64_t flags, const kitimerspec_t *val, kitimerspec_t *old)
{
    const ktimespec_t *iv = &val->it_interval;
    bool arm = val->it_value.tv_sec || val->it_value.tv_nsec;
    uint64_t deadline = 0;
    xptr_t t;

    if (iv->tv_sec < 0 || iv->tv_nsec < 0 || iv->tv_nsec >= (int64_t)NSEC)
        return -EINVAL;
    t = ptimer_lock(id);
    if (t == XPTR_NULL)
        return -EINVAL;
    if (arm) {
        bool realtime = hal_remote_l32(TIMER_FIELD(t, clock)) == CLOCK_REALTIME;
        int rc = tsc_deadline(&val->it_value, flags & TIMER_ABSTIME, realtime, &deadline);

        if (rc) {
            remote_busylock_release(timer_lock(t));
            return rc;
        }
    } else if (val->it_value.tv_sec < 0 || val->it_value.tv_nsec < 0) {
        remote_busylock_release(timer_lock(t));
        return -EINVAL;
    }
    if (old)
        ptimer_read(t, rdtsc(), old);
    timer_disarm(t);
    if (arm)
        timer_arm(t, deadline ? deadline : 1, ts_to_tsc(iv));
    remote_busylock_release(timer_lock(t));
    if (arm)
        timer_kick(t);
    return 0;
}

int ptimer_gettime(int64_t id, kitimerspec_t *cur)
{
    xptr_t t = ptimer_lock(id);

    if (t == XPTR_NULL)
        return -EINVAL;
    ptimer_read(t, rdtsc(), cur);
    remote_busylock_release(timer_lock(t));
    return 0;
}

int ptimer_getoverrun(int64_t id)
{
    xptr_t t = ptimer_lock(id);
    int n;

    if (t == XPTR_NULL)
        return -EINVAL;
    n = (int)hal_remote_l32(TIMER_FIELD(t, overrun));
    remote_busylock_release(timer_lock(t));
    return n;
}

int ptimer_delete(int64_t id)
{
    xptr_t t = ptimer_lock(id);

    if (t == XPTR_NULL)
        return -EINVAL;
    timer_disarm(t);
    hal_remote_s32(TIMER_FIELD(t, used), 0);
    remote_busylock_release(timer_lock(t));
    return 0;
}

/* ---- exec and exit ------------------------------------------------------------------ */

/* Deletes the POSIX timers of reference @p (local), and with @real disarms ITIMER_REAL. */
static void itimer_drop(process_t *p, bool real)
{
    cluster_t *cl = cluster_local();

    busylock_acquire(&cl->itimer_lock);
    if (real)
        timer_disarm(XPTR(local_cxy(), &p->itimer));
    for (int i = 0; i < PTIMER_MAX; i++) {
        timer_disarm(XPTR(local_cxy(), &p->ptimer[i]));
        p->ptimer[i].used = 0;
    }
    busylock_release(&cl->itimer_lock);
}

void itimer_exec(process_t *p)
{
    itimer_drop(p, false);
}

void itimer_cancel(process_t *p)
{
    itimer_drop(p, true);
}
