# SPDX-License-Identifier: MIT
"""Reads and writes of runs and results in the database."""

import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import InputError


@dataclass(frozen=True)
class Run:
    id: int              # None for a results folder judged without storing
    config: str
    gfx_target: str
    xnack: str
    virtual: bool
    kernel: str
    driver_commit: str
    igt_version: str
    machine: str
    date: str
    label: str
    results_dir: str

    @property
    def name(self):
        return f"run {self.id}" if self.id is not None else self.results_dir


_RUN_COLUMNS = ("id, config, gfx_target, xnack, virtual, kernel, driver_commit, "
                "igt_version, machine, date, label, results_dir")


def _prefixed(table):
    return ", ".join(f"{table}.{c.strip()}" for c in _RUN_COLUMNS.split(","))


def _run(row):
    fields = {k: row[k] for k in row.keys() if k != "result"}
    return Run(**{**fields, "virtual": bool(row["virtual"])})


def insert_run(db, identity, results_run):
    """Store one run and its results; the caller holds the transaction."""
    run_key = f"{results_run.uname}|{results_run.started!r}"
    existing = db.execute("SELECT id FROM runs WHERE run_key = ?",
                          (run_key,)).fetchone()
    if existing:
        raise InputError(f"{results_run.path}: this run is already in the "
                         f"database as run {existing['id']} (same uname and "
                         "start time)")
    run_id = db.insert(
        "INSERT INTO runs (run_key, config, gfx_target, xnack, virtual, kernel,"
        " driver_commit, igt_version, machine, date, label, elapsed,"
        " results_dir, ingested_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run_key, identity.config, identity.gfx_target, identity.xnack,
         int(identity.virtual), identity.kernel, identity.driver_commit,
         identity.igt_version, identity.machine, identity.date, identity.label,
         results_run.elapsed, results_run.path,
         datetime.now(timezone.utc).isoformat(timespec="seconds")))
    db.executemany(
        "INSERT INTO results (run_id, test, result, duration) VALUES (?, ?, ?, ?)",
        ((run_id, test, r.result, r.duration)
         for test, r in results_run.tests.items()))
    db.executemany(
        "INSERT INTO logs (run_id, test, out, err, dmesg, job_dir)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ((run_id, test, _packed(r.out), _packed(r.err), _packed(r.dmesg),
          r.job_dir) for test, r in results_run.tests.items()))
    return run_id


@dataclass(frozen=True)
class TestLog:
    out: str
    err: str
    dmesg: str
    raw_dir: str   # igt_runner's raw log folder if it still exists, else None


def _packed(text):
    return zlib.compress(text.encode("utf-8"))


def _unpacked(blob):
    return zlib.decompress(blob).decode("utf-8")


def log_of(db, run, test):
    """The stored logs of one test of a run; None for runs ingested before
    logs were kept."""
    row = db.execute("SELECT out, err, dmesg, job_dir FROM logs"
                     " WHERE run_id = ? AND test = ?", (run.id, test)).fetchone()
    if row is None:
        return None
    raw_dir = (os.path.join(run.results_dir, row["job_dir"])
               if row["job_dir"] else None)
    return TestLog(out=_unpacked(row["out"]), err=_unpacked(row["err"]),
                   dmesg=_unpacked(row["dmesg"]),
                   raw_dir=raw_dir if raw_dir and os.path.isdir(raw_dir) else None)


def run_by_id(db, run_id):
    row = db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",
                     (run_id,)).fetchone()
    if row is None:
        raise InputError(f"no run {run_id} in the database")
    return _run(row)


def runs(db, config=None, label=None):
    """Runs, oldest first, optionally of one configuration or label."""
    query = f"SELECT {_RUN_COLUMNS} FROM runs WHERE TRUE"
    params = []
    if config is not None:
        query += " AND config = ?"
        params.append(config)
    if label is not None:
        query += " AND label = ?"
        params.append(label)
    return [_run(r) for r in db.execute(query + " ORDER BY date, id", params)]


def latest_per_config(db, label=None, config=None):
    """The newest run of each configuration (with that label), by config."""
    latest = {}
    for run in runs(db, config=config, label=label):
        latest[run.config] = run
    return [latest[c] for c in sorted(latest)]


def previous_run(db, run):
    """The run of the same configuration just before run, or None."""
    row = db.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs WHERE config = ? AND (date < ? OR"
        " (date = ? AND id < ?)) ORDER BY date DESC, id DESC LIMIT 1",
        (run.config, run.date, run.date, run.id)).fetchone()
    return _run(row) if row else None


def repeats_of_build(db, run):
    """The runs of run's configuration with its driver commit and kernel:
    repeats of one build, oldest first, run included."""
    return [r for r in runs(db, config=run.config)
            if (r.driver_commit, r.kernel) == (run.driver_commit, run.kernel)]


def results_of(db, run):
    """test -> igt result string of one run."""
    return {r["test"]: r["result"] for r in db.execute(
        "SELECT test, result FROM results WHERE run_id = ? ORDER BY test",
        (run.id,))}


def tests_matching(db, pattern):
    """All test names ever stored for which pattern.search() matches."""
    return sorted(t for (t,) in db.execute("SELECT DISTINCT test FROM results")
                  if pattern.search(t))


def results_of_test(db, test):
    """(Run, result) for every run that has test, oldest first."""
    return [(_run(r), r["result"]) for r in db.execute(
        f"SELECT {_prefixed('runs')}, results.result FROM results JOIN runs ON"
        " runs.id ="
        " results.run_id WHERE results.test = ? ORDER BY runs.date, runs.id",
        (test,))]
