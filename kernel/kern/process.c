/*
 * process.c - the process life cycle: creation, the process tree, fork,
 * exit and wait (see process.h). PIDs are in pid.c, process copies in
 * process_copy.c, user threads in thread_user.c, signals in signal.c.
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
#include "thread_user.h"
#include "signal.h"
#include "pid.h"
#include "trace.h"
#include "thread.h"
#include "cluster.h"
#include "rpc.h"
#include "dqdt.h"
#include "ppm.h"
#include "vfs.h"
#include "printk.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "trap.h"
#include "hal_user.h"
#include "cpu.h"
#include "hal_cpu.h"
#include "futex.h"
#include "pgrp.h"
#include "itimer.h"
#include "rlimit.h"
#include "uapi/wait.h"

static xptr_t init_process;            /* PID 1, set once at boot (read-mostly) */

/* ---- the calling thread's process ------------------------------------------------- */

process_t *process_copy_current(void)
{
    thread_t *t = thread_current();

    return t ? t->process : NULL;
}

xptr_t process_current_xp(void)
{
    process_t *p = process_copy_current();

    return p ? process_ref_xp(p) : XPTR_NULL;
}

uint32_t process_current_pid(void)
{
    return process_copy_current()->pid;
}

vmm_t *process_current_vmm(void)
{
    return GET_PTR(PROCESS_FIELD(process_current_xp(), vmm));
}

fd_table_t *process_current_fds(void)
{
    return GET_PTR(PROCESS_FIELD(process_current_xp(), fds));
}

xptr_t process_tree_lock(void)
{
    return XPTR(0, &cluster_tbl[0]->ptree_lock);
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
    process_copies_init(p);
    busylock_init(&p->sigq_lock, "sigq", RANK_SIGQ);
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

/* The first thread of a new process @p (local, not yet visible to others but by PID). */
static void process_first_thread(process_t *p, thread_t *t)
{
    p->thread = t;
    p->nthreads = p->live = p->local_threads = p->refs = 1;
    t->tid = p->pid;
    thread_user_affinity_all(t->affinity);
    process_copy_link_thread(p, t);
}

/* ---- threads of a process ---------------------------------------------------------- */

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

    remote_busylock_acquire(process_tree_lock());
    child->parent = parent_xp;
    child->ppid   = hal_remote_l32(XPTR(pcxy, &parent->pid));
    xlist_add_last(XPTR(pcxy, &parent->children_root), XPTR(local_cxy(), &child->sibling));
    remote_busylock_release(process_tree_lock());
}

static void ptree_unlink(process_t *child)
{
    remote_busylock_acquire(process_tree_lock());
    xlist_unlink(XPTR(local_cxy(), &child->sibling));
    remote_busylock_release(process_tree_lock());
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
    p->umask = 0022;                     /* Linux's init_fs umask */
    rlimit_init(p->rlim);
    p->parent = XPTR_NULL;
    p->pgid = p->sid = p->pid;           /* init leads its session and its group */
    memset(&frame, 0, sizeof(frame));
    vfs_file_t *con;

    rc = vfs_open(vfs_root(), "/dev/console", O_RDWR, 0, &con);
    if (rc == 0) {
        fd_install(&p->fds, con, 0, false);
        fd_install(&p->fds, vfs_file_get(con), 1, false);
        fd_install(&p->fds, vfs_file_get(con), 2, false);
    }
    process_set_name(p, path);
    t = thread_user_create(thread_user_pick_core(), p, &frame, NULL, 0, p->name);
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

/* RPC_PROCESS_FORK handler, in the child's cluster (arguments: rpc_process_fork_args_t). */
void process_make_fork(xptr_t desc)
{
    xptr_t parent_xp = hal_remote_lxp(RPC_ARG(desc, process_fork.parent));
    xptr_t frame_xp  = hal_remote_lxp(RPC_ARG(desc, process_fork.frame));
    xptr_t pt_xp     = hal_remote_lxp(RPC_ARG(desc, process_fork.thread));
    thread_t *pt     = GET_PTR(pt_xp);
    xptr_t fpu_xp    = XPTR(GET_CXY(pt_xp), hal_remote_l64(XPTR(GET_CXY(pt_xp), &pt->fpu)));
    uint64_t fs_base = hal_remote_l64(XPTR(GET_CXY(pt_xp), &pt->fs_base));
    uint64_t sigmask = hal_remote_l64(XPTR(GET_CXY(pt_xp), &pt->sig_blocked));
    uint64_t sp      = hal_remote_l64(RPC_ARG(desc, process_fork.sp));
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
    signal_fork_copy(p, parent_xp);
    pgrp_fork_copy(p, parent_xp);        /* no timer: the itimer fields stay 0 (fork(2)) */
    p->cwd = vfs_inode_get((vfs_inode_t *)hal_remote_l64(XPTR(pcxy, &parent->cwd)));
    p->umask = hal_remote_l32(XPTR(pcxy, &parent->umask));
    cred_fork_copy(p, XPTR(pcxy, parent));
    hal_remote_memcpy(XPTR(local_cxy(), p->rlim), XPTR(pcxy, parent->rlim), sizeof(p->rlim));
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
    t = thread_user_create(thread_user_pick_core(), p, &frame, fpu, fs_base, p->name);
    if (t == NULL) {
        ptree_unlink(p);
        process_unwind(p);
        rc = -ENOMEM;
        goto out;
    }
    process_first_thread(p, t);
    t->sig_blocked = sigmask;                      /* fork(2): the mask is inherited */
    thread_unblock(XPTR(local_cxy(), t), THREAD_BLOCKED_SLEEP);
    rc = p->pid;
out:
    hal_remote_s64(RPC_ARG(desc, process_fork.pid), (uint64_t)rc);
}

int64_t process_fork(const trap_frame_t *frame, uint64_t child_sp)
{
    xptr_t ref_xp = process_current_xp();
    thread_t *t = thread_current();
    uint32_t cxy;
    int64_t pid;
    int32_t place = (int32_t)hal_remote_l32(PROCESS_FIELD(ref_xp, fork_place));

    if (place >= 0) {
        cxy = (uint32_t)place;
        hal_remote_s32(PROCESS_FIELD(ref_xp, fork_place), (uint32_t)-1);
    } else {
        cxy = dqdt_get_cluster_for_thread();
    }
    hal_fpu_save(t->fpu);                    /* the child starts from the live registers */
    rpc_desc_t rpc = { .type = RPC_PROCESS_FORK,
                       .args.process_fork = { .parent = ref_xp, .frame = XPTR(local_cxy(), frame),
                                              .thread = XPTR(local_cxy(), t),
                                              .sp = child_sp } };

    rpc_send(cxy, &rpc);
    pid = rpc.args.process_fork.pid;
    if (pid > 0) {
        vmm_set_cow(process_current_vmm());  /* every copy of the parent, in one round */
        trace(TRACE_FORK, 0, t->process->pid, (uint64_t)pid | (uint64_t)cxy << 32);
    }
    return pid;
}

/* ---- exit, zombies, wait ------------------------------------------------------------ */

#define ORPHAN_GROUPS 16               /* children's groups checked for orphaning at an exit */

/*
 * Hands every child of @p (local reference) to init; wakes init when one is
 * already a zombie. The distinct groups and sessions of the children go to
 * @pgid[] / @sid[] (at most ORPHAN_GROUPS, more are not checked). @return
 * how many.
 */
static uint32_t process_reparent_children(process_t *p, uint32_t *pgid, uint32_t *sid)
{
    uint32_t n = 0;
    process_t *init = GET_PTR(init_process);
    uint32_t icxy = GET_CXY(init_process);
    xptr_t root = XPTR(local_cxy(), &p->children_root);
    bool wake = false;
    xptr_t it;

    remote_busylock_acquire(process_tree_lock());
    while ((it = xlist_first(root)) != XPTR_NULL) {
        process_t *c = GET_PTR(XLIST_ELEMENT(it, process_t, sibling));
        uint32_t ccxy = GET_CXY(it);

        xlist_unlink(it);
        hal_remote_s64(XPTR(ccxy, &c->parent), init_process);
        hal_remote_s32(XPTR(ccxy, &c->ppid), 1);
        xlist_add_last(XPTR(icxy, &init->children_root), it);
        if (hal_remote_l32(XPTR(ccxy, &c->state)) == PROCESS_ZOMBIE) {
            wake = true;
        } else {
            uint32_t g = hal_remote_l32(XPTR(ccxy, &c->pgid)), i;

            for (i = 0; i < n && pgid[i] != g; i++)
                ;
            if (i == n && n < ORPHAN_GROUPS) {
                pgid[n] = g;
                sid[n++] = hal_remote_l32(XPTR(ccxy, &c->sid));
            }
        }
    }
    remote_busylock_release(process_tree_lock());
    if (wake)
        process_wake_all(init_process);
    return n;
}

/*
 * The process's last thread has started to exit: its files, memory and
 * children go, in its reference cluster, and the process groups its end
 * orphans get SIGHUP and SIGCONT if one of their members is stopped. The zombie transition waits for
 * the reaping of every thread (process_thread_reaped).
 */
static void process_release(process_t *p)
{
    uint32_t pgid[ORPHAN_GROUPS], sid[ORPHAN_GROUPS], n;
    xptr_t parent;

    itimer_cancel(p);                    /* Linux: exit_itimers(); a zombie gets no SIGALRM */
    fd_table_close_all(&p->fds);
    if (p->cwd) {
        vfs_inode_put(p->cwd);
        p->cwd = NULL;
    }
    vmm_destroy(&p->vmm);
    n = process_reparent_children(p, pgid, sid);
    remote_busylock_acquire(process_tree_lock());
    parent = p->parent;
    remote_busylock_release(process_tree_lock());
    /* Linux's exit_notify: stopped jobs this end orphans get SIGHUP and SIGCONT */
    pgrp_orphan_exit(XPTR(local_cxy(), p), parent, pgid, sid, n);
}

/* RPC_PROCESS_RELEASE handler, in the reference cluster (arguments: rpc_process_args_t). */
void process_rpc_release(xptr_t desc)
{
    process_release((process_t *)hal_remote_l64(RPC_ARG(desc, process_release.process)));
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
        rpc_desc_t rpc = { .type = RPC_PROCESS_RELEASE,
                           .args.process_release = { .process = p->ref } };

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

    if (group) {
        process_group_exit(process_ref_xp(p), wait_status);
    } else {
        t->sig_blocked = ~0ull;          /* it takes no more signals: another thread will */
        signal_retarget(~0ull);
        signal_queue_flush(process_ref_xp(p), t->tid, ~0ull);   /* its own queued ones go */
    }
    futex_robust_list_exit(t);
    if (t->clear_child_tid && hal_copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0 &&
        vmm_user_paddr(t->clear_child_tid, &paddr) == 0)
        futex_wake_key(paddr, 1, ~0u);   /* pthread_join, and musl's thread-list lock */
    thread_user_leave_gpt();
    if (t->tid != p->pid)
        pid_free(t->tid);
    xptr_t ref_xp = process_ref_xp(p);

    process_leave(p, wait_status, false);
    if (!group)
        signal_stop_thread_gone(ref_xp);   /* a stop under way may now be complete */
    thread_exit();                       /* the reaping makes it a zombie after the last one */
}

void process_exit(int32_t wait_status)
{
    process_thread_exit(wait_status, true);
}

/*
 * Zombie @ref_xp's parent @parent reaps its ended children at once
 * (signal_child_autoreap): called under the process-tree lock, unlinks the
 * zombie from its parent. @return true if the zombie is local and the
 * caller frees it; false if it is in another cluster, where the idle
 * thread cannot free it (an RPC blocks): it is handed to init, whose
 * wait4(-1) frees it as any orphan (the parent never sees it either way).
 */
static bool process_autoreap(xptr_t ref_xp, xptr_t parent)
{
    process_t *init = GET_PTR(init_process);

    xlist_unlink(PROCESS_FIELD(ref_xp, sibling));
    if (GET_CXY(ref_xp) == local_cxy())
        return true;
    hal_remote_s64(PROCESS_FIELD(ref_xp, parent), init_process);
    hal_remote_s32(PROCESS_FIELD(ref_xp, ppid), 1);
    xlist_add_last(XPTR(GET_CXY(init_process), &init->children_root),
                   PROCESS_FIELD(ref_xp, sibling));
    (void)parent;
    return false;
}

void process_thread_reaped(process_t *p)
{
    xptr_t ref_xp = process_ref_xp(p);
    bool autoreap = false, free_here = false;
    uint32_t pid;
    int32_t ws;

    if (!process_copy_reaped(p))
        return;
    pid = hal_remote_l32(PROCESS_FIELD(ref_xp, pid));
    ws = (int32_t)hal_remote_l32(PROCESS_FIELD(ref_xp, wait_status));
    remote_busylock_acquire(process_tree_lock());
    hal_remote_s64(PROCESS_FIELD(ref_xp, thread), 0);
    hal_remote_s32(PROCESS_FIELD(ref_xp, state), PROCESS_ZOMBIE);
    xptr_t parent = (xptr_t)hal_remote_l64(PROCESS_FIELD(ref_xp, parent));
    if (parent != XPTR_NULL && parent != init_process && signal_child_autoreap(parent)) {
        autoreap = true;                 /* man 2 wait, NOTES: no zombie is left */
        free_here = process_autoreap(ref_xp, parent);
    }
    remote_busylock_release(process_tree_lock());
    if (free_here)
        process_free(GET_PTR(ref_xp));
    else if (autoreap)
        process_wake_all(init_process);
    if (parent != XPTR_NULL) {
        signal_child_ended(parent, pid, ws);
        process_wake_all(parent);        /* its wait: a zombie, or one child fewer */
    }
}

/* RPC_PROCESS_DESTROY handler, in the zombie's cluster (arguments: rpc_process_args_t). */
void process_rpc_destroy(xptr_t desc)
{
    process_free((process_t *)hal_remote_l64(RPC_ARG(desc, process_destroy.process)));
}
