/*
 * uapi/prctl.h - arch_prctl(2) codes.
 *
 * From Linux's arch/x86/include/uapi/asm/prctl.h. tests/host/test_uapi.c
 * checks every value against the system's <asm/prctl.h>.
 */
#ifndef _UAPI_PRCTL_H_
#define _UAPI_PRCTL_H_

#define ARCH_SET_FS 0x1002       /* the FS base (TLS pointer) becomes arg */
#define ARCH_GET_FS 0x1003       /* the FS base is written to the user address arg */

#endif
