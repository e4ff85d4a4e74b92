#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Report each subtest of an igt_runner results.json to LAVA: one
lava-test-case call per test, named as KCIDB paths are (igt.BINARY.SUBTEST
[.DYNAMIC]) with the IGT result mapped to pass, fail or skip.

Usage: lava_results.py RESULTS_JSON [--dry-run]
  --dry-run  print the lava-test-case command lines instead of running them
"""

import json
import re
import subprocess
import sys

# IGT result -> LAVA test case result.
LAVA_RESULT = {
    "pass": "pass",
    "skip": "skip",
    "notrun": "skip",
    "fail": "fail", "dmesg-fail": "fail", "warn": "fail", "dmesg-warn": "fail",
    "crash": "fail", "incomplete": "fail", "abort": "fail", "timeout": "fail",
}

_UNSAFE = re.compile(r"[^-_a-zA-Z0-9.]")


def case_name(igt_name):
    """igt@BINARY@SUBTEST[@DYNAMIC] -> igt.BINARY.SUBTEST[.DYNAMIC]."""
    return ".".join(_UNSAFE.sub("_", part) for part in igt_name.split("@"))


def commands(results):
    for name in sorted(results["tests"]):
        result = results["tests"][name]["result"]
        yield ["lava-test-case", case_name(name), "--result",
               LAVA_RESULT.get(result, "unknown")]


def main(argv):
    if not argv or argv[0].startswith("-"):
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
