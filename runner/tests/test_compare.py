# SPDX-License-Identifier: MIT
import unittest

from svm_results.compare import (CHANGED, FIXED, NEW, NOW_SKIPPED, REGRESSION,
                                 REMOVED, UNSKIPPED, compare)


class CompareTest(unittest.TestCase):
    def test_kinds(self):
        before = {"t@regressed": "pass", "t@fixed": "fail", "t@changed": "fail",
                  "t@skipped": "pass", "t@unskipped": "skip", "t@removed": "pass",
                  "t@same": "fail", "t@aborted": "pass"}
        after = {"t@regressed": "fail", "t@fixed": "pass", "t@changed": "timeout",
                 "t@skipped": "skip", "t@unskipped": "pass", "t@new": "pass",
                 "t@new-failing": "crash", "t@same": "fail", "t@aborted": "notrun"}
        kinds = {c.test: c.kind for c in compare(before, after)}
        self.assertEqual(kinds, {
            "t@regressed": REGRESSION, "t@fixed": FIXED, "t@changed": CHANGED,
            "t@skipped": NOW_SKIPPED, "t@unskipped": UNSKIPPED,
            "t@removed": REMOVED, "t@new": NEW, "t@new-failing": REGRESSION,
            "t@aborted": REGRESSION})

    def test_regressions_come_first(self):
        changes = compare({"a@x": "fail", "z@y": "pass"},
                          {"a@x": "pass", "z@y": "fail"})
        self.assertEqual([c.kind for c in changes], [REGRESSION, FIXED])

    def test_dynamic_parent_is_not_counted_twice(self):
        changes = compare({"t@m": "pass", "t@m@2m": "pass"},
                          {"t@m": "fail", "t@m@2m": "fail"})
        self.assertEqual([c.test for c in changes], ["t@m@2m"])
