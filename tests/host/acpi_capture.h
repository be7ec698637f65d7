/*
 * acpi_capture.h - reader of the ACPI table captures of tests/data/acpi/
 * for the host unit tests (test_acpi.c, test_topology.c), and what the
 * tests know of the QEMU machines behind them (machine_t, qemu_ranges,
 * qemu_apic_id, slit_formula). Variants of a capture: acpi_variants.h.
 *
 * The capture files ("ARCHACPI" version 1) are written by
 * tools/acpi_capture.py; their format is described at the top of that
 * script and in tests/data/acpi/README.md. A capture is loaded into a cap_t
 * whose chunks are served to acpi_parse() by the map callback cap_map().
 *
 * Header-only: every test program is a single .c file, so the functions are
 * static; they are marked unused because not every test calls all of them.
 */
#ifndef _ACPI_CAPTURE_H_
#define _ACPI_CAPTURE_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_UNUSED     __attribute__((unused))

#define DATA_DIR       "tests/data/acpi/"   /* relative to the repository root */
#define CAP_MAX_CHUNKS 32

/* One chunk of a capture: the RSDP or a whole table, at its guest address. */
typedef struct chunk_s {
    uint64_t phys;
    uint32_t len;
    uint8_t *data;      /* data[0] is at phys; data is phys-aligned mod 16 */
    void    *alloc;
} chunk_t;

/* A loaded capture file. */
typedef struct cap_s {
    char     desc[16384];           /* the QEMU command line */
    int      n;
    chunk_t  c[CAP_MAX_CHUNKS];     /* c[0]: RSDP, c[1]: RSDT, then tables */
} cap_t;

/* Reads the little-endian 32-bit value at @p (any alignment); returns it. */
CAP_UNUSED static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Reads the little-endian 64-bit value at @p (any alignment); returns it. */
CAP_UNUSED static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/*
 * Sets chunk @c to a fresh copy of the @len bytes at @src, at guest address
 * @phys, with data placed at the same address modulo 16 as in the guest
 * (so UBSan catches misaligned accesses). Frees the chunk's previous data,
 * if any; aborts when out of memory. Returns nothing.
 */
CAP_UNUSED static void chunk_set(chunk_t *c, uint64_t phys, const uint8_t *src, uint32_t len)
{
    uint8_t *a = malloc(len + 32);

    if (!a)
        abort();
    free(c->alloc);
    c->alloc = a;
    c->data = a + (phys & 15);
    c->phys = phys;
    c->len = len;
    memcpy(c->data, src, len);
}

/*
 * Loads the capture file DATA_DIR @name (path relative to the repository
 * root) into @cap, which it clears first: the QEMU command line into
 * cap->desc (truncated if too long), every chunk into cap->c[], their count
 * into cap->n. Checks the magic, the version (1), a chunk count of 2 to
 * CAP_MAX_CHUNKS and that every record lies inside the file.
 * Returns 0 on success, or minus the line of acpi_capture.h that failed
 * (cap->n is then 0); free a loaded capture with cap_free().
 */
CAP_UNUSED static int cap_load(cap_t *cap, const char *name)
{
    char     path[256];
    FILE    *f;
    long     size;
    uint8_t *b;
    uint32_t n, dlen, off, i;

    memset(cap, 0, sizeof *cap);
    snprintf(path, sizeof path, DATA_DIR "%s", name);
    f = fopen(path, "rb");
    if (!f)
        return -__LINE__;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)size);
    if (!b || fread(b, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(b);
        return -__LINE__;
    }
    fclose(f);
    if (size < 24 || memcmp(b, "ARCHACPI", 8) != 0 || get32(b + 8) != 1)
        goto bad;
    n = get32(b + 12);
    dlen = get32(b + 16);
    if (n < 2 || n > CAP_MAX_CHUNKS || 24 + dlen > (uint32_t)size)
        goto bad;
    memcpy(cap->desc, b + 24, dlen < sizeof cap->desc ? dlen : sizeof cap->desc - 1);
    off = 24 + ((dlen + 7) & ~7u);
    for (i = 0; i < n; i++) {
        uint64_t phys;
        uint32_t len;

        if (off + 16 > (uint32_t)size)
            goto bad;
        phys = get64(b + off);
        len = get32(b + off + 8);
        off += 16;
        if (off + len > (uint32_t)size)
            goto bad;
        chunk_set(&cap->c[i], phys, b + off, len);
        off += (len + 7) & ~7u;
    }
    cap->n = (int)n;
    free(b);
    return 0;
bad:
    free(b);
    return -__LINE__;
}

/* Frees the chunks of @cap, loaded by cap_load(), and sets cap->n to 0.
 * Returns nothing. */
CAP_UNUSED static void cap_free(cap_t *cap)
{
    int i;

    for (i = 0; i < cap->n; i++)
        free(cap->c[i].alloc);
    cap->n = 0;
}

/*
 * The map callback given to acpi_parse(), with @ctx the cap_t: maps @len
 * bytes at guest address @phys. Returns a pointer to them inside the chunk
 * that holds all of [phys, phys+len), or NULL when no chunk does.
 */
CAP_UNUSED static const void *cap_map(uint64_t phys, size_t len, void *ctx)
{
    cap_t *cap = ctx;
    int    i;

    for (i = 0; i < cap->n; i++) {
        chunk_t *c = &cap->c[i];

        if (phys >= c->phys && phys - c->phys <= c->len && len <= c->len - (phys - c->phys))
            return c->data + (phys - c->phys);
    }
    return NULL;
}

/* ---- what QEMU was asked for -------------------------------------------- */

/* One capture: the QEMU machine of tools/acpi_capture.py's preset. */
typedef struct machine_s {
    const char *file;
    uint32_t    sockets;        /* = nodes with cpus; socket s is node s */
    uint32_t    cores;          /* per socket */
    uint32_t    nodes;          /* SRAT proximity domains (0: no -numa) */
    uint64_t    node_mem[16];   /* bytes of each node (0: no memdev) */
    bool        slit;           /* -numa dist given */
} machine_t;

#define CAP_M128 (128ull << 20)
#define CAP_GIB  (1ull << 30)

CAP_UNUSED static const machine_t m_4x2 = { "qemu-4x2.bin", 4, 2, 4,
    { CAP_M128, CAP_M128, CAP_M128, CAP_M128 }, true };
CAP_UNUSED static const machine_t m_1x1 = { "qemu-1x1-nonuma.bin", 1, 1, 0, { CAP_M128 }, false };
CAP_UNUSED static const machine_t m_2x2ns = { "qemu-2x2-noslit.bin", 2, 2, 2,
    { CAP_M128, CAP_M128 }, false };
CAP_UNUSED static const machine_t m_16x4 = { "qemu-16x4.bin", 16, 4, 16,
    { CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128,
      CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128, CAP_M128 }, true };
/* node 2: memory, no cpus */
CAP_UNUSED static const machine_t m_memonly = { "qemu-memonly.bin", 2, 2, 3,
    { CAP_M128, CAP_M128, CAP_M128 }, true };
/* node 2 (socket 2): cpus, no memdev */
CAP_UNUSED static const machine_t m_cpuonly = { "qemu-cpuonly.bin", 3, 2, 3,
    { CAP_M128, CAP_M128, 0 }, true };
/* 3 cores per socket: APIC IDs are not contiguous */
CAP_UNUSED static const machine_t m_2x3 = { "qemu-2x3.bin", 2, 3, 2, { CAP_M128, CAP_M128 }, true };
/* 2 x 2 GiB: node 1 is cut by the PCI hole below 4 GiB */
CAP_UNUSED static const machine_t m_2x2g = { "qemu-2x2g.bin", 2, 2, 2,
    { 2 * CAP_GIB, 2 * CAP_GIB }, true };

/* One SRAT memory range QEMU builds (qemu_ranges). */
typedef struct range_s {
    uint32_t domain;
    uint64_t base, length;      /* bytes */
} range_t;

/*
 * The SRAT memory ranges QEMU 7.2 builds for the pc machine @m
 * (hw/i386/acpi-build.c build_srat): nodes take consecutive RAM in node
 * order; RAM above the low-memory top (all of it below 3.5 GiB, else
 * 3 GiB) is mapped from 4 GiB; node 0 loses the 640K..1M hole as two
 * entries. Nodes without memory have no enabled range.
 * Returns the number of ranges written to @r.
 */
CAP_UNUSED static int qemu_ranges(const machine_t *m, range_t *r)
{
    uint64_t total = 0, lowtop, off = 0;
    uint32_t d;
    int      n = 0;

    for (d = 0; d < m->nodes; d++)
        total += m->node_mem[d];
    lowtop = total >= 0xE0000000ull ? 0xC0000000ull : total;
    for (d = 0; d < m->nodes; d++) {
        uint64_t a = off, e = off + m->node_mem[d];

        off = e;
        if (a == e)
            continue;
        if (a < lowtop) {
            uint64_t le = e < lowtop ? e : lowtop;

            if (a < 0xA0000 && le > 0x100000) {
                r[n++] = (range_t){ d, a, 0xA0000 - a };
                r[n++] = (range_t){ d, 0x100000, le - 0x100000 };
            } else {
                r[n++] = (range_t){ d, a, le - a };
            }
        }
        if (e > lowtop) {
            uint64_t ha = a > lowtop ? a : lowtop;

            r[n++] = (range_t){ d, ha - lowtop + 4 * CAP_GIB, e - ha };
        }
    }
    return n;
}

/*
 * QEMU's APIC ID of core @c of socket @s on a machine of @cores cores per
 * socket and threads=1: socket << ceil(log2(cores)) | core
 * (hw/i386/topology.h). Returns that APIC ID.
 */
CAP_UNUSED static uint32_t qemu_apic_id(uint32_t cores, uint32_t s, uint32_t c)
{
    uint32_t w = 0;

    while ((1u << w) < cores)
        w++;
    return (s << w) | c;
}

/*
 * The project's SLIT distance formula, given to QEMU by -numa dist
 * (tools/acpi_capture.py): the distance from locality @i to locality @j.
 * Returns 10 when i == j, else 10 + 10 * (1 + index of the highest set bit
 * of i XOR j): 20 within a pair, 30 within a group of four, and so on.
 */
CAP_UNUSED static uint8_t slit_formula(uint32_t i, uint32_t j)
{
    uint32_t x = i ^ j, hb = 0;

    if (i == j)
        return 10;
    while (x >> (hb + 1))
        hb++;
    return (uint8_t)(10 + 10 * (1 + hb));
}

#endif /* _ACPI_CAPTURE_H_ */
