/*
 * vmm.c - the address space of a process copy (see vmm.h): init and
 * clear, freezing the reference, vsegs added at exec, fork (vmm_fork_copy,
 * vmm_set_cow), mmap, munmap, mprotect, brk, the RPCs that run them in the
 * reference cluster (RPC_VMM) and that downgrade the copies (RPC_VMM_SYNC),
 * and /proc/<pid>/maps.
 */
#include "vmm_internal.h"
#include "process_copy.h"     /* process_copy_vmms: the copies a downgrade reaches */
#include "tlb.h"
#include "vfs.h"
#include "ppm.h"
#include "cluster.h"
#include "rpc.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "printk.h"
#include "hal_user.h"

/* ---- a copy, and its reference ---------------------------------------------------- */

int vmm_init(vmm_t *vmm, xptr_t ref)
{
    int rc;

    memset(vmm, 0, sizeof(*vmm));
    rc = hal_gpt_create(&vmm->gpt);      /* sets gpt.cxy: the cluster of this copy */
    if (rc)
        return rc;
    vmm->is_ref = ref == XPTR_NULL;
    vmm->ref = vmm->is_ref ? XPTR(local_cxy(), vmm) : ref;
    remote_rwlock_init(vsl_lock(vmm), "vsl", vmm->is_ref ? RANK_VSL : RANK_VSL_COPY);
    xlist_root_init(vsl_root(vmm));
    remote_queuelock_init(gpt_lock(vmm), "gpt", vmm->is_ref ? RANK_GPT : RANK_GPT_COPY);
    vmm->mmap_top = USER_MMAP_TOP;
    return 0;
}

void vmm_ref_freeze(vmm_t *vmm)
{
    remote_rwlock_rd_acquire(REF(vmm->ref, vsl_lock));
    remote_queuelock_acquire(REF(vmm->ref, gpt_lock));
}

void vmm_ref_thaw(vmm_t *vmm)
{
    remote_queuelock_release(REF(vmm->ref, gpt_lock));
    remote_rwlock_rd_release(REF(vmm->ref, vsl_lock));
}

/* ---- vsegs of a copy -------------------------------------------------------------- */

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
    if (!vsl_range_free_locked(vmm, min, max)) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        vseg_free(v);
        *err = -EEXIST;
        return NULL;
    }
    vsl_insert_locked(vmm, v);
    remote_rwlock_wr_release(vsl_lock(vmm));
    *err = 0;
    return v;
}

/* Does a PTE of vseg @v in copy @vmm own its page? Reference PTEs do; a copy's only for CODE. */
static bool pte_owns(const vmm_t *vmm, const vseg_t *v)
{
    return vmm->is_ref || v->type == VSEG_CODE;
}

/*
 * Unmaps the PTEs of [min, max) in the local copy @vmm, gathering the pages
 * they own (@owns) for release after the shootdown. Caller holds the GPT lock.
 */
static void vmm_unmap_range_locked(vmm_t *vmm, uint64_t min, uint64_t max, bool owns,
                                   tlb_gather_t *g)
{
    uint64_t vpn = VPN(min), found, ppn;
    uint32_t attr;

    while (hal_gpt_next(gpt_xp(vmm), vpn, VPN(max), &found, &attr, &ppn)) {
        tlb_gather_add(g, hal_gpt_unmap(gpt_xp(vmm), found), owns, attr, ppn);
        vmm->pages--;
        vpn = found + 1;
    }
}

/* Removes the vseg @it of the local copy @vmm and its PTEs. Caller holds both locks (VSL for writing). */
static void vmm_remove_locked(vmm_t *vmm, xptr_t it, tlb_gather_t *g)
{
    vseg_t *v = vseg_of(it);

    vmm_unmap_range_locked(vmm, v->min, v->max, pte_owns(vmm, v), g);
    vsl_unlink_locked(vmm, v);
}

void vmm_remove_meeting_locked(vmm_t *vmm, uint64_t min, uint64_t max, tlb_gather_t *g)
{
    xptr_t it, next;

    for (it = xlist_first(vsl_root(vmm)); it != XPTR_NULL; it = next) {
        vseg_t *v = vseg_of(it);

        next = xlist_next(vsl_root(vmm), it);
        if (v->min < max && min < v->max) {
            vmm_remove_locked(vmm, it, g);
            vseg_free(v);
        }
    }
}

void vmm_clear(vmm_t *vmm)
{
    tlb_gather_t g = TLB_GATHER_INIT(gpt_xp(vmm));

    remote_rwlock_wr_acquire(vsl_lock(vmm));
    remote_queuelock_acquire(gpt_lock(vmm));
    vmm_remove_meeting_locked(vmm, 0, USER_END, &g);         /* every vseg */
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_wr_release(vsl_lock(vmm));
    tlb_gather_flush(&g);
    vmm->heap_start = vmm->brk = 0;
    vmm->stack_min = vmm->stack_max = 0;
    vmm->mmap_top = USER_MMAP_TOP;
    vmm->vsl_gen++;
}

void vmm_destroy(vmm_t *vmm)
{
    vmm_clear(vmm);
    hal_gpt_destroy(&vmm->gpt);
}

/* ---- operations on the reference, from any cluster (RPC_VMM) ------------------------ */

enum vmm_op { VMM_OP_MMAP, VMM_OP_MUNMAP, VMM_OP_MPROTECT, VMM_OP_BRK, VMM_OP_SET_COW };

typedef struct vmm_op_args_s {
    uint64_t addr, len, off;
    uint32_t prot, flags;
    struct vfs_inode_s *file;
} vmm_op_args_t;

/* Runs @op on the reference copy @vmm in its cluster (the caller is elsewhere). */
static int64_t vmm_forward(vmm_t *vmm, enum vmm_op op, const vmm_op_args_t *a)
{
    rpc_desc_t rpc = { .type = RPC_VMM,
                       .args.vmm = { .op = op, .vmm = vmm, .op_args = XPTR(local_cxy(), a) } };

    rpc_send(vmm_cxy(vmm), &rpc);
    return rpc.args.vmm.rc;
}

void vmm_rpc_op(xptr_t desc)
{
    enum vmm_op op = (enum vmm_op)hal_remote_l32(RPC_ARG(desc, vmm.op));
    vmm_t *vmm = (vmm_t *)hal_remote_l64(RPC_ARG(desc, vmm.vmm));
    vmm_op_args_t a;
    int64_t rc = -EINVAL;

    hal_remote_memcpy(XPTR(local_cxy(), &a), hal_remote_lxp(RPC_ARG(desc, vmm.op_args)),
                      sizeof(a));
    switch (op) {
    case VMM_OP_MMAP:     rc = vmm_mmap(vmm, a.addr, a.len, a.prot, a.flags, a.file, a.off); break;
    case VMM_OP_MUNMAP:   rc = vmm_munmap(vmm, a.addr, a.len); break;
    case VMM_OP_MPROTECT: rc = vmm_mprotect(vmm, a.addr, a.len, a.prot); break;
    case VMM_OP_BRK:      rc = (int64_t)vmm_brk(vmm, a.addr); break;
    case VMM_OP_SET_COW:  vmm_set_cow(vmm); rc = 0; break;
    }
    hal_remote_s64(RPC_ARG(desc, vmm.rc), (uint64_t)rc);
}

/* ---- downgrades of the copies (RPC_VMM_SYNC, multicast) ---------------------------- */

enum vmm_sync { VMM_SYNC_INVALIDATE, VMM_SYNC_SET_COW };

/* RPC_VMM_SYNC, in each copy's cluster (arguments: rpc_vmm_sync_args_t). */
void vmm_rpc_sync(xptr_t desc)
{
    enum vmm_sync op = (enum vmm_sync)hal_remote_l32(RPC_ARG(desc, vmm_sync.op));
    uint64_t min = hal_remote_l64(RPC_ARG(desc, vmm_sync.min));
    uint64_t max = hal_remote_l64(RPC_ARG(desc, vmm_sync.max));
    xptr_t tbl = hal_remote_lxp(RPC_ARG(desc, vmm_sync.copies));
    vmm_t *vmm = (vmm_t *)hal_remote_l64(tbl + local_cxy() * sizeof(uint64_t));
    tlb_gather_t g = TLB_GATHER_INIT(gpt_xp(vmm));

    if (op == VMM_SYNC_INVALIDATE) {
        /* drop every cached vseg meeting the range: the next fault reads the reference */
        remote_rwlock_wr_acquire(vsl_lock(vmm));
        remote_queuelock_acquire(gpt_lock(vmm));
        vmm_remove_meeting_locked(vmm, min, max, &g);
        remote_queuelock_release(gpt_lock(vmm));
        remote_rwlock_wr_release(vsl_lock(vmm));
    } else {
        /* the private pages the parent now shares with its child become COW here too */
        uint64_t vpn = 0, found, ppn;
        uint32_t attr;

        remote_queuelock_acquire(gpt_lock(vmm));
        for (; hal_gpt_next(gpt_xp(vmm), vpn, USER_VPN_END, &found, &attr, &ppn); vpn = found + 1)
            if ((attr & GPT_WRITABLE) && !(attr & (GPT_FILE | GPT_SHARED)))
                g.flush = tlb_flush_merge(g.flush, hal_gpt_update(gpt_xp(vmm), found,
                                                   (attr & ~GPT_WRITABLE) | GPT_COW, ppn));
        remote_queuelock_release(gpt_lock(vmm));
    }
    tlb_gather_flush(&g);
}

/*
 * Applies @op on [@min, @max) to every copy of the local reference @ref
 * but itself, in one multicast round. Caller holds the reference VSL for
 * writing or its GPT lock (the copies cannot go).
 */
static void vmm_sync_copies(vmm_t *ref, enum vmm_sync op, uint64_t min, uint64_t max)
{
    xptr_t copies[MAX_CLUSTERS];
    uint64_t table[MAX_CLUSTERS];
    uint32_t cxy[MAX_CLUSTERS];
    uint32_t n = process_copy_vmms(XPTR(local_cxy(), ref), copies);
    rpc_desc_t rpc = { .type = RPC_VMM_SYNC,
                       .args.vmm_sync = { .op = op, .min = min, .max = max,
                                          .copies = XPTR(local_cxy(), table) } };

    if (n == 0)
        return;
    for (uint32_t i = 0; i < n; i++) {
        cxy[i] = GET_CXY(copies[i]);
        table[cxy[i]] = (uint64_t)GET_PTR(copies[i]);
    }
    rpc_multicast(cxy, n, &rpc);
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

    /*
     * The child is not published yet (process_make_fork links it in the
     * process tree afterwards): no other thread can reach its VSL or GPT, so
     * they are filled without their locks -- which rank like the parent's.
     */
    remote_rwlock_rd_acquire(p_lock);
    remote_queuelock_acquire(p_gpt_lock);
    p_gpt = XPTR(pcxy, &parent->gpt);
    XLIST_FOREACH(p_root, it) {
        vseg_t pv, *v;
        uint64_t vpn, found, ppn;
        uint32_t attr;

        hal_remote_memcpy(XPTR(local_cxy(), &pv), XPTR(pcxy, vseg_of(it)), sizeof(pv));
        v = vseg_dup(&pv);
        if (v == NULL) {
            rc = -ENOMEM;
            break;
        }
        vsl_insert_locked(child, v);
        if (pv.type == VSEG_CODE)
            continue;                    /* replicated on fault in the child's cluster */
        for (vpn = VPN(pv.min); hal_gpt_next(p_gpt, vpn, VPN(pv.max), &found, &attr, &ppn);
             vpn = found + 1) {
            uint32_t cattr = attr & ~(GPT_ACCESSED | GPT_DIRTY);
            page_t *page;

            if (attr & GPT_FILE)
                continue;
            if (!(attr & GPT_SHARED))
                cattr = (cattr & ~GPT_WRITABLE) | GPT_COW;
            if (hal_gpt_map(&child->gpt, found, cattr, ppn)) {
                rc = -ENOMEM;
                break;
            }
            page = ppm_phys_to_page(ppn << PAGE_SHIFT);
            page_share(page);
            child->pages++;
        }
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

    if (vmm_cxy(vmm) != local_cxy()) {
        vmm_op_args_t a = { 0 };

        vmm_forward(vmm, VMM_OP_SET_COW, &a);
        return;
    }
    remote_rwlock_rd_acquire(vsl_lock(vmm));
    remote_queuelock_acquire(gpt_lock(vmm));
    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);
        uint64_t vpn, found, ppn;
        uint32_t attr;

        if (v->type == VSEG_CODE || v->shared)
            continue;
        for (vpn = VPN(v->min); hal_gpt_next(gpt_xp(vmm), vpn, VPN(v->max), &found, &attr, &ppn);
             vpn = found + 1) {
            if ((attr & GPT_FILE) || (attr & GPT_COW))
                continue;
            flush = tlb_flush_merge(flush, hal_gpt_update(gpt_xp(vmm), found,
                                                          (attr & ~GPT_WRITABLE) | GPT_COW, ppn));
        }
    }
    vmm_sync_copies(vmm, VMM_SYNC_SET_COW, 0, USER_END);
    tlb_shootdown(gpt_xp(vmm), flush);
    remote_queuelock_release(gpt_lock(vmm));
    remote_rwlock_rd_release(vsl_lock(vmm));
}

/* ---- mmap, munmap, mprotect, brk --------------------------------------------------- */

int vmm_munmap(vmm_t *vmm, uint64_t addr, uint64_t len)
{
    tlb_gather_t g;
    uint64_t end;
    xptr_t it, next, gone = XPTR_NULL;
    xlist_entry_t dead;
    int rc;

    if ((addr & ~PAGE_MASK) || len == 0 || !hal_user_range_ok(addr, len))
        return -EINVAL;
    if (vmm_cxy(vmm) != local_cxy()) {
        vmm_op_args_t a = { .addr = addr, .len = len };

        return (int)vmm_forward(vmm, VMM_OP_MUNMAP, &a);
    }
    end = PAGE_UP(addr + len);
    g = (tlb_gather_t)TLB_GATHER_INIT(gpt_xp(vmm));
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    rc = vsl_split_locked(vmm, addr, end);
    if (rc) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        return rc;
    }
    /* the reference first: no new fault finds the range */
    xlist_root_init(XPTR(local_cxy(), &dead));
    for (it = xlist_first(vsl_root(vmm)); it != XPTR_NULL; it = next) {
        vseg_t *v = vseg_of(it);

        next = xlist_next(vsl_root(vmm), it);
        if (v->min >= addr && v->max <= end) {
            vsl_unlink_locked(vmm, v);
            xlist_add_last(XPTR(local_cxy(), &dead), it);
        }
    }
    vmm->vsl_gen++;
    /* then every copy, in one round; their PTEs own nothing */
    vmm_sync_copies(vmm, VMM_SYNC_INVALIDATE, addr, end);
    /* and the reference's PTEs: pages go once no TLB can reach them */
    remote_queuelock_acquire(gpt_lock(vmm));
    vmm_unmap_range_locked(vmm, addr, end, true, &g);
    remote_queuelock_release(gpt_lock(vmm));
    tlb_gather_flush(&g);
    remote_rwlock_wr_release(vsl_lock(vmm));
    while ((gone = xlist_first(XPTR(local_cxy(), &dead))) != XPTR_NULL) {
        xlist_unlink(gone);
        vseg_free(vseg_of(gone));
    }
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
    if (vmm_cxy(vmm) != local_cxy()) {
        vmm_op_args_t args = { .addr = addr, .len = len, .prot = prot };

        return (int)vmm_forward(vmm, VMM_OP_MPROTECT, &args);
    }
    end = PAGE_UP(addr + len);
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    for (a = addr; a < end; ) {                  /* every page must belong to a vseg */
        vseg_t *v = vsl_find_locked(vmm, a);

        if (v == NULL) {
            remote_rwlock_wr_release(vsl_lock(vmm));
            return -ENOMEM;
        }
        a = v->max;
    }
    rc = vsl_split_locked(vmm, addr, end);
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

            if ((keep & GPT_COW) || ((keep & GPT_FILE) && !v->shared))
                nattr &= ~GPT_WRITABLE;          /* the write fault copies first */
            flush = tlb_flush_merge(flush, hal_gpt_update(gpt_xp(vmm), found, nattr, ppn));
        }
    }
    remote_queuelock_release(gpt_lock(vmm));
    vsl_merge_locked(vmm, end);
    vsl_merge_locked(vmm, addr);
    vmm->vsl_gen++;
    vmm_sync_copies(vmm, VMM_SYNC_INVALIDATE, addr, end);
    tlb_shootdown(gpt_xp(vmm), flush);
    remote_rwlock_wr_release(vsl_lock(vmm));
    return 0;
}

int64_t vmm_mmap(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
                 struct vfs_inode_s *file, uint64_t off)
{
    uint64_t size = PAGE_UP(len), where = 0;
    uint64_t file_bytes = 0;
    bool fixed = flags & VMM_MAP_FIXED;
    vseg_t *v;

    if (len == 0 || size < len || (off & ~PAGE_MASK) || (addr & ~PAGE_MASK) || (prot & ~7u))
        return -EINVAL;
    if (vmm_cxy(vmm) != local_cxy()) {
        vmm_op_args_t a = { .addr = addr, .len = len, .prot = prot, .flags = flags,
                            .file = file, .off = off };

        return vmm_forward(vmm, VMM_OP_MMAP, &a);
    }
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
    v->shared = flags & VMM_MAP_SHARED;
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    if (!fixed) {
        if (addr && hal_user_range_ok(addr, size) && addr >= PAGE_SIZE * 16 &&
            vsl_range_free_locked(vmm, addr, addr + size))
            where = addr;                /* the hint is free: Linux takes it */
        else
            where = vsl_find_hole_locked(vmm, size, vmm->mmap_top);
    } else if (!vsl_range_free_locked(vmm, where, where + size)) {
        where = 0;                       /* raced with another mapping */
    }
    if (where == 0) {
        remote_rwlock_wr_release(vsl_lock(vmm));
        vseg_free(v);
        return -ENOMEM;
    }
    v->min = where;
    v->max = where + size;
    vsl_insert_locked(vmm, v);
    remote_rwlock_wr_release(vsl_lock(vmm));
    /*
     * A shared anonymous mapping is populated now, so that a child forked later
     * shares every page; MAP_POPULATE asks for it. The pages are the reference
     * cluster's. A shared file mapping needs none of it: every fault, in any
     * process, maps the file's own page (vmm_populate).
     */
    if (((v->shared && !file) || (flags & VMM_MAP_POPULATE)) && prot != PROT_NONE) {
        uint32_t err = VMM_FAULT_USER | ((prot & PROT_WRITE) ? VMM_FAULT_WRITE : 0);

        for (uint64_t a = where; a < where + size; a += PAGE_SIZE) {
            if (vmm_handle_fault(vmm, a, err)) {
                vmm_munmap(vmm, where, size);
                return -ENOMEM;
            }
        }
    }
    return (int64_t)where;
}

uint64_t vmm_brk(vmm_t *vmm, uint64_t addr)
{
    uint64_t old_end, new_end;
    vseg_t *heap;
    xptr_t it;

    if (vmm_cxy(vmm) != local_cxy()) {
        vmm_op_args_t a = { .addr = addr };

        return (uint64_t)vmm_forward(vmm, VMM_OP_BRK, &a);
    }
    old_end = PAGE_UP(vmm->brk);
    new_end = PAGE_UP(addr);
    if (addr < vmm->heap_start || vmm->heap_start == 0)
        return vmm->brk;
    remote_rwlock_wr_acquire(vsl_lock(vmm));
    heap = NULL;
    XLIST_FOREACH(vsl_root(vmm), it)
        if (vseg_of(it)->type == VSEG_HEAP)
            heap = vseg_of(it);
    if (new_end > old_end) {
        if (new_end > vmm->mmap_top || !vsl_range_free_locked(vmm, old_end, new_end)) {
            remote_rwlock_wr_release(vsl_lock(vmm));
            return vmm->brk;
        }
        if (heap == NULL) {
            heap = vseg_new(VSEG_HEAP, old_end, new_end, PROT_READ | PROT_WRITE, NULL, 0, 0);
            if (heap == NULL) {
                remote_rwlock_wr_release(vsl_lock(vmm));
                return vmm->brk;
            }
            vsl_insert_locked(vmm, heap);
        } else {
            heap->max = new_end;         /* copies refresh their smaller cached heap on fault */
        }
    } else if (new_end < old_end && heap != NULL) {
        tlb_gather_t g = TLB_GATHER_INIT(gpt_xp(vmm));

        vmm->vsl_gen++;
        if (new_end == heap->min) {
            vsl_unlink_locked(vmm, heap);
        } else {
            heap->max = new_end;
        }
        vmm_sync_copies(vmm, VMM_SYNC_INVALIDATE, new_end, old_end);
        remote_queuelock_acquire(gpt_lock(vmm));
        vmm_unmap_range_locked(vmm, new_end, old_end, true, &g);
        remote_queuelock_release(gpt_lock(vmm));
        tlb_gather_flush(&g);
        if (new_end == heap->min)
            vseg_free(heap);
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
                         "%012lx-%012lx %c%c%c%c %08lx 00:00 0 %-20s %s cluster %u\n",
                         v->min, v->max, v->prot & PROT_READ ? 'r' : '-',
                         v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
                         v->shared ? 's' : 'p', v->file_off, path, vseg_type_name(v->type),
                         ref_cxy);

        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += n;
    }
    remote_rwlock_rd_release(vsl_lock(vmm));
    return (int64_t)len;
}
