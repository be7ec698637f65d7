/*
 * uapi/unistd_64.h - the x86_64 Linux system-call numbers, __NR_<name>.
 *
 * Made from the list of uapi/syscall_64.h (as Linux makes its
 * asm/unistd_64.h from syscall_64.tbl), so that a number and its name
 * cannot disagree: __NR_read is 0, __NR_mmap 9 ... __NR_set_mempolicy_home_node
 * 450. Enumerators, not macros: usable in C, not in #if. Archipel's private
 * numbers are in uapi/archipel.h.
 */
#ifndef _UAPI_UNISTD_64_H_
#define _UAPI_UNISTD_64_H_

enum {
#define __SYSCALL(nr, name) __NR_##name = (nr),
#include "uapi/syscall_64.h"
#undef __SYSCALL
};

#endif
