// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: subtests, fixtures and results
 *
 * One test binary is one igt_main(). Every run walks the whole of it:
 *
 * - listing (``--list-subtests``, ``--describe``): fixtures are skipped,
 *   every selected subtest prints its name (or its description) and no
 *   subtest body runs;
 * - running: fixtures run, subtests matching ``--run-subtest`` (all when
 *   the option is absent) run, the others are passed over silently.
 *
 * A subtest prints "Starting subtest: NAME" when it begins and
 * "Subtest NAME: RESULT (N.NNNs)" when it ends, RESULT being SUCCESS, FAIL,
 * SKIP or CRASH; dynamic subtests print the same with "dynamic subtest" /
 * "Dynamic subtest". igt_runner starts one process per subtest by default
 * and reads these lines (and their copies on stderr when
 * IGT_SENTINEL_ON_STDERR is set) to split the output per subtest and find
 * each result. A subtest after a fixture that skipped or failed in the same
 * group only prints its result line, with 0.000s.
 *
 * The exit code sums up the run: the first failure's code if anything
 * failed (98, or 128 + signal for a crash), else 0 if a subtest passed,
 * else 77; 79 for an unknown subtest or a bad option.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/utsname.h>

#include "compat_internal.h"

sigjmp_buf igt_subtest_jmpbuf;
sigjmp_buf igt_dynamic_jmpbuf;

#define DESCRIPTION_LEN 512
#define GROUP_DEPTH_MAX 16

/* What the subtests after a skipped or failed fixture report. */
enum fixture_outcome {
	FIXTURE_OK,
	FIXTURE_SKIPPED,
	FIXTURE_FAILED,
};

static struct {
	const char *command;		/* basename of argv[0] */

	/* command line */
	bool list_subtests;
	bool describe_subtests;
	const char *run_pattern;	/* --run-subtest or --describe=PATTERN */
	const char *dynamic_pattern;	/* --dynamic-subtest */
	bool run_pattern_matched;

	/* output conventions */
	bool plain_output;		/* no bold result lines */
	bool stderr_sentinel;		/* IGT_SENTINEL_ON_STDERR */

	/* where the run is */
	bool in_fixture;
	const char *subtest;
	const char *dynamic;
	struct timespec subtest_start;
	struct timespec dynamic_start;
	int dynamics_run;		/* -1 outside igt_subtest_with_dynamic */
	bool dynamic_failed;
	enum fixture_outcome fixture_outcome;

	/* what the run did */
	bool succeeded_one;
	bool failed_one;
	int exitcode;

	/* --describe */
	char description[DESCRIPTION_LEN];
	char group_description[GROUP_DEPTH_MAX][DESCRIPTION_LEN];
	int group_depth;
} igt = {
	.dynamics_run = -1,
};

enum {
	/* above any character, so tests keep every short option letter */
	OPT_LIST_SUBTESTS = 500,
	OPT_DESCRIBE,
	OPT_RUN_SUBTEST,
	OPT_DYNAMIC_SUBTEST,
	OPT_DEBUG,
	OPT_HELP = 'h',
};

static const struct option standard_options[] = {
	{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
	{ "describe", optional_argument, NULL, OPT_DESCRIBE },
	{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
	{ "dynamic-subtest", required_argument, NULL, OPT_DYNAMIC_SUBTEST },
	{ "debug", optional_argument, NULL, OPT_DEBUG },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};
#define STANDARD_SHORT_OPTIONS "h"
#define N_STANDARD_OPTIONS (sizeof(standard_options) / sizeof(standard_options[0]))

static void print_usage(FILE *f, const char *help_str)
{
	fprintf(f, "Usage: %s [OPTIONS]\n", igt.command);
	fprintf(f, "  --list-subtests\n"
		   "  --run-subtest <pattern>\n"
		   "  --dynamic-subtest <pattern>\n"
		   "  --debug[=log-domain]\n"
		   "  --describe[=pattern]\n"
		   "  --help|-h\n");
	if (help_str)
		fprintf(f, "%s\n", help_str);
}

/* Print @text in lines of at most 80 columns, each starting with @indent. */
static void print_wrapped(const char *indent, const char *text)
{
	const size_t width = 80 - strlen(indent);
	size_t column = 0;

	printf("%s", indent);
	while (*text) {
		size_t len = strcspn(text, " ");

		if (len) {
			if (column && column + 1 + len > width) {
				printf("\n%s", indent);
				column = 0;
			} else if (column) {
				putchar(' ');
				column++;
			}
			printf("%.*s", (int)len, text);
			column += len;
		}
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void print_test_description(void)
{
	if (&__igt_test_description && __igt_test_description) {
		print_wrapped("", __igt_test_description);
		if (igt.describe_subtests)
			putchar('\n');
	}
}

static void print_subtest_description(const char *name, const char *file, int line)
{
	bool documented = false;

	printf("SUB %s %s:%d:\n", name, file, line);
	for (int i = 0; i < igt.group_depth; i++) {
		print_wrapped("  ", igt.group_description[i]);
		putchar('\n');
		documented = true;
	}
	if (igt.description[0]) {
		print_wrapped("  ", igt.description);
		putchar('\n');
		documented = true;
	}
	if (!documented)
		printf("  NO DOCUMENTATION!\n\n");
}

/**
 * parse_command_line - handle the standard options and hand the rest over
 * @argc: the test's argc
 * @argv: the test's argv
 * @extra_short_opts: the test's short options, or NULL
 * @extra_long_opts: the test's long options, or NULL
 * @help_str: the test's lines for --help, or NULL
 * @extra_opt_handler: called for each of the test's options
 * @handler_data: passed to @extra_opt_handler
 *
 * Exits with 0 after --help, with IGT_EXIT_INVALID after an unknown option
 * or when the test's handler reports an error.
 */
static void parse_command_line(int *argc, char **argv,
			       const char *extra_short_opts,
			       const struct option *extra_long_opts,
			       const char *help_str,
			       igt_opt_handler_t extra_opt_handler,
			       void *handler_data)
{
	size_t n_extra = 0;
	struct option *long_opts;
	char *short_opts;
	int c, index = 0;

	while (extra_long_opts && extra_long_opts[n_extra].name) {
		for (const struct option *o = standard_options; o->name; o++)
			if (!strcmp(o->name, extra_long_opts[n_extra].name) ||
			    o->val == extra_long_opts[n_extra].val)
				igt_compat_misuse("test option --%s conflicts with --%s\n",
						  extra_long_opts[n_extra].name, o->name);
		n_extra++;
	}
	if (extra_short_opts && strpbrk(extra_short_opts, STANDARD_SHORT_OPTIONS))
		igt_compat_misuse("test short options \"%s\" reuse a standard one (%s)\n",
				  extra_short_opts, STANDARD_SHORT_OPTIONS);

	long_opts = calloc(n_extra + N_STANDARD_OPTIONS, sizeof(*long_opts));
	if (!long_opts ||
	    asprintf(&short_opts, "%s%s", extra_short_opts ?: "", STANDARD_SHORT_OPTIONS) < 0) {
		fprintf(stderr, "%s: out of memory parsing the command line\n", igt.command);
		exit(IGT_EXIT_INVALID);
	}
	if (n_extra)
		memcpy(long_opts, extra_long_opts, n_extra * sizeof(*long_opts));
	memcpy(long_opts + n_extra, standard_options, sizeof(standard_options));

	while ((c = getopt_long(*argc, argv, short_opts, long_opts, &index)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			if (!igt.run_pattern)
				igt.list_subtests = true;
			break;
		case OPT_DESCRIBE:
			if (optarg)
				igt.run_pattern = optarg;
			igt.list_subtests = true;
			igt.describe_subtests = true;
			print_test_description();
			break;
		case OPT_RUN_SUBTEST:
			if (!igt_only_list_subtests())
				igt.run_pattern = optarg;
			break;
		case OPT_DYNAMIC_SUBTEST:
			if (!igt_only_list_subtests())
				igt.dynamic_pattern = optarg;
			break;
		case OPT_DEBUG:
			igt_compat_log_enable_debug(optarg);
			break;
		case OPT_HELP:
			print_usage(stdout, help_str);
			exit(IGT_EXIT_SUCCESS);
		case '?':
			print_usage(stderr, help_str);
			exit(IGT_EXIT_INVALID);
		default: {
			int ret = extra_opt_handler(c, index, handler_data);

			if (ret != IGT_OPT_HANDLER_SUCCESS)
				exit(ret == -1 ? IGT_EXIT_SUCCESS : IGT_EXIT_INVALID);
		}
		}
	}

	/* What getopt left over follows argv[0], as IGT does. */
	for (int i = 0; optind + i < *argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;

	free(short_opts);
	free(long_opts);
}

static void print_version(void)
{
	struct utsname uts;

	if (uname(&uts))
		memset(&uts, 0, sizeof(uts));
	printf("IGT-Version: %s (%s) (%s: %s %s)\n", IGT_COMPAT_VERSION,
	       IGT_COMPAT_CPU, uts.sysname, uts.release, uts.machine);
	fflush(stdout);
}

/* Seed random() from IGT_SRANDOM or the clock, and say which seed. */
static void seed_random(void)
{
	const char *param = getenv("IGT_SRANDOM");
	int seed = param ? atoi(param) : (int)time(NULL);

	srandom(seed);
	igt_info("Using IGT_SRANDOM=%d for randomisation\n", seed);
}

/* Under memory pressure, the kernel should kill the test, not the runner. */
static void oom_adjust_for_doom(void)
{
	static const char always_kill[] = "1000";
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, always_kill, sizeof(always_kill) - 1) < 0)
		igt_debug("cannot raise the OOM score: %s\n", strerror(errno));
	close(fd);
}

/**
 * igt_subtest_init_parse_opts - start a test with subtests
 * @argc: the test's argc, reduced to what getopt left over
 * @argv: the test's argv, reordered likewise
 * @extra_short_opts: the test's own short options, or NULL
 * @extra_long_opts: the test's own long options, or NULL
 * @help_str: the test's lines for --help, or NULL
 * @extra_opt_handler: called for each of the test's own options
 * @handler_data: passed to @extra_opt_handler
 *
 * Called by igt_main() and igt_main_args(). Unless only listing, prints the
 * IGT-Version line, seeds random() and makes the test the OOM killer's
 * first choice. Installs the signal handling that reports crashes.
 *
 * Return: 0 (errors exit).
 */
int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	igt.command = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	igt.plain_output = !isatty(STDOUT_FILENO) || getenv("IGT_PLAIN_OUTPUT");
	igt.stderr_sentinel = getenv("IGT_SENTINEL_ON_STDERR") != NULL;
	igt_compat_log_init();

	parse_command_line(argc, argv, extra_short_opts, extra_long_opts,
			   help_str, extra_opt_handler, handler_data);

	if (!igt_only_list_subtests()) {
		igt_kmsg(KMSG_INFO "%s: executing\n", igt.command);
		print_version();
		seed_random();
		oom_adjust_for_doom();
	}
	igt_compat_install_signal_handlers();

	/* isatty() and friends leave ENOTTY: no "Last errno" from setup. */
	errno = 0;
	return 0;
}

static void print_start_line(bool dynamic, const char *name)
{
	const char *what = dynamic ? "dynamic subtest" : "subtest";

	printf("Starting %s: %s\n", what, name);
	fflush(stdout);
	if (igt.stderr_sentinel)
		fprintf(stderr, "Starting %s: %s\n", what, name);
}

static void print_result_line(bool dynamic, const char *name,
			      const char *result, double seconds)
{
	const char *what = dynamic ? "Dynamic subtest" : "Subtest";

	printf("%s%s %s: %s (%.3fs)%s\n", igt.plain_output ? "" : "\x1b[1m",
	       what, name, result, seconds, igt.plain_output ? "" : "\x1b[0m");
	fflush(stdout);
	if (igt.stderr_sentinel)
		fprintf(stderr, "%s %s: %s (%.3fs)\n", what, name, result, seconds);
}

static bool valid_subtest_name(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && *name != '-' && *name != '_')
			return false;
	return true;
}

/**
 * __igt_run_subtest - decide whether a subtest runs, and start it
 * @name: the subtest's name
 * @file: source file of the subtest, for --describe
 * @line: source line of the subtest, for --describe
 *
 * Context: in igt_main() or an igt_subtest_group(), outside fixtures.
 * Return: true when the subtest's block must run now.
 */
bool __igt_run_subtest(const char *name, const char *file, int line)
{
	if (igt_can_fail())
		igt_compat_misuse("igt_subtest can be nested only in igt_main() or igt_subtest_group()\n");

	if (!valid_subtest_name(name)) {
		igt_critical("Invalid subtest name \"%s\".\n", name);
		exit(IGT_EXIT_INVALID);
	}

	if (igt.run_pattern) {
		if (!igt_compat_wildmat(name, igt.run_pattern)) {
			igt.description[0] = '\0';
			return false;
		}
		igt.run_pattern_matched = true;
	}

	if (igt.describe_subtests) {
		print_subtest_description(name, file, line);
		igt.description[0] = '\0';
		return false;
	}
	if (igt.list_subtests) {
		printf("%s\n", name);
		return false;
	}

	if (igt.fixture_outcome != FIXTURE_OK) {
		print_result_line(false, name,
				  igt.fixture_outcome == FIXTURE_SKIPPED ? "SKIP" : "FAIL", 0.0);
		return false;
	}

	igt_kmsg(KMSG_INFO "%s: starting subtest %s\n", igt.command, name);
	print_start_line(false, name);
	igt_compat_log_buffer_reset();
	igt_gettime(&igt.subtest_start);
	igt.subtest = name;
	return true;
}

bool __igt_enter_dynamic_container(void)
{
	igt.dynamics_run = 0;
	igt.dynamic_failed = false;
	return true;
}

/**
 * __igt_run_dynamic_subtest - decide whether a dynamic subtest runs
 * @name: the dynamic subtest's name
 *
 * Context: inside igt_subtest_with_dynamic(), outside another igt_dynamic().
 * Return: true when the dynamic subtest's block must run now.
 */
bool __igt_run_dynamic_subtest(const char *name)
{
	if (!igt.subtest || igt.dynamics_run < 0)
		igt_compat_misuse("igt_dynamic is allowed only inside igt_subtest_with_dynamic\n");
	if (igt.dynamic)
		igt_compat_misuse("igt_dynamic is not allowed to be nested in another igt_dynamic\n");

	if (!valid_subtest_name(name)) {
		igt_critical("Invalid dynamic subtest name \"%s\".\n", name);
		exit(IGT_EXIT_INVALID);
	}

	if (igt.dynamic_pattern && !igt_compat_wildmat(name, igt.dynamic_pattern))
		return false;

	igt_kmsg(KMSG_INFO "%s: starting dynamic subtest %s\n", igt.command, name);
	print_start_line(true, name);
	igt_compat_log_buffer_reset();
	igt.dynamics_run++;
	igt_gettime(&igt.dynamic_start);
	igt.dynamic = name;
	return true;
}

/*
 * Report the current dynamic subtest, or else subtest, as @result and jump
 * out of its block. Children it left behind are killed.
 */
static __noreturn void leave_subtest(const char *result)
{
	const bool dynamic = igt.dynamic != NULL;
	const char **name = dynamic ? &igt.dynamic : &igt.subtest;
	struct timespec *start = dynamic ? &igt.dynamic_start : &igt.subtest_start;
	struct timespec now;

	igt_gettime(&now);
	print_result_line(dynamic, *name, result, igt_time_elapsed(start, &now));
	igt_kmsg(KMSG_INFO "%s: finished %s %s, %s\n", igt.command,
		 dynamic ? "dynamic subtest" : "subtest", *name, result);

	igt_compat_reap_children();

	if (dynamic)
		igt_compat_log_buffer_reset();
	else
		igt.dynamics_run = -1;
	*name = NULL;

	siglongjmp(dynamic ? igt_dynamic_jmpbuf : igt_subtest_jmpbuf, 1);
}

static void record_failure(int exitcode)
{
	if (!igt.failed_one)
		igt.exitcode = exitcode;
	igt.failed_one = true;
}

/* On failure, show the recent log of whatever failed on stderr. */
static void dump_log_of_failure(void)
{
	char who[300];

	/*
	 * A subtest with dynamic subtests fails because one of them did, and
	 * that one already showed its log.
	 */
	if (igt.subtest && !igt.dynamic && igt.dynamics_run >= 0) {
		igt_compat_log_buffer_reset();
		return;
	}

	if (igt.dynamic)
		snprintf(who, sizeof(who), "Dynamic subtest %s", igt.dynamic);
	else if (igt.subtest)
		snprintf(who, sizeof(who), "Subtest %s", igt.subtest);
	else
		snprintf(who, sizeof(who), "Test %s", igt.command);
	igt_compat_log_buffer_dump(who);
}

bool __igt_fixture(void)
{
	if (igt.in_fixture)
		igt_compat_misuse("nesting multiple igt_fixture()s is invalid\n");
	if (igt.subtest)
		igt_compat_misuse("nesting igt_fixture() in igt_subtest is invalid\n");

	if (igt_only_list_subtests() || igt.fixture_outcome != FIXTURE_OK)
		return false;

	igt.in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	igt.in_fixture = false;
}

void __igt_fixture_end(void)
{
	igt.in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

void __igt_subtest_group_save(int *save, int *desc)
{
	if (igt.description[0]) {
		if (igt.group_depth == GROUP_DEPTH_MAX)
			igt_compat_misuse("described igt_subtest_group()s nest deeper than %d\n",
					  GROUP_DEPTH_MAX);
		memcpy(igt.group_description[igt.group_depth++], igt.description,
		       sizeof(igt.description));
		igt.description[0] = '\0';
		*desc = true;
	}
	*save = igt.fixture_outcome;
}

void __igt_subtest_group_restore(int save, int desc)
{
	if (desc)
		igt.group_depth--;
	igt.fixture_outcome = save;
}

void igt_describe_f(const char *fmt, ...)
{
	va_list args;

	if (igt.subtest && igt.dynamics_run >= 0)
		igt_compat_misuse("documenting dynamic subsubtests is impossible, document the subtest instead.\n");

	if (!igt.describe_subtests)
		return;

	va_start(args, fmt);
	vsnprintf(igt.description, sizeof(igt.description), fmt, args);
	va_end(args);
}

/**
 * igt_skip - skip the current dynamic subtest, subtest or fixture
 * @f: printf format of the reason, printed on stdout
 *
 * Skipping a fixture skips the rest of its igt_subtest_group().
 */
void igt_skip(const char *f, ...)
{
	va_list args;

	if (igt_compat_is_test_child())
		igt_compat_misuse("skips are not allowed in forks\n");

	if (!igt_only_list_subtests()) {
		va_start(args, f);
		vprintf(f, args);
		va_end(args);
	}

	if (igt.subtest) {
		/* A skipped dynamic subtest does not count as run. */
		if (igt.dynamic)
			igt.dynamics_run--;
		leave_subtest("SKIP");
	}

	if (!igt.in_fixture)
		igt_compat_misuse("skipping is allowed only in fixtures, subtests or igt_simple_main()\n");
	igt.fixture_outcome = FIXTURE_SKIPPED;
	__igt_fixture_end();
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *f, ...)
{
	static char *reason;	/* igt_skip() does not return: free it next time */
	char errno_line[128] = "";
	int err = errno;
	va_list args;

	if (err)
		snprintf(errno_line, sizeof(errno_line), "Last errno: %i, %s\n",
			 err, strerror(err));

	free(reason);
	reason = NULL;
	if (f) {
		va_start(args, f);
		if (vasprintf(&reason, f, args) < 0)
			reason = NULL;
		va_end(args);
	}

	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s",
		 func, file, line, check, reason ?: "", errno_line);
}

/**
 * igt_success - end the current dynamic subtest or subtest as passed
 *
 * Ending a subtest with dynamic subtests gives FAIL if one of them failed
 * and SKIP if none ran. Outside a subtest it only counts as a success.
 */
void igt_success(void)
{
	if (igt.subtest && !igt.dynamic && igt.dynamics_run >= 0) {
		if (igt.dynamic_failed)
			igt_fail(IGT_EXIT_FAILURE);
		if (igt.dynamics_run == 0)
			igt_skip("No dynamic tests executed.\n");
	}

	if (!igt.dynamic)
		igt.succeeded_one = true;
	if (igt.subtest)
		leave_subtest("SUCCESS");
}

/**
 * igt_fail - fail the current dynamic subtest, subtest or fixture
 * @exitcode: exit code of the test (not 0 nor 77)
 *
 * Failing a fixture fails the rest of its igt_subtest_group(); failing in
 * an igt_fork() child ends the child with @exitcode.
 */
void igt_fail(int exitcode)
{
	if (exitcode == IGT_EXIT_SUCCESS || exitcode == IGT_EXIT_SKIP)
		igt_compat_misuse("igt_fail() needs a failure exit code, not %d\n", exitcode);

	/* An exit handler failing: no subtest to report it in. */
	if (igt_compat_in_atexit_handler())
		_exit(IGT_EXIT_FAILURE);

	if (igt.dynamic) {
		igt.dynamic_failed = true;
	} else {
		if (igt.dynamics_run >= 0 && !igt.dynamic_failed)
			igt_compat_misuse("igt_subtest_with_dynamic may fail only inside igt_dynamic\n");
		record_failure(exitcode);
	}

	dump_log_of_failure();

	if (igt_compat_is_test_child())
		exit(exitcode);

	if (igt.subtest)
		leave_subtest("FAIL");

	if (!igt.in_fixture)
		igt_compat_misuse("failing test is only allowed in fixtures, subtests and igt_simple_main()\n");
	igt.fixture_outcome = FIXTURE_FAILED;
	__igt_fixture_end();
}

/*
 * The CRITICAL lines of a failed assertion or an abort: where, what, the
 * errno seen when it happened and the test's own message (f may be NULL).
 */
static void log_failure(const char *domain, const char *what, const char *func,
			const char *file, int line, const char *label,
			const char *expression, int err, const char *f, va_list args)
{
	igt_log(domain, IGT_LOG_CRITICAL, "%s %s, file %s:%i:\n",
		what, func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "%s: %s\n", label, expression);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err, strerror(err));
	if (f)
		igt_vlog(domain, IGT_LOG_CRITICAL, f, args);
}

void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *f, ...)
{
	int err = errno;
	va_list args;

	va_start(args, f);
	log_failure(domain, "Test assertion failure function", func, file, line,
		    "Failed assertion", assertion, err, f, args);
	va_end(args);
	igt_compat_print_backtrace();

	igt_fail(IGT_EXIT_FAILURE);
}

void __igt_abort(const char *domain, const char *file, int line,
		 const char *func, const char *expression, const char *f, ...)
{
	int err = errno;
	va_list args;

	igt_kmsg(KMSG_ERR "%s[%d]: Abort in function %s, file %s:%i, %s\n",
		 igt.command, getpid(), func, file, line, expression);
	va_start(args, f);
	log_failure(domain, "Test abort in function", func, file, line,
		    "abort condition", expression, err, f, args);
	va_end(args);

	igt_kill_children(SIGKILL);
	igt_compat_print_backtrace();
	dump_log_of_failure();

	exit(IGT_EXIT_ABORT);
}

/**
 * igt_compat_crash - account for a crash signal (SIGSEGV, SIGBUS, ...)
 * @sig: the signal
 *
 * Context: the fatal signal handler. In a subtest, reports it as CRASH
 * and continues with the next subtest, as IGT does; otherwise returns and
 * the process dies from @sig. In an igt_fork() child, only returns: the
 * parent reports the child's death.
 */
void igt_compat_crash(int sig)
{
	if (igt_compat_is_test_child())
		return;

	record_failure(128 + sig);
	if (igt.dynamic)
		igt.dynamic_failed = true;
	if (igt.subtest)
		leave_subtest("CRASH");
}

/**
 * igt_exit - end the test with the exit code that sums up its subtests
 *
 * Called at the end of igt_main(). Exits with IGT_EXIT_INVALID when
 * --run-subtest named no existing subtest.
 */
void igt_exit(void)
{
	if (igt.run_pattern && !igt.run_pattern_matched) {
		igt_critical("Unknown subtest: %s\n", igt.run_pattern);
		exit(IGT_EXIT_INVALID);
	}

	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	if (!igt.failed_one)
		igt.exitcode = igt.succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;

	igt_kmsg(KMSG_INFO "%s: exiting, ret=%d\n", igt.command, igt.exitcode);
	igt_debug("Exiting with status code %d\n", igt.exitcode);

	igt_compat_reap_children();
	exit(igt.exitcode);
}

const char *igt_test_name(void)
{
	return igt.command;
}

const char *igt_subtest_name(void)
{
	return igt.subtest;
}

const char *igt_dynamic_subtest_name(void)
{
	return igt.dynamic;
}

bool igt_only_list_subtests(void)
{
	return igt.list_subtests;
}

bool igt_can_fail(void)
{
	return igt.in_fixture || igt.subtest;
}
