/*
 * string.c - memory and string functions, and vsnprintf (see kstring.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include "kstring.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) :: "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d < s || d >= s + n) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (; *s; s++)
        if (*s == (char)c)
            return (char *)s;
    return c == 0 ? (char *)s : NULL;
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return n == 0 ? (char *)haystack : NULL;
}

/* Output cursor of vsnprintf: counts every byte, stores those that fit. */
typedef struct fmt_out_s {
    char  *buf;
    size_t size;
    size_t len;
} fmt_out_t;

static void fmt_putc(fmt_out_t *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void fmt_pad(fmt_out_t *o, char c, int n)
{
    while (n-- > 0)
        fmt_putc(o, c);
}

static void fmt_number(fmt_out_t *o, uint64_t v, bool neg, unsigned base, bool upper,
                       int width, bool zero, bool left)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    len = n + (neg ? 1 : 0);
    if (!left && !zero)
        fmt_pad(o, ' ', width - len);
    if (neg)
        fmt_putc(o, '-');
    if (!left && zero)
        fmt_pad(o, '0', width - len);
    while (n)
        fmt_putc(o, tmp[--n]);
    if (left)
        fmt_pad(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    fmt_out_t o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        bool zero = false, left = false;
        int width = 0, prec = -1, lng = 0;

        if (*fmt != '%') {
            fmt_putc(&o, *fmt);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '0')
                zero = true;
            else if (*fmt == '-')
                left = true;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                prec = prec * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            fmt_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false,
                       width, zero, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
            fmt_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, zero, left);
            break;
        }
        case 'p':
            fmt_putc(&o, '0');
            fmt_putc(&o, 'x');
            fmt_number(&o, (uint64_t)va_arg(ap, void *), false, 16, false, 16, true, false);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len;
            if (s == NULL)
                s = "(null)";
            len = (int)strlen(s);
            if (prec >= 0 && len > prec)
                len = prec;
            if (!left)
                fmt_pad(&o, ' ', width - len);
            for (int i = 0; i < len; i++)
                fmt_putc(&o, s[i]);
            if (left)
                fmt_pad(&o, ' ', width - len);
            break;
        }
        case 'c':
            fmt_putc(&o, (char)va_arg(ap, int));
            break;
        case '%':
            fmt_putc(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            fmt_putc(&o, '%');
            fmt_putc(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
