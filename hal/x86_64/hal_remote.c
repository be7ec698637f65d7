/*
 * hal_remote.c - remote access helpers and counters (see hal_remote.h).
 *
 * Each cluster counts its own outgoing accesses in a row of counters in its
 * own memory (the kernel's cluster_t.remote_count[target], which the kernel
 * hands over with hal_remote_count_init() when it builds the cluster), so
 * counting never writes another cluster's memory. The HAL keeps only the
 * table of those rows, read-mostly boot information (invariant 1).
 */
#include <stdbool.h>
#include "hal_remote.h"
#include "hal_core.h"
#include "hal_upcalls.h"

/* The counters of each cluster, by target; NULL until hal_remote_count_init() */
static uint64_t *remote_rows[MAX_CLUSTERS];

void hal_remote_count_init(uint32_t cxy, uint64_t *row)
{
    if (cxy < MAX_CLUSTERS)
        remote_rows[cxy] = row;
}

void hal_remote_count_access(uint32_t cxy)
{
    uint64_t *row = remote_rows[hal_core_cxy()];

    if (row != NULL && cxy < MAX_CLUSTERS)
        __atomic_add_fetch(&row[cxy], 1, __ATOMIC_RELAXED);
}

void hal_remote_memcpy(xptr_t dst, xptr_t src, size_t size)
{
    HAL_REMOTE_COUNT(GET_CXY(dst) != hal_core_cxy() ? dst : src);
    memcpy(GET_PTR(dst), GET_PTR(src), size);
}

void hal_remote_strcpy(xptr_t dst, xptr_t src, size_t size)
{
    char *d = GET_PTR(dst);
    const char *s = GET_PTR(src);
    size_t i = 0;

    HAL_REMOTE_COUNT(GET_CXY(dst) != hal_core_cxy() ? dst : src);
    if (size == 0)
        return;
    for (; i + 1 < size && s[i]; i++)
        d[i] = s[i];
    d[i] = '\0';
}

uint64_t hal_remote_count(uint32_t from, uint32_t to)
{
    if (from >= MAX_CLUSTERS || to >= MAX_CLUSTERS || remote_rows[from] == NULL)
        return 0;
    return __atomic_load_n(&remote_rows[from][to], __ATOMIC_RELAXED);
}
