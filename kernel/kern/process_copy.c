/*
 * process_copy.c - process copies, the list that links them and their
 * thread accounting (see process_copy.h).
 */
#include "process_copy.h"
#include "thread.h"
#include "cluster.h"
#include "ppm.h"
#include "trace.h"
#include "kstring.h"
#include "uapi/errno.h"

/* ---- the copies list -------------------------------------------------------------- */

void process_copies_init(process_t *p)
{
    busylock_init(&p->copies_lock, "copies", RANK_COPIES);
    xlist_root_init(XPTR(local_cxy(), &p->copies_root));
}

void process_copy_link_locked(process_t *copy)
{
    xptr_t ref_xp = process_ref_xp(copy);

    xlist_add_last(PROCESS_FIELD(ref_xp, copies_root), XPTR(local_cxy(), &copy->copy_list));
}

void process_copy_unlink_locked(process_t *copy)
{
    xptr_t ref_xp = process_ref_xp(copy);

    xlist_unlink(XPTR(local_cxy(), &copy->copy_list));
    /* the counters survive the copy (the process's totals) */
    for (uint32_t k = 0; k < VMM_FAULT_KINDS; k++)
        hal_remote_atomic_add64(PROCESS_FIELD(ref_xp, retired_faults[k]),
                                (int64_t)copy->vmm.faults[k]);
}

uint32_t process_copy_vmms(xptr_t ref_vmm, xptr_t *out)
{
    /* every vmm_t is the vmm field of a process_t */
    xptr_t ref_xp = XPTR(GET_CXY(ref_vmm), (char *)GET_PTR(ref_vmm) - offsetof(process_t, vmm));
    xptr_t lock = process_copies_lock(ref_xp), it;
    uint32_t n = 0;

    remote_busylock_acquire(lock);
    XLIST_FOREACH(PROCESS_FIELD(ref_xp, copies_root), it)
        if (n < MAX_CLUSTERS)
            out[n++] = PROCESS_FIELD(XLIST_ELEMENT(it, process_t, copy_list), vmm);
    remote_busylock_release(lock);
    return n;
}

void process_counters(xptr_t ref_xp, process_counters_t *out)
{
    xptr_t lock = process_copies_lock(ref_xp), it;

    remote_busylock_acquire(lock);
    for (uint32_t k = 0; k < VMM_FAULT_KINDS; k++)
        out->faults[k] = hal_remote_l64(PROCESS_FIELD(ref_xp, vmm.faults[k])) +
                         hal_remote_l64(PROCESS_FIELD(ref_xp, retired_faults[k]));
    out->copies = 1;
    XLIST_FOREACH(PROCESS_FIELD(ref_xp, copies_root), it) {
        xptr_t c = XLIST_ELEMENT(it, process_t, copy_list);

        for (uint32_t k = 0; k < VMM_FAULT_KINDS; k++)
            out->faults[k] += hal_remote_l64(PROCESS_FIELD(c, vmm.faults[k]));
        out->copies++;
    }
    remote_busylock_release(lock);
}

/* ---- threads of the copies -------------------------------------------------------- */

void process_copy_link_thread(process_t *p, thread_t *t)
{
    xptr_t lock = process_copies_lock(process_ref_xp(p));

    remote_busylock_acquire(lock);
    xlist_add_last(XPTR(local_cxy(), &p->threads_root), XPTR(local_cxy(), &t->process_list));
    remote_busylock_release(lock);
}

void process_foreach_thread(xptr_t ref_xp, void (*fn)(xptr_t thread, void *arg), void *arg)
{
    xptr_t lock = process_copies_lock(ref_xp), c, it;

    remote_busylock_acquire(lock);
    XLIST_FOREACH(PROCESS_FIELD(ref_xp, threads_root), it)
        fn(XLIST_ELEMENT(it, thread_t, process_list), arg);
    XLIST_FOREACH(PROCESS_FIELD(ref_xp, copies_root), c) {
        xptr_t copy = XLIST_ELEMENT(c, process_t, copy_list);

        XLIST_FOREACH(PROCESS_FIELD(copy, threads_root), it)
            fn(XLIST_ELEMENT(it, thread_t, process_list), arg);
    }
    remote_busylock_release(lock);
}

static void wake_one(xptr_t thread, void *arg)
{
    (void)arg;
    thread_unblock(thread, THREAD_BLOCKED_SLEEP);
}

void process_wake_all(xptr_t ref_xp)
{
    process_foreach_thread(ref_xp, wake_one, NULL);
}

uint32_t process_threads(process_t *ref)
{
    return hal_remote_l32(PROCESS_FIELD(XPTR(ref->ref_cxy, ref), nthreads));
}

/* The copy of @ref_xp in the calling cluster, or NULL. Caller holds the copies lock. */
static process_t *copy_find_locked(xptr_t ref_xp)
{
    xptr_t it;

    if (GET_CXY(ref_xp) == local_cxy())
        return GET_PTR(ref_xp);
    XLIST_FOREACH(PROCESS_FIELD(ref_xp, copies_root), it)
        if (GET_CXY(it) == local_cxy())
            return GET_PTR(XLIST_ELEMENT(it, process_t, copy_list));
    return NULL;
}

/* Reserves a thread's place in copy @p: every count of process_copy.h. Caller holds the copies lock. */
static void copy_reserve_locked(process_t *p, xptr_t ref_xp)
{
    p->local_threads++;
    p->refs++;
    hal_remote_atomic_add(PROCESS_FIELD(ref_xp, nthreads), 1);
    hal_remote_atomic_add(PROCESS_FIELD(ref_xp, live), 1);
}

process_t *process_copy_get(xptr_t ref_xp, int *err)
{
    xptr_t lock = process_copies_lock(ref_xp);
    process_t *p, *fresh = NULL;
    page_t *page;

    for (;;) {
        remote_busylock_acquire(lock);
        if (hal_remote_l32(PROCESS_FIELD(ref_xp, group_exit)) ||
            hal_remote_l32(PROCESS_FIELD(ref_xp, nthreads)) == 0) {
            remote_busylock_release(lock);
            *err = -EAGAIN;
            p = NULL;
            break;
        }
        p = copy_find_locked(ref_xp);
        if (p == NULL && fresh != NULL) {
            process_copy_link_locked(fresh);
            trace(TRACE_COPY, 1, fresh->pid, GET_CXY(ref_xp));
            p = fresh;
            fresh = NULL;
        }
        if (p != NULL) {
            copy_reserve_locked(p, ref_xp);
            remote_busylock_release(lock);
            break;
        }
        remote_busylock_release(lock);
        /* the first thread here: a new copy, allocated without the lock */
        page = ppm_alloc_pages(PROCESS_ORDER);
        if (page == NULL) {
            *err = -ENOMEM;
            return NULL;
        }
        fresh = ppm_page_to_virt(page);
        memset(fresh, 0, sizeof(*fresh));
        if (vmm_init(&fresh->vmm, PROCESS_FIELD(ref_xp, vmm))) {
            ppm_free_pages(page);
            *err = -ENOMEM;
            return NULL;
        }
        process_copies_init(fresh);
        fresh->pid     = hal_remote_l32(PROCESS_FIELD(ref_xp, pid));
        fresh->ref_cxy = GET_CXY(ref_xp);
        fresh->ref     = GET_PTR(ref_xp);
        fresh->state   = PROCESS_RUNNING;
        fresh->fork_place = -1;
        xlist_root_init(XPTR(local_cxy(), &fresh->threads_root));
        xlist_root_init(XPTR(local_cxy(), &fresh->children_root));
        hal_remote_memcpy(XPTR(local_cxy(), fresh->name), PROCESS_FIELD(ref_xp, name),
                          sizeof(fresh->name));
    }
    if (fresh) {                         /* another thread made the copy meanwhile */
        vmm_destroy(&fresh->vmm);
        ppm_free_pages(ppm_phys_to_page(virt_to_phys(fresh)));
    }
    return p;
}

bool process_copy_leave(process_t *p, int32_t wait_status, bool count_only)
{
    xptr_t ref_xp = process_ref_xp(p), lock = process_copies_lock(ref_xp);
    bool last_copy, last;

    vmm_ref_freeze(&p->vmm);
    remote_busylock_acquire(lock);
    if (!count_only)
        xlist_unlink(XPTR(local_cxy(), &thread_current()->process_list));
    p->local_threads--;
    last_copy = p->local_threads == 0 && p != p->ref;
    last = hal_remote_atomic_add(PROCESS_FIELD(ref_xp, nthreads), -1) == 1;
    if (last && !hal_remote_l32(PROCESS_FIELD(ref_xp, group_exit)))
        hal_remote_s32(PROCESS_FIELD(ref_xp, wait_status), (uint32_t)wait_status);
    if (last_copy)
        process_copy_unlink_locked(p);
    remote_busylock_release(lock);
    if (!count_only)
        trace(TRACE_EXIT, last, p->pid, thread_current()->tid |
              (uint64_t)(uint32_t)(last ? (int32_t)hal_remote_l32(PROCESS_FIELD(ref_xp, wait_status))
                                        : wait_status) << 32);
    if (last_copy)
        trace(TRACE_COPY, 0, p->pid, GET_CXY(ref_xp));
    vmm_ref_thaw(&p->vmm);
    if (last_copy)
        vmm_destroy(&p->vmm);
    return last;
}

bool process_copy_reaped(process_t *p)
{
    xptr_t ref_xp = process_ref_xp(p), lock = process_copies_lock(ref_xp);
    bool free_copy, zombie;

    remote_busylock_acquire(lock);
    p->refs--;
    free_copy = p->refs == 0 && p != p->ref;
    zombie = hal_remote_atomic_add(PROCESS_FIELD(ref_xp, live), -1) == 1;
    remote_busylock_release(lock);
    if (free_copy)
        ppm_free_pages(ppm_phys_to_page(virt_to_phys(p)));
    return zombie;
}
