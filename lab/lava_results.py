#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Between igt_runner and LAVA, both ways.

In the job: report each subtest of an igt_runner results.json to LAVA, one
lava-test-case call per test, named as KCIDB paths are
(igt.BINARY.SUBTEST[.DYNAMIC]) with the IGT result mapped to pass, fail or
skip.

On the host: take the results folders a job sent out on its console (the
base64 tar between lava_jobs.py's marker lines) back out of lava-run's
log, ready for `svm-results ingest`, with the guest's console, and count
the test cases LAVA recorded.

Usage: lava_results.py RESULTS_JSON [--dry-run]
       lava_results.py extract LAVA_LOG DIR
  --dry-run  print the lava-test-case command lines instead of running them
  extract    LAVA_LOG is what lava-run printed (a YAML mapping per line);
             each results folder goes to DIR/CONFIG (printed on stdout),
             the console to DIR/console.log; exit status 1 if LAVA
             recorded a failed test case or no results folder came out
"""

import base64
import collections
import io
import json
import os
import re
import subprocess
import sys
import tarfile

# Marker lines around a results folder on the job's console (lava_jobs.py
# writes the steps that print them).
RESULTS_BEGIN = "8<-- svm-results begin"
RESULTS_END = "8<-- svm-results end"

# IGT result -> LAVA test case result.
LAVA_RESULT = {
    "pass": "pass",
    "skip": "skip",
    "notrun": "skip",
    "fail": "fail", "dmesg-fail": "fail", "warn": "fail", "dmesg-warn": "fail",
    "crash": "fail", "incomplete": "fail", "abort": "fail", "timeout": "fail",
}

_UNSAFE = re.compile(r"[^-_a-zA-Z0-9.]")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=]+$")


def case_name(igt_name):
    """igt@BINARY@SUBTEST[@DYNAMIC] -> igt.BINARY.SUBTEST[.DYNAMIC]."""
    return ".".join(_UNSAFE.sub("_", part) for part in igt_name.split("@"))


def commands(results):
    for name in sorted(results["tests"]):
        result = results["tests"][name]["result"]
        yield ["lava-test-case", case_name(name), "--result",
               LAVA_RESULT.get(result, "unknown")]


def _log_records(lines):
    # Imported here: the job's guest runs this file without PyYAML.
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = yaml.load(line, Loader=loader)
        except yaml.YAMLError as err:
            raise ValueError(f"line {number} of the LAVA log is not a YAML "
                             f"mapping: {err}") from err
        if isinstance(record, dict):
            yield record


def extract(lines):
    """({config: tar.gz bytes}, Counter of the test shell's case results,
    console lines) from lava-run's log lines."""
    folders, cases, console = {}, collections.Counter(), []
    config, chunks = None, []
    for record in _log_records(lines):
        msg = record.get("msg")
        if record.get("lvl") == "results" and isinstance(msg, dict):
            if msg.get("definition") != "lava":
                cases[msg.get("result")] += 1
            continue
        if record.get("lvl") != "target" or not isinstance(msg, str):
            continue
        console.append(msg)
        text = msg.strip()
        if text.startswith(RESULTS_BEGIN):
            config, chunks = text[len(RESULTS_BEGIN):].strip(), []
        elif text.startswith(RESULTS_END) and config is not None:
            folders[config] = base64.b64decode("".join(chunks), validate=True)
            config = None
        elif config is not None and _BASE64.match(text):
            chunks.append(text)
    if config is not None:
        raise ValueError(f"the results of {config} start in the LAVA log "
                         "but never end: the job stopped while sending them")
    return folders, cases, console


def _extract_main(log_path, out_dir):
    with open(log_path, encoding="utf-8") as f:
        folders, cases, console = extract(f)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "console.log"), "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in console)
    print("LAVA test cases: " + (", ".join(
        f"{n} {result}" for result, n in sorted(cases.items())) or "none"),
        file=sys.stderr)
    if not folders:
        print(f"lava_results: no results folder in {log_path}: did the job "
              "run with --artifacts-url, or stop before its test step ended?",
              file=sys.stderr)
        return 1
    for config, data in folders.items():
        if _UNSAFE.search(config) or config.startswith("."):
            raise ValueError(f"unexpected configuration name {config!r}")
        target = os.path.join(out_dir, config)
        os.makedirs(target, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar.getmembers():
                name = os.path.normpath(member.name)
                if (name.startswith(("/", "..")) or
                        not (member.isfile() or member.isdir())):
                    raise ValueError(f"the results of {config} hold "
                                     f"{member.name!r}: not a plain file "
                                     "inside the folder")
            tar.extractall(target)
        print(target)
    return 1 if set(cases) - {"pass", "skip"} else 0


def main(argv):
    if argv[:1] == ["extract"] and len(argv) == 3:
        return _extract_main(argv[1], argv[2])
    if not argv or argv[0].startswith("-") or argv[0] == "extract":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        results = json.load(f)
    for command in commands(results):
        if "--dry-run" in argv[1:]:
            print(" ".join(command))
        else:
            subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
