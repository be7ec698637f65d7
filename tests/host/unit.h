/*
 * unit.h - a tiny header-only unit test framework for the host tests.
 *
 * Usage, in exactly one .c file per test program:
 *
 *     #include "unit.h"
 *
 *     // What the test proves, in one line.
 *     UNIT_TEST(buddy_every_order)
 *     {
 *         CHECK(p != NULL);
 *         CHECK_EQ(b.free_pages, 1024);
 *         REQUIRE(q != NULL);          // stops this test case when false
 *     }
 *
 *     UNIT_MAIN()
 *
 * Output is KTAP version 1 on stdout, one result line per test case, in
 * source order, and each failure as a "# " diagnostic line after it:
 *
 *     KTAP version 1
 *     1..3
 *     ok 1 buddy_every_order
 *     not ok 2 buddy_coalescing
 *     # buddy_coalescing: tests/host/test_buddy.c:57: CHECK_EQ(b.free_pages, 1024) failed: 1023 != 1024
 *     ok 3 buddy_exhaustion
 *
 * Every test case runs in a child process (fork), so a crash, a sanitizer
 * report, an abort or a hang (UNIT_TIMEOUT seconds) in one test case makes
 * that case "not ok" (with the signal or exit status as diagnostic) and the
 * others still run. UBSan is made fatal (halt_on_error) so that undefined
 * behaviour fails the case; sanitizer reports themselves go to stderr.
 * The program exits with 0 when every case passed, 1 otherwise.
 *
 * Checks: CHECK(cond), CHECK_EQ(a, b) (integers), CHECK_NE, CHECK_PTR_EQ,
 * CHECK_STREQ, CHECK_CONTAINS(text, word) record a failure and go on, and
 * return 1 when they passed; REQUIRE(cond) and REQUIRE_EQ(a, b) leave the
 * test case. UNIT_LOG(fmt, ...) adds a "# " line; UNIT_FAILED() tells
 * whether a check already failed.
 * A case may end itself with UNIT_SKIP("reason"): "ok N name # SKIP reason".
 * Run one case only with: ./test_x NAME (the plan is then 1..1).
 */
#ifndef _UNIT_H_
#define _UNIT_H_

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#define UNIT_MAX_TESTS  256
#define UNIT_MAX_DIAG   20          /* diagnostic lines shown per test case */
#define UNIT_DIAG_LEN   512
#ifndef UNIT_TIMEOUT
#define UNIT_TIMEOUT    60          /* seconds before a test case is killed (SIGALRM) */
#endif

typedef struct unit_case_s {
    const char *name;
    void      (*fn)(void);
    int         line;               /* source order */
} unit_case_t;

static unit_case_t unit_cases[UNIT_MAX_TESTS];
static int         unit_ncases;

/* State of the running test case (in the child process). */
static const char *unit_cur_name;
static int         unit_cur_failed;     /* failed checks */
static int         unit_cur_ndiag;      /* diagnostic lines produced */
static int         unit_diag_fd = -1;   /* pipe to the parent */

/* Exit status of a child whose checks failed / that skipped itself
 * (0 = passed, anything else = abnormal end). */
#define UNIT_EXIT_FAILED 97
#define UNIT_EXIT_SKIP   98
#define UNIT_SKIP_MARK   "\001SKIP "

static void unit_register(const char *name, void (*fn)(void), int line)
{
    if (unit_ncases >= UNIT_MAX_TESTS) {
        fprintf(stderr, "unit.h: more than %d tests\n", UNIT_MAX_TESTS);
        exit(2);
    }
    unit_cases[unit_ncases].name = name;
    unit_cases[unit_ncases].fn = fn;
    unit_cases[unit_ncases].line = line;
    unit_ncases++;
}

/* Defines test case @name; its body follows as a function body. */
#define UNIT_TEST(name)                                                      \
    static void name(void);                                                  \
    __attribute__((constructor)) static void unit_register_##name(void)      \
    {                                                                        \
        unit_register(#name, name, __LINE__);                                \
    }                                                                        \
    static void name(void)

/* Records a diagnostic line "# <test>: <text>" printed after the result. */
__attribute__((format(printf, 1, 2), unused))
static void unit_diag(const char *fmt, ...)
{
    char    line[UNIT_DIAG_LEN];
    va_list ap;
    int     n;

    /* written at once, so the lines before a crash reach the parent */
    if (unit_cur_ndiag++ >= UNIT_MAX_DIAG)
        return;
    n = snprintf(line, sizeof line, "# %s: ", unit_cur_name ? unit_cur_name : "?");
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    if (unit_diag_fd >= 0) {
        if (write(unit_diag_fd, line, strlen(line)) < 0)
            perror("unit.h: write");
    } else {
        fputs(line, stdout);
    }
}

__attribute__((format(printf, 3, 4), unused))
static void unit_fail(const char *file, int line, const char *fmt, ...)
{
    char    msg[UNIT_DIAG_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unit_cur_failed++;
    unit_diag("%s:%d: %s", file, line, msg);
}

/* Formats @v for a diagnostic: decimal when small, else hexadecimal. */
static const char *unit_fmt_num(char *buf, size_t len, long long v)
{
    if (v > -65536 && v < 65536)
        snprintf(buf, len, "%lld", v);
    else
        snprintf(buf, len, "0x%llx", (unsigned long long)v);
    return buf;
}

__attribute__((unused))
static int unit_check_eq(long long a, long long b, const char *file, int line,
                         const char *op, const char *sa, const char *sb)
{
    char x[32], y[32];

    if (a == b)
        return 1;
    unit_fail(file, line, "%s(%s, %s) failed: %s != %s", op, sa, sb,
              unit_fmt_num(x, sizeof x, a), unit_fmt_num(y, sizeof y, b));
    return 0;
}

__attribute__((unused))
static int unit_check(int ok, const char *file, int line, const char *what)
{
    if (!ok)
        unit_fail(file, line, "%s failed", what);
    return ok;
}

__attribute__((unused))
static int unit_check_ne(long long a, long long b, const char *file, int line,
                         const char *sa, const char *sb)
{
    char x[32];

    if (a != b)
        return 1;
    unit_fail(file, line, "CHECK_NE(%s, %s) failed: both %s", sa, sb,
              unit_fmt_num(x, sizeof x, a));
    return 0;
}

__attribute__((unused))
static int unit_check_ptr_eq(const void *a, const void *b, const char *file,
                             int line, const char *sa, const char *sb)
{
    if (a == b)
        return 1;
    unit_fail(file, line, "CHECK_PTR_EQ(%s, %s) failed: %p != %p", sa, sb, a, b);
    return 0;
}

/* Non-fatal checks: record the failure, go on with the test case. */
#define CHECK(cond) unit_check((cond) ? 1 : 0, __FILE__, __LINE__, "CHECK(" #cond ")")

/* Integers of any type up to 64 bits (compared as 64-bit values). */
#define CHECK_EQ(a, b)                                                       \
    unit_check_eq((long long)(a), (long long)(b), __FILE__, __LINE__,        \
                  "CHECK_EQ", #a, #b)

#define CHECK_NE(a, b)                                                       \
    unit_check_ne((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)

#define CHECK_PTR_EQ(a, b)                                                   \
    unit_check_ptr_eq((const void *)(a), (const void *)(b), __FILE__,        \
                      __LINE__, #a, #b)

#define CHECK_STREQ(a, b)                                                    \
    unit_check_streq((a), (b), __FILE__, __LINE__, #a, #b)

/* @hay contains @needle (an error or warning text names what it should). */
#define CHECK_CONTAINS(hay, needle)                                          \
    unit_check_contains((hay), (needle), __FILE__, __LINE__, #hay)

/* Fatal check: record the failure and leave the test case. */
#define REQUIRE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            unit_fail(__FILE__, __LINE__, "REQUIRE(%s) failed", #cond);      \
            return;                                                          \
        }                                                                    \
    } while (0)

#define REQUIRE_EQ(a, b)                                                     \
    do {                                                                     \
        if (!CHECK_EQ(a, b))                                                 \
            return;                                                          \
    } while (0)

/* Ends the test case as skipped ("ok N name # SKIP reason"), e.g. when a
 * compile-time limit is too small for what it needs. Call it before any
 * check. */
#define UNIT_SKIP(...) unit_skip(__VA_ARGS__)

__attribute__((format(printf, 1, 2), noreturn, unused))
static void unit_skip(const char *fmt, ...)
{
    char    line[UNIT_DIAG_LEN];
    va_list ap;
    int     n;

    n = snprintf(line, sizeof line, "%s", UNIT_SKIP_MARK);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    if (unit_diag_fd >= 0 && write(unit_diag_fd, line, strlen(line)) < 0)
        perror("unit.h: write");
    _exit(unit_cur_failed ? UNIT_EXIT_FAILED : UNIT_EXIT_SKIP);
}

/* Free-form diagnostic (printed whether the case passes or not). */
#define UNIT_LOG(...) unit_diag(__VA_ARGS__)

/* Failed checks so far in this test case (to stop a loop early). */
#define UNIT_FAILED() (unit_cur_failed != 0)

__attribute__((unused))
static int unit_check_streq(const char *a, const char *b, const char *file,
                            int line, const char *sa, const char *sb)
{
    if (a && b && strcmp(a, b) == 0)
        return 1;
    unit_fail(file, line, "CHECK_STREQ(%s, %s) failed: \"%s\" != \"%s\"", sa, sb,
              a ? a : "(null)", b ? b : "(null)");
    return 0;
}

__attribute__((unused))
static int unit_check_contains(const char *hay, const char *needle,
                               const char *file, int line, const char *shay)
{
    if (hay && needle && strstr(hay, needle))
        return 1;
    unit_fail(file, line, "CHECK_CONTAINS(%s, \"%s\") failed: text is \"%s\"",
              shay, needle ? needle : "(null)", hay ? hay : "(null)");
    return 0;
}

/* UBSan: stop at the first report, so undefined behaviour fails the case. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static int unit_cmp_line(const void *a, const void *b)
{
    return ((const unit_case_t *)a)->line - ((const unit_case_t *)b)->line;
}

/*
 * Runs test case @c in a child; prints its result line and diagnostics.
 * @return 1 when it passed.
 */
static int unit_run_one(const unit_case_t *c, int num)
{
    int   fds[2];
    pid_t pid;
    int   status;
    char  buf[4096];
    char *out = NULL, *skip;
    size_t outlen = 0;
    ssize_t n;
    int   passed;

    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        /* child: run the case, diagnostics go to the parent as they come */
        close(fds[0]);
        unit_diag_fd = fds[1];
        unit_cur_name = c->name;
        alarm(UNIT_TIMEOUT);          /* a hang fails the case, not the run */
        c->fn();
        if (unit_cur_ndiag > UNIT_MAX_DIAG) {
            int extra = unit_cur_ndiag - UNIT_MAX_DIAG;

            unit_cur_ndiag = 0;
            unit_diag("... %d more diagnostic lines not shown", extra);
        }
        close(fds[1]);
        fflush(stdout);
        _exit(unit_cur_failed ? UNIT_EXIT_FAILED : 0);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        out = realloc(out, outlen + (size_t)n + 1);
        if (!out) {
            perror("realloc");
            exit(2);
        }
        memcpy(out + outlen, buf, (size_t)n);
        outlen += (size_t)n;
    }
    close(fds[0]);
    if (out)
        out[outlen] = '\0';
    while (waitpid(pid, &status, 0) < 0)
        ;
    passed = WIFEXITED(status) &&
             (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == UNIT_EXIT_SKIP);
    skip = out && WIFEXITED(status) && WEXITSTATUS(status) == UNIT_EXIT_SKIP ?
           strstr(out, UNIT_SKIP_MARK) : NULL;
    /* diagnostics first, then the result line (as KUnit prints them) */
    if (skip) {
        *skip = '\0';
        skip += strlen(UNIT_SKIP_MARK);
        skip[strcspn(skip, "\n")] = '\0';
    }
    if (out)
        fputs(out, stdout);
    if (WIFSIGNALED(status))
        printf("# %s: killed by signal %d (%s)\n", c->name, WTERMSIG(status),
               strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
             WEXITSTATUS(status) != UNIT_EXIT_FAILED &&
             WEXITSTATUS(status) != UNIT_EXIT_SKIP)
        printf("# %s: exited with status %d (crash or sanitizer report, see stderr)\n",
               c->name, WEXITSTATUS(status));
    if (skip)
        printf("ok %d %s # SKIP %s\n", num, c->name, skip);
    else
        printf("%s %d %s\n", passed ? "ok" : "not ok", num, c->name);
    free(out);
    fflush(stdout);
    return passed;
}

static int unit_main(int argc, char **argv)
{
    int i, num = 0, failed = 0, planned = 0;

    qsort(unit_cases, (size_t)unit_ncases, sizeof unit_cases[0], unit_cmp_line);
    for (i = 0; i < unit_ncases; i++)
        if (argc < 2 || strcmp(argv[1], unit_cases[i].name) == 0)
            planned++;
    if (argc >= 2 && planned == 0) {
        fprintf(stderr, "%s: no test case named %s\n", argv[0], argv[1]);
        return 2;
    }
    printf("KTAP version 1\n1..%d\n", planned);
    for (i = 0; i < unit_ncases; i++) {
        if (argc >= 2 && strcmp(argv[1], unit_cases[i].name) != 0)
            continue;
        if (!unit_run_one(&unit_cases[i], ++num))
            failed++;
    }
    return failed ? 1 : 0;
}

/* The program's main(): runs every UNIT_TEST of the file. */
#define UNIT_MAIN()                                                          \
    int main(int argc, char **argv)                                          \
    {                                                                        \
        return unit_main(argc, argv);                                        \
    }

#endif
