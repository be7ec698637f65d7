/*
 * uapi/random.h - getrandom(2)'s flags.
 *
 * From Linux's include/uapi/linux/random.h; tests/host/test_uapi.c checks
 * them against the system's <linux/random.h>.
 */
#ifndef _UAPI_RANDOM_H_
#define _UAPI_RANDOM_H_

#define GRND_NONBLOCK 0x0001     /* never block (the pool is always ready here) */
#define GRND_RANDOM   0x0002     /* the /dev/random source (the same generator here) */
#define GRND_INSECURE 0x0004     /* may return before the pool is seeded */

#endif
