/*
 * acpi_variants.h - edits of the ACPI table captures (acpi_capture.h) that
 * make the corrupt and unusual variants of test_acpi.c: little-endian
 * stores, finding a table, fixing a checksum, replacing a table (moved to a
 * fresh address, the RSDT updated), the x2APIC form of a machine and the
 * ACPI 2.0 form (XSDT) of a capture.
 *
 * Header-only, like acpi_capture.h: static functions marked unused.
 */
#ifndef _ACPI_VARIANTS_H_
#define _ACPI_VARIANTS_H_

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "acpi_capture.h"

/* Stores @v little-endian at @p (any alignment). Returns nothing. */
CAP_UNUSED static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Stores @v little-endian at @p (any alignment). Returns nothing. */
CAP_UNUSED static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Returns the index in @cap of the table with signature @sig (1.. for tables), or -1. */
CAP_UNUSED static int cap_find(const cap_t *cap, const char *sig)
{
    int i;

    for (i = 1; i < cap->n; i++)
        if (cap->c[i].len >= 4 && memcmp(cap->c[i].data, sig, 4) == 0)
            return i;
    return -1;
}

/* Returns the sum modulo 256 of the @len bytes at @p (0 over a valid table). */
CAP_UNUSED static uint8_t cap_sum(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;

    while (len--)
        s = (uint8_t)(s + *p++);
    return s;
}

/*
 * Recomputes the checksum byte of table chunk @i of @cap (or of the RSDP's
 * first 20 bytes for i = 0), over the table's length field (at most the
 * chunk). Returns nothing.
 */
CAP_UNUSED static void cap_fix_checksum(cap_t *cap, int i)
{
    chunk_t *c = &cap->c[i];
    uint32_t len = i == 0 ? 20 : get32(c->data + 4);
    int      at = i == 0 ? 8 : 9;

    if (len > c->len)
        len = c->len;
    c->data[at] = 0;
    c->data[at] = (uint8_t)-cap_sum(c->data, len);
}

/*
 * Replaces table @i of @cap with @len bytes at @t (its length field and
 * checksum are set here), moved to a fresh physical address so a grown
 * table cannot shadow its neighbours; the RSDT entry that pointed at it is
 * updated. Returns nothing.
 */
CAP_UNUSED static void cap_replace(cap_t *cap, int i, uint8_t *t, uint32_t len)
{
    uint64_t old = cap->c[i].phys;
    /* below 4 GiB (32-bit RSDT entries), away from every captured table,
     * with the original alignment */
    uint64_t phys = 0x3000000ull + (uint64_t)i * 0x10000 + (old & 15);
    chunk_t *rsdt = &cap->c[1];
    uint32_t k;

    put32(t + 4, len);
    chunk_set(&cap->c[i], phys, t, len);
    cap_fix_checksum(cap, i);
    for (k = 36; k + 4 <= get32(rsdt->data + 4); k += 4)
        if (get32(rsdt->data + k) == (uint32_t)old)
            put32(rsdt->data + k, (uint32_t)phys);
    cap_fix_checksum(cap, 1);
}

/*
 * Writes at @out the replacement of entry @e of a type-0 entry (MADT local
 * APIC, SRAT processor affinity) for make_x2apic, whose APIC IDs start at
 * @apic_base. Returns the length of the new entry.
 */
typedef uint32_t cap_entry_fn(const uint8_t *e, uint8_t *out, uint32_t apic_base);

/* A MADT local APIC entry (type 0) as a local x2APIC entry (type 9, ACPI 5.2.12.12). */
CAP_UNUSED static uint32_t x2apic_madt_entry(const uint8_t *e, uint8_t *out, uint32_t apic_base)
{
    memset(out, 0, 16);
    out[0] = 9;
    out[1] = 16;
    put32(out + 4, apic_base + e[3]);          /* x2APIC ID */
    put32(out + 8, get32(e + 4));              /* flags */
    put32(out + 12, e[2]);                     /* ACPI processor UID */
    return 16;
}

/* An SRAT processor entry (type 0) as an x2APIC affinity entry (type 2, 5.2.16.3). */
CAP_UNUSED static uint32_t x2apic_srat_entry(const uint8_t *e, uint8_t *out, uint32_t apic_base)
{
    memset(out, 0, 24);
    out[0] = 2;
    out[1] = 24;
    put32(out + 4, e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
                   (uint32_t)e[11] << 24);     /* proximity domain */
    put32(out + 8, apic_base + e[3]);
    put32(out + 12, get32(e + 4));             /* flags */
    return 24;
}

/*
 * Replaces table @i of @cap (cap_replace) with a copy whose first @hdr bytes
 * are the same, then whose entries of type 0 go through @convert(e, out,
 * @arg) and the others are copied as they are. Returns nothing.
 */
CAP_UNUSED static void cap_rewrite_type0(cap_t *cap, int i, uint32_t hdr, cap_entry_fn *convert,
                                         uint32_t arg)
{
    const uint8_t *table = cap->c[i].data;
    uint8_t        t[4096];
    uint32_t       off, o, len = get32(table + 4);

    memcpy(t, table, hdr);
    for (off = hdr, o = hdr; off < len; off += table[off + 1]) {
        const uint8_t *e = table + off;

        if (e[0] == 0) {
            o += convert(e, t + o, arg);
        } else {
            memcpy(t + o, e, e[1]);
            o += e[1];
        }
    }
    cap_replace(cap, i, t, o);
}

/*
 * Turns @cap (with a MADT and an SRAT, e.g. the 4x2 capture) into the
 * x2APIC form of the same machine: every MADT local APIC entry (type 0)
 * becomes a local x2APIC entry (type 9, ACPI 5.2.12.12) and every SRAT
 * processor entry (type 0) an x2APIC affinity entry (type 2, 5.2.16.3),
 * with APIC IDs @apic_base + n. Aborts when a table is missing. Returns
 * nothing.
 */
CAP_UNUSED static void make_x2apic(cap_t *cap, uint32_t apic_base)
{
    int i = cap_find(cap, "APIC"), s = cap_find(cap, "SRAT");

    if (i < 0 || s < 0)
        abort();
    cap_rewrite_type0(cap, i, 44, x2apic_madt_entry, apic_base);
    cap_rewrite_type0(cap, s, 48, x2apic_srat_entry, apic_base);
}

/*
 * Turns @cap into its ACPI 2.0 form: an XSDT at guest address @xphys
 * listing the RSDT's tables (64-bit entries) becomes chunk cap->n, and the
 * RSDP becomes revision 2 (length 36, XSDT address, both checksums); the
 * RSDT stays. Returns the XSDT's chunk index, or -1 when @cap has no room
 * for one more chunk.
 */
CAP_UNUSED static int make_xsdt(cap_t *cap, uint64_t xphys)
{
    uint8_t  x[512], r[36];
    uint32_t n = (get32(cap->c[1].data + 4) - 36) / 4, k;
    int      i = cap->n;

    if (i + 1 > CAP_MAX_CHUNKS)
        return -1;
    memcpy(x, cap->c[1].data, 36);
    memcpy(x, "XSDT", 4);
    for (k = 0; k < n; k++)
        put64(x + 36 + 8 * k, get32(cap->c[1].data + 36 + 4 * k));
    put32(x + 4, 36 + 8 * n);
    chunk_set(&cap->c[i], xphys, x, 36 + 8 * n);
    cap->n++;
    cap_fix_checksum(cap, i);

    /* RSDP 2.0: revision 2, length 36, XSDT address, extended checksum */
    memcpy(r, cap->c[0].data, 20);
    r[15] = 2;
    put32(r + 20, 36);
    put64(r + 24, xphys);
    memset(r + 32, 0, 4);
    chunk_set(&cap->c[0], cap->c[0].phys, r, 36);
    cap_fix_checksum(cap, 0);                 /* over the first 20 bytes */
    cap->c[0].data[32] = (uint8_t)-cap_sum(cap->c[0].data, 36);
    return i;
}

#endif /* _ACPI_VARIANTS_H_ */
