#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The amdgpu-svm authors
#
# Run igt_compat_selftest under an unmodified igt_runner and check that
# results.json holds exactly the results of expected-results.txt.
#
# usage: verify_with_igt_runner.sh SELFTEST_BINARY [ROOT]
#
# With ROOT (a Debian root with igt-gpu-tools, e.g. the suite's sid root),
# igt_runner runs there through chroot (needs root); the binary and the
# results live in a scratch folder ROOT/tmp/igt-compat-selftest.XXXXXX that
# is removed afterwards. Without ROOT, the host's igt_runner is used.
# Exits non-zero when a result differs; KEEP=1 keeps the scratch folder.
set -eu

selftest=$1
root=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

scratch=$(mktemp -d "${root}/tmp/igt-compat-selftest.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$scratch"' EXIT
inside=${scratch#"$root"}

# igt_runner's test root: the binaries and test-list.txt naming them.
mkdir "$scratch/tests"
cp "$selftest" "$scratch/tests/igt_compat_selftest"
echo igt_compat_selftest > "$scratch/tests/test-list.txt"

# timeout-hangs must be killed by --per-test-timeout (it gives up after 60 s);
# igt_runner kills it with SIGQUIT, which would otherwise dump core.
ulimit -c 0
set -- igt_runner --per-test-timeout 10 "$inside/tests" "$inside/results"
echo "running: ${root:+chroot $root }$*"
if [ -n "$root" ]; then
	chroot "$root" "$@" > "$scratch/runner.log" 2>&1 || true
else
	"$@" > "$scratch/runner.log" 2>&1 || true
fi
cat "$scratch/runner.log"

python3 "$here/check_results.py" "$scratch/results"
