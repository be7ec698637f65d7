/*
 * test_cpio.c - host unit tests of the cpio "newc" walker (kernel/libk/cpio.c),
 * on archives written here by the same rules as tools/mkinitramfs.py.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "unit.h"
#include "cpio.h"
#include "uapi/errno.h"

typedef struct arch_s {
    char   buf[4096];
    size_t len;
} arch_t;

/* Appends one entry (header, name, data, each padded to 4 bytes). */
static void add(arch_t *a, const char *name, unsigned mode, const char *data)
{
    size_t dlen = data ? strlen(data) : 0, nlen = strlen(name) + 1;

    a->len += (size_t)sprintf(a->buf + a->len,
                              "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
                              1u, mode, 0u, 0u, 1u, 0u, dlen, 0u, 0u, 0u, 0u, nlen, 0u);
    memcpy(a->buf + a->len, name, nlen);
    a->len = (a->len + nlen + 3) & ~(size_t)3;
    if (dlen)
        memcpy(a->buf + a->len, data, dlen);
    a->len = (a->len + dlen + 3) & ~(size_t)3;
}

static arch_t *sample(void)
{
    arch_t *a = calloc(1, sizeof(*a));

    add(a, "etc", 040755, NULL);
    add(a, "etc/motd", 0100644, "hello, clusters\n");
    add(a, "bin/x", 0100755, "abc");
    add(a, "TRAILER!!!", 0, NULL);
    return a;
}

/* Entries come back in order with their names, modes and contents. */
UNIT_TEST(cpio_walks_entries)
{
    arch_t *a = sample();
    size_t off = 0;
    cpio_entry_t e;

    CHECK_EQ(cpio_next(a->buf, a->len, &off, &e), 1);
    CHECK_STREQ(e.name, "etc");
    CHECK_EQ(e.mode, 040755);
    CHECK_EQ(e.size, 0);
    CHECK_EQ(cpio_next(a->buf, a->len, &off, &e), 1);
    CHECK_STREQ(e.name, "etc/motd");
    CHECK_EQ(e.size, 16);
    CHECK(memcmp(e.data, "hello, clusters\n", 16) == 0);
    CHECK_EQ(cpio_next(a->buf, a->len, &off, &e), 1);
    CHECK_STREQ(e.name, "bin/x");
    CHECK(memcmp(e.data, "abc", 3) == 0);
    CHECK_EQ(cpio_next(a->buf, a->len, &off, &e), 0);
    CHECK_EQ(off, a->len);
    CHECK_EQ(cpio_count(a->buf, a->len), 3);
    free(a);
}

/* A bad magic, a bad hex digit, or a cut archive is -EINVAL, never a read past the end. */
UNIT_TEST(cpio_rejects_bad_archives)
{
    arch_t *a = sample();
    char *copy = malloc(a->len);

    memcpy(copy, a->buf, a->len);
    copy[5] = '2';                                   /* "070702": the CRC format */
    CHECK_EQ(cpio_count(copy, a->len), -EINVAL);
    memcpy(copy, a->buf, a->len);
    copy[60] = 'g';                                  /* filesize field, not hex */
    CHECK_EQ(cpio_count(copy, a->len), -EINVAL);
    for (size_t cut = 0; cut < a->len; cut += 7) {   /* every truncation */
        char *part = malloc(cut ? cut : 1);
        memcpy(part, a->buf, cut);
        CHECK_EQ(cpio_count(part, cut), -EINVAL);
        free(part);
    }
    free(copy);
    free(a);
}

/* A size field larger than the archive is refused. */
UNIT_TEST(cpio_rejects_oversized_entry)
{
    arch_t *a = calloc(1, sizeof(*a));

    add(a, "f", 0100644, "data");
    memcpy(a->buf + 54, "7FFFFFF0", 8);              /* filesize */
    CHECK_EQ(cpio_count(a->buf, a->len), -EINVAL);
    free(a);
}

/* The archive tools/mkinitramfs.py writes for the ISO parses. */
UNIT_TEST(cpio_reads_mkinitramfs_output)
{
    FILE *f;
    char cmd[256], *buf = malloc(1 << 16);
    size_t len;

    snprintf(cmd, sizeof(cmd), "python3 tools/mkinitramfs.py /tmp/archipel-cpio-test.%d "
             "--dir user/initramfs", (int)getpid());
    REQUIRE_EQ(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "/tmp/archipel-cpio-test.%d", (int)getpid());
    f = fopen(cmd, "rb");
    REQUIRE(f != NULL);
    len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    remove(cmd);
    CHECK(cpio_count(buf, len) >= 2);                /* etc, etc/archipel-release */
    free(buf);
}

UNIT_MAIN()
