/*
 * hal_remote.c - remote access helpers and counters (see hal_remote.h).
 *
 * Each cluster counts its own outgoing accesses in its own cluster_t
 * (remote_count[target]), so counting never writes another cluster's memory.
 */
#include <stdbool.h>
#include "hal_remote.h"
#include "cluster.h"
#include "kstring.h"

void hal_remote_count_access(uint32_t cxy)
{
    cluster_t *cl = core_self()->cluster;

    if (cl != NULL && cxy < MAX_CLUSTERS)
        __atomic_add_fetch(&cl->remote_count[cxy], 1, __ATOMIC_RELAXED);
}

void hal_remote_memcpy(xptr_t dst, xptr_t src, size_t size)
{
    HAL_REMOTE_COUNT(GET_CXY(dst) != core_self()->cxy ? dst : src);
    memcpy(GET_PTR(dst), GET_PTR(src), size);
}

void hal_remote_strcpy(xptr_t dst, xptr_t src, size_t size)
{
    char *d = GET_PTR(dst);
    const char *s = GET_PTR(src);
    size_t i = 0;

    HAL_REMOTE_COUNT(GET_CXY(dst) != core_self()->cxy ? dst : src);
    if (size == 0)
        return;
    for (; i + 1 < size && s[i]; i++)
        d[i] = s[i];
    d[i] = '\0';
}

uint64_t hal_remote_count(uint32_t from, uint32_t to)
{
    if (from >= MAX_CLUSTERS || to >= MAX_CLUSTERS || cluster_tbl[from] == NULL)
        return 0;
    return __atomic_load_n(&cluster_tbl[from]->remote_count[to], __ATOMIC_RELAXED);
}
