/*
 * uapi/wait.h - the options of wait4(2) and waitid(2), and waitid's id types.
 *
 * From Linux's include/uapi/linux/wait.h. tests/host/test_uapi.c checks
 * every value against the system's <linux/wait.h>.
 */
#ifndef _UAPI_WAIT_H_
#define _UAPI_WAIT_H_

#define WNOHANG     0x00000001   /* return 0 at once if no child has changed state */
#define WUNTRACED   0x00000002   /* also report stopped children */
#define WSTOPPED    WUNTRACED    /* waitid(2): report stopped children */
#define WEXITED     0x00000004   /* waitid(2): report children that ended */
#define WCONTINUED  0x00000008   /* also report continued children */
#define WNOWAIT     0x01000000   /* waitid(2): leave the child waitable */
#define __WNOTHREAD 0x20000000   /* only children of the calling thread */
#define __WALL      0x40000000   /* every child, whatever its exit signal */
#define __WCLONE    0x80000000   /* only children whose exit signal is not SIGCHLD */

/* waitid(2) @idtype */
#define P_ALL       0            /* any child */
#define P_PID       1            /* the child with PID @id */
#define P_PGID      2            /* any child in process group @id (0: the caller's) */
#define P_PIDFD     3            /* the child the pidfd @id names */

#endif
