/*
 * process.c - process life cycle: PIDs, fork, exit, wait, kill (see process.h).
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

#define PTREE_LOCK  XPTR(0, &cluster_tbl[0]->ptree_lock)
#define WNOHANG     1

static xptr_t init_process;            /* PID 1, set once at boot (read-mostly) */

process_t *process_current(void)
{
    thread_t *t = thread_current();

    return t ? t->process : NULL;
}

/* ---- PIDs ------------------------------------------------------------------------ */

/* Registers @p in the local PID table. @return its PID or -EAGAIN (table full). */
static int64_t pid_alloc(process_t *p)
{
    cluster_t *cl = cluster_local();
    int64_t pid = -EAGAIN;

    busylock_acquire(&cl->pid_lock);
    for (uint32_t n = 1; n < PROCESS_MAX; n++) {
        uint32_t idx = cl->pid_next;

        cl->pid_next = idx + 1 < PROCESS_MAX ? idx + 1 : 1;
        if (cl->pid_tbl[idx] == NULL) {
            cl->pid_tbl[idx] = p;
            cl->processes++;
            pid = ((int64_t)cl->cxy << 16) | idx;
            break;
        }
    }
    busylock_release(&cl->pid_lock);
    return pid;
}

static void pid_free(uint32_t pid)
{
    cluster_t *cl = cluster_local();

    busylock_acquire(&cl->pid_lock);
    cl->pid_tbl[pid & 0xffff] = NULL;
    cl->processes--;
    busylock_release(&cl->pid_lock);
}

xptr_t process_lookup(uint32_t pid)
{
    uint32_t cxy = pid >> 16, idx = pid & 0xffff;
    cluster_t *cl;
    xptr_t lock;
    process_t *p;

    if (cxy >= boot_info.topo.nclusters || idx == 0 || idx >= PROCESS_MAX)
        return XPTR_NULL;
    cl = cluster_tbl[cxy];
    lock = XPTR(cxy, &cl->pid_lock);
    remote_busylock_acquire(lock);
    p = (process_t *)hal_remote_l64(XPTR(cxy, &cl->pid_tbl[idx]));
    remote_busylock_release(lock);
    return p ? XPTR(cxy, p) : XPTR_NULL;
}

uint32_t process_count(uint32_t cxy)
{
    return hal_remote_l32(XPTR(cxy, &cluster_tbl[cxy]->processes));
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
    if (vmm_init(&p->vmm)) {
        ppm_free_pages(page);
        *err = -ENOMEM;
        return NULL;
    }
    pid = pid_alloc(p);
    if (pid < 0) {
        vmm_destroy(&p->vmm);
        ppm_free_pages(page);
        *err = pid;
        return NULL;
    }
    p->pid        = (uint32_t)pid;
    p->ref_cxy    = local_cxy();
    p->fork_place = -1;
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

/* Least loaded core of the local cluster for a new thread. */
static uint32_t process_pick_core(void)
{
    cluster_t *cl = cluster_local();
    uint32_t best = 0;

    for (uint32_t l = 1; l < cl->ncores; l++)
        if (cl->core[l].sched.nthreads < cl->core[best].sched.nthreads)
            best = l;
    return best;
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
    p->thread = t;
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
 * in:  args[0] parent process (xptr), args[1] parent's user frame (xptr),
 *      args[2] parent's FPU area (xptr), args[3] FS base, args[4] child stack or 0.
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
    p->thread = t;
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

    if (p->fork_place >= 0) {
        cxy = (uint32_t)p->fork_place;
        p->fork_place = -1;
    } else {
        cxy = dqdt_get_cluster_for_thread();
    }
    hal_fpu_save(t->fpu);                    /* the child starts from the live registers */
    rpc.args[0] = XPTR(local_cxy(), p);
    rpc.args[1] = XPTR(local_cxy(), frame);
    rpc.args[2] = XPTR(local_cxy(), t->fpu);
    rpc.args[3] = t->fs_base;
    rpc.args[4] = child_sp;
    rpc_send(cxy, &rpc);
    pid = (int64_t)rpc.args[0];
    if (pid > 0)
        vmm_set_cow(&p->vmm);
    return pid;
}

/* ---- exit, zombies, wait ------------------------------------------------------------ */

/* Hands every child of @p to init; wakes init when one is already a zombie. */
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
    if (wake) {
        thread_t *it_thread = (thread_t *)hal_remote_l64(XPTR(icxy, &init->thread));

        if (it_thread)
            thread_unblock(XPTR(icxy, it_thread), THREAD_BLOCKED_SLEEP);
    }
    remote_busylock_release(PTREE_LOCK);
}

void process_exit(int32_t wait_status)
{
    process_t *p = process_current();
    thread_t *t = thread_current();

    if (p->pid == 1) {
        printk("init: PID 1 ended (wait status 0x%x): powering off", wait_status);
        hal_poweroff((wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff);
    }
    fd_table_close_all(&p->fds);
    if (p->cwd) {
        vfs_inode_put(p->cwd);
        p->cwd = NULL;
    }
    irq_disable();
    t->gpt = NULL;                       /* leave the page table before freeing it */
    hal_gpt_activate(NULL);
    irq_enable();
    vmm_destroy(&p->vmm);
    process_reparent_children(p);
    p->wait_status = wait_status;
    thread_exit();                       /* the idle thread's reaping makes it a zombie */
}

/*
 * Called by the idle thread of the process's cluster when its thread has
 * been reaped: the process becomes a zombie and its parent is woken.
 */
void process_thread_reaped(process_t *p)
{
    remote_busylock_acquire(PTREE_LOCK);
    p->thread = NULL;
    __atomic_store_n(&p->state, PROCESS_ZOMBIE, __ATOMIC_SEQ_CST);
    if (p->parent != XPTR_NULL) {
        process_t *parent = GET_PTR(p->parent);
        uint32_t pcxy = GET_CXY(p->parent);
        thread_t *pt = (thread_t *)hal_remote_l64(XPTR(pcxy, &parent->thread));

        if (pt)
            thread_unblock(XPTR(pcxy, pt), THREAD_BLOCKED_SLEEP);
    }
    remote_busylock_release(PTREE_LOCK);
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
    if (hal_remote_l32(XPTR(cxy, &p->state)) == PROCESS_RUNNING) {
        thread_t *t = (thread_t *)hal_remote_l64(XPTR(cxy, &p->thread));

        /* a 64-bit remote OR: the direct map makes it one locked instruction */
        __atomic_or_fetch(&p->sig_pending, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
        if (t)
            thread_unblock(XPTR(cxy, t), THREAD_BLOCKED_SLEEP);
    }
    remote_busylock_release(PTREE_LOCK);
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
    uint64_t pending;

    (void)frame;
    if (p == NULL)
        return;
    pending = __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE);
    if (pending == 0)
        return;
    irq_enable();
    /* the lowest pending signal ends the process (default actions only) */
    process_exit(__builtin_ctzll(pending) + 1);
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
