/*
 * uapi/errno.h - error numbers, with the values of the Linux x86_64 ABI, so
 * that a kernel function's negative return value can be handed to user
 * space unchanged.
 *
 * From Linux's include/uapi/asm-generic/errno-base.h and errno.h.
 * tests/host/test_uapi.c checks every value against the system's
 * <asm-generic/errno.h>.
 */
#ifndef _UAPI_ERRNO_H_
#define _UAPI_ERRNO_H_

#define EPERM    1   /* operation not permitted */
#define ENOENT   2   /* no such file or directory */
#define ESRCH    3   /* no such process */
#define EINTR    4   /* interrupted system call */
#define EIO      5   /* I/O error */
#define ENXIO    6   /* no such device or address */
#define E2BIG    7   /* argument list too long / beyond a compile-time limit */
#define ENOEXEC  8   /* exec format error */
#define EBADF    9   /* bad file descriptor */
#define ECHILD  10   /* no child processes */
#define EAGAIN  11   /* try again */
#define ENOMEM  12   /* out of memory */
#define EACCES  13   /* permission denied */
#define EFAULT  14   /* bad address */
#define ENOTBLK 15   /* block device required */
#define EBUSY   16   /* device or resource busy */
#define EXDEV   18   /* cross-device link */
#define EEXIST  17   /* file exists */
#define ENODEV  19   /* no such device */
#define ENOTDIR 20   /* not a directory */
#define EISDIR  21   /* is a directory */
#define EINVAL  22   /* invalid argument */
#define ENOSPC  28   /* no space left on device */
#define ERANGE  34   /* result out of range */
#define ENFILE  23   /* file table overflow */
#define EMFILE  24   /* too many open files */
#define ENOTTY  25   /* not a typewriter: inappropriate ioctl */
#define ETXTBSY 26   /* text file busy */
#define EFBIG   27   /* file too large */
#define ESPIPE  29   /* illegal seek */
#define EROFS   30   /* read-only file system */
#define EMLINK  31   /* too many links */
#define EPIPE   32   /* broken pipe */
#define ENAMETOOLONG 36 /* file name too long */
#define ENOSYS  38   /* function not implemented */
#define ENOTEMPTY 39 /* directory not empty */
#define ELOOP   40   /* too many symbolic links */
#define EOPNOTSUPP 95 /* operation not supported */
#define ETIMEDOUT 110 /* timed out */

#endif
