/*
 * uapi/auxvec.h - types of the auxiliary vector that execve(2) puts on the
 * new program's stack after envp.
 *
 * From Linux's include/uapi/linux/auxvec.h. tests/host/test_uapi.c checks
 * every value against the system's <linux/auxvec.h>.
 */
#ifndef _UAPI_AUXVEC_H_
#define _UAPI_AUXVEC_H_

#define AT_NULL     0            /* end of the vector */
#define AT_PHDR     3            /* user address of the program headers */
#define AT_PHENT    4            /* bytes of one program header */
#define AT_PHNUM    5            /* number of program headers */
#define AT_PAGESZ   6            /* bytes of a page */
#define AT_BASE     7            /* load address of the interpreter */
#define AT_FLAGS    8
#define AT_ENTRY    9            /* the program's entry point */
#define AT_UID     11
#define AT_EUID    12
#define AT_GID     13
#define AT_EGID    14
#define AT_PLATFORM 15           /* user address of the platform string */
#define AT_HWCAP   16            /* CPU capabilities (CPUID 1 EDX on x86) */
#define AT_CLKTCK  17            /* times(2) ticks per second */
#define AT_SECURE  23            /* nonzero: setuid-like, libc distrusts the environment */
#define AT_RANDOM  25            /* user address of 16 random bytes */
#define AT_HWCAP2  26            /* more CPU capabilities */
#define AT_EXECFN  31            /* user address of the executed path */

#endif
