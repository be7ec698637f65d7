/*
 * vmm.h - virtual memory of a process copy: vmm_t (its VSL and GPT), the
 * operations on an address space (vmm.c: init and clear, freezing the
 * reference, fork with vmm_fork_copy + vmm_set_cow, mmap, munmap,
 * mprotect, brk, RPC_VMM and RPC_VMM_SYNC) and page faults with copy on
 * write (vmm_fault.c: vmm_handle_fault, vmm_handle_cow, the user-address
 * helpers). ARCHITECTURE.md, "Virtual memory", invariants 3-5. The vsegs
 * and the VSL are in vseg.h, TLB shootdown in tlb.h, page ownership in
 * page.h (the fork counter page_t.forks).
 *
 * A vmm_t is embedded in each process copy (process_t.vmm), in that copy's
 * cluster. Its VSL is an xlist of vseg_t sorted by address behind a remote
 * rwlock; its GPT is the hardware page table of hal_gpt.h, guarded by a
 * remote queuelock taken inside the VSL lock. The list of the copies is
 * the process's, not the VMM's (process_copy.h): a downgrade asks it for
 * the copies it must reach (process_copy_vmms).
 *
 * Reference and copies (invariant 3). The reference copy, in the process's
 * reference cluster, is authoritative: every public vseg (all but CODE) and
 * every PTE of a public vseg is in it. A non-reference copy is a cache,
 * filled lazily by page faults: a fault there first takes the vseg from the
 * reference VSL, then the PTE from the reference GPT (a "global fault"),
 * or creates the page and sets the reference PTE before its own. CODE vsegs
 * are private to each copy (a replica of the text in its cluster). Only
 * reference PTEs own their pages; a copy's public PTEs own nothing.
 *
 * Downgrades are eager (invariant 4). vmm_set_cow, COW resolution, munmap,
 * mprotect and brk shrink update the reference, then every copy in one
 * round (a multicast RPC when vsegs change, remote PTE writes otherwise),
 * then shoot down the TLBs of exactly the cores whose CR3 holds one of the
 * changed GPTs (core_t.active_gpt) and wait for their acknowledgements.
 * mmap, munmap, mprotect, brk and vmm_set_cow called on the reference from
 * another cluster run in the reference cluster by RPC (RPC_VMM).
 *
 * Lock order: reference VSL (RANK_VSL) < copy VSL (RANK_VSL_COPY) <
 * reference GPT (RANK_GPT) < copy GPT (RANK_GPT_COPY) < the process's
 * copies lock (RANK_COPIES, a busylock, process_copy.h). A copy can only be
 * unlinked from the copies list by a thread holding the reference VSL
 * (read) and GPT locks (vmm_ref_freeze), so a downgrade round that holds
 * the reference GPT lock or the reference VSL for writing never meets a
 * freed copy.
 */
#ifndef _VMM_H_
#define _VMM_H_

#include <stdint.h>
#include <stdbool.h>
#include "xlist.h"
#include "rwlock.h"
#include "queuelock.h"
#include "hal_gpt.h"
#include "tlb.h"           /* vmm_shootdown_ipi, for the trap dispatch */
#include "vseg.h"
#include "trace.h"          /* enum trace_fault_kind: the kinds of vmm_t.faults */

struct vfs_inode_s;

/*
 * The fault counters of a copy (vmm_t.faults), one per kind of fault
 * (ARCHITECTURE.md): indexed by the trace's kinds, TRACE_FAULT_LOCAL (a
 * page was allocated or replicated here), TRACE_FAULT_GLOBAL (the PTE was
 * copied from the reference GPT), TRACE_FAULT_FALSE (the PTE already
 * allowed the access: stale TLB, or another thread won) and
 * TRACE_FAULT_COW (a write to a copy-on-write page). TRACE_FAULT_BAD, a
 * fault not resolved, is not counted.
 */
#define VMM_FAULT_KINDS (TRACE_FAULT_COW + 1)

typedef struct vmm_s {
    remote_rwlock_t vsl_lock;       /* the VSL: RANK_VSL (reference) or RANK_VSL_COPY */
    xlist_entry_t   vsl_root;       /* vseg_t, sorted */
    uint32_t        vsegs;          /* vsegs in the VSL */
    remote_queuelock_t gpt_lock;    /* every PTE change of this copy: RANK_GPT or RANK_GPT_COPY */
    hal_gpt_t       gpt;
    bool            is_ref;         /* this is the reference copy */
    xptr_t          ref;            /* the reference copy's vmm_t (itself in the reference) */
    volatile uint64_t vsl_gen;      /* reference: bumped whenever a vseg shrinks or goes */
    uint64_t        heap_start;     /* brk(2) floor, bytes */
    uint64_t        brk;            /* current break, bytes (not page aligned) */
    uint64_t        stack_min;      /* the stack vseg [stack_min, stack_max) */
    uint64_t        stack_max;
    uint64_t        mmap_top;       /* mmap(2) allocates top-down below this address */
    uint64_t        faults[VMM_FAULT_KINDS];  /* faults resolved in this copy, by kind */
    uint32_t        pages;          /* user pages mapped in this copy's GPT */
} vmm_t;

#define USER_STACK_TOP   0x00007ffffffff000ull  /* = USER_END */
#define USER_STACK_SIZE  (8ull << 20)           /* bytes: RLIMIT_STACK's Linux default */
#define USER_MMAP_TOP    0x00007ff000000000ull  /* mmap(2) area, top-down */
#define USER_PIE_BIAS    0x0000555555554000ull  /* load bias of static-PIE programs */

/* ---- address spaces (vmm.c) --------------------------------------------------------- */

/*
 * Initialises an empty vmm (no vseg) with a new GPT in the calling
 * cluster: a reference copy when @ref is XPTR_NULL, else a copy of the
 * reference @ref (not yet linked in the copies list:
 * process_copy_link_locked). @return 0 or -ENOMEM.
 */
int vmm_init(vmm_t *vmm, xptr_t ref);

/*
 * Freezes the reference address space of copy @vmm (any copy, run in its
 * cluster): takes the reference VSL (read) and GPT locks, so that no
 * downgrade round runs until vmm_ref_thaw() releases them. It is the only
 * state in which a copy may be unlinked from the copies list
 * (process_copy_unlink_locked); the caller then takes the copies lock
 * itself.
 */
void vmm_ref_freeze(vmm_t *vmm);
void vmm_ref_thaw(vmm_t *vmm);

/*
 * Removes every vseg of @vmm, releasing the pages its PTEs own and its file
 * references, and keeps the GPT tables (exec reuses them). Runs in the
 * copy's cluster, with no core running on the copy but possibly the
 * calling one (exec): that core's TLB is flushed. A reference with live
 * copies must not be cleared (exec of a process with threads elsewhere is
 * refused before).
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
 * Builds the child's VSL and GPT (@child, local, freshly initialised) from
 * the reference copy of the parent, @parent_xp (any cluster): every vseg
 * is copied; every private page is shared read-only and GPT_COW in the
 * child, its fork counter incremented by remote atomic; CODE replicas are
 * not copied (the child replicates on fault). Runs in the child's cluster,
 * the parent blocked in fork. Takes the parent's VSL (read) and GPT locks;
 * the child, not yet published, is filled without its own. @return 0 or
 * -ENOMEM (the child is left empty: nothing leaked, no counter changed).
 */
int vmm_fork_copy(vmm_t *child, xptr_t parent_xp);

/*
 * Marks every private page of @vmm (the parent's reference copy, and every
 * other copy, by one multicast RPC) copy-on-write after vmm_fork_copy shared
 * them, and shoots down the TLBs of the parent's cores. Any cluster (runs
 * in the reference cluster, by RPC_VMM when called from elsewhere).
 */
void vmm_set_cow(vmm_t *vmm);

/* vmm_mmap() @flags */
#define VMM_MAP_FIXED    0x1        /* exactly at @addr; what was there is unmapped first */
#define VMM_MAP_SHARED   0x2        /* MAP_SHARED: anonymous, shared with children after fork
                                       (populated); or a file's own pages (mapper.h) */
#define VMM_MAP_POPULATE 0x4        /* fault every page in now */

/*
 * mmap(2) of @len bytes (rounded up to pages) in the reference copy @vmm
 * (any cluster: by RPC_VMM in the reference cluster): anonymous (@file
 * NULL) or @file from byte @off, a private copy, or with VMM_MAP_SHARED the
 * file's own page-cache pages (mapper_page_get_alloc), mapped on fault,
 * the same physical pages in every process and cluster, so writes reach
 * the file and every other mapping (man 2 mmap; a page past the end of the
 * file faults with -EFAULT where Linux sends SIGBUS). @addr: a hint, or the
 * exact place with VMM_MAP_FIXED. @return the address, or -ENOMEM (no
 * room, no memory), -EINVAL (bad alignment, length or protection).
 */
int64_t vmm_mmap(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
                 struct vfs_inode_s *file, uint64_t off);

/*
 * munmap(2) in the reference copy @vmm (any cluster, by RPC_VMM): splits
 * vsegs as needed, removes the range from every copy (one multicast round),
 * shoots down, then releases the pages. @return 0, -EINVAL, -ENOMEM (a
 * split needed memory).
 */
int vmm_munmap(vmm_t *vmm, uint64_t addr, uint64_t len);

/*
 * mprotect(2) in the reference copy @vmm (any cluster): splits and merges
 * vsegs, rewrites the reference PTEs, invalidates the range in every copy,
 * shoots down. @return 0, -EINVAL, -ENOMEM (a page in the range has no
 * vseg, Linux's answer; or a split needed memory).
 */
int vmm_mprotect(vmm_t *vmm, uint64_t addr, uint64_t len, uint32_t prot);

/* brk(2) in the reference copy @vmm (any cluster): @return the (new or unchanged) break. */
uint64_t vmm_brk(vmm_t *vmm, uint64_t addr);

/* RPC handlers (rpc_table): RPC_VMM (an operation on a reference copy) and
 * RPC_VMM_SYNC (a downgrade of the local copy, multicast). */
void vmm_rpc_op(xptr_t desc);
void vmm_rpc_sync(xptr_t desc);

/*
 * Writes /proc/<pid>/maps lines of @vmm into @buf (@cap bytes), Linux format
 * plus the vseg type and the reference cluster @ref_cxy. @return bytes.
 */
int64_t vmm_format_maps(vmm_t *vmm, uint32_t ref_cxy, char *buf, size_t cap);

/* ---- page faults and user addresses (vmm_fault.c) ------------------------------------ */

/* Fault causes, from the x86 page-fault error code (SDM Vol. 3A, 4.7) */
#define VMM_FAULT_PRESENT 0x01
#define VMM_FAULT_WRITE   0x02
#define VMM_FAULT_USER    0x04
#define VMM_FAULT_EXEC    0x10

/*
 * Resolves a page fault at user address @vaddr with the x86 error code
 * @error (VMM_FAULT_*) in the local copy @vmm: zero-fill, file copy, CODE
 * replica, global fault or copy on write. Runs in the copy's cluster,
 * interrupts enabled; takes the copy's VSL (read), the reference GPT, then
 * the copy's GPT; may read the reference VSL first (a vseg this copy has
 * not cached) and may send RPC_PPM_ALLOC to the reference cluster (a
 * missing table of the reference GPT). @return 0 when the access can be
 * retried, -EFAULT when it is not allowed (no vseg, or its protection
 * forbids it: SIGSEGV), -ENOMEM.
 */
int vmm_handle_fault(vmm_t *vmm, uint64_t vaddr, uint32_t error);

/*
 * Copy on write of @vpn, whose reference PTE (@attr, @ppn) is GPT_COW, for a
 * fault in the local copy @vmm: copies the page into the calling cluster
 * while it is still shared (page_t.forks > 0), else makes it writable in
 * place; writes the new PTE to the reference, removes the old one from
 * every other copy (remote PTE writes, one round), shoots down the cores
 * running those GPTs and waits for them. Caller holds the reference GPT
 * lock. @return 0 with the new PTE in *@nattr / *@nppn, or -ENOMEM.
 */
int vmm_handle_cow(vmm_t *vmm, uint64_t vpn, uint32_t attr, uint64_t ppn,
                   uint32_t *nattr, uint64_t *nppn);

/*
 * The physical address of user address @uaddr of the calling thread's
 * process, its page faulted in for writing (futex keys). @return 0 or
 * -EFAULT.
 */
int vmm_user_paddr(uint64_t uaddr, uint64_t *paddr);

/*
 * Writes @len bytes of @src at user address @uaddr of the local copy @vmm,
 * faulting its pages in as a user write would, through the direct map
 * (whatever page table the calling core runs on: exec builds the stack of
 * a process that is not running). @return 0, -EFAULT, -ENOMEM.
 */
int vmm_copy_to(vmm_t *vmm, uint64_t uaddr, const void *src, size_t len);

/*
 * True when every byte of [@addr, @addr + @len) lies in a vseg of the
 * reference copy @vmm (any cluster) that allows the access (@write:
 * PROT_WRITE, else PROT_READ). System calls check a user buffer with it
 * before they consume data they could not give back.
 */
bool vmm_range_accessible(vmm_t *vmm, uint64_t addr, uint64_t len, bool write);

/*
 * True when every byte of [@addr, @addr + @len) lies in a vseg of the
 * reference copy @vmm (any cluster), whatever its protection (msync,
 * munlock: man 2 msync, ENOMEM).
 */
bool vmm_range_mapped(vmm_t *vmm, uint64_t addr, uint64_t len);

/*
 * Faults in, as reads, every page of [@addr, @addr + @len) of the calling
 * thread's local process copy @vmm that its vseg's protection lets in (PROT_NONE
 * pages are skipped): mlock(2)'s "resident on return". Takes the VSL and
 * GPT locks of each fault. @return 0, or -ENOMEM (a hole in the range, or
 * no memory).
 */
int vmm_populate_range(vmm_t *vmm, uint64_t addr, uint64_t len);

#endif
