/*
 * test_uapi_ours.c - the values of uapi_checks.h and of the system-call
 * list as the kernel's headers (kernel/include/uapi/) give them, for
 * test_uapi.c. Includes no libc header that defines ABI names.
 */
#include <stddef.h>
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/signal_defs.h"
#include "uapi/sigcontext.h"
#include "uapi/sched.h"
#include "uapi/mman.h"
#include "uapi/futex.h"
#include "uapi/fcntl.h"
#include "uapi/fs.h"
#include "uapi/stat.h"
#include "uapi/dirent.h"
#include "uapi/limits.h"
#include "uapi/wait.h"
#include "uapi/auxvec.h"
#include "uapi/time.h"
#include "uapi/time_types.h"
#include "uapi/resource.h"
#include "uapi/prctl.h"
#include "uapi/uio.h"
#include "uapi/utsname.h"
#include "uapi/statfs.h"
#include "uapi/termios.h"
#include "uapi/random.h"
#include "uapi/poll.h"
#include "uapi/sigevent.h"
#include "uapi/archipel.h"
#include "uapi/unistd_64.h"
#include "test_uapi.h"

#define UAPI_SIDE(k, l) k              /* the kernel's side of each record */
const uapi_record_t uapi_ours[] = {
#include "uapi_checks.h"
};
const unsigned uapi_ours_count = sizeof(uapi_ours) / sizeof(uapi_ours[0]);

#define __SYSCALL(nr, name) { #name, UAPI_V(nr) },
const uapi_record_t uapi_nr_list[] = {
#include "uapi/syscall_64.h"
};
#undef __SYSCALL

#define __SYSCALL UAPI_NR
const uapi_record_t uapi_nr_ours[] = {
#include "uapi/syscall_64.h"
};
#undef __SYSCALL
const unsigned uapi_nr_count = sizeof(uapi_nr_list) / sizeof(uapi_nr_list[0]);
