/*
 * fdtable.h - a process's file descriptor table.
 *
 * The table lives inside a process_t, in that process's cluster; it is
 * reached from any cluster through the direct map, and its lock is a
 * queuelock named by the table's own cluster (recorded at init), so it
 * works from any cluster (blocking, waiters on an xlist; rank
 * RANK_FD_TABLE: a leaf, no VFS call is made while it is held - files
 * whose last descriptor goes are put after its release). Descriptors hold
 * one reference each on their open file.
 */
#ifndef _FDTABLE_H_
#define _FDTABLE_H_

#include <stdint.h>
#include <stdbool.h>
#include "queuelock.h"
#include "vfs.h"

#define FD_MAX 256

typedef struct fd_table_s {
    queuelock_t  lock;                 /* guards file[] and cloexec[] */
    uint32_t     cxy;                  /* cluster of the table's memory (names the lock) */
    vfs_file_t  *file[FD_MAX];         /* referenced, or NULL */
    uint64_t     cloexec[FD_MAX / 64]; /* bit fd: close on exec */
} fd_table_t;

/* Makes @t an empty table. Any cluster (the table is named by a direct-map pointer). */
void fd_table_init(fd_table_t *t);

/*
 * Installs @f at the lowest free descriptor >= @minfd, with close-on-exec
 * @cloexec. Consumes the caller's reference on @f on success only.
 * @return the descriptor, -EMFILE (no free descriptor >= @minfd), or
 *         -EINVAL (@minfd < 0 or >= FD_MAX).
 */
int fd_install(fd_table_t *t, vfs_file_t *f, int minfd, bool cloexec);

/* A new reference on the file at @fd, or NULL (the caller returns -EBADF). */
vfs_file_t *fd_get(fd_table_t *t, int fd);

/* Close-on-exec flag of @fd (false for a closed or invalid descriptor). */
bool fd_get_cloexec(fd_table_t *t, int fd);

/* Sets / clears close-on-exec of @fd. @return 0 or -EBADF. */
int fd_set_cloexec(fd_table_t *t, int fd, bool on);

/* Closes @fd (drops its reference, after the table lock). @return 0 or -EBADF. */
int fd_close(fd_table_t *t, int fd);

/*
 * dup2 / dup3: makes @newfd refer to @oldfd's file (closing what @newfd
 * held), with close-on-exec @cloexec. @oldfd == @newfd returns @newfd when
 * valid (dup2 semantics; dup3's -EINVAL is the caller's).
 * @return @newfd, -EBADF (@oldfd not open), -EINVAL (@newfd out of range).
 */
int fd_dup3(fd_table_t *t, int oldfd, int newfd, bool cloexec);

/*
 * fork: initialises @dst and fills it with every descriptor of @src (each
 * file referenced again, close-on-exec flags copied). @return 0.
 */
int fd_table_copy(fd_table_t *dst, const fd_table_t *src);

/* exec: closes every descriptor marked close-on-exec. */
void fd_table_close_on_exec(fd_table_t *t);

/* exit: closes every descriptor. */
void fd_table_close_all(fd_table_t *t);

#endif
