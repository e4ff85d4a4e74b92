# SPDX-License-Identifier: MIT
"""Export stored runs as KernelCI's common results format: KCIDB I/O JSON,
schema version 4.3 (kcidb-io's v04_03; the project's transcription of it
is runner/kcidb/kcidb-io-v4.3.schema.json, which the tests validate
against).

One checkout per driver commit, one build per driver commit and kernel,
one test per stored result.  The mapping is in runner/README.md, "KCIDB".
"""

import os
import re

from .results import status_of, test_key
from .store import log_of, results_of

SCHEMA_MAJOR, SCHEMA_MINOR = 4, 3
DEFAULT_ORIGIN = "amdgpu_svm"
TREE_NAME = "amdgpu-svm"
LOG_EXCERPT_MAX = 16384

# drm-ci status (results.STATUS_OF_RESULT) -> KCIDB status.  A warning or a
# dmesg warning means the tested code misbehaved; a crash or a timeout left
# the code's status unknown; a test the runner never reached is a harness
# failure.
KCIDB_STATUS = {
    "Pass": "PASS",
    "Fail": "FAIL",
    "Warn": "FAIL",
    "Crash": "ERROR",
    "Timeout": "ERROR",
    "Skip": "SKIP",
    "Missing": "MISS",
}

ORIGIN_PATTERN = re.compile(r"^[a-z0-9_]+$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_PATH_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def test_path(test):
    """KCIDB path of BINARY@SUBTEST[@DYNAMIC]: igt.BINARY.SUBTEST[.DYNAMIC]
    of its results.test_key(), so one test reads the same on every GPU."""
    return ".".join(["igt", *(_PATH_UNSAFE.sub("_", p)
                               for p in test_key(test).split("@"))])


def _checkout_id(origin, run):
    return f"{origin}:{run.driver_commit or 'unknown'}"


def _build_id(origin, run):
    return f"{_checkout_id(origin, run)}:{run.kernel}"


def _checkout(origin, run):
    checkout = {"id": _checkout_id(origin, run), "origin": origin,
                "tree_name": TREE_NAME, "valid": True}
    if run.driver_commit and _SHA1.match(run.driver_commit):
        checkout["git_commit_hash"] = run.driver_commit
    elif run.driver_commit:
        checkout["git_commit_name"] = run.driver_commit
    return checkout


def _build(origin, run):
    return {"id": _build_id(origin, run), "checkout_id": _checkout_id(origin, run),
            "origin": origin, "architecture": "x86_64", "valid": True,
            "comment": f"kernel {run.kernel} with the amdgpu SVM series",
            "misc": {"kernel": run.kernel}}


def _excerpt(log):
    if log is None:
        return None
    text = log.out + log.err
    if not text:
        return None
    encoded = text.encode("utf-8")[-LOG_EXCERPT_MAX // 2:]
    return encoded.decode("utf-8", errors="ignore")


def _log_url(run, log, name, url_base):
    """URL of one of igt_runner's log files of a test: under url_base (the
    folder the results folders are published in), else the local file."""
    if not url_base:
        return f"file://{os.path.join(log.raw_dir, name)}"
    job = os.path.relpath(log.raw_dir, run.results_dir)
    return "/".join([url_base.rstrip("/"), os.path.basename(run.results_dir),
                     job, name])


def _test(origin, run, test, result, log, url_base):
    entry = {
        "id": f"{origin}:{run.machine}:{run.date}:{run.config}:{test}",
        "build_id": _build_id(origin, run),
        "origin": origin,
        "path": test_path(test),
        "status": KCIDB_STATUS[status_of(result)],
        "start_time": run.date,
        "environment": {
            "comment": f"{run.machine}: {run.gfx_target}, XNACK {run.xnack}"
                       f"{' (virtual GPU)' if run.virtual else ''}",
            "misc": {"gpu": run.gfx_target, "xnack": run.xnack,
                     "machine": run.machine, "virtual": run.virtual,
                     "config": run.config},
        },
        "misc": {"igt_result": result, "igt_name": test},
    }
    excerpt = _excerpt(log)
    if excerpt:
        entry["log_excerpt"] = excerpt
    if log is not None and log.raw_dir:
        entry["output_files"] = [{"name": name,
                                  "url": _log_url(run, log, name, url_base)}
                                 for name in ("out.txt", "err.txt", "dmesg.txt")]
    return entry


def export_kcidb(db, runs, origin=DEFAULT_ORIGIN, url_base=None):
    """The KCIDB I/O document for runs."""
    checkouts, builds, tests = {}, {}, []
    for run in runs:
        checkouts.setdefault(_checkout_id(origin, run), _checkout(origin, run))
        builds.setdefault(_build_id(origin, run), _build(origin, run))
        for test, result in results_of(db, run).items():
            tests.append(_test(origin, run, test, result,
                               log_of(db, run, test), url_base))
    return {"version": {"major": SCHEMA_MAJOR, "minor": SCHEMA_MINOR},
            "checkouts": list(checkouts.values()),
            "builds": list(builds.values()),
            "tests": tests}
