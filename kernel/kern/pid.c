/*
 * pid.c - the per-cluster PID tables (see pid.h).
 */
#include "pid.h"
#include "cluster.h"
#include "boot_info.h"
#include "uapi/errno.h"

int64_t pid_alloc(uint32_t cxy, uint64_t entry)
{
    cluster_t *cl = cluster_tbl[cxy];
    xptr_t lock = XPTR(cxy, &cl->pid_lock);
    int64_t pid = -EAGAIN;

    remote_busylock_acquire(lock);
    for (uint32_t n = 1; n < PROCESS_MAX; n++) {
        uint32_t idx = hal_remote_l32(XPTR(cxy, &cl->pid_next));

        hal_remote_s32(XPTR(cxy, &cl->pid_next), idx + 1 < PROCESS_MAX ? idx + 1 : 1);
        if (hal_remote_l64(XPTR(cxy, &cl->pid_tbl[idx])) == 0) {
            hal_remote_s64(XPTR(cxy, &cl->pid_tbl[idx]), entry);
            if (!(entry & PID_TID))
                hal_remote_atomic_add(XPTR(cxy, &cl->processes), 1);
            pid = ((int64_t)cxy << 16) | idx;
            break;
        }
    }
    remote_busylock_release(lock);
    return pid;
}

void pid_free(uint32_t pid)
{
    uint32_t cxy = pid >> 16;
    cluster_t *cl = cluster_tbl[cxy];
    xptr_t lock = XPTR(cxy, &cl->pid_lock);
    xptr_t slot = XPTR(cxy, &cl->pid_tbl[pid & 0xffff]);

    remote_busylock_acquire(lock);
    if (!(hal_remote_l64(slot) & PID_TID))
        hal_remote_atomic_add(XPTR(cxy, &cl->processes), -1);
    hal_remote_s64(slot, 0);
    remote_busylock_release(lock);
}

xptr_t process_lookup(uint32_t pid)
{
    uint32_t cxy = pid >> 16, idx = pid & 0xffff;
    cluster_t *cl;
    xptr_t lock;
    uint64_t entry;

    if (cxy >= boot_info.topo.nclusters || idx == 0 || idx >= PROCESS_MAX)
        return XPTR_NULL;
    cl = cluster_tbl[cxy];
    lock = XPTR(cxy, &cl->pid_lock);
    remote_busylock_acquire(lock);
    entry = hal_remote_l64(XPTR(cxy, &cl->pid_tbl[idx])) & ~PID_TID;
    remote_busylock_release(lock);
    return entry ? XPTR(cxy, entry) : XPTR_NULL;
}

uint32_t process_count(uint32_t cxy)
{
    return hal_remote_l32(XPTR(cxy, &cluster_tbl[cxy]->processes));
}
