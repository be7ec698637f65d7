/*
 * elf.h - reading the program headers of a static x86_64 ELF executable.
 *
 * References: System V ABI, "ELF-64 Object File Format" (header, program
 * headers) and the AMD64 psABI supplement (EM_X86_64, PT_GNU_STACK,
 * PT_TLS). Archipel runs static binaries only: ET_EXEC, and static-PIE
 * (ET_DYN without PT_INTERP), whose addresses the loader relocates by a
 * load bias. The parser is pure: exec gives it the file's bytes, and the
 * host unit tests give it binaries built with musl-gcc.
 */
#ifndef _ELF_H_
#define _ELF_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define ELF_MAX_SEGMENTS 8        /* PT_LOAD segments kept */

#define ELF_PF_X 0x1              /* segment flags (p_flags) */
#define ELF_PF_W 0x2
#define ELF_PF_R 0x4

typedef struct elf_segment_s {
    uint64_t vaddr;               /* first byte in memory (before any load bias) */
    uint64_t memsz;               /* bytes in memory; the part beyond filesz is zeroed (bss) */
    uint64_t offset;              /* file offset of the first byte */
    uint64_t filesz;              /* bytes taken from the file */
    uint32_t flags;               /* ELF_PF_* */
} elf_segment_t;

typedef struct elf_image_s {
    bool          pie;            /* ET_DYN: static-PIE, to be placed at a load bias */
    uint64_t      entry;          /* entry point (before the bias) */
    uint64_t      phdr_vaddr;     /* program headers in memory, for AT_PHDR (before the bias) */
    uint16_t      phnum;          /* for AT_PHNUM */
    uint16_t      phentsize;      /* for AT_PHENT */
    uint32_t      nsegs;
    elf_segment_t seg[ELF_MAX_SEGMENTS];   /* PT_LOAD segments, in file order */
    uint64_t      lo, hi;         /* page-aligned span of all segments (before the bias) */
    bool          exec_stack;     /* PT_GNU_STACK asks for an executable stack */
} elf_image_t;

/*
 * Checks the @len bytes at @buf, the start of a file of @file_size bytes
 * (segments are checked against @file_size; the ELF and program headers
 * must lie in the @len bytes), as a static x86_64 executable; fills @out.
 * Any core; no lock; reads only inside [@buf, @buf + @len).
 * @why : set to a short reason on failure (for the kernel log), may be NULL.
 * @return 0, or -ENOEXEC when the file is not one: bad magic, not ELF64
 *   little-endian, not x86_64, not ET_EXEC/ET_DYN, a dynamically linked
 *   program (PT_INTERP), program headers outside the file, a PT_LOAD whose
 *   file part runs past the file, whose filesz exceeds its memsz, whose
 *   offset and address disagree modulo the page size, which reaches the
 *   kernel half or wraps around, overlapping PT_LOAD segments, more than
 *   ELF_MAX_SEGMENTS of them, none at all, an entry point outside every
 *   executable segment, or program headers in no loaded segment.
 */
int elf_parse(const void *buf, size_t len, uint64_t file_size, elf_image_t *out, const char **why);

#endif
