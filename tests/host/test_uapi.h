/*
 * test_uapi.h - the tables that tests/host/test_uapi.c compares: what
 * uapi_checks.h and the system-call list give with the kernel's uapi
 * headers (test_uapi_ours.c) and with the host's Linux headers
 * (test_uapi_linux.c).
 */
#ifndef _TEST_UAPI_H_
#define _TEST_UAPI_H_

/* One checked value: a constant, a struct size, a field's offset or size. */
typedef struct uapi_record_s {
    const char        *name;    /* "SIGHUP", "sizeof(kstat_t)", "offsetof(kstat_t, st_size)" ... */
    unsigned long long value;
} uapi_record_t;

/* The entries of uapi_checks.h, in its order, with the kernel's and Linux's values. */
extern const uapi_record_t uapi_ours[], uapi_linux[];
extern const unsigned uapi_ours_count, uapi_linux_count;

/* The entries of kernel/include/uapi/syscall_64.h, in its order: the name with
 * the list's number (uapi_nr_list), the kernel's __NR_ enumerator (uapi_nr_ours)
 * and the host's __NR_ macro (uapi_nr_linux). */
extern const uapi_record_t uapi_nr_list[], uapi_nr_ours[], uapi_nr_linux[];
extern const unsigned uapi_nr_count, uapi_nr_linux_count;

/*
 * The records of uapi_checks.h, made alike on both sides: a file that
 * expands the list first defines UAPI_SIDE(k, l) to keep the kernel's
 * side k (test_uapi_ours.c) or Linux's side l (test_uapi_linux.c). The
 * side left out is never compiled, so it may name what only the other
 * side's headers declare.
 */
#define UAPI_V(x) ((unsigned long long)(x))
#define UAPI_C(n)                 { #n, UAPI_V(n) },
#define UAPI_C_AS(n, lx)          { #n, UAPI_V(UAPI_SIDE(n, lx)) },
#define UAPI_S(kt, lt)            { "sizeof(" #kt ")", sizeof(UAPI_SIDE(kt, lt)) },
#define UAPI_OFF(kt, kf, lt, lf)  { "offsetof(" #kt ", " #kf ")",                     \
                                    offsetof(UAPI_SIDE(kt, lt), UAPI_SIDE(kf, lf)) },
#define UAPI_F(kt, kf, lt, lf)    UAPI_OFF(kt, kf, lt, lf)                            \
                                  { "sizeof(" #kt "." #kf ")",                        \
                                    sizeof(((UAPI_SIDE(kt, lt) *)0)->UAPI_SIDE(kf, lf)) },
/* A call of the list with the value of its __NR_ name: the kernel's enumerator or Linux's macro. */
#define UAPI_NR(nr, name)         { #name, UAPI_V(__NR_##name) },

#endif
