/*
 * elf.c - program headers of static x86_64 ELF executables (see elf.h).
 */
#include "elf.h"
#include "uapi/errno.h"
#include "kstring.h"

#define EI_CLASS      4
#define EI_DATA       5
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PT_INTERP     3
#define PT_PHDR       6
#define PT_GNU_STACK  0x6474e551

#define ELF_PAGE      4096ull
#define USER_TOP      0x0000800000000000ull     /* end of the canonical lower half */

typedef struct elf64_ehdr_s {
    uint8_t  e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} elf64_ehdr_t;

typedef struct elf64_phdr_s {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} elf64_phdr_t;

static int elf_fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -ENOEXEC;
}

/* Checks one PT_LOAD and records it. */
static int elf_add_load(const elf64_phdr_t *ph, uint64_t len, elf_image_t *out, const char **why)
{
    elf_segment_t *s;

    if (ph->p_filesz > ph->p_memsz)
        return elf_fail(why, "a segment's file size exceeds its memory size");
    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return elf_fail(why, "a segment runs past the end of the file");
    if ((ph->p_offset % ELF_PAGE) != (ph->p_vaddr % ELF_PAGE))
        return elf_fail(why, "a segment's offset and address disagree modulo the page size");
    if (ph->p_vaddr >= USER_TOP || ph->p_memsz > USER_TOP - ph->p_vaddr)
        return elf_fail(why, "a segment reaches the kernel half of the address space");
    if (out->nsegs == ELF_MAX_SEGMENTS)
        return elf_fail(why, "too many loadable segments");
    for (uint32_t i = 0; i < out->nsegs; i++) {
        const elf_segment_t *o = &out->seg[i];
        if (ph->p_vaddr < o->vaddr + o->memsz && o->vaddr < ph->p_vaddr + ph->p_memsz)
            return elf_fail(why, "loadable segments overlap");
    }
    s = &out->seg[out->nsegs++];
    s->vaddr  = ph->p_vaddr;
    s->memsz  = ph->p_memsz;
    s->offset = ph->p_offset;
    s->filesz = ph->p_filesz;
    s->flags  = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
    return 0;
}

int elf_parse(const void *buf, size_t len, uint64_t file_size, elf_image_t *out, const char **why)
{
    const uint8_t *b = buf;
    elf64_ehdr_t eh;
    bool entry_ok = false, phdr_found = false;
    int rc;

    memset(out, 0, sizeof(*out));
    if (len < sizeof(eh))
        return elf_fail(why, "shorter than an ELF header");
    memcpy(&eh, b, sizeof(eh));
    if (memcmp(eh.e_ident, "\177ELF", 4) != 0)
        return elf_fail(why, "not an ELF file (bad magic)");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return elf_fail(why, "not a 64-bit little-endian ELF file");
    if (eh.e_machine != EM_X86_64)
        return elf_fail(why, "not an x86_64 program");
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return elf_fail(why, "not an executable (ET_EXEC or static-PIE ET_DYN)");
    if (eh.e_phentsize != sizeof(elf64_phdr_t) || eh.e_phnum == 0)
        return elf_fail(why, "no program headers of the ELF64 size");
    if (eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(elf64_phdr_t) > len - eh.e_phoff)
        return elf_fail(why, "program headers run past the end of the file");

    out->pie       = eh.e_type == ET_DYN;
    out->entry     = eh.e_entry;
    out->phnum     = eh.e_phnum;
    out->phentsize = eh.e_phentsize;
    for (uint16_t i = 0; i < eh.e_phnum; i++) {
        elf64_phdr_t ph;

        memcpy(&ph, b + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_INTERP)
            return elf_fail(why, "dynamically linked (PT_INTERP): only static programs run");
        if (ph.p_type == PT_GNU_STACK)
            out->exec_stack = (ph.p_flags & ELF_PF_X) != 0;
        if (ph.p_type == PT_PHDR) {
            out->phdr_vaddr = ph.p_vaddr;
            phdr_found = true;
        }
        if (ph.p_type == PT_LOAD && ph.p_memsz != 0) {
            rc = elf_add_load(&ph, file_size < len ? len : file_size, out, why);
            if (rc)
                return rc;
        }
    }
    if (out->nsegs == 0)
        return elf_fail(why, "no loadable segment");

    out->lo = ~0ull;
    for (uint32_t i = 0; i < out->nsegs; i++) {
        const elf_segment_t *s = &out->seg[i];
        uint64_t lo = s->vaddr & ~(ELF_PAGE - 1);
        uint64_t hi = (s->vaddr + s->memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);

        if (lo < out->lo)
            out->lo = lo;
        if (hi > out->hi)
            out->hi = hi;
        if ((s->flags & ELF_PF_X) && eh.e_entry >= s->vaddr && eh.e_entry < s->vaddr + s->memsz)
            entry_ok = true;
        /* without PT_PHDR, the headers are where the segment holding e_phoff maps them */
        if (!phdr_found && eh.e_phoff >= s->offset && eh.e_phoff < s->offset + s->filesz) {
            out->phdr_vaddr = s->vaddr + (eh.e_phoff - s->offset);
            phdr_found = true;
        }
    }
    if (!entry_ok)
        return elf_fail(why, "the entry point is in no executable segment");
    if (!phdr_found)
        return elf_fail(why, "the program headers are in no loaded segment (no AT_PHDR)");
    return 0;
}
