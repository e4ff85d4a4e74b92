# SPDX-License-Identifier: MIT
"""Which runs a command is about: RUN is a run id, "latest" (the newest run
of every GPU configuration) or a label (the newest run with that label of
every configuration, e.g. the last release run)."""

from .errors import InputError
from .store import latest_per_config, run_by_id

LATEST = "latest"


def select_runs(db, spec=LATEST, config=None):
    if spec.isdigit():
        run = run_by_id(db, int(spec))
        if config is not None and run.config != config:
            raise InputError(f"run {run.id} is of {run.config}, not {config}")
        return [run]
    selected = latest_per_config(db, label=None if spec == LATEST else spec,
                                 config=config)
    if not selected:
        what = "no runs" if spec == LATEST else f"no run labelled {spec!r}"
        where = f" of {config}" if config else ""
        raise InputError(f"{what}{where} in the database")
    return selected


def baseline_pairs(db, baseline_spec, run_spec, config=None):
    """([(base, run)], [configurations without a baseline]): two run ids
    pair directly (even across GPUs); otherwise each selected run pairs with
    the baseline run of its configuration."""
    bases = select_runs(db, baseline_spec, config)
    selected = select_runs(db, run_spec, config)
    if baseline_spec.isdigit() and run_spec.isdigit():
        return [(bases[0], selected[0])], []
    base_of = {b.config: b for b in bases}
    return ([(base_of[r.config], r) for r in selected if r.config in base_of],
            sorted(r.config for r in selected if r.config not in base_of))
