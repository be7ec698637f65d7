/*
 * vseg.c - vsegs and the VSL of a process copy (see vseg.h).
 */
#include "vseg.h"
#include "vmm_internal.h"
#include "vfs.h"
#include "kmem.h"
#include "cluster.h"
#include "kstring.h"
#include "uapi/errno.h"

/* ---- one vseg ------------------------------------------------------------------------ */

static const char *const vseg_names[VSEG_TYPES] = {
    "CODE", "DATA", "HEAP", "STACK", "ANON", "FILE", "REMOTE",
};

const char *vseg_type_name(vseg_type_t type)
{
    return type < VSEG_TYPES ? vseg_names[type] : "?";
}

vseg_t *vseg_new(vseg_type_t type, uint64_t min, uint64_t max, uint32_t prot,
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

vseg_t *vseg_dup(const vseg_t *src)
{
    vseg_t *v = vseg_new(src->type, src->min, src->max, src->prot, src->file, src->file_off,
                         src->file_bytes);

    if (v) {
        v->cxy = src->cxy;
        v->shared = src->shared;
    }
    return v;
}

void vseg_free(vseg_t *v)
{
    if (v->file)
        vfs_inode_put(v->file);
    kmem_free(v);
}

uint32_t vseg_attr(const vseg_t *v)
{
    uint32_t attr = GPT_MAPPED | GPT_USER;

    if (v->prot & PROT_WRITE)
        attr |= GPT_WRITABLE;
    if (v->prot & PROT_EXEC)
        attr |= GPT_EXEC;
    if (v->shared)
        attr |= GPT_SHARED;
    if (v->prot == PROT_NONE)
        attr &= ~GPT_USER;           /* present for the kernel only: user accesses fault */
    return attr;
}

bool vseg_mergeable(const vseg_t *a, const vseg_t *b)
{
    if (a->max != b->min || a->type != b->type || a->prot != b->prot || a->cxy != b->cxy ||
        a->shared != b->shared || a->file != b->file)
        return false;
    if (a->file == NULL)
        return a->type == VSEG_ANON || a->type == VSEG_REMOTE;
    /* a file vseg: b must continue a's bytes, and a must show the file up to its end */
    return a->type == VSEG_FILE && b->file_off == a->file_off + (a->max - a->min) &&
           a->file_bytes == a->max - a->min;
}

vseg_t *vseg_of(xptr_t it)
{
    return GET_PTR(XLIST_ELEMENT(it, vseg_t, list));
}

/* ---- the VSL of a copy --------------------------------------------------------------- */

vseg_t *vsl_find_locked(vmm_t *vmm, uint64_t addr)
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

bool vsl_range_free_locked(vmm_t *vmm, uint64_t min, uint64_t max)
{
    xptr_t it;

    XLIST_FOREACH(vsl_root(vmm), it) {
        vseg_t *v = vseg_of(it);

        if (v->min < max && min < v->max)
            return false;
    }
    return true;
}

void vsl_insert_locked(vmm_t *vmm, vseg_t *v)
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

void vsl_unlink_locked(vmm_t *vmm, vseg_t *v)
{
    xlist_unlink(XPTR(local_cxy(), &v->list));
    vmm->vsegs--;
}

/* Cuts the vseg of @vmm that straddles @addr in two, if there is one. @return 0 or -ENOMEM. */
static int vsl_split_at_locked(vmm_t *vmm, uint64_t addr)
{
    vseg_t *v = vsl_find_locked(vmm, addr), *tail;
    uint64_t cut;

    if (v == NULL || v->min == addr)
        return 0;
    cut = addr - v->min;
    tail = vseg_dup(v);
    if (tail == NULL)
        return -ENOMEM;
    tail->min = addr;
    tail->file_off = v->file_off + cut;
    tail->file_bytes = v->file_bytes > cut ? v->file_bytes - cut : 0;
    v->max = addr;
    if (v->file_bytes > cut)
        v->file_bytes = cut;
    vsl_insert_locked(vmm, tail);
    return 0;
}

int vsl_split_locked(vmm_t *vmm, uint64_t min, uint64_t max)
{
    int rc = vsl_split_at_locked(vmm, min);

    if (rc == 0)
        rc = vsl_split_at_locked(vmm, max);
    return rc;
}

void vsl_merge_locked(vmm_t *vmm, uint64_t addr)
{
    vseg_t *a = addr >= PAGE_SIZE ? vsl_find_locked(vmm, addr - 1) : NULL;
    vseg_t *b = vsl_find_locked(vmm, addr);

    if (a == NULL || b == NULL || a == b || !vseg_mergeable(a, b))
        return;
    a->max = b->max;
    a->file_bytes += b->file_bytes;
    vsl_unlink_locked(vmm, b);
    vseg_free(b);
}

uint64_t vsl_find_hole_locked(vmm_t *vmm, uint64_t len, uint64_t top)
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

bool vsl_ref_find(xptr_t ref_xp, uint64_t addr, vseg_t *out, uint64_t *gen)
{
    xptr_t root = REF(ref_xp, vsl_root), it;
    bool found = false;

    remote_rwlock_rd_acquire(REF(ref_xp, vsl_lock));
    *gen = hal_remote_l64(REF(ref_xp, vsl_gen));
    XLIST_FOREACH(root, it) {
        xptr_t v = XLIST_ELEMENT(it, vseg_t, list);

        hal_remote_memcpy(XPTR(local_cxy(), out), v, sizeof(*out));
        if (addr < out->min)
            break;
        if (addr < out->max) {
            found = true;
            break;
        }
    }
    remote_rwlock_rd_release(REF(ref_xp, vsl_lock));
    return found;
}
