/*
 * ksym.c - kernel symbol lookup (see ksym.h).
 */
#include <stddef.h>
#include "ksym.h"
#include "cpu.h"

#define SHT_SYMTAB 2
#define STT_FUNC   2

typedef struct elf64_shdr_s {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
} elf64_shdr_t;

typedef struct elf64_sym_s {
    uint32_t st_name;
    uint8_t  st_info, st_other;
    uint16_t st_shndx;
    uint64_t st_value, st_size;
} elf64_sym_t;

static const elf64_sym_t *ksym_tab;
static uint32_t           ksym_count;
static const char        *ksym_str;
static uint64_t           ksym_str_size;

/* A section address from GRUB: physical for what it loaded itself. */
static const void *ksym_section_ptr(uint64_t addr)
{
    return addr >= KERNEL_VMA ? (const void *)addr : phys_to_virt(addr);
}

uint32_t ksym_init(const mb2_info_t *mb2, void (*reserve)(uint64_t base, uint64_t end))
{
    const uint8_t *sh = mb2->elf_sections;

    if (sh == NULL || mb2->elf_entsize < sizeof(elf64_shdr_t))
        return 0;
    for (uint32_t i = 0; i < mb2->elf_num; i++) {
        const elf64_shdr_t *s = (const elf64_shdr_t *)(sh + i * mb2->elf_entsize);
        const elf64_shdr_t *str;

        if (s->sh_type != SHT_SYMTAB || s->sh_link >= mb2->elf_num || s->sh_addr == 0)
            continue;
        str = (const elf64_shdr_t *)(sh + s->sh_link * mb2->elf_entsize);
        if (str->sh_addr == 0)
            continue;
        ksym_tab      = ksym_section_ptr(s->sh_addr);
        ksym_count    = (uint32_t)(s->sh_size / sizeof(elf64_sym_t));
        ksym_str      = ksym_section_ptr(str->sh_addr);
        ksym_str_size = str->sh_size;
        if (s->sh_addr < KERNEL_VMA)
            reserve(s->sh_addr, s->sh_addr + s->sh_size);
        if (str->sh_addr < KERNEL_VMA)
            reserve(str->sh_addr, str->sh_addr + str->sh_size);
        return ksym_count;
    }
    return 0;
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    const elf64_sym_t *best = NULL;

    for (uint32_t i = 0; i < ksym_count; i++) {
        const elf64_sym_t *s = &ksym_tab[i];

        if ((s->st_info & 0xf) != STT_FUNC || s->st_value > addr)
            continue;
        if (s->st_size && addr >= s->st_value + s->st_size)
            continue;
        if (best == NULL || s->st_value > best->st_value)
            best = s;
    }
    if (best == NULL || best->st_name >= ksym_str_size)
        return NULL;
    *offset = addr - best->st_value;
    return ksym_str + best->st_name;
}
