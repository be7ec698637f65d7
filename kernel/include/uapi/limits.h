/*
 * uapi/limits.h - the path, name and pipe-write limits of the ABI.
 *
 * From Linux's include/uapi/linux/limits.h. tests/host/test_uapi.c checks
 * every value against the system's <linux/limits.h>.
 */
#ifndef _UAPI_LIMITS_H_
#define _UAPI_LIMITS_H_

#define NAME_MAX 255             /* bytes in one path component, NUL excluded */
#define PATH_MAX 4096            /* bytes in a path, NUL included */
#define PIPE_BUF 4096            /* writes up to this many bytes to a pipe are atomic */

#endif
