/*
 * stopprobe.c - does this kernel stop processes? (tests/e2e/test_shell.py)
 *
 * Forks a child that sleeps, sends it SIGSTOP, and asks wait4 with
 * WUNTRACED whether it stopped (polling with WNOHANG for up to 2 s), then
 * kills it. Prints "stopprobe: stop signals supported" or "stopprobe: no
 * stop signals (<what happened>)" and exits 0 or 1. Runs on Linux too.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void)
{
	int status = 0;
	pid_t r = 0, pid = fork();

	if (pid < 0) {
		perror("stopprobe: fork");
		return 2;
	}
	if (pid == 0) {
		sleep(10);
		_exit(0);
	}
	kill(pid, SIGSTOP);
	for (int i = 0; i < 200 && r == 0; i++) {
		r = waitpid(pid, &status, WUNTRACED | WNOHANG);
		if (r == 0)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	if (r == pid && WIFSTOPPED(status)) {
		waitpid(pid, &status, 0);
		printf("stopprobe: stop signals supported\n");
		return 0;
	}
	if (r == pid && WIFSIGNALED(status))
		printf("stopprobe: no stop signals (SIGSTOP ended the child: signal %d)\n",
		       WTERMSIG(status));
	else
		printf("stopprobe: no stop signals (wait4 reported nothing in 2 s)\n");
	waitpid(pid, &status, 0);
	return 1;
}
