/*
 * uapi/wait.h - the options of wait4(2).
 *
 * From Linux's include/uapi/linux/wait.h. tests/host/test_uapi.c checks
 * every value against the system's <linux/wait.h>.
 */
#ifndef _UAPI_WAIT_H_
#define _UAPI_WAIT_H_

#define WNOHANG     0x00000001   /* return 0 at once if no child has changed state */
#define WUNTRACED   0x00000002   /* also report stopped children */
#define WCONTINUED  0x00000008   /* also report continued children */
#define __WNOTHREAD 0x20000000   /* only children of the calling thread */
#define __WALL      0x40000000   /* every child, whatever its exit signal */
#define __WCLONE    0x80000000   /* only children whose exit signal is not SIGCHLD */

#endif
