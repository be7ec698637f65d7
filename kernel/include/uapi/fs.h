/*
 * uapi/fs.h - lseek(2) origins.
 *
 * From Linux's include/uapi/linux/fs.h. tests/host/test_uapi.c checks
 * every value against the system's <linux/fs.h>.
 */
#ifndef _UAPI_FS_H_
#define _UAPI_FS_H_

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#endif
