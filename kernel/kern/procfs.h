/*
 * procfs.h - generated files under /proc and /sys, with Linux's names and
 * formats (Documentation/filesystems/proc.rst; /sys/devices/system/node:
 * Documentation/ABI/stable/sysfs-devices-node), plus Archipel's fields:
 *
 *   /proc/<pid>/maps    Linux columns, then the vseg type and "cluster C" (reference)
 *   /proc/<pid>/status  Name, State, Pid, PPid, then Cluster (owner, reference),
 *                       Copies (clusters holding a copy), Faults* counters, VmPages
 *   /proc/<pid>/stat    pid (comm) state ppid pgrp session tty_nr tpgid, zeros for what
 *                       is not counted, num_threads; state Z, S (every thread blocked), R
 *   /proc/<pid>/task/   one directory per thread, named by its TID, holding its stat
 *                       (the state of that thread alone); /proc/<tid>/stat likewise
 *   /proc/self          the caller's /proc/<pid>
 *   /proc/meminfo       MemTotal, MemFree, MemAvailable (= MemFree), Buffers, Cached,
 *                       SwapTotal, SwapFree (0: no swap), summed over the clusters
 *   /proc/sys/kernel/pid_max  one more than the largest PID the PID tables can give
 *   /sys/devices/system/node/online, node<N>/cpulist, node<N>/meminfo
 *                       (free pages of cluster N's PPM), node<N>/distance (SLIT row)
 */
#ifndef _PROCFS_H_
#define _PROCFS_H_

/* Mounts /proc and /sys, each served by its own vfs_gen_ops_t. BSP, at boot, after vfs_init(). */
void procfs_init(void);

#endif
