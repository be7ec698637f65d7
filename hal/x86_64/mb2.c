/*
 * mb2.c - multiboot2 boot information parser (see mb2.h).
 *
 * Layout (Multiboot2 Specification 2.0, 3.6.1): u32 total_size, u32
 * reserved, then tags, each starting on an 8-byte boundary with u32 type,
 * u32 size (size counts the 8-byte tag header, not the padding), ending
 * with a tag of type 0 and size 8.
 */
#include "mb2.h"
#include "hal_upcalls.h"

typedef struct mb2_tag_s {
    uint32_t type;
    uint32_t size;
} mb2_tag_t;

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Minimum size of each known tag type, header included (spec 3.6.x). */
static uint32_t mb2_min_size(uint32_t type)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
    case MB2_TAG_LOADER:   return 9;     /* header + at least the NUL */
    case MB2_TAG_MODULE:   return 17;    /* start, end, NUL string */
    case MB2_TAG_MEMINFO:  return 16;
    case MB2_TAG_MMAP:     return 16;    /* entry_size, entry_version */
    case MB2_TAG_ELF:      return 20;    /* GRUB: u32 num, entsize, shndx */
    case MB2_TAG_ACPI_OLD: return 8 + 20;
    case MB2_TAG_ACPI_NEW: return 8 + 36;
    default:               return 8;
    }
}

static void mb2_parse_mmap(const uint8_t *tag, uint32_t size, mb2_info_t *out)
{
    uint32_t entry_size = rd32(tag + 8);

    if (entry_size < 24)
        return;
    for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
        if (out->nmmap == MB2_MAX_MMAP) {
            out->nmmap_dropped++;
            continue;
        }
        out->mmap[out->nmmap].base   = rd64(tag + off);
        out->mmap[out->nmmap].length = rd64(tag + off + 8);
        out->mmap[out->nmmap].type   = rd32(tag + off + 16);
        out->nmmap++;
    }
}

int mb2_parse(uint32_t magic, const void *mbi, size_t max, mb2_info_t *out)
{
    const uint8_t *base = mbi;
    uint32_t off = 8;

    memset(out, 0, sizeof(*out));
    if (magic != MB2_BOOTLOADER_MAGIC || ((uintptr_t)mbi & 7) || max < 4)
        return -EINVAL;
    out->total_size = rd32(base);
    if (out->total_size > max)
        return -E2BIG;
    if (out->total_size < 16)
        return -EINVAL;

    while (off + 8 <= out->total_size) {
        const uint8_t *tag  = base + off;
        uint32_t       type = rd32(tag);
        uint32_t       size = rd32(tag + 4);

        if (size < mb2_min_size(type) || size > out->total_size - off)
            return -EINVAL;
        /* string tags must hold their NUL inside the tag */
        if ((type == MB2_TAG_CMDLINE || type == MB2_TAG_LOADER ||
             type == MB2_TAG_MODULE) && tag[size - 1] != '\0')
            return -EINVAL;
        switch (type) {
        case MB2_TAG_END:
            return 0;
        case MB2_TAG_CMDLINE:
            out->cmdline = (const char *)(tag + 8);
            break;
        case MB2_TAG_LOADER:
            out->loader_name = (const char *)(tag + 8);
            break;
        case MB2_TAG_MODULE:
            if (out->nmods < MB2_MAX_MODS) {
                out->mod[out->nmods].start  = rd32(tag + 8);
                out->mod[out->nmods].end    = rd32(tag + 12);
                out->mod[out->nmods].string = (const char *)(tag + 16);
                out->nmods++;
            }
            break;
        case MB2_TAG_MMAP:
            mb2_parse_mmap(tag, size, out);
            break;
        case MB2_TAG_ELF:
            out->elf_num      = rd32(tag + 8);
            out->elf_entsize  = rd32(tag + 12);
            out->elf_shndx    = rd32(tag + 16);
            out->elf_sections = tag + 20;
            if ((uint64_t)out->elf_num * out->elf_entsize > size - 20)
                return -EINVAL;
            break;
        case MB2_TAG_ACPI_NEW:
        case MB2_TAG_ACPI_OLD:
            if (out->rsdp_tag != MB2_TAG_ACPI_NEW) {
                out->rsdp     = tag + 8;
                out->rsdp_len = size - 8;
                out->rsdp_tag = type;
            }
            break;
        default:
            break;                      /* unknown or unused tags are skipped */
        }
        off += (size + 7) & ~7u;
    }
    return -EINVAL;                     /* no end tag */
}
