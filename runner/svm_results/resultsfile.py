# SPDX-License-Identifier: MIT
"""Read an igt_runner results folder: results.json (version 10) and the
numbered per-job log folders next to it."""

import json
import os
from dataclasses import dataclass

from .errors import InputError
from .results import binary_of, drmci_name, status_of

RESULTS_VERSION = 10


@dataclass(frozen=True)
class TestResult:
    result: str          # igt_runner's result string
    duration: float      # seconds, None when results.json has no time
    out: str
    err: str
    dmesg: str
    igt_version: str     # "2.5-g1234abcd", None when the test printed none
    job_dir: str         # the raw log folder ("3") or None


@dataclass(frozen=True)
class ResultsRun:
    path: str            # the results folder, absolute
    name: str            # igt_runner -n, else the folder name
    uname: str
    started: float       # seconds since the epoch
    elapsed: float       # seconds, None when unknown
    tests: dict          # drm-ci test name -> TestResult

    @property
    def kernel(self):
        """The kernel release from `uname -a`: its third word."""
        words = self.uname.split()
        return words[2] if len(words) > 2 else None

    @property
    def machine(self):
        """The host name from `uname -a`: its second word."""
        words = self.uname.split()
        return words[1] if len(words) > 1 else None

    @property
    def igt_version(self):
        """The IGT version the tests printed, the first one found."""
        return next((t.igt_version for t in self.tests.values()
                     if t.igt_version), None)


def read_results_dir(results_dir):
    """Parse RESULTS_DIR/results.json; raise InputError on any bad input."""
    results_dir = os.path.abspath(results_dir)
    path = os.path.join(results_dir, "results.json")
    if not os.path.isdir(results_dir):
        raise InputError(f"{results_dir}: no such results folder")
    if not os.path.exists(path):
        raise InputError(f"{path} not found: run `igt_results {results_dir}` "
                         "to build it from the per-test logs")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path} is not valid JSON (truncated?): {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: {e}") from None
    try:
        return _parse(doc, results_dir, _job_dirs(results_dir))
    except InputError as e:
        raise InputError(f"{path}: {e}") from None


def _parse(doc, results_dir, job_dirs):
    if not isinstance(doc, dict) or doc.get("__type__") != "TestrunResult":
        raise InputError("not an igt_runner result (no \"__type__\": "
                         "\"TestrunResult\")")
    if doc.get("results_version") != RESULTS_VERSION:
        raise InputError(f"results_version {doc.get('results_version')!r} "
                         f"is not supported (expected {RESULTS_VERSION})")
    tests = doc.get("tests")
    if not isinstance(tests, dict) or not tests:
        raise InputError("\"tests\" is missing or empty")
    elapsed = _time_attribute(doc.get("time_elapsed"), "time_elapsed")
    if elapsed is None:
        raise InputError("\"time_elapsed\" with a start time is missing")
    start, end = elapsed
    parsed = {}
    for igt_name, entry in tests.items():
        test = drmci_name(igt_name)
        if not isinstance(entry, dict):
            raise InputError(f"{igt_name}: entry is not an object")
        try:
            parsed[test] = _test_result(entry, job_dirs.get(_job_key(test)),
                                        job_dirs.get(binary_of(test)))
        except InputError as e:
            raise InputError(f"{igt_name}: {e}") from None
    return ResultsRun(path=results_dir,
                      name=str(doc.get("name") or os.path.basename(results_dir)),
                      uname=str(doc.get("uname") or ""),
                      started=start,
                      elapsed=None if end is None else end - start,
                      tests=parsed)


def _test_result(entry, subtest_job, binary_job):
    result = entry.get("result")
    if not isinstance(result, str):
        raise InputError("no \"result\" string")
    status_of(result)
    texts = {}
    for key in ("out", "err", "dmesg"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise InputError(f"\"{key}\" is not a string")
        texts[key] = value
    time = _time_attribute(entry.get("time"), "time")
    version = entry.get("igt-version")
    prefix = "IGT-Version: "
    if isinstance(version, str) and version.startswith(prefix):
        version = version[len(prefix):].split()[0]
    else:
        version = None
    return TestResult(result=result,
                      duration=None if time is None or time[1] is None
                      else time[1] - time[0],
                      igt_version=version,
                      job_dir=subtest_job or binary_job,
                      **texts)


def _time_attribute(value, what):
    """(start, end) of a TimeAttribute; end may be None; None if absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError(f"\"{what}\" is not an object")
    start, end = value.get("start"), value.get("end")
    for number in (start, end):
        if number is not None and (not isinstance(number, (int, float))
                                   or isinstance(number, bool)):
            raise InputError(f"\"{what}\" holds a non-number {number!r}")
    if start is None:
        return None
    return float(start), None if end is None else float(end)


def requested_jobs(results_dir):
    """The jobs igt_runner was asked to run (its joblist.txt) as a set of
    BINARY@SUBTEST and BINARY (a whole binary) names, or None when the
    folder has no job list.  A test outside it was not left out by accident:
    a run of a testlist subset does not miss the tests it never asked for."""
    try:
        with open(os.path.join(results_dir, "joblist.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    jobs = set()
    for line in lines:
        binary, _, subtests = line.strip().partition(" ")
        if not binary:
            continue
        if not subtests:
            jobs.add(binary)
        jobs.update(f"{binary}@{s}" for s in subtests.split(",") if s)
    return jobs


def was_requested(test, jobs):
    """Whether test (drm-ci name) belongs to a job of jobs (None: all do)."""
    return jobs is None or _job_key(test) in jobs or binary_of(test) in jobs


def _job_key(test):
    return "@".join(test.split("@", 2)[:2])


def _job_dirs(results_dir):
    """Map BINARY@SUBTEST (or BINARY for a whole-binary job) to the numbered
    folder igt_runner wrote its raw logs to, from joblist.txt."""
    job_dirs = {}
    try:
        with open(os.path.join(results_dir, "joblist.txt"), encoding="utf-8") as f:
            jobs = f.read().splitlines()
    except OSError:
        return job_dirs
    for index, line in enumerate(jobs):
        folder = str(index)
        if not line.strip() or not os.path.isdir(os.path.join(results_dir, folder)):
            continue
        binary, _, subtests = line.strip().partition(" ")
        if not subtests:
            job_dirs[binary] = folder
        for subtest in subtests.split(","):
            if subtest:
                job_dirs[f"{binary}@{subtest}"] = folder
    return job_dirs
