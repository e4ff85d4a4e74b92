# SPDX-License-Identifier: MIT
"""Compare two runs test by test: what regressed, what got fixed.

Results compare by their drm-ci status; a failure is Fail, Crash, Timeout,
Warn or Missing (the runner never reached the test).
"""

from dataclasses import dataclass

from .judge import judged_tests
from .results import status_of
from .results import by_test_key
from .store import results_of

REGRESSION = "regression"      # did not fail (or did not exist), fails now
FIXED = "fixed"                # failed, passes now
CHANGED = "changed"            # failed, fails another way now
NOW_SKIPPED = "now-skipped"    # passed, skips now: coverage lost
UNSKIPPED = "unskipped"        # skipped, passes now
NEW = "new"                    # absent before, does not fail now
REMOVED = "removed"            # absent now
CHANGE_KINDS = (REGRESSION, CHANGED, NOW_SKIPPED, REMOVED, FIXED, UNSKIPPED, NEW)
_NOT_FAILING = ("Pass", "Skip")


@dataclass(frozen=True)
class Change:
    test: str
    before: str   # igt result in the base run, None when absent
    after: str    # igt result in the run, None when absent
    kind: str


@dataclass(frozen=True)
class Comparison:
    base: object   # store.Run
    run: object    # store.Run
    changes: tuple

    def count(self, kind):
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def headline(self):
        """"+13 failures, -2 fixed vs run 4" on one line."""
        failures = self.count(REGRESSION)
        fixed = self.count(FIXED)
        return (f"{self.run.config}: {failures:+d} failure"
                f"{'s' if abs(failures) != 1 else ''}, -{fixed} fixed in "
                f"run {self.run.id} vs run {self.base.id} "
                f"({self.base.label}, {self.base.date[:10]})")


def compare_runs(db, base, run):
    """base against run; across configurations, by results.test_key(), so
    a dynamic subtest named after its GPU and XNACK mode pairs with itself."""
    before, after = results_of(db, base), results_of(db, run)
    if base.config != run.config:
        before, after = by_test_key(before), by_test_key(after)
    return Comparison(base=base, run=run, changes=compare(before, after))


def compare(before, after):
    """before, after: test -> igt result.  The changes, regressions first."""
    before_tests, after_tests = judged_tests(before), judged_tests(after)
    changes = []
    for test in sorted(set(before_tests) | set(after_tests)):
        old = before[test] if test in before_tests else None
        new = after[test] if test in after_tests else None
        kind = _kind(old and status_of(old), new and status_of(new))
        if kind:
            changes.append(Change(test=test, before=old, after=new, kind=kind))
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    changes.sort(key=lambda c: (order[c.kind], c.test))
    return tuple(changes)


def _kind(old, new):
    if new is None:
        return REMOVED
    failing_now = new not in _NOT_FAILING
    if old is None:
        return REGRESSION if failing_now else NEW
    if old == new:
        return None
    if old not in _NOT_FAILING:
        if failing_now:
            return CHANGED
        return FIXED if new == "Pass" else NOW_SKIPPED
    if failing_now:
        return REGRESSION
    return NOW_SKIPPED if new == "Skip" else UNSKIPPED
