# SPDX-License-Identifier: MIT
"""svm-results: the command line, a short main over the stages."""

import argparse
import os
import sys

from .errors import InputError
from .identity import XNACK_MODES
from .ingest import ingest
from .judge import CATEGORIES, PASS, judge_run
from .report_text import report, run_heading, summary_line, verdict_lines
from .schema import default_db_path, open_db
from .selection import LATEST, select_runs

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_EXPECTATIONS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "expectations")


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except InputError as e:
        print(f"svm-results: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


def _cmd_ingest(args):
    flags = {"gfx_target": args.gfx_target, "xnack": args.xnack,
             "virtual": args.virtual, "kernel": args.kernel,
             "driver_commit": args.driver_commit,
             "igt_version": args.igt_version, "machine": args.machine,
             "date": args.date, "label": args.label}
    db = open_db(args.db, create=True)
    run_id, identity = ingest(db, args.results_dir, args.identity, flags)
    print(f"ingested {args.results_dir} as run {run_id} ({identity.config}, "
          f"{identity.date}, machine {identity.machine})")
    return EXIT_OK


def _judgements(args):
    db = open_db(args.db)
    return [judge_run(db, run, args.expectations)
            for run in select_runs(db, args.run, args.config)]


def _cmd_judge(args):
    judgements = _judgements(args)
    shown = CATEGORIES if args.all else tuple(c for c in CATEGORIES if c != PASS)
    for j in judgements:
        print(run_heading(j))
        listing = verdict_lines(j, shown)
        print(listing or "(every test passed)")
        print()
    print(summary_line(judgements))
    return EXIT_UNEXPECTED if any(j.unexpected for j in judgements) else EXIT_OK


def _cmd_report(args):
    judgements = _judgements(args)
    sys.stdout.write(report(judgements))
    return EXIT_UNEXPECTED if any(j.unexpected for j in judgements) else EXIT_OK


def _parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=default_db_path(),
                        help="results database (default: $SVM_RESULTS_DB or "
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
        return subparsers.add_parser(name, help=help_text, parents=[common])

    p = command("ingest", "store an igt_runner results folder")
    p.add_argument("results_dir", metavar="RESULTS_DIR")
    p.add_argument("--identity", metavar="FILE",
                   help="identity.json of the run (see runner/README.md)")
    p.add_argument("--gfx-target", help="gfx1100, gfx943, ...")
    p.add_argument("--xnack", choices=XNACK_MODES)
    p.add_argument("--virtual", action="store_const", const=True,
                   help="the run was on the vamdgpu virtual GPU")
    p.add_argument("--real", dest="virtual", action="store_const", const=False,
                   help="the run was on real hardware")
    p.add_argument("--kernel", help="kernel release (default: from uname)")
    p.add_argument("--driver-commit", help="driver git commit")
    p.add_argument("--igt-version", help="default: from the tests' output")
    p.add_argument("--machine", help="default: host name from uname")
    p.add_argument("--date", help="ISO 8601 (default: start of the run)")
    p.add_argument("--label", help="run name, e.g. release-0.1 "
                   "(default: the results' name)")
    p.set_defaults(command=_cmd_ingest)

    def add_run_selection(p, what):
        p.add_argument("run", nargs="?", default=LATEST, metavar="RUN",
                       help=f"{what}: a run id, 'latest' (the newest run of "
                       "every GPU, the default) or a run label")
        p.add_argument("--latest", dest="run", action="store_const",
                       const=LATEST, help="the newest run of every GPU")
        p.add_argument("--config", metavar="GPU",
                       help="only this GPU configuration, e.g. gfx943-xnack-on")

    p = command("judge", "judge runs against expectations, test by test")
    add_run_selection(p, "the runs to judge")
    p.add_argument("--all", action="store_true", help="list passes too")
    p.set_defaults(command=_cmd_judge)

    p = command("report", "per-GPU table of runs judged against expectations")
    add_run_selection(p, "the runs to report")
    p.set_defaults(command=_cmd_report)
    return parser
