/*
 * uapi/termios.h - the terminal ioctl(2) requests the console answers,
 * struct termios with the flags it reports, and struct winsize.
 *
 * From Linux's include/uapi/asm-generic/ioctls.h (TCGETS...),
 * include/uapi/asm-generic/termbits.h and termbits-common.h (struct
 * termios, its flags and c_cc indexes) and include/uapi/asm-generic/termios.h
 * (struct winsize); x86_64 uses the generic ones. tests/host/test_uapi.c
 * checks every value and layout against the system's <asm/termbits.h>,
 * <asm/ioctls.h> and <asm/termios.h>.
 */
#ifndef _UAPI_TERMIOS_H_
#define _UAPI_TERMIOS_H_

#include <stdint.h>

/* ioctl(2) requests */
#define TCGETS     0x5401        /* read the struct termios */
#define TCSETS     0x5402        /* set it now */
#define TCSETSW    0x5403        /* set it once the output is written */
#define TCSETSF    0x5404        /* ... and the input discarded */
#define TIOCGPGRP  0x540f        /* the foreground process group */
#define TIOCSPGRP  0x5410        /* set it (TIOCSPGRP(2const)) */
#define TIOCGWINSZ 0x5413        /* read the struct winsize */

/* c_cc indexes */
#define NCCS   19
#define VINTR  0
#define VQUIT  1
#define VERASE 2
#define VKILL  3
#define VEOF   4
#define VMIN   6

/* c_iflag */
#define ICRNL   0x100            /* map CR to NL on input */
#define IXON    0x400            /* XON/XOFF flow control on output */
/* c_oflag */
#define OPOST   0x1              /* process the output */
#define ONLCR   0x4              /* map NL to CR-NL on output */
/* c_cflag */
#define B115200 0x1002           /* baud rate */
#define CS8     0x30             /* 8-bit characters */
#define CREAD   0x80             /* the receiver is on */
/* c_lflag */
#define ISIG    0x1              /* INTR, QUIT and SUSP send signals */
#define ICANON  0x2              /* line editing */
#define ECHO    0x8
#define ECHOE   0x10             /* ERASE erases the previous character */
#define ECHOK   0x20             /* KILL erases the line */
#define ECHOCTL 0x200            /* control characters echo as ^X */
#define ECHOKE  0x800            /* KILL erases each character of the line */
#define IEXTEN  0x8000           /* implementation-defined input processing */

/* struct termios of TCGETS / TCSETS*, 36 bytes */
typedef struct ktermios_s {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t  c_line;             /* line discipline */
    uint8_t  c_cc[NCCS];         /* control characters, by V* index */
} ktermios_t;

/* struct winsize of TIOCGWINSZ, 8 bytes */
typedef struct kwinsize_s {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
} kwinsize_t;

#endif
