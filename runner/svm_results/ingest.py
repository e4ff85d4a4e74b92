# SPDX-License-Identifier: MIT
"""Ingest: one igt_runner results folder plus its identity -> one run."""

from .identity import read_identity_file, resolve_identity
from .resultsfile import read_results_dir
from .store import insert_run

IDENTITY_FILE = "identity.json"   # the pipeline writes it next to results.json


def ingest(db, results_dir, identity_file=None, identity_flags=None):
    """Parse and check everything, then store it in one transaction.

    Returns (run id, Identity).  Any InputError leaves the database as it was.
    """
    results_run = read_results_dir(results_dir)
    from_file = read_identity_file(identity_file) if identity_file else {}
    identity = resolve_identity(from_file, identity_flags or {}, results_run)
    db.execute("BEGIN IMMEDIATE")
    try:
        run_id = insert_run(db, identity, results_run)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return run_id, identity
