/*
 * signals.c - signal handlers as Linux x86_64 runs them (man 7 signal; the
 * frame of arch/x86/kernel/signal.c): a handler's (sig, siginfo, ucontext)
 * and its frame (rsp alignment, the places of the ucontext and siginfo, the
 * FPU area), the registers and FPU state given back by rt_sigreturn,
 * SA_RESETHAND, SA_NODEFER, masks and rt_sigpending, ignored signals,
 * kill/tkill/tgkill/sigaction errors, corrupt rt_sigreturn frames (SIGSEGV
 * or sanitised, never a kernel crash), CPU exceptions caught and left by
 * siglongjmp with their si_code and si_addr, sigaltstack, SIGPIPE, and what
 * fork inherits. Waiting for signals and signals between threads:
 * signals_wait.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"
#include "sigutil.h"

/* ---- the handler's frame ------------------------------------------------------ */

static volatile uintptr_t entry_rsp;      /* rsp at the handler's first instruction */
static volatile int got_sig, got_signo, got_code, got_pid;
static volatile uintptr_t got_info, got_uc, got_fpregs, got_ret;
static volatile int got_mask_has_usr1, got_mask_has_term, got_mask_has_usr2;
static volatile int got_uc_has_usr1, got_uc_has_usr2;

void probe_handler(int sig, siginfo_t *info, void *ucv);

/* the handler's entry: records rsp, then the C handler with the same stack */
__asm__(".text\n"
	".globl probe_entry\n"
	"probe_entry:\n"
	"	movq %rsp, entry_rsp(%rip)\n"
	"	jmp probe_handler\n");
void probe_entry(int sig, siginfo_t *info, void *uc);

void probe_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	sigset_t cur;

	got_sig = sig;
	got_signo = info->si_signo;
	got_code = info->si_code;
	got_pid = info->si_pid;
	got_info = (uintptr_t)info;
	got_uc = (uintptr_t)uc;
	got_fpregs = (uintptr_t)uc->uc_mcontext.fpregs;
	got_ret = *(volatile uintptr_t *)entry_rsp;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	got_mask_has_usr1 = sigismember(&cur, SIGUSR1);
	got_mask_has_term = sigismember(&cur, SIGTERM);
	got_mask_has_usr2 = sigismember(&cur, SIGUSR2);
	got_uc_has_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
	got_uc_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	got_count++;
}

static int t_handler_frame(void)
{
	sigset_t mask, usr2, old;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr2, &old) == 0);
	KTAP_CHECK(set_handler(SIGUSR1, probe_entry, 0, &mask) == 0);
	got_count = 0;
	KTAP_CHECK(kill(getpid(), SIGUSR1) == 0);
	KTAP_CHECKF(got_count == 1, "handler ran %d times", got_count);
	KTAP_CHECK(got_sig == SIGUSR1 && got_signo == SIGUSR1);
	KTAP_CHECKF(got_code == SI_USER, "si_code %d", got_code);
	KTAP_CHECKF(got_pid == getpid(), "si_pid %d, pid %d", got_pid, getpid());
	KTAP_CHECKF((entry_rsp + 8) % 16 == 0, "rsp at entry 0x%lx", (unsigned long)entry_rsp);
	/* struct rt_sigframe: pretcode, then the ucontext (304 bytes), then the siginfo */
	KTAP_CHECKF(got_uc == entry_rsp + 8, "uc 0x%lx rsp 0x%lx", (unsigned long)got_uc,
		    (unsigned long)entry_rsp);
	KTAP_CHECKF(got_info == entry_rsp + 8 + 304, "info 0x%lx rsp 0x%lx",
		    (unsigned long)got_info, (unsigned long)entry_rsp);
	KTAP_CHECKF(got_fpregs != 0 && got_fpregs % 64 == 0 && got_fpregs > got_info,
		    "fpstate at 0x%lx", (unsigned long)got_fpregs);
	KTAP_CHECK(got_ret != 0);                       /* sa_restorer */
	KTAP_CHECK(got_mask_has_usr1 && got_mask_has_term && got_mask_has_usr2);
	KTAP_CHECK(!got_uc_has_usr1 && got_uc_has_usr2);  /* uc_sigmask: the mask before */
	KTAP_CHECK(sigprocmask(SIG_SETMASK, &old, &mask) == 0);
	KTAP_CHECK(!sigismember(&mask, SIGUSR1) && !sigismember(&mask, SIGTERM));
	KTAP_CHECK(sigismember(&mask, SIGUSR2));
	set_default(SIGUSR1);
	return KTAP_PASS;
}

/* ---- registers and FPU state come back ------------------------------------------- */

static void clobber_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig; (void)info; (void)uc;
	__asm__ volatile("xor %%r8, %%r8\n\txor %%r9, %%r9\n\txor %%r10, %%r10\n\t"
			 "pxor %%xmm7, %%xmm7" ::: "r8", "r9", "r10", "xmm7");
	got_count++;
}

static int t_sigreturn_restores(void)
{
	uint64_t v = 0x1234567890abcdefull, r8, r9, r10, x7;
	long rc;

	KTAP_CHECK(set_handler(SIGUSR1, clobber_handler, 0, NULL) == 0);
	got_count = 0;
	__asm__ volatile("movq %[v], %%r8\n\tmovq %[v], %%r9\n\tmovq %[v], %%r10\n\t"
			 "movq %[v], %%xmm7\n\t"
			 "syscall\n\t"
			 "movq %%r8, %[r8]\n\tmovq %%r9, %[r9]\n\tmovq %%r10, %[r10]\n\t"
			 "movq %%xmm7, %[x7]"
			 : [r8] "=&r"(r8), [r9] "=&r"(r9), [r10] "=&r"(r10), [x7] "=&r"(x7),
			   "=a"(rc)
			 : [v] "r"(v), "a"((long)SYS_kill), "D"((long)getpid()), "S"((long)SIGUSR1)
			 : "rcx", "r11", "r8", "r9", "r10", "xmm7", "memory");
	KTAP_CHECKF(rc == 0, "kill returned %ld", rc);
	KTAP_CHECK(got_count == 1);
	KTAP_CHECKF(r8 == v && r9 == v && r10 == v, "r8 %lx r9 %lx r10 %lx", (unsigned long)r8,
		    (unsigned long)r9, (unsigned long)r10);
	KTAP_CHECKF(x7 == v, "xmm7 %lx", (unsigned long)x7);
	set_default(SIGUSR1);
	return KTAP_PASS;
}

/* ---- flags ---------------------------------------------------------------- */

static volatile int depth, max_depth;

static void nest_handler(int sig, siginfo_t *info, void *uc)
{
	(void)info; (void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	got_count++;
	if (got_count == 1)
		raise(sig);
	depth--;
}

static int t_nodefer(void)
{
	KTAP_CHECK(set_handler(SIGUSR1, nest_handler, SA_NODEFER, NULL) == 0);
	got_count = depth = max_depth = 0;
	raise(SIGUSR1);
	KTAP_CHECKF(got_count == 2 && max_depth == 2, "count %d depth %d", got_count, max_depth);
	/* without SA_NODEFER the second one waits for the first handler's return */
	KTAP_CHECK(set_handler(SIGUSR1, nest_handler, 0, NULL) == 0);
	got_count = depth = max_depth = 0;
	raise(SIGUSR1);
	KTAP_CHECKF(got_count == 2 && max_depth == 1, "count %d depth %d", got_count, max_depth);
	set_default(SIGUSR1);
	return KTAP_PASS;
}
static int t_resethand(void)
{
	struct sigaction now;

	KTAP_CHECK(set_handler(SIGUSR1, count_handler, SA_RESETHAND, NULL) == 0);
	got_count = 0;
	raise(SIGUSR1);
	KTAP_CHECK(got_count == 1);
	KTAP_CHECK(sigaction(SIGUSR1, NULL, &now) == 0);
	KTAP_CHECKF(now.sa_handler == SIG_DFL, "handler %p", (void *)now.sa_handler);
	return KTAP_PASS;
}

static int t_mask_and_pending(void)
{
	sigset_t usr1, pend;

	KTAP_CHECK(set_handler(SIGUSR1, count_handler, 0, NULL) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	got_count = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);                          /* standard signals do not queue */
	KTAP_CHECK(got_count == 0);
	KTAP_CHECK(sigpending(&pend) == 0);
	KTAP_CHECK(sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	KTAP_CHECK(sigprocmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	KTAP_CHECKF(got_count == 1, "handler ran %d times", got_count);
	KTAP_CHECK(sigpending(&pend) == 0);
	KTAP_CHECK(!sigismember(&pend, SIGUSR1));
	/* SIGKILL and SIGSTOP cannot be blocked; a bad how is EINVAL */
	sigaddset(&usr1, SIGKILL);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, NULL, &pend) == 0);
	KTAP_CHECK(!sigismember(&pend, SIGKILL));
	KTAP_CHECK_ERRNO(syscall(SYS_rt_sigprocmask, 7, &usr1, NULL, 8), EINVAL);
	unblock_all();
	set_default(SIGUSR1);
	return KTAP_PASS;
}

static int t_ignored(void)
{
	sigset_t usr1, pend;

	KTAP_CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	raise(SIGUSR1);                          /* survived */
	raise(SIGCHLD);                          /* default: ignore */
	raise(SIGURG);
	raise(SIGWINCH);
	/* a pending signal is discarded when it becomes ignored */
	KTAP_CHECK(set_handler(SIGUSR2, count_handler, 0, NULL) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR2);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	raise(SIGUSR2);
	KTAP_CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	KTAP_CHECK(sigpending(&pend) == 0);
	KTAP_CHECK(!sigismember(&pend, SIGUSR2));
	unblock_all();
	set_default(SIGUSR1);
	set_default(SIGUSR2);
	return KTAP_PASS;
}

static int t_kill_errors(void)
{
	pid_t child = fork();

	KTAP_CHECK(child >= 0);
	if (child == 0)
		_exit(0);
	KTAP_CHECK(test_exited_with(test_wait(child), 0));
	KTAP_CHECK(kill(getpid(), 0) == 0);
	KTAP_CHECK_ERRNO(kill(child, 0), ESRCH);
	KTAP_CHECK_ERRNO(kill(child, SIGUSR1), ESRCH);
	KTAP_CHECK_ERRNO(kill(getpid(), 65), EINVAL);
	KTAP_CHECK_ERRNO(kill(getpid(), -1), EINVAL);
	KTAP_CHECK(syscall(SYS_tgkill, getpid(), my_gettid(), 0) == 0);
	KTAP_CHECK(syscall(SYS_tkill, my_gettid(), 0) == 0);
	KTAP_CHECK_ERRNO(syscall(SYS_tgkill, getpid(), child, 0), ESRCH);
	KTAP_CHECK_ERRNO(syscall(SYS_tgkill, 0, my_gettid(), 0), EINVAL);
	KTAP_CHECK_ERRNO(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
	KTAP_CHECK_ERRNO(syscall(SYS_tkill, my_gettid(), 65), EINVAL);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		KTAP_CHECK_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
		KTAP_CHECK_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL);
		KTAP_CHECK_ERRNO(sigaction(65, &sa, NULL), EINVAL);
	}
	return KTAP_PASS;
}

/* ---- a corrupt frame ------------------------------------------------------- */

static void bad_rip_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig; (void)info;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000ull;   /* non-canonical */
}

static void kernel_rip_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig; (void)info;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff80100000ull;   /* the kernel's */
}

static void privileged_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig; (void)info;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x200000;   /* IOPL 3, ID */
	uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffll) |
					    0x10;   /* a kernel code selector */
	if (uc->uc_mcontext.fpregs)
		uc->uc_mcontext.fpregs->mxcsr = 0xffffffffu;   /* reserved bits set */
}

static void corrupt_rip(void *arg)
{
	set_handler(SIGUSR1, arg, 0, NULL);
	raise(SIGUSR1);
	_exit(3);
}

static void privileged_frame(void *arg)
{
	unsigned long flags;

	(void)arg;
	set_handler(SIGUSR1, privileged_handler, 0, NULL);
	raise(SIGUSR1);
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
	_exit(((flags >> 12) & 3) == 0 ? 0 : 4);
}

static void sigreturn_no_frame(void *arg)
{
	(void)arg;
	__asm__ volatile("movq $16, %%rsp\n\tmovl %0, %%eax\n\tsyscall" :: "i"(SYS_rt_sigreturn));
	_exit(3);
}

static int t_corrupt_sigreturn_frame(void)
{
	char buf[64];
	int st;

	st = test_in_child(corrupt_rip, (void *)bad_rip_handler);
	KTAP_CHECKF(test_killed_by(st, SIGSEGV), "non-canonical rip: %s",
		    test_status_str(st, buf, sizeof(buf)));
	st = test_in_child(corrupt_rip, (void *)kernel_rip_handler);
	KTAP_CHECKF(test_killed_by(st, SIGSEGV), "kernel rip: %s",
		    test_status_str(st, buf, sizeof(buf)));
	st = test_in_child(sigreturn_no_frame, NULL);
	KTAP_CHECKF(test_killed_by(st, SIGSEGV), "no frame: %s",
		    test_status_str(st, buf, sizeof(buf)));
	/* what user space may not change is ignored (Linux sanitises it) */
	st = test_in_child(privileged_frame, NULL);
	KTAP_CHECKF(test_exited_with(st, 0) || test_killed_by(st, SIGSEGV),
		    "privileged frame: %s", test_status_str(st, buf, sizeof(buf)));
	return KTAP_PASS;
}

/* ---- exceptions caught ------------------------------------------------------ */

static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code;
static volatile uintptr_t fault_addr;

static void fault_handler(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = info->si_code;
	fault_addr = (uintptr_t)info->si_addr;
	siglongjmp(fault_jmp, 1);
}

static int catch_fault(void (*fn)(void *), void *arg)
{
	fault_sig = fault_code = 0;
	fault_addr = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		fn(arg);
		return 0;
	}
	return 1;
}

static void do_read(void *p)  { (void)*(volatile int *)p; }
static void do_write(void *p) { *(volatile int *)p = 1; }
static void do_ud2(void *p)   { (void)p; __asm__ volatile("ud2"); }
static void do_div0(void *p)
{
	volatile int zero = (int)(uintptr_t)p;
	volatile int x = 7 / zero;
	(void)x;
}

static int t_exceptions_to_handlers(void)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KTAP_CHECK(ro != MAP_FAILED);
	KTAP_CHECK(set_handler(SIGSEGV, fault_handler, 0, NULL) == 0);
	KTAP_CHECK(set_handler(SIGILL, fault_handler, 0, NULL) == 0);
	KTAP_CHECK(set_handler(SIGFPE, fault_handler, 0, NULL) == 0);
	for (int round = 0; round < 2; round++) {    /* the mask came back with siglongjmp */
		KTAP_CHECK(catch_fault(do_read, (void *)16) == 1);
		KTAP_CHECKF(fault_sig == SIGSEGV && fault_code == SEGV_MAPERR && fault_addr == 16,
			    "read: sig %d code %d addr 0x%lx", fault_sig, fault_code,
			    (unsigned long)fault_addr);
		KTAP_CHECK(catch_fault(do_write, ro) == 1);
		KTAP_CHECKF(fault_sig == SIGSEGV && fault_code == SEGV_ACCERR &&
			    fault_addr == (uintptr_t)ro, "write: sig %d code %d addr 0x%lx",
			    fault_sig, fault_code, (unsigned long)fault_addr);
	}
	KTAP_CHECK(catch_fault(do_ud2, NULL) == 1);
	KTAP_CHECKF(fault_sig == SIGILL && fault_code == ILL_ILLOPN && fault_addr != 0,
		    "ud2: sig %d code %d", fault_sig, fault_code);
	KTAP_CHECK(catch_fault(do_div0, NULL) == 1);
	KTAP_CHECKF(fault_sig == SIGFPE && fault_code == FPE_INTDIV, "div: sig %d code %d",
		    fault_sig, fault_code);
	set_default(SIGSEGV);
	set_default(SIGILL);
	set_default(SIGFPE);
	munmap(ro, 4096);
	return KTAP_PASS;
}

/* ---- sigaltstack -------------------------------------------------------------- */

static char altstack[65536] __attribute__((aligned(16)));
static volatile uintptr_t alt_local;
static volatile int alt_flags;
static char altstack2[65536] __attribute__((aligned(16)));
static volatile int alt_switch;

static void alt_handler(int sig, siginfo_t *info, void *uc)
{
	volatile int here;
	stack_t now;

	(void)sig; (void)info; (void)uc;
	alt_local = (uintptr_t)&here;
	sigaltstack(NULL, &now);
	alt_flags = now.ss_flags;
	if (alt_switch) {                    /* rt_sigreturn installs uc_stack */
		ucontext_t *u = uc;

		u->uc_stack.ss_sp = altstack2;
		u->uc_stack.ss_size = sizeof(altstack2);
		u->uc_stack.ss_flags = 0;
	}
}

static int t_sigaltstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 }, old;

	KTAP_CHECK(sigaltstack(NULL, &old) == 0);
	KTAP_CHECKF(old.ss_flags == SS_DISABLE, "flags %d", old.ss_flags);
	KTAP_CHECK(sigaltstack(&ss, NULL) == 0);
	KTAP_CHECK(set_handler(SIGUSR1, alt_handler, SA_ONSTACK, NULL) == 0);
	raise(SIGUSR1);
	KTAP_CHECKF(alt_local >= (uintptr_t)altstack &&
		    alt_local < (uintptr_t)altstack + sizeof(altstack), "local at 0x%lx",
		    (unsigned long)alt_local);
	KTAP_CHECK(alt_flags == SS_ONSTACK);
	/*
	 * rt_sigreturn takes uc_stack as a sigaltstack(2) call of the handler
	 * would: refused (silently) from a handler on the alternate stack,
	 * installed from one on the normal stack.
	 */
	alt_switch = 1;
	raise(SIGUSR1);
	KTAP_CHECK(sigaltstack(NULL, &old) == 0);
	KTAP_CHECKF(old.ss_sp == altstack, "from the alternate stack: sp %p", old.ss_sp);
	KTAP_CHECK(set_handler(SIGUSR1, alt_handler, 0, NULL) == 0);
	raise(SIGUSR1);
	alt_switch = 0;
	KTAP_CHECK(sigaltstack(NULL, &old) == 0);
	KTAP_CHECKF(old.ss_sp == altstack2 && old.ss_size == sizeof(altstack2) &&
		    old.ss_flags == 0, "from the normal stack: sp %p size %zu flags %d",
		    old.ss_sp, old.ss_size, old.ss_flags);
	ss.ss_size = 100;
	KTAP_CHECK_ERRNO(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	KTAP_CHECK(sigaltstack(&ss, NULL) == 0);
	KTAP_CHECK(sigaltstack(NULL, &old) == 0);
	KTAP_CHECK(old.ss_flags == SS_DISABLE);
	set_default(SIGUSR1);
	return KTAP_PASS;
}

/* ---- SIGPIPE, fork ---------------------------------------------------------- */

static void write_no_reader(void *arg)
{
	int fds[2];

	(void)arg;
	if (pipe(fds))
		_exit(2);
	close(fds[0]);
	if (write(fds[1], "z", 1) == -1 && errno == EPIPE)
		_exit(5);
	_exit(6);
}

static int t_sigpipe(void)
{
	char buf[64];
	int st = test_in_child(write_no_reader, NULL);

	KTAP_CHECKF(test_killed_by(st, SIGPIPE), "default: %s",
		    test_status_str(st, buf, sizeof(buf)));
	KTAP_CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	st = test_in_child(write_no_reader, NULL);
	KTAP_CHECKF(test_exited_with(st, 5), "ignored: %s", test_status_str(st, buf, sizeof(buf)));
	set_default(SIGPIPE);
	return KTAP_PASS;
}

static int t_fork_inherits(void)
{
	sigset_t usr2;
	pid_t pid;

	KTAP_CHECK(set_handler(SIGUSR1, count_handler, 0, NULL) == 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	KTAP_CHECK(sigprocmask(SIG_BLOCK, &usr2, NULL) == 0);
	pid = test_fork_in(test_other_cluster());
	KTAP_CHECK(pid >= 0);
	if (pid == 0) {
		sigset_t now, pend;

		got_count = 0;
		raise(SIGUSR1);
		sigprocmask(SIG_BLOCK, NULL, &now);
		sigpending(&pend);
		_exit(got_count == 1 && sigismember(&now, SIGUSR2) &&
		      !sigismember(&pend, SIGUSR1) ? 0 : 1);
	}
	KTAP_CHECK(test_exited_with(test_wait(pid), 0));
	unblock_all();
	set_default(SIGUSR1);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_handler_frame),
	KTAP_CASE(t_sigreturn_restores),
	KTAP_CASE(t_nodefer),
	KTAP_CASE(t_resethand),
	KTAP_CASE(t_mask_and_pending),
	KTAP_CASE(t_ignored),
	KTAP_CASE(t_kill_errors),
	KTAP_CASE(t_corrupt_sigreturn_frame),
	KTAP_CASE(t_exceptions_to_handlers),
	KTAP_CASE(t_sigaltstack),
	KTAP_CASE(t_sigpipe),
	KTAP_CASE(t_fork_inherits),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
