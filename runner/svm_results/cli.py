# SPDX-License-Identifier: MIT
"""svm-results: the command line, a short main over the stages."""

import argparse
import contextlib
import json
import os
import re
import sys

from .compare import REGRESSION, compare_runs
from .database import close_all, describe, engine_errors, is_url
from .errors import InputError
from .expectations import load_for_config, split_testlist
from .history import histories
from .identity import (IDENTITY_KEYS, XNACK_MODES, read_identity_file,
                       resolve_identity)
from .ingest import IDENTITY_FILE, ingest
from .judge import CATEGORIES, PASS, judge_results_dir, judge_run
from .kcidb import (DEFAULT_ORIGIN, ORIGIN_PATTERN, SCHEMA_MAJOR, SCHEMA_MINOR,
                    export_kcidb)
from .report_html import write_html
from .report_junit import junit_xml
from .report_text import (comparison_report, history_report, new_tests_line,
                          report, run_heading, summary_line, update_report,
                          verdict_lines)
from .resultsfile import read_results_dir
from .schema import default_db_path, open_db
from .selection import LATEST, baseline_pairs, select_runs
from .store import repeats_of_build, results_of, run_by_id, tests_matching
from .update import plan_update, write_plan

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_EXPECTATIONS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "expectations")


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except BrokenPipeError:
        return EXIT_OK
    except InputError as e:
        print(f"svm-results: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        print(f"svm-results: error: {e.filename or ''}: {e.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except engine_errors() as e:
        print(f"svm-results: error: {describe(args.db)}: {args.command_name} "
              f"failed: {str(e).strip()} (nothing was changed)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        with contextlib.suppress(*engine_errors()):
            close_all()


def _identity_flags(args):
    return {key: getattr(args, key) for key in IDENTITY_KEYS}


def _identity_file(args, results_dir):
    """--identity, else RESULTS_DIR/identity.json when there is one."""
    default = os.path.join(results_dir, IDENTITY_FILE)
    return args.identity or (default if os.path.exists(default) else None)


def _cmd_ingest(args):
    db = open_db(args.db, create=True)
    run_id, identity = ingest(db, args.results_dir,
                              _identity_file(args, args.results_dir),
                              _identity_flags(args))
    print(f"ingested {args.results_dir} as run {run_id} ({identity.config}, "
          f"{identity.date}, machine {identity.machine})")
    return EXIT_OK


def _judgements(args):
    db = open_db(args.db)
    return [judge_run(db, run, args.expectations)
            for run in select_runs(db, args.run, args.config)]


def _judge_folder(args):
    results_run = read_results_dir(args.run)
    identity_file = _identity_file(args, args.run)
    identity = resolve_identity(
        read_identity_file(identity_file) if identity_file else {},
        _identity_flags(args), results_run)
    db = (open_db(args.db) if is_url(args.db) or os.path.exists(args.db)
          else None)
    return judge_results_dir(db, results_run, identity, args.expectations)


def _cmd_judge(args):
    is_folder = args.run != LATEST and os.path.isdir(args.run)
    judgements = [_judge_folder(args)] if is_folder else _judgements(args)
    shown = CATEGORIES if args.all else tuple(c for c in CATEGORIES if c != PASS)
    for j in judgements:
        print(run_heading(j))
        print(verdict_lines(j, shown) or "(every test passed)")
        if new_tests_line(j):
            print(new_tests_line(j))
        print()
    print(summary_line(judgements))
    return EXIT_UNEXPECTED if any(j.unexpected for j in judgements) else EXIT_OK


def _cmd_report(args):
    judgements = _judgements(args)
    if args.html:
        print(f"HTML report: {write_html(open_db(args.db), judgements, args.html)}")
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as f:
            f.write(junit_xml(open_db(args.db), judgements))
        print(f"JUnit XML: {args.junit}")
    sys.stdout.write(report(judgements))
    return EXIT_UNEXPECTED if any(j.unexpected for j in judgements) else EXIT_OK


def _cmd_compare(args):
    db = open_db(args.db)
    pairs, unpaired = baseline_pairs(db, args.baseline, args.run, args.config)
    if unpaired:
        print(f"no baseline {args.baseline!r} for {', '.join(unpaired)}",
              file=sys.stderr)
    comparisons = [compare_runs(db, base, run) for base, run in pairs]
    sys.stdout.write(comparison_report(comparisons, show_new=args.all))
    regressed = any(c.count(REGRESSION) for c in comparisons)
    return EXIT_UNEXPECTED if regressed else EXIT_OK


def _cmd_history(args):
    db = open_db(args.db)
    try:
        pattern = re.compile(args.test)
    except re.error as e:
        raise InputError(f"bad regular expression {args.test!r}: {e}") from None
    tests = tests_matching(db, pattern)
    if not tests:
        raise InputError(f"no stored test matches {args.test!r}")
    found = histories(db, tests, args.config)
    if not found:
        raise InputError(f"no stored test matches {args.test!r} on {args.config}")
    sys.stdout.write(history_report(found, args.limit))
    return EXIT_OK


def _cmd_export_kcidb(args):
    db = open_db(args.db)
    runs = {}
    for spec in args.runs:
        for run in select_runs(db, spec, args.config):
            runs[run.id] = run
    if not ORIGIN_PATTERN.match(args.origin):
        raise InputError(f"bad KCIDB origin {args.origin!r}: lowercase "
                         "letters, digits and _ only")
    document = export_kcidb(db, [runs[i] for i in sorted(runs)], args.origin,
                            args.log_url_base)
    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"KCIDB {SCHEMA_MAJOR}.{SCHEMA_MINOR}: {len(document['tests'])} "
              f"tests of {len(runs)} runs in {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_update_expectations(args):
    db = open_db(args.db)
    if args.runs:
        chosen = [run_by_id(db, int(r)) for r in args.runs]
        configs = {r.config for r in chosen}
        if len(configs) > 1:
            raise InputError("the runs are of several GPUs: "
                             f"{', '.join(sorted(configs))}")
        groups = [chosen]
    else:
        groups = [repeats_of_build(db, latest)
                  for latest in select_runs(db, LATEST, args.config)]
    for group in groups:
        plan = plan_update(args.expectations, group[0].config,
                           [(run, results_of(db, run)) for run in group])
        sys.stdout.write(update_report(group, plan))
        if plan.updates and not args.dry_run:
            write_plan(plan)
    if args.dry_run:
        print("(dry run: nothing written)")
    return EXIT_OK


def _cmd_filter_testlist(args):
    expectations = load_for_config(args.expectations, args.config)
    kept, skipped = split_testlist(args.testlist, expectations)
    for name, skip in skipped:
        print(f"skipped {name}: {expectations.shown_path('skips')}:{skip.line} "
              f"{skip.pattern}", file=sys.stderr)
    sys.stdout.write("".join(name + "\n" for name in kept))
    return EXIT_OK


def _parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=default_db_path(),
                        help="results database: an SQLite file, or a "
                        "postgresql:// URL of a server several machines "
                        "share (default: $SVM_RESULTS_DB or "
                        "~/.local/share/amdgpu-svm/results.sqlite)")
    common.add_argument("--expectations", default=DEFAULT_EXPECTATIONS,
                        metavar="DIR", help="folder of <gpu>-{fails,flakes,"
                        "skips}.txt (default: runner/expectations)")
    parser = argparse.ArgumentParser(
        prog="svm-results",
        description="Per-GPU result tracking for the amdgpu SVM IGT suite. "
        "Exit status: 0 as expected, 1 unexpected results, 2 bad input.")
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name, help_text):
        p = subparsers.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(command_name=name)
        return p

    def add_identity_flags(p):
        p.add_argument("--identity", metavar="FILE", help="identity.json of "
                       "the run (default: RESULTS_DIR/identity.json if present;"
                       " format in runner/README.md)")
        p.add_argument("--gfx-target", help="gfx1100, gfx943, ...; "
                       "gfx1100+gfx943 for several GPUs")
        p.add_argument("--xnack", choices=XNACK_MODES,
                       help="none for a GPU without XNACK (gfx1100)")
        p.add_argument("--virtual", action="store_const", const=True,
                       help="the run was on the vamdgpu virtual GPU")
        p.add_argument("--real", dest="virtual", action="store_const",
                       const=False, help="the run was on real hardware")
        p.add_argument("--kernel", help="kernel release (default: from uname)")
        p.add_argument("--driver-commit", help="driver git commit")
        p.add_argument("--igt-version", help="default: from the tests' output")
        p.add_argument("--machine", help="default: host name from uname")
        p.add_argument("--date", help="ISO 8601 (default: start of the run)")
        p.add_argument("--label", help="run name, e.g. release-0.1 "
                       "(default: the results' name)")

    p = command("ingest", "store an igt_runner results folder")
    p.add_argument("results_dir", metavar="RESULTS_DIR")
    add_identity_flags(p)
    p.set_defaults(command=_cmd_ingest)

    def add_run_selection(p, what):
        p.add_argument("run", nargs="?", default=LATEST, metavar="RUN",
                       help=f"{what}: a run id, 'latest' (the newest run of "
                       "every GPU, the default) or a run label")
        p.add_argument("--latest", dest="run", action="store_const",
                       const=LATEST, help="the newest run of every GPU")
        p.add_argument("--config", metavar="GPU",
                       help="only this GPU configuration, e.g. gfx943-xnack-on")

    p = command("judge", "judge runs, or a results folder without storing "
                "it, against expectations, test by test")
    add_run_selection(p, "the runs to judge, or a results folder")
    add_identity_flags(p)
    p.add_argument("--all", action="store_true", help="list passes too")
    p.set_defaults(command=_cmd_judge)

    p = command("report", "per-GPU table of runs judged against expectations")
    add_run_selection(p, "the runs to report")
    p.add_argument("--html", metavar="DIR", help="also write a static HTML "
                   "report (index.html and log pages) to DIR")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML")
    p.set_defaults(command=_cmd_report)

    p = command("compare", "what changed between a baseline and a run, per GPU")
    p.add_argument("baseline", metavar="BASELINE", help="a run id, or a label: "
                   "the newest run with it on every GPU (e.g. release-0.1)")
    add_run_selection(p, "the runs to compare with the baseline")
    p.add_argument("--all", action="store_true", help="list new tests too")
    p.set_defaults(command=_cmd_compare)

    p = command("history", "one test across runs and GPUs")
    p.add_argument("test", metavar="TEST", help="BINARY@SUBTEST, or a "
                   "regular expression matching test names")
    p.add_argument("--config", metavar="GPU", help="only this GPU")
    p.add_argument("--limit", type=int, default=40,
                   help="results shown per GPU (default 40)")
    p.set_defaults(command=_cmd_history)

    p = command("export-kcidb", "write runs as KCIDB I/O JSON (schema "
                "4.3) for KernelCI's common results database")
    p.add_argument("runs", nargs="*", default=[LATEST], metavar="RUN",
                   help="run ids or labels, or 'latest' (the default)")
    p.add_argument("--config", metavar="GPU", help="only this GPU")
    p.add_argument("--origin", default=DEFAULT_ORIGIN, help="the submitting "
                   f"CI system's KCIDB origin (default: {DEFAULT_ORIGIN})")
    p.add_argument("--log-url-base", metavar="URL", help="where the results "
                   "folders are published (default: file:// URLs of the "
                   "local log folders)")
    p.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    p.set_defaults(command=_cmd_export_kcidb)

    p = command("filter-testlist", "print an igt_runner testlist without "
                "the tests a GPU's skips.txt names")
    p.add_argument("testlist", metavar="TESTLIST",
                   help="igt@BINARY@SUBTEST lines, as igt_runner --test-list reads")
    p.add_argument("--config", metavar="GPU", required=True,
                   help="the GPU configuration whose skips apply, e.g. "
                   "vamdgpu-gfx943-xnack-on")
    p.set_defaults(command=_cmd_filter_testlist)

    p = command("update-expectations", "rewrite a GPU's expectation files "
                "from runs (default: the repeats of each GPU's newest build)")
    p.add_argument("runs", nargs="*", metavar="RUN", help="run ids, all of one GPU")
    p.add_argument("--config", metavar="GPU", help="only this GPU")
    p.add_argument("--dry-run", action="store_true",
                   help="print the changes, write nothing")
    p.set_defaults(command=_cmd_update_expectations)
    return parser
