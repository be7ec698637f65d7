/*
 * barrier.h - kernel-wide barrier of every online core.
 *
 * Hierarchical and sense-reversing: cores first meet inside their cluster
 * (a counter in the cluster's own memory), then the last core of each
 * cluster meets the other clusters' last cores on a counter in the kernel
 * image (cluster of the kernel image; reached by remote access). Waiting
 * threads block; the thread that releases a level unblocks that level's
 * waiters, so the other threads of a waiting core keep running and a
 * barrier costs no host CPU under TCG.
 *
 * Must be called by exactly one thread on every core of the machine, the
 * same number of times, holding no lock.
 */
#ifndef _BARRIER_H_
#define _BARRIER_H_

void kernel_barrier(void);

#endif
