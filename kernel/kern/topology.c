/*
 * topology.c - clusters from ACPI proximity domains (see topology.h).
 */
#include "topology.h"
#include "uapi/errno.h"
#include "kstring.h"

/* Working state of one proximity domain while the clusters are formed. */
typedef struct topo_domain_s {
    uint32_t id;          /* proximity domain number */
    uint32_t ncores;      /* enabled processors in it */
    uint64_t mem_bytes;   /* SRAT memory in it, bytes */
    uint32_t home;        /* index (in dom[]) of the complete domain it joins */
    int32_t  cxy;         /* cluster of a complete domain, -1 otherwise */
} topo_domain_t;

typedef struct topo_work_s {
    uint32_t      ndom;
    topo_domain_t dom[ACPI_MAX_DOMAINS];
} topo_work_t;

static void topo_note(topology_t *t, const char *msg)
{
    if (t->nnotes < TOPO_MAX_NOTES)
        snprintf(t->note[t->nnotes++], TOPO_MSG_LEN, "%s", msg);
}

/* Index of domain @id in @w, adding it when new; -1 when the table is full. */
static int topo_domain_index(topo_work_t *w, uint32_t id)
{
    uint32_t i;

    for (i = 0; i < w->ndom; i++)
        if (w->dom[i].id == id)
            return (int)i;
    if (w->ndom == ACPI_MAX_DOMAINS)
        return -1;
    /* keep dom[] sorted by domain number: clusters are numbered in that order */
    for (i = w->ndom; i > 0 && w->dom[i - 1].id > id; i--)
        w->dom[i] = w->dom[i - 1];
    memset(&w->dom[i], 0, sizeof(w->dom[i]));
    w->dom[i].id  = id;
    w->dom[i].cxy = -1;
    w->ndom++;
    return (int)i;
}

/* SLIT distance between domains @a and @b, or the default without SLIT. */
static uint32_t topo_distance(const acpi_info_t *acpi, uint32_t a, uint32_t b)
{
    if (acpi->has_slit && a < acpi->slit_localities && b < acpi->slit_localities &&
        a < ACPI_MAX_SLIT && b < ACPI_MAX_SLIT)
        return acpi->slit[a][b];
    return a == b ? TOPO_DIST_LOCAL : TOPO_DIST_REMOTE;
}

/* Adds a memory range to cluster @c, keeping ranges sorted by base. */
static int topo_add_range(topology_t *t, topo_cluster_t *c, uint64_t base, uint64_t end)
{
    uint32_t i;

    if (c->nranges == TOPO_MAX_RANGES) {
        snprintf(t->error, TOPO_MSG_LEN,
                 "proximity domain %u has more than %d memory ranges: raise "
                 "TOPO_MAX_RANGES in kernel/kern/topology.h", c->domain, TOPO_MAX_RANGES);
        return -E2BIG;
    }
    for (i = c->nranges; i > 0 && c->range[i - 1].base > base; i--)
        c->range[i] = c->range[i - 1];
    c->range[i].base = base;
    c->range[i].end  = end;
    c->nranges++;
    return 0;
}

static int topo_add_core(topology_t *t, topo_cluster_t *c, uint32_t apic_id)
{
    if (c->ncores == MAX_CORES_PER_CLUSTER) {
        snprintf(t->error, TOPO_MSG_LEN,
                 "proximity domain %u has more than %d cores: rebuild with a larger "
                 "MAX_CORES_PER_CLUSTER (make MAX_CORES_PER_CLUSTER=...)",
                 c->domain, MAX_CORES_PER_CLUSTER);
        return -E2BIG;
    }
    c->apic_id[c->ncores++] = apic_id;
    t->ncores++;
    return 0;
}

/* No usable SRAT: one cluster with every core and all memory. */
static int topo_build_flat(const acpi_info_t *acpi, uint64_t ram_end, topology_t *t)
{
    topo_cluster_t *c = &t->cluster[0];

    t->nclusters = 1;
    t->distance[0][0] = TOPO_DIST_LOCAL;
    c->domain = 0;
    for (uint32_t i = 0; i < acpi->ncpus; i++)
        if (topo_add_core(t, c, acpi->cpu[i].apic_id))
            return -E2BIG;
    topo_add_range(t, c, 0, ram_end);
    topo_note(t, acpi->has_srat ? "SRAT lists no memory: one cluster holds all cores and memory"
                                : "no SRAT: one cluster holds all cores and memory");
    return 0;
}

/* Finds, for every domain, the complete domain it belongs to (itself if complete). */
static int topo_fold(const acpi_info_t *acpi, topo_work_t *w, topology_t *t)
{
    char msg[TOPO_MSG_LEN];
    uint32_t ncomplete = 0;

    for (uint32_t i = 0; i < w->ndom; i++)
        if (w->dom[i].ncores && w->dom[i].mem_bytes)
            w->dom[i].cxy = (int32_t)ncomplete++;
    if (ncomplete == 0) {
        snprintf(t->error, TOPO_MSG_LEN,
                 "no proximity domain has both cores and memory");
        return -EINVAL;
    }
    if (ncomplete > MAX_CLUSTERS) {
        snprintf(t->error, TOPO_MSG_LEN,
                 "SRAT describes %u proximity domains with cores and memory: rebuild "
                 "with MAX_CLUSTERS=%u or more (now %d)", ncomplete, ncomplete, MAX_CLUSTERS);
        return -E2BIG;
    }
    for (uint32_t i = 0; i < w->ndom; i++) {
        topo_domain_t *d = &w->dom[i];
        uint32_t best = 0, best_dist = ~0u;

        if (d->cxy >= 0) {
            d->home = i;
            continue;
        }
        for (uint32_t j = 0; j < w->ndom; j++) {
            uint32_t dist = topo_distance(acpi, d->id, w->dom[j].id);
            if (w->dom[j].cxy >= 0 && dist < best_dist) {
                best = j;
                best_dist = dist;
            }
        }
        d->home = best;
        if (d->ncores)
            snprintf(msg, sizeof(msg), "proximity domain %u has %u cores but no memory: "
                     "they join cluster %d (domain %u, distance %u)", d->id, d->ncores,
                     w->dom[best].cxy, w->dom[best].id, best_dist);
        else
            snprintf(msg, sizeof(msg), "proximity domain %u has %lu MiB but no cores: "
                     "managed by cluster %d (domain %u, distance %u)", d->id,
                     (unsigned long)(d->mem_bytes >> 20), w->dom[best].cxy,
                     w->dom[best].id, best_dist);
        topo_note(t, msg);
        t->cluster[w->dom[best].cxy].nfolded++;
    }
    t->nclusters = ncomplete;
    return 0;
}

int topo_build(const acpi_info_t *acpi, uint64_t ram_end, topology_t *t)
{
    static topo_work_t w;     /* boot-time scratch: too large for a kernel stack */
    uint32_t nomap = 0;
    int rc, first_with_cores = -1;

    memset(t, 0, sizeof(*t));
    if (acpi->ncpus_seen > acpi->ncpus) {
        snprintf(t->error, TOPO_MSG_LEN,
                 "the MADT lists %u processors, more than MAX_CLUSTERS x "
                 "MAX_CORES_PER_CLUSTER = %d: raise MAX_CLUSTERS or MAX_CORES_PER_CLUSTER",
                 acpi->ncpus_seen, ACPI_MAX_CPUS);
        return -E2BIG;
    }
    if (acpi->ncpus == 0) {
        snprintf(t->error, TOPO_MSG_LEN, "the MADT lists no enabled processor");
        return -EINVAL;
    }
    if (!acpi->has_srat || acpi->nmem == 0)
        return topo_build_flat(acpi, ram_end, t);
    t->from_srat = true;
    t->from_slit = acpi->has_slit;

    memset(&w, 0, sizeof(w));
    for (uint32_t i = 0; i < acpi->nmem; i++) {
        int d = topo_domain_index(&w, acpi->mem[i].domain);
        if (d < 0)
            goto too_many_domains;
        if (!acpi->mem[i].hotplug)
            w.dom[d].mem_bytes += acpi->mem[i].length;
    }
    for (uint32_t i = 0; i < acpi->ncpus; i++) {
        int d;
        if (!acpi->cpu[i].has_domain) {
            nomap++;
            continue;
        }
        d = topo_domain_index(&w, acpi->cpu[i].domain);
        if (d < 0)
            goto too_many_domains;
        w.dom[d].ncores++;
    }
    /* processors the SRAT forgot join the first domain that has cores */
    for (uint32_t i = 0; i < w.ndom && first_with_cores < 0; i++)
        if (w.dom[i].ncores)
            first_with_cores = (int)i;
    if (first_with_cores < 0)
        first_with_cores = 0;
    w.dom[first_with_cores].ncores += nomap;
    if (nomap) {
        char msg[TOPO_MSG_LEN];
        snprintf(msg, sizeof(msg), "%u processors have no SRAT entry: they join "
                 "proximity domain %u", nomap, w.dom[first_with_cores].id);
        topo_note(t, msg);
    }

    rc = topo_fold(acpi, &w, t);
    if (rc)
        return rc;

    for (uint32_t i = 0; i < w.ndom; i++)
        if (w.dom[i].cxy >= 0)
            t->cluster[w.dom[i].cxy].domain = w.dom[i].id;
    for (uint32_t i = 0; i < acpi->ncpus; i++) {
        uint32_t d = first_with_cores;
        if (acpi->cpu[i].has_domain)
            d = (uint32_t)topo_domain_index(&w, acpi->cpu[i].domain);
        rc = topo_add_core(t, &t->cluster[w.dom[w.dom[d].home].cxy], acpi->cpu[i].apic_id);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < acpi->nmem; i++) {
        const acpi_mem_t *m = &acpi->mem[i];
        uint32_t d = (uint32_t)topo_domain_index(&w, m->domain);
        if (m->hotplug)
            continue;
        rc = topo_add_range(t, &t->cluster[w.dom[w.dom[d].home].cxy], m->base,
                            m->base + m->length);
        if (rc)
            return rc;
    }
    for (uint32_t a = 0; a < t->nclusters; a++)
        for (uint32_t b = 0; b < t->nclusters; b++)
            t->distance[a][b] = (uint8_t)topo_distance(acpi, t->cluster[a].domain,
                                                       t->cluster[b].domain);
    return 0;

too_many_domains:
    snprintf(t->error, TOPO_MSG_LEN, "SRAT names more than %d proximity domains: "
             "raise MAX_CLUSTERS (now %d)", ACPI_MAX_DOMAINS, MAX_CLUSTERS);
    return -E2BIG;
}

bool topo_cluster_contains(const topology_t *t, uint32_t cxy, uint64_t base, uint64_t end)
{
    const topo_cluster_t *c = &t->cluster[cxy];

    for (uint32_t i = 0; i < c->nranges; i++)
        if (base >= c->range[i].base && end <= c->range[i].end)
            return true;
    return false;
}

int topo_find_apic(const topology_t *t, uint32_t apic_id, uint32_t *cxy, uint32_t *lid)
{
    for (uint32_t c = 0; c < t->nclusters; c++) {
        for (uint32_t l = 0; l < t->cluster[c].ncores; l++) {
            if (t->cluster[c].apic_id[l] == apic_id) {
                *cxy = c;
                *lid = l;
                return 0;
            }
        }
    }
    return -ENOENT;
}
