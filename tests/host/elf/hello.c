/* A static test program for the ELF parser's host tests (built with musl-gcc). */
#include <stdio.h>

static __thread int tls_counter = 3;     /* gives the binary a PT_TLS segment */
static char bss_buffer[1 << 16];         /* gives a data segment a bss part */

int main(int argc, char **argv)
{
    bss_buffer[argc] = (char)tls_counter;
    printf("hello from %s (%d)\n", argv[0], bss_buffer[argc]);
    return 0;
}
