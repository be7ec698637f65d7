/*
 * mb2.h - parsing of the multiboot2 boot information (MBI) GRUB hands over.
 *
 * Reference: The Multiboot2 Specification, version 2.0, section 3.6
 * ("Boot information format"). The parser is pure: it reads the MBI through
 * a pointer and records pointers into it, so the host unit tests run it on
 * hand-built tag sequences.
 */
#ifndef _MB2_H_
#define _MB2_H_

#include <stdint.h>
#include <stddef.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u   /* in EAX at entry (spec 3.3) */

/* Tag types (spec 3.6) */
#define MB2_TAG_END        0
#define MB2_TAG_CMDLINE    1
#define MB2_TAG_LOADER     2
#define MB2_TAG_MODULE     3
#define MB2_TAG_MEMINFO    4
#define MB2_TAG_MMAP       6
#define MB2_TAG_ELF        9
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15

/* Memory map entry types (spec 3.6.8) */
#define MB2_MEM_AVAILABLE 1
#define MB2_MEM_ACPI      3
#define MB2_MEM_NVS       4
#define MB2_MEM_BAD       5

#define MB2_MAX_MMAP 64
#define MB2_MAX_MODS 8

typedef struct mb2_mmap_s {
    uint64_t base;     /* physical address, bytes */
    uint64_t length;   /* bytes */
    uint32_t type;     /* MB2_MEM_* */
} mb2_mmap_t;

typedef struct mb2_module_s {
    uint32_t    start;   /* physical address of the first byte */
    uint32_t    end;     /* physical address past the last byte */
    const char *string;  /* module command line, NUL-terminated, in the MBI */
} mb2_module_t;

typedef struct mb2_info_s {
    uint32_t     total_size;      /* bytes of the MBI, including its header */
    const char  *cmdline;         /* kernel command line, or NULL */
    const char  *loader_name;     /* boot loader name, or NULL */
    uint32_t     nmmap;           /* entries stored in mmap[] */
    uint32_t     nmmap_dropped;   /* entries beyond MB2_MAX_MMAP, ignored */
    mb2_mmap_t   mmap[MB2_MAX_MMAP];
    uint32_t     nmods;
    mb2_module_t mod[MB2_MAX_MODS];
    const void  *rsdp;            /* copy of the ACPI RSDP in the MBI, or NULL */
    uint32_t     rsdp_len;        /* bytes */
    uint32_t     rsdp_tag;        /* MB2_TAG_ACPI_NEW or MB2_TAG_ACPI_OLD, 0 if none */
    /* ELF section headers (tag 9), laid out as GRUB does: u32 num, entsize, shndx */
    uint32_t     elf_num;
    uint32_t     elf_entsize;
    uint32_t     elf_shndx;
    const void  *elf_sections;
} mb2_info_t;

/*
 * Parses the MBI at @mbi.
 * Runs on the bootstrap core only, before any allocator exists.
 * @magic : value of EAX at entry.
 * @mbi   : the MBI, readable (a virtual address).
 * @max   : bytes readable at @mbi; a total_size beyond it is truncation.
 * @out   : filled on success and partially on failure.
 * @return 0, or
 *   -EINVAL  bad magic, misaligned MBI, a tag running past total_size, a
 *            tag shorter than its type requires, a string tag without its
 *            NUL, or no end tag;
 *   -E2BIG   total_size larger than @max.
 * When both the new (ACPI 2.0+) and old RSDP tags are present, the new one
 * wins whatever their order.
 */
int mb2_parse(uint32_t magic, const void *mbi, size_t max, mb2_info_t *out);

#endif
