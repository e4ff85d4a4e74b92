# SPDX-License-Identifier: MIT
"""The database schema, its version, and the migrations between versions.

SQLite's PRAGMA user_version, or PostgreSQL's svm_results_schema table,
holds the schema version; MIGRATIONS[i] takes a database from version i
to i + 1.  A migration runs in one transaction with the version bump, so a
database is always at one whole version.  The migrations are written in
SQLite's types; database.Database maps them for PostgreSQL.
"""

import os
import sqlite3
import sys

from .database import connect
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

# PostgreSQL has no PRAGMA: the version lives in a table of its own.
PG_VERSION_TABLE = "svm_results_schema"


def default_db_path():
    return os.environ.get("SVM_RESULTS_DB") or os.path.expanduser(
        "~/.local/share/amdgpu-svm/results.sqlite")


def open_db(target, create=False):
    """Open (and, with create, make) the database at target, a path or a
    postgresql:// URL, migrated to SCHEMA_VERSION.  Commands that only
    read pass create=False."""
    try:
        db = connect(target, create)
        with db.transaction():
            if db.engine == "postgresql":
                version = _pg_version(db, create)
            else:
                version = _sqlite_version(db)
            if version > SCHEMA_VERSION:
                raise InputError(f"{db.where} has schema version {version}, "
                                 "newer than this svm-results knows "
                                 f"({SCHEMA_VERSION}): use a newer svm-results")
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    db.execute(db.ddl(statement))
            if version < SCHEMA_VERSION:
                _set_version(db)
                if version:
                    print(f"svm-results: migrated {db.where} from schema "
                          f"{version} to {SCHEMA_VERSION}", file=sys.stderr)
    except sqlite3.DatabaseError as e:
        raise InputError(f"{target}: not a usable results database: {e}") from None
    return db


def _sqlite_version(db):
    version = db.execute("PRAGMA user_version").fetchone()[0]
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    has_tables = db.execute(
        "SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if application_id != APPLICATION_ID and (has_tables or version):
        raise InputError(f"{db.where} is an SQLite database of something "
                         "else, not svm-results")
    return version


def _pg_version(db, create):
    """The schema version; the first ingest makes the version table.  An
    advisory lock serializes machines migrating at the same time."""
    db.execute("SELECT pg_advisory_xact_lock(?)", (APPLICATION_ID,))
    if db.execute("SELECT to_regclass(?)", (PG_VERSION_TABLE,)).fetchone()[0]:
        application_id, version = db.execute(
            f"SELECT application_id, version FROM {PG_VERSION_TABLE}").fetchone()
        if application_id != APPLICATION_ID:
            raise InputError(f"{db.where} holds a {PG_VERSION_TABLE} table "
                             "of something else, not svm-results")
        return version
    if db.execute("SELECT count(*) FROM pg_tables"
                  " WHERE schemaname = current_schema()").fetchone()[0]:
        raise InputError(f"{db.where} holds tables of something else: give "
                         "svm-results a database of its own")
    if not create:
        raise InputError(f"no results history at {db.where}: ingest a run "
                         "first")
    db.execute(db.ddl(f"CREATE TABLE {PG_VERSION_TABLE} (application_id "
                      "INTEGER NOT NULL, version INTEGER NOT NULL)"))
    db.execute(f"INSERT INTO {PG_VERSION_TABLE} VALUES (?, 0)",
               (APPLICATION_ID,))
    return 0


def _set_version(db):
    if db.engine == "postgresql":
        db.execute(f"UPDATE {PG_VERSION_TABLE} SET version = ?",
                   (SCHEMA_VERSION,))
    else:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _statements(script):
    """Split a migration into statements (executescript would commit)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements
