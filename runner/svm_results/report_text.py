# SPDX-License-Identifier: MIT
"""Terminal reports: the per-GPU table, the per-test listing, the summary
line; comparisons, histories and expectation updates."""

from .compare import NEW, REGRESSION
from .judge import (EXPECTED_FAIL, FLAKE, MISSING, PASS, SKIP, UNEXPECTED,
                    UNEXPECTED_FAIL, UNEXPECTED_PASS)
from .results import status_of

HISTORY_LETTERS = {"Pass": ".", "Skip": "s", "Fail": "F", "Warn": "W",
                   "Crash": "C", "Timeout": "T", "Missing": "M"}


def table(headers, rows):
    """Plain columns: text left-aligned, numbers right-aligned."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]

    def line(cells):
        return "  ".join(str(c).rjust(w) if isinstance(c, int) else str(c).ljust(w)
                         for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line("-" * w for w in widths)]
                     + [line(r) for r in rows])


def gpu_table(judgements):
    """One row per run, GPUs with unexpected results first."""
    ordered = sorted(judgements, key=lambda j: (not j.unexpected, j.run.config))
    rows = [(j.run.config, j.run.id, j.run.date[:16].replace("T", " "),
             (j.run.driver_commit or "?")[:16], j.run.kernel,
             j.count(PASS), j.count(EXPECTED_FAIL), j.count(SKIP),
             j.count(FLAKE), len(j.unexpected)) for j in ordered]
    return table(("GPU", "run", "date", "driver", "kernel", "pass", "xfail",
                  "skip", "flake", "unexpected"), rows)


def verdict_lines(judgement, categories):
    """The verdicts of those categories, one per line, as a table."""
    rows = [(v.category + (" (new)" if v.new else ""), v.test, v.result or "-",
             v.note) for v in judgement.verdicts if v.category in categories]
    return table(("verdict", "test", "result", "why"), rows) if rows else ""


def new_tests_line(judgement):
    """The subtests new since the previous run, on one line ("" if none)."""
    new = [v.test for v in judgement.new_tests]
    if not new:
        return ""
    since = judgement.previous.name if judgement.previous else "the previous run"
    return f"{_plural(len(new), 'new subtest')} since {since}: {', '.join(new)}"


def run_heading(judgement):
    run = judgement.run
    against = (f"previous run {judgement.previous.id}" if judgement.previous
               else "no previous run")
    return (f"== {run.config}: {run.name}, {run.date}, machine {run.machine}, "
            f"kernel {run.kernel}, driver {run.driver_commit or '?'}, IGT "
            f"{run.igt_version or '?'}; expectations "
            f"{judgement.expectations.name}, {against}")


def summary_line(judgements):
    """The last line of a report: OK or FAIL and what."""
    bad = [j for j in judgements if j.unexpected]
    gpus = _plural(len(judgements), "GPU")
    if not bad:
        flakes = sum(j.count(FLAKE) for j in judgements)
        return (f"OK: all {gpus} as expected"
                + (f" ({_plural(flakes, 'known flake')} seen)" if flakes else ""))
    parts = []
    for j in bad:
        counts = ", ".join(f"{n} {c}" for c in UNEXPECTED
                           if (n := j.count(c)))
        parts.append(f"{j.run.config}: {counts}")
    total = sum(len(j.unexpected) for j in bad)
    return (f"FAIL: {_plural(total, 'unexpected result')} on "
            f"{len(bad)} of {gpus} ({'; '.join(parts)})")


def report(judgements):
    """The per-GPU table, the unexpected results of each GPU, the summary."""
    sections = [gpu_table(judgements)]
    for j in sorted(judgements, key=lambda j: j.run.config):
        listing = "\n".join(filter(None, (
            verdict_lines(j, (UNEXPECTED_FAIL, UNEXPECTED_PASS, MISSING, FLAKE)),
            new_tests_line(j))))
        if listing:
            sections.append(f"{j.run.config} (run {j.run.id}):\n{listing}")
    sections.append(summary_line(judgements))
    return "\n\n".join(sections) + "\n"


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


def comparison_report(comparisons, show_new=False):
    """Each comparison's headline and changes, then one summary line."""
    sections = []
    for comparison in comparisons:
        rows = [(c.kind, c.test, c.before or "-", c.after or "-")
                for c in comparison.changes if show_new or c.kind != NEW]
        sections.append(comparison.headline + ("\n" + table(
            ("change", "test", f"run {comparison.base.id}",
             f"run {comparison.run.id}"), rows) if rows else ""))
    regressed = [c.run.config for c in comparisons if c.count(REGRESSION)]
    regressions = sum(c.count(REGRESSION) for c in comparisons)
    gpus = _plural(len(comparisons), "GPU")
    sections.append(
        f"FAIL: {regressions:+d} failures vs baseline on {len(regressed)} of "
        f"{gpus} ({', '.join(regressed)})" if regressions else
        f"OK: no new failures vs baseline on {gpus}")
    return "\n\n".join(sections) + "\n"


def history_report(histories, limit):
    """histories: for each test, its history.ConfigHistory list."""
    lines = []
    for per_config in histories:
        lines.append(per_config[0].test)
        for h in per_config:
            lines.append(f"  {h.config}: " + "".join(
                HISTORY_LETTERS[status_of(r)] for _, r in h.entries[-limit:]))
            lines.extend(f"    {line}" for line in _history_summary(h))
    lines.append(f"({', '.join(f'{l} {s}' for s, l in HISTORY_LETTERS.items())};"
                 " oldest first)")
    return "\n".join(lines) + "\n"


def _history_summary(h):
    streak = h.current_streak
    first, status = streak[0][0], status_of(streak[-1][1])
    state = {"Pass": "passing", "Skip": "skipping"}.get(status, f"failing ({status})")
    since = (f"{state} since run {first.id} ({first.date[:10]}, driver "
             f"{first.driver_commit or '?'}, kernel {first.kernel}), "
             f"{_plural(len(streak), 'run')}")
    if status != "Pass":
        since += (f"; last pass: run {h.last_pass.id}, driver "
                  f"{h.last_pass.driver_commit or '?'}" if h.last_pass
                  else "; never passed")
    rate = (f"did not pass in {h.not_passing} of {h.ran} runs "
            f"({round(100 * h.not_passing / h.ran)}%)" if h.ran else "never ran")
    return [since, f"{rate}; result changed {_plural(h.flips, 'time')} in "
            f"{_plural(len(h.entries), 'run')}"]


def update_report(runs, plan):
    """What update-expectations changes in a set, from which runs."""
    heading = (f"{runs[0].config} (runs {', '.join(str(r.id) for r in runs)}): "
               f"{_plural(len(plan.updates), 'change') if plan.updates else 'no changes'}"
               f" to set {plan.target.name}")
    if not plan.updates:
        return heading + "\n"
    return heading + "\n" + table(("change", "test", "detail"), [
        (u.kind, u.test, u.detail) for u in plan.updates]) + "\n"
