/*
 * test_acpi.c - host unit tests of the ACPI parser (hal/x86_64/acpi.h) on
 * the real tables QEMU 7.2 / SeaBIOS built, captured by
 * tools/acpi_capture.py into tests/data/acpi/qemu-*.bin (format: see
 * tests/data/acpi/README.md). Run from the repository root.
 *
 * acpi_parse() reads memory only through its map callback; here the
 * callback serves the captured chunks, each placed at the same address
 * modulo 16 as in the guest (the tables are not aligned in QEMU).
 *
 * The expected values are not copied from the captures: they are computed
 * from the QEMU command line of each capture (sockets, cores, node sizes,
 * distance formula) and QEMU's documented layout rules, so a capture or a
 * parser that disagrees fails.
 *
 * Corrupt and unusual variants are derived in memory from real captures
 * (acpi_variants.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "uapi/errno.h"
#include "acpi.h"
#include "acpi_capture.h"
#include "acpi_variants.h"

#define MiB      (1ull << 20)
#define GiB      (1ull << 30)

/* ---- helpers ------------------------------------------------------------ */

/* A fresh acpi_info_t on the heap (ASan bounds it); aborts when out of memory. */
static acpi_info_t *info_new(void)
{
    acpi_info_t *info = malloc(sizeof *info);

    if (!info)
        abort();
    return info;
}

static int parse_cap(cap_t *cap, acpi_info_t *info)
{
    memset(info, 0x5A, sizeof *info);     /* the parser must set every field */
    return acpi_parse(cap->c[0].data, cap->c[0].len, cap_map, cap, info);
}

/* True when one of the warnings contains @word. */
static bool warned(const acpi_info_t *info, const char *word)
{
    uint32_t i;

    for (i = 0; i < info->nwarn && i < ACPI_MAX_WARN; i++)
        if (strstr(info->warn[i], word))
            return true;
    return false;
}

static void log_warnings(const acpi_info_t *info)
{
    uint32_t i;

    for (i = 0; i < info->nwarn && i < ACPI_MAX_WARN; i++)
        UNIT_LOG("warning: %s", info->warn[i]);
}

#define LOAD(cap, name)                                                      \
    do {                                                                     \
        int rc_ = cap_load((cap), (name));                                   \
        if (rc_ != 0) {                                                      \
            unit_fail(__FILE__, __LINE__, "cannot load " DATA_DIR "%s "      \
                      "(acpi_capture.h:%d); run from the repo root", (name), -rc_); \
            return;                                                          \
        }                                                                    \
    } while (0)

/* The variants built on qemu-4x2.bin need its 8 CPUs and 4 SLIT rows
 * stored: skipped in builds with smaller MAX_* limits. */
#define LOAD_4X2(cap)                                                        \
    do {                                                                     \
        if (ACPI_MAX_CPUS < 8 || ACPI_MAX_SLIT < 4)                          \
            UNIT_SKIP("needs MAX_CLUSTERS >= 4 and 8 CPUs");                 \
        LOAD((cap), "qemu-4x2.bin");                                         \
    } while (0)

/* LOAD_4X2, then @i = the index of its table @sig (which must be there). */
#define LOAD_4X2_TABLE(cap, i, sig)                                          \
    do {                                                                     \
        LOAD_4X2(cap);                                                       \
        (i) = cap_find((cap), (sig));                                        \
        REQUIRE((i) > 0);                                                    \
    } while (0)

/* Checks everything acpi_parse() returned for machine @m's capture. */
static void check_machine(const machine_t *m)
{
    cap_t       cap;
    acpi_info_t *info = info_new();
    range_t     want[64];
    uint64_t    sum[16] = { 0 };
    uint32_t    s, c, k, i, j, ncpus;
    int         nwant, rc;

    LOAD(&cap, m->file);
    /* the capture is of the machine this table describes */
    {
        char smp[64];

        snprintf(smp, sizeof smp, "-smp %u,sockets=%u,cores=%u,threads=1 ",
                 m->sockets * m->cores, m->sockets, m->cores);
        CHECK_CONTAINS(cap.desc, smp);
        CHECK_EQ(strstr(cap.desc, "-numa node") != NULL, m->nodes != 0);
        CHECK_EQ(strstr(cap.desc, "-numa dist") != NULL, m->slit);
    }
    rc = parse_cap(&cap, info);
    if (!CHECK_EQ(rc, 0)) {
        UNIT_LOG("error: %s", info->error);
        goto out;
    }
    /* RSDP and MADT basics */
    CHECK_EQ(info->rsdp_revision, 0);           /* SeaBIOS: ACPI 1.0 RSDP, RSDT */
    CHECK_STREQ(info->oem_id, "BOCHS ");
    CHECK_EQ(info->lapic_phys, 0xFEE00000);
    CHECK_EQ(info->nioapics, 1);
    CHECK_EQ(info->ioapic_phys, 0xFEC00000);
    CHECK_EQ(info->ioapic_id, 0);
    CHECK_EQ(info->ioapic_gsi_base, 0);
    /* interrupt source overrides (QEMU's PIIX: IRQ 0 on GSI 2, the PCI
     * IRQs level triggered); COM1's IRQ 4 keeps GSI 4, ISA edge/high */
    CHECK_EQ(info->isa_gsi[0], 2);
    CHECK_EQ(info->isa_gsi[4], 4);
    CHECK_EQ(info->isa_flags[4], 0);
    CHECK_EQ(info->isa_gsi[9], 9);
    CHECK_EQ(info->isa_flags[9], 0xd);

    /* processors: MADT order is socket-major, UID = CPU index; beyond
     * ACPI_MAX_CPUS (small MAX_* builds) only counted */
    ncpus = m->sockets * m->cores;
    CHECK_EQ(info->ncpus, ncpus < ACPI_MAX_CPUS ? ncpus : ACPI_MAX_CPUS);
    CHECK_EQ(info->ncpus_seen, ncpus);
    for (s = 0, k = 0; s < m->sockets; s++) {
        for (c = 0; c < m->cores && k < info->ncpus; c++, k++) {
            const acpi_cpu_t *cpu = &info->cpu[k];

            if (!CHECK_EQ(cpu->apic_id, qemu_apic_id(m->cores, s, c)) ||
                !CHECK_EQ(cpu->acpi_uid, k))
                UNIT_LOG("cpu[%u] (socket %u core %u)", k, s, c);
            if (m->nodes) {
                if (!CHECK(cpu->has_domain) || !CHECK_EQ(cpu->domain, s))
                    UNIT_LOG("cpu[%u] apic %u: SRAT domain", k, cpu->apic_id);
            } else {
                CHECK(!cpu->has_domain);
            }
        }
    }

    /* SRAT memory: exact list, and per-domain sums equal to the node sizes */
    CHECK_EQ(info->has_srat, m->nodes != 0);
    nwant = m->nodes ? qemu_ranges(m, want) : 0;
    CHECK_EQ(info->nmem, nwant < ACPI_MAX_MEM ? nwant : ACPI_MAX_MEM);
    CHECK_EQ(info->nmem_seen, nwant);
    for (k = 0; k < info->nmem && k < (uint32_t)nwant; k++) {
        const acpi_mem_t *r = &info->mem[k];

        if (!CHECK_EQ(r->domain, want[k].domain) || !CHECK_EQ(r->base, want[k].base) ||
            !CHECK_EQ(r->length, want[k].length))
            UNIT_LOG("mem[%u]: domain %u base 0x%llx length 0x%llx", k, r->domain,
                     (unsigned long long)r->base, (unsigned long long)r->length);
        CHECK(!r->hotplug);
        if (r->domain < 16)
            sum[r->domain] += r->length;
    }
    for (i = 0; i < m->nodes && nwant <= ACPI_MAX_MEM; i++) {
        /* node 0 lacks the legacy hole 0xA0000..0x100000 (384 KiB) */
        uint64_t expect = m->node_mem[i] - (i == 0 ? 0x60000 : 0);

        if (!CHECK_EQ(sum[i], expect))
            UNIT_LOG("domain %u memory", i);
    }

    /* SLIT */
    CHECK_EQ(info->has_slit, m->slit);
    if (m->slit && info->has_slit) {
        CHECK_EQ(info->slit_localities, m->nodes);
        for (i = 0; i < m->nodes && i < ACPI_MAX_SLIT; i++)
            for (j = 0; j < m->nodes && j < ACPI_MAX_SLIT; j++)
                if (!CHECK_EQ(info->slit[i][j], slit_formula(i, j)))
                    UNIT_LOG("slit[%u][%u]", i, j);
    }

    /* a well-formed capture with SRAT and SLIT has nothing to warn about */
    if (m->nodes && m->slit)
        CHECK_EQ(info->nwarn, 0);
    log_warnings(info);
out:
    cap_free(&cap);
    free(info);
}

/* ---- the captures -------------------------------------------------------- */

/* 4 nodes x 2 cores, 128 MiB each, SLIT from the distance formula. */
UNIT_TEST(acpi_qemu_4x2)
{
    check_machine(&m_4x2);
}

/* 16 nodes x 4 cores: 64 CPUs, 17 memory ranges, 16x16 SLIT (10..50). */
UNIT_TEST(acpi_qemu_16x4)
{
    check_machine(&m_16x4);
}

/* 2 nodes without -numa dist: QEMU 7.2 emits no SLIT at all. */
UNIT_TEST(acpi_qemu_2x2_noslit)
{
    check_machine(&m_2x2ns);
}

/* Node 2 has memory and no CPU: its range is reported, no CPU names it. */
UNIT_TEST(acpi_qemu_memonly)
{
    check_machine(&m_memonly);
}

/* Node 2 has CPUs and no memory: QEMU writes a disabled (flags 0) zero
 * memory entry for it, which must not be reported as a range. */
UNIT_TEST(acpi_qemu_cpuonly)
{
    check_machine(&m_cpuonly);
}

/* 3 cores per socket: APIC IDs 0,1,2,4,5,6 (socket << 2 | core). */
UNIT_TEST(acpi_qemu_2x3_sparse_apic_ids)
{
    check_machine(&m_2x3);
}

/* 2 x 2 GiB: node 1 is split by the PCI hole, 2-3 GiB and 4-5 GiB. */
UNIT_TEST(acpi_qemu_2x2g_above_4g)
{
    check_machine(&m_2x2g);
}

/* No -numa option: no SRAT, no SLIT; one CPU without a domain. */
UNIT_TEST(acpi_qemu_1x1_nonuma)
{
    check_machine(&m_1x1);
}

/* acpi.h: "A missing or corrupt SRAT or SLIT is not an error: has_srat /
 * has_slit stay false and a warning is recorded." A missing SRAT / SLIT
 * in a real capture must therefore leave a warning naming the table. */
UNIT_TEST(acpi_missing_srat_slit_warns)
{
    cap_t        cap;
    acpi_info_t *info = info_new();

    LOAD(&cap, m_1x1.file);
    CHECK_EQ(parse_cap(&cap, info), 0);
    CHECK(!info->has_srat);
    CHECK(!info->has_slit);
    CHECK(warned(info, "SRAT"));
    log_warnings(info);
    cap_free(&cap);

    LOAD(&cap, m_2x2ns.file);
    CHECK_EQ(parse_cap(&cap, info), 0);
    CHECK(info->has_srat);
    CHECK(!info->has_slit);
    CHECK(warned(info, "SLIT"));
    CHECK(!warned(info, "SRAT"));
    log_warnings(info);
    cap_free(&cap);
    free(info);
}

/* acpi_checksum sums bytes modulo 256: 0 over every captured table. */
UNIT_TEST(acpi_checksum_of_captures)
{
    cap_t cap;
    int   i;

    LOAD_4X2(&cap);
    CHECK_EQ(acpi_checksum(cap.c[0].data, 20), 0);
    for (i = 1; i < cap.n; i++)
        CHECK_EQ(acpi_checksum(cap.c[i].data, cap.c[i].len), 0);
    cap.c[3].data[20] ^= 0x40;
    CHECK_EQ(acpi_checksum(cap.c[3].data, cap.c[3].len), 0x40);
    CHECK_EQ(acpi_checksum(cap.c[0].data, 0), 0);
    cap_free(&cap);
}

/* ---- corrupt variants ---------------------------------------------------- */

/* Parses @cap expecting @want; when @want < 0, out->error must be a
 * non-empty string containing @word (NULL: any text). */
static void expect_fail(cap_t *cap, int want, const char *word)
{
    acpi_info_t *info = info_new();
    int          rc;

    rc = parse_cap(cap, info);
    if (!CHECK_EQ(rc, want))
        UNIT_LOG("error: \"%.*s\"", ACPI_MSG_LEN, info->error);
    else if (want < 0 &&
             CHECK(memchr(info->error, '\0', ACPI_MSG_LEN) && info->error[0] != '\0') &&
             word)
        CHECK_CONTAINS(info->error, word);
    free(info);
}

/* A flipped byte in the MADT: bad checksum, -EINVAL naming the MADT. */
UNIT_TEST(acpi_madt_bad_checksum)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    cap.c[i].data[50] ^= 0x01;
    expect_fail(&cap, -EINVAL, "MADT");
    cap_free(&cap);
}

/* MADT length cut in the middle of an entry (checksum made valid again):
 * the entries need more than the table holds, -EINVAL. */
UNIT_TEST(acpi_madt_truncated_entry)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    put32(cap.c[i].data + 4, 44 + 8 * 3 + 5);   /* 3 LAPIC entries and a half */
    cap_fix_checksum(&cap, i);
    expect_fail(&cap, -EINVAL, "MADT");
    cap_free(&cap);
}

/* MADT length shorter than its own fixed fields (44 bytes). */
UNIT_TEST(acpi_madt_shorter_than_header)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    put32(cap.c[i].data + 4, 40);
    cap_fix_checksum(&cap, i);
    expect_fail(&cap, -EINVAL, "MADT");
    cap_free(&cap);
}

/* MADT whose length field runs past the memory that can be read (the map
 * callback answers NULL): -EINVAL, not a read past the buffer. */
UNIT_TEST(acpi_madt_length_past_memory)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    cap.c[i].len = 100;          /* only 100 of its 176 bytes are readable */
    expect_fail(&cap, -EINVAL, "MADT");
    cap_free(&cap);
}

/* A MADT entry of length 0 would make a naive parser loop: -EINVAL. */
UNIT_TEST(acpi_madt_zero_length_entry)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    cap.c[i].data[44 + 8 + 1] = 0;             /* second LAPIC entry: length 0 */
    cap_fix_checksum(&cap, i);
    expect_fail(&cap, -EINVAL, "MADT");
    cap_free(&cap);
}

/* No MADT in the RSDT (its signature changed): -ENOENT. */
UNIT_TEST(acpi_no_madt)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    memcpy(cap.c[i].data, "APIX", 4);
    cap_fix_checksum(&cap, i);
    expect_fail(&cap, -ENOENT, NULL);
    cap_free(&cap);
}

/* A flipped byte in the RSDT: -EINVAL naming the RSDT. */
UNIT_TEST(acpi_rsdt_bad_checksum)
{
    cap_t cap;

    LOAD_4X2(&cap);
    REQUIRE(memcmp(cap.c[1].data, "RSDT", 4) == 0);
    cap.c[1].data[40] ^= 0x80;
    expect_fail(&cap, -EINVAL, "RSDT");
    cap_free(&cap);
}

/* RSDT length beyond the readable memory: -EINVAL. */
UNIT_TEST(acpi_rsdt_truncated)
{
    cap_t cap;

    LOAD_4X2(&cap);
    cap.c[1].len -= 4;           /* the last entry is not readable */
    expect_fail(&cap, -EINVAL, "RSDT");
    cap_free(&cap);
}

/* RSDP: bad checksum, bad signature, too short a copy: -EINVAL. */
UNIT_TEST(acpi_rsdp_invalid)
{
    cap_t cap;

    LOAD_4X2(&cap);
    cap.c[0].data[10] ^= 0x20;
    expect_fail(&cap, -EINVAL, "RSDP");
    cap_fix_checksum(&cap, 0);
    expect_fail(&cap, 0, NULL);            /* repaired: parses again */
    cap.c[0].data[3] = 'X';                /* "RSX PTR " */
    cap_fix_checksum(&cap, 0);
    expect_fail(&cap, -EINVAL, "RSDP");
    cap_free(&cap);

    LOAD_4X2(&cap);
    cap.c[0].len = 19;
    expect_fail(&cap, -EINVAL, NULL);
    cap_free(&cap);
}

/* Parses @cap and expects success with no SRAT used: has_srat false, no
 * domain, no range, a warning naming the SRAT; the MADT is still read. */
static void expect_srat_ignored(cap_t *cap, uint32_t ncpus)
{
    acpi_info_t *info = info_new();
    uint32_t     k;

    if (CHECK_EQ(parse_cap(cap, info), 0)) {
        CHECK(!info->has_srat);
        CHECK_EQ(info->nmem, 0);
        CHECK_EQ(info->ncpus, ncpus);
        for (k = 0; k < info->ncpus; k++)
            if (!CHECK(!info->cpu[k].has_domain))
                break;
        CHECK(info->nwarn >= 1);
        CHECK(warned(info, "SRAT"));
        CHECK(info->has_slit);               /* the SLIT is independent */
        log_warnings(info);
    } else {
        UNIT_LOG("error: %s", info->error);
    }
    free(info);
}

/* A flipped byte in the SRAT: not fatal, has_srat false + a warning. */
UNIT_TEST(acpi_srat_bad_checksum)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "SRAT");
    cap.c[i].data[48 + 3] ^= 0x04;          /* APIC ID of the first CPU entry */
    expect_srat_ignored(&cap, 8);
    cap_free(&cap);
}

/* SRAT length cut in the middle of a memory entry (checksum valid):
 * has_srat false + a warning, nothing half-parsed is kept. */
UNIT_TEST(acpi_srat_truncated_entry)
{
    cap_t cap;
    int   i;

    LOAD_4X2_TABLE(&cap, i, "SRAT");
    put32(cap.c[i].data + 4, 48 + 8 * 16 + 40 + 20);   /* CPUs, 1.5 memory entries */
    cap_fix_checksum(&cap, i);
    expect_srat_ignored(&cap, 8);
    cap_free(&cap);
}

/* A flipped byte in the SLIT: has_slit false + a warning; SRAT still used. */
UNIT_TEST(acpi_slit_bad_checksum)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          i;

    LOAD_4X2_TABLE(&cap, i, "SLIT");
    cap.c[i].data[44 + 1] ^= 0x10;
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK(!info->has_slit);
        CHECK(info->has_srat);
        CHECK(warned(info, "SLIT"));
        CHECK_EQ(info->nmem, 5);
    }
    cap_free(&cap);
    free(info);
}

/* SLIT whose N*N matrix does not fit its length: has_slit false + warning. */
UNIT_TEST(acpi_slit_truncated)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          i;

    LOAD_4X2_TABLE(&cap, i, "SLIT");
    put64(cap.c[i].data + 36, 5);           /* 5 localities need 25 bytes, 16 there */
    cap_fix_checksum(&cap, i);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK(!info->has_slit);
        CHECK(warned(info, "SLIT"));
        CHECK(info->has_srat);
    }
    cap_free(&cap);
    free(info);
}

/* ---- unusual but valid variants ------------------------------------------ */

/* SLIT entries are row-major, [from][to] (5.2.17): an asymmetric matrix
 * (the 4x2 one with slit[0][3] changed to 31) keeps its orientation. */
UNIT_TEST(acpi_slit_row_major)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          i;

    LOAD_4X2_TABLE(&cap, i, "SLIT");
    REQUIRE(cap.c[i].data[44 + 0 * 4 + 3] == 30);
    cap.c[i].data[44 + 0 * 4 + 3] = 31;
    cap_fix_checksum(&cap, i);
    if (CHECK_EQ(parse_cap(&cap, info), 0) && CHECK(info->has_slit)) {
        CHECK_EQ(info->slit[0][3], 31);
        CHECK_EQ(info->slit[3][0], 30);
        CHECK_EQ(info->slit[2][3], 20);
    }
    cap_free(&cap);
    free(info);
}

/* Disabled processors (flags 0) are not reported; "online capable" ones
 * (flags bit 1, ACPI 6.3+) are. SRAT entries with the enabled bit clear
 * give no domain. */
UNIT_TEST(acpi_madt_enabled_and_online_capable)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          i, s;

    LOAD_4X2(&cap);
    i = cap_find(&cap, "APIC");
    s = cap_find(&cap, "SRAT");
    REQUIRE(i > 0 && s > 0);
    REQUIRE(cap.c[i].data[44] == 0 && cap.c[i].data[44 + 7 * 8] == 0);
    put32(cap.c[i].data + 44 + 7 * 8 + 4, 0);    /* CPU 7 (APIC 7) disabled */
    put32(cap.c[i].data + 44 + 6 * 8 + 4, 2);    /* CPU 6 online capable only */
    cap_fix_checksum(&cap, i);
    put32(cap.c[s].data + 48 + 5 * 16 + 4, 0);   /* SRAT entry of APIC 5 disabled */
    cap_fix_checksum(&cap, s);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK_EQ(info->ncpus, 7);
        CHECK_EQ(info->ncpus_seen, 7);
        if (info->ncpus == 7) {
            CHECK_EQ(info->cpu[6].apic_id, 6);
            CHECK(info->cpu[6].has_domain);
            CHECK_EQ(info->cpu[6].domain, 3);
            CHECK_EQ(info->cpu[5].apic_id, 5);
            CHECK(!info->cpu[5].has_domain);
            CHECK(info->cpu[4].has_domain);
        }
    }
    cap_free(&cap);
    free(info);
}

/* x2APIC MADT and SRAT entries (IDs beyond 255) give the same CPUs,
 * UIDs and domains as the xAPIC originals. */
UNIT_TEST(acpi_x2apic_entries)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    uint32_t     k;

    LOAD_4X2(&cap);
    make_x2apic(&cap, 0x1000);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK_EQ(info->ncpus, 8);
        for (k = 0; k < info->ncpus && k < 8; k++) {
            CHECK_EQ(info->cpu[k].apic_id, 0x1000 + k);
            CHECK_EQ(info->cpu[k].acpi_uid, k);
            CHECK(info->cpu[k].has_domain);
            CHECK_EQ(info->cpu[k].domain, k / 2);
        }
        CHECK_EQ(info->nmem, 5);
        CHECK(info->has_slit);
    } else {
        UNIT_LOG("error: %s", info->error);
    }
    cap_free(&cap);
    free(info);
}

/* MADT local APIC address override (type 5, 5.2.12.8): its 64-bit
 * address replaces the 32-bit one of the MADT header. */
UNIT_TEST(acpi_lapic_address_override)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    uint8_t      t[4096];
    uint32_t     len;
    int          i;

    LOAD_4X2_TABLE(&cap, i, "APIC");
    len = get32(cap.c[i].data + 4);
    memcpy(t, cap.c[i].data, len);
    memset(t + len, 0, 12);
    t[len] = 5;
    t[len + 1] = 12;
    put64(t + len + 4, 0x1FEE00000ull);
    cap_replace(&cap, i, t, len + 12);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK_EQ(info->lapic_phys, 0x1FEE00000ull);
        CHECK_EQ(info->ncpus, 8);
    }
    cap_free(&cap);
    free(info);
}

/* ACPI 2.0 path, from the 4x2 tables: an RSDP of revision 2 whose XSDT
 * (64-bit entries, placed above 4 GiB) lists the tables; the RSDT it also
 * names is corrupt, so only an XSDT-first parser succeeds. */
UNIT_TEST(acpi_xsdt_preferred)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          x;

    LOAD_4X2(&cap);
    x = make_xsdt(&cap, 0x123456789ull);
    REQUIRE(x > 0);
    cap.c[1].data[36] ^= 0xFF;                 /* RSDT: bad checksum, bad pointer */
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK_EQ(info->rsdp_revision, 2);
        CHECK_EQ(info->ncpus, 8);
        CHECK(info->has_srat);
        CHECK(info->has_slit);
        CHECK_EQ(info->nmem, 5);
    } else {
        UNIT_LOG("error: %s", info->error);
    }

    /* a bad extended checksum makes the RSDP invalid */
    cap.c[0].data[32] ^= 1;
    expect_fail(&cap, -EINVAL, "RSDP");
    cap.c[0].data[32] ^= 1;
    /* a bad XSDT checksum is fatal, naming the XSDT */
    cap.c[x].data[36] ^= 0x01;
    expect_fail(&cap, -EINVAL, "XSDT");
    cap_free(&cap);
    free(info);
}

/* More processors than ACPI_MAX_CPUS: the 16x4 MADT's 64 entries repeated
 * with new IDs past the array size; the extra ones are counted in
 * ncpus_seen but not stored. */
UNIT_TEST(acpi_too_many_cpus_counted)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    uint32_t     total = ACPI_MAX_CPUS + 5, k, o;
    uint8_t     *t = malloc(44 + 16 * (size_t)total + 64);
    int          i;

    REQUIRE(t != NULL);
    LOAD(&cap, m_16x4.file);
    i = cap_find(&cap, "APIC");
    REQUIRE(i > 0);
    memcpy(t, cap.c[i].data, 44);
    for (k = 0, o = 44; k < total; k++, o += 16) {    /* x2APIC: IDs beyond 255 */
        memset(t + o, 0, 16);
        t[o] = 9;
        t[o + 1] = 16;
        put32(t + o + 4, k);
        put32(t + o + 8, 1);
        put32(t + o + 12, k);
    }
    cap_replace(&cap, i, t, o);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK_EQ(info->ncpus, ACPI_MAX_CPUS);
        CHECK_EQ(info->ncpus_seen, total);
        CHECK_EQ(info->cpu[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
    }
    cap_free(&cap);
    free(info);
    free(t);
}

/* More SRAT memory ranges than ACPI_MAX_MEM: counted in nmem_seen, the
 * first ACPI_MAX_MEM stored. */
UNIT_TEST(acpi_too_many_ranges_counted)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    uint32_t     total = ACPI_MAX_MEM + 3, k, o;
    uint8_t     *t = malloc(48 + 40 * (size_t)total + 16 * 8);
    int          s;

    REQUIRE(t != NULL);
    LOAD_4X2_TABLE(&cap, s, "SRAT");
    memcpy(t, cap.c[s].data, 48 + 8 * 16);           /* header and the 8 CPUs */
    for (k = 0, o = 48 + 8 * 16; k < total; k++, o += 40) {
        memset(t + o, 0, 40);
        t[o] = 1;
        t[o + 1] = 40;
        put32(t + o + 2, k % 4);                     /* domain */
        put64(t + o + 8, (uint64_t)k * 0x100000);     /* base */
        put64(t + o + 16, 0x100000);                 /* length */
        put32(t + o + 28, 1);                        /* enabled */
    }
    cap_replace(&cap, s, t, o);
    if (CHECK_EQ(parse_cap(&cap, info), 0)) {
        CHECK(info->has_srat);
        CHECK_EQ(info->nmem, ACPI_MAX_MEM);
        CHECK_EQ(info->nmem_seen, total);
        CHECK_EQ(info->mem[ACPI_MAX_MEM - 1].base, (uint64_t)(ACPI_MAX_MEM - 1) * 0x100000);
        CHECK_EQ(info->mem[ACPI_MAX_MEM - 1].domain, (ACPI_MAX_MEM - 1) % 4);
    }
    cap_free(&cap);
    free(info);
    free(t);
}

/* The hot-pluggable flag of a memory entry is reported. */
UNIT_TEST(acpi_srat_hotplug_flag)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    int          s;

    LOAD_4X2_TABLE(&cap, s, "SRAT");
    /* third memory entry (domain 1): flags enabled | hot pluggable */
    put32(cap.c[s].data + 48 + 8 * 16 + 2 * 40 + 28, 3);
    cap_fix_checksum(&cap, s);
    if (CHECK_EQ(parse_cap(&cap, info), 0) && CHECK_EQ(info->nmem, 5)) {
        CHECK(!info->mem[1].hotplug);
        CHECK(info->mem[2].hotplug);
        CHECK_EQ(info->mem[2].domain, 1);
    }
    cap_free(&cap);
    free(info);
}

/* A memory entry with the enabled bit clear is not a range, even with a
 * length; a processor entry's domain is 32 bits split over bytes 2 and
 * 9..11 (5.2.16.1), a memory entry's over bytes 2..5 (5.2.16.2). */
UNIT_TEST(acpi_srat_disabled_and_wide_domains)
{
    cap_t        cap;
    acpi_info_t *info = info_new();
    uint8_t     *e;
    int          s;

    LOAD_4X2_TABLE(&cap, s, "SRAT");
    e = cap.c[s].data + 48 + 8 * 16;              /* first memory entry */
    REQUIRE(e[0] == 1 && get64(e + 16) == 0xA0000);
    put32(e + 28, 0);                             /* 0-640K: disabled */
    e = cap.c[s].data + 48 + 8 * 16 + 4 * 40;     /* domain 3's memory */
    put32(e + 2, 0x00012345);
    e = cap.c[s].data + 48 + 1 * 16;              /* APIC 1's CPU entry */
    e[2] = 0x45;
    e[9] = 0x23;
    e[10] = 0x01;
    e[11] = 0x00;
    cap_fix_checksum(&cap, s);
    if (CHECK_EQ(parse_cap(&cap, info), 0) && CHECK_EQ(info->nmem, 4)) {
        CHECK_EQ(info->mem[0].base, 0x100000);
        CHECK_EQ(info->mem[3].domain, 0x12345);
        CHECK_EQ(info->cpu[1].domain, 0x12345);
        CHECK_EQ(info->cpu[0].domain, 0);
        CHECK_EQ(info->nmem_seen, 4);
    }
    cap_free(&cap);
    free(info);
}

UNIT_MAIN()
