/*
 * acpi.c - RSDP, RSDT/XSDT, MADT, SRAT and SLIT parsing (see acpi.h).
 *
 * All multi-byte fields are little-endian and may be unaligned: they are
 * read with memcpy. Section numbers refer to the ACPI Specification 6.4.
 */
#include "acpi.h"
#include "hal_upcalls.h"

#define SDT_HEADER_LEN 36           /* 5.2.6, system description table header */

static uint8_t rd8(const uint8_t *p)   { return *p; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

uint8_t acpi_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + b[i]);
    return sum;
}

static void acpi_warn(acpi_info_t *out, const char *msg, const char *sig)
{
    if (out->nwarn < ACPI_MAX_WARN)
        snprintf(out->warn[out->nwarn++], ACPI_MSG_LEN, "%s %s", sig, msg);
}

/*
 * Maps the whole table at @phys after checking its header: readable, length
 * at least the header, checksum zero.
 * @return the table, or NULL with *@err set to a short reason.
 */
static const uint8_t *acpi_map_table(uint64_t phys, acpi_map_fn map, void *ctx,
                                     const char **err)
{
    const uint8_t *hdr = map(phys, SDT_HEADER_LEN, ctx);
    const uint8_t *table;
    uint32_t len;

    if (hdr == NULL) {
        *err = "header unreadable";
        return NULL;
    }
    len = rd32(hdr + 4);
    if (len < SDT_HEADER_LEN) {
        *err = "truncated (length below the header size)";
        return NULL;
    }
    table = map(phys, len, ctx);
    if (table == NULL) {
        *err = "truncated (length runs past readable memory)";
        return NULL;
    }
    if (acpi_checksum(table, len) != 0) {
        *err = "bad checksum";
        return NULL;
    }
    return table;
}

/* Records a processor found in the MADT (5.2.12.2 / 5.2.12.12). */
static void acpi_add_cpu(acpi_info_t *out, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    /* bit 0: enabled; bit 1: online capable (can be enabled later) */
    if (!(flags & 0x3))
        return;
    for (uint32_t i = 0; i < out->ncpus; i++)
        if (out->cpu[i].apic_id == apic_id)
            return;                     /* listed as both xAPIC and x2APIC */
    out->ncpus_seen++;
    if (out->ncpus == ACPI_MAX_CPUS)
        return;
    out->cpu[out->ncpus].apic_id    = apic_id;
    out->cpu[out->ncpus].acpi_uid   = uid;
    out->cpu[out->ncpus].has_domain = false;
    out->ncpus++;
}

/* MADT, 5.2.12: u32 local APIC address, u32 flags, then entries. */
static int acpi_parse_madt(const uint8_t *t, acpi_info_t *out)
{
    uint32_t len = rd32(t + 4);
    uint32_t off = SDT_HEADER_LEN + 8;

    if (len < off) {
        snprintf(out->error, ACPI_MSG_LEN, "MADT truncated (%u bytes)", len);
        return -EINVAL;
    }
    out->lapic_phys = rd32(t + SDT_HEADER_LEN);
    for (uint32_t i = 0; i < 16; i++) {
        out->isa_gsi[i] = i;            /* identity unless overridden */
        out->isa_flags[i] = 0;
    }
    while (off + 2 <= len) {
        const uint8_t *e = t + off;
        uint8_t type = rd8(e), elen = rd8(e + 1);

        if (elen < 2 || off + elen > len) {
            snprintf(out->error, ACPI_MSG_LEN,
                     "MADT entry at offset %u runs past the table", off);
            return -EINVAL;
        }
        switch (type) {
        case 0:                         /* processor local APIC */
            if (elen >= 8)
                acpi_add_cpu(out, rd8(e + 3), rd8(e + 2), rd32(e + 4));
            break;
        case 1:                         /* I/O APIC */
            if (elen >= 12) {
                if (out->nioapics++ == 0) {
                    out->ioapic_id       = rd8(e + 2);
                    out->ioapic_phys     = rd32(e + 4);
                    out->ioapic_gsi_base = rd32(e + 8);
                }
            }
            break;
        case 2:                         /* interrupt source override: bus 0 (ISA) */
            if (elen >= 10 && rd8(e + 2) == 0 && rd8(e + 3) < 16) {
                uint16_t flags;

                memcpy(&flags, e + 8, 2);
                out->isa_gsi[rd8(e + 3)] = rd32(e + 4);
                out->isa_flags[rd8(e + 3)] = flags;
            }
            break;
        case 5:                         /* local APIC address override */
            if (elen >= 12)
                out->lapic_phys = rd64(e + 4);
            break;
        case 9:                         /* processor local x2APIC */
            if (elen >= 16)
                acpi_add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8));
            break;
        default:
            break;
        }
        off += elen;
    }
    return 0;
}

static void acpi_set_domain(acpi_info_t *out, uint32_t apic_id, uint32_t domain)
{
    for (uint32_t i = 0; i < out->ncpus; i++) {
        if (out->cpu[i].apic_id == apic_id) {
            out->cpu[i].domain     = domain;
            out->cpu[i].has_domain = true;
        }
    }
}

/* SRAT, 5.2.16: u32 reserved (1), u64 reserved, then affinity structures. */
static int acpi_parse_srat(const uint8_t *t, acpi_info_t *out)
{
    uint32_t len = rd32(t + 4);
    uint32_t off = SDT_HEADER_LEN + 12;

    if (len < off)
        return -EINVAL;
    while (off + 2 <= len) {
        const uint8_t *e = t + off;
        uint8_t type = rd8(e), elen = rd8(e + 1);

        if (elen < 2 || off + elen > len)
            return -EINVAL;
        switch (type) {
        case 0:                         /* processor local APIC affinity */
            if (elen >= 16 && (rd32(e + 4) & 1)) {
                uint32_t domain = rd8(e + 2) | ((uint32_t)rd8(e + 9) << 8) |
                                  ((uint32_t)rd8(e + 10) << 16) |
                                  ((uint32_t)rd8(e + 11) << 24);
                acpi_set_domain(out, rd8(e + 3), domain);
            }
            break;
        case 1:                         /* memory affinity */
            if (elen >= 40 && (rd32(e + 28) & 1) && rd64(e + 16) != 0) {
                out->nmem_seen++;
                if (out->nmem < ACPI_MAX_MEM) {
                    acpi_mem_t *m = &out->mem[out->nmem++];
                    m->domain  = rd32(e + 2);
                    m->base    = rd64(e + 8);
                    m->length  = rd64(e + 16);
                    m->hotplug = (rd32(e + 28) & 2) != 0;
                }
            }
            break;
        case 2:                         /* processor local x2APIC affinity */
            if (elen >= 24 && (rd32(e + 12) & 1))
                acpi_set_domain(out, rd32(e + 8), rd32(e + 4));
            break;
        default:
            break;
        }
        off += elen;
    }
    return 0;
}

/* SLIT, 5.2.17: u64 number of localities N, then N*N one-byte distances. */
static int acpi_parse_slit(const uint8_t *t, acpi_info_t *out)
{
    uint32_t len = rd32(t + 4);
    uint64_t n;

    if (len < SDT_HEADER_LEN + 8)
        return -EINVAL;
    n = rd64(t + SDT_HEADER_LEN);
    if (n == 0 || n > 0xffff || SDT_HEADER_LEN + 8 + n * n > len)
        return -EINVAL;
    out->slit_localities = (uint32_t)n;
    for (uint64_t i = 0; i < n && i < ACPI_MAX_SLIT; i++)
        for (uint64_t j = 0; j < n && j < ACPI_MAX_SLIT; j++)
            out->slit[i][j] = rd8(t + SDT_HEADER_LEN + 8 + i * n + j);
    return 0;
}

/* Checks the RSDP (5.2.5) and returns the address of the XSDT or RSDT. */
static int acpi_parse_rsdp(const uint8_t *r, size_t len, acpi_info_t *out,
                           uint64_t *sdt, bool *xsdt)
{
    if (len < 20 || memcmp(r, "RSD PTR ", 8) != 0) {
        snprintf(out->error, ACPI_MSG_LEN, "RSDP signature not found");
        return -EINVAL;
    }
    if (acpi_checksum(r, 20) != 0) {
        snprintf(out->error, ACPI_MSG_LEN, "RSDP checksum is bad");
        return -EINVAL;
    }
    memcpy(out->oem_id, r + 9, 6);
    out->oem_id[6] = '\0';
    out->rsdp_revision = rd8(r + 15);
    *xsdt = false;
    *sdt  = rd32(r + 16);
    if (out->rsdp_revision >= 2 && len >= 36) {
        if (acpi_checksum(r, 36) != 0) {
            snprintf(out->error, ACPI_MSG_LEN, "RSDP extended checksum is bad");
            return -EINVAL;
        }
        if (rd64(r + 24) != 0) {
            *sdt  = rd64(r + 24);
            *xsdt = true;
        }
    }
    return 0;
}

int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
               acpi_info_t *out)
{
    const uint8_t *root, *madt = NULL, *srat = NULL, *slit = NULL;
    bool srat_seen = false, slit_seen = false;
    const char *err = NULL;
    uint64_t sdt;
    bool xsdt;
    uint32_t entry, n;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = acpi_parse_rsdp(rsdp, rsdp_len, out, &sdt, &xsdt);
    if (rc)
        return rc;

    root = acpi_map_table(sdt, map, ctx, &err);
    if (root == NULL) {
        snprintf(out->error, ACPI_MSG_LEN, "%s: %s", xsdt ? "XSDT" : "RSDT", err);
        return -EINVAL;
    }
    entry = xsdt ? 8 : 4;
    n = (rd32(root + 4) - SDT_HEADER_LEN) / entry;

    /* 5.2.7 / 5.2.8: an array of 32-bit (RSDT) or 64-bit (XSDT) pointers */
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = root + SDT_HEADER_LEN + i * entry;
        uint64_t phys = xsdt ? rd64(p) : rd32(p);
        const uint8_t *hdr = map(phys, SDT_HEADER_LEN, ctx);
        const uint8_t *t;
        char sig[5];

        if (hdr == NULL)
            continue;
        memcpy(sig, hdr, 4);
        sig[4] = '\0';
        if (strcmp(sig, "APIC") && strcmp(sig, "SRAT") && strcmp(sig, "SLIT"))
            continue;
        srat_seen |= !strcmp(sig, "SRAT");
        slit_seen |= !strcmp(sig, "SLIT");
        t = acpi_map_table(phys, map, ctx, &err);
        if (t == NULL) {
            if (!strcmp(sig, "APIC")) {
                snprintf(out->error, ACPI_MSG_LEN, "MADT: %s", err);
                return -EINVAL;
            }
            acpi_warn(out, err, sig);
            continue;
        }
        if (!strcmp(sig, "APIC"))
            madt = t;
        else if (!strcmp(sig, "SRAT"))
            srat = t;
        else
            slit = t;
    }

    if (madt == NULL) {
        snprintf(out->error, ACPI_MSG_LEN, "no MADT: cannot find the processors");
        return -ENOENT;
    }
    rc = acpi_parse_madt(madt, out);
    if (rc)
        return rc;

    if (!srat_seen)
        acpi_warn(out, "absent: no NUMA information", "SRAT");
    if (!slit_seen)
        acpi_warn(out, "absent: distances assumed 10 (local) and 20 (remote)", "SLIT");
    if (srat != NULL) {
        if (acpi_parse_srat(srat, out) == 0) {
            out->has_srat = true;
        } else {
            acpi_warn(out, "has an entry running past its end: ignored", "SRAT");
            out->nmem = out->nmem_seen = 0;
            for (uint32_t i = 0; i < out->ncpus; i++)
                out->cpu[i].has_domain = false;
        }
    }
    if (slit != NULL) {
        if (acpi_parse_slit(slit, out) == 0)
            out->has_slit = true;
        else
            acpi_warn(out, "is truncated: ignored", "SLIT");
    }
    return 0;
}
