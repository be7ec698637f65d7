/*
 * segv.c - faults kill only the faulting process, with the Linux signal:
 * NULL dereference, write to code, execution of stack/heap/data (NX), a
 * privileged instruction, kernel and non-canonical addresses, stack
 * overflow (SIGSEGV); ud2 (SIGILL), division by zero (SIGFPE), int3
 * (SIGTRAP). Each fault happens in a child, in another cluster when there
 * are several; the parent checks the signal and carries on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

static unsigned char data_ret[64] = { 0xc3 };   /* "ret" in .data */
static volatile int survivor = 12345;           /* must be intact after every case */

/* Run fn in a child in another cluster; check it dies by sig. */
static int expect_death(void (*fn)(void), int sig, const char *what)
{
	char buf[64];
	pid_t pid = test_fork_in(test_other_cluster());

	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);   /* the fault did not happen */
	}
	int status = test_wait(pid);
	KTAP_CHECKF(test_killed_by(status, sig), "%s: child %s, expected signal %d", what,
		    test_status_str(status, buf, sizeof(buf)), sig);
	KTAP_CHECK(survivor == 12345);
	return KTAP_PASS;
}

static void null_read(void)
{
	(void)*(volatile int *)0;
}

static void null_write(void)
{
	*(volatile int *)0 = 1;
}

static void code_write(void)
{
	*(volatile unsigned char *)(void *)null_write = 0xcc;
}

static void call_at(void *p)
{
	((void (*)(void))p)();
}

static void exec_stack(void)
{
	unsigned char code[16] = { 0xc3 };
	call_at((void *)(volatile unsigned char *)code);
}

static void exec_heap(void)
{
	unsigned char *p = malloc(64);
	if (!p)
		_exit(2);
	p[0] = 0xc3;
	call_at(p);
}

static void exec_anon(void)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	p[0] = 0xc3;
	call_at(p);
}

static void exec_data(void)
{
	call_at(data_ret);
}

static void privileged_hlt(void)
{
	__asm__ volatile("hlt");
}

static void privileged_cli(void)
{
	__asm__ volatile("cli");
}

static void kernel_direct_map_read(void)
{
	(void)*(volatile long *)0xffff800000000000UL;   /* direct map of physical memory */
}

static void kernel_image_write(void)
{
	*(volatile long *)0xffffffff80100000UL = 0;      /* kernel image (1 MiB physical) */
}

static void noncanonical_read(void)
{
	(void)*(volatile long *)0x0000800000000000UL;    /* #GP, not #PF */
}

static volatile unsigned long overflow_limit = ~0UL;   /* never reached */

static unsigned long overflow(unsigned long n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	if (n == overflow_limit)
		return 0;
	return overflow(n + 1) + frame[0];
}

static void stack_overflow(void)
{
	overflow(0);
}

static void invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void divide_by_zero(void)
{
	unsigned int zero = 0, q, r;
	__asm__ volatile("divl %2" : "=a"(q), "=d"(r) : "r"(zero), "a"(1u), "d"(0u));
	(void)q;
	(void)r;
}

static void breakpoint(void)
{
	__asm__ volatile("int3");
}

static int t_null_read(void)        { return expect_death(null_read, SIGSEGV, "read of NULL"); }
static int t_null_write(void)       { return expect_death(null_write, SIGSEGV, "write to NULL"); }
static int t_code_write(void)       { return expect_death(code_write, SIGSEGV, "write to code"); }
static int t_exec_stack_nx(void)    { return expect_death(exec_stack, SIGSEGV, "run the stack"); }
static int t_exec_heap_nx(void)     { return expect_death(exec_heap, SIGSEGV, "run the heap"); }
static int t_exec_anon_nx(void)     { return expect_death(exec_anon, SIGSEGV, "run anon mmap"); }
static int t_exec_data_nx(void)     { return expect_death(exec_data, SIGSEGV, "run .data"); }
static int t_hlt(void)              { return expect_death(privileged_hlt, SIGSEGV, "hlt"); }
static int t_cli(void)              { return expect_death(privileged_cli, SIGSEGV, "cli"); }
static int t_kernel_read(void)
{
	return expect_death(kernel_direct_map_read, SIGSEGV, "read of the direct map");
}
static int t_kernel_write(void)
{
	return expect_death(kernel_image_write, SIGSEGV, "write to the kernel image");
}
static int t_noncanonical(void)
{
	return expect_death(noncanonical_read, SIGSEGV, "non-canonical address");
}
static int t_stack_overflow(void)
{
	return expect_death(stack_overflow, SIGSEGV, "endless recursion");
}
static int t_ud2_sigill(void)       { return expect_death(invalid_opcode, SIGILL, "ud2"); }
static int t_div0_sigfpe(void)      { return expect_death(divide_by_zero, SIGFPE, "div by 0"); }
static int t_int3_sigtrap(void)     { return expect_death(breakpoint, SIGTRAP, "int3"); }

static int t_parent_unaffected(void)
{
	pid_t pid = fork();
	KTAP_CHECK(pid >= 0);
	if (pid == 0)
		_exit(survivor == 12345 ? 0 : 1);
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	KTAP_CHECK(data_ret[0] == 0xc3);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_null_read),
	KTAP_CASE(t_null_write),
	KTAP_CASE(t_code_write),
	KTAP_CASE(t_exec_stack_nx),
	KTAP_CASE(t_exec_heap_nx),
	KTAP_CASE(t_exec_anon_nx),
	KTAP_CASE(t_exec_data_nx),
	KTAP_CASE(t_hlt),
	KTAP_CASE(t_cli),
	KTAP_CASE(t_kernel_read),
	KTAP_CASE(t_kernel_write),
	KTAP_CASE(t_noncanonical),
	KTAP_CASE(t_stack_overflow),
	KTAP_CASE(t_ud2_sigill),
	KTAP_CASE(t_div0_sigfpe),
	KTAP_CASE(t_int3_sigtrap),
	KTAP_CASE(t_parent_unaffected),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
