/*
 * vmm_ktest.c - self-tests of the VMM (ktest=vmm): the VSL's split and
 * merge under mprotect and munmap, the page fork counter, and a
 * copy-on-write round over two copies of a process.
 *
 * The address spaces are vmm_t's of zeroed process_t's (kmem) that no
 * thread runs on: faults are resolved by calling vmm_handle_fault() as the
 * page-fault trap would. What must run in the cluster of a copy (creating
 * it, its faults, tearing it down) runs in a kernel thread created there
 * (RPC_THREAD_CREATE) while the test thread waits. Every case runs on the
 * bootstrap core and frees what it allocated (the "leaks" suite checks it).
 */
#include "ktest.h"
#include "vmm.h"
#include "page.h"
#include "ppm.h"
#include "kmem.h"
#include "process.h"
#include "process_copy.h"
#include "thread.h"
#include "cluster.h"
#include "boot_info.h"
#include "rpc.h"
#include "cpu.h"
#include "kstring.h"

#define P        PAGE_SIZE
#define VT_RW    (PROT_READ | PROT_WRITE)
#define VT_READ  VMM_FAULT_USER
#define VT_WRITE (VMM_FAULT_USER | VMM_FAULT_WRITE)

/* ---- helpers ------------------------------------------------------------------------- */

/* A process with an empty reference address space in the calling cluster, or NULL. */
static process_t *vt_process_new(void)
{
    process_t *p = kmem_alloc(sizeof(*p));

    if (p == NULL)
        return NULL;
    if (vmm_init(&p->vmm, XPTR_NULL)) {
        kmem_free(p);
        return NULL;
    }
    p->ref_cxy = local_cxy();
    p->ref = p;
    process_copies_init(p);
    return p;
}

/* Frees a process of vt_process_new() or vt_copy_new(), with its address space. */
static void vt_process_free(process_t *p)
{
    vmm_destroy(&p->vmm);
    kmem_free(p);
}

/* A copy, in the calling cluster, of the process whose reference is @ref; or NULL. */
static process_t *vt_copy_new(xptr_t ref)
{
    process_t *p = kmem_alloc(sizeof(*p));
    xptr_t lock = process_copies_lock(ref);

    if (p == NULL)
        return NULL;
    if (vmm_init(&p->vmm, PROCESS_FIELD(ref, vmm))) {
        kmem_free(p);
        return NULL;
    }
    p->ref_cxy = GET_CXY(ref);
    p->ref = GET_PTR(ref);
    process_copies_init(p);
    remote_busylock_acquire(lock);
    process_copy_link_locked(p);
    remote_busylock_release(lock);
    return p;
}

/* Unlinks the local copy @p from its reference's copies, then frees it. */
static void vt_copy_drop(process_t *p)
{
    xptr_t lock = process_copies_lock(process_ref_xp(p));

    vmm_ref_freeze(&p->vmm);
    remote_busylock_acquire(lock);
    process_copy_unlink_locked(p);
    remote_busylock_release(lock);
    vmm_ref_thaw(&p->vmm);
    vt_process_free(p);
}

enum vt_op { VT_COPY_NEW, VT_FAULT, VT_COPY_DROP };

/* A job for a kernel thread of another cluster, on the test thread's stack. */
typedef struct vt_job_s {
    xptr_t            waiter;          /* the test thread, woken when done */
    uint32_t          op;              /* VT_* */
    uint64_t          arg[3];          /* VT_COPY_NEW: xptr to the reference process_t;
                                          VT_FAULT: the copy's process_t, address, error code;
                                          VT_COPY_DROP: the copy's process_t */
    volatile int64_t  result;          /* VT_COPY_NEW: the copy's process_t (or 0);
                                          VT_FAULT: vmm_handle_fault's return */
    volatile uint32_t done;
} vt_job_t;

#define JOB(x, f) ((x) + offsetof(vt_job_t, f))

static void vt_worker(void *arg)
{
    xptr_t job = XPTR(cluster_of_ptr((uintptr_t)arg), arg);
    xptr_t waiter = hal_remote_lxp(JOB(job, waiter));
    uint64_t a0 = hal_remote_l64(JOB(job, arg[0]));
    uint64_t a1 = hal_remote_l64(JOB(job, arg[1]));
    uint64_t a2 = hal_remote_l64(JOB(job, arg[2]));
    int64_t result = 0;

    switch (hal_remote_l32(JOB(job, op))) {
    case VT_COPY_NEW:
        result = (int64_t)vt_copy_new((xptr_t)a0);
        break;
    case VT_FAULT:
        result = vmm_handle_fault(&((process_t *)a0)->vmm, a1, (uint32_t)a2);
        break;
    case VT_COPY_DROP:
        vt_copy_drop((process_t *)a0);
        break;
    }
    hal_remote_s64(JOB(job, result), (uint64_t)result);
    hal_remote_s32(JOB(job, done), 1);         /* the job may be gone from here on */
    thread_unblock(waiter, THREAD_BLOCKED_SLEEP);
}

static bool vt_job_done(const void *arg)
{
    return ((const vt_job_t *)arg)->done;
}

/*
 * Runs job @op (@a0, @a1, @a2) in a kernel thread of cluster @cxy and
 * waits for it. @return its result; INT64_MIN (and the case fails) when no
 * thread could be created.
 */
static int64_t vt_run(ktest_t *t, uint32_t cxy, enum vt_op op, uint64_t a0, uint64_t a1,
                      uint64_t a2)
{
    vt_job_t job = { .waiter = XPTR(local_cxy(), thread_current()), .op = op,
                     .arg = { a0, a1, a2 } };
    uint32_t lid = cluster_tbl[cxy]->ncores - 1;
    rpc_desc_t d = { .type = RPC_THREAD_CREATE,
                     .args.thread_create = { .lid = lid, .entry = vt_worker, .arg = &job,
                                             .name = XPTR(local_cxy(), "vmm ktest") } };

    bool started;

    if (cxy == local_cxy()) {
        started = thread_create(lid, THREAD_KERNEL, vt_worker, &job, "vmm ktest") != NULL;
    } else {
        rpc_send(cxy, &d);
        started = d.args.thread_create.thread != XPTR_NULL;
    }
    if (!started) {
        ktest_fail(t, "no thread in cluster %u", cxy);
        return INT64_MIN;
    }
    thread_wait(THREAD_BLOCKED_SLEEP, vt_job_done, &job);
    return job.result;
}

/* The PTE of @vpn in the GPT of @p's address space, @p in cluster @cxy: GPT_* and *@ppn. */
static uint32_t vt_pte(uint32_t cxy, process_t *p, uint64_t vpn, uint64_t *ppn)
{
    *ppn = 0;
    return hal_gpt_get(XPTR(cxy, &p->vmm.gpt), vpn, ppn);
}

/* The fork counter of the page @ppn (any cluster). */
static uint32_t vt_forks(uint64_t ppn)
{
    page_t *page = ppm_phys_to_page(ppn << PAGE_SHIFT);

    return page ? hal_remote_l32(XPTR(page->cxy, &page->forks)) : UINT32_MAX;
}

typedef struct vt_range_s {
    uint64_t min, max;                 /* bytes */
    uint32_t prot;                     /* PROT_* */
} vt_range_t;

#define VT_MAX_VSEGS 8

/* Fails the case, naming @when, unless the VSL of the local reference @vmm is @want[@n]. */
static void vt_expect_vsl(ktest_t *t, vmm_t *vmm, const vt_range_t *want, uint32_t n,
                          const char *when)
{
    vt_range_t got[VT_MAX_VSEGS];
    uint32_t ngot = 0, counted;
    xptr_t it;

    remote_rwlock_rd_acquire(XPTR(local_cxy(), &vmm->vsl_lock));
    XLIST_FOREACH(XPTR(local_cxy(), &vmm->vsl_root), it) {
        vseg_t *v = vseg_of(it);

        if (ngot < VT_MAX_VSEGS)
            got[ngot] = (vt_range_t){ v->min, v->max, v->prot };
        ngot++;
    }
    counted = vmm->vsegs;
    remote_rwlock_rd_release(XPTR(local_cxy(), &vmm->vsl_lock));
    KTEST_EXPECT(t, ngot == n && counted == n, "%s: %u vsegs (vmm_t.vsegs %u), expected %u",
                 when, ngot, counted, n);
    for (uint32_t i = 0; i < n && i < ngot && i < VT_MAX_VSEGS; i++)
        KTEST_EXPECT(t, got[i].min == want[i].min && got[i].max == want[i].max &&
                     got[i].prot == want[i].prot,
                     "%s: vseg %u is [0x%lx, 0x%lx) prot %u, expected [0x%lx, 0x%lx) prot %u",
                     when, i, got[i].min, got[i].max, got[i].prot, want[i].min, want[i].max,
                     want[i].prot);
}

/* The cluster of the copy in the COW case: the last one (the bootstrap one on a single cluster). */
static uint32_t vt_copy_cluster(void)
{
    return boot_info.topo.nclusters - 1;
}

/* ---- cases ------------------------------------------------------------------------- */

/*
 * mprotect of the middle page of a three-page mapping splits its vseg in
 * three with the right bounds and rights, and write-protects the PTE of
 * the middle page; mprotect back merges them into one again; munmap of the
 * middle leaves two vsegs and no PTE there.
 */
static void vmm_vsl_split_merge(ktest_t *t)
{
    uint64_t before = ppm_free_count(local_cxy()), ppn;
    process_t *p = vt_process_new();
    int64_t a;
    int rc;

    KTEST_EXPECT(t, p != NULL, "no memory for a process");
    if (p == NULL)
        return;
    a = vmm_mmap(&p->vmm, 0, 3 * P, VT_RW, 0, NULL, 0);
    KTEST_EXPECT(t, a > 0, "mmap returned %ld", a);
    if (a > 0) {
        uint64_t b = (uint64_t)a, mid = (b + P) >> PAGE_SHIFT;
        const vt_range_t one[]   = { { b, b + 3 * P, VT_RW } };
        const vt_range_t three[] = { { b, b + P, VT_RW }, { b + P, b + 2 * P, PROT_READ },
                                     { b + 2 * P, b + 3 * P, VT_RW } };
        const vt_range_t two[]   = { { b, b + P, VT_RW }, { b + 2 * P, b + 3 * P, VT_RW } };

        vt_expect_vsl(t, &p->vmm, one, 1, "after mmap");
        rc = vmm_handle_fault(&p->vmm, b + P, VT_WRITE);
        KTEST_EXPECT(t, rc == 0, "write fault returned %d", rc);
        rc = vmm_mprotect(&p->vmm, b + P, P, PROT_READ);
        KTEST_EXPECT(t, rc == 0, "mprotect(PROT_READ) returned %d", rc);
        vt_expect_vsl(t, &p->vmm, three, 3, "after mprotect of the middle");
        KTEST_EXPECT(t, (vt_pte(local_cxy(), p, mid, &ppn) & (GPT_MAPPED | GPT_WRITABLE)) ==
                     GPT_MAPPED, "the middle PTE is 0x%x after mprotect(PROT_READ)",
                     vt_pte(local_cxy(), p, mid, &ppn));
        rc = vmm_mprotect(&p->vmm, b + P, P, VT_RW);
        KTEST_EXPECT(t, rc == 0, "mprotect(PROT_READ | PROT_WRITE) returned %d", rc);
        vt_expect_vsl(t, &p->vmm, one, 1, "after mprotect back");
        KTEST_EXPECT(t, vt_pte(local_cxy(), p, mid, &ppn) & GPT_WRITABLE,
                     "the middle PTE is 0x%x after mprotect back", vt_pte(local_cxy(), p, mid,
                                                                          &ppn));
        rc = vmm_munmap(&p->vmm, b + P, P);
        KTEST_EXPECT(t, rc == 0, "munmap returned %d", rc);
        vt_expect_vsl(t, &p->vmm, two, 2, "after munmap of the middle");
        KTEST_EXPECT(t, !(vt_pte(local_cxy(), p, mid, &ppn) & GPT_MAPPED) && p->vmm.pages == 0,
                     "after munmap: middle PTE 0x%x, %u pages mapped",
                     vt_pte(local_cxy(), p, mid, &ppn), p->vmm.pages);
    }
    vt_process_free(p);
    KTEST_EXPECT(t, ppm_free_count(local_cxy()) == before, "%lu free pages, %lu before",
                 ppm_free_count(local_cxy()), before);
}

/*
 * The fork counter of a user page: a new page (zeroed, or a copy of
 * another) has no other sharer; each page_share adds one; each release
 * takes one, and only the release of the last sharer frees the page.
 */
static void vmm_page_fork_counter(ktest_t *t)
{
    uint32_t cxy = local_cxy();
    uint64_t before = ppm_free_count(cxy), free;
    page_t *page = page_user_alloc(NULL), *copy;
    uint64_t *w;

    KTEST_EXPECT(t, page != NULL, "no page");
    if (page == NULL)
        return;
    w = ppm_page_to_virt(page);
    KTEST_EXPECT(t, page->forks == 0 && !page_shared(page) && w[0] == 0 && w[P / 8 - 1] == 0,
                 "new page: forks %u, words 0x%lx 0x%lx", page->forks, w[0], w[P / 8 - 1]);
    w[0] = 0x0123456789abcdefull;
    w[P / 8 - 1] = 0xfedcba9876543210ull;
    copy = page_user_alloc(page);
    KTEST_EXPECT(t, copy != NULL, "no page for the copy");
    if (copy) {
        uint64_t *c = ppm_page_to_virt(copy);

        KTEST_EXPECT(t, copy->forks == 0 && c[0] == w[0] && c[P / 8 - 1] == w[P / 8 - 1],
                     "copy: forks %u, words 0x%lx 0x%lx", copy->forks, c[0], c[P / 8 - 1]);
        page_release(copy);                    /* its only sharer: freed */
    }
    page_share(page);
    page_share(page);
    if (page->forks != 2 || !page_shared(page)) {
        ktest_fail(t, "forks %u after two shares", page->forks);
        page->forks = 0;                       /* one release frees it */
        page_release(page);
        return;
    }
    free = ppm_free_count(cxy);
    page_release(page);
    KTEST_EXPECT(t, page->forks == 1 && page_shared(page), "forks %u after a release",
                 page->forks);
    page_pte_release(GPT_MAPPED | GPT_USER | GPT_WRITABLE, ppm_page_to_phys(page) >> PAGE_SHIFT);
    KTEST_EXPECT(t, page->forks == 0 && !page_shared(page), "forks %u after a PTE release",
                 page->forks);
    KTEST_EXPECT(t, ppm_free_count(cxy) == free, "a page was freed while shared");
    page_release(page);                        /* the last sharer */
    KTEST_EXPECT(t, ppm_free_count(cxy) == free + 1, "the last release did not free the page "
                 "(%lu free pages, %lu before)", ppm_free_count(cxy), free);
    KTEST_EXPECT(t, ppm_free_count(cxy) == before, "%lu free pages, %lu before",
                 ppm_free_count(cxy), before);
}

/* The PTE of @vpn in @p (cluster @cxy) is COW, read-only, to @ppn. */
static bool vt_is_cow(uint32_t cxy, process_t *p, uint64_t vpn, uint64_t ppn)
{
    uint64_t got;
    uint32_t attr = vt_pte(cxy, p, vpn, &got);

    return (attr & (GPT_MAPPED | GPT_COW | GPT_WRITABLE)) == (GPT_MAPPED | GPT_COW) && got == ppn;
}

/* The PTE of @vpn in @p (cluster @cxy) is writable, not COW: its page in *@ppn. */
static bool vt_is_writable(uint32_t cxy, process_t *p, uint64_t vpn, uint64_t *ppn)
{
    uint32_t attr = vt_pte(cxy, p, vpn, ppn);

    return (attr & (GPT_MAPPED | GPT_COW | GPT_WRITABLE)) == (GPT_MAPPED | GPT_WRITABLE);
}

#define VT_MARK 0xc0c0c0c0c0c0c000ull      /* + page index: the first word of each page */

/*
 * The rounds of vmm_cow_two_copies on the two pages at @a, mapped by the
 * reference @r (here) and its copy @c (cluster @cc); @k receives the fork.
 */
static void vt_cow_rounds(ktest_t *t, process_t *r, process_t *c, uint32_t cc, process_t *k,
                          uint64_t a)
{
    uint32_t here = local_cxy();
    uint64_t vpn = a >> PAGE_SHIFT, old[2], ppn, rppn;
    int64_t rc;

    for (uint32_t i = 0; i < 2; i++) {
        rc = vmm_handle_fault(&r->vmm, a + i * P, VT_WRITE);
        if (rc != 0 || !vt_is_writable(here, r, vpn + i, &old[i])) {
            ktest_fail(t, "page %u: write fault in the reference returned %ld", i, rc);
            return;
        }
        *(uint64_t *)phys_to_virt(old[i] << PAGE_SHIFT) = VT_MARK + i;
        rc = vt_run(t, cc, VT_FAULT, (uint64_t)c, a + i * P, VT_READ);
        vt_pte(cc, c, vpn + i, &ppn);
        KTEST_EXPECT(t, rc == 0 && ppn == old[i], "page %u: read fault in the copy returned "
                     "%ld, it maps 0x%lx, the reference 0x%lx", i, rc, ppn, old[i]);
    }

    /* fork: the child shares both pages, then every copy of the parent marks them COW */
    rc = vmm_fork_copy(&k->vmm, XPTR(here, &r->vmm));
    KTEST_EXPECT(t, rc == 0, "vmm_fork_copy returned %ld", rc);
    vmm_set_cow(&r->vmm);
    for (uint32_t i = 0; i < 2; i++) {
        KTEST_EXPECT(t, vt_forks(old[i]) == 1, "page %u: forks %u after fork", i,
                     vt_forks(old[i]));
        KTEST_EXPECT(t, vt_is_cow(here, r, vpn + i, old[i]) && vt_is_cow(cc, c, vpn + i, old[i])
                     && vt_is_cow(here, k, vpn + i, old[i]),
                     "page %u: COW after fork: reference %d, copy %d, child %d", i,
                     vt_is_cow(here, r, vpn + i, old[i]), vt_is_cow(cc, c, vpn + i, old[i]),
                     vt_is_cow(here, k, vpn + i, old[i]));
    }

    /* page 0: the reference writes; the copy's PTE must go */
    rc = vmm_handle_fault(&r->vmm, a, VT_WRITE | VMM_FAULT_PRESENT);
    KTEST_EXPECT(t, rc == 0 && vt_is_writable(here, r, vpn, &rppn) && rppn != old[0] &&
                 *(uint64_t *)phys_to_virt(rppn << PAGE_SHIFT) == VT_MARK,
                 "page 0: the reference's COW returned %ld, it maps 0x%lx (old 0x%lx)", rc,
                 rppn, old[0]);
    KTEST_EXPECT(t, !(vt_pte(cc, c, vpn, &ppn) & GPT_MAPPED), "page 0: the copy still maps "
                 "0x%lx after the reference's COW", ppn);
    KTEST_EXPECT(t, vt_forks(old[0]) == 0, "page 0: forks %u after COW", vt_forks(old[0]));

    /* page 1: the copy writes; the new page is in its cluster, in both GPTs */
    rc = vt_run(t, cc, VT_FAULT, (uint64_t)c, a + P, VT_WRITE | VMM_FAULT_PRESENT);
    KTEST_EXPECT(t, rc == 0 && vt_is_writable(here, r, vpn + 1, &rppn) && rppn != old[1] &&
                 ppm_phys_to_page(rppn << PAGE_SHIFT)->cxy == cc &&
                 hal_remote_l64(XPTR(cc, phys_to_virt(rppn << PAGE_SHIFT))) == VT_MARK + 1,
                 "page 1: the copy's COW returned %ld, the reference maps 0x%lx (old 0x%lx)",
                 rc, rppn, old[1]);
    KTEST_EXPECT(t, vt_is_writable(cc, c, vpn + 1, &ppn) && ppn == rppn,
                 "page 1: the copy maps 0x%lx, the reference 0x%lx", ppn, rppn);
    KTEST_EXPECT(t, vt_forks(old[1]) == 0, "page 1: forks %u after COW", vt_forks(old[1]));
    KTEST_EXPECT(t, hal_remote_l64(XPTR(cc, &c->vmm.faults[TRACE_FAULT_COW])) == 1 &&
                 r->vmm.faults[TRACE_FAULT_COW] == 1,
                 "COW faults: %lu in the copy, %lu in the reference",
                 hal_remote_l64(XPTR(cc, &c->vmm.faults[TRACE_FAULT_COW])),
                 r->vmm.faults[TRACE_FAULT_COW]);

    /* the child is now the only sharer of the old pages: it writes them in place */
    for (uint32_t i = 0; i < 2; i++) {
        rc = vmm_handle_fault(&k->vmm, a + i * P, VT_WRITE | VMM_FAULT_PRESENT);
        KTEST_EXPECT(t, rc == 0 && vt_is_writable(here, k, vpn + i, &ppn) && ppn == old[i],
                     "page %u: the child's COW returned %ld, it maps 0x%lx (old 0x%lx)", i,
                     rc, ppn, old[i]);
    }
}

/*
 * A COW round over two copies of a process: the reference R (here) and a
 * copy C in another cluster both map two private pages; a fork (vmm_fork_copy
 * into a child K) shares them and vmm_set_cow write-protects them in R and
 * in C. A write by R to page 0 takes a private copy: R's PTE changes, C's
 * is removed, the old page loses its sharer. A write by C to page 1 copies
 * it into C's cluster: R's and C's PTEs both name the new page. The child,
 * now the pages' only sharer, writes them in place.
 */
static void vmm_cow_two_copies(ktest_t *t)
{
    uint32_t here = local_cxy(), cc = vt_copy_cluster();
    uint64_t before = ppm_free_count(here);
    process_t *r = vt_process_new(), *k = vt_process_new(), *c = NULL;
    int64_t a = -1;

    KTEST_EXPECT(t, r != NULL && k != NULL, "no memory for the processes");
    if (r && k)
        a = vmm_mmap(&r->vmm, 0, 2 * P, VT_RW, 0, NULL, 0);
    KTEST_EXPECT(t, a > 0, "mmap returned %ld", a);
    if (a > 0) {
        int64_t got = vt_run(t, cc, VT_COPY_NEW, XPTR(here, r), 0, 0);

        c = got == INT64_MIN ? NULL : (process_t *)got;
        KTEST_EXPECT(t, c != NULL, "no copy in cluster %u", cc);
    }
    if (c) {
        vt_cow_rounds(t, r, c, cc, k, (uint64_t)a);
        vt_run(t, cc, VT_COPY_DROP, (uint64_t)c, 0, 0);
    }
    if (k)
        vt_process_free(k);
    if (r)
        vt_process_free(r);
    if (cc != here)                            /* else the workers' stacks are still here */
        KTEST_EXPECT(t, ppm_free_count(here) == before, "%lu free pages, %lu before",
                     ppm_free_count(here), before);
}

static const ktest_case_t vmm_cases[] = {
    { "vsl_split_merge",  KTEST_ON_BSP, vmm_vsl_split_merge },
    { "page_fork_counter", KTEST_ON_BSP, vmm_page_fork_counter },
    { "cow_two_copies",   KTEST_ON_BSP, vmm_cow_two_copies },
};
static const ktest_suite_t vmm_suite = { "vmm", KTEST_CASES(vmm_cases) };
KTEST_SUITE(vmm_suite);
