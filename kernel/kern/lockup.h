/*
 * lockup.h - the soft and hard lockup detector (Linux's kernel/watchdog.c
 * and watchdog_hld.c), and backtraces of other cores fetched by NMI.
 *
 * Every core has a heartbeat (core_t.heartbeat) bumped each time it passes
 * through its scheduler (sched_switch) and at each tick that interrupted
 * user mode or its idle thread; its tick counter (core_t.ticks) moves at
 * each LAPIC timer interrupt, that is while its interrupts are enabled.
 * Each core watches one neighbour, the core of the next global index
 * (gid + 1 modulo the number of cores), from its own LAPIC tick: it reads
 * the neighbour's two counters (remote access: two words) every
 * LOCKUP_CHECK_TICKS of its own ticks.
 *
 * - hard lockup: the neighbour took no tick while the watcher took
 *   `lockup_timeout` seconds' worth of its own ticks: its interrupts are
 *   off (a busylock spun on forever, a loop with interrupts disabled);
 * - soft lockup: its ticks move but its heartbeat does not: it never gets
 *   through its scheduler.
 *
 * Time is measured in the watcher's own ticks, not in TSC cycles, so that a
 * paused virtual machine (a debugger, a descheduled vCPU under TCG) does not
 * look like a stuck core: the watcher must itself have run for that long.
 * A report is printed once per stall by the watcher: a line
 * "archipel: hard lockup on core C.L ..." (or "soft lockup"), then the
 * stuck core's interrupted RIP and backtrace, which the watcher asks of it
 * with an NMI (Intel SDM Vol. 3A, 11.6.1: ICR delivery mode 100b, NMI; an
 * NMI is taken even with RFLAGS.IF clear, SDM 6.8.1). The harness fails a
 * run whose console shows such a line (tests/harness/boot_tests.py).
 *
 * Kernel command line: lockup_timeout=SECONDS (default LOCKUP_DEFAULT_S;
 * 0 disables the detector).
 */
#ifndef _LOCKUP_H_
#define _LOCKUP_H_

#include <stdint.h>
#include <stdbool.h>

struct core_s;
struct trap_frame_s;

#define LOCKUP_DEFAULT_S   10    /* lockup_timeout= default, seconds */
#define LOCKUP_CHECK_TICKS 10    /* the watcher looks at its neighbour every 10 ticks */
#define LOCKUP_BT_MAX      16    /* frames of a backtrace fetched by NMI */
#define LOCKUP_NMI_WAIT_MS 100   /* how long the asker waits for the NMI's answer */

/* What a core knows of the neighbour it watches (in its own core_t, own core only). */
typedef struct lockup_watch_s {
    uint64_t seen_heartbeat;     /* the neighbour's heartbeat at the last look */
    uint64_t seen_ticks;         /* ... and its tick count */
    uint64_t heartbeat_still;    /* watcher's ticks since the heartbeat last moved */
    uint64_t ticks_still;        /* watcher's ticks since the neighbour's ticks last moved */
    uint32_t reported;           /* 0, or LOCKUP_SOFT / LOCKUP_HARD until it moves again */
    uint32_t armed;              /* the neighbour has ticked once: it is running */
    uint64_t reports;            /* lockups reported by this watcher (statistics, tests) */
} lockup_watch_t;

/* A backtrace asked of a core by NMI (in the stuck core's core_t). */
typedef struct lockup_nmi_s {
    volatile uint32_t request;   /* set by the asker before the NMI */
    volatile uint32_t done;      /* set by the NMI handler once pc[] is filled */
    uint32_t          n;         /* frames in pc[] */
    uint32_t          irq_on;    /* RFLAGS.IF of the interrupted code */
    uint64_t          pc[LOCKUP_BT_MAX]; /* pc[0] is the interrupted RIP */
} lockup_nmi_t;

#define LOCKUP_SOFT 1u
#define LOCKUP_HARD 2u

/* The lockup_timeout= option, seconds (cmdline.c sets it; 0: off). */
extern uint32_t lockup_timeout_s;

/*
 * The tick's part (ipi.c, at each VEC_TIMER of the calling core, interrupt
 * context): bumps the heartbeat when the tick interrupted user mode
 * (@from_user) or the idle thread, then, every LOCKUP_CHECK_TICKS, looks
 * at the neighbour and reports a stall once. Takes no lock but the
 * console's when it prints.
 */
void lockup_tick(bool from_user);

/*
 * Asks core @target (any cluster, not the caller) for its backtrace by NMI
 * and prints it ("  core C.L: ..." lines, symbolized), or a line saying it
 * did not answer within LOCKUP_NMI_WAIT_MS. Any core, any context; the
 * caller must not be the target. Used by the detector and by sysrq 'l'.
 * @return true when the target answered.
 */
bool lockup_show_core(struct core_s *target);

/* Prints the calling core's own backtrace ("  core C.L (self): ..."). Any context. */
void lockup_show_self(void);

/*
 * The kernel's part of an NMI (panic_nmi, panic.c): when a backtrace was
 * asked of this core, records the interrupted RIP and frame chain of
 * @frame and returns true; false for any other NMI. NMI context.
 */
bool lockup_nmi(const struct trap_frame_s *frame);

/* The core the calling core watches (global index + 1), or NULL on a one-core machine. */
struct core_s *lockup_neighbour(void);

#ifdef CONFIG_KTEST
/*
 * Test hook: runs the watcher's check of the calling core at once as if
 * @elapsed_ticks of its own ticks had passed since the last look.
 * @return the kind reported now (0, LOCKUP_SOFT, LOCKUP_HARD).
 */
uint32_t lockup_check_now(uint64_t elapsed_ticks);

/* Test mode: reports start "ktest: expected" instead of "archipel:" (see hung_task.h). */
extern volatile bool lockup_expected;
#endif

#endif
