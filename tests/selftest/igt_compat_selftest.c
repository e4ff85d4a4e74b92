// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: igt compat selftest
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Test framework
 * Functionality: IGT test API, igt_runner protocol
 * Description: Subtests whose outcome is known in advance, one per kind of
 *	result igt_runner can report. Run under igt_runner, results.json must
 *	show exactly the results of expected-results.txt; that proves the IGT
 *	API implementation the suite is built with (lib/igt-compat, or a real
 *	IGT) speaks igt_runner's protocol.
 *
 * SUBTEST: pass
 * Description: Passes.
 *
 * SUBTEST: assertions-hold
 * Description: Every assertion and requirement macro, given a condition
 *	that holds, lets the subtest pass.
 *
 * SUBTEST: assert-fails
 * Description: A failing igt_assert_eq() fails the subtest.
 *
 * SUBTEST: require-skips
 * Description: An unmet igt_require_f() skips the subtest.
 *
 * SUBTEST: fixture-skip-first
 * Description: Skipped by the unmet requirement of its group's fixture.
 *
 * SUBTEST: fixture-skip-second
 * Description: Skipped by the same fixture, which ran only once.
 *
 * SUBTEST: after-skipped-group
 * Description: Passes: a fixture skip stays inside its group.
 *
 * SUBTEST: dynamic-mixed
 * Description: Fails because one of its dynamic subtests fails; the others
 *	pass or skip and are reported one by one.
 *
 * SUBTEST: dynamic-all-pass
 * Description: Passes because all of its dynamic subtests pass.
 *
 * SUBTEST: dynamic-all-skip
 * Description: Skips because none of its dynamic subtests ran to the end.
 *
 * SUBTEST: fork-children-pass
 * Description: Passes when all igt_fork() children pass.
 *
 * SUBTEST: fork-child-fails
 * Description: Fails when one igt_fork() child fails an assertion.
 *
 * SUBTEST: crash-segfault
 * Description: A segmentation fault is reported as a crash of this subtest
 *	only.
 *
 * SUBTEST: timeout-hangs
 * Description: Hangs until igt_runner's --per-test-timeout kills it, which
 *	igt_runner reports as a timeout; fails if nothing kills it within
 *	--hang-seconds.
 *
 * SUBTEST: until-timeout-loops
 * Description: igt_until_timeout() runs its block repeatedly for its time.
 *
 * SUBTEST: warn-on-stderr
 * Description: Passes but prints a warning, which igt_runner reports as
 *	warn.
 */

#include <unistd.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Subtests of known outcome, one per result igt_runner can report.");

enum outcome {
	OUTCOME_PASS,
	OUTCOME_FAIL,
	OUTCOME_SKIP,
};

struct dynamic_case {
	const char *name;
	enum outcome outcome;
};

static const struct dynamic_case mixed_cases[] = {
	{ "pass-a", OUTCOME_PASS },
	{ "pass-b", OUTCOME_PASS },
	{ "fail", OUTCOME_FAIL },
	{ "skip", OUTCOME_SKIP },
};

static const struct dynamic_case passing_cases[] = {
	{ "one", OUTCOME_PASS },
	{ "two", OUTCOME_PASS },
};

static const struct dynamic_case skipping_cases[] = {
	{ "skipped", OUTCOME_SKIP },
};

/* Read through an address the compiler cannot prove is NULL. */
static int *volatile null_pointer;

static unsigned int hang_seconds = 60;

static int parse_option(int opt, int opt_index, void *data)
{
	char *end;

	switch (opt) {
	case 's':
		hang_seconds = strtoul(optarg, &end, 10);
		if (*end || *optarg == '-' || hang_seconds == 0) {
			igt_critical("--hang-seconds needs a positive number, not \"%s\"\n", optarg);
			return IGT_OPT_HANDLER_ERROR;
		}
		return IGT_OPT_HANDLER_SUCCESS;
	default:
		return IGT_OPT_HANDLER_ERROR;
	}
}

static const struct option long_options[] = {
	{ "hang-seconds", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

static const char help_text[] =
	"  -s, --hang-seconds N\tHow long timeout-hangs waits to be killed (default 60)\n";

/* One dynamic subtest per case, each ending as its case says. */
static void run_dynamic_cases(const struct dynamic_case *cases, int count)
{
	for (int i = 0; i < count; i++) {
		igt_dynamic_f("%s", cases[i].name) {
			igt_info("dynamic case %s\n", cases[i].name);
			igt_skip_on_f(cases[i].outcome == OUTCOME_SKIP,
				      "case %s is meant to skip\n", cases[i].name);
			igt_assert_f(cases[i].outcome == OUTCOME_PASS,
				     "case %s is meant to fail\n", cases[i].name);
		}
	}
}

static void check_every_assertion(void)
{
	const int fd = STDIN_FILENO;
	int value = 3;

	igt_assert(value == 3);
	igt_assert_f(value == 3, "value is %d\n", value);
	igt_fail_on(value != 3);
	igt_fail_on_f(value != 3, "value is %d\n", value);
	igt_assert_eq(value, 3);
	igt_assert_neq(value, 4);
	igt_assert_lt(value, 4);
	igt_assert_lte(value, 3);
	igt_assert_eq_u32(0xffffffffu, UINT32_MAX);
	igt_assert_neq_u32(1u, 2u);
	igt_assert_lt_u32(1u, 0xffffffffu);
	igt_assert_lte_u32(2u, 2u);
	igt_assert_eq_u64(1ull << 40, 0x10000000000ull);
	igt_assert_neq_u64(1ull << 40, 1ull << 41);
	igt_assert_lt_u64(1ull << 40, 1ull << 41);
	igt_assert_lte_u64(1ull << 41, 1ull << 41);
	igt_assert_eq_s64(-(1ll << 40), -0x10000000000ll);
	igt_assert_lt_s64(-(1ll << 41), -(1ll << 40));
	igt_assert_lte_s64(-1ll, -1ll);
	igt_assert_eq_double(0.5, 1.0 / 2);
	igt_assert_neq_double(0.5, 0.25);
	igt_assert_lt_double(0.25, 0.5);
	igt_assert_eq_ptr(&value, &value);
	igt_assert_neq_ptr(&value, NULL);
	igt_assert_fd(fd);
	igt_require(value == 3);
	igt_require_f(value == 3, "value is %d\n", value);
	igt_require_fd(fd);
	igt_skip_on(value != 3);
	igt_skip_on_f(value != 3, "value is %d\n", value);
	igt_assert(!igt_warn_on(value != 3));
	igt_assert(!igt_warn_on_f(value != 3, "value is %d\n", value));
}

int igt_main_args("s:", long_options, help_text, parse_option, NULL)
{
	igt_describe("Passes.");
	igt_subtest("pass")
		igt_info("this subtest passes\n");

	igt_describe("Every assertion and requirement macro, given a condition that holds, lets the subtest pass.");
	igt_subtest("assertions-hold")
		check_every_assertion();

	igt_describe("A failing igt_assert_eq() fails the subtest.");
	igt_subtest("assert-fails") {
		igt_debug("about to compare 1 + 1 with 3\n");
		igt_assert_eq(1 + 1, 3);
	}

	igt_describe("An unmet igt_require_f() skips the subtest.");
	igt_subtest("require-skips")
		igt_require_f(false, "this requirement is never met\n");

	igt_describe("A fixture whose requirement is unmet skips the subtests of its group.");
	igt_subtest_group() {
		igt_fixture()
			igt_require_f(false, "this group's requirement is never met\n");

		igt_describe("Skipped by the unmet requirement of its group's fixture.");
		igt_subtest("fixture-skip-first")
			igt_assert_f(false, "runs although its fixture skipped\n");

		igt_describe("Skipped by the same fixture, which ran only once.");
		igt_subtest("fixture-skip-second")
			igt_assert_f(false, "runs although its fixture skipped\n");
	}

	igt_describe("Passes: a fixture skip stays inside its group.");
	igt_subtest("after-skipped-group")
		igt_info("the group's skip did not leak out\n");

	igt_describe("Fails because one of its dynamic subtests fails; the others pass or skip and are reported one by one.");
	igt_subtest_with_dynamic("dynamic-mixed")
		run_dynamic_cases(mixed_cases, ARRAY_SIZE(mixed_cases));

	igt_describe("Passes because all of its dynamic subtests pass.");
	igt_subtest_with_dynamic("dynamic-all-pass")
		run_dynamic_cases(passing_cases, ARRAY_SIZE(passing_cases));

	igt_describe("Skips because none of its dynamic subtests ran to the end.");
	igt_subtest_with_dynamic("dynamic-all-skip")
		run_dynamic_cases(skipping_cases, ARRAY_SIZE(skipping_cases));

	igt_describe("Passes when all igt_fork() children pass.");
	igt_subtest("fork-children-pass") {
		igt_fork(child, 3)
			igt_assert_lt(child, 3);
		igt_waitchildren();
	}

	igt_describe("Fails when one igt_fork() child fails an assertion.");
	igt_subtest("fork-child-fails") {
		igt_fork(child, 3)
			igt_assert_f(child != 1, "child %d is meant to fail\n", child);
		igt_waitchildren();
	}

	igt_describe("A segmentation fault is reported as a crash of this subtest only.");
	igt_subtest("crash-segfault")
		*null_pointer = 1;

	igt_describe("Hangs until igt_runner's --per-test-timeout kills it; fails if nothing kills it within --hang-seconds.");
	igt_subtest("timeout-hangs") {
		igt_until_timeout(hang_seconds)
			sleep(1);
		igt_assert_f(false, "not killed within %u s: igt_runner's --per-test-timeout should have\n",
			     hang_seconds);
	}

	igt_describe("igt_until_timeout() runs its block repeatedly for its time.");
	igt_subtest("until-timeout-loops") {
		struct timespec start = {};
		int rounds = 0;

		igt_nsec_elapsed(&start);
		igt_until_timeout(1)
			rounds++;
		igt_info("%d rounds in %.3f s\n", rounds, igt_nsec_elapsed(&start) * 1e-9);
		igt_assert_lt(1, rounds);
	}

	igt_describe("Passes but prints a warning, which igt_runner reports as warn.");
	igt_subtest("warn-on-stderr")
		igt_warn("this warning turns the pass into a warn\n");
}
