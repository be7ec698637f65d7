/*
 * ktap.h - KTAP output for the user test programs (header only).
 *
 * A test program is a table of small test functions run in order:
 *
 *     static int t_pipe_eof(void) { ...; KTAP_CHECK(n == 0); return KTAP_PASS; }
 *     static const struct ktap_case cases[] = { KTAP_CASE(t_pipe_eof), ... };
 *     int main(void) { return ktap_run(cases, KTAP_NCASES(cases)); }
 *
 * Output (stdout, fd 1), in the format tools/ktap.py and the QEMU harness
 * (tests/harness/user_tests.py) parse:
 *
 *     TAP version 13
 *     1..N
 *     # diagnostic line              <- belongs to the result that follows
 *     ok 1 name
 *     not ok 2 name
 *     ok 3 name # SKIP reason
 *
 * Every line is formatted in a local buffer and written with one write(2),
 * so nothing is ever buffered in user space: a fork(2) cannot duplicate
 * pending output, and lines of concurrent processes do not mix. Only the
 * test's main process prints results; children report through their exit
 * status or a pipe.
 */
#ifndef _KTAP_H_
#define _KTAP_H_

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KTAP_PASS 0
#define KTAP_FAIL 1
#define KTAP_SKIP 2

struct ktap_case {
	const char *name;       /* KTAP case name: no spaces, no '#' */
	int (*fn)(void);        /* returns KTAP_PASS, KTAP_FAIL or KTAP_SKIP */
};

#define KTAP_CASE(f)    { #f + 2, f }           /* t_foo -> "foo" */
#define KTAP_NCASES(t)  ((int)(sizeof(t) / sizeof((t)[0])))

static int ktap_number;          /* results printed so far */
static int ktap_failures;        /* "not ok" results printed so far */
static char ktap_skip_reason[160];

/* Write all of buf to fd 1, retrying short writes and EINTR. */
static inline void ktap_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(1, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Print one line: prefix, then the formatted text, then a newline (one write). */
static inline void ktap_vline(const char *prefix, const char *fmt, va_list ap)
{
	char line[512];
	int saved = errno;
	int n = snprintf(line, sizeof(line), "%s", prefix);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);

	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	ktap_write(line, (size_t)n);
	errno = saved;
}

static inline void __attribute__((format(printf, 1, 2))) ktap_print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ktap_vline("", fmt, ap);
	va_end(ap);
}

/* A diagnostic line "# ..." (before the result it explains). errno is preserved. */
static inline void __attribute__((format(printf, 1, 2))) ktap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ktap_vline("# ", fmt, ap);
	va_end(ap);
}

/* The header: version line and plan of n cases. */
static inline void ktap_plan(int n)
{
	ktap_print("TAP version 13");
	ktap_print("1..%d", n);
}

/* One result line; returns ok. */
static inline int ktap_result(int ok, const char *name)
{
	ktap_number++;
	if (!ok)
		ktap_failures++;
	ktap_print("%s %d %s", ok ? "ok" : "not ok", ktap_number, name);
	return ok;
}

/* One skipped result: "ok N name # SKIP reason". */
static inline void ktap_skipped(const char *name, const char *reason)
{
	ktap_number++;
	ktap_print("ok %d %s # SKIP %s", ktap_number, name, reason);
}

/* For a test function: say why it returns KTAP_SKIP. */
static inline int __attribute__((format(printf, 1, 2))) ktap_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ktap_skip_reason, sizeof(ktap_skip_reason), fmt, ap);
	va_end(ap);
	return KTAP_SKIP;
}

/* Inside a test function: fail the case (with file:line and the condition) unless cond. */
#define KTAP_CHECK(cond) do {                                                  \
	if (!(cond)) {                                                         \
		ktap_diag("%s:%d: check failed: %s (errno %d: %s)", __FILE__,    \
			  __LINE__, #cond, errno, strerror(errno));            \
		return KTAP_FAIL;                                              \
	}                                                                      \
} while (0)

/* Like KTAP_CHECK, with a formatted explanation. */
#define KTAP_CHECKF(cond, ...) do {                                            \
	if (!(cond)) {                                                         \
		ktap_diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
		ktap_diag(__VA_ARGS__);                                        \
		return KTAP_FAIL;                                              \
	}                                                                      \
} while (0)

/* A call that must fail with -1 and errno e. */
#define KTAP_CHECK_ERRNO(call, e) do {                                         \
	errno = 0;                                                             \
	long ktap_r_ = (long)(call);                                           \
	if (ktap_r_ != -1 || errno != (e)) {                                   \
		ktap_diag("%s:%d: %s returned %ld errno %d (%s), expected -1 %s", \
			  __FILE__, __LINE__, #call, ktap_r_, errno,           \
			  strerror(errno), #e);                                \
		return KTAP_FAIL;                                              \
	}                                                                      \
} while (0)

/*
 * Run every case of the table in order, printing the plan and one result per
 * case. Returns the program's exit status: 0 iff no case failed.
 */
static inline int ktap_run(const struct ktap_case *cases, int n)
{
	ktap_plan(n);
	for (int i = 0; i < n; i++) {
		ktap_skip_reason[0] = '\0';
		int r = cases[i].fn();
		if (r == KTAP_SKIP)
			ktap_skipped(cases[i].name, ktap_skip_reason[0] ? ktap_skip_reason
									: "skipped");
		else
			ktap_result(r == KTAP_PASS, cases[i].name);
	}
	ktap_diag("%d passed or skipped, %d failed", ktap_number - ktap_failures,
		  ktap_failures);
	return ktap_failures == 0 && ktap_number == n ? 0 : 1;
}

#endif /* _KTAP_H_ */
