/*
 * test_topology.c - host unit tests of topo_build / topo_find_apic
 * (kernel/kern/topology.h), on hand-made acpi_info_t and on the real QEMU
 * captures of tests/data/acpi/ parsed by acpi_parse(). Run from the
 * repository root.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "uapi/errno.h"
#include "acpi.h"
#include "acpi_capture.h"
#include "topology.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* ---- hand-made ACPI information ------------------------------------------ */

static acpi_info_t *info_new(void)
{
    acpi_info_t *a = calloc(1, sizeof *a);

    if (!a)
        abort();
    a->lapic_phys = 0xFEE00000;
    return a;
}

/* Adds an enabled processor; @domain < 0: no SRAT entry names it. */
static void add_cpu(acpi_info_t *a, uint32_t apic_id, int domain)
{
    a->ncpus_seen++;
    if (a->ncpus == ACPI_MAX_CPUS)
        return;
    a->cpu[a->ncpus].apic_id = apic_id;
    a->cpu[a->ncpus].acpi_uid = a->ncpus;
    a->cpu[a->ncpus].has_domain = domain >= 0;
    a->cpu[a->ncpus].domain = domain >= 0 ? (uint32_t)domain : 0;
    a->ncpus++;
    if (domain >= 0)
        a->has_srat = true;
}

static void add_mem(acpi_info_t *a, uint32_t domain, uint64_t base, uint64_t length)
{
    a->has_srat = true;
    a->nmem_seen++;
    if (a->nmem == ACPI_MAX_MEM)
        return;
    a->mem[a->nmem].domain = domain;
    a->mem[a->nmem].base = base;
    a->mem[a->nmem].length = length;
    a->nmem++;
}

/* SLIT of @n localities from @dist(i, j). */
static void set_slit(acpi_info_t *a, uint32_t n, uint8_t (*dist)(uint32_t, uint32_t))
{
    uint32_t i, j;

    a->has_slit = true;
    a->slit_localities = n;
    for (i = 0; i < n && i < ACPI_MAX_SLIT; i++)
        for (j = 0; j < n && j < ACPI_MAX_SLIT; j++)
            a->slit[i][j] = dist(i, j);
}

static topology_t *topo_new(void)
{
    topology_t *t = malloc(sizeof *t);

    if (!t)
        abort();
    memset(t, 0x5A, sizeof *t);           /* topo_build must set every field it reports */
    return t;
}

/* Error text: a NUL-terminated, non-empty string containing @word. */
static int error_names(const char *err, size_t cap, const char *word,
                       const char *file, int line)
{
    if (!memchr(err, '\0', cap) || err[0] == '\0') {
        unit_fail(file, line, "error text empty or not terminated");
        return 0;
    }
    if (word && !strstr(err, word)) {
        unit_fail(file, line, "error \"%s\" does not contain \"%s\"", err, word);
        return 0;
    }
    return 1;
}

#define CHECK_ERROR(t, word) error_names((t)->error, TOPO_MSG_LEN, (word), __FILE__, __LINE__)

static void log_notes(const topology_t *t)
{
    uint32_t i;

    for (i = 0; i < t->nnotes && i < TOPO_MAX_NOTES; i++)
        UNIT_LOG("note: %.*s", TOPO_MSG_LEN, t->note[i]);
}

/* Every core of @t is found back by topo_find_apic at its (cxy, lid); the
 * sum of the clusters' cores is t->ncores. */
static void check_find_all(const topology_t *t)
{
    uint32_t c, l, cxy, lid, n = 0;

    for (c = 0; c < t->nclusters; c++) {
        for (l = 0; l < t->cluster[c].ncores; l++) {
            cxy = lid = 0xDEAD;
            if (!CHECK_EQ(topo_find_apic(t, t->cluster[c].apic_id[l], &cxy, &lid), 0) ||
                !CHECK_EQ(cxy, c) || !CHECK_EQ(lid, l))
                return;
            n++;
        }
    }
    CHECK_EQ(t->ncores, n);
}

/* Skips the test case when the build's limits are below what it needs. */
#define NEED(clusters, cores)                                                \
    do {                                                                     \
        if (MAX_CLUSTERS < (clusters) || MAX_CORES_PER_CLUSTER < (cores))    \
            UNIT_SKIP("needs MAX_CLUSTERS >= %d and MAX_CORES_PER_CLUSTER >= %d", \
                      (clusters), (cores));                                  \
    } while (0)

/* Domains 0..@n-1, domain i with one core (APIC ID i) and the GiB at i GiB. */
static void add_domains(acpi_info_t *a, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        add_cpu(a, i, (int)i);
        add_mem(a, i, (uint64_t)i * GiB, GiB);
    }
}

/* topo_build(@a, @ram_end) must fail with @err, an error text naming @word
 * (NULL: any non-empty text). */
static void expect_refused(const acpi_info_t *a, uint64_t ram_end, int err, const char *word)
{
    topology_t *t = topo_new();

    CHECK_EQ(topo_build(a, ram_end, t), err);
    CHECK_ERROR(t, word);
    free(t);
}

/* ---- hand-made machines --------------------------------------------------- */

/* Domains 7, 3, 5 given out of order (MADT and SRAT) become clusters
 * 0 = domain 3, 1 = domain 5, 2 = domain 7; each cluster lists its cores
 * in MADT order and its ranges sorted by base; distances come from the
 * SLIT rows of the domains. */
UNIT_TEST(topo_dense_cxy_in_domain_order)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    static const uint32_t dom_of_cxy[3] = { 3, 5, 7 };
    uint32_t     i, j;

    NEED(8, 2);                     /* SLIT of 8 localities */

    add_cpu(a, 0x10, 7);
    add_cpu(a, 0x02, 3);
    add_cpu(a, 0x11, 7);
    add_cpu(a, 0x20, 5);
    add_cpu(a, 0x01, 3);
    add_mem(a, 7, 3 * GiB + 256 * MiB, 256 * MiB);
    add_mem(a, 5, 1 * GiB, 512 * MiB);
    add_mem(a, 7, 2 * GiB, 256 * MiB);            /* out of order within domain 7 */
    add_mem(a, 3, 0, 640 * 1024);
    add_mem(a, 3, 1 * MiB, 1023 * MiB);
    set_slit(a, 8, slit_formula);
    REQUIRE_EQ(topo_build(a, 4 * GiB, t), 0);
    CHECK_EQ(t->nclusters, 3);
    CHECK_EQ(t->ncores, 5);
    CHECK(t->from_srat);
    CHECK(t->from_slit);
    for (i = 0; i < 3; i++) {
        CHECK_EQ(t->cluster[i].domain, dom_of_cxy[i]);
        CHECK_EQ(t->cluster[i].nfolded, 0);
    }
    CHECK_EQ(t->cluster[0].ncores, 2);
    CHECK_EQ(t->cluster[0].apic_id[0], 0x02);
    CHECK_EQ(t->cluster[0].apic_id[1], 0x01);
    CHECK_EQ(t->cluster[1].ncores, 1);
    CHECK_EQ(t->cluster[1].apic_id[0], 0x20);
    CHECK_EQ(t->cluster[2].ncores, 2);
    CHECK_EQ(t->cluster[2].apic_id[0], 0x10);
    CHECK_EQ(t->cluster[2].apic_id[1], 0x11);

    CHECK_EQ(t->cluster[0].nranges, 2);
    CHECK_EQ(t->cluster[0].range[0].base, 0);
    CHECK_EQ(t->cluster[0].range[0].end, 640 * 1024);
    CHECK_EQ(t->cluster[0].range[1].base, 1 * MiB);
    CHECK_EQ(t->cluster[0].range[1].end, 1 * GiB);
    CHECK_EQ(t->cluster[1].nranges, 1);
    CHECK_EQ(t->cluster[1].range[0].base, 1 * GiB);
    CHECK_EQ(t->cluster[1].range[0].end, 1 * GiB + 512 * MiB);
    CHECK_EQ(t->cluster[2].nranges, 2);
    CHECK_EQ(t->cluster[2].range[0].base, 2 * GiB);
    CHECK_EQ(t->cluster[2].range[0].end, 2 * GiB + 256 * MiB);
    CHECK_EQ(t->cluster[2].range[1].base, 3 * GiB + 256 * MiB);
    CHECK_EQ(t->cluster[2].range[1].end, 3 * GiB + 512 * MiB);

    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            if (!CHECK_EQ(t->distance[i][j], slit_formula(dom_of_cxy[i], dom_of_cxy[j])))
                UNIT_LOG("distance[%u][%u]", i, j);
    CHECK_EQ(t->nnotes, 0);
    check_find_all(t);
    free(a);
    free(t);
}

/* Without SLIT: distance 10 to itself, 20 to every other cluster. */
UNIT_TEST(topo_distance_without_slit)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     i, j;

    NEED(4, 1);
    add_domains(a, 4);
    REQUIRE_EQ(topo_build(a, 4 * GiB, t), 0);
    CHECK_EQ(t->nclusters, 4);
    CHECK(t->from_srat);
    CHECK(!t->from_slit);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            CHECK_EQ(t->distance[i][j], i == j ? TOPO_DIST_LOCAL : TOPO_DIST_REMOTE);
    free(a);
    free(t);
}

/* No SRAT: one cluster (domain 0) with every core in MADT order and the
 * single range [0, ram_end); from_srat false and a note says why. */
UNIT_TEST(topo_no_srat_single_cluster)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     i;

    NEED(1, 6);
    for (i = 0; i < 6; i++)
        add_cpu(a, 5 - i, -1);
    a->has_srat = false;
    REQUIRE_EQ(topo_build(a, 0x1FFE0000, t), 0);
    CHECK_EQ(t->nclusters, 1);
    CHECK_EQ(t->ncores, 6);
    CHECK(!t->from_srat);
    CHECK(!t->from_slit);
    CHECK_EQ(t->cluster[0].domain, 0);
    CHECK_EQ(t->cluster[0].ncores, 6);
    for (i = 0; i < 6 && i < t->cluster[0].ncores; i++)
        CHECK_EQ(t->cluster[0].apic_id[i], 5 - i);
    CHECK_EQ(t->cluster[0].nranges, 1);
    CHECK_EQ(t->cluster[0].range[0].base, 0);
    CHECK_EQ(t->cluster[0].range[0].end, 0x1FFE0000);
    CHECK_EQ(t->distance[0][0], TOPO_DIST_LOCAL);
    CHECK(t->nnotes >= 1);
    CHECK(t->nnotes >= 1 && memchr(t->note[0], '\0', TOPO_MSG_LEN) && t->note[0][0]);
    log_notes(t);
    check_find_all(t);
    free(a);
    free(t);
}

/* A domain with memory and no core is folded into the nearest complete
 * domain by SLIT distance: its ranges join that cluster (sorted), the
 * cluster counts it in nfolded, and a note says so. */
UNIT_TEST(topo_memory_only_domain_folded_nearest)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    static const uint8_t d[4][4] = {
        { 10, 20, 30, 40 },
        { 20, 10, 30, 30 },
        { 30, 30, 10, 20 },
        { 40, 30, 20, 10 },
    };
    uint32_t i, j;

    NEED(4, 1);
    for (i = 0; i < 3; i++) {
        add_cpu(a, i, (int)i);
        add_mem(a, i, (i + 1) * GiB, GiB);
    }
    add_mem(a, 3, 0x100000000ull * 2, GiB);        /* domain 3: memory only */
    add_mem(a, 3, 64 * MiB, 64 * MiB);
    a->has_slit = true;
    a->slit_localities = 4;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            a->slit[i][j] = d[i][j];
    REQUIRE_EQ(topo_build(a, 9 * GiB, t), 0);
    CHECK_EQ(t->nclusters, 3);
    CHECK_EQ(t->cluster[2].domain, 2);              /* nearest to domain 3 */
    CHECK_EQ(t->cluster[2].nfolded, 1);
    CHECK_EQ(t->cluster[0].nfolded, 0);
    CHECK_EQ(t->cluster[1].nfolded, 0);
    REQUIRE_EQ(t->cluster[2].nranges, 3);
    CHECK_EQ(t->cluster[2].range[0].base, 64 * MiB);
    CHECK_EQ(t->cluster[2].range[0].end, 128 * MiB);
    CHECK_EQ(t->cluster[2].range[1].base, 3 * GiB);
    CHECK_EQ(t->cluster[2].range[2].base, 8 * GiB);
    CHECK_EQ(t->cluster[2].range[2].end, 9 * GiB);
    CHECK_EQ(t->cluster[0].nranges, 1);
    CHECK_EQ(t->cluster[1].nranges, 1);
    CHECK_EQ(t->nnotes, 1);
    log_notes(t);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            CHECK_EQ(t->distance[i][j], d[i][j]);
    free(a);
    free(t);
}

/* Equal distances (or no SLIT at all): the lowest domain number wins. */
UNIT_TEST(topo_fold_tie_lowest_domain)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();

    /* complete domains 4 and 2 (given in that order), memory-only 9 */
    add_cpu(a, 0, 4);
    add_mem(a, 4, 1 * GiB, GiB);
    add_cpu(a, 1, 2);
    add_mem(a, 2, 2 * GiB, GiB);
    add_mem(a, 9, 3 * GiB, GiB);
    REQUIRE_EQ(topo_build(a, 4 * GiB, t), 0);
    CHECK_EQ(t->nclusters, 2);
    CHECK_EQ(t->cluster[0].domain, 2);
    CHECK_EQ(t->cluster[0].nfolded, 1);
    CHECK_EQ(t->cluster[0].nranges, 2);
    CHECK_EQ(t->cluster[1].nfolded, 0);
    CHECK_EQ(t->cluster[1].nranges, 1);
    CHECK_EQ(t->nnotes, 1);
    free(a);
    free(t);
}

/* A domain with cores and no memory is folded into the nearest complete
 * domain: its cores are appended to that cluster's cores (MADT order). */
UNIT_TEST(topo_cores_only_domain_folded_nearest)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     cxy = 99, lid = 99;

    NEED(4, 4);
    add_cpu(a, 0, 0);
    add_cpu(a, 1, 0);
    add_cpu(a, 2, 2);
    add_cpu(a, 8, 3);               /* domain 3: cores only, nearest is 2 */
    add_cpu(a, 3, 2);
    add_cpu(a, 9, 3);
    add_mem(a, 0, 0, GiB);
    add_mem(a, 2, GiB, GiB);
    set_slit(a, 4, slit_formula);   /* 3-2: 20, 3-0: 30 */
    REQUIRE_EQ(topo_build(a, 2 * GiB, t), 0);
    CHECK_EQ(t->nclusters, 2);
    CHECK_EQ(t->ncores, 6);
    CHECK_EQ(t->cluster[0].ncores, 2);
    REQUIRE_EQ(t->cluster[1].ncores, 4);
    CHECK_EQ(t->cluster[1].apic_id[0], 2);
    CHECK_EQ(t->cluster[1].apic_id[1], 8);
    CHECK_EQ(t->cluster[1].apic_id[2], 3);
    CHECK_EQ(t->cluster[1].apic_id[3], 9);
    CHECK_EQ(t->cluster[1].domain, 2);
    CHECK_EQ(t->cluster[1].nfolded, 1);
    CHECK_EQ(t->cluster[1].nranges, 1);
    CHECK_EQ(t->nnotes, 1);
    log_notes(t);
    CHECK_EQ(topo_find_apic(t, 9, &cxy, &lid), 0);
    CHECK_EQ(cxy, 1);
    CHECK_EQ(lid, 3);
    check_find_all(t);
    free(a);
    free(t);
}

/* Exactly MAX_CLUSTERS complete domains: accepted. */
UNIT_TEST(topo_max_clusters_accepted)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();

    add_domains(a, MAX_CLUSTERS);
    CHECK_EQ(topo_build(a, (uint64_t)MAX_CLUSTERS * GiB, t), 0);
    CHECK_EQ(t->nclusters, MAX_CLUSTERS);
    CHECK_EQ(t->cluster[MAX_CLUSTERS - 1].domain, MAX_CLUSTERS - 1);
    free(a);
    free(t);
}

/* One complete domain more than MAX_CLUSTERS: -E2BIG, the error names
 * MAX_CLUSTERS. */
UNIT_TEST(topo_too_many_clusters)
{
    acpi_info_t *a = info_new();

    add_domains(a, MAX_CLUSTERS + 1);
    expect_refused(a, (uint64_t)(MAX_CLUSTERS + 1) * GiB, -E2BIG, "MAX_CLUSTERS");
    free(a);
}

/* MAX_CORES_PER_CLUSTER cores in a domain: fine; one more: -E2BIG naming
 * MAX_CORES_PER_CLUSTER. */
UNIT_TEST(topo_too_many_cores_in_domain)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     i;

    for (i = 0; i < MAX_CORES_PER_CLUSTER; i++)
        add_cpu(a, i, 1);
    add_cpu(a, 100, 0);
    add_mem(a, 0, 0, GiB);
    add_mem(a, 1, GiB, GiB);
    REQUIRE_EQ(topo_build(a, 2 * GiB, t), 0);
    CHECK_EQ(t->cluster[1].ncores, MAX_CORES_PER_CLUSTER);

    add_cpu(a, MAX_CORES_PER_CLUSTER, 1);
    expect_refused(a, 2 * GiB, -E2BIG, "MAX_CORES_PER_CLUSTER");
    free(a);
    free(t);
}

/* Folding a cores-only domain can push a cluster past
 * MAX_CORES_PER_CLUSTER: -E2BIG too. */
UNIT_TEST(topo_too_many_cores_after_fold)
{
    acpi_info_t *a = info_new();
    uint32_t     i;

    for (i = 0; i < MAX_CORES_PER_CLUSTER; i++)
        add_cpu(a, i, 0);
    add_cpu(a, 200, 1);                         /* domain 1: cores only */
    add_mem(a, 0, 0, GiB);
    expect_refused(a, GiB, -E2BIG, "MAX_CORES_PER_CLUSTER");
    free(a);
}

/* Without SRAT, more cores than one cluster holds: -E2BIG. */
UNIT_TEST(topo_no_srat_too_many_cores)
{
    acpi_info_t *a = info_new();
    uint32_t     i;

    for (i = 0; i < MAX_CORES_PER_CLUSTER + 1; i++)
        add_cpu(a, i, -1);
    expect_refused(a, GiB, -E2BIG, "MAX_CORES_PER_CLUSTER");
    free(a);
}

/* More processors than the MADT arrays hold (ncpus_seen > ncpus): -E2BIG
 * naming a parameter to raise. */
UNIT_TEST(topo_madt_overflow)
{
    acpi_info_t *a = info_new();

    add_cpu(a, 0, 0);
    add_mem(a, 0, 0, GiB);
    a->ncpus_seen = ACPI_MAX_CPUS + 1;
    expect_refused(a, GiB, -E2BIG, "MAX_");
    free(a);
}

/* More memory ranges in one cluster than TOPO_MAX_RANGES: -E2BIG naming
 * TOPO_MAX_RANGES; exactly TOPO_MAX_RANGES is fine. */
UNIT_TEST(topo_too_many_ranges)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     i;

    if (ACPI_MAX_MEM <= TOPO_MAX_RANGES)
        UNIT_SKIP("needs ACPI_MAX_MEM > TOPO_MAX_RANGES (MAX_CLUSTERS >= 3)");
    add_cpu(a, 0, 0);
    for (i = 0; i < TOPO_MAX_RANGES; i++)
        add_mem(a, 0, (uint64_t)i * 2 * MiB, MiB);
    REQUIRE_EQ(topo_build(a, GiB, t), 0);
    CHECK_EQ(t->cluster[0].nranges, TOPO_MAX_RANGES);
    add_mem(a, 0, GiB, MiB);
    expect_refused(a, 2 * GiB, -E2BIG, "TOPO_MAX_RANGES");
    free(a);
    free(t);
}

/* No processor at all: -EINVAL with a reason (with and without SRAT). */
UNIT_TEST(topo_no_cpus)
{
    acpi_info_t *a = info_new();

    expect_refused(a, GiB, -EINVAL, NULL);
    add_mem(a, 0, 0, GiB);
    expect_refused(a, GiB, -EINVAL, NULL);
    free(a);
}

/* An SRAT whose only memory is hot-pluggable: no domain has both cores
 * and (boot) memory, -EINVAL with a reason. */
UNIT_TEST(topo_only_hotplug_memory)
{
    acpi_info_t *a = info_new();

    add_cpu(a, 0, 0);
    add_mem(a, 0, 0, GiB);
    a->mem[0].hotplug = true;
    expect_refused(a, GiB, -EINVAL, NULL);
    free(a);
}

/* An SRAT with processor entries and no memory entry at all: topology.h
 * treats it like a missing SRAT (one cluster with every core and all
 * memory, and a note), since such firmware still describes a usable machine. */
UNIT_TEST(topo_srat_without_memory)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();

    NEED(2, 2);
    add_cpu(a, 0, 0);
    add_cpu(a, 1, 1);
    CHECK(a->has_srat);
    CHECK_EQ(a->nmem, 0);
    if (CHECK_EQ(topo_build(a, GiB, t), 0)) {
        CHECK_EQ(t->nclusters, 1);
        CHECK_EQ(t->ncores, 2);
        CHECK_EQ(t->cluster[0].nranges, 1);
        CHECK_EQ(t->cluster[0].range[0].end, GiB);
        CHECK(t->nnotes >= 1);
        CHECK_CONTAINS(t->note[0], "no memory");
    }
    log_notes(t);
    free(a);
    free(t);
}

/* topo_find_apic: -ENOENT for an APIC ID no cluster has. */
UNIT_TEST(topo_find_apic_miss)
{
    acpi_info_t *a = info_new();
    topology_t  *t = topo_new();
    uint32_t     cxy = 7, lid = 7;

    add_cpu(a, 0, 0);
    add_cpu(a, 4, 1);
    add_mem(a, 0, 0, GiB);
    add_mem(a, 1, GiB, GiB);
    REQUIRE_EQ(topo_build(a, 2 * GiB, t), 0);
    CHECK_EQ(topo_find_apic(t, 1, &cxy, &lid), -ENOENT);
    CHECK_EQ(topo_find_apic(t, 0xFFFFFFFF, &cxy, &lid), -ENOENT);
    CHECK_EQ(topo_find_apic(t, 4, &cxy, &lid), 0);
    CHECK_EQ(cxy, 1);
    CHECK_EQ(lid, 0);
    free(a);
    free(t);
}

/* ---- from the QEMU captures (through acpi_parse) ------------------------- */

/* Parses capture @name (acpi_parse must succeed) and builds its topology
 * into @t; returns topo_build's result (callers check it), -1 when the
 * capture cannot be loaded or parsed. */
static int build_from(const char *name, uint64_t ram_end, topology_t *t)
{
    cap_t        cap;
    acpi_info_t *a = calloc(1, sizeof *a);
    int          rc;

    if (!a)
        abort();
    if (cap_load(&cap, name) != 0) {
        unit_fail(__FILE__, __LINE__, "cannot load " DATA_DIR "%s (run from the repo root)",
                  name);
        free(a);
        return -1;
    }
    rc = acpi_parse(cap.c[0].data, cap.c[0].len, cap_map, &cap, a);
    if (!CHECK_EQ(rc, 0)) {
        UNIT_LOG("acpi_parse: %s", a->error);
        rc = -1;
    } else {
        rc = topo_build(a, ram_end, t);
        if (rc != 0)
            UNIT_LOG("topo_build: %d: %.*s", rc, TOPO_MSG_LEN, t->error);
    }
    cap_free(&cap);
    free(a);
    return rc;
}

/* Checks a capture of @n nodes x @c cores (c a power of 2, 128 MiB each,
 * SLIT by the formula): cluster i = domain i with APIC IDs i*c .. i*c+c-1,
 * its 128 MiB (cluster 0: two ranges around the 640K-1M hole), formula
 * distances. */
static void check_regular(const char *name, uint32_t n, uint32_t c)
{
    topology_t *t = topo_new();
    uint32_t    i, j, k;

    if (n > MAX_CLUSTERS || c > MAX_CORES_PER_CLUSTER || n * c > ACPI_MAX_CPUS) {
        /* a build with smaller limits must refuse this machine, naming them */
        if (build_from(name, (uint64_t)n * 128 * MiB, t) != -E2BIG)
            unit_fail(__FILE__, __LINE__, "%s with MAX_CLUSTERS=%d "
                      "MAX_CORES_PER_CLUSTER=%d: expected -E2BIG", name,
                      MAX_CLUSTERS, MAX_CORES_PER_CLUSTER);
        else
            CHECK_ERROR(t, "MAX_");
        goto out;
    }
    if (!CHECK_EQ(build_from(name, (uint64_t)n * 128 * MiB, t), 0))
        goto out;
    CHECK_EQ(t->nclusters, n);
    CHECK_EQ(t->ncores, n * c);
    CHECK(t->from_srat);
    CHECK(t->from_slit);
    CHECK_EQ(t->nnotes, 0);
    for (i = 0; i < n && i < t->nclusters; i++) {
        const topo_cluster_t *cl = &t->cluster[i];
        uint64_t              sum = 0;

        CHECK_EQ(cl->domain, i);
        CHECK_EQ(cl->nfolded, 0);
        if (!CHECK_EQ(cl->ncores, c))
            continue;
        for (k = 0; k < c; k++)
            CHECK_EQ(cl->apic_id[k], i * c + k);
        CHECK_EQ(cl->nranges, i == 0 ? 2 : 1);
        for (k = 0; k < cl->nranges && k < TOPO_MAX_RANGES; k++)
            sum += cl->range[k].end - cl->range[k].base;
        CHECK_EQ(sum, 128 * MiB - (i == 0 ? 0x60000 : 0));
        CHECK_EQ(cl->range[cl->nranges - 1].end, (uint64_t)(i + 1) * 128 * MiB);
        for (j = 0; j < n; j++)
            if (!CHECK_EQ(t->distance[i][j], slit_formula(i, j)))
                UNIT_LOG("distance[%u][%u]", i, j);
    }
    check_find_all(t);
out:
    free(t);
}

/* qemu-4x2.bin: 4 clusters of 2 cores, formula distances. */
UNIT_TEST(topo_qemu_4x2)
{
    check_regular("qemu-4x2.bin", 4, 2);
}

/* qemu-16x4.bin: 16 clusters of 4 cores, distances 10..50. */
UNIT_TEST(topo_qemu_16x4)
{
    check_regular("qemu-16x4.bin", 16, 4);
}

/* qemu-memonly.bin: domain 2 (memory only, 30 from both others) is folded
 * into cluster 0 (tie: lowest domain), which gets its range. */
UNIT_TEST(topo_qemu_memonly)
{
    topology_t *t = topo_new();

    NEED(3, 2);

    if (!CHECK_EQ(build_from("qemu-memonly.bin", 384 * MiB, t), 0))
        goto out;
    CHECK_EQ(t->nclusters, 2);
    CHECK_EQ(t->ncores, 4);
    CHECK_EQ(t->cluster[0].nfolded, 1);
    CHECK_EQ(t->cluster[1].nfolded, 0);
    CHECK_EQ(t->cluster[0].ncores, 2);
    CHECK_EQ(t->cluster[1].ncores, 2);
    if (CHECK_EQ(t->cluster[0].nranges, 3)) {
        CHECK_EQ(t->cluster[0].range[2].base, 256 * MiB);
        CHECK_EQ(t->cluster[0].range[2].end, 384 * MiB);
    }
    CHECK_EQ(t->cluster[1].nranges, 1);
    CHECK_EQ(t->distance[0][1], 20);
    CHECK_EQ(t->nnotes, 1);
    log_notes(t);
out:
    free(t);
}

/* qemu-cpuonly.bin: domain 2 (cores, APIC 4 and 5, no memory) is folded
 * into cluster 0 (tie at 30: lowest domain). */
UNIT_TEST(topo_qemu_cpuonly)
{
    topology_t *t = topo_new();
    uint32_t    cxy = 9, lid = 9;

    NEED(3, 4);

    if (!CHECK_EQ(build_from("qemu-cpuonly.bin", 256 * MiB, t), 0))
        goto out;
    CHECK_EQ(t->nclusters, 2);
    CHECK_EQ(t->ncores, 6);
    if (CHECK_EQ(t->cluster[0].ncores, 4)) {
        CHECK_EQ(t->cluster[0].apic_id[2], 4);
        CHECK_EQ(t->cluster[0].apic_id[3], 5);
    }
    CHECK_EQ(t->cluster[0].nfolded, 1);
    CHECK_EQ(t->cluster[1].ncores, 2);
    CHECK_EQ(topo_find_apic(t, 5, &cxy, &lid), 0);
    CHECK_EQ(cxy, 0);
    CHECK_EQ(lid, 3);
    CHECK_EQ(t->nnotes, 1);
    log_notes(t);
out:
    free(t);
}

/* qemu-2x2g.bin: cluster 1's memory is 2-3 GiB and 4-5 GiB. */
UNIT_TEST(topo_qemu_2x2g)
{
    topology_t *t = topo_new();

    NEED(2, 2);

    if (!CHECK_EQ(build_from("qemu-2x2g.bin", 5 * GiB, t), 0))
        goto out;
    CHECK_EQ(t->nclusters, 2);
    if (CHECK_EQ(t->cluster[1].nranges, 2)) {
        CHECK_EQ(t->cluster[1].range[0].base, 2 * GiB);
        CHECK_EQ(t->cluster[1].range[0].end, 3 * GiB);
        CHECK_EQ(t->cluster[1].range[1].base, 4 * GiB);
        CHECK_EQ(t->cluster[1].range[1].end, 5 * GiB);
    }
out:
    free(t);
}

/* qemu-1x1-nonuma.bin: no SRAT, one cluster, one core, [0, ram_end). */
UNIT_TEST(topo_qemu_nonuma)
{
    topology_t *t = topo_new();

    if (!CHECK_EQ(build_from("qemu-1x1-nonuma.bin", 0x7FE0000, t), 0))
        goto out;
    CHECK_EQ(t->nclusters, 1);
    CHECK(!t->from_srat);
    CHECK_EQ(t->cluster[0].ncores, 1);
    CHECK_EQ(t->cluster[0].apic_id[0], 0);
    CHECK_EQ(t->cluster[0].nranges, 1);
    CHECK_EQ(t->cluster[0].range[0].end, 0x7FE0000);
    CHECK(t->nnotes >= 1);
out:
    free(t);
}

UNIT_MAIN()
