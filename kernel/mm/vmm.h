/*
 * vmm.h - virtual memory of a process copy: vsegs, the VSL, the GPT, page
 * faults, fork (vmm_fork_copy + vmm_set_cow) and copy on write
 * (vmm_handle_cow). ARCHITECTURE.md, "Virtual memory", invariants 3-5.
 *
 * A vmm_t is embedded in each process copy, in that copy's cluster. Its
 * VSL is an xlist of vseg_t sorted by address behind a remote rwlock; its
 * GPT is the hardware page table of hal_gpt.h, guarded by a remote
 * queuelock taken inside the VSL lock. Public vsegs and their PTEs are
 * authoritative in the reference copy (process_t.ref_cxy).
 *
 * Page ownership. A page mapped without GPT_FILE belongs to the mappings
 * that share it: page_t.forks counts the sharers beyond the first, updated
 * by remote atomics in the page's cluster. Forking a private page adds one;
 * releasing it (unmap, exit, COW copy) takes one, and the last release
 * frees the page in its cluster (ppm_free_any). A GPT_FILE page belongs to
 * a file (vfs_inode_page) and is never freed by the VMM.
 */
#ifndef _VMM_H_
#define _VMM_H_

#include <stdint.h>
#include <stdbool.h>
#include "xlist.h"
#include "rwlock.h"
#include "queuelock.h"
#include "hal_gpt.h"

struct vfs_inode_s;

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

/* Linux PROT_* (asm-generic/mman-common.h) */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

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
} vseg_t;

typedef struct vmm_s {
    remote_rwlock_t vsl_lock;       /* the VSL: RANK_VSL */
    xlist_entry_t   vsl_root;       /* vseg_t, sorted */
    uint32_t        vsegs;          /* vsegs in the VSL */
    remote_queuelock_t gpt_lock;    /* every PTE change of this copy: RANK_GPT */
    hal_gpt_t       gpt;
    uint64_t        heap_start;     /* brk(2) floor, bytes */
    uint64_t        brk;            /* current break, bytes (not page aligned) */
    uint64_t        stack_min;      /* the stack vseg [stack_min, stack_max) */
    uint64_t        stack_max;
    uint64_t        mmap_top;       /* mmap(2) allocates top-down below this address */
    /* fault counters of this copy (ARCHITECTURE.md): */
    uint64_t        faults_local;   /* a page was allocated or replicated here */
    uint64_t        faults_global;  /* the PTE was copied from the reference GPT */
    uint64_t        faults_false;   /* the PTE already allowed the access (stale TLB) */
    uint64_t        faults_cow;     /* a write to a copy-on-write page */
    uint64_t        pages;          /* user pages mapped in this copy's GPT */
} vmm_t;

#define USER_STACK_TOP   0x00007ffffffff000ull  /* = USER_END */
#define USER_STACK_SIZE  (8ull << 20)           /* bytes: RLIMIT_STACK's Linux default */
#define USER_MMAP_TOP    0x00007ff000000000ull  /* mmap(2) area, top-down */
#define USER_PIE_BIAS    0x0000555555554000ull  /* load bias of static-PIE programs */

/* Fault causes, from the x86 page-fault error code (SDM Vol. 3A, 4.7) */
#define VMM_FAULT_PRESENT 0x01
#define VMM_FAULT_WRITE   0x02
#define VMM_FAULT_USER    0x04
#define VMM_FAULT_EXEC    0x10

/*
 * Initialises an empty vmm (no vseg) with a new GPT in the calling
 * cluster. @return 0 or -ENOMEM.
 */
int vmm_init(vmm_t *vmm);

/*
 * Removes every vseg of @vmm, releasing its pages and file references, and
 * keeps the GPT tables (exec reuses them). Owes a full TLB flush of the
 * copy's cores, done here for the calling core. Runs in the copy's cluster.
 */
void vmm_clear(vmm_t *vmm);

/* vmm_clear(), then frees the GPT. No core may be running on it. */
void vmm_destroy(vmm_t *vmm);

/*
 * Adds a vseg [@min, @max) (page aligned, bytes) to the local copy @vmm.
 * @return the vseg, or NULL: -ENOMEM, or -EEXIST when it overlaps one
 * (in *@err). Takes the VSL lock for writing. File vsegs take a reference on @file.
 */
vseg_t *vmm_add_vseg(vmm_t *vmm, vseg_type_t type, uint64_t min, uint64_t max, uint32_t prot,
                     struct vfs_inode_s *file, uint64_t file_off, uint64_t file_bytes, int *err);

/*
 * Resolves a page fault of the calling thread's process at user address
 * @vaddr with the x86 error code @error (VMM_FAULT_*): zero-fill, file
 * copy, CODE replica, global fault or vmm_handle_cow. Runs in the process
 * copy's cluster, interrupts enabled; takes the VSL lock (read) then the
 * GPT lock. @return 0 when the access can be retried, -EFAULT when it is
 * not allowed (no vseg, or its protection forbids it: SIGSEGV), -ENOMEM.
 */
int vmm_handle_fault(vmm_t *vmm, uint64_t vaddr, uint32_t error);

/*
 * Copy on write of @vpn in @vmm, whose PTE is mapped GPT_COW: copies the
 * page into the calling cluster while it is still shared (page_t.forks > 0),
 * else makes it writable in place; writes the new PTE to the reference and
 * every copy, and flushes. Caller holds the GPT lock. @return 0 or -ENOMEM.
 */
int vmm_handle_cow(vmm_t *vmm, uint64_t vpn, uint32_t attr, uint64_t ppn);

/*
 * Builds the child's VSL and GPT (@child, local, freshly initialised) from
 * the reference copy of the parent, @parent_xp (any cluster): every vseg
 * is copied; every private page is shared read-only and GPT_COW in the
 * child, its fork counter incremented by remote atomic; CODE replicas are
 * not copied (the child replicates on fault). Runs in the child's cluster,
 * the parent blocked in fork. @return 0 or -ENOMEM (the child is left
 * empty: nothing leaked, no counter changed).
 */
int vmm_fork_copy(vmm_t *child, xptr_t parent_xp);

/*
 * Marks every private page of @vmm (the parent's reference copy, and every
 * other copy) copy-on-write after vmm_fork_copy shared them, and flushes the
 * TLBs. Runs in the reference cluster.
 */
void vmm_set_cow(vmm_t *vmm);

/*
 * mmap(2) of @len bytes (rounded up to pages): anonymous (@file NULL) or a
 * private copy of @file from byte @off. @addr: a hint, or the exact place
 * when @fixed (what was there is unmapped first). @return the address, or
 * -ENOMEM (no room, no memory), -EINVAL (bad alignment or length).
 */
int64_t vmm_mmap(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
                 struct vfs_inode_s *file, uint64_t off);

/* munmap(2): @return 0 or -EINVAL. Splits vsegs as needed; releases the pages; flushes. */
int vmm_munmap(vmm_t *vmm, uint64_t addr, uint64_t len);

/* mprotect(2): @return 0, -EINVAL, -ENOMEM (a page in the range has no vseg, Linux's answer). */
int vmm_mprotect(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot);

/* brk(2): moves the break to @addr when possible; @return the (new or unchanged) break. */
uint64_t vmm_brk(vmm_t *vmm, uint64_t addr);

/*
 * Writes @len bytes of @src at user address @uaddr of the local copy @vmm,
 * faulting its pages in as a user write would, through the direct map
 * (whatever page table the calling core runs on: exec builds the stack of
 * a process that is not running). @return 0, -EFAULT, -ENOMEM.
 */
int vmm_copy_to(vmm_t *vmm, uint64_t uaddr, const void *src, size_t len);

/*
 * True when every byte of [@addr, @addr + @len) lies in a vseg that allows
 * the access (@write: PROT_WRITE, else PROT_READ). System calls check a
 * user buffer with it before they consume data they could not give back.
 */
bool vmm_range_accessible(vmm_t *vmm, uint64_t addr, uint64_t len, bool write);

/* Name of a vseg type ("CODE", ...), for /proc/<pid>/maps. */
const char *vseg_type_name(vseg_type_t type);

/*
 * Writes /proc/<pid>/maps lines of @vmm into @buf (@cap bytes), Linux format
 * plus the vseg type and the reference cluster @ref_cxy. @return bytes.
 */
int64_t vmm_format_maps(vmm_t *vmm, uint32_t ref_cxy, char *buf, size_t cap);

#endif
