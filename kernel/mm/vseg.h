/*
 * vseg.h - vsegs and the VSL: the vseg types, vseg_t, the operations on
 * one vseg (vseg_*) and on the VSL of a process copy (vsl_*).
 * ARCHITECTURE.md, "Virtual memory".
 *
 * A vseg is a contiguous, page-aligned range of user addresses of one type
 * with one protection. The VSL of a process copy (vmm_t.vsl_root) is an
 * xlist of vseg_t sorted by address, without overlap, behind the copy's
 * VSL lock (vmm_t.vsl_lock, a remote rwlock); a vseg_t is in the memory of
 * its copy's cluster (kmem). The reference VSL is complete; another copy
 * caches the public vsegs it faulted on (vmm.h).
 *
 * The vsl_*_locked functions run in the copy's cluster with the VSL lock
 * held by the caller: for writing when they change the VSL.
 */
#ifndef _VSEG_H_
#define _VSEG_H_

#include <stdint.h>
#include <stdbool.h>
#include "xlist.h"
#include "uapi/mman.h"

struct vfs_inode_s;
struct vmm_s;

typedef enum vseg_type_e {
    VSEG_CODE,     /* program text: read-only, from the file; private replica per cluster */
    VSEG_DATA,     /* program data + bss: private copy of the file's bytes, zero beyond */
    VSEG_HEAP,     /* brk(2) area: zero-filled */
    VSEG_STACK,    /* the main stack: zero-filled, grows down inside its vseg */
    VSEG_ANON,     /* anonymous mmap(2): zero-filled */
    VSEG_FILE,     /* private file mmap(2): copy of the file's bytes */
    VSEG_REMOTE,   /* zero-filled, pages in a named cluster (vseg_t.cxy) */
    VSEG_TYPES
} vseg_type_t;

typedef struct vseg_s {
    xlist_entry_t       list;       /* in the VSL, by increasing address */
    uint64_t            min;        /* first byte, page aligned */
    uint64_t            max;        /* first byte past the end, page aligned */
    vseg_type_t         type;
    uint32_t            prot;       /* PROT_* */
    uint32_t            cxy;        /* VSEG_REMOTE: the cluster of its pages */
    struct vfs_inode_s *file;       /* CODE, DATA, FILE: the file (referenced) */
    uint64_t            file_off;   /* file offset of byte min (bytes, page aligned) */
    uint64_t            file_bytes; /* bytes of the file from file_off shown at min; zero beyond */
    bool                shared;     /* MAP_SHARED anonymous: pages shared with forked children */
} vseg_t;

/* ---- one vseg ------------------------------------------------------------------------ */

/* Name of a vseg type ("CODE", ...), for /proc/<pid>/maps. */
const char *vseg_type_name(vseg_type_t type);

/*
 * A new vseg [@min, @max) (bytes) in the calling cluster's memory, in no
 * VSL, its pages in the calling cluster (vseg_t.cxy). A file vseg takes a
 * reference on @file, showing @file_bytes bytes of it from byte @file_off.
 * @return the vseg, or NULL (-ENOMEM).
 */
vseg_t *vseg_new(vseg_type_t type, uint64_t min, uint64_t max, uint32_t prot,
                 struct vfs_inode_s *file, uint64_t file_off, uint64_t file_bytes);

/* A local copy of the vseg @src (any cluster's memory, already read into @src). NULL: -ENOMEM. */
vseg_t *vseg_dup(const vseg_t *src);

/* Frees @v, in no VSL, and its file reference. In @v's cluster. */
void vseg_free(vseg_t *v);

/* The GPT_* attributes of a new PTE of @v, from its protection (PROT_NONE: kernel only). */
uint32_t vseg_attr(const vseg_t *v);

/* Can @b (right after @a) be merged into @a? Same kind, same rights, contiguous contents. */
bool vseg_mergeable(const vseg_t *a, const vseg_t *b);

/* The vseg whose VSL link is @it: its pointer in @it's cluster (GET_CXY(@it)). */
vseg_t *vseg_of(xptr_t it);

/* ---- the VSL of a copy --------------------------------------------------------------- */

/* The vseg of the local copy @vmm containing @addr, or NULL. Caller holds the VSL lock. */
vseg_t *vsl_find_locked(struct vmm_s *vmm, uint64_t addr);

/* True when [@min, @max) (bytes) meets no vseg of @vmm. Caller holds the VSL lock. */
bool vsl_range_free_locked(struct vmm_s *vmm, uint64_t min, uint64_t max);

/* Inserts @v (local) in address order in @vmm. Caller holds the VSL lock for writing. */
void vsl_insert_locked(struct vmm_s *vmm, vseg_t *v);

/*
 * Unlinks @v from the VSL of @vmm (its PTEs stay: the caller removes
 * them, and frees @v). Caller holds the VSL lock for writing.
 */
void vsl_unlink_locked(struct vmm_s *vmm, vseg_t *v);

/*
 * Cuts the vsegs of @vmm so that none straddles @min or @max (bytes, page
 * aligned): the range is then covered by whole vsegs. Caller holds the
 * VSL lock for writing. @return 0 or -ENOMEM (a cut may already be done).
 */
int vsl_split_locked(struct vmm_s *vmm, uint64_t min, uint64_t max);

/* Merges the vsegs of @vmm meeting at @addr when they can be. Caller holds the VSL lock for writing. */
void vsl_merge_locked(struct vmm_s *vmm, uint64_t addr);

/*
 * The highest free range of @len bytes of @vmm below @top (bytes, page
 * aligned), above the first 16 pages. Caller holds the VSL lock.
 * @return its first byte, or 0 when there is none.
 */
uint64_t vsl_find_hole_locked(struct vmm_s *vmm, uint64_t len, uint64_t top);

/*
 * Reads the vseg of the reference copy @ref_xp (any cluster) that contains
 * @addr into *@out, and the reference's vsl_gen into *@gen. Takes its VSL
 * lock (read). @return whether there is one.
 */
bool vsl_ref_find(xptr_t ref_xp, uint64_t addr, vseg_t *out, uint64_t *gen);

#endif
