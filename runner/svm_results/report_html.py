# SPDX-License-Identifier: MIT
"""A static HTML report: the per-GPU table, the unexpected results, and a
test x GPU matrix whose cells show the judged result and, under it, the
test's history on that GPU; results link to pages with the test's output,
error output and dmesg (and igt_runner's raw log folder when it still
exists)."""

import html
import os
import re
from datetime import datetime, timezone

from .judge import CATEGORIES, EXPECTED_FAIL, FLAKE, PASS, SKIP
from .report_text import summary_line
from .results import by_test_key, status_of
from .store import log_of, results_of, runs

HISTORY_LENGTH = 12

CSS = """
body { font: 14px/1.4 sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; }
.summary { font-weight: bold; padding: 6px 10px; display: inline-block; }
.ok { background: #c8e6c9; } .bad { background: #ffcdd2; }
a { color: inherit; }
.pass { background: #c8e6c9; } .expected-fail { background: #ffe0b2; }
.skip { background: #eeeeee; color: #666; } .flake { background: #e1bee7; }
.unexpected-fail { background: #e53935; color: #fff; font-weight: bold; }
.unexpected-pass { background: #1e88e5; color: #fff; font-weight: bold; }
.missing { background: #4e342e; color: #fff; font-weight: bold; }
.history { margin-top: 3px; white-space: nowrap; }
.history a, .history span { display: inline-block; width: 9px; height: 9px;
  margin-right: 1px; border: 1px solid #999; }
.h-Pass { background: #43a047; } .h-Skip { background: #ddd; }
.h-Fail, .h-Warn { background: #fb8c00; } .h-Crash, .h-Timeout { background: #b71c1c; }
.h-Missing { background: #000; } .h-absent { background: #fff; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 8px; overflow-x: auto; }
.legend span { padding: 2px 6px; margin-right: 4px; }
"""


def write_html(db, judgements, out_dir):
    """Write out_dir/index.html and its log pages; return the index path."""
    pages = _LogPages(db, out_dir)
    body = ["<h1>amdgpu SVM IGT results</h1>",
            f"<p>Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</p>",
            _summary(judgements), _gpu_table(judgements),
            _unexpected(judgements, pages), _matrix(db, judgements, pages)]
    path = os.path.join(out_dir, "index.html")
    _write(path, _page("amdgpu SVM IGT results", "\n".join(body)))
    return path


def _summary(judgements):
    css = "bad" if any(j.unexpected for j in judgements) else "ok"
    return f'<p class="summary {css}">{_e(summary_line(judgements))}</p>'


def _gpu_table(judgements):
    rows = []
    for j in sorted(judgements, key=lambda j: (not j.unexpected, j.run.config)):
        run = j.run
        cells = [f'<a href="#gpu-{_e(run.config)}">{_e(run.config)}</a>'
                 + (" (virtual)" if run.virtual else ""),
                 str(run.id), _e(run.date[:16].replace("T", " ")),
                 _e(run.machine), _e(run.kernel), _e(run.driver_commit or "?"),
                 _e(run.igt_version or "?"), _e(j.expectations.name)]
        counts = [j.count(PASS), j.count(EXPECTED_FAIL), j.count(SKIP),
                  j.count(FLAKE), len(j.unexpected)]
        css = ' class="bad"' if j.unexpected else ""
        rows.append(f"<tr{css}>" + "".join(f"<td>{c}</td>" for c in cells)
                    + "".join(f'<td class="num">{n}</td>' for n in counts)
                    + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in (
        "GPU", "run", "date", "machine", "kernel", "driver", "IGT",
        "expectations", "pass", "xfail", "skip", "flake", "unexpected"))
    return f"<table><tr>{head}</tr>\n" + "\n".join(rows) + "</table>"


def _unexpected(judgements, pages):
    parts = ["<h2>Unexpected results</h2>"]
    bad = [j for j in judgements if j.unexpected]
    if not bad:
        parts.append("<p>None: every GPU matched its expectations.</p>")
    for j in bad:
        items = "".join(
            f'<li><span class="{v.category}">{v.category}</span> '
            f"{_link(pages.href(j.run, v.test, v), v.test)}: {_e(v.note)}</li>"
            for v in j.unexpected)
        parts.append(f"<h3>{_e(j.run.config)}, run {j.run.id}</h3><ul>{items}</ul>")
    return "\n".join(parts)


def _matrix(db, judgements, pages):
    columns = sorted(judgements, key=lambda j: j.run.config)
    # One row per test on every GPU (results.by_test_key()).
    verdicts = [by_test_key({v.test: v for v in j.verdicts}) for j in columns]
    histories = [_history(db, j.run) for j in columns]
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    tests = sorted({t for column in verdicts for t in column},
                   key=lambda t: (min(rank[c[t].category] for c in verdicts
                                      if t in c), t))
    head = "<tr><th>test</th>" + "".join(
        f'<th id="gpu-{_e(j.run.config)}">{_e(j.run.config)}<br>run {j.run.id}</th>'
        for j in columns) + "</tr>"
    rows = []
    for test in tests:
        cells = []
        for j, column, history in zip(columns, verdicts, histories):
            verdict = column.get(test)
            if verdict is None:
                cells.append("<td></td>")
                continue
            text = _link(pages.href(j.run, verdict.test, verdict),
                         verdict.result or "absent")
            cells.append(f'<td class="{verdict.category}" title="{_e(verdict.note)}">'
                         f"{text}{_strip(history, verdict.test, pages)}</td>")
        rows.append(f"<tr><td>{_e(test)}</td>{''.join(cells)}</tr>")
    legend = " ".join(f'<span class="{c}">{c}</span>' for c in CATEGORIES)
    return (f"<h2>Tests by GPU</h2><p class=\"legend\">{legend}<br>Under each "
            f"result: the test on that GPU over its last {HISTORY_LENGTH} runs, "
            "oldest first.</p>\n<table>" + head + "\n" + "\n".join(rows) + "</table>")


def _history(db, run):
    """[(store.Run, results)] of run's configuration up to run, newest last."""
    earlier = [r for r in runs(db, config=run.config)
               if (r.date, r.id) <= (run.date, run.id)][-HISTORY_LENGTH:]
    return [(r, results_of(db, r)) for r in earlier]


def _strip(history, test, pages):
    boxes = []
    for run, results in history:
        result = results.get(test)
        status = status_of(result) if result else "absent"
        title = _e(f"run {run.id}, {run.date[:10]}, driver "
                   f"{run.driver_commit or '?'}: {result or 'absent'}")
        if result and status != "Pass":
            boxes.append(f'<a class="h-{status}" title="{title}" '
                         f'href="{pages.href(run, test)}"></a>')
        else:
            boxes.append(f'<span class="h-{status}" title="{title}"></span>')
    return f'<div class="history">{"".join(boxes)}</div>'


class _LogPages:
    """Writes a test's log page the first time it is linked to."""

    def __init__(self, db, out_dir):
        self.db, self.out_dir, self.written = db, out_dir, {}

    def href(self, run, test, verdict=None):
        key = (run.id, test)
        if key not in self.written:
            name = re.sub(r"[^A-Za-z0-9@._-]", "_", test) + ".html"
            self.written[key] = f"logs/run-{run.id}/{name}"
            self._write(run, test, verdict, self.written[key])
        return self.written[key]

    def _write(self, run, test, verdict, href):
        log = log_of(self.db, run, test)
        parts = ['<p><a href="../../index.html">back to the report</a></p>',
                 f"<h1>{_e(test)}</h1>",
                 f"<p>{_e(run.config)}, run {run.id}, {_e(run.date)}, machine "
                 f"{_e(run.machine)}, kernel {_e(run.kernel)}, driver "
                 f"{_e(run.driver_commit or '?')}</p>"]
        if verdict is not None:
            parts.append(f'<p><span class="{verdict.category}">{verdict.category}'
                         f"</span> {_e(verdict.note)}</p>")
        if verdict is not None and verdict.result is None:
            parts.append("<p>The test is absent from this run: no log.</p>")
        elif log is None:
            parts.append("<p>No log stored for this run (it was ingested "
                         "before logs were kept).</p>")
        else:
            if log.raw_dir:
                parts.append(f'<p>igt_runner\'s raw logs: <a href="file://'
                             f'{_e(log.raw_dir)}">{_e(log.raw_dir)}</a></p>')
            for title, text in (("Output", log.out), ("Error output", log.err),
                                ("dmesg", log.dmesg)):
                parts.append(f"<h2>{title}</h2><pre>{_e(text) or '(empty)'}</pre>")
        _write(os.path.join(self.out_dir, href), _page(test, "\n".join(parts)))


def _link(href, text):
    return f'<a href="{_e(href)}">{_e(text)}</a>'


def _e(text):
    return html.escape(str(text))


def _page(title, body):
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
