/*
 * boot_info.h - what the bootstrap core learns before the clusters exist.
 *
 * Filled by the bootstrap core alone, then read-only: the "read-mostly boot
 * information" that invariant 1 allows every cluster to share.
 */
#ifndef _BOOT_INFO_H_
#define _BOOT_INFO_H_

#include <stdint.h>
#include <stdbool.h>
#include "mb2.h"
#include "acpi.h"
#include "topology.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/time_types.h"

#define BOOT_MAX_RESERVED 32
#define BOOT_CMDLINE_MAX  512

typedef struct boot_info_s {
    mb2_info_t   mb2;
    acpi_info_t  acpi;
    topology_t   topo;
    char         cmdline[BOOT_CMDLINE_MAX];
    uint64_t     ram_end;                /* past the last available byte, bytes */
    uint32_t     nreserved;              /* ranges the PPMs must never hand out */
    topo_range_t reserved[BOOT_MAX_RESERVED];
    uint64_t     initrd_phys;            /* initramfs module, bytes */
    uint64_t     initrd_size;
    uint64_t     tsc_hz;                 /* TSC frequency, cycles per second */
    uint32_t     lapic_ticks_per_ms;     /* LAPIC timer counts per ms at divide 16 */
    uint32_t     bsp_cxy, bsp_lid;
    uint64_t     boot_tsc;               /* TSC when kernel_boot() started */
    /* kernel command line options (see cmdline.c) */
    const char  *opt_ktest;              /* NULL, "all" or a comma list of suites */
    bool         opt_poweroff;           /* power off once booted (and tested) */
    bool         opt_panic_halt;         /* on panic, halt for GDB instead of exiting */
    const char  *opt_crash;              /* test the panic path: "pagefault", "ud", "panic",
                                            "kcm_use_after_free", "kcm_double_free",
                                            "stack_smash"; "stall": the hung-task and
                                            lockup reports */
    const char  *opt_bench;              /* benchmarks to run once booted ("rpc"), or NULL */
    const char  *opt_init;               /* init=PATH: the first program (/sbin/init), "none": no init */
    uint32_t     init_argc;              /* words after "--": init's arguments */
    char        *init_argv[33];          /* "init", then those words; NULL-terminated */
} boot_info_t;

extern boot_info_t boot_info;

/* TSC cycles in @ms milliseconds / @us microseconds, at the calibrated frequency. */
static inline uint64_t tsc_from_ms(uint64_t ms)
{
    return ms * (boot_info.tsc_hz / 1000);
}

static inline uint64_t tsc_from_us(uint64_t us)
{
    return us * (boot_info.tsc_hz / 1000000);
}

/* Realtime clock: seconds since the epoch at boot (no RTC driver: a fixed origin, 2026-01-01). */
#define REALTIME_BOOT_SEC 1767225600ull

/*
 * The TSC deadline of a timeout @ts: relative to now, or absolute (@abs) on
 * CLOCK_MONOTONIC (counted from boot) or CLOCK_REALTIME (@realtime).
 * @return 0 with *@deadline in cycles (UINT64_MAX: too far to matter, no
 * deadline; an absolute realtime before boot is already past), or -EINVAL
 * when @ts is not a valid timespec (negative, or tv_nsec >= 10^9).
 */
static inline int tsc_deadline(const ktimespec_t *ts, bool abs, bool realtime, uint64_t *deadline)
{
    uint64_t hz = boot_info.tsc_hz, sec, cycles;

    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
        return -EINVAL;
    sec = (uint64_t)ts->tv_sec;
    if (abs && realtime) {
        if (sec < REALTIME_BOOT_SEC) {
            *deadline = boot_info.boot_tsc;       /* long past */
            return 0;
        }
        sec -= REALTIME_BOOT_SEC;
    }
    if (sec > (UINT64_MAX / 4) / hz) {
        *deadline = UINT64_MAX;
        return 0;
    }
    cycles = sec * hz + (uint64_t)ts->tv_nsec * (hz / 1000000) / 1000;
    *deadline = (abs ? boot_info.boot_tsc : rdtsc()) + cycles;
    return 0;
}

/* Milliseconds in @cycles TSC cycles. */
static inline uint64_t tsc_to_ms(uint64_t cycles)
{
    return cycles / (boot_info.tsc_hz / 1000);
}

#endif
