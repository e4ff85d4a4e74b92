/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: igt-compat core
 *
 * The project's own implementation of the subset of IGT GPU Tools' public
 * test API (``igt.h``, IGT 2.5 spelling) that the suite's tests use. Tests
 * are written against IGT's names and behaviour only, so the same source
 * builds against a real IGT tree on lab machines and against this library
 * everywhere else.
 *
 * What igt_runner observes is reproduced: the command line
 * (``--list-subtests``, ``--run-subtest``, ``--dynamic-subtest``,
 * ``--describe``, ``--debug``, ``--help``), the exit codes, and the text
 * protocol on stdout and stderr ("IGT-Version:", "Starting subtest:",
 * "Subtest NAME: RESULT (N.NNNs)", their dynamic counterparts, and the same
 * lines repeated on stderr when IGT_SENTINEL_ON_STDERR is set). The binary
 * socket protocol IGT also speaks (IGT_RUNNER_SOCKET_FD) is not implemented;
 * igt_runner falls back to parsing the text when a test sends nothing on the
 * socket.
 *
 * Control flow follows IGT: subtest, fixture and dynamic blocks are for
 * loops around sigsetjmp(); igt_skip(), igt_fail() and igt_success() leave
 * the current block with siglongjmp(). Automatic variables of igt_main()
 * changed inside such a block and read after it must be volatile.
 */
#ifndef IGT_CORE_H
#define IGT_CORE_H

#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif

/* Exit codes, as igt_runner interprets them. */
#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98
#define IGT_EXIT_ABORT 112

/**
 * IGT_TEST_DESCRIPTION - describe the whole test binary
 * @str: one or two sentences, printed first by ``--describe``
 */
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str
extern const char *__igt_test_description __attribute__((weak));

#define __igt_tokencat2(x, y) x ## y
#define igt_tokencat(x, y) __igt_tokencat2(x, y)
#define igt_unique(prefix) igt_tokencat(igt_tokencat(__igt_unique__, prefix), __LINE__)

/* Jump targets of the current subtest (or fixture) and dynamic subtest. */
extern sigjmp_buf igt_subtest_jmpbuf;
extern sigjmp_buf igt_dynamic_jmpbuf;

/*
 * Command line: igt_main_args() hands extra options to the test's handler,
 * which returns IGT_OPT_HANDLER_SUCCESS or IGT_OPT_HANDLER_ERROR.
 */
typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);
#define IGT_OPT_HANDLER_SUCCESS 0
#define IGT_OPT_HANDLER_ERROR -2

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);

/**
 * igt_main_args - main() of a test with subtests and its own options
 * @short_opts: getopt_long() short options added to the standard ones
 * @long_opts: getopt_long() long options added to the standard ones
 * @help_str: lines appended to ``--help``, one "  -x\tmeaning\n" each
 * @opt_handler: igt_opt_handler_t called for every extra option
 * @handler_data: passed to @opt_handler
 *
 * Written as ``int igt_main_args(...) { ... }``.
 */
#define igt_main_args(short_opts, long_opts, help_str, opt_handler, handler_data) \
	main(int argc, char **argv); \
	static void igt_unique(__igt_real_main)(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv, short_opts, long_opts, \
					    help_str, opt_handler, handler_data); \
		igt_unique(__igt_real_main)(); \
		igt_exit(); \
	} \
	static void igt_unique(__igt_real_main)(void)

/* main() of a test with subtests, written as ``int igt_main() { ... }``. */
#define igt_main() igt_main_args(NULL, NULL, NULL, NULL, NULL)

bool __igt_fixture(void);
void __igt_fixture_complete(void);
__noreturn void __igt_fixture_end(void);

/**
 * igt_fixture - setup or teardown code shared by the subtests that follow
 *
 * Skipped while listing subtests and after an earlier fixture of the same
 * group skipped or failed. A skip or failure inside marks every following
 * subtest of the enclosing igt_subtest_group() SKIP or FAIL.
 */
#define igt_fixture() \
	for (volatile int igt_unique(__igt_fixture_once) = 0; \
	     igt_unique(__igt_fixture_once) < 1 && __igt_fixture() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_unique(__igt_fixture_once)++, __igt_fixture_complete())

bool __igt_run_subtest(const char *name, const char *file, int line);
bool __igt_enter_dynamic_container(void);
bool __igt_run_dynamic_subtest(const char *name);

/**
 * igt_subtest - a subtest: the block runs when the subtest is selected
 * @name: lower-case words joined by '-' (letters, digits, '-' and '_' only)
 *
 * The subtest passes when the block ends, and ends early with igt_skip(),
 * igt_fail() (and every assertion) or igt_success().
 */
#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

/* Like igt_subtest(), with the name built by printf. */
#define igt_subtest_f(f...) __igt_subtest_f(igt_unique(__igt_name), f)

/**
 * igt_subtest_with_dynamic - a subtest made of igt_dynamic() blocks
 * @name: subtest name, as for igt_subtest()
 *
 * Its result comes from its dynamic subtests: FAIL if any failed, SKIP if
 * none ran (skipped ones do not count), SUCCESS otherwise. The block itself
 * may skip but must not fail outside igt_dynamic().
 */
#define igt_subtest_with_dynamic(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       __igt_enter_dynamic_container() && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_with_dynamic_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     __igt_enter_dynamic_container() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

/* Like igt_subtest_with_dynamic(), with the name built by printf. */
#define igt_subtest_with_dynamic_f(f...) \
	__igt_subtest_with_dynamic_f(igt_unique(__igt_name), f)

/**
 * igt_dynamic - one dynamic subtest inside igt_subtest_with_dynamic()
 * @name: dynamic subtest name, same alphabet as subtests
 *
 * igt_runner reports it as igt@BINARY@SUBTEST@NAME.
 */
#define igt_dynamic(name) \
	for (; __igt_run_dynamic_subtest((name)) && \
	       sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_dynamic_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_dynamic_subtest(tmp) && \
	     sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())

/* Like igt_dynamic(), with the name built by printf. */
#define igt_dynamic_f(f...) __igt_dynamic_f(igt_unique(__igt_name), f)

void __igt_subtest_group_save(int *save, int *desc);
void __igt_subtest_group_restore(int save, int desc);

/**
 * igt_subtest_group - scope for fixtures and subtests
 *
 * A fixture that skips or fails inside the group only affects the subtests
 * of the group; an igt_describe() right before the group is prepended to the
 * description of each of its subtests.
 */
#define igt_subtest_group() \
	for (int igt_unique(__igt_group_once) = 0, \
		 igt_unique(__igt_group_save) = 0, \
		 igt_unique(__igt_group_desc) = 0; \
	     igt_unique(__igt_group_once) < 1 && \
	     (__igt_subtest_group_save(&igt_unique(__igt_group_save), \
				       &igt_unique(__igt_group_desc)), true); \
	     igt_unique(__igt_group_once)++, \
	     __igt_subtest_group_restore(igt_unique(__igt_group_save), \
					 igt_unique(__igt_group_desc)))

const char *igt_test_name(void);
const char *igt_subtest_name(void);
const char *igt_dynamic_subtest_name(void);
bool igt_only_list_subtests(void);
bool igt_can_fail(void);

__attribute__((format(printf, 1, 2)))
void igt_describe_f(const char *fmt, ...);
/* Describe the next subtest or group, for ``--describe``. */
#define igt_describe(dsc) igt_describe_f("%s", dsc)

/* Outcomes: leave the current dynamic subtest, subtest or fixture. */
__noreturn __attribute__((format(printf, 1, 2)))
void igt_skip(const char *f, ...);
void igt_success(void);
__noreturn void igt_fail(int exitcode);
__noreturn void igt_exit(void);

/*
 * Exit handlers run once, in reverse order of installation, when the test
 * exits or dies from a signal (@sig is then the signal number, else 0).
 * Children of igt_fork() start with none.
 */
typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/* Monotonic time. */
int igt_gettime(struct timespec *ts);
double igt_time_elapsed(struct timespec *then, struct timespec *now);
uint64_t igt_nsec_elapsed(struct timespec *start);

/* Seconds since @start (about 8% short, like IGT); zeroed @start is set. */
static inline uint32_t igt_seconds_elapsed(struct timespec *start)
{
	return igt_nsec_elapsed(start) >> 30;
}

#include "igt_compat_log.h"
#include "igt_compat_assert.h"
#include "igt_compat_fork.h"

#endif /* IGT_CORE_H */
