/*
 * cred.h - the credentials of a process (man 7 credentials): real,
 * effective, saved set- and file-system user and group IDs, supplementary
 * groups.
 *
 * They live in the reference process_t (process_t.cred): one set per
 * process, shared by its threads (Linux keeps them per thread, but musl
 * and glibc make every thread change them together, so a process sees one
 * set). PID 1 starts as root (all IDs 0, no supplementary group: the zeroed
 * process_t); fork copies the parent's; exec keeps them (no set-user-ID
 * programs). Privilege is Linux's capability test reduced to root: an
 * effective user ID 0 may set any ID (CAP_SETUID / CAP_SETGID); others
 * only switch between the IDs they already have (man 2 setresuid).
 *
 * Access: the reference is reached by remote access from any cluster
 * (hal_remote_memcpy of the whole set, ARCHITECTURE.md's remote-access rule:
 * a small copy, no RPC). Only the process's own threads write them; two of
 * its threads changing them at once get one of the two results, as with
 * Linux's per-thread sets.
 */
#ifndef _CRED_H_
#define _CRED_H_

#include <stdint.h>
#include "hal_remote.h"

struct process_s;

/* Supplementary groups kept (Linux's NGROUPS_MAX is 65536: setgroups(2) beyond this is -EINVAL). */
#define CRED_NGROUPS_MAX 32

typedef struct cred_s {
    uint32_t uid, euid, suid, fsuid;     /* real, effective, saved, file-system user IDs */
    uint32_t gid, egid, sgid, fsgid;     /* the same for groups */
    uint32_t ngroups;                    /* entries of groups[] */
    uint32_t groups[CRED_NGROUPS_MAX];   /* supplementary group IDs */
} cred_t;

/*
 * The calling process's credentials, copied from its reference (any
 * cluster, remote read). A kernel thread gets root's.
 */
void cred_get(cred_t *out);

/* Replaces the calling user process's credentials by @c (remote write to the reference). */
void cred_set(const cred_t *c);

/* Copies the credentials of the reference process @parent_xp into @child (fork; any cluster). */
void cred_fork_copy(struct process_s *child, xptr_t parent_xp);

/*
 * The file-system user and group IDs of the caller: the owner of the files
 * it creates (man 2 open, "O_CREAT"). 0 and 0 for a kernel thread.
 */
void cred_fs_ids(uint32_t *uid, uint32_t *gid);

/* Is @gid the caller's file-system group ID or one of its supplementary groups? */
int cred_in_group(const cred_t *c, uint32_t gid);

#endif
