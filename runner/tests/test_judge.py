# SPDX-License-Identifier: MIT
import re

from svm_results.expectations import ExpectationSet, ExpectedFailure, PatternLine
from svm_results.judge import (EXPECTED_FAIL, FLAKE, MISSING, PASS, SKIP,
                               UNEXPECTED_FAIL, UNEXPECTED_PASS, judge)

from .fixtures import TempDirTestCase


def expectation_set(fails=(), flakes=(), skips=()):
    def patterns(items):
        return [PatternLine(pattern=p, regex=re.compile(p), line=i + 1)
                for i, p in enumerate(items)]
    return ExpectationSet(
        name="gfx943-xnack-on", directory="/exp",
        fails={t: ExpectedFailure(test=t, status=s, line=i + 1)
               for i, (t, s) in enumerate(fails)},
        flakes=patterns(flakes), skips=patterns(skips))


class JudgeTest(TempDirTestCase):
    def verdicts(self, results, expectations=None, previous=None, requested=None):
        judgement = judge(results, expectations or expectation_set(), previous,
                          requested=requested)
        return {v.test: v for v in judgement.verdicts}

    def test_categories(self):
        expectations = expectation_set(
            fails=[("t@expected", "Fail"), ("t@kind", "Crash"), ("t@fixed", "Fail")],
            flakes=["^t@flaky$"])
        verdicts = self.verdicts({
            "t@pass": "pass", "t@expected": "fail", "t@kind": "fail",
            "t@fixed": "pass", "t@regressed": "dmesg-warn", "t@skip": "skip",
            "t@flaky": "timeout", "t@unreached": "notrun"}, expectations)
        self.assertEqual({t: v.category for t, v in verdicts.items()}, {
            "t@pass": PASS, "t@expected": EXPECTED_FAIL,
            "t@kind": UNEXPECTED_FAIL, "t@fixed": UNEXPECTED_PASS,
            "t@regressed": UNEXPECTED_FAIL, "t@skip": SKIP, "t@flaky": FLAKE,
            "t@unreached": MISSING})
        self.assertIn("expected Crash", verdicts["t@kind"].note)
        self.assertIn("delete line 3 of", verdicts["t@fixed"].note)
        self.assertIn("t@fixed,Fail", verdicts["t@fixed"].note)

    def test_crash_expectation_matches_incomplete_and_abort(self):
        expectations = expectation_set(fails=[("t@a", "Crash"), ("t@b", "Crash")])
        verdicts = self.verdicts({"t@a": "incomplete", "t@b": "abort"}, expectations)
        self.assertEqual({v.category for v in verdicts.values()}, {EXPECTED_FAIL})

    def test_flake_that_passes_is_a_pass(self):
        verdicts = self.verdicts({"t@flaky": "pass"},
                                 expectation_set(flakes=["flaky"]))
        self.assertEqual(verdicts["t@flaky"].category, PASS)

    def test_new_and_missing_against_the_previous_run(self):
        verdicts = self.verdicts(
            {"t@kept": "pass", "t@added": "fail"},
            expectation_set(skips=["^t@skipped$"]),
            previous={"t@kept": "pass", "t@gone": "pass", "t@skipped": "pass"})
        self.assertTrue(verdicts["t@added"].new)
        self.assertEqual(verdicts["t@added"].category, UNEXPECTED_FAIL)
        self.assertFalse(verdicts["t@kept"].new)
        self.assertEqual(verdicts["t@gone"].category, MISSING)
        self.assertIsNone(verdicts["t@gone"].result)
        self.assertNotIn("t@skipped", verdicts)

    def test_expected_failure_absent_from_run_is_missing(self):
        verdicts = self.verdicts({"t@a": "pass"},
                                 expectation_set(fails=[("t@b", "Fail")]))
        self.assertEqual(verdicts["t@b"].category, MISSING)

    def test_tests_the_run_did_not_ask_for_are_not_missing(self):
        # A fast-testlist run after a full one: only its own jobs can be missing.
        verdicts = self.verdicts(
            {"t@a": "pass"},
            expectation_set(fails=[("u@b", "Fail")]),
            previous={"t@a": "pass", "t@unasked": "pass", "t@crashed-before": "pass",
                      "whole@x": "pass"},
            requested={"t@a", "t@crashed-before", "whole"})
        self.assertNotIn("t@unasked", verdicts)
        self.assertNotIn("u@b", verdicts)
        self.assertEqual(verdicts["t@crashed-before"].category, MISSING)
        self.assertEqual(verdicts["whole@x"].category, MISSING)

    def test_dynamic_subtests_carry_their_parent(self):
        verdicts = self.verdicts({"t@migrate": "fail", "t@migrate@4k": "pass",
                                  "t@migrate@2m": "fail"})
        self.assertNotIn("t@migrate", verdicts)
        self.assertEqual(verdicts["t@migrate@2m"].category, UNEXPECTED_FAIL)

    def test_parent_failing_alone_is_judged(self):
        verdicts = self.verdicts({"t@migrate": "fail", "t@migrate@4k": "pass"})
        self.assertEqual(verdicts["t@migrate"].category, UNEXPECTED_FAIL)

    def test_unexpected_results_sort_first(self):
        judgement = judge({"a@pass": "pass", "z@broken": "fail"},
                          expectation_set(), None)
        self.assertEqual(judgement.verdicts[0].test, "z@broken")
        self.assertEqual(len(judgement.unexpected), 1)
