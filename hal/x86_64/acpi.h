/*
 * acpi.h - the ACPI tables Archipel needs to find its clusters.
 *
 * References (ACPI Specification 6.4): RSDP 5.2.5, RSDT 5.2.7, XSDT 5.2.8,
 * MADT 5.2.12 (processor local APIC 5.2.12.2, I/O APIC 5.2.12.3, local APIC
 * address override 5.2.12.8, interrupt source override 5.2.12.5, processor
 * local x2APIC 5.2.12.12), SRAT 5.2.16
 * (processor local APIC affinity 5.2.16.1, memory affinity 5.2.16.2, x2APIC
 * affinity 5.2.16.3), SLIT 5.2.17.
 *
 * The parser is pure: it reaches physical memory only through the caller's
 * map function, so the host unit tests run it on tables captured from QEMU.
 * Every table's checksum is validated.
 */
#ifndef _ACPI_H_
#define _ACPI_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifndef MAX_CLUSTERS
#error "MAX_CLUSTERS must be defined (params.mk)"
#endif
#ifndef MAX_CORES_PER_CLUSTER
#error "MAX_CORES_PER_CLUSTER must be defined (params.mk)"
#endif

#define ACPI_MAX_CPUS     (MAX_CLUSTERS * MAX_CORES_PER_CLUSTER)
#define ACPI_MAX_MEM      (4 * MAX_CLUSTERS)   /* SRAT memory ranges kept */
#define ACPI_MAX_DOMAINS  256                  /* proximity domains tracked */
#define ACPI_MAX_SLIT     MAX_CLUSTERS         /* SLIT rows kept */
#define ACPI_MAX_WARN     8
#define ACPI_MSG_LEN      120

typedef struct acpi_cpu_s {
    uint32_t apic_id;      /* local APIC ID (xAPIC or x2APIC) */
    uint32_t acpi_uid;     /* ACPI processor UID */
    uint32_t domain;       /* proximity domain from SRAT, if has_domain */
    bool     has_domain;   /* an enabled SRAT entry names this APIC ID */
} acpi_cpu_t;

typedef struct acpi_mem_s {
    uint64_t base;         /* physical address, bytes */
    uint64_t length;       /* bytes */
    uint32_t domain;       /* proximity domain */
    bool     hotplug;      /* SRAT "hot pluggable" flag */
} acpi_mem_t;

typedef struct acpi_info_s {
    uint8_t    rsdp_revision;     /* 0: ACPI 1.0 (RSDT), >= 2: XSDT */
    char       oem_id[7];
    uint64_t   lapic_phys;        /* local APIC MMIO base */
    uint64_t   ioapic_phys;       /* first I/O APIC MMIO base, 0 if none */
    uint32_t   ioapic_id;
    uint32_t   ioapic_gsi_base;
    uint32_t   nioapics;

    /*
     * ISA IRQ -> GSI after the interrupt source overrides (5.2.12.5): the
     * GSI of ISA IRQ i is isa_gsi[i] (i itself without an override), its
     * MPS INTI flags isa_flags[i] (bits 1:0 polarity, 3:2 trigger mode; 0:
     * "conforms to the bus", for ISA active high and edge triggered).
     */
    uint32_t   isa_gsi[16];
    uint16_t   isa_flags[16];

    /* enabled (or online-capable) processors from the MADT, in MADT order */
    uint32_t   ncpus;             /* stored in cpu[] */
    uint32_t   ncpus_seen;        /* found; > ncpus when beyond ACPI_MAX_CPUS */
    acpi_cpu_t cpu[ACPI_MAX_CPUS];

    bool       has_srat;          /* an SRAT with a valid checksum was found */
    uint32_t   nmem;              /* enabled SRAT memory ranges stored */
    uint32_t   nmem_seen;
    acpi_mem_t mem[ACPI_MAX_MEM];

    bool       has_slit;          /* a SLIT with a valid checksum was found */
    uint32_t   slit_localities;   /* N of the SLIT (may exceed ACPI_MAX_SLIT) */
    uint8_t    slit[ACPI_MAX_SLIT][ACPI_MAX_SLIT]; /* [from domain][to domain] */

    uint32_t   nwarn;             /* non-fatal problems, printed at boot */
    char       warn[ACPI_MAX_WARN][ACPI_MSG_LEN];
    char       error[ACPI_MSG_LEN]; /* reason of a failed acpi_parse() */
} acpi_info_t;

/*
 * Maps @len bytes of physical memory at @phys for reading; returns NULL when
 * the range cannot be read (outside RAM, outside a captured image).
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);

/*
 * Parses RSDP -> RSDT/XSDT -> MADT, SRAT, SLIT into @out.
 * Runs on the bootstrap core only, before the clusters exist.
 * @rsdp     : the RSDP bytes (the copy GRUB puts in the multiboot2 tag).
 * @rsdp_len : bytes at @rsdp.
 * @map      : reads physical memory (see acpi_map_fn); @ctx is passed to it.
 * @return 0, or
 *   -EINVAL  bad RSDP signature or checksum, bad RSDT/XSDT or MADT checksum,
 *            or a table shorter than its header says or than its entries
 *            need (truncated); out->error says which;
 *   -ENOENT  no MADT.
 * A missing or corrupt SRAT or SLIT is not an error: has_srat / has_slit
 * stay false and a warning is recorded (one per table). Processors and ranges beyond the
 * array sizes are counted (ncpus_seen, nmem_seen) but not stored.
 */
int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
               acpi_info_t *out);

/* Sum of @len bytes at @p modulo 256 (0 for a valid ACPI table). */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
