/*
 * sysrq.h - Linux's magic SysRq dumps (Documentation/admin-guide/sysrq.rst),
 * for a kernel that looks hung: what every thread, core, RPC FIFO and lock
 * is doing, printed on the console.
 *
 * Reached by writing the key to /proc/sysrq-trigger (procfs.c, mode 0200,
 * as on Linux: `echo w > /proc/sysrq-trigger`); the serial console's break
 * key may call sysrq_handle() too (the console/tty driver's choice).
 *
 * Every dump starts with a line "sysrq: KEY: TITLE" and ends with
 * "sysrq: KEY: end", so that a harness can cut it out of the console log.
 */
#ifndef _SYSRQ_H_
#define _SYSRQ_H_

#include <stdint.h>

/*
 * Runs the dump of @key:
 *   't'  every thread of every cluster: state, wait channel, backtrace,
 *        locks held (hung_task_scan(HUNG_SCAN_ALL))
 *   'w'  the blocked threads only (HUNG_SCAN_BLOCKED)
 *   'l'  every online core's backtrace: the others' fetched by NMI
 *        (lockup_show_core), the calling core's own
 *   'r'  each cluster's RPC FIFO: queued requests, server threads
 *   'd'  the locks each thread holds (DEBUG builds: the lock-rank
 *        checker's record; otherwise a line saying it is unknown)
 *   'h'  a help line listing the keys
 * Any thread (not an interrupt handler: it takes every core's scheduler
 * lock in turn and waits up to 100 ms per core for an NMI's answer), no
 * lock held; reads other clusters by remote access, under their locks.
 * @return 0, or -EINVAL for a key not listed (the help line is printed).
 */
int sysrq_handle(char key);

#endif
