/*
 * uapi/fcntl.h - open(2) flags, fcntl(2) commands and the *at(2) flags.
 *
 * From Linux's include/uapi/asm-generic/fcntl.h (O_*, F_DUPFD..F_SETFL,
 * FD_CLOEXEC; x86_64 uses the generic values) and include/uapi/linux/fcntl.h
 * (F_DUPFD_CLOEXEC, AT_*). tests/host/test_uapi.c checks every value
 * against the system's <linux/fcntl.h>.
 */
#ifndef _UAPI_FCNTL_H_
#define _UAPI_FCNTL_H_

/* open(2) flags */
#define O_ACCMODE   0003
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000

/* fcntl(2) commands */
#define F_DUPFD         0        /* dup to the lowest free descriptor >= arg */
#define F_GETFD         1        /* descriptor flags (FD_CLOEXEC) */
#define F_SETFD         2
#define F_GETFL         3        /* file status flags (O_*) */
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030     /* F_DUPFD, the new descriptor close-on-exec */
#define FD_CLOEXEC      1        /* the descriptor flag of F_GETFD / F_SETFD */

/* *at(2): the directory a relative path starts from, and flags */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EMPTY_PATH       0x1000

#endif
