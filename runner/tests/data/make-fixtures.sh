#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the igt_runner fixtures by running test binaries under the real
# igt_runner of a Debian root that has igt-gpu-tools:
#   run-a/, run-b/   svm_standin with SVM_STANDIN_RUN=a and b
#   selftest/        tests/selftest's igt_compat_selftest (a C binary built
#                    on the project's IGT), when its path is given
# usage: make-fixtures.sh ROOT [IGT_COMPAT_SELFTEST]
# The raw job folders are kept as igt_runner wrote them.
set -eu
root=${1:?usage: $0 DEBIAN_ROOT_WITH_IGT_RUNNER [IGT_COMPAT_SELFTEST]}
selftest=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$root/tmp/svm-results-fixtures
rm -rf "$work"
mkdir -p "$work/bin"
cp "$here/svm_standin" "$work/bin/"
echo svm_standin > "$work/bin/test-list.txt"
for run in a b; do
	chroot "$root" igt_runner --allow-non-root -n "standin-$run" \
		-e SVM_STANDIN_RUN=$run /tmp/svm-results-fixtures/bin \
		/tmp/svm-results-fixtures/run-$run
	rm -rf "$here/run-$run"
	cp -r "$work/run-$run" "$here/run-$run"
done
if [ -n "$selftest" ]; then
	mkdir "$work/selftest-bin"
	cp "$selftest" "$work/selftest-bin/igt_compat_selftest"
	echo igt_compat_selftest > "$work/selftest-bin/test-list.txt"
	# timeout-hangs needs --per-test-timeout; its SIGQUIT must not dump core
	(ulimit -c 0; chroot "$root" igt_runner --allow-non-root -n selftest \
		--per-test-timeout 10 /tmp/svm-results-fixtures/selftest-bin \
		/tmp/svm-results-fixtures/selftest) || true
	rm -rf "$here/selftest"
	cp -r "$work/selftest" "$here/selftest"
fi
rm -rf "$work"
