# SPDX-License-Identifier: MIT
"""Terminal reports: the per-GPU table, the per-test listing, the summary."""

from .judge import (EXPECTED_FAIL, FLAKE, MISSING, PASS, SKIP, UNEXPECTED,
                    UNEXPECTED_FAIL, UNEXPECTED_PASS)


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
             (j.run.driver_commit or "?")[:12], j.run.kernel,
             j.count(PASS), j.count(EXPECTED_FAIL), j.count(SKIP),
             j.count(FLAKE), len(j.unexpected)) for j in ordered]
    return table(("GPU", "run", "date", "driver", "kernel", "pass", "xfail",
                  "skip", "flake", "unexpected"), rows)


def verdict_lines(judgement, categories):
    """The verdicts of those categories, one per line, as a table."""
    rows = [(v.category + (" (new)" if v.new else ""), v.test, v.result or "-",
             v.note) for v in judgement.verdicts if v.category in categories]
    return table(("verdict", "test", "result", "why"), rows) if rows else ""


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
    gpus = f"{len(judgements)} GPU{'s' if len(judgements) != 1 else ''}"
    if not bad:
        flakes = sum(j.count(FLAKE) for j in judgements)
        return (f"OK: all {gpus} as expected"
                + (f" ({flakes} known flake{'s' if flakes != 1 else ''} seen)"
                   if flakes else ""))
    parts = []
    for j in bad:
        counts = ", ".join(f"{n} {c}" for c in UNEXPECTED
                           if (n := j.count(c)))
        parts.append(f"{j.run.config}: {counts}")
    total = sum(len(j.unexpected) for j in bad)
    return (f"FAIL: {total} unexpected result{'s' if total != 1 else ''} on "
            f"{len(bad)} of {gpus} ({'; '.join(parts)})")


def report(judgements):
    """The per-GPU table, the unexpected results of each GPU, the summary."""
    sections = [gpu_table(judgements)]
    for j in sorted(judgements, key=lambda j: j.run.config):
        listing = verdict_lines(j, (UNEXPECTED_FAIL, UNEXPECTED_PASS, MISSING, FLAKE))
        if listing:
            sections.append(f"{j.run.config} (run {j.run.id}):\n{listing}")
    sections.append(summary_line(judgements))
    return "\n\n".join(sections) + "\n"
