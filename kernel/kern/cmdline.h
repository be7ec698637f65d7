/*
 * cmdline.h - kernel command-line options.
 *
 *   ktest=all|SUITE[,SUITE...]   run the in-kernel self-tests (KTAP output)
 *   poweroff                      end the QEMU run once booted (and tested)
 *   panic=halt|poweroff           on panic, halt for GDB, or end the run (default)
 *   trace=1                       record trace events, streamed on COM2 (trace.h)
 *   bench=rpc                     run the in-kernel benchmarks once booted (bench.h)
 *   crash=pagefault|ud|panic      once booted, the last core crashes on purpose
 *                                 (tests the exception report and the stop of all cores)
 *   crash=stall                   once booted, a kernel thread of the last core hangs on
 *                                 a lock, then that core spins with interrupts off: tests
 *                                 the hung-task and lockup reports (with small timeouts)
 *   hung_task_timeout=SECONDS     report a thread in an uninterruptible wait for longer
 *                                 (hung_task.h; default 20 s in DEBUG builds, 120 s
 *                                 otherwise; 0: off)
 *   lockup_timeout=SECONDS        report a core that took no tick or did not schedule for
 *                                 longer (lockup.h; default 10 s; 0: off)
 *
 * An unknown option is a warning, never a failure.
 */
#ifndef _CMDLINE_H_
#define _CMDLINE_H_

#include "boot_info.h"

#define CMDLINE_MAX_SECONDS 86400u   /* the largest hung_task_timeout= / lockup_timeout= */

/*
 * Parses boot_info.cmdline (modified in place: option words are cut at
 * spaces) into the boot_info.opt_* fields; prints a warning for each
 * unknown option or bad value. Bootstrap core, once.
 */
void cmdline_parse(boot_info_t *bi);

#endif
