/*
 * hal_remote.h - extended pointers and remote memory access.
 *
 * An xptr_t names an object in some cluster's memory: the cluster (cxy) in
 * the top 16 bits, the low 48 bits of its kernel virtual address below.
 * x86_64 kernel addresses are canonical with bits 63:47 all ones (Intel SDM
 * Vol. 1, 3.3.7.1), so GET_PTR() restores them by sign extension from
 * bit 47 (which also keeps user-space pointers of the host unit tests).
 *
 * On x86 every cluster's memory is in the shared direct map, so a remote
 * access is an ordinary load or store; it is nevertheless always spelled
 * through these functions, so that it is greppable and, in the instrumented
 * build (INSTRUMENT=1), counted per (this cluster, target cluster) pair.
 * The counters are readable with hal_remote_count(). Any core, any context.
 */
#ifndef _HAL_REMOTE_H_
#define _HAL_REMOTE_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint64_t xptr_t;

#define XPTR_NULL        ((xptr_t)0)
#define XPTR(cxy, ptr)   (((uint64_t)(cxy) << 48) | ((uint64_t)(uintptr_t)(ptr) & 0xffffffffffffull))
#define GET_CXY(xp)      ((uint32_t)((xp) >> 48))
#define GET_PTR(xp)      ((void *)(uintptr_t)((int64_t)((uint64_t)(xp) << 16) >> 16))

/*
 * Hands the HAL the counters of cluster @cxy's accesses, by target cluster:
 * @row (MAX_CLUSTERS words, in cluster @cxy's memory) then counts them and
 * hal_remote_count(@cxy, ...) reads them. Until then nothing is counted from
 * @cxy. Run once per cluster by the core that builds it, at boot.
 */
void hal_remote_count_init(uint32_t cxy, uint64_t *row);

/* Counts one access from the calling core's cluster to @cxy (instrumented build). */
void hal_remote_count_access(uint32_t cxy);

#if defined(INSTRUMENT) && !defined(ARCHIPEL_HOST)
#define HAL_REMOTE_COUNT(xp) hal_remote_count_access(GET_CXY(xp))
#else
#define HAL_REMOTE_COUNT(xp) do { } while (0)
#endif

static inline uint32_t hal_remote_l32(xptr_t xp)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_load_n((volatile uint32_t *)GET_PTR(xp), __ATOMIC_ACQUIRE);
}

static inline uint64_t hal_remote_l64(xptr_t xp)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_load_n((volatile uint64_t *)GET_PTR(xp), __ATOMIC_ACQUIRE);
}

static inline void hal_remote_s32(xptr_t xp, uint32_t v)
{
    HAL_REMOTE_COUNT(xp);
    __atomic_store_n((volatile uint32_t *)GET_PTR(xp), v, __ATOMIC_RELEASE);
}

static inline void hal_remote_s64(xptr_t xp, uint64_t v)
{
    HAL_REMOTE_COUNT(xp);
    __atomic_store_n((volatile uint64_t *)GET_PTR(xp), v, __ATOMIC_RELEASE);
}

static inline xptr_t hal_remote_lxp(xptr_t xp)
{
    return (xptr_t)hal_remote_l64(xp);
}

static inline void hal_remote_sxp(xptr_t xp, xptr_t v)
{
    hal_remote_s64(xp, (uint64_t)v);
}

/*
 * Compare-and-swap of the 32-bit word at @xp: stores @new if it holds @old.
 * @return true when the swap happened.
 */
static inline bool hal_remote_cas(xptr_t xp, uint32_t old, uint32_t new_)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_compare_exchange_n((volatile uint32_t *)GET_PTR(xp), &old, new_, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Atomic add / or / and on the 32-bit word at @xp. @return the OLD value. */
static inline uint32_t hal_remote_atomic_add(xptr_t xp, int32_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_add((volatile uint32_t *)GET_PTR(xp), (uint32_t)v, __ATOMIC_ACQ_REL);
}

static inline uint32_t hal_remote_atomic_or(xptr_t xp, uint32_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_or((volatile uint32_t *)GET_PTR(xp), v, __ATOMIC_ACQ_REL);
}

static inline uint32_t hal_remote_atomic_and(xptr_t xp, uint32_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_and((volatile uint32_t *)GET_PTR(xp), v, __ATOMIC_ACQ_REL);
}

/*
 * 64-bit forms of the above, for counters and bit sets that live in another
 * cluster's memory (LOCK XADD / LOCK CMPXCHG on a quadword: Intel SDM Vol. 2,
 * "XADD", "CMPXCHG"; Vol. 3A 9.1.2.2 for their atomicity). @return the OLD
 * value, except hal_remote_cas64 which returns true when the swap happened.
 */
static inline bool hal_remote_cas64(xptr_t xp, uint64_t old, uint64_t new_)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_compare_exchange_n((volatile uint64_t *)GET_PTR(xp), &old, new_, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static inline uint64_t hal_remote_atomic_add64(xptr_t xp, int64_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_add((volatile uint64_t *)GET_PTR(xp), (uint64_t)v, __ATOMIC_ACQ_REL);
}

static inline uint64_t hal_remote_atomic_or64(xptr_t xp, uint64_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_or((volatile uint64_t *)GET_PTR(xp), v, __ATOMIC_ACQ_REL);
}

static inline uint64_t hal_remote_atomic_and64(xptr_t xp, uint64_t v)
{
    HAL_REMOTE_COUNT(xp);
    return __atomic_fetch_and((volatile uint64_t *)GET_PTR(xp), v, __ATOMIC_ACQ_REL);
}

/* Copies @size bytes from @src to @dst (either or both remote). Counted once. */
void hal_remote_memcpy(xptr_t dst, xptr_t src, size_t size);

/*
 * Copies the NUL-terminated string at @src to @dst, at most @size bytes
 * including the NUL (always terminated when @size > 0). Counted once.
 */
void hal_remote_strcpy(xptr_t dst, xptr_t src, size_t size);

/*
 * Accesses counted from cluster @from to cluster @to since boot (0 when
 * the build is not instrumented).
 */
uint64_t hal_remote_count(uint32_t from, uint32_t to);

#endif
