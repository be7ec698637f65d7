/*
 * test_mb2.c - host unit tests of the multiboot2 MBI parser (hal/x86_64/mb2.h).
 *
 * Each test builds a boot information structure in memory as the
 * Multiboot2 Specification 2.0, section 3.6, lays it out: a u32 total_size
 * and a u32 reserved word, then tags {u32 type, u32 size, payload}, each
 * starting on an 8-byte boundary (size excludes the padding), ending with
 * the end tag {0, 8}.
 */
#define UNIT_TIMEOUT 10            /* a parser loop on a bad tag must not hang */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "uapi/errno.h"
#include "mb2.h"

#define MBI_CAP 8192

typedef struct mbi_s {
    _Alignas(8) uint8_t buf[MBI_CAP];
    uint32_t len;                  /* bytes written so far */
} mbi_t;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void mbi_begin(mbi_t *m)
{
    memset(m->buf, 0xEE, sizeof m->buf);   /* garbage beyond what is written */
    m->len = 8;
    put32(m->buf + 4, 0);
}

/* Appends a tag of @type whose payload is @payload (@plen bytes); the tag's
 * size field is 8 + @plen, the next tag starts on the next 8-byte boundary.
 * @return offset of the tag in the MBI. */
static uint32_t mbi_tag(mbi_t *m, uint32_t type, const void *payload, uint32_t plen)
{
    uint32_t off = m->len;

    put32(m->buf + off, type);
    put32(m->buf + off + 4, 8 + plen);
    if (plen)
        memcpy(m->buf + off + 8, payload, plen);
    m->len = (off + 8 + plen + 7) & ~7u;
    memset(m->buf + off + 8 + plen, 0, m->len - (off + 8 + plen));
    return off;
}

static uint32_t mbi_string(mbi_t *m, uint32_t type, const char *s)
{
    return mbi_tag(m, type, s, (uint32_t)strlen(s) + 1);
}

static uint32_t mbi_module(mbi_t *m, uint32_t start, uint32_t end, const char *s)
{
    uint8_t p[256];
    size_t  n = strlen(s) + 1;

    put32(p, start);
    put32(p + 4, end);
    memcpy(p + 8, s, n);
    return mbi_tag(m, MB2_TAG_MODULE, p, (uint32_t)(8 + n));
}

/* Memory map tag with @n entries of @entry_size bytes (24 in GRUB). */
static uint32_t mbi_mmap(mbi_t *m, const mb2_mmap_t *e, uint32_t n, uint32_t entry_size)
{
    uint8_t  p[8 + 128 * 40];
    uint32_t i;

    memset(p, 0x5A, sizeof p);      /* extension bytes of a bigger entry: noise */
    put32(p, entry_size);
    put32(p + 4, 0);                /* entry_version */
    for (i = 0; i < n; i++) {
        uint8_t *q = p + 8 + i * entry_size;

        put64(q, e[i].base);
        put64(q + 8, e[i].length);
        put32(q + 16, e[i].type);
        put32(q + 20, 0);
    }
    return mbi_tag(m, MB2_TAG_MMAP, p, 8 + n * entry_size);
}

/* Closes the MBI with the end tag and writes total_size. */
static void mbi_end(mbi_t *m)
{
    mbi_tag(m, MB2_TAG_END, NULL, 0);
    put32(m->buf, m->len);
}

/* @m becomes an MBI holding only the command line @s (and the end tag). */
static void mbi_cmdline_only(mbi_t *m, const char *s)
{
    mbi_begin(m);
    mbi_string(m, MB2_TAG_CMDLINE, s);
    mbi_end(m);
}

static int parse(const mbi_t *m, mb2_info_t *out)
{
    memset(out, 0xA5, sizeof *out);       /* the parser must set every field */
    return mb2_parse(MB2_BOOTLOADER_MAGIC, m->buf, MBI_CAP, out);
}

/* A fake RSDP of @len bytes whose signature and revision say which it is. */
static void fake_rsdp(uint8_t *r, uint32_t len, uint8_t rev)
{
    memset(r, 0, len);
    memcpy(r, "RSD PTR ", 8);
    r[15] = rev;
    if (len >= 36)
        put32(r + 20, len);
}

/* The memory map parsed into @i is @e[0..@n) (bases, lengths, types). */
static void check_mmap(const mb2_info_t *i, const mb2_mmap_t *e, uint32_t n)
{
    uint32_t k;

    REQUIRE_EQ(i->nmmap, n);
    for (k = 0; k < n; k++) {
        CHECK_EQ(i->mmap[k].base, e[k].base);
        CHECK_EQ(i->mmap[k].length, e[k].length);
        CHECK_EQ(i->mmap[k].type, e[k].type);
    }
}

/* @m parses, and its RSDP is the @len bytes of the tag of @type at offset @off. */
static void check_rsdp(const mbi_t *m, uint32_t off, uint32_t type, uint32_t len)
{
    mb2_info_t i;

    REQUIRE_EQ(parse(m, &i), 0);
    CHECK_EQ(i.rsdp_tag, type);
    CHECK_EQ(i.rsdp_len, len);
    CHECK_PTR_EQ(i.rsdp, m->buf + off + 8);
}

/* An MBI whose only tag is an RSDP of @len (<= 36) bytes, revision @rev, in a
 * tag of @type: that RSDP is the one parsed. */
static void check_rsdp_alone(uint32_t type, uint32_t len, uint8_t rev)
{
    mbi_t    m;
    uint8_t  r[36];
    uint32_t t;

    fake_rsdp(r, len, rev);
    mbi_begin(&m);
    t = mbi_tag(&m, type, r, len);
    mbi_end(&m);
    check_rsdp(&m, t, type, len);
}

/* An MBI whose only tag is one of @type with @plen bytes of @payload: -EINVAL. */
static void check_tag_refused(uint32_t type, const void *payload, uint32_t plen)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_tag(&m, type, payload, plen);
    mbi_end(&m);
    CHECK_EQ(parse(&m, &i), -EINVAL);
}

/* ------------------------------------------------------------------------ */

/* The smallest valid MBI (only the end tag) parses; absent things are
 * NULL / 0, whatever garbage the caller's structure held. */
UNIT_TEST(mb2_empty_mbi)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_end(&m);
    CHECK_EQ(parse(&m, &i), 0);
    CHECK_EQ(i.total_size, 16);
    CHECK_PTR_EQ(i.cmdline, NULL);
    CHECK_PTR_EQ(i.loader_name, NULL);
    CHECK_EQ(i.nmmap, 0);
    CHECK_EQ(i.nmmap_dropped, 0);
    CHECK_EQ(i.nmods, 0);
    CHECK_PTR_EQ(i.rsdp, NULL);
    CHECK_EQ(i.rsdp_len, 0);
    CHECK_EQ(i.rsdp_tag, 0);
    CHECK_EQ(i.elf_num, 0);
}

/* Command line and boot loader name point at the strings inside the MBI. */
UNIT_TEST(mb2_cmdline_and_loader)
{
    mbi_t      m;
    mb2_info_t i;
    uint32_t   c, l;

    mbi_begin(&m);
    c = mbi_string(&m, MB2_TAG_CMDLINE, "console=ttyS0 clusters=4 x");
    l = mbi_string(&m, MB2_TAG_LOADER, "GRUB 2.06");
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_STREQ(i.cmdline, "console=ttyS0 clusters=4 x");
    CHECK_STREQ(i.loader_name, "GRUB 2.06");
    CHECK_PTR_EQ(i.cmdline, m.buf + c + 8);
    CHECK_PTR_EQ(i.loader_name, m.buf + l + 8);
    CHECK_EQ(i.total_size, m.len);
}

/* Memory map entries (entry_size 24, as GRUB writes them) are copied in
 * order with 64-bit bases and lengths and their types. */
UNIT_TEST(mb2_mmap_entries)
{
    static const mb2_mmap_t e[] = {
        { 0x0,           0x9fc00,        MB2_MEM_AVAILABLE },
        { 0x9fc00,       0x400,          2 },
        { 0xf0000,       0x10000,        2 },
        { 0x100000,      0x7ee0000,      MB2_MEM_AVAILABLE },
        { 0x7fe0000,     0x20000,        MB2_MEM_ACPI },
        { 0xfffc0000,    0x40000,        2 },
        { 0x100000000ull, 0x140000000ull, MB2_MEM_AVAILABLE },
        { 0x240000000ull, 0x1000,        MB2_MEM_NVS },
        { 0x240001000ull, 0x1000,        MB2_MEM_BAD },
    };
    uint32_t   n = sizeof e / sizeof e[0];
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "");
    mbi_mmap(&m, e, n, 24);
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    check_mmap(&i, e, n);
    CHECK_EQ(i.nmmap_dropped, 0);
    CHECK_STREQ(i.cmdline, "");
}

/* Spec 3.6.8: entry_size is the size of one entry "so that in future new
 * fields may be added"; a parser must step by entry_size, not by 24. */
UNIT_TEST(mb2_mmap_honours_entry_size)
{
    static const mb2_mmap_t e[] = {
        { 0x0,        0x9fc00,   MB2_MEM_AVAILABLE },
        { 0x100000,   0x7ee0000, MB2_MEM_AVAILABLE },
        { 0x7fe0000,  0x20000,   MB2_MEM_ACPI },
    };
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_mmap(&m, e, 3, 32);
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    check_mmap(&i, e, 3);
}

/* More than MB2_MAX_MMAP entries: the first MB2_MAX_MMAP are kept, the
 * others counted in nmmap_dropped. */
UNIT_TEST(mb2_mmap_overflow_counted)
{
    mb2_mmap_t e[MB2_MAX_MMAP + 5];
    uint32_t   n = MB2_MAX_MMAP + 5, k;
    mbi_t      m;
    mb2_info_t i;

    for (k = 0; k < n; k++) {
        e[k].base = (uint64_t)k << 20;
        e[k].length = 0x1000 * (k + 1);
        e[k].type = MB2_MEM_AVAILABLE;
    }
    mbi_begin(&m);
    mbi_mmap(&m, e, n, 24);
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_EQ(i.nmmap, MB2_MAX_MMAP);
    CHECK_EQ(i.nmmap_dropped, 5);
    CHECK_EQ(i.mmap[MB2_MAX_MMAP - 1].base, (uint64_t)(MB2_MAX_MMAP - 1) << 20);
    CHECK_EQ(i.mmap[MB2_MAX_MMAP - 1].length, 0x1000 * MB2_MAX_MMAP);
}

/* Module tags give start, end and the module's string; order is kept. */
UNIT_TEST(mb2_modules)
{
    mbi_t      m;
    mb2_info_t i;
    uint32_t   t1;

    mbi_begin(&m);
    t1 = mbi_module(&m, 0x200000, 0x2a1234, "initramfs.cpio");
    mbi_string(&m, MB2_TAG_CMDLINE, "quiet");
    mbi_module(&m, 0x300000, 0x300001, "");
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    REQUIRE_EQ(i.nmods, 2);
    CHECK_EQ(i.mod[0].start, 0x200000);
    CHECK_EQ(i.mod[0].end, 0x2a1234);
    CHECK_STREQ(i.mod[0].string, "initramfs.cpio");
    CHECK_PTR_EQ(i.mod[0].string, m.buf + t1 + 16);
    CHECK_EQ(i.mod[1].start, 0x300000);
    CHECK_EQ(i.mod[1].end, 0x300001);
    CHECK_STREQ(i.mod[1].string, "");
    CHECK_STREQ(i.cmdline, "quiet");
}

/* More modules than MB2_MAX_MODS: no overflow, the first ones are kept. */
UNIT_TEST(mb2_modules_overflow)
{
    mbi_t      m;
    mb2_info_t i;
    uint32_t   k;

    mbi_begin(&m);
    for (k = 0; k < MB2_MAX_MODS + 3; k++)
        mbi_module(&m, 0x100000 * (k + 1), 0x100000 * (k + 1) + 10, "mod");
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_EQ(i.nmods, MB2_MAX_MODS);
    for (k = 0; k < MB2_MAX_MODS && k < i.nmods; k++)
        CHECK_EQ(i.mod[k].start, 0x100000 * (k + 1));
}

/* ACPI old RSDP alone (tag 14): recorded with its length. */
UNIT_TEST(mb2_acpi_old_only)
{
    check_rsdp_alone(MB2_TAG_ACPI_OLD, 20, 0);
}

/* ACPI new RSDP alone (tag 15). */
UNIT_TEST(mb2_acpi_new_only)
{
    check_rsdp_alone(MB2_TAG_ACPI_NEW, 36, 2);
}

/* Both RSDP tags: the new one wins, whether it comes first or last. */
UNIT_TEST(mb2_acpi_new_wins_any_order)
{
    mbi_t      m;
    uint8_t    o[20], n[36];
    uint32_t   tn;

    fake_rsdp(o, 20, 0);
    fake_rsdp(n, 36, 2);

    mbi_begin(&m);                              /* old, then new */
    mbi_tag(&m, MB2_TAG_ACPI_OLD, o, 20);
    tn = mbi_tag(&m, MB2_TAG_ACPI_NEW, n, 36);
    mbi_end(&m);
    check_rsdp(&m, tn, MB2_TAG_ACPI_NEW, 36);

    mbi_begin(&m);                              /* new, then old */
    tn = mbi_tag(&m, MB2_TAG_ACPI_NEW, n, 36);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, o, 20);
    mbi_end(&m);
    check_rsdp(&m, tn, MB2_TAG_ACPI_NEW, 36);
}

/* ELF sections tag, GRUB layout: u32 num, u32 entsize, u32 shndx after
 * the tag header, then num section headers of entsize bytes. */
UNIT_TEST(mb2_elf_sections)
{
    mbi_t      m;
    mb2_info_t i;
    uint8_t    p[12 + 5 * 64];
    uint32_t   t;

    memset(p, 0x11, sizeof p);
    put32(p, 5);        /* num */
    put32(p + 4, 64);   /* entsize: Elf64_Shdr */
    put32(p + 8, 4);    /* shndx */
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_LOADER, "GRUB");
    t = mbi_tag(&m, MB2_TAG_ELF, p, sizeof p);
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_EQ(i.elf_num, 5);
    CHECK_EQ(i.elf_entsize, 64);
    CHECK_EQ(i.elf_shndx, 4);
    CHECK_PTR_EQ(i.elf_sections, m.buf + t + 20);
}

/* Tags of unknown or unused types (basic meminfo, framebuffer, load base,
 * an invented 0x1234) are skipped and the tags after them still parsed. */
UNIT_TEST(mb2_unknown_tags_skipped)
{
    mbi_t      m;
    mb2_info_t i;
    uint8_t    junk[45];
    uint32_t   mi[2] = { 639, 130048 };

    memset(junk, 0x77, sizeof junk);
    mbi_begin(&m);
    mbi_tag(&m, 0x1234, junk, sizeof junk);       /* odd size: padding needed */
    mbi_tag(&m, MB2_TAG_MEMINFO, mi, sizeof mi);
    mbi_tag(&m, 8, junk, 30);                     /* framebuffer */
    mbi_tag(&m, 21, junk, 4);                     /* image load base */
    mbi_string(&m, MB2_TAG_CMDLINE, "after");
    mbi_tag(&m, 0xFFFFFFFF, junk, 1);
    mbi_module(&m, 0x1000, 0x2000, "m");
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_STREQ(i.cmdline, "after");
    CHECK_EQ(i.nmods, 1);
}

/* Wrong EAX magic: -EINVAL. */
UNIT_TEST(mb2_bad_magic)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_end(&m);
    CHECK_EQ(mb2_parse(0x2BADB002, m.buf, MBI_CAP, &i), -EINVAL);  /* multiboot1 */
    CHECK_EQ(mb2_parse(0, m.buf, MBI_CAP, &i), -EINVAL);
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, MBI_CAP, &i), 0);
}

/* The MBI must be 8-byte aligned (spec 3.6.1): -EINVAL otherwise. */
UNIT_TEST(mb2_misaligned_mbi)
{
    static _Alignas(8) uint8_t big[MBI_CAP + 8];
    mbi_t      m;
    mb2_info_t i;

    mbi_cmdline_only(&m, "x");
    memcpy(big + 4, m.buf, m.len);
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, big + 4, MBI_CAP, &i), -EINVAL);
}

/* No end tag before total_size: -EINVAL (also with no tag at all). */
UNIT_TEST(mb2_missing_end_tag)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "no end");
    put32(m.buf, m.len);                 /* total_size stops after the cmdline */
    CHECK_EQ(parse(&m, &i), -EINVAL);

    mbi_begin(&m);
    put32(m.buf, 8);                     /* header only */
    CHECK_EQ(parse(&m, &i), -EINVAL);
}

/* A tag whose size runs past total_size: -EINVAL, even if max allows it. */
UNIT_TEST(mb2_tag_past_total_size)
{
    mbi_t      m;
    mb2_info_t i;
    uint32_t   t;

    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "hello");
    t = mbi_string(&m, MB2_TAG_LOADER, "GRUB");
    mbi_end(&m);
    put32(m.buf + t + 4, m.len - t + 1);   /* loader tag ends 1 byte past the MBI */
    CHECK_EQ(parse(&m, &i), -EINVAL);

    /* the end tag itself cut by total_size */
    mbi_cmdline_only(&m, "hello");
    put32(m.buf, m.len - 4);
    CHECK_EQ(parse(&m, &i), -EINVAL);

    /* a huge size that would wrap a 32-bit offset */
    mbi_begin(&m);
    t = mbi_string(&m, MB2_TAG_CMDLINE, "hello");
    mbi_end(&m);
    put32(m.buf + t + 4, 0xFFFFFFF8u);
    CHECK_EQ(parse(&m, &i), -EINVAL);
}

/* A tag size below the 8-byte tag header (0 would loop forever): -EINVAL. */
UNIT_TEST(mb2_tag_size_below_header)
{
    mbi_t      m;
    mb2_info_t i;
    uint32_t   t, s;

    for (s = 0; s < 8; s += 4) {
        mbi_begin(&m);
        t = mbi_string(&m, 0x4321, "x");
        mbi_end(&m);
        put32(m.buf + t + 4, s);
        CHECK_EQ(parse(&m, &i), -EINVAL);
    }
}

/* Tags shorter than their type requires: -EINVAL. */
UNIT_TEST(mb2_tag_too_short)
{
    uint8_t    p[64];

    memset(p, 0, sizeof p);
    check_tag_refused(MB2_TAG_MODULE, p, 4);   /* module: needs 8 + 8 bytes */
    check_tag_refused(MB2_TAG_MMAP, p, 4);     /* mmap: needs 8 + 8 bytes */
    check_tag_refused(MB2_TAG_ELF, p, 8);      /* ELF: needs 8 + 12 bytes */
    fake_rsdp(p, 20, 0);
    check_tag_refused(MB2_TAG_ACPI_OLD, p, 12); /* old RSDP: 20 bytes */
}

/* An mmap tag whose entries do not fill it exactly, or whose entry_size
 * is smaller than an entry: no entry is read past the tag. */
UNIT_TEST(mb2_mmap_entry_size_sane)
{
    static const mb2_mmap_t e[] = { { 0x100000, 0x100000, MB2_MEM_AVAILABLE } };
    mbi_t      m;
    mb2_info_t i;
    uint32_t   t;
    int        rc;

    mbi_begin(&m);                             /* entry_size 0: must not loop */
    t = mbi_mmap(&m, e, 1, 24);
    mbi_end(&m);
    put32(m.buf + t + 8, 0);
    rc = parse(&m, &i);
    CHECK(rc == -EINVAL || (rc == 0 && i.nmmap == 0));

    mbi_begin(&m);                             /* entry_size 8 < 24 */
    t = mbi_mmap(&m, e, 1, 24);
    mbi_end(&m);
    put32(m.buf + t + 8, 8);
    rc = parse(&m, &i);
    CHECK(rc == -EINVAL || (rc == 0 && i.nmmap == 0));
}

/* total_size beyond the readable @max: -E2BIG; equal to it: fine. */
UNIT_TEST(mb2_total_size_beyond_max)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_cmdline_only(&m, "x");
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, m.len - 8, &i), -E2BIG);
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, m.len - 1, &i), -E2BIG);
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, m.len, &i), 0);
    CHECK_STREQ(i.cmdline, "x");
}

/* total_size beyond a @max that only covers the 8-byte header: still
 * -E2BIG (the contract: total_size larger than @max), not -EINVAL. */
UNIT_TEST(mb2_total_size_beyond_small_max)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_cmdline_only(&m, "x");
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, 8, &i), -E2BIG);
    CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, m.buf, 12, &i), -E2BIG);
}

/* Tags after the end tag are not parsed. */
UNIT_TEST(mb2_stops_at_end_tag)
{
    mbi_t      m;
    mb2_info_t i;

    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "before");
    mbi_tag(&m, MB2_TAG_END, NULL, 0);
    mbi_string(&m, MB2_TAG_LOADER, "after");
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_STREQ(i.cmdline, "before");
    CHECK_PTR_EQ(i.loader_name, NULL);
}

/* A realistic GRUB-like MBI with everything at once. */
UNIT_TEST(mb2_full_grub_like)
{
    static const mb2_mmap_t e[] = {
        { 0x0,        0x9fc00,   MB2_MEM_AVAILABLE },
        { 0x100000,   0x1fee0000, MB2_MEM_AVAILABLE },
        { 0x1ffe0000, 0x20000,   2 },
    };
    mbi_t      m;
    mb2_info_t i;
    uint8_t    r[20], elf[12 + 3 * 64];
    uint32_t   mi[2] = { 639, 523136 };

    fake_rsdp(r, 20, 0);
    memset(elf, 0, sizeof elf);
    put32(elf, 3);
    put32(elf + 4, 64);
    put32(elf + 8, 2);
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "console=ttyS0");
    mbi_string(&m, MB2_TAG_LOADER, "GRUB 2.06-13+deb12u1");
    mbi_module(&m, 0x13a000, 0x1b2000, "/boot/initramfs.cpio");
    mbi_tag(&m, MB2_TAG_MEMINFO, mi, sizeof mi);
    mbi_mmap(&m, e, 3, 24);
    mbi_tag(&m, MB2_TAG_ELF, elf, sizeof elf);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, r, 20);
    mbi_end(&m);
    REQUIRE_EQ(parse(&m, &i), 0);
    CHECK_STREQ(i.cmdline, "console=ttyS0");
    CHECK_STREQ(i.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK_EQ(i.nmods, 1);
    CHECK_STREQ(i.mod[0].string, "/boot/initramfs.cpio");
    CHECK_EQ(i.nmmap, 3);
    CHECK_EQ(i.mmap[1].length, 0x1fee0000);
    CHECK_EQ(i.elf_num, 3);
    CHECK_EQ(i.rsdp_tag, MB2_TAG_ACPI_OLD);
    CHECK_EQ(i.total_size, m.len);
}

UNIT_MAIN()
