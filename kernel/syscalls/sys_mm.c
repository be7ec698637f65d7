/*
 * sys_mm.c - memory calls that manage mappings without changing them
 * (Linux x86_64 ABI; see syscall.h): msync, mlock, mlock2, munlock.
 *
 * This kernel has no swap and no backing store: every page of a mapping
 * stays in memory once it is there, and a MAP_SHARED file mapping maps the
 * file's own page-cache pages (vmm.h). So msync has nothing to write back
 * and mlock's whole effect is to make the range resident now (man 2 mlock:
 * "all pages ... are guaranteed to be resident in RAM when the call
 * returns successfully"); munlock only checks the range. The limit
 * RLIMIT_MEMLOCK applies per call to unprivileged callers (locked pages
 * are not counted across calls).
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "process.h"
#include "cred.h"
#include "rlimit.h"
#include "vmm.h"
#include "page.h"
#include "uapi/errno.h"
#include "uapi/mman.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define PAGE_UP(a) (((a) + PAGE_SIZE - 1) & PAGE_MASK)

/*
 * msync(2): @return 0, or -EINVAL (@addr not page-aligned, unknown flags,
 * MS_ASYNC with MS_SYNC), -ENOMEM (a page of the range is not mapped).
 */
static int64_t sys_msync(ARGS)
{
    uint64_t addr = a0, len = PAGE_UP(a1), flags = a2;

    if ((addr & ~PAGE_MASK) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!vmm_range_mapped(process_current_vmm(), addr, len))
        return -ENOMEM;
    return 0;                            /* the pages are the file's: nothing to write back */
}

/*
 * mlock(2) / mlock2(2) of the pages holding [@addr, @addr + @len): @return 0,
 * or -EINVAL (unknown @flags), -ENOMEM (a page not mapped, no memory, or more
 * than RLIMIT_MEMLOCK bytes for an unprivileged caller), -EPERM (an
 * unprivileged caller whose RLIMIT_MEMLOCK is 0).
 */
static int64_t do_mlock(uint64_t addr, uint64_t len, uint64_t flags)
{
    uint64_t start = addr & PAGE_MASK, end = PAGE_UP(addr + len);
    krlimit64_t lim;
    cred_t c;

    if (flags & ~(uint64_t)MLOCK_ONFAULT)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (end < start)
        return -ENOMEM;
    cred_get(&c);
    rlimit_get(RLIMIT_MEMLOCK, &lim);
    if (c.euid != 0) {
        if (lim.rlim_cur == 0)
            return -EPERM;
        if (end - start > lim.rlim_cur)
            return -ENOMEM;
    }
    if (!vmm_range_mapped(process_current_vmm(), start, end - start))
        return -ENOMEM;
    if (flags & MLOCK_ONFAULT)
        return 0;                        /* resident as they fault in: nothing more to do */
    return vmm_populate_range(&process_copy_current()->vmm, start, end - start);
}

static int64_t sys_mlock(ARGS)  { return do_mlock(a0, a1, 0); }
static int64_t sys_mlock2(ARGS) { return do_mlock(a0, a1, a2); }

/* munlock(2): @return 0, or -ENOMEM (a page of the range is not mapped). */
static int64_t sys_munlock(ARGS)
{
    uint64_t start = a0 & PAGE_MASK, end = PAGE_UP(a0 + a1);

    if (a1 == 0)
        return 0;
    if (end < start || !vmm_range_mapped(process_current_vmm(), start, end - start))
        return -ENOMEM;
    return 0;
}

void sys_mm_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(msync);
    SYSCALL_ENTRY(mlock);
    SYSCALL_ENTRY(mlock2);
    SYSCALL_ENTRY(munlock);
}
