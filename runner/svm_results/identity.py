# SPDX-License-Identifier: MIT
"""The identity of a run: which GPU, which kernel and driver, where, when.

It comes from identity.json (written by the pipeline next to results.json)
and from command-line flags, the flags winning; what neither gives is taken
from results.json where it can be (kernel and machine from uname, IGT version
from the tests' output, date from the run's start time).
"""

import json
import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone

from .errors import InputError

XNACK_MODES = ("on", "off", "none")
VIRTUAL_PREFIX = "vamdgpu-"


@dataclass(frozen=True)
class Identity:
    gfx_target: str      # "gfx1100", "gfx943"; several: "gfx1100+gfx943"
    xnack: str           # "on", "off", or "none" for a GPU without XNACK
    virtual: bool        # the vamdgpu virtual GPU rather than real hardware
    kernel: str          # kernel release
    driver_commit: str   # git commit of the driver; None when not given
    igt_version: str     # None when neither given nor printed by the tests
    machine: str
    date: str            # ISO 8601, UTC
    label: str           # run name, e.g. "release-0.1"

    @property
    def config(self):
        return config_name(self.gfx_target, self.xnack, self.virtual)


def config_name(gfx_target, xnack, virtual):
    """The GPU configuration a run is tracked and judged under:
    gfx1100, gfx943-xnack-on, vamdgpu-gfx943-xnack-off, ..."""
    name = gfx_target if xnack == "none" else f"{gfx_target}-xnack-{xnack}"
    return VIRTUAL_PREFIX + name if virtual else name


IDENTITY_KEYS = tuple(f.name for f in fields(Identity))


def read_identity_file(path):
    """The fields of an identity.json, as a dict."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path} is not valid JSON: {e}") from None
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object")
    unknown = sorted(set(doc) - set(IDENTITY_KEYS))
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(unknown)} "
                         f"(known: {', '.join(IDENTITY_KEYS)})")
    return doc


def resolve_identity(from_file, from_flags, results_run):
    """Merge identity.json fields, flag values (None = not given) and what
    results.json tells, then check every field."""
    merged = dict(from_file)
    merged.update({k: v for k, v in from_flags.items() if v is not None})
    defaults = {
        "kernel": results_run.kernel,
        "machine": results_run.machine,
        "igt_version": results_run.igt_version,
        "date": datetime.fromtimestamp(results_run.started, timezone.utc)
                        .isoformat(timespec="seconds"),
        "label": results_run.name,
        "driver_commit": None,
    }
    for key, value in defaults.items():
        merged.setdefault(key, value)
    return _checked(merged)


def _checked(fields_):
    for key in ("gfx_target", "xnack", "virtual"):
        if fields_.get(key) is None:
            raise InputError(f"run identity lacks {key!r}: give it in "
                             f"identity.json or as --{key.replace('_', '-')}")
    target = fields_["gfx_target"]
    if not isinstance(target, str) or not re.fullmatch(
            r"gfx[0-9a-f]+(\+gfx[0-9a-f]+)*", target):
        raise InputError(f"gfx_target {target!r} is not a gfx target such as "
                         "gfx1100 or gfx943, or several joined by '+'")
    if fields_["xnack"] not in XNACK_MODES:
        raise InputError(f"xnack {fields_['xnack']!r} is not one of "
                         f"{', '.join(XNACK_MODES)}")
    if not isinstance(fields_["virtual"], bool):
        raise InputError(f"virtual {fields_['virtual']!r} is not true or false")
    for key in ("kernel", "machine"):
        if not fields_.get(key):
            raise InputError(f"run identity lacks {key!r} and results.json's "
                             "uname does not tell it")
    for key in ("kernel", "machine", "driver_commit", "igt_version", "label"):
        if fields_.get(key) is not None and not isinstance(fields_[key], str):
            raise InputError(f"{key} {fields_[key]!r} is not a string")
    return Identity(date=_iso_utc(fields_["date"]),
                    **{k: fields_[k] for k in IDENTITY_KEYS if k != "date"})


def _iso_utc(value):
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"date {value!r} is not an ISO 8601 date "
                         "such as 2026-01-31T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
