/*
 * test_uapi.c - host tests of the Linux ABI headers of the kernel
 * (kernel/include/uapi/): every constant and struct layout the kernel
 * defines there equals Linux's, as the host's linux-libc-dev headers say,
 * and the system-call list is Linux's, number for number and name for name.
 *
 * The values come from two other files of this test program, one per side
 * (test_uapi_ours.c, test_uapi_linux.c: see uapi_checks.h); this file
 * compares them and reads the headers as text for what C cannot see (a
 * constant missing from uapi_checks.h, a call missing from the list).
 * Run from the repository root.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "test_uapi.h"

#define UAPI_DIR        "kernel/include/uapi"
#define UAPI_CHECKS     "tests/host/uapi_checks.h"
#define LINUX_UNISTD_64 "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

/* Reads all of @path into a NUL-terminated malloc'd buffer, or NULL. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/* @word occurs in @text as a whole C identifier. */
static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        int before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[n]) || p[n] == '_';

        if (!before && !after)
            return 1;
    }
    return 0;
}

/* Every constant, struct size and field of uapi_checks.h: the kernel's value is Linux's. */
UNIT_TEST(uapi_values_equal_linux)
{
    REQUIRE_EQ(uapi_ours_count, uapi_linux_count);
    for (unsigned i = 0; i < uapi_ours_count; i++) {
        REQUIRE(strcmp(uapi_ours[i].name, uapi_linux[i].name) == 0);
        if (uapi_ours[i].value != uapi_linux[i].value)
            unit_fail(__FILE__, __LINE__, "%s: kernel %#llx, Linux %#llx", uapi_ours[i].name,
                      uapi_ours[i].value, uapi_linux[i].value);
    }
}

/* Every object-like macro of kernel/include/uapi/ (but the include guards) is in uapi_checks.h. */
UNIT_TEST(uapi_every_constant_is_checked)
{
    char *checks = read_text(UAPI_CHECKS);
    DIR *d = opendir(UAPI_DIR);
    struct dirent *e;
    int headers = 0;

    REQUIRE(checks != NULL);
    REQUIRE(d != NULL);
    while ((e = readdir(d)) != NULL) {
        char path[512], *text;
        const char *p;

        if (strlen(e->d_name) < 3 || strcmp(e->d_name + strlen(e->d_name) - 2, ".h") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", UAPI_DIR, e->d_name);
        text = read_text(path);
        CHECK(text != NULL);
        headers++;
        for (p = text; p && (p = strstr(p, "#define ")) != NULL; ) {
            char name[128];
            size_t n = 0;

            p += strlen("#define ");
            while ((isalnum((unsigned char)*p) || *p == '_') && n < sizeof(name) - 1)
                name[n++] = *p++;
            name[n] = '\0';
            if (*p == '(')
                continue;                /* a function-like macro: no value of its own */
            if (strncmp(name, "_UAPI_", 6) == 0)
                continue;                /* include guard */
            if (!has_word(checks, name))
                unit_fail(__FILE__, __LINE__, "%s: %s is not checked (add it to %s)", path,
                          name, UAPI_CHECKS);
        }
        free(text);
    }
    closedir(d);
    free(checks);
    CHECK(headers >= 20);
}

/* The kernel's system-call list: numbers strictly increasing, the __NR_ enumerators its numbers. */
UNIT_TEST(syscall_list_is_consistent)
{
    REQUIRE(uapi_nr_count > 0);
    for (unsigned i = 0; i < uapi_nr_count; i++) {
        CHECK_EQ(uapi_nr_ours[i].value, uapi_nr_list[i].value);
        if (i > 0 && uapi_nr_list[i].value <= uapi_nr_list[i - 1].value)
            unit_fail(__FILE__, __LINE__, "%s (%llu) after %s (%llu): not in number order",
                      uapi_nr_list[i].name, uapi_nr_list[i].value, uapi_nr_list[i - 1].name,
                      uapi_nr_list[i - 1].value);
    }
}

/* Each call of the list has Linux's number (a name Linux lacks breaks test_uapi_linux.c's build). */
UNIT_TEST(syscall_list_numbers_are_linux)
{
    REQUIRE_EQ(uapi_nr_count, uapi_nr_linux_count);
    for (unsigned i = 0; i < uapi_nr_count; i++)
        if (uapi_nr_list[i].value != uapi_nr_linux[i].value)
            unit_fail(__FILE__, __LINE__, "%s: list %llu, Linux __NR_%s %llu", uapi_nr_list[i].name,
                      uapi_nr_list[i].value, uapi_nr_list[i].name, uapi_nr_linux[i].value);
}

/* Every __NR_ of the host's asm/unistd_64.h is in the list, with its number. */
UNIT_TEST(syscall_list_has_every_linux_call)
{
    char *text = read_text(LINUX_UNISTD_64);
    unsigned found = 0;

    if (text == NULL)
        UNIT_SKIP("no %s (apt-get install linux-libc-dev)", LINUX_UNISTD_64);
    for (const char *p = text; (p = strstr(p, "#define __NR_")) != NULL; ) {
        char name[128];
        unsigned long long nr;
        unsigned i;

        p += strlen("#define __NR_");
        if (sscanf(p, "%127s %llu", name, &nr) != 2)
            continue;
        found++;
        for (i = 0; i < uapi_nr_count && strcmp(uapi_nr_list[i].name, name) != 0; i++)
            ;
        if (i == uapi_nr_count)
            unit_fail(__FILE__, __LINE__, "__NR_%s (%llu) is missing from the list "
                      "(make syscall-list)", name, nr);
        else
            CHECK_EQ(uapi_nr_list[i].value, nr);
    }
    free(text);
    CHECK_EQ(found, uapi_nr_count);
}

UNIT_MAIN()
