/*
 * vmm.c - virtual memory of process copies (see vmm.h).
 */
#include "vmm.h"
#include "vfs.h"
#include "ppm.h"
#include "kcm.h"
#include "cpu.h"
#include "core.h"
#include "kstring.h"
#include "kerrno.h"
#include "printk.h"
#include "hal_user.h"

#define VPN(a)       ((a) >> PAGE_SHIFT)
#define PAGE_UP(a)   (((a) + PAGE_SIZE - 1) & PAGE_MASK)

static const char *const vseg_names[VSEG_TYPES] = {
    "CODE", "DATA", "HEAP", "STACK", "ANON", "FILE", "REMOTE",
};

const char *vseg_type_name(vseg_type_t type)
{
    return type < VSEG_TYPES ? vseg_names[type] : "?";
}

/* A vmm_t lives in its copy's cluster, the one that holds its GPT. */
static xptr_t vsl_root(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->vsl_root); }
static xptr_t vsl_lock(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->vsl_lock); }
static xptr_t gpt_lock(vmm_t *vmm)   { return XPTR(vmm->gpt.cxy, &vmm->gpt_lock); }
static xptr_t gpt_xp(vmm_t *vmm)     { return XPTR(vmm->gpt.cxy, &vmm->gpt); }

/* The vseg whose VSL link is @it. */
static vseg_t *vseg_of(xptr_t it)
{
    return GET_PTR(XLIST_ELEMENT(it, vseg_t, list));
}

/* ---- page ownership ---------------------------------------------------------------- */

/* A zeroed page for a user mapping, in the calling cluster. */
static page_t *vmm_page_alloc(void)
{
    page_t *page = ppm_alloc_pages(0);

    if (page == NULL)
        return NULL;
    page->forks = 0;
    memset(ppm_page_to_virt(page), 0, PAGE_SIZE);
    return page;
}

/*
 * Drops one sharer of a private page (any cluster): the fork counter goes
 * down while others share it; the last sharer frees it in its cluster.
 */
static void vmm_page_release(page_t *page)
{
    xptr_t forks = XPTR(page->cxy, &page->forks);

    for (;;) {
        uint32_t n = hal_remote_l32(forks);

        if (n == 0) {
            ppm_free_any(page);
            return;
        }
        if (hal_remote_cas(forks, n, n - 1))
            return;
    }
}

/* Releases the page of a PTE: a sharer of a private page, or a mapping reference on a file page. */
static void vmm_pte_release(uint32_t attr, uint64_t ppn)
{
    page_t *page = ppm_phys_to_page(ppn << PAGE_SHIFT);

    if (attr & GPT_FILE)
        vfs_page_put(page);
    else
        vmm_page_release(page);
}

/* Flushes what a PTE change owes: the calling core only, as a process runs on one core here. */
static void vmm_flush(vmm_t *vmm, tlb_flush_t flush)
{
    (void)vmm;
    hal_tlb_flush_local(flush);
}

/* ---- VSL --------------------------------------------------------------------------- */

int vmm_init(vmm_t *vmm)
{
    int rc;

    memset(vmm, 0, sizeof(*vmm));
    rc = hal_gpt_create(&vmm->gpt);      /* sets gpt.cxy: the cluster of this copy */
    if (rc)
        return rc;
    remote_rwlock_init(vsl_lock(vmm), "vsl", RANK_VSL);
    xlist_root_init(vsl_root(vmm));
    remote_queuelock_init(gpt_lock(vmm), "gpt", RANK_GPT);
    vmm->mmap_top = USER_MMAP_TOP;
    return 0;
}

/* The vseg containing @addr, or NULL. Caller holds the VSL lock. */
static vseg_t *vmm_find_locked(vmm_t *vmm, uint64_t addr)
{
    xptr_t it;

    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);

        if (addr < v->min)
            return NULL;
        if (addr < v->max)
            return v;
    }
    return NULL;
}

/* True when [min, max) meets no vseg. Caller holds the VSL lock. */
static bool vmm_range_free(vmm_t *vmm, uint64_t min, uint64_t max)
{
    xptr_t it;

    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);

        if (v->min < max && min < v->max)
            return false;
    }
    return true;
}

/* Inserts @v in address order. Caller holds the VSL lock for writing. */
static void vmm_insert_locked(vmm_t *vmm, vseg_t *v)
{
    xptr_t it;

    XLIST_FOREACH(vsl_root(vmm), it) {
        if (vseg_of(it)->min > v->min) {
            /* before @it: add after its predecessor */
            xlist_entry_t *e = GET_PTR(it);
            xlist_add_first(e->pred, XPTR(local_cxy(), &v->list));
            vmm->vsegs++;
            return;
        }
    }
    xlist_add_last(vsl_root(vmm), XPTR(local_cxy(), &v->list));
    vmm->vsegs++;
}

static vseg_t *vseg_new(vseg_type_t type, uint64_t min, uint64_t max, uint32_t prot,
                        struct vfs_inode_s *file, uint64_t file_off, uint64_t file_bytes)
{
    vseg_t *v = kmem_alloc(sizeof(*v));

    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof(*v));
    v->type       = type;
    v->min        = min;
    v->max        = max;
    v->prot       = prot;
    v->cxy        = local_cxy();
    v->file       = file ? vfs_inode_get(file) : NULL;
    v->file_off   = file_off;
    v->file_bytes = file_bytes;
    return v;
}

static void vseg_free(vseg_t *v)
{
    if (v->file)
        vfs_inode_put(v->file);
    kmem_free(v);
}

vseg_t *vmm_add_vseg(vmm_t *vmm, vseg_type_t type, uint64_t min, uint64_t max, uint32_t prot,
                     struct vfs_inode_s *file, uint64_t file_off, uint64_t file_bytes, int *err)
{
    vseg_t *v;

    if (min >= max || (min | max) & ~PAGE_MASK || max > USER_END) {
        *err = -EINVAL;
        return NULL;
    }
    v = vseg_new(type, min, max, prot, file, file_off, file_bytes);
    if (v == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    if (!vmm_range_free(vmm, min, max)) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        vseg_free(v);
        *err = -EEXIST;
        return NULL;
    }
    vmm_insert_locked(vmm, v);
    remote_rwlock_wr_release(vsl_lock(vmm));
    *err = 0;
    return v;
}

/* Unmaps and releases the pages of [min, max) in the GPT. Caller holds the GPT lock. */
static tlb_flush_t vmm_unmap_range_locked(vmm_t *vmm, uint64_t min, uint64_t max)
{
    tlb_flush_t flush = TLB_FLUSH_NONE;
    uint64_t vpn = VPN(min), found, ppn;
    uint32_t attr;

    while (hal_gpt_next(gpt_xp(vmm), vpn, VPN(max), &found, &attr, &ppn)) {
        flush = tlb_flush_merge(flush, hal_gpt_unmap(gpt_xp(vmm), found));
        vmm_pte_release(attr, ppn);
        vmm->pages--;
        vpn = found + 1;
    }
    return flush;
}

void vmm_clear(vmm_t *vmm)
{
    tlb_flush_t flush = TLB_FLUSH_NONE;
    xptr_t it;

    remote_rwlock_wr_acquire(vsl_lock(vmm));
    remote_queuelock_acquire(gpt_lock(vmm));
    while ((it = xlist_first(vsl_root(vmm))) != XPTR_NULL) {
        vseg_t *v = vseg_of(it);

        flush = tlb_flush_merge(flush, vmm_unmap_range_locked(vmm, v->min, v->max));
        xlist_unlink(it);
        vmm->vsegs--;
        vseg_free(v);
    }
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_wr_release(vsl_lock(vmm));
    vmm_flush(vmm, flush);
    vmm->heap_start = vmm->brk = 0;
    vmm->stack_min = vmm->stack_max = 0;
    vmm->mmap_top = USER_MMAP_TOP;
}

void vmm_destroy(vmm_t *vmm)
{
    vmm_clear(vmm);
    hal_gpt_destroy(&vmm->gpt);
}

/* ---- page faults ----------------------------------------------------------------- */

static uint32_t vseg_attr(const vseg_t *v)
{
    uint32_t attr = GPT_MAPPED | GPT_USER;

    if (v->prot & PROT_WRITE)
        attr |= GPT_WRITABLE;
    if (v->prot & PROT_EXEC)
        attr |= GPT_EXEC;
    if (v->prot == PROT_NONE)
        attr &= ~GPT_USER;           /* present for the kernel only: user accesses fault */
    return attr;
}

/* Copies the file bytes a page of @v shows into @dst (zero beyond the file part). */
static void vseg_fill_from_file(const vseg_t *v, uint64_t vpn, void *dst)
{
    uint64_t off = (vpn << PAGE_SHIFT) - v->min;       /* bytes into the vseg */
    uint64_t n;
    page_t *fp;

    if (off >= v->file_bytes)
        return;
    n = v->file_bytes - off;
    if (n > PAGE_SIZE)
        n = PAGE_SIZE;
    fp = vfs_inode_page_get(v->file, (v->file_off + off) >> PAGE_SHIFT);
    if (fp) {
        hal_remote_memcpy(XPTR(local_cxy(), dst), XPTR(fp->cxy, ppm_page_to_virt(fp)), n);
        vfs_page_put(fp);
    }
}

/* A new page for @vpn of @v; *attr gets the PTE attributes. Caller holds the GPT lock. */
static int vmm_populate(vmm_t *vmm, vseg_t *v, uint64_t vpn)
{
    uint32_t attr = vseg_attr(v);
    page_t *page;

    if (v->type == VSEG_CODE) {
        uint64_t off = (vpn << PAGE_SHIFT) - v->min;
        page_t *fp = off < v->file_bytes ?
                     vfs_inode_page_get(v->file, (v->file_off + off) >> PAGE_SHIFT) : NULL;

        if (fp && fp->cxy == local_cxy()) {
            /* the file's own page is in this cluster: map it, shared; the mapping keeps the reference */
            if (hal_gpt_map(&vmm->gpt, vpn, attr | GPT_FILE, ppm_page_to_phys(fp) >> PAGE_SHIFT)) {
                vfs_page_put(fp);
                return -ENOMEM;
            }
            vmm->pages++;
            return 0;
        }
        if (fp)
            vfs_page_put(fp);
        /* else a replica in this cluster, private to this copy (invariant 3) */
    }
    page = vmm_page_alloc();
    if (page == NULL)
        return -ENOMEM;
    if (v->file)
        vseg_fill_from_file(v, vpn, ppm_page_to_virt(page));
    if (hal_gpt_map(&vmm->gpt, vpn, attr, ppm_page_to_phys(page) >> PAGE_SHIFT)) {
        ppm_free_pages(page);
        return -ENOMEM;
    }
    vmm->pages++;
    return 0;
}

int vmm_handle_cow(vmm_t *vmm, uint64_t vpn, uint32_t attr, uint64_t ppn)
{
    page_t *old = ppm_phys_to_page(ppn << PAGE_SHIFT);
    uint32_t new_attr = (attr | GPT_WRITABLE) & ~(GPT_COW | GPT_FILE);
    tlb_flush_t flush;

    vmm->faults_cow++;
    if (!(attr & GPT_FILE) && hal_remote_l32(XPTR(old->cxy, &old->forks)) == 0) {
        /* nobody shares it any more: take it back in place */
        flush = hal_gpt_update(gpt_xp(vmm), vpn, new_attr, ppn);
        vmm_flush(vmm, flush);
        return 0;
    }
    page_t *page = ppm_alloc_pages(0);

    if (page == NULL)
        return -ENOMEM;
    page->forks = 0;
    hal_remote_memcpy(XPTR(local_cxy(), ppm_page_to_virt(page)),
                      XPTR(old->cxy, ppm_page_to_virt(old)), PAGE_SIZE);
    flush = hal_gpt_update(gpt_xp(vmm), vpn, new_attr, ppm_page_to_phys(page) >> PAGE_SHIFT);
    vmm_flush(vmm, flush);
    vmm_pte_release(attr, ppn);          /* after the copy: the last sharer may free it */
    return 0;
}

int vmm_handle_fault(vmm_t *vmm, uint64_t vaddr, uint32_t error)
{
    uint64_t vpn = VPN(vaddr), ppn;
    uint32_t attr;
    vseg_t *v;
    int rc = 0;

    if (vaddr >= USER_END)
        return -EFAULT;
    remote_rwlock_rd_acquire(vsl_lock(vmm));
    v = vmm_find_locked(vmm, vaddr);
    if (v == NULL ||
        ((error & VMM_FAULT_WRITE) && !(v->prot & PROT_WRITE)) ||
        ((error & VMM_FAULT_EXEC) && !(v->prot & PROT_EXEC)) ||
        v->prot == PROT_NONE) {
        remote_rwlock_rd_release(vsl_lock(vmm));
        return -EFAULT;
    }
    remote_queuelock_acquire(gpt_lock(vmm));
    attr = hal_gpt_get(gpt_xp(vmm), vpn, &ppn);
    if (!(attr & GPT_MAPPED)) {
        rc = vmm_populate(vmm, v, vpn);
        if (rc == 0)
            vmm->faults_local++;
    } else if ((error & VMM_FAULT_WRITE) && (attr & GPT_COW)) {
        rc = vmm_handle_cow(vmm, vpn, attr, ppn);
    } else if ((error & VMM_FAULT_WRITE) && !(attr & GPT_WRITABLE)) {
        rc = -EFAULT;                    /* a read-only mapping of a writable vseg: cannot happen */
    } else {
        vmm->faults_false++;             /* already allowed: another thread or a stale TLB entry */
        hal_tlb_flush_local((tlb_flush_t){ vpn, vpn });
    }
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_rd_release(vsl_lock(vmm));
    return rc;
}

int vmm_copy_to(vmm_t *vmm, uint64_t uaddr, const void *src, size_t len)
{
    const char *s = src;

    if (!hal_user_range_ok(uaddr, len))
        return -EFAULT;
    while (len) {
        uint64_t off = uaddr & ~PAGE_MASK, n = PAGE_SIZE - off, ppn;
        uint32_t attr;
        int rc;

        if (n > len)
            n = len;
        attr = hal_gpt_get(gpt_xp(vmm), VPN(uaddr), &ppn);
        if (!(attr & GPT_WRITABLE)) {
            rc = vmm_handle_fault(vmm, uaddr, VMM_FAULT_WRITE | VMM_FAULT_USER |
                                  ((attr & GPT_MAPPED) ? VMM_FAULT_PRESENT : 0));
            if (rc)
                return rc;
            attr = hal_gpt_get(gpt_xp(vmm), VPN(uaddr), &ppn);
        }
        memcpy((char *)phys_to_virt(ppn << PAGE_SHIFT) + off, s, n);
        s += n;
        uaddr += n;
        len -= n;
    }
    return 0;
}

bool vmm_range_accessible(vmm_t *vmm, uint64_t addr, uint64_t len, bool write)
{
    uint64_t end = addr + len;
    bool ok = true;

    if (!hal_user_range_ok(addr, len))
        return false;
    remote_rwlock_rd_acquire(vsl_lock(vmm));
    while (addr < end) {
        vseg_t *v = vmm_find_locked(vmm, addr);

        if (v == NULL || !(v->prot & (write ? PROT_WRITE : PROT_READ))) {
            ok = false;
            break;
        }
        addr = v->max;
    }
    remote_rwlock_rd_release(vsl_lock(vmm));
    return ok;
}

/* ---- fork ------------------------------------------------------------------------- */

int vmm_fork_copy(vmm_t *child, xptr_t parent_xp)
{
    uint32_t pcxy = GET_CXY(parent_xp);
    vmm_t *parent = GET_PTR(parent_xp);
    xptr_t p_root = XPTR(pcxy, &parent->vsl_root);
    xptr_t p_lock = XPTR(pcxy, &parent->vsl_lock);
    xptr_t p_gpt_lock = XPTR(pcxy, &parent->gpt_lock);
    xptr_t p_gpt;
    xptr_t it;
    int rc = 0;

    remote_rwlock_rd_acquire(p_lock);
    remote_queuelock_acquire(p_gpt_lock);
    p_gpt = XPTR(pcxy, &parent->gpt);
    XLIST_FOREACH(p_root, it) {
        vseg_t pv, *v;
        uint64_t vpn, found, ppn;
        uint32_t attr;

        hal_remote_memcpy(XPTR(local_cxy(), &pv), XPTR(pcxy, vseg_of(it)), sizeof(pv));
        v = vseg_new(pv.type, pv.min, pv.max, pv.prot, pv.file, pv.file_off, pv.file_bytes);
        if (v == NULL) {
            rc = -ENOMEM;
            break;
        }
        v->cxy = pv.cxy;
        remote_rwlock_wr_acquire(vsl_lock(child));
        vmm_insert_locked(child, v);
        remote_rwlock_wr_release(vsl_lock(child));
        if (pv.type == VSEG_CODE)
            continue;                    /* replicated on fault in the child's cluster */
        remote_queuelock_acquire(gpt_lock(child));
        for (vpn = VPN(pv.min); hal_gpt_next(p_gpt, vpn, VPN(pv.max), &found, &attr, &ppn);
             vpn = found + 1) {
            uint32_t cattr = (attr & ~(GPT_WRITABLE | GPT_ACCESSED | GPT_DIRTY)) | GPT_COW;
            page_t *page;

            if (attr & GPT_FILE)
                continue;
            if (hal_gpt_map(&child->gpt, found, cattr, ppn)) {
                rc = -ENOMEM;
                break;
            }
            page = ppm_phys_to_page(ppn << PAGE_SHIFT);
            hal_remote_atomic_add(XPTR(page->cxy, &page->forks), 1);
            child->pages++;
        }
        remote_queuelock_release(gpt_lock(child));
        if (rc)
            break;
    }
    if (rc == 0) {
        child->heap_start = hal_remote_l64(XPTR(pcxy, &parent->heap_start));
        child->brk        = hal_remote_l64(XPTR(pcxy, &parent->brk));
        child->stack_min  = hal_remote_l64(XPTR(pcxy, &parent->stack_min));
        child->stack_max  = hal_remote_l64(XPTR(pcxy, &parent->stack_max));
        child->mmap_top   = hal_remote_l64(XPTR(pcxy, &parent->mmap_top));
    }
    remote_queuelock_release(p_gpt_lock);
    remote_rwlock_rd_release(p_lock);
    if (rc)
        vmm_clear(child);                /* gives back every fork count it took */
    return rc;
}

void vmm_set_cow(vmm_t *vmm)
{
    tlb_flush_t flush = TLB_FLUSH_NONE;
    xptr_t it;

    remote_rwlock_rd_acquire(vsl_lock(vmm));
    remote_queuelock_acquire(gpt_lock(vmm));
    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);
        uint64_t vpn, found, ppn;
        uint32_t attr;

        if (v->type == VSEG_CODE)
            continue;
        for (vpn = VPN(v->min); hal_gpt_next(gpt_xp(vmm), vpn, VPN(v->max), &found, &attr, &ppn);
             vpn = found + 1) {
            if ((attr & GPT_FILE) || (attr & GPT_COW))
                continue;
            flush = tlb_flush_merge(flush, hal_gpt_update(gpt_xp(vmm), found,
                                                          (attr & ~GPT_WRITABLE) | GPT_COW, ppn));
        }
    }
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_rd_release(vsl_lock(vmm));
    vmm_flush(vmm, flush);
}

/* ---- mmap, munmap, mprotect, brk --------------------------------------------------- */

/*
 * Cuts the vsegs so that none straddles @addr. Caller holds the VSL lock
 * for writing. @return 0 or -ENOMEM.
 */
static int vmm_split_at(vmm_t *vmm, uint64_t addr)
{
    vseg_t *v = vmm_find_locked(vmm, addr), *tail;
    uint64_t cut;

    if (v == NULL || v->min == addr)
        return 0;
    cut = addr - v->min;
    tail = vseg_new(v->type, addr, v->max, v->prot, v->file, v->file_off + cut,
                    v->file_bytes > cut ? v->file_bytes - cut : 0);
    if (tail == NULL)
        return -ENOMEM;
    tail->cxy = v->cxy;
    v->max = addr;
    if (v->file_bytes > cut)
        v->file_bytes = cut;
    vmm_insert_locked(vmm, tail);
    return 0;
}

int vmm_munmap(vmm_t *vmm, uint64_t addr, uint64_t len)
{
    tlb_flush_t flush = TLB_FLUSH_NONE;
    uint64_t end;
    xptr_t it, next;
    int rc;

    if ((addr & ~PAGE_MASK) || len == 0 || !hal_user_range_ok(addr, len))
        return -EINVAL;
    end = PAGE_UP(addr + len);
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    rc = vmm_split_at(vmm, addr);
    if (rc == 0)
        rc = vmm_split_at(vmm, end);
    if (rc) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        return rc;
    }
    remote_queuelock_acquire(gpt_lock(vmm));
    for (it = xlist_first(vsl_root(vmm)); it != XPTR_NULL; it = next) {
        vseg_t *v = vseg_of(it);

        next = xlist_next(vsl_root(vmm), it);
        if (v->min >= addr && v->max <= end) {
            flush = tlb_flush_merge(flush, vmm_unmap_range_locked(vmm, v->min, v->max));
            xlist_unlink(it);
            vmm->vsegs--;
            vseg_free(v);
        }
    }
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_wr_release(vsl_lock(vmm));
    vmm_flush(vmm, flush);
    return 0;
}

int vmm_mprotect(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot)
{
    tlb_flush_t flush = TLB_FLUSH_NONE;
    uint64_t end, a;
    xptr_t it;
    int rc;

    if ((addr & ~PAGE_MASK) || !hal_user_range_ok(addr, len) || (prot & ~7u))
        return -EINVAL;
    if (len == 0)
        return 0;
    end = PAGE_UP(addr + len);
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    for (a = addr; a < end; ) {                  /* every page must belong to a vseg */
        vseg_t *v = vmm_find_locked(vmm, a);

        if (v == NULL) {
            remote_rwlock_wr_release(vsl_lock(vmm));
            return -ENOMEM;
        }
        a = v->max;
    }
    rc = vmm_split_at(vmm, addr);
    if (rc == 0)
        rc = vmm_split_at(vmm, end);
    if (rc) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        return rc;
    }
    remote_queuelock_acquire(gpt_lock(vmm));
    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);
        uint64_t vpn, found, ppn;
        uint32_t attr, base;

        if (v->min < addr || v->max > end)
            continue;
        v->prot = prot;
        base = vseg_attr(v);
        for (vpn = VPN(v->min); hal_gpt_next(gpt_xp(vmm), vpn, VPN(v->max), &found, &attr, &ppn);
             vpn = found + 1) {
            uint32_t keep = attr & (GPT_COW | GPT_FILE | GPT_ACCESSED | GPT_DIRTY);
            uint32_t nattr = base | keep;

            if (keep & (GPT_COW | GPT_FILE))
                nattr &= ~GPT_WRITABLE;          /* the write fault copies first */
            flush = tlb_flush_merge(flush, hal_gpt_update(gpt_xp(vmm), found, nattr, ppn));
        }
    }
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_wr_release(vsl_lock(vmm));
    vmm_flush(vmm, flush);
    return 0;
}

/* Highest free range of @len bytes below @top, or 0. Caller holds the VSL lock. */
static uint64_t vmm_find_hole(vmm_t *vmm, uint64_t len, uint64_t top)
{
    uint64_t candidate = top - len;

    /* walk down: any vseg overlapping the candidate pushes it below that vseg */
    for (;;) {
        xptr_t it;
        bool moved = false;

        if (candidate < PAGE_SIZE * 16 || candidate > top)
            return 0;
        XLIST_FOREACH(vsl_root(vmm), it) {
            vseg_t *v = vseg_of(it);

            if (v->min < candidate + len && candidate < v->max) {
                if (v->min < len)
                    return 0;
                candidate = v->min - len;
                moved = true;
            }
        }
        if (!moved)
            return candidate;
    }
}

int64_t vmm_mmap(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
                 struct vfs_inode_s *file, uint64_t off)
{
    uint64_t size = PAGE_UP(len), where = 0;
    uint64_t file_bytes = 0;
    vseg_t *v;

    if (len == 0 || size < len || (off & ~PAGE_MASK) || (addr & ~PAGE_MASK) || (prot & ~7u))
        return -EINVAL;
    if (fixed) {
        if (!hal_user_range_ok(addr, size) || addr < PAGE_SIZE)
            return -EINVAL;
        int rc = vmm_munmap(vmm, addr, size);
        if (rc)
            return rc;
        where = addr;
    }
    if (file) {
        uint64_t fsize = vfs_inode_size(file);

        file_bytes = off < fsize ? fsize - off : 0;
    }
    v = vseg_new(file ? VSEG_FILE : VSEG_ANON, 0, 0, prot, file, off, file_bytes);
    if (v == NULL)
        return -ENOMEM;
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    if (!fixed) {
        if (addr && hal_user_range_ok(addr, size) && addr >= PAGE_SIZE * 16 &&
            vmm_range_free(vmm, addr, addr + size))
            where = addr;                /* the hint is free: Linux takes it */
        else
            where = vmm_find_hole(vmm, size, vmm->mmap_top);
    } else if (!vmm_range_free(vmm, where, where + size)) {
        where = 0;                       /* raced with another mapping */
    }
    if (where == 0) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        vseg_free(v);
        return -ENOMEM;
    }
    v->min = where;
    v->max = where + size;
    vmm_insert_locked(vmm, v);
    remote_rwlock_wr_release(vsl_lock(vmm));
    return (int64_t)where;
}

uint64_t vmm_brk(vmm_t *vmm, uint64_t addr)
{
    uint64_t old_end = PAGE_UP(vmm->brk), new_end = PAGE_UP(addr);
    vseg_t *heap;
    xptr_t it;

    if (addr < vmm->heap_start || vmm->heap_start == 0)
        return vmm->brk;
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    heap = NULL;
    XLIST_FOREACH(vsl_root(vmm), it)
        if (vseg_of(it)->type == VSEG_HEAP)
            heap = vseg_of(it);
    if (new_end > old_end) {
        if (new_end > vmm->mmap_top || !vmm_range_free(vmm, old_end, new_end)) {
            remote_rwlock_wr_release(vsl_lock(vmm));
            return vmm->brk;
        }
        if (heap == NULL) {
            heap = vseg_new(VSEG_HEAP, old_end, new_end, PROT_READ | PROT_WRITE, NULL, 0, 0);
            if (heap == NULL) {
                remote_rwlock_wr_release(vsl_lock(vmm));
                return vmm->brk;
            }
            vmm_insert_locked(vmm, heap);
        } else {
            heap->max = new_end;
        }
    } else if (new_end < old_end && heap != NULL) {
        tlb_flush_t flush;

        remote_queuelock_acquire(gpt_lock(vmm));
        flush = vmm_unmap_range_locked(vmm, new_end, old_end);
        remote_queuelock_release(gpt_lock(vmm));
        vmm_flush(vmm, flush);
        if (new_end == heap->min) {
            xlist_unlink(XPTR(local_cxy(), &heap->list));
            vmm->vsegs--;
            vseg_free(heap);
        } else {
            heap->max = new_end;
        }
    }
    vmm->brk = addr;
    remote_rwlock_wr_release(vsl_lock(vmm));
    return addr;
}

/* ---- introspection ---------------------------------------------------------------- */

int64_t vmm_format_maps(vmm_t *vmm, uint32_t ref_cxy, char *buf, size_t cap)
{
    size_t len = 0;
    xptr_t it;

    remote_rwlock_rd_acquire(vsl_lock(vmm));
    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);
        const char *path = v->type == VSEG_HEAP ? "[heap]" : v->type == VSEG_STACK ? "[stack]" : "";
        int n = snprintf(buf + len, cap - len,
                         "%012lx-%012lx %c%c%cp %08lx 00:00 0 %-20s %s cluster %u\n",
                         v->min, v->max, v->prot & PROT_READ ? 'r' : '-',
                         v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
                         v->file_off, path, vseg_type_name(v->type), ref_cxy);

        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += n;
    }
    remote_rwlock_rd_release(vsl_lock(vmm));
    return (int64_t)len;
}
