/*
 * uapi/signal_defs.h - the "how" of rt_sigprocmask(2) and the two special
 * handlers of rt_sigaction(2).
 *
 * From Linux's include/uapi/asm-generic/signal-defs.h (x86_64 uses it
 * unchanged). tests/host/test_uapi.c checks every value against the
 * system's <asm-generic/signal-defs.h>.
 */
#ifndef _UAPI_SIGNAL_DEFS_H_
#define _UAPI_SIGNAL_DEFS_H_

/* rt_sigprocmask(2) @how */
#define SIG_BLOCK   0            /* add the set to the blocked signals */
#define SIG_UNBLOCK 1            /* remove the set from the blocked signals */
#define SIG_SETMASK 2            /* the set becomes the blocked signals */

/* ksigaction_t.handler values that are not user addresses */
#define SIG_DFL 0
#define SIG_IGN 1

#endif
