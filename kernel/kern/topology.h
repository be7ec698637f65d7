/*
 * topology.h - from ACPI processors and proximity domains to clusters.
 *
 * A cluster is a proximity domain of the SRAT that has both cores and
 * memory; clusters get dense numbers (cxy 0..N-1) in increasing domain
 * order. Domains that have only one of the two are folded into the nearest
 * complete domain by SLIT distance (ties: lowest domain number) and a note
 * says so. Without an SRAT (or with one that lists no memory), the machine
 * is one cluster holding every core and all memory, with a note.
 *
 * Pure logic: built on the bootstrap core from acpi_info_t before any other
 * core runs, then read-only ("read-mostly boot information", invariant 1).
 * The host unit tests build it from hand-made acpi_info_t.
 */
#ifndef _TOPOLOGY_H_
#define _TOPOLOGY_H_

#include <stdint.h>
#include <stdbool.h>
#include "acpi.h"

#define TOPO_MAX_RANGES 8          /* SRAT memory ranges per cluster */
#define TOPO_MAX_NOTES  8
#define TOPO_MSG_LEN    160
#define TOPO_DIST_LOCAL 10         /* SLIT distance of a domain to itself (ACPI 5.2.17) */
#define TOPO_DIST_REMOTE 20        /* distance assumed between domains without SLIT */

typedef struct topo_range_s {
    uint64_t base;                 /* physical address, bytes */
    uint64_t end;                  /* physical address past the range, bytes */
} topo_range_t;

typedef struct topo_cluster_s {
    uint32_t     domain;           /* proximity domain (SRAT), the cluster's name in ACPI */
    uint32_t     ncores;
    uint32_t     apic_id[MAX_CORES_PER_CLUSTER]; /* lid -> APIC ID, in MADT order */
    uint32_t     nranges;
    topo_range_t range[TOPO_MAX_RANGES];          /* SRAT memory ranges, sorted */
    uint32_t     nfolded;          /* incomplete domains folded into this one */
} topo_cluster_t;

typedef struct topology_s {
    uint32_t       nclusters;
    uint32_t       ncores;         /* sum of ncores */
    bool           from_srat;      /* false: single cluster, no SRAT */
    bool           from_slit;      /* distances come from the SLIT */
    topo_cluster_t cluster[MAX_CLUSTERS];
    uint8_t        distance[MAX_CLUSTERS][MAX_CLUSTERS]; /* [cxy][cxy], SLIT units */
    uint32_t       nnotes;
    char           note[TOPO_MAX_NOTES][TOPO_MSG_LEN];    /* what was folded or assumed */
    char           error[TOPO_MSG_LEN];                   /* reason of a failure */
} topology_t;

/*
 * Builds @out from @acpi.
 * @ram_end : physical address past the last usable RAM byte (bytes): the
 *            single cluster's memory range when there is no SRAT.
 * @return 0, or
 *   -E2BIG   more clusters than MAX_CLUSTERS, more cores in one cluster
 *            than MAX_CORES_PER_CLUSTER, more processors than the MADT
 *            arrays hold, or more memory ranges in a cluster than
 *            TOPO_MAX_RANGES: out->error names the parameter to raise;
 *   -EINVAL  no processor, or no domain with both cores and memory
 *            (after folding): out->error says why.
 * An SRAT that lists no memory at all is treated like a missing SRAT: one
 * cluster, with a note.
 */
int topo_build(const acpi_info_t *acpi, uint64_t ram_end, topology_t *out);

/*
 * Is the physical range [@base, @end) (bytes) inside one SRAT memory range
 * of cluster @cxy?
 */
bool topo_cluster_contains(const topology_t *t, uint32_t cxy, uint64_t base, uint64_t end);

/*
 * Finds the core with local APIC ID @apic_id.
 * @return 0 and sets *@cxy and *@lid, or -ENOENT when no cluster has it.
 */
int topo_find_apic(const topology_t *t, uint32_t apic_id, uint32_t *cxy, uint32_t *lid);

#endif
