#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright 2026 The amdgpu-svm authors
"""Check igt_compat_selftest's behaviour without igt_runner or a guest.

usage: check_selftest_local.py SELFTEST [EXPECTED_RESULTS]

Runs every subtest alone, the way igt_runner does (--run-subtest NAME with
IGT_SENTINEL_ON_STDERR=1), and checks its exit code and its result lines
on stdout and stderr against expected-results.txt; then the command line
(unknown subtest, bad options, wildcards, --dynamic-subtest, --describe,
the test's own option) and the reaction to igt_runner's SIGQUIT.
"""
import os
import re
import resource
import signal
import subprocess
import sys

EXIT_CODE = {"pass": 0, "warn": 0, "fail": 98, "skip": 77, "crash": 128 + signal.SIGSEGV}
RESULT_WORD = {"pass": "SUCCESS", "warn": "SUCCESS", "fail": "FAIL", "skip": "SKIP",
               "crash": "CRASH"}
# Subtests behind a skipping fixture report a result without starting.
NEVER_STARTED = {"fixture-skip-first", "fixture-skip-second"}
TIMEOUT_SUBTEST = "timeout-hangs"

RESULT_LINE = re.compile(r"^(Subtest|Dynamic subtest) ([A-Za-z0-9_-]+): ([A-Z]+) \(\d+\.\d{3}s\)$")
START_LINE = re.compile(r"^Starting (subtest|dynamic subtest): ([A-Za-z0-9_-]+)$")


def read_expected(path):
    """{subtest: (result, {dynamic: result})} in the table's order."""
    subtests = {}
    with open(path, encoding="utf-8") as table:
        for line in table:
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            parts = fields[0].split("@")
            if len(parts) == 3:
                subtests[parts[2]] = (fields[1], {})
            else:
                subtests[parts[2]][1][parts[3]] = fields[1]
    return subtests


def results(text, kind):
    """{name: RESULT} of the result lines of one kind in text."""
    found = {}
    for line in text.splitlines():
        match = RESULT_LINE.match(line)
        if match and match.group(1) == kind:
            found[match.group(2)] = match.group(3)
    return found


def starts(text, kind):
    return [m.group(2) for m in map(START_LINE.match, text.splitlines())
            if m and m.group(1) == kind]


def no_core_dump():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class SelftestChecker:
    def __init__(self, binary, expected):
        self.binary = binary
        self.expected = expected
        self.problems = []

    def run(self, *args, sentinel=True, timeout=60):
        env = dict(os.environ, IGT_SENTINEL_ON_STDERR="1")
        if not sentinel:
            del env["IGT_SENTINEL_ON_STDERR"]
        return subprocess.run([self.binary, *args], capture_output=True, text=True,
                              env=env, timeout=timeout, preexec_fn=no_core_dump,
                              check=False)

    def expect(self, condition, what, proc=None):
        if condition:
            return
        if proc is not None:
            what += (f"\n    command: {' '.join(proc.args)} (exit {proc.returncode})"
                     f"\n    stdout: {proc.stdout.strip()[-600:]!r}"
                     f"\n    stderr: {proc.stderr.strip()[-600:]!r}")
        self.problems.append(what)

    def check_subtest(self, name, want, dynamics):
        proc = self.run("--run-subtest", name)
        word = RESULT_WORD[want]
        self.expect(proc.returncode == EXIT_CODE[want],
                    f"{name}: exit code {proc.returncode}, expected {EXIT_CODE[want]}", proc)
        self.expect(proc.stdout.startswith("IGT-Version: "),
                    f"{name}: stdout does not start with IGT-Version", proc)
        for stream, text in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            self.expect(results(text, "Subtest") == {name: word},
                        f"{name}: {stream} results {results(text, 'Subtest')}, expected {word}",
                        proc)
            started = [] if name in NEVER_STARTED else [name]
            self.expect(starts(text, "subtest") == started,
                        f"{name}: {stream} starts {starts(text, 'subtest')}, expected {started}",
                        proc)
            want_dynamic = {d: RESULT_WORD[r] for d, r in dynamics.items()}
            self.expect(results(text, "Dynamic subtest") == want_dynamic,
                        f"{name}: {stream} dynamic results {results(text, 'Dynamic subtest')},"
                        f" expected {want_dynamic}", proc)

        other_stderr = [line for line in proc.stderr.splitlines()
                        if not RESULT_LINE.match(line) and not START_LINE.match(line)]
        if want == "pass":
            self.expect(not other_stderr, f"{name}: passes but writes {other_stderr} on stderr",
                        proc)
        if want == "warn":
            self.expect(other_stderr, f"{name}: expected a warning on stderr", proc)

    def check_subtests(self):
        for name, (want, dynamics) in self.expected.items():
            if want != "timeout":
                self.check_subtest(name, want, dynamics)

    def check_listing(self):
        proc = self.run("--list-subtests")
        self.expect(proc.returncode == 0 and proc.stdout.split() == list(self.expected),
                    f"--list-subtests lists {proc.stdout.split()}, expected {list(self.expected)}",
                    proc)
        self.expect(not proc.stderr, "--list-subtests writes on stderr", proc)

        proc = self.run("--describe")
        subs = re.findall(r"^SUB (\S+) \S+:\d+:$", proc.stdout, re.M)
        self.expect(proc.returncode == 0 and subs == list(self.expected),
                    f"--describe describes {subs}, expected {list(self.expected)}", proc)
        self.expect(proc.stdout.startswith("Subtests of known outcome"),
                    "--describe does not start with IGT_TEST_DESCRIPTION", proc)
        group_text = "A fixture whose requirement is unmet skips the subtests of its group."
        self.expect(proc.stdout.count(group_text) == 2,
                    "--describe does not prepend the group description to its two subtests",
                    proc)
        self.expect("NO DOCUMENTATION" not in proc.stdout, "--describe finds undocumented subtests",
                    proc)

        proc = self.run("--describe=pass")
        subs = re.findall(r"^SUB (\S+) ", proc.stdout, re.M)
        self.expect(proc.returncode == 0 and subs == ["pass"] and "\n  Passes.\n" in proc.stdout,
                    f"--describe=pass describes {subs}", proc)

    def check_command_line(self):
        proc = self.run("--help")
        self.expect(proc.returncode == 0 and "--hang-seconds" in proc.stdout
                    and "--run-subtest" in proc.stdout,
                    "--help does not show the standard and the test's own options", proc)

        proc = self.run("--run-subtest", "no-such-subtest")
        self.expect(proc.returncode == 79 and "Unknown subtest: no-such-subtest" in proc.stderr,
                    "an unknown subtest does not exit 79 with 'Unknown subtest'", proc)

        proc = self.run("--no-such-option")
        self.expect(proc.returncode == 79 and "Usage:" in proc.stderr,
                    "an unknown option does not exit 79 with the usage on stderr", proc)

        proc = self.run("--hang-seconds", "0")
        self.expect(proc.returncode == 79, "the test's option handler error does not exit 79",
                    proc)

        proc = self.run("--run-subtest", "dynamic-*,!dynamic-mixed")
        self.expect(proc.returncode == 0 and
                    starts(proc.stdout, "subtest") == ["dynamic-all-pass", "dynamic-all-skip"],
                    "'dynamic-*,!dynamic-mixed' does not select exactly the two other dynamic "
                    "subtests", proc)

        proc = self.run("--run-subtest", "pass,require-skips")
        self.expect(proc.returncode == 0 and
                    results(proc.stdout, "Subtest") == {"pass": "SUCCESS", "require-skips": "SKIP"},
                    "'pass,require-skips' does not run both, exiting 0", proc)

        proc = self.run("--run-subtest", "dynamic-mixed", "--dynamic-subtest", "pass-?")
        self.expect(proc.returncode == 0 and
                    results(proc.stdout, "Dynamic subtest") == {"pass-a": "SUCCESS",
                                                                "pass-b": "SUCCESS"} and
                    results(proc.stdout, "Subtest") == {"dynamic-mixed": "SUCCESS"},
                    "--dynamic-subtest 'pass-?' does not run only pass-a and pass-b", proc)

        proc = self.run("--run-subtest", "pass", sentinel=False)
        self.expect(proc.returncode == 0 and not proc.stderr,
                    "without IGT_SENTINEL_ON_STDERR a passing subtest writes on stderr", proc)

    def check_timeouts(self):
        proc = self.run("--run-subtest", TIMEOUT_SUBTEST, "--hang-seconds", "1", timeout=30)
        self.expect(proc.returncode == 98 and
                    results(proc.stdout, "Subtest") == {TIMEOUT_SUBTEST: "FAIL"},
                    f"{TIMEOUT_SUBTEST} --hang-seconds 1 does not fail on its own", proc)

        # What igt_runner's --per-test-timeout does: SIGQUIT once started.
        env = dict(os.environ, IGT_SENTINEL_ON_STDERR="1")
        with subprocess.Popen([self.binary, "--run-subtest", TIMEOUT_SUBTEST],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env, preexec_fn=no_core_dump) as hung:
            for line in hung.stdout:
                if line.startswith(f"Starting subtest: {TIMEOUT_SUBTEST}"):
                    break
            hung.send_signal(signal.SIGQUIT)
            stdout, stderr = hung.communicate(timeout=30)
        self.expect(hung.returncode == -signal.SIGQUIT and "Received signal SIGQUIT." in stderr,
                    f"{TIMEOUT_SUBTEST} does not die from SIGQUIT announcing it: "
                    f"exit {hung.returncode}, stderr {stderr.strip()[-300:]!r}")
        self.expect(not results(stdout, "Subtest"),
                    f"{TIMEOUT_SUBTEST} reports a result after SIGQUIT: {stdout.strip()!r}")


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__.strip())
    expected_path = argv[2] if len(argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "expected-results.txt")

    checker = SelftestChecker(argv[1], read_expected(expected_path))
    checker.check_listing()
    checker.check_command_line()
    checker.check_subtests()
    checker.check_timeouts()

    if checker.problems:
        print(f"{len(checker.problems)} problem(s) with {argv[1]}:")
        for problem in checker.problems:
            print(f"- {problem}")
        return 1
    print(f"{argv[1]}: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
