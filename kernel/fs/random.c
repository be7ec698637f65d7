/*
 * random.c - the kernel's random generator and /dev/[u]random (see random.h).
 */
#include "vfs_internal.h"
#include "random.h"
#include "cpu.h"
#include "hal_user.h"
#include "printk.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "uapi/random.h"

#define CHACHA_BLOCK 64                  /* bytes of one block */

static uint32_t random_key[8];           /* written once by random_init() */
static uint64_t random_counter;          /* atomic: the nonce of the next block */
static int      random_rdrand;

static inline uint32_t rotl(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

#define QR(a, b, c, d) do {                                              \
        a += b; d ^= a; d = rotl(d, 16); c += d; b ^= c; b = rotl(b, 12); \
        a += b; d ^= a; d = rotl(d, 8);  c += d; b ^= c; b = rotl(b, 7);  \
    } while (0)

/* The ChaCha20 block of RFC 8439 2.3 for the key, block 0, nonce @nonce. */
static void chacha_block(uint64_t nonce, uint32_t out[16])
{
    uint32_t x[16] = {
        0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,     /* "expand 32-byte k" */
        random_key[0], random_key[1], random_key[2], random_key[3],
        random_key[4], random_key[5], random_key[6], random_key[7],
        0, 0, (uint32_t)nonce, (uint32_t)(nonce >> 32),
    };
    uint32_t in[16];

    memcpy(in, x, sizeof(in));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8],  x[12]);
        QR(x[1], x[5], x[9],  x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8],  x[13]);
        QR(x[3], x[4], x[9],  x[14]);
    }
    for (int i = 0; i < 16; i++)
        out[i] = x[i] + in[i];
}

/* RDRAND into *@v, retried as Intel's DRNG guide advises (10 times). */
static int rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        uint8_t ok;

        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) :: "cc");
        if (ok)
            return 1;
    }
    return 0;
}

void random_init(void)
{
    uint32_t a, b, c, d;
    uint64_t w;

    cpuid(1, 0, &a, &b, &c, &d);
    random_rdrand = (c >> 30) & 1;
    for (int i = 0; i < 8; i += 2) {
        if (random_rdrand && rdrand64(&w)) {
            random_key[i] = (uint32_t)w;
            random_key[i + 1] = (uint32_t)(w >> 32);
            continue;
        }
        random_rdrand = 0;
        w = 0;
        for (int k = 0; k < 64; k++) {   /* timing of uncached port reads */
            uint64_t t = rdtsc();

            (void)inb(0x80);
            w = rotl((uint32_t)w, 5) ^ (w << 7) ^ (rdtsc() - t) ^ t;
        }
        random_key[i] ^= (uint32_t)w;
        random_key[i + 1] ^= (uint32_t)(w >> 32);
    }
    random_counter = rdtsc();
    printk("random: ChaCha20 seeded from %s", random_rdrand ? "RDRAND" : "RDTSC jitter");
}

int random_seeded_by_rdrand(void)
{
    return random_rdrand;
}

void random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;

    while (n) {
        uint32_t blk[16];
        size_t k = n < CHACHA_BLOCK ? n : CHACHA_BLOCK;

        chacha_block(__atomic_fetch_add(&random_counter, 1, __ATOMIC_RELAXED), blk);
        memcpy(p, blk, k);
        p += k;
        n -= k;
    }
}

int64_t random_getrandom(uint64_t ubuf, uint64_t n, uint64_t flags)
{
    uint8_t buf[256];
    uint64_t done = 0;

    if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
        return -EINVAL;
    if (n > INT32_MAX)
        n = INT32_MAX;                   /* Linux caps one call (MAX_RW_COUNT) */
    while (done < n) {
        uint64_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

        random_bytes(buf, k);
        if (hal_copy_to_user(ubuf + done, buf, k))
            return done ? (int64_t)done : -EFAULT;
        done += k;
    }
    return (int64_t)done;
}

/* read(2) of /dev/random or /dev/urandom: @n random bytes, never blocks. */
static int64_t random_read(vfs_file_t *f, void *buf, size_t n)
{
    (void)f;
    random_bytes(buf, n);
    return (int64_t)n;
}

/* write(2): accepted and discarded (Linux mixes it in without crediting entropy). */
static int64_t random_write(vfs_file_t *f, const void *buf, size_t n)
{
    (void)f;
    (void)buf;
    return (int64_t)n;
}

const vfs_file_ops_t random_fops = {
    .read  = random_read,
    .write = random_write,
};
