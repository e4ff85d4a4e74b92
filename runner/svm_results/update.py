# SPDX-License-Identifier: MIT
"""Rewrite a GPU's expectation files from runs, as drm-ci's update-xfails
does: a test that now passes leaves fails.txt, a new failure enters it, a
test whose result differs between the runs (repeats of one build) moves to
flakes.txt with the comment lines drm-ci asks for.  skips.txt is left to
humans.  A virtual GPU without its own set gets one, started from the real
GPU's set it was judged against.
"""

import os
from dataclasses import dataclass

from .expectations import (ExpectationSet, ExpectedFailure, load_for_config,
                           load_set, set_exists)
from .judge import judged_tests
from .results import status_of

_IGNORED = ("Skip", "Missing")  # tell nothing about passing or failing
_REGEX_SPECIALS = set(".^$*+?{}[]\\|()")


@dataclass(frozen=True)
class Update:
    kind: str    # "created", "removed", "added", "changed", "flake"
    test: str
    detail: str


@dataclass(frozen=True)
class Plan:
    source: ExpectationSet   # the set the runs were judged against
    target: ExpectationSet   # config's own set, updated
    updates: tuple           # Update
    flake_blocks: tuple      # new flakes.txt entries, comment lines included


def plan_update(expectations_dir, config, runs_results):
    """runs_results: [(store.Run, test -> igt result)], all of config, oldest
    first.  Nothing is written: see write_plan."""
    source = load_for_config(expectations_dir, config)
    target = (load_set(expectations_dir, config)
              if set_exists(expectations_dir, config)
              else ExpectationSet(name=config, directory=expectations_dir))
    updates = []
    if source.name != config:
        target.fails = dict(source.fails)
        target.flakes = list(source.flakes)
        target.fails_header = source.fails_header
        updates.append(Update("created", "", f"set {config}, started from "
                              f"{source.name}"))
    statuses = {}
    for _, results in runs_results:
        for test in judged_tests(results):
            status = status_of(results[test])
            if status not in _IGNORED:
                statuses.setdefault(test, []).append(status)
    new_flakes = []
    for test in sorted(statuses):
        if target.flake_for(test):
            continue
        seen = set(statuses[test])
        failure = target.fails.get(test)
        if len(seen) > 1:
            new_flakes.append((test, statuses[test]))
            target.fails.pop(test, None)
            updates.append(Update("flake", test, " vs ".join(sorted(seen))
                                  + " between the runs"
                                  + ("; removed from fails" if failure else "")))
        elif seen == {"Pass"}:
            if failure:
                del target.fails[test]
                updates.append(Update("removed", test, f"{failure.status}: "
                                      "passes now"))
        elif failure is None or failure.status not in seen:
            status = seen.pop()
            target.fails[test] = ExpectedFailure(test=test, status=status, line=0)
            updates.append(Update("added", test, status) if failure is None else
                           Update("changed", test, f"{failure.status} -> {status}"))
    return Plan(source=source, target=target, updates=tuple(updates),
                flake_blocks=tuple(_flake_blocks(new_flakes, runs_results)))


def write_plan(plan):
    """Write the target set: fails.txt in full, flakes.txt with the new
    blocks appended, skips.txt copied from the source set if it is another."""
    target, copied = plan.target, plan.source.name != plan.target.name
    os.makedirs(target.directory, exist_ok=True)
    fails = list(target.fails_header) + [
        f"{test},{target.fails[test].status}" for test in sorted(target.fails)]
    _write(target.path("fails"), "".join(line + "\n" for line in fails))
    flakes = _read(plan.source.path("flakes") if copied else target.path("flakes"))
    if plan.flake_blocks or copied:
        blocks = ([flakes.rstrip("\n")] if flakes.strip() else []) + [
            b.rstrip("\n") for b in plan.flake_blocks]
        _write(target.path("flakes"), "\n\n".join(blocks) + "\n" if blocks else "")
    if copied:
        _write(target.path("skips"), _read(plan.source.path("skips")))


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _flake_blocks(new_flakes, runs_results):
    runs = [run for run, _ in runs_results]
    newest = runs[-1] if runs else None
    blocks = []
    for test, statuses in new_flakes:
        rate = round(100 * sum(1 for s in statuses if s != "Pass") / len(statuses))
        blocks.append(
            f"# Board Name: {', '.join(sorted({r.machine for r in runs}))}\n"
            "# Bug Report: TODO: file a report, put its URL here\n"
            f"# Failure Rate: {rate}\n"
            f"# IGT Version: {newest.igt_version or 'unknown'}\n"
            f"# Linux Version: {newest.kernel}\n"
            f"^{_regex_escape(test)}$\n")
    return blocks


def _regex_escape(test):
    return "".join("\\" + c if c in _REGEX_SPECIALS else c for c in test)
