/*
 * rpc.c - RPC FIFOs, server threads, client side (see rpc.h).
 */
#include "rpc.h"
#include "kcm.h"
#include "process.h"
#include "thread_user.h"
#include "thread.h"
#include "sched.h"
#include "cluster.h"
#include "boot_info.h"
#include "queuelock.h"
#include "ipi.h"
#include "trap.h"
#include "trace.h"
#include "printk.h"
#include "kstring.h"

#define DESC(desc, f) ((desc) + offsetof(rpc_desc_t, f))

/* ---- handlers ------------------------------------------------------------- */

static void rpc_nop(xptr_t desc)
{
    (void)desc;
}

#ifdef CONFIG_KTEST
static void rpc_test_echo(xptr_t desc)
{
    uint64_t a = hal_remote_l64(RPC_ARG(desc, test_echo.a));
    uint64_t b = hal_remote_l64(RPC_ARG(desc, test_echo.b));

    hal_remote_s64(RPC_ARG(desc, test_echo.sum), a + b);
    hal_remote_s32(RPC_ARG(desc, test_echo.server_cxy), local_cxy());
    hal_remote_s32(RPC_ARG(desc, test_echo.server_lid), core_self()->lid);
}

static void rpc_test_block(xptr_t desc)
{
    xptr_t lock = hal_remote_lxp(RPC_ARG(desc, test_block.lock));

    remote_queuelock_acquire(lock);
    remote_queuelock_release(lock);
    hal_remote_s32(RPC_ARG(desc, test_block.server_cxy), local_cxy());
}
#endif

static void rpc_thread_create(xptr_t desc)
{
    uint32_t lid = hal_remote_l32(RPC_ARG(desc, thread_create.lid));
    void (*entry)(void *) = (void (*)(void *))hal_remote_l64(RPC_ARG(desc, thread_create.entry));
    void *arg = (void *)hal_remote_l64(RPC_ARG(desc, thread_create.arg));
    char name[16];
    thread_t *t;

    hal_remote_strcpy(XPTR(local_cxy(), name), hal_remote_lxp(RPC_ARG(desc, thread_create.name)),
                      sizeof(name));
    t = thread_create(lid, THREAD_KERNEL, entry, arg, name);
    hal_remote_sxp(RPC_ARG(desc, thread_create.thread), t ? XPTR(local_cxy(), t) : XPTR_NULL);
}

static void rpc_ppm_alloc(xptr_t desc)
{
    page_t *p = ppm_alloc_pages(hal_remote_l32(RPC_ARG(desc, ppm_alloc.order)));

    hal_remote_s64(RPC_ARG(desc, ppm_alloc.phys), p ? ppm_page_to_phys(p) : 0);
}

static void rpc_ppm_free(xptr_t desc)
{
    page_t *p = ppm_phys_to_page(hal_remote_l64(RPC_ARG(desc, ppm_free.phys)));

    if (p == NULL || p->cxy != local_cxy())
        panic("RPC_PPM_FREE of 0x%lx, not a page of cluster %u",
              hal_remote_l64(RPC_ARG(desc, ppm_free.phys)), local_cxy());
    ppm_free_pages(p);
}

static void rpc_kmem_free(xptr_t desc)
{
    kmem_free((void *)hal_remote_l64(RPC_ARG(desc, kmem_free.ptr)));
}

#ifdef CONFIG_KTEST
static void rpc_test_multi(xptr_t desc)
{
    xptr_t results = hal_remote_lxp(DESC(desc, results));

    if (results != XPTR_NULL)
        hal_remote_s64(results + local_cxy() * sizeof(uint64_t),
                       hal_remote_l64(RPC_ARG(desc, test_multi.base)) + local_cxy());
}
#endif

const rpc_entry_t rpc_table[RPC_TYPES] = {
    [RPC_NOP]           = { rpc_nop,           "nop" },
#ifdef CONFIG_KTEST
    [RPC_TEST_ECHO]     = { rpc_test_echo,     "test_echo" },
    [RPC_TEST_BLOCK]    = { rpc_test_block,    "test_block" },
#endif
    [RPC_THREAD_CREATE] = { rpc_thread_create, "thread_create" },
    [RPC_PPM_ALLOC]     = { rpc_ppm_alloc,     "ppm_alloc" },
    [RPC_PPM_FREE]      = { rpc_ppm_free,      "ppm_free" },
#ifdef CONFIG_KTEST
    [RPC_TEST_MULTI]    = { rpc_test_multi,    "test_multi" },
#endif
    [RPC_PROCESS_FORK]  = { process_make_fork, "process_fork" },
    [RPC_PROCESS_DESTROY] = { process_rpc_destroy, "process_destroy" },
    [RPC_KMEM_FREE]     = { rpc_kmem_free,     "kmem_free" },
    [RPC_VMM]           = { vmm_rpc_op,        "vmm_op" },
    [RPC_VMM_SYNC]      = { vmm_rpc_sync,      "vmm_sync" },
    [RPC_THREAD_USER]   = { process_rpc_thread, "thread_user" },
    [RPC_PROCESS_RELEASE] = { process_rpc_release, "process_release" },
};

/* ---- FIFO --------------------------------------------------------------------- */

static rpc_fifo_t *fifo_of(uint32_t cxy)
{
    return &cluster_tbl[cxy]->rpc_fifo;
}

void rpc_fifo_init(rpc_fifo_t *fifo)
{
    busylock_init(&fifo->lock, "rpc fifo", RANK_RPC_FIFO);
    fifo->head = fifo->tail = 0;
    fifo->posted = 0;
}

/* Posts @desc to cluster @cxy's FIFO, yielding while it is full. */
static void rpc_post(uint32_t cxy, xptr_t desc)
{
    rpc_fifo_t *f = fifo_of(cxy);
    xptr_t lock = XPTR(cxy, &f->lock);

    for (;;) {
        remote_busylock_acquire(lock);
        if (hal_remote_l32(XPTR(cxy, &f->tail)) - hal_remote_l32(XPTR(cxy, &f->head)) <
            RPC_FIFO_SLOTS)
            break;
        remote_busylock_release(lock);
        sched_yield();
    }
    uint32_t tail = hal_remote_l32(XPTR(cxy, &f->tail));
    hal_remote_sxp(XPTR(cxy, &f->slot[tail % RPC_FIFO_SLOTS]), desc);
    hal_remote_s32(XPTR(cxy, &f->tail), tail + 1);
    hal_remote_s64(XPTR(cxy, &f->posted), hal_remote_l64(XPTR(cxy, &f->posted)) + 1);
    remote_busylock_release(lock);
}

/* Pops a request from the local FIFO, or XPTR_NULL. */
static xptr_t rpc_pop(void)
{
    rpc_fifo_t *f = &cluster_local()->rpc_fifo;
    xptr_t desc = XPTR_NULL;

    busylock_acquire(&f->lock);
    if (f->head != f->tail)
        desc = f->slot[f->head++ % RPC_FIFO_SLOTS];
    busylock_release(&f->lock);
    return desc;
}

static bool rpc_fifo_empty(void)
{
    rpc_fifo_t *f = &cluster_local()->rpc_fifo;

    return __atomic_load_n(&f->head, __ATOMIC_ACQUIRE) ==
           __atomic_load_n(&f->tail, __ATOMIC_ACQUIRE);
}

/* ---- server side ------------------------------------------------------------- */

static void rpc_execute(xptr_t desc)
{
    uint32_t client = GET_CXY(desc);
    uint32_t type = hal_remote_l32(DESC(desc, type));
    uint64_t id = hal_remote_l64(DESC(desc, id));
    xptr_t thread = hal_remote_lxp(DESC(desc, thread));

    if (type >= RPC_TYPES)
        panic("RPC of unknown type %u from cluster %u", type, client);
    trace(TRACE_RPC_START, (uint16_t)type, id, client);
    rpc_table[type].handler(desc);
    trace(TRACE_RPC_END, (uint16_t)type, id, client);
    /* the descriptor may vanish once the count hits 0: everything was read above */
    if (hal_remote_atomic_add(DESC(desc, responses), -1) == 1)
        thread_unblock(thread, THREAD_BLOCKED_RPC);
}

/*
 * A surplus server (any but the core's first) leaves once the FIFO is
 * empty, so the pool shrinks back after a burst of blocking handlers.
 * Interrupts are off while the array changes: rpc_ipi_handler reads it.
 */
static bool rpc_server_retire(void)
{
    core_t *core = core_self();
    thread_t *me = thread_current();
    uint64_t flags = irq_save();
    bool retired = false;

    /* only a registered surplus server retires, and only with nothing queued */
    if (!rpc_fifo_empty()) {
        irq_restore(flags);
        return false;
    }
    for (uint32_t i = 1; i < core->rpc_nservers; i++) {
        if (core->rpc_server[i] == me) {
            core->rpc_server[i] = core->rpc_server[--core->rpc_nservers];
            retired = true;
            break;
        }
    }
    irq_restore(flags);
    return retired;
}

static void rpc_server(void *arg)
{
    (void)arg;
    for (;;) {
        xptr_t desc;

        while ((desc = rpc_pop()) != XPTR_NULL)
            rpc_execute(desc);
        if (rpc_server_retire())
            return;                       /* thread_exit: the idle thread frees it */
        /* idle: set the bit first, then re-check, so no posted request is missed */
        thread_set_blocked(THREAD_BLOCKED_IDLE);
        if (!rpc_fifo_empty()) {
            thread_clear_blocked(THREAD_BLOCKED_IDLE);
            continue;
        }
        sched_yield();
    }
}

/*
 * Adds a server thread to @core's pool (the calling core). Interrupts are
 * off from creation to registration, so the new thread cannot run (and
 * find itself unregistered) before it is in the pool.
 */
static void rpc_server_start(core_t *core)
{
    uint64_t flags = irq_save();
    thread_t *t;

    if (core->rpc_nservers == RPC_MAX_SERVERS) {
        irq_restore(flags);
        return;
    }
    t = thread_create(core->lid, THREAD_RPC, rpc_server, NULL, "rpc");
    if (t == NULL)
        pr_warn("rpc: no memory for another server thread on core %u.%u", core->cxy, core->lid);
    else {
        core->rpc_server[core->rpc_nservers++] = t;
        core->rpc_servers_created++;
    }
    irq_restore(flags);
}

void rpc_core_init(void)
{
    rpc_server_start(core_self());
}

void rpc_ipi_handler(void)
{
    core_t *core = core_self();
    bool busy = false;

    trace(TRACE_IPI_RECV, VEC_RPC, 0, 0);
    for (uint32_t i = 0; i < core->rpc_nservers; i++) {
        thread_t *t = core->rpc_server[i];
        uint32_t b = __atomic_load_n(&t->blocked, __ATOMIC_ACQUIRE);

        if (b & THREAD_BLOCKED_IDLE) {
            __atomic_and_fetch(&t->blocked, ~THREAD_BLOCKED_IDLE, __ATOMIC_ACQ_REL);
            core->sched.need_resched = 1;
            return;
        }
        if (b == 0)
            busy = true;                  /* running: it will find the request itself */
    }
    if (!busy)
        rpc_server_start(core);           /* every server is blocked in a handler */
    core->sched.need_resched = 1;
}

/* ---- client side --------------------------------------------------------------- */

static uint64_t rpc_new_id(void)
{
    core_t *core = core_self();

    return ((uint64_t)core->cxy << 48) | ((uint64_t)core->lid << 40) |
           (++core->rpc_seq & 0xffffffffffull);
}

static bool rpc_answered(const void *arg)
{
    return __atomic_load_n(&((const rpc_desc_t *)arg)->responses, __ATOMIC_ACQUIRE) == 0;
}

/*
 * Waits until every response to @desc has arrived: spins up to
 * RPC_SPIN_US first (a reply usually comes sooner than a halted core can be
 * woken up again), then blocks.
 */
static void rpc_wait(rpc_desc_t *desc, uint32_t server)
{
    thread_t *me = thread_current();
    uint64_t spin_end;

    /* rpc_wait last, released: the watchdog never sees it with a stale rpc_since */
    me->rpc_since    = rdtsc();
    me->rpc_server   = server;
    me->rpc_reported = 0;
    __atomic_store_n(&me->rpc_wait, desc, __ATOMIC_RELEASE);
    spin_end = me->rpc_since + tsc_from_us(RPC_SPIN_US);
    while (!rpc_answered(desc) && rdtsc() < spin_end)
        cpu_pause();
    me->wchan = rpc_table[desc->type < RPC_TYPES ? desc->type : RPC_NOP].name;
    thread_wait(THREAD_BLOCKED_RPC, rpc_answered, desc);
    me->wchan = NULL;
    __atomic_store_n(&me->rpc_wait, NULL, __ATOMIC_RELEASE);
}

/* Sends the wake-up IPI for a request posted to cluster @cxy. */
static void rpc_notify(uint32_t cxy)
{
    cluster_t *server = cluster_tbl[cxy];

    ipi_send(&server->core[core_self()->lid % server->ncores], VEC_RPC);
}

void rpc_send(uint32_t cxy, rpc_desc_t *desc)
{
    thread_t *me = thread_current();

    desc->responses = 1;
    desc->thread    = XPTR(local_cxy(), me);
    desc->id        = rpc_new_id();
    desc->results   = XPTR_NULL;
    trace(TRACE_RPC_SEND, (uint16_t)desc->type, desc->id, cxy);
    rpc_post(cxy, XPTR(local_cxy(), desc));
    rpc_notify(cxy);
    rpc_wait(desc, cxy);
    trace(TRACE_RPC_REPLY, (uint16_t)desc->type, desc->id, cxy);
}

void rpc_multicast(const uint32_t *cxy, uint32_t n, rpc_desc_t *desc)
{
    thread_t *me = thread_current();

    if (n == 0)
        return;
    desc->responses = n;                  /* desc->results is the caller's */
    desc->thread    = XPTR(local_cxy(), me);
    desc->id        = rpc_new_id();
    for (uint32_t i = 0; i < n; i++) {
        trace(TRACE_RPC_SEND, (uint16_t)desc->type, desc->id, cxy[i]);
        rpc_post(cxy[i], XPTR(local_cxy(), desc));
        rpc_notify(cxy[i]);
    }
    rpc_wait(desc, cxy[0]);
    for (uint32_t i = 0; i < n; i++)
        trace(TRACE_RPC_REPLY, (uint16_t)desc->type, desc->id, cxy[i]);
}

/* ---- watchdog ---------------------------------------------------------------------- */

/* Prints one unanswered request of thread @t (of cluster @cxy) and its server's state. */
static void rpc_watchdog_report(const thread_t *t, uint32_t cxy, bool running, uint64_t age)
{
    const rpc_desc_t *d = t->rpc_wait;
    const cluster_t *server = cluster_tbl[t->rpc_server];

    printk("rpc watchdog: %s from cluster %u (thread %s) to cluster %u unanswered for %lu ms "
           "(%u replies missing; client blocked 0x%x%s; server FIFO %u queued)",
           d->type < RPC_TYPES ? rpc_table[d->type].name : "?", cxy, t->name, t->rpc_server,
           tsc_to_ms(age), d->responses, t->blocked, running ? ", running" : "",
           server->rpc_fifo.tail - server->rpc_fifo.head);
    for (uint32_t l = 0; l < server->ncores; l++) {
        const core_t *sc = &server->core[l];
        for (uint32_t k = 0; k < sc->rpc_nservers; k++)
            printk("rpc watchdog:   server %u of core %u.%u: blocked 0x%x", k, sc->cxy,
                   sc->lid, sc->rpc_server[k]->blocked);
    }
}

uint32_t rpc_watchdog(uint64_t threshold_ms)
{
    uint64_t limit = tsc_from_ms(threshold_ms);
    uint32_t reported = 0;

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];

        for (uint32_t l = 0; l < cl->ncores; l++) {
            sched_t *s = &cl->core[l].sched;
            list_entry_t *it;

            if (__atomic_load_n(&s->current, __ATOMIC_ACQUIRE) == NULL)
                continue;                   /* that core has no scheduler yet */
            remote_busylock_acquire(XPTR(c, &s->lock));
            LIST_FOREACH(&s->threads, it) {
                thread_t *t = LIST_ELEMENT(it, thread_t, sched_list);
                uint64_t age;

                if (__atomic_load_n(&t->rpc_wait, __ATOMIC_ACQUIRE) == NULL || t->rpc_reported)
                    continue;
                /* read after rpc_wait: a request posted since is younger than this */
                age = rpc_wait_age(rdtsc(), t->rpc_since);
                if (age < limit)
                    continue;
                t->rpc_reported = 1;
                reported++;
                rpc_watchdog_report(t, c, t == s->current, age);
            }
            remote_busylock_release(XPTR(c, &s->lock));
        }
    }
    return reported;
}

/* ---- sysrq 'r' ------------------------------------------------------------------------ */

#define RPC_DUMP_MAX 8                    /* queued requests printed per FIFO */

void rpc_fifo_dump(uint32_t cxy)
{
    rpc_fifo_t *f = fifo_of(cxy);
    xptr_t lock = XPTR(cxy, &f->lock), queued[RPC_DUMP_MAX];
    uint32_t head, tail, n = 0;
    uint64_t posted;
    const cluster_t *cl = cluster_tbl[cxy];

    remote_busylock_acquire(lock);
    head = hal_remote_l32(XPTR(cxy, &f->head));
    tail = hal_remote_l32(XPTR(cxy, &f->tail));
    posted = hal_remote_l64(XPTR(cxy, &f->posted));
    for (uint32_t i = head; i != tail && n < RPC_DUMP_MAX; i++)
        queued[n++] = hal_remote_lxp(XPTR(cxy, &f->slot[i % RPC_FIFO_SLOTS]));
    remote_busylock_release(lock);
    printk("  rpc fifo of cluster %u: %u queued (head %u, tail %u), %lu posted since boot",
           cxy, tail - head, head, tail, posted);
    /* read unlocked: one answered since shows stale fields (a client stack, still mapped) */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t type = hal_remote_l32(DESC(queued[i], type));

        printk("    queued: %s from cluster %u, id 0x%lx",
               type < RPC_TYPES && rpc_table[type].name ? rpc_table[type].name : "?",
               GET_CXY(queued[i]), hal_remote_l64(DESC(queued[i], id)));
    }
    for (uint32_t l = 0; l < cl->ncores; l++) {
        const core_t *sc = &cl->core[l];

        for (uint32_t k = 0; k < sc->rpc_nservers; k++)
            printk("    server %u of core %u.%u: blocked 0x%x", k, sc->cxy, sc->lid,
                   sc->rpc_server[k]->blocked);
    }
}
