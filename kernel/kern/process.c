/*
 * process.c - process life cycle: fork, exit, wait, kill (see process.h); PIDs
 * are in pid.c.
 *
 * The process tree (parent links, children lists, the zombie transition)
 * is guarded by one remote busylock, in cluster 0's cluster_t (init's
 * cluster): every change is a few remote words, and one lock makes the
 * races between an exiting parent, an exiting child and a waiting
 * grandparent impossible by construction. A process_t is freed only after
 * its thread is gone (the zombie transition is made by the idle thread
 * that reaps it), so nobody touches a freed process.
 */
#include "process.h"
#include "process_copy.h"
#include "pid.h"
#include "trace.h"
#include "thread.h"
#include "sched.h"
#include "cluster.h"
#include "core.h"
#include "rpc.h"
#include "dqdt.h"
#include "ppm.h"
#include "kcm.h"
#include "vfs.h"
#include "printk.h"
#include "kstring.h"
#include "kerrno.h"
#include "trap.h"
#include "hal_user.h"
#include "cpu.h"
#include "boot_info.h"
#include "hal_cpu.h"
#include "futex.h"

#define PTREE_LOCK  XPTR(0, &cluster_tbl[0]->ptree_lock)
#define WNOHANG     1

static xptr_t init_process;            /* PID 1, set once at boot (read-mostly) */

process_t *process_copy_current(void)
{
    thread_t *t = thread_current();

    return t ? t->process : NULL;
}

process_t *process_current(void)
{
    process_t *p = process_copy_current();

    return p ? p->ref : NULL;
}

/* ---- creation and destruction ------------------------------------------------------ */

/* A zeroed process_t in the local cluster with its PID, empty vmm and fd table. */
static process_t *process_alloc(int64_t *err)
{
    page_t *page = ppm_alloc_pages(PROCESS_ORDER);
    process_t *p;
    int64_t pid;

    _Static_assert(sizeof(process_t) <= (PAGE_SIZE << PROCESS_ORDER), "process_t too big");
    if (page == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    p = ppm_page_to_virt(page);
    memset(p, 0, sizeof(*p));
    if (vmm_init(&p->vmm, XPTR_NULL)) {
        ppm_free_pages(page);
        *err = -ENOMEM;
        return NULL;
    }
    pid = pid_alloc(local_cxy(), (uint64_t)p);
    if (pid < 0) {
        vmm_destroy(&p->vmm);
        ppm_free_pages(page);
        *err = pid;
        return NULL;
    }
    p->pid        = (uint32_t)pid;
    p->ref_cxy    = local_cxy();
    p->ref        = p;
    p->fork_place = -1;
    xlist_root_init(XPTR(local_cxy(), &p->threads_root));
    p->state      = PROCESS_RUNNING;
    p->start_tsc  = rdtsc();
    fd_table_init(&p->fds);
    xlist_root_init(XPTR(local_cxy(), &p->children_root));
    return p;
}

/* Frees a process_t of the local cluster whose memory and files are already gone. */
static void process_free(process_t *p)
{
    pid_free(p->pid);
    ppm_free_pages(ppm_phys_to_page(virt_to_phys(p)));
}

/* Undoes process_alloc() plus whatever a failed fork or start added. */
static void process_unwind(process_t *p)
{
    fd_table_close_all(&p->fds);
    if (p->cwd)
        vfs_inode_put(p->cwd);
    vmm_destroy(&p->vmm);
    process_free(p);
}

/* ---- affinity and placement -------------------------------------------------------- */

static bool mask_has(const uint64_t *mask, uint32_t gid)
{
    return gid < CPU_SET_WORDS * 64 && (mask[gid / 64] >> (gid % 64)) & 1;
}

/* Every core of the machine. */
static void mask_fill(uint64_t *mask)
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

/* Least loaded core of the local cluster for a new thread. */
static uint32_t process_pick_core(void)
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

/* The first thread of a new process @p (local, not yet visible to others but by PID). */
static void process_first_thread(process_t *p, thread_t *t)
{
    p->thread = t;
    p->nthreads = p->live = p->local_threads = p->refs = 1;
    t->tid = p->pid;
    mask_fill(t->affinity);
    process_copy_link_thread(p, t);
}

/* ---- threads of a process ---------------------------------------------------------- */

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
}

/* The calling thread leaves its page table (it may be freed next): the kernel's CR3. */
static void thread_leave_gpt(void)
{
    irq_disable();
    thread_current()->gpt = NULL;
    hal_gpt_activate(NULL);
    irq_enable();
}

/*
 * RPC_THREAD_USER handler, in the new thread's cluster.
 * in:  args[0] xptr to a thread_spec_t.   out: args[0] xptr of the thread or -errno.
 */
void process_rpc_thread(xptr_t desc)
{
    rpc_desc_t *d = GET_PTR(desc);
    uint32_t ccxy = GET_CXY(desc);
    uint8_t fpu[HAL_FPU_SIZE] __attribute__((aligned(16)));
    thread_spec_t spec;
    trap_frame_t frame;
    process_t *p;
    thread_t *t;
    int err = -ENOMEM;
    int64_t rc;

    hal_remote_memcpy(XPTR(local_cxy(), &spec), hal_remote_l64(XPTR(ccxy, &d->args[0])),
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
    process_copy_link_thread(p, t);
    thread_unblock(XPTR(local_cxy(), t), THREAD_BLOCKED_SLEEP);
    rc = (int64_t)XPTR(local_cxy(), t);
out:
    hal_remote_s64(XPTR(ccxy, &d->args[0]), (uint64_t)rc);
}

/* Starts the thread described by @spec on core @lid of cluster @cxy. @return its xptr or -errno. */
static int64_t thread_start_in(uint32_t cxy, thread_spec_t *spec)
{
    rpc_desc_t rpc = { .type = RPC_THREAD_USER };

    rpc.args[0] = XPTR(local_cxy(), spec);
    rpc_send(cxy, &rpc);
    return (int64_t)rpc.args[0];
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

/*
 * Moves the calling thread to an allowed core: a new thread there takes
 * over its registers (@frame, about to return to user mode) and TID; this
 * one ends without a trace. Runs on the way back to user mode.
 */
static void process_migrate(trap_frame_t *frame)
{
    thread_t *t = thread_current();
    thread_spec_t spec;
    uint32_t cxy;

    t->migrate = 0;
    if (mask_has(t->affinity, core_self()->gid))
        return;
    spec_from_current(&spec, frame);
    spec.clear_child_tid = t->clear_child_tid;
    spec.tid = t->tid;
    place_thread(t->affinity, &cxy, &spec.lid);
    if (thread_start_in(cxy, &spec) < 0)
        return;                          /* no memory there: it stays, and may try again */
    thread_leave_gpt();
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

void process_set_name(process_t *p, const char *path)
{
    const char *base = path;

    for (const char *s = path; *s; s++)
        if (*s == '/' && s[1])
            base = s + 1;
    snprintf(p->name, sizeof(p->name), "%s", base);
}

/* Links @child under @parent_xp in the process tree. */
static void ptree_link(process_t *child, xptr_t parent_xp)
{
    process_t *parent = GET_PTR(parent_xp);
    uint32_t pcxy = GET_CXY(parent_xp);

    remote_busylock_acquire(PTREE_LOCK);
    child->parent = parent_xp;
    child->ppid   = hal_remote_l32(XPTR(pcxy, &parent->pid));
    xlist_add_last(XPTR(pcxy, &parent->children_root), XPTR(local_cxy(), &child->sibling));
    remote_busylock_release(PTREE_LOCK);
}

static void ptree_unlink(process_t *child)
{
    remote_busylock_acquire(PTREE_LOCK);
    xlist_unlink(XPTR(local_cxy(), &child->sibling));
    remote_busylock_release(PTREE_LOCK);
}

int process_init_start(const char *path, char *const argv[])
{
    static char *const envp[] = { "HOME=/", "TERM=linux", "PATH=/bin:/sbin:/tests", NULL };
    trap_frame_t frame;
    process_t *p;
    thread_t *t;
    int64_t err;
    int rc;

    p = process_alloc(&err);
    if (p == NULL)
        return (int)err;
    if (p->pid != 1)
        panic("init got PID %u: the PID table of cluster %u was not empty", p->pid, local_cxy());
    p->cwd = vfs_inode_get(vfs_root());
    p->parent = XPTR_NULL;
    memset(&frame, 0, sizeof(frame));
    vfs_file_t *con;

    rc = vfs_open(vfs_root(), "/dev/console", O_RDWR, 0, &con);
    if (rc == 0) {
        fd_install(&p->fds, con, 0, false);
        fd_install(&p->fds, vfs_file_get(con), 1, false);
        fd_install(&p->fds, vfs_file_get(con), 2, false);
    }
    process_set_name(p, path);
    t = thread_user_create(process_pick_core(), p, &frame, NULL, 0, p->name);
    if (t == NULL) {
        process_unwind(p);
        return -ENOMEM;
    }
    /* not runnable until its image is loaded: the thread is new, exec runs here */
    process_first_thread(p, t);
    rc = process_exec_image(p, thread_user_frame(t), path, argv, envp);
    if (rc) {
        printk("init: cannot start %s: error %d", path, rc);
        return rc;                       /* the thread stays blocked; the boot reports */
    }
    init_process = XPTR(local_cxy(), p);
    thread_unblock(XPTR(local_cxy(), t), THREAD_BLOCKED_SLEEP);
    return 0;
}

/* ---- fork ------------------------------------------------------------------------- */

/*
 * RPC_PROCESS_FORK handler, in the child's cluster.
 * in:  args[0] parent's reference process (xptr), args[1] parent thread's user
 *      frame (xptr), args[2] its FPU area (xptr), args[3] FS base, args[4]
 *      child stack or 0.
 * out: args[0] child PID or -errno.
 */
void process_make_fork(xptr_t desc)
{
    rpc_desc_t *d = GET_PTR(desc);
    uint32_t ccxy = GET_CXY(desc);
    xptr_t parent_xp = hal_remote_l64(XPTR(ccxy, &d->args[0]));
    xptr_t frame_xp  = hal_remote_l64(XPTR(ccxy, &d->args[1]));
    xptr_t fpu_xp    = hal_remote_l64(XPTR(ccxy, &d->args[2]));
    uint64_t fs_base = hal_remote_l64(XPTR(ccxy, &d->args[3]));
    uint64_t sp      = hal_remote_l64(XPTR(ccxy, &d->args[4]));
    uint32_t pcxy = GET_CXY(parent_xp);
    process_t *parent = GET_PTR(parent_xp);
    uint8_t fpu[HAL_FPU_SIZE] __attribute__((aligned(16)));
    trap_frame_t frame;
    process_t *p;
    thread_t *t;
    int64_t rc;

    p = process_alloc(&rc);
    if (p == NULL)
        goto out;
    hal_remote_memcpy(XPTR(local_cxy(), p->name), XPTR(pcxy, parent->name), sizeof(p->name));
    hal_remote_memcpy(XPTR(local_cxy(), p->sigaction), XPTR(pcxy, parent->sigaction),
                      sizeof(p->sigaction));
    p->sig_blocked = hal_remote_l64(XPTR(pcxy, &parent->sig_blocked));
    p->cwd = vfs_inode_get((vfs_inode_t *)hal_remote_l64(XPTR(pcxy, &parent->cwd)));
    rc = fd_table_copy(&p->fds, &parent->fds);
    if (rc == 0)
        rc = vmm_fork_copy(&p->vmm, XPTR(pcxy, &parent->vmm));
    if (rc) {
        process_unwind(p);
        goto out;
    }
    hal_remote_memcpy(XPTR(local_cxy(), &frame), frame_xp, sizeof(frame));
    hal_remote_memcpy(XPTR(local_cxy(), fpu), fpu_xp, HAL_FPU_SIZE);
    frame.rax = 0;                                 /* the child's fork() returns 0 */
    if (sp)
        frame.rsp = sp;
    ptree_link(p, parent_xp);
    t = thread_user_create(process_pick_core(), p, &frame, fpu, fs_base, p->name);
    if (t == NULL) {
        ptree_unlink(p);
        process_unwind(p);
        rc = -ENOMEM;
        goto out;
    }
    process_first_thread(p, t);
    thread_unblock(XPTR(local_cxy(), t), THREAD_BLOCKED_SLEEP);
    rc = p->pid;
out:
    hal_remote_s64(XPTR(ccxy, &d->args[0]), (uint64_t)rc);
}

int64_t process_fork(const trap_frame_t *frame, uint64_t child_sp)
{
    process_t *p = process_current();
    thread_t *t = thread_current();
    uint32_t cxy;
    rpc_desc_t rpc = { .type = RPC_PROCESS_FORK };
    int64_t pid;
    int32_t place = p->fork_place;

    if (place >= 0) {
        cxy = (uint32_t)place;
        p->fork_place = -1;
    } else {
        cxy = dqdt_get_cluster_for_thread();
    }
    hal_fpu_save(t->fpu);                    /* the child starts from the live registers */
    rpc.args[0] = XPTR(p->ref_cxy, p);
    rpc.args[1] = XPTR(local_cxy(), frame);
    rpc.args[2] = XPTR(local_cxy(), t->fpu);
    rpc.args[3] = t->fs_base;
    rpc.args[4] = child_sp;
    rpc_send(cxy, &rpc);
    pid = (int64_t)rpc.args[0];
    if (pid > 0) {
        vmm_set_cow(&p->vmm);                /* every copy of the parent, in one round */
        trace(TRACE_FORK, 0, p->pid, (uint64_t)pid | (uint64_t)cxy << 32);
    }
    return pid;
}

/* ---- exit, zombies, wait ------------------------------------------------------------ */

/* Hands every child of @p (local reference) to init; wakes init when one is already a zombie. */
static void process_reparent_children(process_t *p)
{
    process_t *init = GET_PTR(init_process);
    uint32_t icxy = GET_CXY(init_process);
    xptr_t root = XPTR(local_cxy(), &p->children_root);
    bool wake = false;
    xptr_t it;

    remote_busylock_acquire(PTREE_LOCK);
    while ((it = xlist_first(root)) != XPTR_NULL) {
        process_t *c = GET_PTR(XLIST_ELEMENT(it, process_t, sibling));
        uint32_t ccxy = GET_CXY(it);

        xlist_unlink(it);
        hal_remote_s64(XPTR(ccxy, &c->parent), init_process);
        hal_remote_s32(XPTR(ccxy, &c->ppid), 1);
        xlist_add_last(XPTR(icxy, &init->children_root), it);
        if (hal_remote_l32(XPTR(ccxy, &c->state)) == PROCESS_ZOMBIE)
            wake = true;
    }
    remote_busylock_release(PTREE_LOCK);
    if (wake)
        process_wake_all(init_process);
}

/*
 * The process's last thread has started to exit: its files, memory and
 * children go, in its reference cluster. The zombie transition waits for
 * the reaping of every thread (process_thread_reaped).
 */
static void process_release(process_t *p)
{
    fd_table_close_all(&p->fds);
    if (p->cwd) {
        vfs_inode_put(p->cwd);
        p->cwd = NULL;
    }
    vmm_destroy(&p->vmm);
    process_reparent_children(p);
}

/* RPC_PROCESS_RELEASE: in: args[0] the reference process_t (a local pointer of the server). */
void process_rpc_release(xptr_t desc)
{
    rpc_desc_t *d = GET_PTR(desc);

    process_release((process_t *)hal_remote_l64(XPTR(GET_CXY(desc), &d->args[0])));
}

/*
 * The process's last thread has started to exit (@p: the copy it left):
 * PID 1 powers the machine off; any other process releases its memory and
 * files in its reference cluster (by RPC from elsewhere).
 */
static void process_end(process_t *p)
{
    xptr_t ref_xp = process_ref_xp(p);

    if (p->pid == 1) {
        int32_t ws = (int32_t)hal_remote_l32(PROCESS_FIELD(ref_xp, wait_status));

        printk("init: PID 1 ended (wait status 0x%x): powering off", ws);
        trace_drain_final();
        hal_poweroff((ws & 0x7f) ? 128 + (ws & 0x7f) : (ws >> 8) & 0xff);
    }
    if (GET_CXY(ref_xp) == local_cxy()) {
        process_release(p->ref);
    } else {
        rpc_desc_t rpc = { .type = RPC_PROCESS_RELEASE, .args = { (uint64_t)p->ref } };

        rpc_send(GET_CXY(ref_xp), &rpc);
    }
}

void process_leave(process_t *p, int32_t wait_status, bool count_only)
{
    if (process_copy_leave(p, wait_status, count_only))
        process_end(p);
}

/* Starts the end of the whole process @ref_xp with @wait_status: every thread will exit. */
static void process_group_exit(xptr_t ref_xp, int32_t wait_status)
{
    if (hal_remote_cas(PROCESS_FIELD(ref_xp, group_exit), 0, 1))
        hal_remote_s32(PROCESS_FIELD(ref_xp, wait_status), (uint32_t)wait_status);
    hal_remote_atomic_or64(PROCESS_FIELD(ref_xp, sig_pending), 1ull << (SIGKILL - 1));
    process_wake_all(ref_xp);
}

void process_thread_exit(int32_t wait_status, bool group)
{
    thread_t *t = thread_current();
    process_t *p = t->process;
    uint32_t zero = 0;
    uint64_t paddr;

    if (group)
        process_group_exit(process_ref_xp(p), wait_status);
    futex_robust_list_exit(t);
    if (t->clear_child_tid && hal_copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0 &&
        vmm_user_paddr(t->clear_child_tid, &paddr) == 0)
        futex_wake_key(paddr, 1, ~0u);   /* pthread_join, and musl's thread-list lock */
    thread_leave_gpt();
    if (t->tid != p->pid)
        pid_free(t->tid);
    process_leave(p, wait_status, false);
    thread_exit();                       /* the reaping makes it a zombie after the last one */
}

void process_exit(int32_t wait_status)
{
    process_thread_exit(wait_status, true);
}

void process_thread_reaped(process_t *p)
{
    xptr_t ref_xp = process_ref_xp(p);

    if (!process_copy_reaped(p))
        return;
    remote_busylock_acquire(PTREE_LOCK);
    hal_remote_s64(PROCESS_FIELD(ref_xp, thread), 0);
    hal_remote_s32(PROCESS_FIELD(ref_xp, state), PROCESS_ZOMBIE);
    xptr_t parent = (xptr_t)hal_remote_l64(PROCESS_FIELD(ref_xp, parent));
    remote_busylock_release(PTREE_LOCK);
    if (parent != XPTR_NULL)
        process_wake_all(parent);
}

/* RPC_PROCESS_DESTROY: in: args[0] the zombie process_t (a local pointer of the server). */
void process_rpc_destroy(xptr_t desc)
{
    rpc_desc_t *d = GET_PTR(desc);

    process_free((process_t *)hal_remote_l64(XPTR(GET_CXY(desc), &d->args[0])));
}

static bool pid_matches(int64_t want, uint32_t pid)
{
    return want <= 0 || (uint32_t)want == pid;
}

/* Scans @p's children: a matching zombie is unlinked and returned; *@any tells if one matches at all. */
static xptr_t process_find_zombie(process_t *p, int64_t want, bool *any)
{
    xptr_t root = XPTR(local_cxy(), &p->children_root), it, found = XPTR_NULL;

    *any = false;
    remote_busylock_acquire(PTREE_LOCK);
    XLIST_FOREACH(root, it) {
        process_t *c = GET_PTR(XLIST_ELEMENT(it, process_t, sibling));
        uint32_t ccxy = GET_CXY(it);

        if (!pid_matches(want, hal_remote_l32(XPTR(ccxy, &c->pid))))
            continue;
        *any = true;
        if (hal_remote_l32(XPTR(ccxy, &c->state)) == PROCESS_ZOMBIE) {
            xlist_unlink(it);
            found = XPTR(ccxy, c);
            break;
        }
    }
    remote_busylock_release(PTREE_LOCK);
    return found;
}

typedef struct wait_arg_s {
    process_t *p;
    int64_t    want;
} wait_arg_t;

static bool wait_done(const void *arg)
{
    const wait_arg_t *w = arg;
    xptr_t root = XPTR(local_cxy(), &w->p->children_root), it;

    if (process_signal_pending())
        return true;
    XLIST_FOREACH(root, it) {
        process_t *c = GET_PTR(XLIST_ELEMENT(it, process_t, sibling));
        uint32_t ccxy = GET_CXY(it);

        if (pid_matches(w->want, hal_remote_l32(XPTR(ccxy, &c->pid))) &&
            hal_remote_l32(XPTR(ccxy, &c->state)) == PROCESS_ZOMBIE)
            return true;
    }
    return false;
}

int64_t process_wait(int64_t pid, int32_t *status, uint32_t options)
{
    process_t *p = process_current();
    wait_arg_t w = { p, pid };

    for (;;) {
        bool any;
        xptr_t z = process_find_zombie(p, pid, &any);

        if (z != XPTR_NULL) {
            process_t *c = GET_PTR(z);
            uint32_t ccxy = GET_CXY(z);
            uint32_t cpid = hal_remote_l32(XPTR(ccxy, &c->pid));
            rpc_desc_t rpc = { .type = RPC_PROCESS_DESTROY, .args = { (uint64_t)c } };

            *status = (int32_t)hal_remote_l32(XPTR(ccxy, &c->wait_status));
            rpc_send(ccxy, &rpc);
            return cpid;
        }
        if (!any)
            return -ECHILD;
        if (options & WNOHANG)
            return 0;
        if (process_signal_pending())
            return -EINTR;
        thread_wait(THREAD_BLOCKED_SLEEP, wait_done, &w);
    }
}

/* ---- signals ---------------------------------------------------------------------- */

static bool sig_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

int process_kill(int64_t pid, int sig)
{
    xptr_t xp;
    process_t *p;
    uint32_t cxy;

    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (pid <= 0)
        pid = pid == 0 || pid == -1 ? (int64_t)process_current()->pid : -pid;
    xp = process_lookup((uint32_t)pid);
    if (xp == XPTR_NULL)
        return -ESRCH;
    if (sig == 0)
        return 0;
    p = GET_PTR(xp);
    cxy = GET_CXY(xp);
    if (sig != SIGKILL) {
        uint64_t handler = hal_remote_l64(XPTR(cxy, &p->sigaction[sig - 1].handler));

        if (handler == SIG_IGN || (handler == SIG_DFL && sig_default_ignored(sig)))
            return 0;
    }
    remote_busylock_acquire(PTREE_LOCK);
    bool running = hal_remote_l32(XPTR(cxy, &p->state)) == PROCESS_RUNNING;

    if (running)    /* a 64-bit remote OR: the direct map makes it one locked instruction */
        __atomic_or_fetch(&p->sig_pending, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
    remote_busylock_release(PTREE_LOCK);
    if (running)
        process_wake_all(xp);            /* every thread, in every cluster, sees it */
    return 0;
}

bool process_signal_pending(void)
{
    process_t *p = process_current();

    return p && __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) != 0;
}

bool vfs_interrupted(void)
{
    return process_signal_pending();
}

void hal_user_return(trap_frame_t *frame)
{
    process_t *p = process_current();
    thread_t *t = thread_current();
    uint64_t pending;

    if (p == NULL)
        return;
    pending = __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE);
    if (pending) {
        irq_enable();
        /* the lowest pending signal ends the process (default actions only) */
        process_exit(__builtin_ctzll(pending) + 1);
    }
    if (t->migrate) {
        irq_enable();
        process_migrate(frame);
        irq_disable();
    }
}

void process_fault_kill(trap_frame_t *frame, int sig, uint64_t addr)
{
    process_t *p = process_current();

    printk("pid %u (%s) %s at 0x%lx ip 0x%lx cluster %u", p->pid, p->name,
           sig == SIGSEGV ? "segfault" : sig == SIGILL ? "illegal instruction" :
           sig == SIGFPE ? "arithmetic exception" : "trap", addr, frame->rip, local_cxy());
    irq_enable();
    process_exit(sig);
}
