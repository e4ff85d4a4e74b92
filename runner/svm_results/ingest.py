# SPDX-License-Identifier: MIT
"""Ingest: one igt_runner results folder plus its identity -> one run."""

from .errors import InputError
from .identity import read_identity_file, resolve_identity
from .resultsfile import read_results_dir
from .store import insert_run

IDENTITY_FILE = "identity.json"   # the pipeline writes it next to results.json


def ingest(db, results_dir, identity_file=None, identity_flags=None):
    """Parse and check everything, then store it in one transaction.

    Returns (run id, Identity).  Any error leaves the database as it was:
    a run is stored whole or not at all, and the same run twice is refused.
    """
    results_run = read_results_dir(results_dir)
    from_file = read_identity_file(identity_file) if identity_file else {}
    identity = resolve_identity(from_file, identity_flags or {}, results_run)
    try:
        with db.transaction():
            run_id = insert_run(db, identity, results_run)
    except Exception as e:
        # Another machine stored the same run between our check and insert.
        if db.is_duplicate(e):
            raise InputError(f"{results_dir}: this run is already in the "
                             "database (same uname and start time), stored "
                             "at the same moment by another ingest") from None
        raise
    return run_id, identity
