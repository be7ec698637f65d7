/*
 * uapi_checks.h - the list of what tests/host/test_uapi.c compares between
 * the kernel's kernel/include/uapi/ headers and the Linux headers of the
 * host (Debian's linux-libc-dev), as an X-macro list.
 *
 * It is expanded twice, in two translation units that cannot be one (the
 * same macro names are defined by both sides, spelt differently):
 * tests/host/test_uapi_ours.c with the kernel's headers and
 * tests/host/test_uapi_linux.c with Linux's. Each entry becomes one or
 * more { name, value } records (the macros are in test_uapi.h); test_uapi.c
 * compares the two tables record by record. The entries:
 *     UAPI_C(name)                  the constant name, the same name in Linux
 *     UAPI_C_AS(name, lx)           the constant name; Linux's value is the
 *                                   expression lx
 *     UAPI_S(ktype, ltype)          sizeof(ktype) == sizeof(ltype)
 *     UAPI_F(ktype, kf, ltype, lf)  field kf of ktype: offset and size of lf
 *     UAPI_OFF(ktype, kf, ltype, lf)   offset only (a flexible array)
 * Every object-like macro of the headers of kernel/include/uapi/ must be named here
 * (test_uapi.c checks that too), so a new constant cannot go unchecked.
 */

/* uapi/errno.h: <asm-generic/errno-base.h>, <asm-generic/errno.h> */
UAPI_C(EPERM) UAPI_C(ENOENT) UAPI_C(ESRCH) UAPI_C(EINTR) UAPI_C(EIO) UAPI_C(ENXIO)
UAPI_C(E2BIG) UAPI_C(ENOEXEC) UAPI_C(EBADF) UAPI_C(ECHILD) UAPI_C(EAGAIN)
UAPI_C(ENOMEM) UAPI_C(EACCES) UAPI_C(EFAULT) UAPI_C(ENOTBLK) UAPI_C(EBUSY)
UAPI_C(EXDEV) UAPI_C(EEXIST) UAPI_C(ENODEV) UAPI_C(ENOTDIR) UAPI_C(EISDIR)
UAPI_C(EINVAL) UAPI_C(ENOSPC) UAPI_C(ERANGE) UAPI_C(ENFILE) UAPI_C(EMFILE)
UAPI_C(ENOTTY) UAPI_C(ETXTBSY) UAPI_C(EFBIG) UAPI_C(ESPIPE) UAPI_C(EROFS)
UAPI_C(EMLINK) UAPI_C(EPIPE) UAPI_C(ENAMETOOLONG) UAPI_C(ENOSYS) UAPI_C(ENOTEMPTY)
UAPI_C(ELOOP) UAPI_C(ETIMEDOUT) UAPI_C(EOPNOTSUPP)

/* uapi/signal.h: <asm/signal.h>; NSIG is Linux's _NSIG, the bits of a sigset_t */
UAPI_C_AS(NSIG, sizeof(sigset_t) * 8)
UAPI_C(SIGHUP) UAPI_C(SIGINT) UAPI_C(SIGQUIT) UAPI_C(SIGILL) UAPI_C(SIGTRAP)
UAPI_C(SIGABRT) UAPI_C(SIGBUS) UAPI_C(SIGFPE) UAPI_C(SIGKILL) UAPI_C(SIGUSR1)
UAPI_C(SIGSEGV) UAPI_C(SIGUSR2) UAPI_C(SIGPIPE) UAPI_C(SIGALRM) UAPI_C(SIGTERM)
UAPI_C(SIGCHLD) UAPI_C(SIGCONT) UAPI_C(SIGSTOP) UAPI_C(SIGURG) UAPI_C(SIGWINCH)
UAPI_C(SIGTSTP) UAPI_C(SIGTTIN) UAPI_C(SIGTTOU) UAPI_C(SIGRTMIN)
UAPI_C_AS(SIGRTMAX, sizeof(sigset_t) * 8)   /* Linux: _NSIG, the kernel's own */
UAPI_C(SA_NOCLDSTOP) UAPI_C(SA_NOCLDWAIT) UAPI_C(SA_SIGINFO) UAPI_C(SA_RESTORER)
UAPI_C(SA_ONSTACK) UAPI_C(SA_RESTART) UAPI_C(SA_NODEFER) UAPI_C(SA_RESETHAND)
UAPI_C(SS_ONSTACK) UAPI_C(SS_DISABLE) UAPI_C(MINSIGSTKSZ)
UAPI_S(kstack_t, stack_t)
UAPI_F(kstack_t, ss_sp, stack_t, ss_sp)
UAPI_F(kstack_t, ss_flags, stack_t, ss_flags)
UAPI_F(kstack_t, ss_size, stack_t, ss_size)
UAPI_S(ksigaction_t, struct sigaction)
UAPI_F(ksigaction_t, handler, struct sigaction, sa_handler)
UAPI_F(ksigaction_t, flags, struct sigaction, sa_flags)
UAPI_F(ksigaction_t, restorer, struct sigaction, sa_restorer)
UAPI_F(ksigaction_t, mask, struct sigaction, sa_mask)

/* uapi/sigcontext.h: <asm/siginfo.h>, <asm/sigcontext.h>, <asm/ucontext.h> */
UAPI_C(SI_USER) UAPI_C(SI_KERNEL) UAPI_C(SI_TKILL) UAPI_C(SI_QUEUE) UAPI_C(SI_TIMER) UAPI_C(SEGV_MAPERR) UAPI_C(SEGV_ACCERR)
UAPI_C(BUS_ADRALN) UAPI_C(ILL_ILLOPN) UAPI_C(FPE_INTDIV) UAPI_C(TRAP_BRKPT)
UAPI_C(CLD_EXITED) UAPI_C(CLD_KILLED) UAPI_C(CLD_DUMPED) UAPI_C(CLD_STOPPED) UAPI_C(CLD_CONTINUED)
UAPI_C(UC_FP_XSTATE) UAPI_C(UC_SIGCONTEXT_SS) UAPI_C(UC_STRICT_RESTORE_SS)
UAPI_S(ksiginfo_t, siginfo_t)
UAPI_F(ksiginfo_t, si_signo, siginfo_t, si_signo)
UAPI_F(ksiginfo_t, si_errno, siginfo_t, si_errno)
UAPI_F(ksiginfo_t, si_code, siginfo_t, si_code)
UAPI_F(ksiginfo_t, u.kill.pid, siginfo_t, si_pid)
UAPI_F(ksiginfo_t, u.kill.uid, siginfo_t, si_uid)
UAPI_F(ksiginfo_t, u.fault.addr, siginfo_t, si_addr)
UAPI_F(ksiginfo_t, u.rt.pid, siginfo_t, si_pid)
UAPI_F(ksiginfo_t, u.rt.uid, siginfo_t, si_uid)
UAPI_F(ksiginfo_t, u.rt.value, siginfo_t, si_value)
UAPI_F(ksiginfo_t, u.rt.pid, siginfo_t, si_tid)
UAPI_F(ksiginfo_t, u.rt.uid, siginfo_t, si_overrun)
UAPI_F(ksiginfo_t, u.chld.pid, siginfo_t, si_pid)
UAPI_F(ksiginfo_t, u.chld.status, siginfo_t, si_status)
UAPI_F(ksiginfo_t, u.chld.utime, siginfo_t, si_utime)
UAPI_F(ksiginfo_t, u.chld.stime, siginfo_t, si_stime)
UAPI_S(ksigcontext_t, struct sigcontext)
UAPI_F(ksigcontext_t, r8, struct sigcontext, r8)
UAPI_F(ksigcontext_t, rdi, struct sigcontext, rdi)
UAPI_F(ksigcontext_t, rax, struct sigcontext, rax)
UAPI_F(ksigcontext_t, rsp, struct sigcontext, rsp)
UAPI_F(ksigcontext_t, rip, struct sigcontext, rip)
UAPI_F(ksigcontext_t, eflags, struct sigcontext, eflags)
UAPI_F(ksigcontext_t, cs, struct sigcontext, cs)
UAPI_F(ksigcontext_t, ss, struct sigcontext, ss)
UAPI_F(ksigcontext_t, err, struct sigcontext, err)
UAPI_F(ksigcontext_t, trapno, struct sigcontext, trapno)
UAPI_F(ksigcontext_t, oldmask, struct sigcontext, oldmask)
UAPI_F(ksigcontext_t, cr2, struct sigcontext, cr2)
UAPI_F(ksigcontext_t, fpstate, struct sigcontext, fpstate)
UAPI_S(kucontext_t, struct ucontext)
UAPI_F(kucontext_t, uc_flags, struct ucontext, uc_flags)
UAPI_F(kucontext_t, uc_link, struct ucontext, uc_link)
UAPI_F(kucontext_t, uc_stack, struct ucontext, uc_stack)
UAPI_F(kucontext_t, uc_mcontext, struct ucontext, uc_mcontext)
UAPI_F(kucontext_t, uc_sigmask, struct ucontext, uc_sigmask)

/* uapi/signal_defs.h: <asm-generic/signal-defs.h> */
UAPI_C(SIG_BLOCK) UAPI_C(SIG_UNBLOCK) UAPI_C(SIG_SETMASK) UAPI_C(SIG_DFL) UAPI_C(SIG_IGN)

/* uapi/sched.h: <linux/sched.h> */
UAPI_C(CSIGNAL) UAPI_C(CLONE_VM) UAPI_C(CLONE_FS) UAPI_C(CLONE_FILES)
UAPI_C(CLONE_SIGHAND) UAPI_C(CLONE_VFORK) UAPI_C(CLONE_PARENT) UAPI_C(CLONE_THREAD)
UAPI_C(CLONE_SYSVSEM) UAPI_C(CLONE_SETTLS) UAPI_C(CLONE_PARENT_SETTID)
UAPI_C(CLONE_CHILD_CLEARTID) UAPI_C(CLONE_DETACHED) UAPI_C(CLONE_CHILD_SETTID)

/* uapi/mman.h: <asm/mman.h>, <linux/mman.h> */
UAPI_C(PROT_NONE) UAPI_C(PROT_READ) UAPI_C(PROT_WRITE) UAPI_C(PROT_EXEC)
UAPI_C(MAP_SHARED) UAPI_C(MAP_PRIVATE) UAPI_C(MAP_FIXED) UAPI_C(MAP_ANONYMOUS)
UAPI_C(MAP_POPULATE) UAPI_C(MAP_FIXED_NOREPLACE)
UAPI_C(MAP_TYPE) UAPI_C(MAP_SHARED_VALIDATE) UAPI_C(MAP_GROWSDOWN) UAPI_C(MAP_DENYWRITE)
UAPI_C(MAP_EXECUTABLE) UAPI_C(MAP_LOCKED) UAPI_C(MAP_NORESERVE) UAPI_C(MAP_NONBLOCK)
UAPI_C(MAP_STACK) UAPI_C(MAP_HUGETLB) UAPI_C(MAP_UNINITIALIZED)
UAPI_C(MS_ASYNC) UAPI_C(MS_INVALIDATE) UAPI_C(MS_SYNC)
UAPI_C(MLOCK_ONFAULT) UAPI_C(MCL_CURRENT) UAPI_C(MCL_FUTURE) UAPI_C(MCL_ONFAULT)

/* uapi/futex.h: <linux/futex.h> */
UAPI_C(FUTEX_WAIT) UAPI_C(FUTEX_WAKE) UAPI_C(FUTEX_REQUEUE) UAPI_C(FUTEX_CMP_REQUEUE)
UAPI_C(FUTEX_WAIT_BITSET) UAPI_C(FUTEX_WAKE_BITSET) UAPI_C(FUTEX_PRIVATE_FLAG)
UAPI_C(FUTEX_CLOCK_REALTIME) UAPI_C(FUTEX_CMD_MASK) UAPI_C(FUTEX_BITSET_MATCH_ANY)
UAPI_C(FUTEX_WAITERS) UAPI_C(FUTEX_OWNER_DIED) UAPI_C(FUTEX_TID_MASK)
UAPI_C(ROBUST_LIST_LIMIT)
UAPI_S(krobust_list_head_t, struct robust_list_head)
UAPI_F(krobust_list_head_t, next, struct robust_list_head, list.next)
UAPI_F(krobust_list_head_t, futex_offset, struct robust_list_head, futex_offset)
UAPI_F(krobust_list_head_t, list_op_pending, struct robust_list_head, list_op_pending)

/* uapi/fcntl.h: <linux/fcntl.h> (and <asm/fcntl.h> through it) */
UAPI_C(O_ACCMODE) UAPI_C(O_RDONLY) UAPI_C(O_WRONLY) UAPI_C(O_RDWR) UAPI_C(O_CREAT)
UAPI_C(O_EXCL) UAPI_C(O_NOCTTY) UAPI_C(O_TRUNC) UAPI_C(O_APPEND) UAPI_C(O_NONBLOCK)
UAPI_C(O_DIRECTORY) UAPI_C(O_NOFOLLOW) UAPI_C(O_CLOEXEC)
UAPI_C(F_DUPFD) UAPI_C(F_GETFD) UAPI_C(F_SETFD) UAPI_C(F_GETFL) UAPI_C(F_SETFL)
UAPI_C(F_DUPFD_CLOEXEC) UAPI_C(FD_CLOEXEC)
UAPI_C(AT_FDCWD) UAPI_C(AT_SYMLINK_NOFOLLOW) UAPI_C(AT_REMOVEDIR) UAPI_C(AT_EMPTY_PATH)

/* uapi/fs.h: <linux/fs.h> */
UAPI_C(SEEK_SET) UAPI_C(SEEK_CUR) UAPI_C(SEEK_END)

/* uapi/stat.h: <linux/stat.h>, <asm/stat.h> */
UAPI_C(S_IFMT) UAPI_C(S_IFDIR) UAPI_C(S_IFCHR) UAPI_C(S_IFREG) UAPI_C(S_IFIFO) UAPI_C(S_IFLNK)
UAPI_C(S_ISUID) UAPI_C(S_ISGID) UAPI_C(S_ISVTX) UAPI_C(S_IXGRP)
UAPI_S(kstat_t, struct stat)
UAPI_F(kstat_t, st_dev, struct stat, st_dev)
UAPI_F(kstat_t, st_ino, struct stat, st_ino)
UAPI_F(kstat_t, st_nlink, struct stat, st_nlink)
UAPI_F(kstat_t, st_mode, struct stat, st_mode)
UAPI_F(kstat_t, st_uid, struct stat, st_uid)
UAPI_F(kstat_t, st_gid, struct stat, st_gid)
UAPI_F(kstat_t, st_rdev, struct stat, st_rdev)
UAPI_F(kstat_t, st_size, struct stat, st_size)
UAPI_F(kstat_t, st_blksize, struct stat, st_blksize)
UAPI_F(kstat_t, st_blocks, struct stat, st_blocks)
UAPI_F(kstat_t, st_atime_sec, struct stat, st_atime)
UAPI_F(kstat_t, st_atime_nsec, struct stat, st_atime_nsec)
UAPI_F(kstat_t, st_mtime_sec, struct stat, st_mtime)
UAPI_F(kstat_t, st_mtime_nsec, struct stat, st_mtime_nsec)
UAPI_F(kstat_t, st_ctime_sec, struct stat, st_ctime)
UAPI_F(kstat_t, st_ctime_nsec, struct stat, st_ctime_nsec)

/* uapi/dirent.h: glibc's <dirent.h> (Linux does not export its own) */
UAPI_C(DT_UNKNOWN) UAPI_C(DT_FIFO) UAPI_C(DT_CHR) UAPI_C(DT_DIR) UAPI_C(DT_REG)
UAPI_F(kdirent64_t, d_ino, struct dirent64, d_ino)
UAPI_F(kdirent64_t, d_off, struct dirent64, d_off)
UAPI_F(kdirent64_t, d_reclen, struct dirent64, d_reclen)
UAPI_F(kdirent64_t, d_type, struct dirent64, d_type)
UAPI_OFF(kdirent64_t, d_name, struct dirent64, d_name)

/* uapi/limits.h: <linux/limits.h> */
UAPI_C(NAME_MAX) UAPI_C(PATH_MAX) UAPI_C(PIPE_BUF)

/* uapi/wait.h: <linux/wait.h> */
UAPI_C(WNOHANG) UAPI_C(WUNTRACED) UAPI_C(WCONTINUED) UAPI_C(__WNOTHREAD) UAPI_C(__WALL)
UAPI_C(__WCLONE) UAPI_C(WSTOPPED) UAPI_C(WEXITED) UAPI_C(WNOWAIT)
UAPI_C(P_ALL) UAPI_C(P_PID) UAPI_C(P_PGID) UAPI_C(P_PIDFD)

/* uapi/auxvec.h: <linux/auxvec.h> */
UAPI_C(AT_NULL) UAPI_C(AT_PHDR) UAPI_C(AT_PHENT) UAPI_C(AT_PHNUM) UAPI_C(AT_PAGESZ)
UAPI_C(AT_BASE) UAPI_C(AT_FLAGS) UAPI_C(AT_ENTRY) UAPI_C(AT_UID) UAPI_C(AT_EUID)
UAPI_C(AT_GID) UAPI_C(AT_EGID) UAPI_C(AT_PLATFORM) UAPI_C(AT_HWCAP) UAPI_C(AT_CLKTCK)
UAPI_C(AT_SECURE) UAPI_C(AT_RANDOM) UAPI_C(AT_HWCAP2) UAPI_C(AT_EXECFN)

/* uapi/time.h: <linux/time.h>; uapi/time_types.h: <linux/time_types.h> */
UAPI_C(CLOCK_REALTIME) UAPI_C(CLOCK_MONOTONIC) UAPI_C(CLOCK_PROCESS_CPUTIME_ID)
UAPI_C(CLOCK_THREAD_CPUTIME_ID) UAPI_C(CLOCK_MONOTONIC_RAW) UAPI_C(CLOCK_REALTIME_COARSE)
UAPI_C(CLOCK_MONOTONIC_COARSE) UAPI_C(CLOCK_BOOTTIME) UAPI_C(TIMER_ABSTIME)
UAPI_S(ktimeval_t, struct timeval)
UAPI_F(ktimeval_t, tv_sec, struct timeval, tv_sec)
UAPI_F(ktimeval_t, tv_usec, struct timeval, tv_usec)
UAPI_C(ITIMER_REAL) UAPI_C(ITIMER_VIRTUAL) UAPI_C(ITIMER_PROF)
UAPI_S(kitimerval_t, struct itimerval)
UAPI_F(kitimerval_t, it_interval, struct itimerval, it_interval)
UAPI_F(kitimerval_t, it_value, struct itimerval, it_value)
UAPI_S(kitimerspec_t, struct itimerspec)
UAPI_F(kitimerspec_t, it_interval, struct itimerspec, it_interval)
UAPI_F(kitimerspec_t, it_value, struct itimerspec, it_value)
UAPI_S(ktimezone_t, struct timezone)
UAPI_F(ktimezone_t, tz_minuteswest, struct timezone, tz_minuteswest)
UAPI_F(ktimezone_t, tz_dsttime, struct timezone, tz_dsttime)
UAPI_S(ktimespec_t, struct __kernel_timespec)
UAPI_F(ktimespec_t, tv_sec, struct __kernel_timespec, tv_sec)
UAPI_F(ktimespec_t, tv_nsec, struct __kernel_timespec, tv_nsec)

/* uapi/resource.h: <linux/resource.h> (and <asm/resource.h> through it) */
UAPI_C(RLIMIT_STACK) UAPI_C(RLIMIT_NOFILE) UAPI_C(RLIMIT_MEMLOCK) UAPI_C(RLIM_NLIMITS) UAPI_C(RLIM64_INFINITY)
UAPI_S(krlimit64_t, struct rlimit64)
UAPI_F(krlimit64_t, rlim_cur, struct rlimit64, rlim_cur)
UAPI_F(krlimit64_t, rlim_max, struct rlimit64, rlim_max)
UAPI_S(krusage_t, struct rusage)
UAPI_F(krusage_t, ru_utime, struct rusage, ru_utime)
UAPI_F(krusage_t, ru_stime, struct rusage, ru_stime)
UAPI_F(krusage_t, ru_maxrss, struct rusage, ru_maxrss)

/* uapi/prctl.h: <asm/prctl.h> */
UAPI_C(ARCH_SET_FS) UAPI_C(ARCH_GET_FS)

/* uapi/uio.h: <linux/uio.h> */
UAPI_C(UIO_MAXIOV)
UAPI_S(kiovec_t, struct iovec)
UAPI_F(kiovec_t, iov_base, struct iovec, iov_base)
UAPI_F(kiovec_t, iov_len, struct iovec, iov_len)

/* uapi/statfs.h: <asm/statfs.h>, <linux/magic.h> */
UAPI_C(TMPFS_MAGIC)
UAPI_S(kstatfs_t, struct statfs)
UAPI_F(kstatfs_t, f_type, struct statfs, f_type)
UAPI_F(kstatfs_t, f_bsize, struct statfs, f_bsize)
UAPI_F(kstatfs_t, f_blocks, struct statfs, f_blocks)
UAPI_F(kstatfs_t, f_bfree, struct statfs, f_bfree)
UAPI_F(kstatfs_t, f_bavail, struct statfs, f_bavail)
UAPI_F(kstatfs_t, f_files, struct statfs, f_files)
UAPI_F(kstatfs_t, f_ffree, struct statfs, f_ffree)
UAPI_F(kstatfs_t, f_fsid, struct statfs, f_fsid)
UAPI_F(kstatfs_t, f_namelen, struct statfs, f_namelen)
UAPI_F(kstatfs_t, f_frsize, struct statfs, f_frsize)
UAPI_F(kstatfs_t, f_flags, struct statfs, f_flags)
UAPI_F(kstatfs_t, f_spare, struct statfs, f_spare)

/* uapi/utsname.h: <linux/utsname.h> */
UAPI_C(__NEW_UTS_LEN)
UAPI_S(kutsname_t, struct new_utsname)
UAPI_F(kutsname_t, sysname, struct new_utsname, sysname)
UAPI_F(kutsname_t, nodename, struct new_utsname, nodename)
UAPI_F(kutsname_t, release, struct new_utsname, release)
UAPI_F(kutsname_t, version, struct new_utsname, version)
UAPI_F(kutsname_t, machine, struct new_utsname, machine)
UAPI_F(kutsname_t, domainname, struct new_utsname, domainname)

/* uapi/termios.h: <asm/ioctls.h>, <asm/termbits.h>, <asm/termios.h> */
UAPI_C(TCGETS) UAPI_C(TCSETS) UAPI_C(TCSETSW) UAPI_C(TCSETSF) UAPI_C(TIOCGPGRP)
UAPI_C(TIOCSPGRP) UAPI_C(TIOCGWINSZ)
UAPI_C(NCCS) UAPI_C(VINTR) UAPI_C(VQUIT) UAPI_C(VERASE) UAPI_C(VKILL) UAPI_C(VEOF)
UAPI_C(VMIN)
UAPI_C(ICRNL) UAPI_C(IXON) UAPI_C(OPOST) UAPI_C(ONLCR) UAPI_C(B115200) UAPI_C(CS8)
UAPI_C(CREAD) UAPI_C(ISIG) UAPI_C(ICANON) UAPI_C(ECHO) UAPI_C(ECHOE) UAPI_C(ECHOK)
UAPI_C(ECHOCTL) UAPI_C(ECHOKE) UAPI_C(IEXTEN)
UAPI_C(TIOCSWINSZ) UAPI_C(TCFLSH) UAPI_C(TIOCSCTTY) UAPI_C(TIOCOUTQ) UAPI_C(FIONREAD)
UAPI_C(TIOCNOTTY) UAPI_C(TIOCGSID) UAPI_C(TCIFLUSH) UAPI_C(TCOFLUSH) UAPI_C(TCIOFLUSH)
UAPI_C(VTIME) UAPI_C(VSWTC) UAPI_C(VSTART) UAPI_C(VSTOP) UAPI_C(VSUSP) UAPI_C(VEOL)
UAPI_C(VREPRINT) UAPI_C(VDISCARD) UAPI_C(VWERASE) UAPI_C(VLNEXT) UAPI_C(VEOL2)
UAPI_C(ISTRIP) UAPI_C(INLCR) UAPI_C(IGNCR) UAPI_C(IMAXBEL) UAPI_C(IUTF8) UAPI_C(OCRNL)
UAPI_C(ECHONL) UAPI_C(NOFLSH) UAPI_C(TOSTOP)

/* uapi/random.h: <linux/random.h> */
UAPI_C(GRND_NONBLOCK) UAPI_C(GRND_RANDOM) UAPI_C(GRND_INSECURE)

/* uapi/poll.h: <asm/poll.h> */
UAPI_C(POLLIN) UAPI_C(POLLPRI) UAPI_C(POLLOUT) UAPI_C(POLLERR) UAPI_C(POLLHUP) UAPI_C(POLLNVAL)
UAPI_S(kpollfd_t, struct pollfd)
UAPI_F(kpollfd_t, fd, struct pollfd, fd)
UAPI_F(kpollfd_t, events, struct pollfd, events)
UAPI_F(kpollfd_t, revents, struct pollfd, revents)
UAPI_S(ktermios_t, struct termios)
UAPI_F(ktermios_t, c_iflag, struct termios, c_iflag)
UAPI_F(ktermios_t, c_oflag, struct termios, c_oflag)
UAPI_F(ktermios_t, c_cflag, struct termios, c_cflag)
UAPI_F(ktermios_t, c_lflag, struct termios, c_lflag)
UAPI_F(ktermios_t, c_line, struct termios, c_line)
UAPI_F(ktermios_t, c_cc, struct termios, c_cc)
UAPI_S(kwinsize_t, struct winsize)
UAPI_F(kwinsize_t, ws_row, struct winsize, ws_row)
UAPI_F(kwinsize_t, ws_col, struct winsize, ws_col)
UAPI_F(kwinsize_t, ws_xpixel, struct winsize, ws_xpixel)
UAPI_F(kwinsize_t, ws_ypixel, struct winsize, ws_ypixel)

/* uapi/sigevent.h: <asm-generic/siginfo.h> */
UAPI_C(SIGEV_SIGNAL) UAPI_C(SIGEV_NONE) UAPI_C(SIGEV_THREAD) UAPI_C(SIGEV_THREAD_ID)
UAPI_S(ksigevent_t, struct sigevent)
UAPI_F(ksigevent_t, sigev_value, struct sigevent, sigev_value)
UAPI_F(ksigevent_t, sigev_signo, struct sigevent, sigev_signo)
UAPI_F(ksigevent_t, sigev_notify, struct sigevent, sigev_notify)
UAPI_F(ksigevent_t, sigev_tid, struct sigevent, _sigev_un._tid)

/* uapi/archipel.h: user/include/archipel.h (the user side of the same calls) */
UAPI_C_AS(SYS_ARCHIPEL_BASE, SYS_archipel_fork_place)
UAPI_C(SYS_archipel_fork_place) UAPI_C(SYS_archipel_poweroff) UAPI_C(SYS_archipel_counters)
UAPI_C(SYS_archipel_nclusters)
UAPI_C_AS(SYS_ARCHIPEL_END, SYS_archipel_nclusters + 1)
UAPI_C(ARCHIPEL_PLACE_DQDT)
UAPI_S(archipel_counters_t, struct archipel_counters)
UAPI_F(archipel_counters_t, faults_local, struct archipel_counters, faults_local)
UAPI_F(archipel_counters_t, faults_global, struct archipel_counters, faults_global)
UAPI_F(archipel_counters_t, faults_false, struct archipel_counters, faults_false)
UAPI_F(archipel_counters_t, faults_cow, struct archipel_counters, faults_cow)
UAPI_F(archipel_counters_t, owner_cxy, struct archipel_counters, owner_cxy)
UAPI_F(archipel_counters_t, ref_cxy, struct archipel_counters, ref_cxy)
UAPI_F(archipel_counters_t, remote_accesses, struct archipel_counters, remote_accesses)
UAPI_F(archipel_counters_t, rpcs, struct archipel_counters, rpcs)
UAPI_F(archipel_counters_t, shootdowns, struct archipel_counters, shootdowns)
UAPI_F(archipel_counters_t, copies, struct archipel_counters, copies)
