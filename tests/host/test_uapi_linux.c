/*
 * test_uapi_linux.c - the values of uapi_checks.h and of the system-call
 * list as the host's Linux headers give them (Debian's linux-libc-dev;
 * glibc's <dirent.h> for what Linux does not export), and Archipel's user
 * header user/include/archipel.h, for test_uapi.c. A name of the kernel's
 * system-call list that Linux does not have fails the build here.
 */
#define _GNU_SOURCE
#include <linux/stat.h>                /* first: it hides S_IF* once glibc's <features.h> is in */
#include <stddef.h>
#include <dirent.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <linux/signal.h>
#include <linux/errno.h>
#include <asm/mman.h>
#include <asm/stat.h>
#include <asm/prctl.h>
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <linux/random.h>
#include <asm/poll.h>
#include <asm/unistd_64.h>
#include <linux/sched.h>
#include <linux/mman.h>
#include <linux/futex.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/wait.h>
#include <linux/auxvec.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/resource.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <linux/magic.h>
#include <asm/statfs.h>
#include <asm-generic/siginfo.h>
#include "archipel.h"            /* user/include/archipel.h */
#include "test_uapi.h"

#define UAPI_SIDE(k, l) l              /* Linux's side of each record */
const uapi_record_t uapi_linux[] = {
#include "uapi_checks.h"
};
const unsigned uapi_linux_count = sizeof(uapi_linux) / sizeof(uapi_linux[0]);

#define __SYSCALL UAPI_NR
const uapi_record_t uapi_nr_linux[] = {
#include "uapi/syscall_64.h"
};
#undef __SYSCALL
const unsigned uapi_nr_linux_count = sizeof(uapi_nr_linux) / sizeof(uapi_nr_linux[0]);
