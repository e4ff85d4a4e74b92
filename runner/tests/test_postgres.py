# SPDX-License-Identifier: MIT
"""The history on a real PostgreSQL server: a throw-away cluster of
Debian's postgresql package (its own data folder, a Unix socket, no TCP,
run as an unprivileged user when the tests run as root), stopped at the
end.  Concurrent ingests from many processes, the same output as SQLite,
and a server that goes away in the middle of an ingest."""

import contextlib
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from svm_results.cli import main

from .fixtures import RUN_A, RUN_B, TempDirTestCase

SVM_RESULTS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "svm-results")
IDENTITY = ("--gfx-target", "gfx943", "--xnack", "on", "--virtual",
            "--driver-commit", "abc1234")


def _pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries "
                           "(/usr/lib/postgresql/*/bin/pg_ctl): install "
                           "postgresql-15 and python3-psycopg (ci/host-deps.sh)")
    return os.path.dirname(found[-1])


class Cluster:
    """A PostgreSQL server of its own in a temporary folder."""

    def __init__(self):
        self.bin = _pg_bin()
        self.dir = tempfile.mkdtemp(prefix="svm-results-pg-")
        self.data = os.path.join(self.dir, "data")
        self.as_user = []
        if os.geteuid() == 0:   # postgres refuses to run as root
            shutil.chown(self.dir, "nobody", "nogroup")
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "svm",
                  "-E", "UTF8", "--no-sync")
        self.databases = 0

    def _run(self, tool, *args):
        subprocess.run([*self.as_user, os.path.join(self.bin, tool), *args],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l",
                  os.path.join(self.dir, "server.log"), "-w", "-o",
                  f"-k {self.dir} -c listen_addresses= -c fsync=off", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def url(self, database):
        return f"postgresql:///{database}?host={self.dir}&user=svm"

    def new_database(self):
        """The URL of a fresh, empty database."""
        import psycopg

        self.databases += 1
        name = f"svm{self.databases}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def setUpModule():
    global cluster
    cluster = Cluster()
    cluster.start()


def tearDownModule():
    cluster.destroy()


class PostgresTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.url = cluster.new_database()
        self.expectations = self.copied_expectations()

    def svm_results(self, db, *args):
        """(exit status, stdout, stderr) of one command on db."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*args, "--db", db, "--expectations", self.expectations])
        return status, out.getvalue(), err.getvalue()

    def run_copy(self, number):
        """A copy of run-a that is a run of its own (another start time)."""
        def shift(doc):
            doc["time_elapsed"]["start"] += number
            doc["time_elapsed"]["end"] += number
        return self.edited_run_a(shift, name=f"run-{number}")

    def count(self, sql):
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchone()[0]

    def test_concurrent_ingests(self):
        folders = [self.run_copy(n) for n in range(9)]
        # 8 processes with runs of their own, 2 with the same run.
        jobs = [*folders[:8], folders[8], folders[8]]
        start = time.monotonic()
        procs = [subprocess.Popen([sys.executable, SVM_RESULTS, "ingest", f,
                                   "--db", self.url, *IDENTITY],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for f in jobs]
        outcomes = [(p.wait(), *p.communicate()) for p in procs]
        seconds = time.monotonic() - start
        stored = [o for o in outcomes if o[0] == 0]
        refused = [o for o in outcomes if o[0] != 0]
        print(f"\nPostgreSQL: {len(jobs)} concurrent ingests in {seconds:.1f} s: "
              f"{len(stored)} stored, {len(refused)} refused", file=sys.stderr)
        self.assertEqual(len(stored), 9, outcomes)
        self.assertEqual(len(refused), 1, outcomes)
        self.assertEqual(refused[0][0], 2)
        print(f"refused: {refused[0][2].strip()}", file=sys.stderr)
        self.assertIn("already in the database", refused[0][2])
        self.assertEqual(self.count("SELECT count(*) FROM runs"), 9)
        self.assertEqual(self.count("SELECT count(DISTINCT run_key) FROM runs"), 9)
        with open(os.path.join(folders[0], "results.json"), encoding="utf-8") as f:
            tests = len(json.load(f)["tests"])
        self.assertEqual(self.count("SELECT count(*) FROM results"), 9 * tests)
        self.assertEqual(self.count("SELECT count(*) FROM logs"), 9 * tests)

    def test_same_output_as_sqlite(self):
        sqlite = os.path.join(self.tmp, "results.sqlite")
        for db in (sqlite, self.url):
            self.assertEqual(self.svm_results(db, "ingest", RUN_A, *IDENTITY,
                                              "--label", "release-0.1")[0], 0)
            self.assertEqual(self.svm_results(db, "ingest", RUN_B, *IDENTITY,
                                              "--driver-commit", "def5678",
                                              "--label", "nightly")[0], 0)
        for command in (("report",), ("judge", "--all"), ("judge", "1"),
                        ("compare", "release-0.1", "--all"),
                        ("history", "svm_standin@partial-munmap"),
                        ("history", "svm_standin"),
                        ("update-expectations", "--dry-run")):
            with self.subTest(command=command):
                on_sqlite = self.svm_results(sqlite, *command)
                on_postgres = self.svm_results(self.url, *command)
                self.maxDiff = None
                self.assertEqual(on_postgres, on_sqlite)
                self.assertTrue(on_sqlite[1])

    def test_server_gone_mid_ingest(self):
        import psycopg

        self.assertEqual(self.svm_results(self.url, "ingest", RUN_A, *IDENTITY)[0], 0)
        # Hold the logs table: the ingest stores its run and results, then waits.
        blocker = psycopg.connect(self.url)
        blocker.execute("LOCK TABLE logs IN ACCESS EXCLUSIVE MODE")
        proc = subprocess.Popen([sys.executable, SVM_RESULTS, "ingest", RUN_B,
                                 "--db", self.url, *IDENTITY],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        watcher = psycopg.connect(self.url, autocommit=True)
        deadline = time.monotonic() + 30
        while not watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
                " = 'Lock' AND query LIKE 'INSERT INTO logs%%'").fetchone()[0]:
            self.assertLess(time.monotonic(), deadline, "the ingest never waited")
            time.sleep(0.05)
        cluster.stop()
        status, _, err = proc.wait(), *proc.communicate()
        cluster.start()
        with contextlib.suppress(psycopg.Error):
            blocker.close()
            watcher.close()
        self.assertEqual(status, 2, err)
        print(f"\nserver gone: {err.strip()}", file=sys.stderr)
        self.assertIn(f"PostgreSQL server {cluster.dir}:5432, database "
                      f"{self.url.split('/')[3].split('?')[0]}: ingest failed", err)
        self.assertIn("nothing was changed", err)
        self.assertEqual(self.count("SELECT count(*) FROM runs"), 1)
        self.assertEqual(self.count("SELECT count(*) FROM results WHERE run_id <> 1"), 0)
        # And the run goes in whole once the server is back.
        self.assertEqual(self.svm_results(self.url, "ingest", RUN_B, *IDENTITY)[0], 0)
        self.assertEqual(self.count("SELECT count(*) FROM runs"), 2)


if __name__ == "__main__":
    unittest.main()
