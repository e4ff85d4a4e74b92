// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: exit handlers and fatal signals
 *
 * Exit handlers (igt_install_exit_handler()) run once, newest first, when
 * the test exits or when a handled signal kills it.
 *
 * Handled signals: SIGINT, SIGHUP, SIGPIPE and SIGTERM silently; SIGQUIT
 * (igt_runner's per-test and inactivity timeouts), SIGABRT and the crash
 * signals SIGSEGV, SIGBUS, SIGFPE and SIGILL with "Received signal SIGxxx."
 * and a stack trace on stderr. A crash signal inside a subtest reports the
 * subtest as CRASH and the run goes on with the next subtest (IGT does the
 * same). Otherwise the default disposition is restored, the exit handlers
 * run, and the signal is raised again so the test dies from it, which is
 * what igt_runner's timeout accounting expects.
 */
#include <execinfo.h>
#include <signal.h>

#include "compat_internal.h"

#define MAX_EXIT_HANDLERS 10
#define BACKTRACE_DEPTH 64

static igt_exit_handler_t exit_handlers[MAX_EXIT_HANDLERS];
static int exit_handler_count;
static bool in_atexit_handler;

static const struct {
	int number;
	const char *name;	/* NULL: die quietly */
	bool crash;
} handled_signals[] = {
	{ SIGINT, NULL, false },
	{ SIGHUP, NULL, false },
	{ SIGPIPE, NULL, false },
	{ SIGTERM, NULL, false },
	{ SIGQUIT, "SIGQUIT", false },
	{ SIGABRT, "SIGABRT", false },
	{ SIGSEGV, "SIGSEGV", true },
	{ SIGBUS, "SIGBUS", true },
	{ SIGFPE, "SIGFPE", true },
	{ SIGILL, "SIGILL", true },
};
#define N_HANDLED_SIGNALS (sizeof(handled_signals) / sizeof(handled_signals[0]))

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	for (int i = 0; i < exit_handler_count; i++)
		if (exit_handlers[i] == fn)
			return;

	if (exit_handler_count == MAX_EXIT_HANDLERS)
		igt_compat_misuse("more than %d exit handlers\n", MAX_EXIT_HANDLERS);
	exit_handlers[exit_handler_count++] = fn;
}

/* Children of igt_fork() must not clean up their parent's state. */
void igt_compat_reset_exit_handlers(void)
{
	exit_handler_count = 0;
}

bool igt_compat_in_atexit_handler(void)
{
	return in_atexit_handler;
}

/* Each handler runs at most once, even if it dies from a signal itself. */
static void call_exit_handlers(int sig)
{
	while (exit_handler_count > 0)
		exit_handlers[--exit_handler_count](sig);
}

static void restore_default_signal_handlers(void)
{
	for (size_t i = 0; i < N_HANDLED_SIGNALS; i++)
		signal(handled_signals[i].number, SIG_DFL);
}

static void run_exit_handlers_at_exit(void)
{
	in_atexit_handler = true;
	restore_default_signal_handlers();
	call_exit_handlers(0);
}

static void write_stderr(const char *text)
{
	ssize_t ret = write(STDERR_FILENO, text, strlen(text));

	(void)ret;
}

/* Async-signal-safe once backtrace() has been called outside a handler. */
static void print_backtrace_sig_safe(void)
{
	void *frames[BACKTRACE_DEPTH];
	int depth = backtrace(frames, BACKTRACE_DEPTH);

	write_stderr("Stack trace:\n");
	backtrace_symbols_fd(frames, depth, STDERR_FILENO);
}

static void fatal_signal_handler(int sig)
{
	size_t i;

	for (i = 0; i < N_HANDLED_SIGNALS && handled_signals[i].number != sig; i++)
		;
	if (i < N_HANDLED_SIGNALS && handled_signals[i].name) {
		write_stderr("Received signal ");
		write_stderr(handled_signals[i].name);
		write_stderr(".\n");
		print_backtrace_sig_safe();
	}

	/* In a subtest, this reports CRASH and jumps to the next subtest. */
	if (i < N_HANDLED_SIGNALS && handled_signals[i].crash)
		igt_compat_crash(sig);

	restore_default_signal_handlers();
	call_exit_handlers(sig);

	/* Blocked until the handler returns, then fatal. */
	raise(sig);
}

/**
 * igt_compat_install_signal_handlers - catch fatal signals, run exit handlers
 *
 * Context: once, while the test starts.
 */
void igt_compat_install_signal_handlers(void)
{
	struct sigaction sa = {
		.sa_handler = fatal_signal_handler,
		.sa_flags = SA_RESTART,
	};
	void *frame;

	/* backtrace() loads its unwinder on first use: do it here, not in a handler. */
	backtrace(&frame, 1);

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_HANDLED_SIGNALS; i++)
		sigaction(handled_signals[i].number, &sa, NULL);

	atexit(run_exit_handlers_at_exit);
}
