/*
 * hello.c - print the arguments and exit 0: the smallest program to boot
 * with `make run PROG=build/user/bin/hello ARGS="a b c"` (installed as
 * /bin/hello in the initramfs anyway).
 */
#include <stdio.h>

int main(int argc, char *argv[])
{
	printf("hello from Archipel: argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
