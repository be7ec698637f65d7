/*
 * kmem.h - kmem, the generic kernel allocator of a cluster: objects of any
 * size, from the KCM caches (kcm.h) up to 2048 bytes, as whole pages of the
 * PPM (ppm.h) beyond.
 *
 * kmem_alloc() picks the KCM of the smallest power-of-two class from 64 to
 * 2048 bytes that fits, or takes 2^k whole pages above KCM_MAX_SHIFT; the
 * page descriptor tells kmem_free() which it was (PG_KCM).
 *
 * Locality (invariants 1, 2): allocation is from the local cluster; memory
 * is freed in the cluster that allocated it (kmem_free_any sends an RPC
 * when it is remote). Locks: those of the KCM and the PPM, inside each call.
 */
#ifndef _KMEM_H_
#define _KMEM_H_

#include <stddef.h>

/*
 * Allocates @size bytes in the local cluster: from the KCM of the smallest
 * class that fits, or as 2^k whole pages above KCM_MAX_SHIFT.
 * @return zeroed memory, or NULL when out of memory.
 */
void *kmem_alloc(size_t size);

/* Frees memory from kmem_alloc(); runs in the memory's cluster. NULL is ignored. */
void kmem_free(void *ptr);

/*
 * Frees a kmem object of any cluster: kmem_free() when it is local, else
 * RPC_KMEM_FREE to its cluster (invariant 2). Threads only when it may be
 * remote (the RPC blocks); no busylock held. NULL is ignored.
 */
void kmem_free_any(void *ptr);

#endif
