# SPDX-License-Identifier: MIT
"""Judge one run against its GPU's expectations and the run before it.

Every test gets one category:

pass             passed, as expected
expected-fail    failed the way its fails.txt line says
skip             skipped (never a regression: the test saw no hardware for it)
flake            did not pass, but a flakes.txt regex names it
unexpected-fail  failed (or failed another way) with no fails.txt line saying so
unexpected-pass  passed although fails.txt lists it: the line is to be deleted
missing          ran in the previous run of this GPU, or is in fails.txt, but
                 is absent from this run, or the runner never reached it

A test absent from the previous run is also marked new.  A subtest with
dynamic subtests is judged by them; it counts by itself only when it failed
while none of its dynamic subtests did.
"""

from collections import defaultdict
from dataclasses import dataclass

from .expectations import load_for_config
from .resultsfile import requested_jobs, was_requested
from .results import parent_of, status_of
from .store import Run, latest_per_config, previous_run, results_of

PASS = "pass"
EXPECTED_FAIL = "expected-fail"
SKIP = "skip"
FLAKE = "flake"
UNEXPECTED_FAIL = "unexpected-fail"
UNEXPECTED_PASS = "unexpected-pass"
MISSING = "missing"
CATEGORIES = (UNEXPECTED_FAIL, UNEXPECTED_PASS, MISSING, FLAKE,
              EXPECTED_FAIL, SKIP, PASS)
UNEXPECTED = (UNEXPECTED_FAIL, UNEXPECTED_PASS, MISSING)
_NOT_FAILED = ("Pass", "Skip")


@dataclass(frozen=True)
class Verdict:
    test: str
    result: str        # igt_runner result, None when absent from the run
    category: str
    expected: str      # the drm-ci status expected: Pass, Fail, Crash, ...
    new: bool
    note: str          # why, for the humans: which line, which run

    @property
    def unexpected(self):
        return self.category in UNEXPECTED


@dataclass(frozen=True)
class Judgement:
    run: object            # store.Run (id None: a folder not stored), or None
    expectations: object   # expectations.ExpectationSet
    previous: object       # store.Run judged against for new/missing, or None
    verdicts: tuple

    def count(self, category):
        return sum(1 for v in self.verdicts if v.category == category)

    @property
    def unexpected(self):
        return [v for v in self.verdicts if v.unexpected]

    @property
    def new_tests(self):
        return [v for v in self.verdicts if v.new]


def judge_run(db, run, expectations_dir):
    """Judge a stored run against its configuration's expectations."""
    previous = previous_run(db, run)
    return judge(results_of(db, run), load_for_config(expectations_dir, run.config),
                 results_of(db, previous) if previous else None,
                 run=run, previous=previous,
                 requested=requested_jobs(run.results_dir))


def judge_results_dir(db, results_run, identity, expectations_dir):
    """Judge a results folder that is not stored; db (or None) gives the
    previous run of its configuration."""
    run = Run(id=None, config=identity.config, gfx_target=identity.gfx_target,
              xnack=identity.xnack, virtual=identity.virtual,
              kernel=identity.kernel, driver_commit=identity.driver_commit,
              igt_version=identity.igt_version, machine=identity.machine,
              date=identity.date, label=identity.label,
              results_dir=results_run.path)
    latest = latest_per_config(db, config=identity.config) if db else []
    previous = latest[0] if latest else None
    return judge({t: r.result for t, r in results_run.tests.items()},
                 load_for_config(expectations_dir, identity.config),
                 results_of(db, previous) if previous else None,
                 run=run, previous=previous,
                 requested=requested_jobs(results_run.path))


def judge(results, expectations, previous_results, run=None, previous=None,
          requested=None):
    """results, previous_results: test -> igt result (previous may be None).
    requested: the run's jobs (resultsfile.requested_jobs), or None; a test
    outside them is not missing, only not asked for."""
    verdicts = [_verdict(t, results[t], expectations, previous_results, previous)
                for t in judged_tests(results)]
    containers = {parent_of(t) for t in results}
    expected_tests = set(expectations.fails) | set(previous_results or ())
    for test in sorted(expected_tests - set(results)):
        if expectations.skip_for(test) or expectations.flake_for(test):
            continue
        if not was_requested(test, requested):
            continue
        if test in containers:
            continue   # became a container of dynamic subtests
        where = (f"ran in {_name(previous)}" if previous_results
                 and test in previous_results else "listed in "
                 f"{expectations.shown_path('fails')}")
        verdicts.append(Verdict(test=test, result=None, category=MISSING,
                                expected=_expected_status(test, expectations),
                                new=False, note=f"absent from this run; {where}"))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    verdicts.sort(key=lambda v: (order[v.category], v.test))
    return Judgement(run=run, expectations=expectations, previous=previous,
                     verdicts=tuple(verdicts))


def judged_tests(results):
    """The tests of results (test -> igt result) that count, sorted: all but
    the subtests whose dynamic subtests carry their result."""
    children = defaultdict(list)
    for test, result in results.items():
        if parent_of(test):
            children[parent_of(test)].append(result)
    return sorted(t for t in results
                  if not _container_explained(results[t], children.get(t)))


def _container_explained(result, children_results):
    """Is this a subtest whose dynamic subtests carry its result?"""
    if not children_results:
        return False
    failed_alone = (status_of(result) not in _NOT_FAILED and
                    all(status_of(r) in _NOT_FAILED for r in children_results))
    return not failed_alone


def _name(previous):
    return f"run {previous.id}" if previous else "the previous run"


def _expected_status(test, expectations):
    failure = expectations.fails.get(test)
    return failure.status if failure else "Pass"


def _verdict(test, result, expectations, previous_results, previous):
    status = status_of(result)
    failure = expectations.fails.get(test)
    flake = expectations.flake_for(test)
    expected = failure.status if failure else "Pass"
    fails_path = expectations.shown_path("fails")
    if status == "Missing":
        category, note = MISSING, "notrun: the runner never reached it"
    elif flake and status != "Pass" and status != "Skip":
        category = FLAKE
        note = f"{expectations.shown_path('flakes')}:{flake.line} {flake.pattern}"
    elif status == "Skip":
        category, note = SKIP, ""
    elif status == "Pass" and failure:
        category = UNEXPECTED_PASS
        note = (f"fixed: delete line {failure.line} of {fails_path}: "
                f"{test},{failure.status}")
    elif status == "Pass":
        category, note = PASS, ""
    elif failure and failure.status == status:
        category, note = EXPECTED_FAIL, f"{fails_path}:{failure.line}"
    elif failure:
        category = UNEXPECTED_FAIL
        note = f"expected {failure.status} ({fails_path}:{failure.line}), got {result}"
    else:
        category, note = UNEXPECTED_FAIL, f"expected Pass, got {result}"
    new = previous_results is not None and test not in previous_results
    if new:
        note = "; ".join(filter(None, (f"new since {_name(previous)}", note)))
    return Verdict(test=test, result=result, category=category,
                   expected=expected, new=new, note=note)
