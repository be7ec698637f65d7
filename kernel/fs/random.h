/*
 * random.h - the kernel's random generator: /dev/random, /dev/urandom and
 * getrandom(2).
 *
 * ChaCha20 (RFC 8439, the block function only) keyed once at boot with 256
 * bits from RDRAND when the CPU has it (CPUID.01H:ECX bit 30, Intel SDM
 * Vol. 2B "RDRAND"; QEMU's TCG "max" CPU model has it), else from the
 * jitter of RDTSC around a few uncached port reads. Each block uses a
 * fresh value of one machine-wide 64-bit counter as its nonce, so calls
 * from any cluster need no lock and never share output. NOT a vetted
 * cryptographic generator: no reseeding, no backtracking resistance, and
 * the RDTSC seed is weak. Good for hash seeds, temporary names, ASLR-like
 * uses and tests; do not generate long-term keys with it.
 */
#ifndef _RANDOM_H_
#define _RANDOM_H_

#include <stdint.h>
#include <stddef.h>

/* Seeds the generator. Bootstrap core, once, before any other call (vfs_init). */
void random_init(void);

/* Fills the kernel buffer @buf with @n random bytes. Any cluster, no lock. */
void random_bytes(void *buf, size_t n);

/*
 * getrandom(2): @n random bytes to user address @ubuf. @flags: GRND_*
 * (uapi/random.h); the generator is always seeded, so it never blocks.
 * A user thread, any cluster. @return @n, the bytes copied before a fault,
 * -EFAULT (nothing copied), -EINVAL (unknown flag, or GRND_RANDOM with
 * GRND_INSECURE).
 */
int64_t random_getrandom(uint64_t ubuf, uint64_t n, uint64_t flags);

/* The seed came from RDRAND (else from RDTSC jitter). */
int random_seeded_by_rdrand(void);

#endif
