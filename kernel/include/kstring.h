/*
 * kstring.h - the few C library string functions the kernel has.
 *
 * Pure modules (buddy, ACPI, multiboot2, topology) include this header so
 * that the host unit tests can build them against the host C library:
 * there (ARCHIPEL_HOST defined) it just includes <string.h> and <stdio.h>.
 */
#ifndef _KSTRING_H_
#define _KSTRING_H_

#ifdef ARCHIPEL_HOST
#include <string.h>
#include <stdio.h>
#else
#include <stddef.h>
#include <stdarg.h>

void  *memcpy(void *dst, const void *src, size_t n);
void  *memmove(void *dst, const void *src, size_t n);
void  *memset(void *dst, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strchr(const char *s, int c);
char  *strstr(const char *haystack, const char *needle);

/*
 * Formats like C99 snprintf for the conversions %d %i %u %x %X %p %s %c %%,
 * the length modifiers l, ll and z, a field width, '0' and '-' flags and a
 * precision for %s. Always NUL-terminates when @size > 0.
 * @return the length the full output would have (bytes, without the NUL).
 */
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
#endif

#endif
