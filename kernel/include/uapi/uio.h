/*
 * uapi/uio.h - the vectors of readv(2) and writev(2).
 *
 * From Linux's include/uapi/linux/uio.h. tests/host/test_uapi.c checks the
 * value and the layout against the system's <linux/uio.h>.
 */
#ifndef _UAPI_UIO_H_
#define _UAPI_UIO_H_

#include <stdint.h>

#define UIO_MAXIOV 1024          /* vectors in one call at most (IOV_MAX) */

/* struct iovec, 16 bytes */
typedef struct kiovec_s {
    uint64_t iov_base;           /* user address */
    uint64_t iov_len;            /* bytes */
} kiovec_t;

#endif
