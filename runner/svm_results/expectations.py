# SPDX-License-Identifier: MIT
"""Per-GPU expectation files in drm-ci's formats
(Documentation/gpu/automated_testing.rst):

<set>-fails.txt   one "BINARY@SUBTEST,Status" per line, Status one of
                  Fail, Crash, Timeout, Warn: the known failures.
<set>-flakes.txt  regular expressions, each preceded by comment lines naming
                  Board Name, Bug Report, Failure Rate, IGT Version and Linux
                  Version: tests whose result does not count.
<set>-skips.txt   regular expressions of tests left out of the run.

Lines starting with "#" are comments, blank lines are ignored.  A regular
expression matches a test when it matches anywhere in BINARY@SUBTEST[@DYN]
(as deqp-runner does); anchor it with ^ and $ to name one test.

<set> is the GPU configuration (gfx1100, gfx943-xnack-on, ...).  A virtual
GPU run (configuration vamdgpu-<gpu>) uses the vamdgpu-<gpu> set when any of
its files exists, else the real GPU's <gpu> set.
"""

import os
import re
from dataclasses import dataclass, field

from .errors import InputError
from .identity import VIRTUAL_PREFIX
from .results import FAILURE_STATUSES, drmci_name

FLAKE_HEADER_KEYS = ("Board Name", "Bug Report", "Failure Rate",
                     "IGT Version", "Linux Version")
KINDS = ("fails", "flakes", "skips")


@dataclass(frozen=True)
class ExpectedFailure:
    test: str
    status: str
    line: int


@dataclass(frozen=True)
class PatternLine:
    pattern: str
    regex: re.Pattern
    line: int
    comments: tuple = ()   # the comment lines just before it


@dataclass
class ExpectationSet:
    name: str              # the <set> part of the file names
    directory: str
    fails: dict = field(default_factory=dict)   # test -> ExpectedFailure
    flakes: list = field(default_factory=list)  # PatternLine
    skips: list = field(default_factory=list)   # PatternLine
    fails_header: tuple = ()  # comment lines at the top of fails.txt

    def path(self, kind):
        return os.path.join(self.directory, f"{self.name}-{kind}.txt")

    def shown_path(self, kind):
        """path(kind) for messages: relative to the working folder if below it."""
        relative = os.path.relpath(self.path(kind))
        return self.path(kind) if relative.startswith("..") else relative

    def flake_for(self, test):
        return next((f for f in self.flakes if f.regex.search(test)), None)

    def skip_for(self, test):
        return next((s for s in self.skips if s.regex.search(test)), None)


def set_names_for(config):
    """The expectation sets a configuration may use, the preferred first."""
    if config.startswith(VIRTUAL_PREFIX):
        return [config, config[len(VIRTUAL_PREFIX):]]
    return [config]


def set_exists(directory, name):
    return any(os.path.exists(os.path.join(directory, f"{name}-{k}.txt"))
               for k in KINDS)


def load_for_config(directory, config):
    """The expectation set a run of config is judged against; an empty set
    named after config when no files exist (every test expected to pass)."""
    for name in set_names_for(config):
        if set_exists(directory, name):
            return load_set(directory, name)
    return ExpectationSet(name=config, directory=directory)


def load_set(directory, name):
    expectations = ExpectationSet(name=name, directory=directory)
    fails_path = expectations.path("fails")
    lines = _lines(fails_path)
    header = []
    for number, text in lines:
        if text.startswith("#") and not expectations.fails:
            header.append(text)
        elif text and not text.startswith("#"):
            failure = _expected_failure(fails_path, number, text)
            if failure.test in expectations.fails:
                raise InputError(f"{fails_path}:{number}: {failure.test} is "
                                 "already listed on line "
                                 f"{expectations.fails[failure.test].line}")
            expectations.fails[failure.test] = failure
    expectations.fails_header = tuple(header)
    expectations.flakes = _pattern_lines(expectations.path("flakes"),
                                         require_header=True)
    expectations.skips = _pattern_lines(expectations.path("skips"),
                                        require_header=False)
    return expectations


def _lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [(n, line.strip()) for n, line in enumerate(f, start=1)]
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: {e}") from None


def _expected_failure(path, number, text):
    test, comma, status = text.rpartition(",")
    if not comma or not test:
        raise InputError(f"{path}:{number}: expected 'BINARY@SUBTEST,Status', "
                         f"got {text!r}")
    if test.startswith("igt@"):
        raise InputError(f"{path}:{number}: drop the 'igt@' prefix: "
                         f"{test[4:]},{status}")
    if status not in FAILURE_STATUSES:
        raise InputError(f"{path}:{number}: status {status!r} is not one of "
                         f"{', '.join(FAILURE_STATUSES)}")
    return ExpectedFailure(test=test, status=status, line=number)


def _pattern_lines(path, require_header):
    entries, comments = [], []
    for number, text in _lines(path):
        if text.startswith("#"):
            comments.append(text)
            continue
        if not text:
            continue
        try:
            regex = re.compile(text)
        except re.error as e:
            raise InputError(f"{path}:{number}: bad regular expression "
                             f"{text!r}: {e}") from None
        if require_header:
            missing = [k for k in FLAKE_HEADER_KEYS
                       if not any(c.startswith(f"# {k}:") for c in comments)]
            if missing:
                raise InputError(f"{path}:{number}: flake {text!r} lacks the "
                                 f"comment line(s) "
                                 f"{', '.join('# ' + k + ':' for k in missing)}")
        entries.append(PatternLine(pattern=text, regex=regex, line=number,
                                   comments=tuple(comments)))
        comments = []
    return entries


def split_testlist(path, expectations):
    """The igt@... names of an igt_runner testlist the skips keep, and the
    (name, PatternLine) pairs they leave out."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such testlist")
    kept, skipped = [], []
    for number, name in _lines(path):
        if not name or name.startswith("#"):
            continue
        try:
            skip = expectations.skip_for(drmci_name(name))
        except InputError as e:
            raise InputError(f"{path}:{number}: {e}") from None
        if skip:
            skipped.append((name, skip))
        else:
            kept.append(name)
    return kept, skipped
