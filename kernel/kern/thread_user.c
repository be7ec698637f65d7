/*
 * thread_user.c - threads of user processes: clone, migration, affinity,
 * placement (see thread_user.h).
 */
#include "thread_user.h"
#include "process.h"
#include "process_copy.h"
#include "signal.h"
#include "thread.h"
#include "cluster.h"
#include "core.h"
#include "rpc.h"
#include "dqdt.h"
#include "trace.h"
#include "trap.h"
#include "hal_user.h"
#include "cpu.h"
#include "boot_info.h"
#include "kstring.h"
#include "uapi/errno.h"

/* ---- affinity and placement -------------------------------------------------------- */

static bool mask_has(const uint64_t *mask, uint32_t gid)
{
    return gid < CPU_SET_WORDS * 64 && (mask[gid / 64] >> (gid % 64)) & 1;
}

void thread_user_affinity_all(uint64_t *mask)
{
    memset(mask, 0, CPU_SET_WORDS * sizeof(uint64_t));
    for (uint32_t g = 0; g < boot_info.topo.ncores; g++)
        mask[g / 64] |= 1ull << (g % 64);
}

/* Does @mask allow every core? (then the DQDT places) */
static bool mask_full(const uint64_t *mask)
{
    for (uint32_t g = 0; g < boot_info.topo.ncores; g++)
        if (!mask_has(mask, g))
            return false;
    return true;
}

/* Least loaded core of cluster @cxy allowed by @mask (NULL: any), or -1. */
static int32_t pick_core_in(uint32_t cxy, const uint64_t *mask)
{
    cluster_t *cl = cluster_tbl[cxy];
    int32_t best = -1;
    uint32_t best_n = 0;

    for (uint32_t l = 0; l < cl->ncores; l++) {
        uint32_t n = hal_remote_l32(XPTR(cxy, &cl->core[l].sched.nthreads));

        if (mask && !mask_has(mask, cl->first_gid + l))
            continue;
        if (best < 0 || n < best_n) {
            best = (int32_t)l;
            best_n = n;
        }
    }
    return best;
}

uint32_t thread_user_pick_core(void)
{
    return (uint32_t)pick_core_in(local_cxy(), NULL);
}

/*
 * The cluster and core for a new thread with affinity @mask: the DQDT's
 * choice when every core is allowed, else the least loaded allowed core.
 */
static void place_thread(const uint64_t *mask, uint32_t *cxy, uint32_t *lid)
{
    uint32_t best_n = ~0u;

    if (mask_full(mask)) {
        *cxy = dqdt_get_cluster_for_thread();
        *lid = (uint32_t)pick_core_in(*cxy, NULL);
        return;
    }
    *cxy = local_cxy();
    *lid = core_self()->lid;
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];

        for (uint32_t l = 0; l < cl->ncores; l++) {
            uint32_t n = hal_remote_l32(XPTR(c, &cl->core[l].sched.nthreads));

            if (mask_has(mask, cl->first_gid + l) && n < best_n) {
                best_n = n;
                *cxy = c;
                *lid = l;
            }
        }
    }
}

/* ---- user threads ----------------------------------------------------------------- */

/* What a new user thread starts with (RPC_THREAD_USER reads it in the client's memory). */
typedef struct thread_spec_s {
    xptr_t   ref;                        /* the process's reference process_t */
    xptr_t   frame;                      /* trap_frame_t to start from */
    xptr_t   fpu;                        /* HAL_FPU_SIZE bytes of FPU state */
    uint64_t fs_base;
    uint64_t clear_child_tid;
    uint64_t robust_list;
    uint32_t tid;
    uint32_t lid;                        /* core of the target cluster */
    uint64_t affinity[CPU_SET_WORDS];
    uint64_t sig_blocked;                /* the signal mask (clone(2): the creator's) */
    kstack_t sig_altstack;               /* migration only; clone(2) starts without one */
} thread_spec_t;

/*
 * @spec for a thread that continues the calling one: its process, registers
 * @frame (in the caller's memory), FPU state (saved now), FS base, robust
 * list and affinity; the caller sets what differs.
 */
static void spec_from_current(thread_spec_t *spec, const trap_frame_t *frame)
{
    thread_t *t = thread_current();

    hal_fpu_save(t->fpu);
    memset(spec, 0, sizeof(*spec));
    spec->ref = process_ref_xp(t->process);
    spec->frame = XPTR(local_cxy(), frame);
    spec->fpu = XPTR(local_cxy(), t->fpu);
    spec->fs_base = t->fs_base;
    spec->robust_list = t->robust_list;
    memcpy(spec->affinity, t->affinity, sizeof(spec->affinity));
    spec->sig_blocked = t->sig_blocked;
}

void thread_user_leave_gpt(void)
{
    irq_disable();
    thread_current()->gpt = NULL;
    hal_gpt_activate(NULL);
    irq_enable();
}

/* RPC_THREAD_USER handler, in the new thread's cluster (arguments: rpc_thread_user_args_t). */
void process_rpc_thread(xptr_t desc)
{
    uint8_t fpu[HAL_FPU_SIZE] __attribute__((aligned(16)));
    thread_spec_t spec;
    trap_frame_t frame;
    process_t *p;
    thread_t *t;
    int err = -ENOMEM;
    int64_t rc;

    hal_remote_memcpy(XPTR(local_cxy(), &spec), hal_remote_lxp(RPC_ARG(desc, thread_user.spec)),
                      sizeof(spec));
    p = process_copy_get(spec.ref, &err);
    if (p == NULL) {
        rc = err;
        goto out;
    }
    hal_remote_memcpy(XPTR(local_cxy(), &frame), spec.frame, sizeof(frame));
    hal_remote_memcpy(XPTR(local_cxy(), fpu), spec.fpu, HAL_FPU_SIZE);
    t = thread_user_create(spec.lid, p, &frame, fpu, spec.fs_base, p->name);
    if (t == NULL) {
        process_leave(p, 0, true);       /* gives the reserved place back */
        process_thread_reaped(p);        /* and the reference it would have held */
        rc = -ENOMEM;
        goto out;
    }
    t->tid = spec.tid;
    t->clear_child_tid = spec.clear_child_tid;
    t->robust_list = spec.robust_list;
    memcpy(t->affinity, spec.affinity, sizeof(t->affinity));
    t->sig_blocked = spec.sig_blocked;
    t->sig_altstack = spec.sig_altstack;
    process_copy_link_thread(p, t);
    thread_unblock(XPTR(local_cxy(), t), THREAD_BLOCKED_SLEEP);
    rc = (int64_t)XPTR(local_cxy(), t);
out:
    hal_remote_s64(RPC_ARG(desc, thread_user.rc), (uint64_t)rc);
}

/* Starts the thread described by @spec on core @lid of cluster @cxy. @return its xptr or -errno. */
static int64_t thread_start_in(uint32_t cxy, thread_spec_t *spec)
{
    rpc_desc_t rpc = { .type = RPC_THREAD_USER,
                       .args.thread_user = { .spec = XPTR(local_cxy(), spec) } };

    rpc_send(cxy, &rpc);
    return rpc.args.thread_user.rc;
}

int64_t process_clone_thread(const trap_frame_t *frame, uint64_t flags, uint64_t newsp,
                             uint64_t ptid, uint64_t ctid, uint64_t tls)
{
    thread_t *t = thread_current();
    process_t *p = t->process, *ref = p->ref;
    thread_spec_t spec;
    trap_frame_t child;
    uint32_t cxy;
    int64_t tid, rc;

    /* the thread forms need a shared address space and signal handlers (clone(2), EINVAL) */
    if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM) || (flags & CLONE_VFORK))
        return -EINVAL;
    if (((flags & CLONE_PARENT_SETTID) && !hal_user_range_ok(ptid, 4)) ||
        ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) && !hal_user_range_ok(ctid, 4)))
        return -EFAULT;
    tid = pid_alloc(p->ref_cxy, (uint64_t)ref | PID_TID);     /* the owner's table */
    if (tid < 0)
        return tid;
    if (((flags & CLONE_PARENT_SETTID) && hal_copy_to_user(ptid, &tid, 4)) ||
        ((flags & CLONE_CHILD_SETTID) && hal_copy_to_user(ctid, &tid, 4))) {
        pid_free((uint32_t)tid);
        return -EFAULT;
    }
    child = *frame;
    child.rax = 0;                       /* the new thread's clone() returns 0 */
    if (newsp)
        child.rsp = newsp;
    spec_from_current(&spec, &child);
    spec.robust_list = 0;                /* the new thread registers its own */
    if (flags & CLONE_SETTLS)
        spec.fs_base = tls;
    spec.clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
    spec.tid = (uint32_t)tid;
    place_thread(t->affinity, &cxy, &spec.lid);
    rc = thread_start_in(cxy, &spec);
    if (rc < 0) {
        pid_free((uint32_t)tid);
        return rc;
    }
    trace(TRACE_THREAD, 0, p->pid,
          (uint64_t)tid | (uint64_t)cxy << 32 | (uint64_t)spec.lid << 48);
    return tid;
}

void thread_user_migrate(trap_frame_t *frame)
{
    thread_t *t = thread_current();
    thread_spec_t spec;
    uint32_t cxy;
    int64_t rc;

    t->migrate = 0;
    if (mask_has(t->affinity, core_self()->gid))
        return;
    spec_from_current(&spec, frame);
    spec.clear_child_tid = t->clear_child_tid;
    spec.tid = t->tid;
    spec.sig_altstack = t->sig_altstack;
    place_thread(t->affinity, &cxy, &spec.lid);
    t->sig_moving = 1;                   /* senders will prefer the new thread once linked */
    rc = thread_start_in(cxy, &spec);
    if (rc < 0) {
        t->sig_moving = 0;
        return;                          /* no memory there: it stays, and may try again */
    }
    signal_forward((xptr_t)rc);          /* what reached this thread_t goes to the new one */
    thread_user_leave_gpt();
    process_leave(t->process, 0, false);
    thread_exit();
}

typedef struct tid_match_s {
    uint32_t tid;
    xptr_t   found;
} tid_match_t;

static void match_tid(xptr_t thread, void *arg)
{
    tid_match_t *m = arg;

    if (hal_remote_l32(XPTR(GET_CXY(thread), &((thread_t *)GET_PTR(thread))->tid)) == m->tid)
        m->found = thread;
}

/* The thread of the calling process with TID @tid (0: the caller), or XPTR_NULL. */
static xptr_t thread_lookup(uint32_t tid)
{
    thread_t *me = thread_current();
    tid_match_t m = { tid, XPTR_NULL };

    if (tid == 0 || tid == me->tid)
        return XPTR(local_cxy(), me);
    process_foreach_thread(process_ref_xp(me->process), match_tid, &m);
    return m.found;
}

int process_set_affinity(uint32_t tid, const uint64_t *mask, uint32_t words)
{
    uint64_t m[CPU_SET_WORDS];
    bool any = false;
    xptr_t t_xp;
    thread_t *t;
    core_t *core;

    memset(m, 0, sizeof(m));
    for (uint32_t g = 0; g < boot_info.topo.ncores && g / 64 < words; g++)
        if ((mask[g / 64] >> (g % 64)) & 1) {
            m[g / 64] |= 1ull << (g % 64);
            any = true;
        }
    if (!any)
        return -EINVAL;                  /* Linux: no allowed CPU is online */
    t_xp = thread_lookup(tid);
    if (t_xp == XPTR_NULL)
        return -ESRCH;
    t = GET_PTR(t_xp);
    hal_remote_memcpy(XPTR(GET_CXY(t_xp), t->affinity), XPTR(local_cxy(), m), sizeof(m));
    core = (core_t *)hal_remote_l64(XPTR(GET_CXY(t_xp), &t->core));
    if (!mask_has(m, hal_remote_l32(XPTR(GET_CXY(t_xp), &core->gid)))) {
        hal_remote_s32(XPTR(GET_CXY(t_xp), &t->migrate), 1);
        if (t != thread_current())
            thread_unblock(t_xp, THREAD_BLOCKED_SLEEP);   /* a sleeper re-checks, then moves */
    }
    return 0;
}

int process_get_affinity(uint32_t tid, uint64_t *mask, uint32_t words)
{
    xptr_t t_xp = thread_lookup(tid);
    thread_t *t = GET_PTR(t_xp);

    if (t_xp == XPTR_NULL)
        return -ESRCH;
    memset(mask, 0, words * sizeof(uint64_t));
    hal_remote_memcpy(XPTR(local_cxy(), mask), XPTR(GET_CXY(t_xp), t->affinity),
                      (words < CPU_SET_WORDS ? words : CPU_SET_WORDS) * sizeof(uint64_t));
    return 0;
}

void thread_user_return(trap_frame_t *frame)
{
    if (process_current_xp() == XPTR_NULL)
        return;                          /* a kernel thread */
    signal_deliver(frame);
    if (thread_current()->migrate) {
        irq_enable();
        thread_user_migrate(frame);
        irq_disable();
    }
}
