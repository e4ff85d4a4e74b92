# SPDX-License-Identifier: MIT
"""The database: creation, migration, refusal of foreign or newer files,
and ingest as one transaction."""

import os
import sqlite3
from unittest import mock

from svm_results import ingest as ingest_module
from svm_results.errors import InputError
from svm_results.ingest import ingest
from svm_results.schema import APPLICATION_ID, SCHEMA_VERSION, open_db
from svm_results.store import log_of, results_of, run_by_id, runs

from .fixtures import RUN_A, RUN_B, SCHEMA_V1_DUMP, TempDirTestCase

GFX943_ON = {"gfx_target": "gfx943", "xnack": "on", "virtual": True}


class SchemaTest(TempDirTestCase):
    def db_path(self, name="results.sqlite"):
        return os.path.join(self.tmp, name)

    def test_new_database_is_at_the_current_version(self):
        db = open_db(self.db_path(), create=True)
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0],
                         SCHEMA_VERSION)
        self.assertEqual(db.execute("PRAGMA application_id").fetchone()[0],
                         APPLICATION_ID)

    def test_reading_commands_do_not_create_a_database(self):
        with self.assertRaisesRegex(InputError, "ingest a run first"):
            open_db(self.db_path())
        self.assertFalse(os.path.exists(self.db_path()))

    def test_schema_1_database_is_migrated_keeping_its_runs(self):
        with sqlite3.connect(self.db_path()) as old:
            with open(SCHEMA_V1_DUMP, encoding="utf-8") as f:
                old.executescript(f.read())
        with mock.patch("sys.stderr"):
            db = open_db(self.db_path())
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0],
                         SCHEMA_VERSION)
        (old_run,) = runs(db)
        self.assertEqual(old_run.driver_commit, "abc1234")
        self.assertEqual(results_of(db, old_run)["svm_standin@fork-cow"], "fail")
        self.assertIsNone(log_of(db, old_run, "svm_standin@fork-cow"))
        run_id, _ = ingest(db, RUN_B, identity_flags=GFX943_ON)
        self.assertIn("Dynamic subtest vram-2m: FAIL",
                      log_of(db, run_by_id(db, run_id), "svm_standin@migrate@vram-2m").out)

    def test_newer_schema_is_refused_untouched(self):
        with sqlite3.connect(self.db_path()) as newer:
            newer.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
            newer.execute("CREATE TABLE future (x)")
        with self.assertRaisesRegex(InputError, "newer than this svm-results"):
            open_db(self.db_path())

    def test_foreign_sqlite_file_is_refused(self):
        with sqlite3.connect(self.db_path()) as other:
            other.execute("CREATE TABLE photos (x)")
        with self.assertRaisesRegex(InputError, "something else"):
            open_db(self.db_path())

    def test_file_that_is_not_sqlite_is_refused_untouched(self):
        path = self.db_path()
        with open(path, "w", encoding="utf-8") as f:
            f.write("not a database, " * 100)
        with self.assertRaisesRegex(InputError, "not a usable results database"):
            open_db(path, create=True)
        with open(path, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("not a database"))


class IngestTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.db = open_db(os.path.join(self.tmp, "results.sqlite"), create=True)

    def count(self, table):
        return self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def test_ingest_stores_run_results_and_logs(self):
        run_id, identity = ingest(self.db, RUN_A, identity_flags=GFX943_ON)
        run = run_by_id(self.db, run_id)
        self.assertEqual(run.config, "vamdgpu-gfx943-xnack-on")
        self.assertEqual(len(results_of(self.db, run)), 10)
        log = log_of(self.db, run, "svm_standin@fork-cow")
        self.assertIn("child saw parent's write", log.err)
        self.assertTrue(os.path.isfile(os.path.join(log.raw_dir, "journal.txt")))

    def test_same_run_twice_is_refused(self):
        ingest(self.db, RUN_A, identity_flags=GFX943_ON)
        with self.assertRaisesRegex(InputError, "already in the database as run 1"):
            ingest(self.db, RUN_A, identity_flags={**GFX943_ON, "xnack": "off"})
        self.assertEqual(self.count("runs"), 1)

    def test_bad_input_writes_nothing(self):
        with self.assertRaises(InputError):
            ingest(self.db, RUN_A, identity_flags={"xnack": "on"})
        self.assertEqual((self.count("runs"), self.count("results")), (0, 0))

    def test_failure_midway_rolls_the_whole_run_back(self):
        real_insert = ingest_module.insert_run

        def insert_then_fail(db, identity, results_run):
            real_insert(db, identity, results_run)
            raise sqlite3.OperationalError("disk I/O error")
        with mock.patch.object(ingest_module, "insert_run", insert_then_fail):
            with self.assertRaises(sqlite3.OperationalError):
                ingest(self.db, RUN_A, identity_flags=GFX943_ON)
        self.assertEqual((self.count("runs"), self.count("results"),
                          self.count("logs")), (0, 0, 0))
        ingest(self.db, RUN_A, identity_flags=GFX943_ON)
        self.assertEqual(self.count("runs"), 1)
