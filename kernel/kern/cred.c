/*
 * cred.c - the credentials of a process (see cred.h).
 */
#include "cred.h"
#include "process.h"
#include "kstring.h"

void cred_get(cred_t *out)
{
    xptr_t ref = process_current_xp();

    if (ref == XPTR_NULL) {
        memset(out, 0, sizeof(*out));
        return;
    }
    hal_remote_memcpy(XPTR(local_cxy(), out), PROCESS_FIELD(ref, cred), sizeof(*out));
}

void cred_set(const cred_t *c)
{
    xptr_t ref = process_current_xp();

    if (ref != XPTR_NULL)
        hal_remote_memcpy(PROCESS_FIELD(ref, cred), XPTR(local_cxy(), c), sizeof(*c));
}

void cred_fork_copy(struct process_s *child, xptr_t parent_xp)
{
    hal_remote_memcpy(XPTR(local_cxy(), &child->cred), PROCESS_FIELD(parent_xp, cred),
                      sizeof(child->cred));
}

void cred_fs_ids(uint32_t *uid, uint32_t *gid)
{
    xptr_t ref = process_current_xp();

    if (ref == XPTR_NULL) {
        *uid = *gid = 0;
        return;
    }
    *uid = hal_remote_l32(PROCESS_FIELD(ref, cred.fsuid));
    *gid = hal_remote_l32(PROCESS_FIELD(ref, cred.fsgid));
}

int cred_in_group(const cred_t *c, uint32_t gid)
{
    if (c->fsgid == gid)
        return 1;
    for (uint32_t i = 0; i < c->ngroups && i < CRED_NGROUPS_MAX; i++)
        if (c->groups[i] == gid)
            return 1;
    return 0;
}
