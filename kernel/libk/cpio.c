/*
 * cpio.c - cpio "newc" archive walking (see cpio.h).
 */
#include "cpio.h"
#include "uapi/errno.h"
#include "kstring.h"

#define CPIO_HEADER 110

/* Value of the 8 hex digits at @p into *@v; -EINVAL on a non-hex digit. */
static int cpio_hex8(const char *p, uint32_t *v)
{
    uint32_t x = 0;

    for (int i = 0; i < 8; i++) {
        char c = p[i];
        uint32_t d;

        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return -EINVAL;
        x = (x << 4) | d;
    }
    *v = x;
    return 0;
}

static size_t cpio_align4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

int cpio_next(const void *buf, size_t len, size_t *offset, cpio_entry_t *out)
{
    const char *h = (const char *)buf + *offset;
    uint32_t mode, size, namesize;
    size_t name_off, data_off;

    if (*offset > len || len - *offset < CPIO_HEADER || memcmp(h, "070701", 6) != 0)
        return -EINVAL;
    if (cpio_hex8(h + 14, &mode) || cpio_hex8(h + 54, &size) || cpio_hex8(h + 94, &namesize))
        return -EINVAL;
    name_off = *offset + CPIO_HEADER;
    if (namesize == 0 || namesize > len - name_off || h[CPIO_HEADER + namesize - 1] != '\0')
        return -EINVAL;
    data_off = cpio_align4(name_off + namesize);
    if (data_off > len || size > len - data_off)
        return -EINVAL;

    out->name = h + CPIO_HEADER;
    out->mode = mode;
    out->data = (const char *)buf + data_off;
    out->size = size;
    *offset   = cpio_align4(data_off + size);
    return strcmp(out->name, "TRAILER!!!") == 0 ? 0 : 1;
}

int cpio_count(const void *buf, size_t len)
{
    size_t off = 0;
    cpio_entry_t e;
    int n = 0, rc;

    while ((rc = cpio_next(buf, len, &off, &e)) == 1)
        n++;
    return rc < 0 ? rc : n;
}
