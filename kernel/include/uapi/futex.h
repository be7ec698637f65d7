/*
 * uapi/futex.h - futex(2) operations and the robust-futex list of
 * set_robust_list(2).
 *
 * From Linux's include/uapi/linux/futex.h. tests/host/test_uapi.c checks
 * every value and the list head's layout against the system's
 * <linux/futex.h>.
 */
#ifndef _UAPI_FUTEX_H_
#define _UAPI_FUTEX_H_

#include <stdint.h>

/* futex(2) @op: an operation, maybe or-ed with the two flags */
#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_CMD_MASK        (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* The futex word of a robust (PTHREAD_MUTEX_ROBUST) lock: owner TID and two flags */
#define FUTEX_WAITERS     0x80000000u   /* a thread waits: wake one when the owner dies */
#define FUTEX_OWNER_DIED  0x40000000u   /* set by the kernel when the owner exits */
#define FUTEX_TID_MASK    0x3fffffffu   /* the owner's TID */
#define ROBUST_LIST_LIMIT 2048          /* list entries walked at most (a cycle stops there) */

/*
 * struct robust_list_head (set_robust_list(2)), 24 bytes: a circular list
 * of the robust locks a thread holds, in user memory, walked at its exit.
 */
typedef struct krobust_list_head_s {
    uint64_t next;               /* user address of the first entry; the head itself when empty */
    int64_t  futex_offset;       /* bytes from an entry to its futex word */
    uint64_t list_op_pending;    /* user address of an entry being added or removed, or 0 */
} krobust_list_head_t;

#endif
