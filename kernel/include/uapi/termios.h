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
#define TIOCSWINSZ 0x5414        /* set it */
#define TCFLSH     0x540b        /* discard input and/or output (TCIFLUSH...) */
#define TIOCSCTTY  0x540e        /* make the terminal the caller's controlling terminal */
#define TIOCOUTQ   0x5411        /* bytes not yet sent */
#define FIONREAD   0x541b        /* bytes a read would return now (TIOCINQ) */
#define TIOCNOTTY  0x5422        /* give up the controlling terminal */
#define TIOCGSID   0x5429        /* the session whose controlling terminal it is */

/* TCFLSH arguments */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2

/* c_cc indexes */
#define NCCS   19
#define VINTR  0
#define VQUIT  1
#define VERASE 2
#define VKILL  3
#define VEOF   4
#define VTIME  5                 /* non-canonical read timeout, tenths of a second */
#define VMIN   6                 /* non-canonical read: bytes to wait for */
#define VSWTC  7
#define VSTART 8
#define VSTOP  9
#define VSUSP  10
#define VEOL   11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE  14
#define VLNEXT 15
#define VEOL2  16

/* c_iflag */
#define ISTRIP  0x20             /* strip the eighth bit */
#define INLCR   0x40             /* map NL to CR on input */
#define IGNCR   0x80             /* ignore CR on input */
#define ICRNL   0x100            /* map CR to NL on input */
#define IXON    0x400            /* XON/XOFF flow control on output */
#define IMAXBEL 0x2000           /* ring the bell when the input queue is full */
#define IUTF8   0x4000           /* input is UTF-8 (erase removes a whole character) */
/* c_oflag */
#define OPOST   0x1              /* process the output */
#define ONLCR   0x4              /* map NL to CR-NL on output */
#define OCRNL   0x8              /* map CR to NL on output */
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
#define ECHONL  0x40             /* echo NL even without ECHO */
#define NOFLSH  0x80             /* no flush of the input on INTR, QUIT, SUSP */
#define TOSTOP  0x100            /* background writes get SIGTTOU */
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
