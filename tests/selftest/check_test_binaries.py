#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright 2026 The amdgpu-svm authors
"""Check that IGT test binaries behave as igt_runner needs, without running tests.

usage: check_test_binaries.py BINARY[=SOURCE]...

For each binary: --help exits 0 and shows the standard options;
--list-subtests exits 0, prints at least one subtest and nothing on stderr,
every name is made of letters, digits, '-' and '_', and no name repeats.
With SOURCE, the "SUBTEST:" entries of its documentation block must be
exactly the listed subtests (an entry may use shell wildcards).
"""
import fnmatch
import re
import subprocess
import sys

NAME = re.compile(r"^[A-Za-z0-9_-]+$")
DOC_SUBTEST = re.compile(r"^\s*\*\s*SUBTEST:\s*(\S+)\s*$")
TIMEOUT = 60


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)


def documented_subtests(source):
    """The names of the SUBTEST: entries of the source's doc comments."""
    with open(source, encoding="utf-8") as f:
        return [m.group(1) for m in map(DOC_SUBTEST.match, f) if m]


def check_binary(binary, source):
    """Return the problems found with one test binary."""
    problems = []

    helped = run([binary, "--help"])
    if helped.returncode != 0:
        problems.append(f"--help exits {helped.returncode}, not 0")
    for option in ("--list-subtests", "--run-subtest"):
        if option not in helped.stdout:
            problems.append(f"--help does not mention {option}")

    listed = run([binary, "--list-subtests"])
    names = listed.stdout.split()
    if listed.returncode != 0:
        problems.append(f"--list-subtests exits {listed.returncode}, not 0")
    if listed.stderr:
        problems.append(f"--list-subtests prints on stderr: {listed.stderr.strip()!r}")
    if not names:
        problems.append("--list-subtests lists no subtest")
    for name in names:
        if not NAME.match(name):
            problems.append(f"subtest name {name!r} has characters other than [A-Za-z0-9_-]")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(f"subtests listed more than once: {', '.join(repeated)}")

    if source:
        documented = documented_subtests(source)
        for entry in documented:
            if not fnmatch.filter(names, entry):
                problems.append(f"{source} documents SUBTEST {entry}, which is not listed")
        for name in names:
            if not any(fnmatch.fnmatchcase(name, entry) for entry in documented):
                problems.append(f"subtest {name} has no SUBTEST entry in {source}")

    return problems


def main(argv):
    if len(argv) < 2 or any(arg.startswith("-") for arg in argv[1:]):
        sys.exit(__doc__.strip())

    failed = False
    for arg in argv[1:]:
        binary, _, source = arg.partition("=")
        try:
            problems = check_binary(binary, source)
        except (OSError, subprocess.TimeoutExpired) as err:
            problems = [str(err)]
        status = "ok" if not problems else "FAILED"
        print(f"{binary}: {status}")
        for problem in problems:
            print(f"  {problem}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
