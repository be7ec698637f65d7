/*
 * pid.h - process and thread identifiers (ARCHITECTURE.md, "Processes and
 * threads").
 *
 * PID = (owner cxy << 16) | index in the owner cluster's PID table
 * (cluster_t.pid_tbl, guarded by cluster_t.pid_lock, rank RANK_PID). An
 * entry holds the process_t of a process owned there, or, tagged PID_TID,
 * the reference process_t of the process one of whose threads has that
 * number as its TID: PIDs and TIDs share one number space, as in Linux,
 * and a main thread's TID is its process's PID. A thread's TID comes from
 * its process's owner table, so a TID, too, names the owner cluster.
 */
#ifndef _PID_H_
#define _PID_H_

#include <stdint.h>
#include "hal_remote.h"

#define PROCESS_MAX      1024      /* PID table entries per cluster; index 0 is unused */
#define PID_TID          1ull      /* pid_tbl entry tag: a TID of that process's thread */

/*
 * Registers @entry (a process_t pointer of cluster @cxy, or a reference
 * process_t tagged PID_TID for a TID) in the PID table of cluster @cxy.
 * Any cluster (remote access); takes that table's lock (RANK_PID).
 * @return the new PID or TID, or -EAGAIN (the table is full).
 */
int64_t pid_alloc(uint32_t cxy, uint64_t entry);

/*
 * Frees PID or TID @pid in its owner's table. Any cluster; takes that
 * table's lock (RANK_PID).
 */
void pid_free(uint32_t pid);

/*
 * The process with PID @pid as an xptr to its process_t, or XPTR_NULL.
 * A TID names the reference process_t of its thread's process. Any cluster
 * (reads the owner's PID table under its lock, RANK_PID).
 */
xptr_t process_lookup(uint32_t pid);

/* Number of live processes in cluster @cxy (statistics; TIDs not counted). Any cluster. */
uint32_t process_count(uint32_t cxy);

#endif
