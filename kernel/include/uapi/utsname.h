/*
 * uapi/utsname.h - the answer of uname(2).
 *
 * From Linux's include/uapi/linux/utsname.h (struct new_utsname, the one
 * x86_64's uname(2) fills). tests/host/test_uapi.c checks the layout
 * against the system's <linux/utsname.h>.
 */
#ifndef _UAPI_UTSNAME_H_
#define _UAPI_UTSNAME_H_

#define __NEW_UTS_LEN 64         /* bytes of each string, NUL excluded */

/* struct new_utsname, 390 bytes: six NUL-terminated strings */
typedef struct kutsname_s {
    char sysname[__NEW_UTS_LEN + 1];
    char nodename[__NEW_UTS_LEN + 1];
    char release[__NEW_UTS_LEN + 1];
    char version[__NEW_UTS_LEN + 1];
    char machine[__NEW_UTS_LEN + 1];
    char domainname[__NEW_UTS_LEN + 1];
} kutsname_t;

#endif
