/*
 * sysrq.c - /proc/sysrq-trigger (Linux's, Documentation/admin-guide/sysrq.rst):
 * a write-only file (mode 0200) whose first byte written runs a kernel
 * dump on the console. Each key the kernel knows (t w l r d) is accepted
 * whole; the dumps themselves are kernel console lines, which the harness
 * checks after this program ran (tests/harness/user_tests.py,
 * check_sysrq_dumps). A thread is kept blocked in a pipe read meanwhile,
 * so that 'w' has a blocked thread to show, and another spins in user mode,
 * which the NMIs of 'l' interrupt there and must leave unharmed. Archipel only: on the host,
 * writing to Linux's file would dump the host's own state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "testutil.h"

#define TRIGGER "/proc/sysrq-trigger"

static int on_archipel(void)
{
	int archipel;

	test_clusters(&archipel);
	return archipel;
}

static int t_trigger_is_write_only(void)
{
	struct stat st;

	if (!on_archipel())
		return ktap_skip("Archipel's /proc only");
	KTAP_CHECK(stat(TRIGGER, &st) == 0);
	KTAP_CHECKF(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0200, "mode 0%o", st.st_mode);
	return KTAP_PASS;
}

static void *reader(void *arg)
{
	char c;

	return (void *)(long)read(*(int *)arg, &c, 1);
}

static volatile int spin_stop;
static int spin_token;            /* what the spinner returns when it ran */

/* Spins in user mode: 'l' interrupts it by NMI, and it must go on unharmed. */
static void *spinner(void *arg)
{
	unsigned long n = 0;

	while (!spin_stop)
		n++;
	return (void *)(n > 0 ? arg : NULL);
}

static int t_every_key_accepted(void)
{
	static const char keys[] = "twlrd";
	int p[2], fd;
	pthread_t th, sp;
	void *ret;

	if (!on_archipel())
		return ktap_skip("Archipel's /proc only");
	KTAP_CHECK(pipe(p) == 0);
	KTAP_CHECK(pthread_create(&th, NULL, reader, &p[0]) == 0);
	KTAP_CHECK(pthread_create(&sp, NULL, spinner, (void *)&spin_token) == 0);
	usleep(50000);                          /* the reader now sleeps in read(2) */
	fd = open(TRIGGER, O_WRONLY);
	KTAP_CHECK(fd >= 0);
	for (const char *k = keys; *k; k++)
		KTAP_CHECKF(write(fd, k, 1) == 1, "key %c: errno %d", *k, errno);
	KTAP_CHECK(write(fd, "w\n", 2) == 2);   /* `echo w >`: the rest is ignored */
	KTAP_CHECK(close(fd) == 0);
	spin_stop = 1;
	KTAP_CHECK(pthread_join(sp, &ret) == 0);
	KTAP_CHECK(ret == (void *)&spin_token);
	KTAP_CHECK(write(p[1], "x", 1) == 1);
	KTAP_CHECK(pthread_join(th, &ret) == 0);
	KTAP_CHECK((long)ret == 1);
	close(p[0]);
	close(p[1]);
	return KTAP_PASS;
}

static int t_other_proc_files_stay_read_only(void)
{
	if (!on_archipel())
		return ktap_skip("Archipel's /proc only");
	KTAP_CHECK_ERRNO(open("/proc/self/status", O_WRONLY), EACCES);
	KTAP_CHECK_ERRNO(open("/proc/self/maps", O_RDWR), EACCES);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	KTAP_CASE(t_trigger_is_write_only),
	KTAP_CASE(t_every_key_accepted),
	KTAP_CASE(t_other_proc_files_stay_read_only),
};

int main(void)
{
	return ktap_run(cases, KTAP_NCASES(cases));
}
