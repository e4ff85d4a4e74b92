// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: test children
 *
 * igt_fork() runs a block in child processes of the current subtest. A
 * child ends with exit(0) when the block ends, or with the failure's exit
 * code when an assertion fails in it (see igt_fail()). igt_waitchildren()
 * reaps them all and fails the subtest with the first bad status it saw,
 * after killing the others: the exit code of a failed child, or 128 plus
 * the signal that killed one. Children left running when a subtest ends
 * are killed and reaped with it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "compat_internal.h"

static struct {
	pid_t *pids;		/* -1 once reaped */
	int count;
	int capacity;
	bool is_child;		/* this process is a test child */
} children;

bool igt_compat_is_test_child(void)
{
	return children.is_child;
}

/**
 * __igt_fork - fork one test child
 *
 * Context: inside a subtest, in the test's main process.
 * Return: true in the child, false in the parent.
 */
bool __igt_fork(void)
{
	pid_t pid;

	if (!igt_subtest_name())
		igt_compat_misuse("forking is only allowed in subtests or igt_simple_main()\n");
	if (children.is_child)
		igt_compat_misuse("forking is not allowed from already forked children\n");

	if (children.count == children.capacity) {
		int capacity = children.capacity ? 2 * children.capacity : 4;
		pid_t *pids = realloc(children.pids, capacity * sizeof(*pids));

		igt_assert_f(pids, "cannot track %d test children\n", capacity);
		children.pids = pids;
		children.capacity = capacity;
	}

	/* Buffered output would otherwise be printed by both processes. */
	fflush(NULL);

	pid = fork();
	igt_assert_f(pid >= 0, "fork() of test child %d failed: %s\n",
		     children.count, strerror(errno));
	if (pid == 0) {
		children.is_child = true;
		children.count = 0;
		igt_compat_reset_exit_handlers();
		return true;
	}

	children.pids[children.count++] = pid;
	return false;
}

void igt_kill_children(int signal)
{
	for (int i = 0; i < children.count; i++)
		if (children.pids[i] > 0)
			kill(children.pids[i], signal);
}

/* Kill and reap every child still running; used when a subtest ends. */
void igt_compat_reap_children(void)
{
	for (int i = 0; i < children.count; i++) {
		if (children.pids[i] <= 0)
			continue;
		kill(children.pids[i], SIGKILL);
		while (waitpid(children.pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	children.count = 0;
}

/* Report child @index's bad @status on stdout; return the exit code for it. */
static int child_failure(int index, int status)
{
	if (WIFEXITED(status)) {
		printf("child %i failed with exit status %i\n", index, WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		printf("child %i died with signal %i, %s\n", index,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	printf("Unhandled failure [%d] in child %i\n", status, index);
	return IGT_EXIT_FAILURE;
}

/**
 * __igt_waitchildren - reap all test children
 *
 * Return: 0 if all exited with 0, else the exit code of the first failure
 * seen (the others are killed then).
 */
int __igt_waitchildren(void)
{
	int err = 0;

	for (int reaped = 0; reaped < children.count; ) {
		int status, i;
		pid_t pid = wait(&status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			printf("wait(num_children:%d) failed with %s\n",
			       children.count - reaped, strerror(errno));
			return IGT_EXIT_FAILURE;
		}

		for (i = 0; i < children.count && children.pids[i] != pid; i++)
			;
		if (i == children.count)
			continue;	/* not a test child, e.g. a helper */
		children.pids[i] = -1;
		reaped++;

		if (!err && status) {
			err = child_failure(i, status);
			igt_kill_children(SIGKILL);
		}
	}

	children.count = 0;
	return err;
}

/**
 * igt_waitchildren - join the test children; fail if one failed
 */
void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err)
		igt_fail(err);
}

static const char *timeout_reason;

static void kill_children_on_alarm(int sig)
{
	igt_info("Timed out waiting for children: %s\n", timeout_reason ?: "no reason given");
	igt_kill_children(SIGKILL);
}

/**
 * igt_waitchildren_timeout - join the test children within @seconds
 * @seconds: how long the children may still run
 * @reason: what timed out, for the log
 *
 * Children still running after @seconds are killed, which fails the
 * subtest like any child dying from a signal.
 */
void igt_waitchildren_timeout(int seconds, const char *reason)
{
	struct sigaction on_alarm = { .sa_handler = kill_children_on_alarm };
	struct sigaction previous;
	int err;

	timeout_reason = reason;
	sigemptyset(&on_alarm.sa_mask);
	sigaction(SIGALRM, &on_alarm, &previous);
	alarm(seconds);

	err = __igt_waitchildren();

	alarm(0);
	sigaction(SIGALRM, &previous, NULL);
	if (err)
		igt_fail(err);
}
