# SPDX-License-Identifier: MIT
"""The database schema, its version, and the migrations between versions.

PRAGMA user_version holds the schema version; MIGRATIONS[i] takes a
database from version i to i + 1.  A migration runs in one transaction with
the version bump, so a database is always at one whole version.
"""

import os
import sqlite3
import sys

from .errors import InputError

APPLICATION_ID = 0x53564D52  # "SVMR", so a foreign SQLite file is refused

MIGRATIONS = (
    # 1: runs and their per-test results.
    """
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        run_key       TEXT NOT NULL UNIQUE,  -- uname + start time of the run
        config        TEXT NOT NULL,         -- gfx943-xnack-on, vamdgpu-gfx1100
        gfx_target    TEXT NOT NULL,
        xnack         TEXT NOT NULL CHECK (xnack IN ('on', 'off', 'none')),
        virtual       INTEGER NOT NULL CHECK (virtual IN (0, 1)),
        kernel        TEXT NOT NULL,
        driver_commit TEXT,
        igt_version   TEXT,
        machine       TEXT NOT NULL,
        date          TEXT NOT NULL,         -- ISO 8601 UTC
        label         TEXT NOT NULL,
        elapsed       REAL,
        results_dir   TEXT NOT NULL,
        ingested_at   TEXT NOT NULL
    );
    CREATE INDEX runs_by_config_date ON runs (config, date);
    CREATE TABLE results (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        test     TEXT NOT NULL,              -- BINARY@SUBTEST[@DYNAMIC]
        result   TEXT NOT NULL,              -- igt_runner's result string
        duration REAL,
        PRIMARY KEY (run_id, test)
    );
    CREATE INDEX results_by_test ON results (test);
    """,
    # 2: each test's output, error output and dmesg, and its raw log folder.
    """
    CREATE TABLE logs (
        run_id  INTEGER NOT NULL,
        test    TEXT NOT NULL,
        out     BLOB NOT NULL,               -- zlib-compressed UTF-8
        err     BLOB NOT NULL,
        dmesg   BLOB NOT NULL,
        job_dir TEXT,                        -- igt_runner's folder in results_dir
        PRIMARY KEY (run_id, test),
        FOREIGN KEY (run_id, test) REFERENCES results (run_id, test)
            ON DELETE CASCADE
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path():
    return os.environ.get("SVM_RESULTS_DB") or os.path.expanduser(
        "~/.local/share/amdgpu-svm/results.sqlite")


def open_db(path, create=False):
    """Open (and, with create, make) the database at path, migrated to
    SCHEMA_VERSION.  Commands that only read pass create=False."""
    if not os.path.exists(path):
        if not create:
            raise InputError(f"no results database at {path}: "
                             "ingest a run first (or give --db)")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db, path)
    except sqlite3.DatabaseError as e:
        raise InputError(f"{path}: not a usable results database: {e}") from None
    return db


def _migrate(db, path):
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        has_tables = db.execute(
            "SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if application_id != APPLICATION_ID and (has_tables or version):
            raise InputError(f"{path} is an SQLite database of something "
                             "else, not svm-results")
        if version > SCHEMA_VERSION:
            raise InputError(f"{path} has schema version {version}, newer "
                             f"than this svm-results knows ({SCHEMA_VERSION}): "
                             "use a newer svm-results")
        for step in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[step]):
                db.execute(statement)
        if version < SCHEMA_VERSION:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if version:
                print(f"svm-results: migrated {path} from schema {version} "
                      f"to {SCHEMA_VERSION}", file=sys.stderr)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _statements(script):
    """Split a migration into statements (executescript would commit)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements
