# SPDX-License-Identifier: MIT
"""One subtest across runs and GPUs: since when it fails, how often it flakes."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from .results import status_of, test_key
from .store import results_of_test


@dataclass(frozen=True)
class ConfigHistory:
    test: str
    config: str
    entries: tuple   # (store.Run, igt result), oldest first

    @property
    def current_streak(self):
        """The newest entries that share the newest run's drm-ci status."""
        status = status_of(self.entries[-1][1])
        streak = []
        for entry in reversed(self.entries):
            if status_of(entry[1]) != status:
                break
            streak.append(entry)
        return streak[::-1]

    @property
    def last_pass(self):
        return next((run for run, result in reversed(self.entries)
                     if status_of(result) == "Pass"), None)

    @property
    def not_passing(self):
        """Runs where the test ran (not skipped) and did not pass."""
        return sum(1 for _, r in self.entries if status_of(r) not in ("Pass", "Skip"))

    @property
    def ran(self):
        return sum(1 for _, r in self.entries if status_of(r) != "Skip")

    @property
    def flips(self):
        """How many times the status changed from one run to the next."""
        statuses = [status_of(r) for _, r in self.entries]
        return sum(1 for a, b in zip(statuses, statuses[1:]) if a != b)


def history(db, test, config=None):
    """The ConfigHistory of test on every configuration (or just config)."""
    return _by_config(test, results_of_test(db, test), config)


def histories(db, tests, config=None):
    """The histories of tests (stored names), one per results.test_key():
    a test reads as one across GPUs whose dynamic subtest names carry the
    GPU and XNACK mode; names that share a key within one run (two GPUs,
    or both modes, in one run) keep histories of their own."""
    names_of = defaultdict(list)
    for test in tests:
        names_of[test_key(test)].append(test)
    found = []
    for key in sorted(names_of):
        names = names_of[key]
        entries = [e for name in names for e in results_of_test(db, name)]
        per_run = Counter(run.id for run, _ in entries)
        if len(names) > 1 and max(per_run.values()) > 1:
            found.extend(history(db, name, config) for name in sorted(names))
        else:
            entries.sort(key=lambda e: (e[0].date, e[0].id))
            found.append(_by_config(key, entries, config))
    return [h for h in found if h]


def _by_config(test, entries, config):
    by_config = defaultdict(list)
    for run, result in entries:
        if config is None or run.config == config:
            by_config[run.config].append((run, result))
    return [ConfigHistory(test=test, config=c, entries=tuple(e))
            for c, e in sorted(by_config.items())]
