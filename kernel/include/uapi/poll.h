/*
 * uapi/poll.h - poll(2)'s struct pollfd and event bits.
 *
 * From Linux's include/uapi/asm-generic/poll.h (x86_64 uses the generic
 * one); tests/host/test_uapi.c checks them against the system's <asm/poll.h>.
 */
#ifndef _UAPI_POLL_H_
#define _UAPI_POLL_H_

#include <stdint.h>

#define POLLIN   0x0001          /* there is data to read */
#define POLLPRI  0x0002
#define POLLOUT  0x0004          /* writing now will not block */
#define POLLERR  0x0008          /* an error (a pipe's write end without a reader) */
#define POLLHUP  0x0010          /* hung up (a pipe's read end without a writer) */
#define POLLNVAL 0x0020          /* fd is not open */

typedef struct kpollfd_s {
    int32_t fd;
    int16_t events;              /* requested */
    int16_t revents;             /* returned */
} kpollfd_t;

#endif
