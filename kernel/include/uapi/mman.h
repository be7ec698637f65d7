/*
 * uapi/mman.h - mmap(2) and mprotect(2) protections and mmap(2) flags.
 *
 * From Linux's include/uapi/asm-generic/mman-common.h (PROT_*, MAP_FIXED,
 * MAP_ANONYMOUS, MAP_POPULATE, MAP_FIXED_NOREPLACE) and
 * include/uapi/linux/mman.h (MAP_SHARED, MAP_PRIVATE), MS_* and MLOCK_ONFAULT
 * also from mman-common.h, MCL_* from asm-generic/mman.h; x86_64's
 * arch/x86/include/uapi/asm/mman.h adds nothing used here.
 * tests/host/test_uapi.c checks every value against the system's
 * <asm/mman.h> and <linux/mman.h>.
 */
#ifndef _UAPI_MMAN_H_
#define _UAPI_MMAN_H_

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED          0x01      /* changes are seen by every mapper */
#define MAP_PRIVATE         0x02      /* changes are private (copy-on-write) */
#define MAP_FIXED           0x10      /* exactly at addr, replacing what is there */
#define MAP_ANONYMOUS       0x20      /* zero-filled, no file */
#define MAP_POPULATE        0x8000    /* fault every page in now */
#define MAP_FIXED_NOREPLACE 0x100000  /* exactly at addr, or EEXIST */
#define MAP_TYPE            0x0f      /* the bits of the mapping type */
#define MAP_SHARED_VALIDATE 0x03      /* shared, and unknown flags are EOPNOTSUPP */
/* the other flags Linux's LEGACY_MAP_MASK accepts (include/linux/mman.h) */
#define MAP_GROWSDOWN       0x0100
#define MAP_DENYWRITE       0x0800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_HUGETLB         0x40000
#define MAP_UNINITIALIZED   0x4000000

/* msync(2) flags (mman-common.h) */
#define MS_ASYNC       1              /* schedule the write-back */
#define MS_INVALIDATE  2              /* invalidate the other mappings */
#define MS_SYNC        4              /* write back and wait */

/* mlock2(2) and mlockall(2) flags (mman-common.h, asm-generic/mman.h) */
#define MLOCK_ONFAULT  0x01           /* lock the pages as they fault in: no prefault */
#define MCL_CURRENT    1              /* lock every current mapping */
#define MCL_FUTURE     2              /* and every future one */
#define MCL_ONFAULT    4              /* as they fault in */

#endif
