/*
 * test_elf.c - host unit tests of the ELF program-header parser
 * (kernel/kern/elf.c) on real binaries built by host.mk from
 * tests/host/elf/hello.c: static with musl-gcc (ET_EXEC), linked as a
 * position-independent ET_DYN without a dynamic linker (the static-PIE
 * layout), and dynamically linked with the host gcc; plus malformed
 * variants derived in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "elf.h"
#include "uapi/errno.h"

typedef struct blob_s {
    uint8_t *data;
    size_t   len;
} blob_t;

static blob_t load(const char *path)
{
    blob_t b = { NULL, 0 };
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return b;
    fseek(f, 0, SEEK_END);
    b.len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b.data = malloc(b.len);
    if (fread(b.data, 1, b.len, f) != b.len)
        b.len = 0;
    fclose(f);
    return b;
}

#define STATIC_BIN  "build/host/elf/hello-static"
#define PIE_BIN     "build/host/elf/hello-pie"
#define DYNAMIC_BIN "build/host/elf/hello-dynamic"

/* Offsets in the ELF64 header and program headers (System V ABI). */
#define E_TYPE     16
#define E_MACHINE  18
#define E_ENTRY    24
#define E_PHOFF    32
#define E_PHNUM    56
#define PH_SIZE    56

static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* Program header @i's field at @off (p_type 0, p_offset 8, p_vaddr 16, p_filesz 32, p_memsz 40). */
static uint8_t *ph_field(blob_t *b, int i, int off)
{
    return b->data + rd64(b->data + E_PHOFF) + (size_t)i * PH_SIZE + off;
}

/* Index of the first PT_LOAD program header with the given flags, or -1. */
static int find_load(blob_t *b, uint32_t flags)
{
    uint16_t n;

    memcpy(&n, b->data + E_PHNUM, 2);
    for (int i = 0; i < n; i++) {
        uint32_t type, f;
        memcpy(&type, ph_field(b, i, 0), 4);
        memcpy(&f, ph_field(b, i, 4), 4);
        if (type == 1 && (f & 7) == flags)
            return i;
    }
    return -1;
}

/* The static musl binary: loadable segments, entry in code, headers mapped, bss. */
UNIT_TEST(elf_static_musl_binary)
{
    blob_t b = load(STATIC_BIN);
    elf_image_t img;
    const char *why = NULL;
    int has_bss = 0, has_code = 0;

    REQUIRE(b.len > 0);
    REQUIRE_EQ(elf_parse(b.data, b.len, b.len, &img, &why), 0);
    CHECK(!img.pie);
    CHECK(img.nsegs >= 2);
    CHECK_EQ(img.phentsize, 56);
    for (uint32_t i = 0; i < img.nsegs; i++) {
        const elf_segment_t *s = &img.seg[i];
        CHECK(s->filesz <= s->memsz);
        CHECK_EQ(s->vaddr % 4096, s->offset % 4096);
        has_bss |= s->memsz > s->filesz;
        if (s->flags & ELF_PF_X) {
            has_code = 1;
            CHECK(!(s->flags & ELF_PF_W));          /* CODE is read-only */
        }
    }
    CHECK(has_code && has_bss);
    CHECK(img.entry >= img.lo && img.entry < img.hi);
    CHECK(img.phdr_vaddr >= img.lo && img.phdr_vaddr < img.hi);
    CHECK_EQ(img.lo % 4096, 0);
    CHECK_EQ(img.hi % 4096, 0);
    CHECK(!img.exec_stack);
    free(b.data);
}

/* The position-independent layout (ET_DYN, no PT_INTERP) is accepted as PIE. */
UNIT_TEST(elf_static_pie_layout)
{
    blob_t b = load(PIE_BIN);
    elf_image_t img;
    const char *why = NULL;

    REQUIRE(b.len > 0);
    REQUIRE_EQ(elf_parse(b.data, b.len, b.len, &img, &why), 0);
    CHECK(img.pie);
    CHECK(img.lo < 0x100000);                        /* linked at address 0: needs a bias */
    free(b.data);
}

/* A dynamically linked program is refused, with the reason. */
UNIT_TEST(elf_dynamic_refused)
{
    blob_t b = load(DYNAMIC_BIN);
    elf_image_t img;
    const char *why = NULL;

    REQUIRE(b.len > 0);
    CHECK_EQ(elf_parse(b.data, b.len, b.len, &img, &why), -ENOEXEC);
    REQUIRE(why != NULL);
    CHECK_CONTAINS(why, "dynamically linked");
    free(b.data);
}

/* Every malformation of a good binary is -ENOEXEC, never a read past the buffer. */
UNIT_TEST(elf_malformed_variants)
{
    blob_t good = load(STATIC_BIN), b;
    elf_image_t img;
    const char *why;
    int code, data;

    REQUIRE(good.len > 0);
    b.data = malloc(good.len);
    b.len = good.len;
#define RESET() memcpy(b.data, good.data, good.len)
#define REFUSED(what) do { why = NULL; \
        CHECK_EQ(elf_parse(b.data, b.len, b.len, &img, &why), -ENOEXEC); \
        if (why == NULL) unit_fail(__FILE__, __LINE__, "no reason for: %s", what); } while (0)

    RESET(); b.data[1] = 'X';                                 REFUSED("bad magic");
    RESET(); b.data[4] = 1;                                   REFUSED("ELF32 class");
    RESET(); wr16(b.data + E_MACHINE, 3);                     REFUSED("i386 machine");
    RESET(); wr16(b.data + E_TYPE, 1);                        REFUSED("ET_REL");
    RESET(); wr64(b.data + E_PHOFF, good.len - 8);            REFUSED("phdrs past the end");
    RESET(); wr64(b.data + E_ENTRY, 0x10);                    REFUSED("entry outside code");
    code = find_load(&good, ELF_PF_R | ELF_PF_X);
    data = find_load(&good, ELF_PF_R | ELF_PF_W);
    REQUIRE(code >= 0 && data >= 0);
    RESET(); wr64(ph_field(&b, data, 32), rd64(ph_field(&b, data, 40)) + 1);
                                                              REFUSED("filesz > memsz");
    RESET(); wr64(ph_field(&b, code, 32), good.len);          /* file part past the end */
             wr64(ph_field(&b, code, 40), good.len);          REFUSED("segment past the end");
    RESET(); wr64(ph_field(&b, code, 16), rd64(ph_field(&b, code, 16)) + 8);
                                                              REFUSED("offset/address misaligned");
    RESET(); wr64(ph_field(&b, data, 16), 0xffff800000000000ull + (rd64(ph_field(&b, data, 16)) & 0xfff));
                                                              REFUSED("kernel-half address");
    RESET(); wr64(ph_field(&b, data, 16), rd64(ph_field(&b, code, 16)));   /* same page as code */
    wr64(ph_field(&b, data, 8), rd64(ph_field(&b, code, 8)));
                                                              REFUSED("overlapping segments");
    for (size_t cut = 0; cut < 64 + 56; cut += 8) {          /* truncated headers */
        RESET();
        why = NULL;
        CHECK_EQ(elf_parse(b.data, cut, cut, &img, &why), -ENOEXEC);
    }
    free(b.data);
    free(good.data);
}

/* exec reads only the first pages: segments are checked against the whole file's size. */
UNIT_TEST(elf_header_pages_only)
{
    blob_t b = load(STATIC_BIN);
    elf_image_t img;
    const char *why = NULL;

    REQUIRE(b.len > 8192);
    CHECK_EQ(elf_parse(b.data, 8192, b.len, &img, &why), 0);
    CHECK_EQ(elf_parse(b.data, 8192, 8192, &img, &why), -ENOEXEC);   /* segments past the end */
    CHECK_EQ(elf_parse(b.data, 32, b.len, &img, &why), -ENOEXEC);     /* headers not read */
    free(b.data);
}

UNIT_MAIN()
