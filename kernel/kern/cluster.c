/*
 * cluster.c - building a cluster in its own memory (see cluster.h).
 */
#include "cluster.h"
#include "boot_info.h"
#include "printk.h"
#include "kstring.h"
#include "cpu.h"
#include "itimer.h"

cluster_t *cluster_tbl[MAX_CLUSTERS];

#define MAX_USABLE 32

/*
 * Removes [@base, @end) from the @n ranges of @r (room for @max), splitting
 * a range when the hole is in its middle. @return the new count.
 */
static uint32_t ranges_subtract(topo_range_t *r, uint32_t n, uint32_t max,
                                uint64_t base, uint64_t end)
{
    for (uint32_t i = 0; i < n; i++) {
        if (end <= r[i].base || base >= r[i].end)
            continue;
        if (base <= r[i].base && end >= r[i].end) {         /* covers it all */
            memmove(&r[i], &r[i + 1], (n - i - 1) * sizeof(*r));
            n--;
            i--;
        } else if (base > r[i].base && end < r[i].end) {    /* hole inside */
            if (n == max) {
                r[i].end = base;                           /* lose the tail */
                continue;
            }
            memmove(&r[i + 2], &r[i + 1], (n - i - 1) * sizeof(*r));
            r[i + 1].base = end;
            r[i + 1].end  = r[i].end;
            r[i].end      = base;
            n++;
            i++;
        } else if (base <= r[i].base) {
            r[i].base = end;
        } else {
            r[i].end = base;
        }
    }
    return n;
}

/*
 * The usable memory of cluster @cxy, page aligned: its SRAT ranges, inside
 * the multiboot2 "available" ranges, minus every boot reservation.
 */
static uint32_t cluster_usable(uint32_t cxy, topo_range_t *out, uint32_t max)
{
    const topo_cluster_t *tc = &boot_info.topo.cluster[cxy];
    const mb2_info_t *mb2 = &boot_info.mb2;
    uint32_t n = 0;

    for (uint32_t i = 0; i < tc->nranges; i++) {
        for (uint32_t j = 0; j < mb2->nmmap && n < max; j++) {
            const mb2_mmap_t *m = &mb2->mmap[j];
            uint64_t base, end;

            if (m->type != MB2_MEM_AVAILABLE)
                continue;
            base = tc->range[i].base > m->base ? tc->range[i].base : m->base;
            end  = tc->range[i].end < m->base + m->length ? tc->range[i].end
                                                          : m->base + m->length;
            base = (base + PAGE_SIZE - 1) & PAGE_MASK;
            end &= PAGE_MASK;
            if (base < end) {
                out[n].base = base;
                out[n].end  = end;
                n++;
            }
        }
    }
    for (uint32_t k = 0; k < boot_info.nreserved; k++)
        n = ranges_subtract(out, n, max, boot_info.reserved[k].base & PAGE_MASK,
                            (boot_info.reserved[k].end + PAGE_SIZE - 1) & PAGE_MASK);
    return n;
}

static uint32_t cluster_first_gid(uint32_t cxy)
{
    uint32_t gid = 0;

    for (uint32_t c = 0; c < cxy; c++)
        gid += boot_info.topo.cluster[c].ncores;
    return gid;
}

cluster_t *cluster_init(uint32_t cxy)
{
    const topo_cluster_t *tc = &boot_info.topo.cluster[cxy];
    topo_range_t usable[MAX_USABLE];
    uint32_t n = cluster_usable(cxy, usable, MAX_USABLE);
    uint64_t lo = ~0ull, hi = 0, npages, desc_bytes, cl_bytes, carve = 0;
    cluster_t *cl = NULL;
    page_t *desc;

    for (uint32_t i = 0; i < n; i++) {
        if (usable[i].base < lo)
            lo = usable[i].base;
        if (usable[i].end > hi)
            hi = usable[i].end;
    }
    if (n == 0)
        return NULL;
    npages     = (hi - lo) >> PAGE_SHIFT;
    cl_bytes   = (sizeof(cluster_t) + PAGE_SIZE - 1) & PAGE_MASK;
    desc_bytes = (npages * sizeof(page_t) + PAGE_SIZE - 1) & PAGE_MASK;

    /* cluster_t and the page descriptors: at the start of the first range that fits */
    for (uint32_t i = 0; i < n; i++) {
        if (usable[i].end - usable[i].base >= cl_bytes + desc_bytes) {
            carve = usable[i].base;
            break;
        }
    }
    if (carve == 0)
        return NULL;
    n = ranges_subtract(usable, n, MAX_USABLE, carve, carve + cl_bytes + desc_bytes);

    cl   = phys_to_virt(carve);
    desc = phys_to_virt(carve + cl_bytes);
    memset(cl, 0, sizeof(*cl));
    cl->magic      = CLUSTER_MAGIC;
    cl->cxy        = cxy;
    cl->domain     = tc->domain;
    cl->ncores     = tc->ncores;
    cl->first_gid  = cluster_first_gid(cxy);
    cl->boot_bytes = cl_bytes + desc_bytes;
    for (uint32_t i = 0; i < tc->nranges; i++)
        cl->mem_bytes += tc->range[i].end - tc->range[i].base;

    ppm_init(&cl->ppm, cxy, desc, lo >> PAGE_SHIFT, npages);
    for (uint32_t i = 0; i < n; i++)
        ppm_release(&cl->ppm, usable[i].base >> PAGE_SHIFT,
                    (usable[i].end - usable[i].base) >> PAGE_SHIFT);
    for (uint32_t k = 0; k < KCM_CLASSES; k++)
        kcm_init(&cl->kcm[k], cxy, 1u << (KCM_MIN_SHIFT + k));
    rpc_fifo_init(&cl->rpc_fifo);
    busylock_init(&cl->pid_lock, "pid", RANK_PID);
    busylock_init(&cl->ptree_lock, "ptree", RANK_PTREE);
    busylock_init(&cl->pgrp_lock, "pgrp", RANK_PGRP);
    itimer_cluster_init(cl);
    futex_cluster_init(cl);
    cl->pid_next = 1;

    for (uint32_t l = 0; l < tc->ncores; l++) {
        core_t *core = &cl->core[l];
        core->self    = core;
        core->magic   = CORE_MAGIC;
        core->cxy     = cxy;
        core->lid     = l;
        core->gid     = cl->first_gid + l;
        core->apic_id = tc->apic_id[l];
        core->cluster = cl;
    }
    cl->boot_free_pages = cl->ppm.buddy.free_pages;
    cluster_tbl[cxy] = cl;
    hal_remote_count_init(cxy, cl->remote_count);
    return cl;
}

uint32_t cluster_of_ptr(uintptr_t addr)
{
    uint64_t phys = virt_to_phys((const void *)addr);

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        if (topo_cluster_contains(&boot_info.topo, c, phys, phys + 1))
            return c;
    return 0;
}
