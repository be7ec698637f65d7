/*
 * kcm.h - kernel cache manager: per-cluster caches of fixed-size objects.
 * kmem, the generic allocator on top of them, is in kmem.h.
 *
 * A kcm_t hands out objects of one size carved from single pages of its
 * cluster's PPM; a page's free objects are chained through their first
 * word, and the page descriptor keeps the chain and the count of objects
 * in use. Every cluster has one KCM per power-of-two size class from 64 to
 * 2048 bytes (cluster_t.kcm); kmem_alloc() picks the class.
 *
 * Locality (invariants 1, 2): allocation is from the local cluster; an
 * object is freed in the cluster that allocated it (remote frees are RPCs).
 * Locks: kcm.lock (busylock) inside each call, then the PPM lock.
 */
#ifndef _KCM_H_
#define _KCM_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "busylock.h"
#include "list.h"
#include "kmem.h"           /* kmem_alloc and co., which most users of the KCM call */

#define KCM_MIN_SHIFT 6                   /* 64-byte objects */
#define KCM_MAX_SHIFT 11                  /* 2048-byte objects */
#define KCM_CLASSES   (KCM_MAX_SHIFT - KCM_MIN_SHIFT + 1)

typedef struct kcm_s {
    busylock_t   lock;          /* guards everything below */
    uint32_t     cxy;           /* cluster of the cache and of its pages */
    uint32_t     obj_size;      /* bytes */
    uint32_t     objs_per_page;
    uint32_t     npages;        /* pages held (partial + full) */
    list_entry_t partial;       /* pages with at least one free object */
    list_entry_t full;          /* pages with none */
    uint64_t     used;          /* objects handed out */
} kcm_t;

/*
 * The kcm_debug command-line option (DEBUG kernels): free objects are
 * poisoned and checked (kcm.c). Off by default: it found a use after free
 * of a thread_t that migration can hit (signal_forward kicking a thread that
 * already exited), not fixed yet. Set before any KCM use.
 */
extern bool kcm_debug;

/* Initialises @kcm for objects of @obj_size bytes (>= 8, <= 2048) of cluster @cxy. */
void kcm_init(kcm_t *kcm, uint32_t cxy, uint32_t obj_size);

/*
 * Allocates one object from @kcm, which must belong to the local cluster.
 * @return the object (not zeroed), or NULL when the PPM has no page left.
 */
void *kcm_alloc(kcm_t *kcm);

/*
 * Frees @obj, allocated by kcm_alloc() in the local cluster. A page left
 * with no object in use goes back to the PPM. A pointer that is not a KCM
 * object is a kernel bug (panic).
 */
void kcm_free(void *obj);

#endif
