/*
 * archipel.h - Archipel's private system calls, for user programs.
 *
 * Archipel runs ordinary static Linux x86_64 binaries: everything that has a
 * Linux interface uses it (getcpu(2) returns the cluster as the NUMA node,
 * /sys/devices/system/node/node<N>/ describes the clusters, /proc/<pid>/maps
 * the vsegs). The calls below have no Linux equivalent; they use the private
 * system-call numbers 1000 and up, with the Linux calling convention (rax =
 * number, arguments in rdi, rsi, ...; a negative errno in rax on failure,
 * which syscall(2) turns into -1 and errno).
 *
 * Portability: on Linux every private call fails with -1 / ENOSYS. Callers
 * must handle that (the user test suite SKIPs its Archipel-only checks when
 * archipel_nclusters() < 0). Include with _GNU_SOURCE or _BSD_SOURCE defined
 * (musl's default) so that <unistd.h> declares syscall().
 */
#ifndef _ARCHIPEL_H_
#define _ARCHIPEL_H_

#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Private system-call numbers (the kernel's table must use the same values). */
#define SYS_archipel_fork_place 1000
#define SYS_archipel_poweroff   1001
#define SYS_archipel_counters   1002
#define SYS_archipel_nclusters  1003

/* archipel_fork_place() argument: let the DQDT choose the cluster. */
#define ARCHIPEL_PLACE_DQDT (-1)

/*
 * Virtual-memory counters, as seen by archipel_counters().
 * The four fault counts add up the page faults of the calling process's
 * threads in every cluster, summed over every copy of the process, since the
 * process was created (fork or exec resets them). remote_accesses, rpcs and
 * shootdowns are machine-wide (every process and the kernel itself): diff two
 * readings to see what an operation cost.
 */
struct archipel_counters {
	uint64_t faults_local;    /* a page was allocated (or a CODE replica made) by a fault */
	uint64_t faults_global;   /* a fault in a non-reference copy served by copying the
				     reference PTE ("global") */
	uint64_t faults_false;    /* the PTE already allowed the access: another thread
				     resolved it first ("false") */
	uint64_t faults_cow;      /* copy-on-write faults (page copied or reused) */
	uint32_t owner_cxy;       /* owner cluster: the cxy in the PID */
	uint32_t ref_cxy;         /* reference cluster: authoritative VSL, GPT, fd table */
	uint64_t remote_accesses; /* machine-wide remote memory accesses since boot
				     (all cluster pairs) */
	uint64_t rpcs;            /* machine-wide RPC requests sent since boot */
	uint64_t shootdowns;      /* machine-wide TLB shootdown IPIs sent since boot */
	uint64_t copies;          /* process copies (clusters holding a copy of the caller's
				     VSL/GPT) now */
};
_Static_assert(sizeof(struct archipel_counters) == 72, "struct archipel_counters is ABI");

/*
 * archipel_fork_place - choose the cluster of the caller's next child.
 * The next fork(2)/vfork(2) of the calling process (one only) creates the
 * child in cluster cxy instead of the cluster the DQDT would choose.
 * @ cxy    : target cluster, 0..archipel_nclusters()-1, or ARCHIPEL_PLACE_DQDT
 *            (-1) to cancel a pending placement and let the DQDT choose.
 * @ return : 0, or -1 with errno EINVAL (no such cluster), ENOSYS (not Archipel).
 */
static inline int archipel_fork_place(int cxy)
{
	return (int)syscall(SYS_archipel_fork_place, cxy);
}

/*
 * archipel_poweroff - power the machine off; QEMU exits with this status.
 * Only PID 1 (init) may call it. Does not return on success.
 * @ status : 0..255, like an exit status (init passes 128+N for a program
 *            killed by signal N). The kernel writes it to QEMU's isa-debug-exit
 *            port; QEMU exits with (status << 1) | 1, truncated to 8 bits, so
 *            tools/qemu.py (and make run) report status & 127.
 * @ return : -1 with errno EPERM (caller is not PID 1), ENOSYS (not Archipel).
 */
static inline int archipel_poweroff(int status)
{
	return (int)syscall(SYS_archipel_poweroff, status);
}

/*
 * archipel_counters - read the calling process's page-fault counters, its
 * owner and reference clusters and number of copies, and the machine-wide
 * remote-access, RPC and TLB-shootdown counts.
 * @ c      : user buffer of sizeof(struct archipel_counters) (72) bytes.
 * @ return : 0, or -1 with errno EFAULT (c not writable), ENOSYS (not Archipel).
 */
static inline int archipel_counters(struct archipel_counters *c)
{
	return (int)syscall(SYS_archipel_counters, c);
}

/*
 * archipel_nclusters - number of clusters (NUMA nodes with cores and memory).
 * @ return : >= 1, or -1 with errno ENOSYS (not Archipel).
 */
static inline int archipel_nclusters(void)
{
	return (int)syscall(SYS_archipel_nclusters);
}

/*
 * archipel_cluster - the cluster the calling thread runs on: the node that
 * getcpu(2) returns (Linux: the NUMA node of the current CPU).
 * @ return : cxy >= 0, or -1 with errno set by getcpu(2).
 */
static inline int archipel_cluster(void)
{
	unsigned cpu = 0, node = 0;

	if (syscall(SYS_getcpu, &cpu, &node, (void *)0) < 0)
		return -1;
	return (int)node;
}

#endif /* _ARCHIPEL_H_ */
