# SPDX-License-Identifier: MIT
"""IGT result strings, test names, and their drm-ci spellings.

igt_runner's results.json names a test igt@BINARY@SUBTEST (and
igt@BINARY@SUBTEST@DYNAMIC, or igt@BINARY for a binary without subtests);
drm-ci's expectation files drop the "igt@" prefix.  igt_runner reports one of
eleven results; drm-ci's files speak deqp-runner's statuses.
"""

import re
from collections import Counter

from .errors import InputError

IGT_PREFIX = "igt@"

# igt_runner result -> drm-ci status.  dmesg-warn is a Warn and dmesg-fail a
# Fail, as the runner derives them from a pass or a fail plus kernel messages;
# incomplete and abort are a test that never finished, which deqp-runner calls
# a Crash; notrun is a test the runner never reached (deqp-runner: Missing).
STATUS_OF_RESULT = {
    "pass": "Pass",
    "skip": "Skip",
    "fail": "Fail",
    "dmesg-fail": "Fail",
    "warn": "Warn",
    "dmesg-warn": "Warn",
    "crash": "Crash",
    "incomplete": "Crash",
    "abort": "Crash",
    "timeout": "Timeout",
    "notrun": "Missing",
}

IGT_RESULTS = tuple(STATUS_OF_RESULT)

# The statuses a <gpu>-fails.txt line may expect.
FAILURE_STATUSES = ("Fail", "Crash", "Timeout", "Warn")


def status_of(result):
    """The drm-ci status of an igt_runner result string."""
    try:
        return STATUS_OF_RESULT[result]
    except KeyError:
        raise InputError(f"unknown IGT result {result!r} "
                         f"(known: {', '.join(IGT_RESULTS)})") from None


def drmci_name(igt_name):
    """igt@BINARY@SUBTEST[@DYNAMIC] -> BINARY@SUBTEST[@DYNAMIC]."""
    if not igt_name.startswith(IGT_PREFIX) or len(igt_name) == len(IGT_PREFIX):
        raise InputError(f"test name {igt_name!r} does not start with "
                         f"{IGT_PREFIX!r} followed by a binary name")
    return igt_name[len(IGT_PREFIX):]


def binary_of(test):
    """The test binary of a drm-ci test name."""
    return test.split("@", 1)[0]


def parent_of(test):
    """BINARY@SUBTEST of a dynamic subtest BINARY@SUBTEST@DYNAMIC, else None."""
    parts = test.split("@", 2)
    return "@".join(parts[:2]) if len(parts) == 3 else None


# The GPU and XNACK mode a dynamic subtest name starts with, e.g.
# "gpu0-gfx943-xnack-on" or "gpu1-gfx1100-xnack-off-4k".
_GPU_MODE = re.compile(r"^gpu\d+-gfx[0-9a-f]+-xnack-(?:on|off)(?:-|$)")


def test_key(test):
    """The name of test on every GPU: BINARY@SUBTEST[@DYNAMIC] with the GPU
    and XNACK mode the dynamic subtest starts with dropped (they are the
    run's configuration), e.g. amd_svm_map@fill@gpu0-gfx943-xnack-on-4k ->
    amd_svm_map@fill@4k, amd_svm_map@fill@gpu1-gfx1100-xnack-off ->
    amd_svm_map@fill."""
    parts = test.split("@")
    if len(parts) == 3:
        parts[2] = _GPU_MODE.sub("", parts[2])
        if not parts[2]:
            parts.pop()
    return "@".join(parts)


def by_test_key(results):
    """test -> value re-keyed by test_key(), where that key is the name of
    only one test; the others keep their names."""
    keys = {test: test_key(test) for test in results}
    uses = Counter(keys.values())
    return {(keys[t] if uses[keys[t]] == 1 else t): v for t, v in results.items()}
