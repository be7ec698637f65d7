/*
 * barrier.h - kernel-wide barrier of every online core.
 *
 * Hierarchical and sense-reversing: cores first meet inside their cluster
 * (a counter in the cluster's own memory), then the last core of each
 * cluster meets the other clusters' last cores on a counter in the kernel
 * image (cluster of the kernel image; reached by remote access). Waiting
 * cores halt with interrupts enabled; the core that releases a level wakes
 * the waiters with an IPI, so a barrier costs no host CPU under TCG.
 *
 * Must be called by every core of the machine (all boot_info.topo cores),
 * the same number of times, with no lock held.
 */
#ifndef _BARRIER_H_
#define _BARRIER_H_

void kernel_barrier(void);

#endif
