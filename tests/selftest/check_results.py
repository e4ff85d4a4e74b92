#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright 2026 The amdgpu-svm authors
"""Compare an igt_runner results directory with a table of expected results.

Every test of the table must appear in RESULTS_DIR/results.json with exactly
its expected result; a test of one of the table's binaries that the table
does not name, or an igt@runner@aborted entry, is an error too. Prints the
comparison, then exits 0 if all match and 1 (naming each test, expected
and seen result) otherwise.
"""
import argparse
import json
import os
import sys

RESULTS = {"pass", "fail", "skip", "warn", "crash", "timeout", "incomplete",
           "abort", "notrun", "dmesg-warn", "dmesg-fail"}


def read_expected(path):
    """Return {igt test name: result} from an expected-results table."""
    expected = {}
    with open(path, encoding="utf-8") as table:
        for number, line in enumerate(table, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if (len(fields) != 2 or not fields[0].startswith("igt@")
                    or fields[1] not in RESULTS):
                sys.exit(f"{path}:{number}: expected 'igt@BINARY@SUBTEST RESULT', got {line!r}")
            if fields[0] in expected:
                sys.exit(f"{path}:{number}: {fields[0]} is listed twice")
            expected[fields[0]] = fields[1]
    if not expected:
        sys.exit(f"{path}: no expected result")
    return expected


def binary_of(name):
    return name.split("@")[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", help="igt_runner's results directory")
    parser.add_argument("--expected", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "expected-results.txt"),
        help="table of expected results (default: %(default)s)")
    args = parser.parse_args()

    expected = read_expected(args.expected)
    results_json = os.path.join(args.results_dir, "results.json")
    try:
        with open(results_json, encoding="utf-8") as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError) as err:
        sys.exit(f"cannot read the tests of {results_json}: {err}")

    problems = []
    width = max(len(name) for name in expected)
    print(f"{'test':<{width}}  {'expected':<8}  seen")
    for name, want in expected.items():
        seen = tests.get(name, {}).get("result", "missing")
        mark = "" if seen == want else "   <-- MISMATCH"
        print(f"{name:<{width}}  {want:<8}  {seen}{mark}")
        if seen != want:
            problems.append(f"{name}: expected {want}, seen {seen}")

    binaries = {binary_of(name) for name in expected}
    for name in sorted(tests):
        if name == "igt@runner@aborted":
            first_line = tests[name].get("out", "").strip().splitlines()[:1]
            problems.append(f"{name}: igt_runner aborted the run ({' '.join(first_line)})")
        elif binary_of(name) in binaries and name not in expected:
            problems.append(f"{name}: not in {args.expected}, seen {tests[name].get('result')}")

    if problems:
        print(f"\n{len(problems)} problem(s) in {results_json}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"\nall {len(expected)} results as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
