/*
 * vmm_fault.c - page faults of a process copy (see vmm.h): the fault paths
 * (private CODE, public through the reference GPT), the page a fault
 * populates, the installation of a PTE in a copy, copy on write, and the
 * user-address helpers that fault pages in or check a range.
 */
#include "vmm_internal.h"
#include "vfs.h"
#include "ppm.h"
#include "process.h"
#include "process_copy.h"     /* process_copy_vmms: the copies a COW reaches */
#include "uapi/errno.h"
#include "kstring.h"
#include "cpu.h"
#include "hal_user.h"
#include "trace.h"

/* ---- populate, install, copy on write ---------------------------------------------- */

/* Copies the file bytes a page of @v shows into the zeroed page @dst (any cluster). */
static void vseg_fill_from_file(const vseg_t *v, uint64_t vpn, page_t *dst)
{
    uint64_t off = (vpn << PAGE_SHIFT) - v->min;       /* bytes into the vseg */
    uint64_t n;
    page_t *fp;

    if (off >= v->file_bytes)
        return;
    n = v->file_bytes - off;
    if (n > PAGE_SIZE)
        n = PAGE_SIZE;
    fp = mapper_page_get(vfs_inode_mapper(v->file), (v->file_off + off) >> PAGE_SHIFT);
    if (fp) {
        hal_remote_memcpy(XPTR(dst->cxy, ppm_page_to_virt(dst)), XPTR(fp->cxy, ppm_page_to_virt(fp)),
                          n);
        mapper_page_put(fp);
    }
}

/*
 * A new page for @vpn of @v, mapped in the GPT @gpt (the local copy's, or
 * the reference's): for CODE the file's page or this cluster's replica of
 * it (mapper_page_get_local), else a page of the calling cluster, zeroed
 * or filled from the file. @pre, when not NULL, is a zeroed page of the
 * calling cluster made before the lock for a vseg without a file: it is
 * used (or freed on error) instead of a new one. Caller holds that GPT's
 * lock. *@attr / *@ppn get the PTE. @return 0 or -ENOMEM.
 */
static int vmm_populate(xptr_t gpt, vseg_t *v, uint64_t vpn, page_t *pre, uint32_t *pattr,
                        uint64_t *pppn)
{
    uint32_t attr = vseg_attr(v);
    page_t *page;

    if (v->file && v->shared) {
        /* MAP_SHARED file: the file's own page, the same for every process and cluster */
        uint64_t off = (vpn << PAGE_SHIFT) - v->min;
        page_t *fp = mapper_page_get_alloc(vfs_inode_mapper(v->file),
                                           (v->file_off + off) >> PAGE_SHIFT);
        uint64_t ppn;

        if (fp == NULL)
            return -EFAULT;              /* past the end of the file (Linux: SIGBUS) */
        ppn = ppm_page_to_phys(fp) >> PAGE_SHIFT;
        if (hal_gpt_map_xp(gpt, vpn, attr | GPT_FILE, ppn)) {
            mapper_page_put(fp);
            return -ENOMEM;
        }
        *pattr = attr | GPT_FILE;
        *pppn = ppn;
        return 0;
    }
    if (v->type == VSEG_CODE) {
        uint64_t off = (vpn << PAGE_SHIFT) - v->min;
        page_t *fp = off < v->file_bytes ?
                     mapper_page_get_local(vfs_inode_mapper(v->file),
                                           (v->file_off + off) >> PAGE_SHIFT) : NULL;

        if (fp) {
            /* the file's page or this cluster's replica of it: shared, the mapping keeps a reference */
            uint64_t ppn = ppm_page_to_phys(fp) >> PAGE_SHIFT;

            if (hal_gpt_map_xp(gpt, vpn, attr | GPT_FILE, ppn)) {
                mapper_page_put(fp);
                return -ENOMEM;
            }
            *pattr = attr | GPT_FILE;
            *pppn = ppn;
            return 0;
        }
        /* a hole, or past the file's bytes: a zeroed page, private to this copy */
    }
    page = pre ? pre : page_user_alloc(NULL);
    if (page == NULL)
        return -ENOMEM;
    if (v->file)
        vseg_fill_from_file(v, vpn, page);
    if (hal_gpt_map_xp(gpt, vpn, attr, ppm_page_to_phys(page) >> PAGE_SHIFT)) {
        ppm_free_any(page);                  /* it may come from another cluster */
        return -ENOMEM;
    }
    *pattr = attr;
    *pppn = ppm_page_to_phys(page) >> PAGE_SHIFT;
    return 0;
}

int vmm_handle_cow(vmm_t *vmm, uint64_t vpn, uint32_t attr, uint64_t ppn,
                   uint32_t *nattr, uint64_t *nppn)
{
    xptr_t ref = vmm->ref, copies[MAX_CLUSTERS];
    xptr_t ref_gpt = REF(ref, gpt);
    page_t *old = ppm_phys_to_page(ppn << PAGE_SHIFT);
    uint32_t new_attr = (attr | GPT_WRITABLE) & ~(GPT_COW | GPT_FILE);
    uint64_t new_ppn = ppn;
    bool copied = false;
    tlb_round_t r = TLB_ROUND_INIT;
    uint32_t n;

    vmm->faults[TRACE_FAULT_COW]++;
    if ((attr & GPT_FILE) || page_shared(old)) {
        /* still shared: a private copy, in the faulting cluster */
        page_t *page = page_user_alloc(old);

        if (page == NULL)
            return -ENOMEM;
        new_ppn = ppm_page_to_phys(page) >> PAGE_SHIFT;
        copied = true;
    }
    /* one round: the reference, then every other copy that maps the page */
    tlb_round_add(&r, ref_gpt, hal_gpt_update(ref_gpt, vpn, new_attr, new_ppn));
    n = process_copy_vmms(ref, copies);     /* the copies cannot go: ref GPT lock */
    for (uint32_t i = 0; i < n; i++) {
        xptr_t cgpt = REF(copies[i], gpt);
        tlb_flush_t f;

        if (!(hal_gpt_get(cgpt, vpn, NULL) & GPT_MAPPED))
            continue;
        remote_queuelock_acquire(REF(copies[i], gpt_lock));
        f = hal_gpt_unmap(cgpt, vpn);
        if (!tlb_flush_empty(f))
            hal_remote_atomic_add(REF(copies[i], pages), -1);
        remote_queuelock_release(REF(copies[i], gpt_lock));
        tlb_round_add(&r, cgpt, f);
    }
    tlb_round_wait(&r);
    if (copied)
        page_pte_release(attr, ppn);      /* after the shootdown: the last sharer may free it */
    *nattr = new_attr;
    *nppn = new_ppn;
    return 0;
}

/* ---- the fault paths --------------------------------------------------------------- */

/*
 * Copies the reference vseg containing @addr into the local copy @vmm,
 * replacing the stale cached vsegs it overlaps. @return 0, or -EFAULT (no
 * such vseg), -ENOMEM.
 */
static int vmm_fetch_vseg(vmm_t *vmm, uint64_t addr)
{
    tlb_gather_t g = TLB_GATHER_INIT(gpt_xp(vmm));
    vseg_t rv, *v;
    uint64_t gen;

    if (!vsl_ref_find(vmm->ref, addr, &rv, &gen))
        return -EFAULT;
    v = vseg_dup(&rv);
    if (v == NULL)
        return -ENOMEM;
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    if (hal_remote_l64(REF(vmm->ref, vsl_gen)) != gen) {
        /* a vseg shrank or went meanwhile: this one may be stale, read it again */
        remote_rwlock_wr_release(vsl_lock(vmm));
        vseg_free(v);
        return 0;
    }
    remote_queuelock_acquire(gpt_lock(vmm));
    vmm_remove_meeting_locked(vmm, v->min, v->max, &g);     /* stale cached pieces */
    remote_queuelock_release(gpt_lock(vmm));
    vsl_insert_locked(vmm, v);
    remote_rwlock_wr_release(vsl_lock(vmm));
    tlb_gather_flush(&g);
    return 0;
}

/* Installs the PTE (@attr, @ppn) of @vpn in the local copy @vmm. Takes its GPT lock. */
static int vmm_install(vmm_t *vmm, uint64_t vpn, uint32_t attr, uint64_t ppn)
{
    uint64_t cur_ppn;
    uint32_t cur;
    int rc = 0;

    remote_queuelock_acquire(gpt_lock(vmm));
    cur = hal_gpt_get(gpt_xp(vmm), vpn, &cur_ppn);
    if (!(cur & GPT_MAPPED)) {
        rc = hal_gpt_map(&vmm->gpt, vpn, attr, ppn);
        if (rc == 0)
            vmm->pages++;
    } else if (cur != attr || cur_ppn != ppn) {
        tlb_shootdown(gpt_xp(vmm), hal_gpt_update(gpt_xp(vmm), vpn, attr, ppn));
    }
    remote_queuelock_release(gpt_lock(vmm));
    return rc;
}

/* Does the PTE @attr allow the access @error? */
static bool pte_allows(uint32_t attr, uint32_t error)
{
    if (!(attr & GPT_MAPPED))
        return false;
    if ((error & VMM_FAULT_WRITE) && !(attr & GPT_WRITABLE))
        return false;
    return true;
}

/*
 * The fault of a public vseg @v in the copy @vmm: resolved in the
 * reference GPT first, then installed in this copy. Caller holds the
 * copy's VSL (read).
 */
static int vmm_fault_public(vmm_t *vmm, vseg_t *v, uint64_t vpn, uint32_t error,
                            uint32_t *kind)
{
    xptr_t ref = vmm->ref, ref_gpt = REF(ref, gpt), ref_lock = REF(ref, gpt_lock);
    page_t *pre = NULL;
    uint64_t ppn;
    uint32_t attr;
    int rc = 0;

    /*
     * A first touch of anonymous memory: the page is allocated and zeroed
     * before the reference lock, which every cluster's faults share, so the
     * lock covers only the PTE. The unlocked look at the reference GPT is a
     * hint (its tables are only freed with the process); if another thread
     * maps the page meanwhile, ours is freed.
     */
    if (v->file == NULL && !(hal_gpt_get(ref_gpt, vpn, NULL) & GPT_MAPPED))
        pre = page_user_alloc(NULL);
    remote_queuelock_acquire(ref_lock);
    attr = hal_gpt_get(ref_gpt, vpn, &ppn);
    if (!(attr & GPT_MAPPED)) {
        rc = vmm_populate(ref_gpt, v, vpn, pre, &attr, &ppn);
        pre = NULL;                      /* used, or freed by vmm_populate */
        if (rc == 0) {
            hal_remote_atomic_add(REF(ref, pages), 1);
            vmm->faults[TRACE_FAULT_LOCAL]++;
            *kind = TRACE_FAULT_LOCAL;
        }
    } else if ((error & VMM_FAULT_WRITE) && (attr & GPT_COW)) {
        rc = vmm_handle_cow(vmm, vpn, attr, ppn, &attr, &ppn);
        *kind = TRACE_FAULT_COW;
    } else if ((error & VMM_FAULT_WRITE) && !(attr & GPT_WRITABLE)) {
        rc = -EFAULT;                    /* a read-only mapping of a writable vseg: mprotect raced */
    } else if (vmm->is_ref || pte_allows(hal_gpt_get(gpt_xp(vmm), vpn, NULL), error)) {
        /* already allowed: another thread or a stale TLB entry */
        vmm->faults[TRACE_FAULT_FALSE]++;
        *kind = TRACE_FAULT_FALSE;
        hal_tlb_flush_local((tlb_flush_t){ vpn, vpn });
        remote_queuelock_release(ref_lock);
        if (pre)
            ppm_free_any(pre);
        return 0;
    } else {
        vmm->faults[TRACE_FAULT_GLOBAL]++;   /* the reference has it: copy the PTE */
        *kind = TRACE_FAULT_GLOBAL;
    }
    if (rc == 0 && !vmm->is_ref)
        rc = vmm_install(vmm, vpn, attr, ppn);   /* under the reference lock: no stale PTE */
    remote_queuelock_release(ref_lock);
    if (pre)
        ppm_free_any(pre);               /* another thread mapped the page first */
    return rc;
}

/* Pages around a CODE fault mapped with it, when the cluster already holds them (bytes). */
#define VMM_FAULT_AROUND_PAGES 16

/*
 * Linux's fault-around for file pages (mm/memory.c, do_fault_around): maps
 * the unmapped pages of @v in the aligned 64 KiB window around @vpn that
 * this cluster already holds (the file's page or its replica here), so a
 * program's next instructions do not fault one page at a time. Nothing is
 * copied or allocated but page-table pages; it stops quietly when those run
 * out (the later fault will say so). Caller holds the copy's GPT lock.
 */
static void vmm_fault_around(vmm_t *vmm, vseg_t *v, uint64_t vpn)
{
    page_t *pages[VMM_FAULT_AROUND_PAGES];
    uint64_t first = vpn & ~(uint64_t)(VMM_FAULT_AROUND_PAGES - 1);
    uint64_t last = first + VMM_FAULT_AROUND_PAGES;   /* exclusive */
    uint64_t file_end = VPN(v->min + v->file_bytes + PAGE_SIZE - 1);
    uint32_t attr = vseg_attr(v) | GPT_FILE;
    uint32_t i = 0;

    if (first < VPN(v->min))
        first = VPN(v->min);
    if (last > VPN(v->max))
        last = VPN(v->max);
    if (last > file_end)
        last = file_end;
    if (first >= last ||
        !mapper_pages_get_cached(vfs_inode_mapper(v->file),
                                 (v->file_off + ((first << PAGE_SHIFT) - v->min)) >> PAGE_SHIFT,
                                 (uint32_t)(last - first), pages))
        return;
    for (; i < last - first; i++) {
        uint64_t at = first + i;

        if (pages[i] == NULL)
            continue;
        if (at == vpn || (hal_gpt_get(gpt_xp(vmm), at, NULL) & GPT_MAPPED) ||
            hal_gpt_map_xp(gpt_xp(vmm), at, attr, ppm_page_to_phys(pages[i]) >> PAGE_SHIFT)) {
            mapper_page_put(pages[i]);
            continue;
        }
        vmm->pages++;
    }
}

/* The fault of a CODE vseg: private to the copy, resolved in its own GPT. */
static int vmm_fault_private(vmm_t *vmm, vseg_t *v, uint64_t vpn, uint32_t error,
                             uint32_t *kind)
{
    uint64_t ppn;
    uint32_t attr;
    int rc = 0;

    remote_queuelock_acquire(gpt_lock(vmm));
    attr = hal_gpt_get(gpt_xp(vmm), vpn, &ppn);
    if (!(attr & GPT_MAPPED)) {
        rc = vmm_populate(gpt_xp(vmm), v, vpn, NULL, &attr, &ppn);
        if (rc == 0) {
            vmm->pages++;
            vmm->faults[TRACE_FAULT_LOCAL]++;
            *kind = TRACE_FAULT_LOCAL;
            if (v->file)
                vmm_fault_around(vmm, v, vpn);
        }
    } else if (!pte_allows(attr, error)) {
        rc = -EFAULT;
    } else {
        vmm->faults[TRACE_FAULT_FALSE]++;
        *kind = TRACE_FAULT_FALSE;
        hal_tlb_flush_local((tlb_flush_t){ vpn, vpn });
    }
    remote_queuelock_release(gpt_lock(vmm));
    return rc;
}

/* The fault of @vaddr in @vmm (see vmm_handle_fault); *@kind says how it was resolved. */
static int vmm_fault(vmm_t *vmm, uint64_t vaddr, uint32_t error, uint32_t *kind)
{
    uint64_t vpn = VPN(vaddr);
    vseg_t *v;
    int rc;

    if (vaddr >= USER_END)
        return -EFAULT;
    for (;;) {
        remote_rwlock_rd_acquire(vsl_lock(vmm));
        v = vsl_find_locked(vmm, vaddr);
        if (v != NULL || vmm->is_ref)
            break;
        /* not cached in this copy: from the reference VSL, then again */
        remote_rwlock_rd_release(vsl_lock(vmm));
        rc = vmm_fetch_vseg(vmm, vaddr);
        if (rc)
            return rc;
    }
    if (v == NULL ||
        ((error & VMM_FAULT_WRITE) && !(v->prot & PROT_WRITE)) ||
        ((error & VMM_FAULT_EXEC) && !(v->prot & PROT_EXEC)) ||
        v->prot == PROT_NONE) {
        remote_rwlock_rd_release(vsl_lock(vmm));
        return -EFAULT;
    }
    if (v->type == VSEG_CODE)
        rc = vmm_fault_private(vmm, v, vpn, error, kind);
    else
        rc = vmm_fault_public(vmm, v, vpn, error, kind);
    remote_rwlock_rd_release(vsl_lock(vmm));
    return rc;
}

int vmm_handle_fault(vmm_t *vmm, uint64_t vaddr, uint32_t error)
{
    uint64_t start = trace_enabled ? rdtsc() : 0, cycles;
    uint32_t kind = TRACE_FAULT_BAD;
    int rc = vmm_fault(vmm, vaddr, error, &kind);

    if (trace_enabled) {
        cycles = rdtsc() - start;
        if (rc)
            kind = TRACE_FAULT_BAD;
        trace(TRACE_FAULT, (uint16_t)(kind | ((error & VMM_FAULT_WRITE) ? TRACE_FAULT_WRITE : 0)),
              VPN(vaddr), LIST_ELEMENT(vmm, process_t, vmm)->pid |
              (cycles > UINT32_MAX ? (uint64_t)UINT32_MAX : cycles) << 32);
    }
    return rc;
}

/* ---- user addresses ---------------------------------------------------------------- */

int vmm_user_paddr(uint64_t uaddr, uint64_t *paddr)
{
    process_t *p = process_copy_current();
    uint64_t ppn;
    uint32_t attr;

    if (p == NULL || !hal_user_range_ok(uaddr, 4))
        return -EFAULT;
    attr = hal_gpt_get(gpt_xp(&p->vmm), VPN(uaddr), &ppn);
    if (!(attr & GPT_WRITABLE) || !(attr & GPT_USER)) {
        if (vmm_handle_fault(&p->vmm, uaddr, VMM_FAULT_WRITE | VMM_FAULT_USER |
                             ((attr & GPT_MAPPED) ? VMM_FAULT_PRESENT : 0)))
            return -EFAULT;
        attr = hal_gpt_get(gpt_xp(&p->vmm), VPN(uaddr), &ppn);
        if (!(attr & GPT_MAPPED))
            return -EFAULT;
    }
    *paddr = (ppn << PAGE_SHIFT) | (uaddr & ~PAGE_MASK);
    return 0;
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

bool vmm_range_mapped(vmm_t *vmm, uint64_t addr, uint64_t len)
{
    xptr_t ref = XPTR(vmm_cxy(vmm), vmm);
    uint64_t end = addr + len, gen;
    vseg_t v;

    if (!hal_user_range_ok(addr, len))
        return false;
    while (addr < end) {
        if (!vsl_ref_find(ref, addr, &v, &gen))
            return false;
        addr = v.max;
    }
    return true;
}

int vmm_populate_range(vmm_t *vmm, uint64_t addr, uint64_t len)
{
    xptr_t ref = vmm->ref;
    uint64_t end = addr + len, gen;
    vseg_t v;

    if (!hal_user_range_ok(addr, len))
        return -ENOMEM;
    while (addr < end) {
        if (!vsl_ref_find(ref, addr, &v, &gen))
            return -ENOMEM;
        for (uint64_t a = addr; a < v.max && a < end; a += PAGE_SIZE) {
            if (v.prot == PROT_NONE)
                break;
            if (vmm_handle_fault(vmm, a, VMM_FAULT_USER))
                return -ENOMEM;
        }
        addr = v.max;
    }
    return 0;
}

bool vmm_range_accessible(vmm_t *vmm, uint64_t addr, uint64_t len, bool write)
{
    xptr_t ref = XPTR(vmm_cxy(vmm), vmm);
    uint64_t end = addr + len, gen;
    vseg_t v;

    if (!hal_user_range_ok(addr, len))
        return false;
    while (addr < end) {
        if (!vsl_ref_find(ref, addr, &v, &gen) || !(v.prot & (write ? PROT_WRITE : PROT_READ)))
            return false;
        addr = v.max;
    }
    return true;
}
