#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the igt_runner fixtures run-a/ and run-b/ by running
# svm_standin under the real igt_runner of a Debian root that has
# igt-gpu-tools (usage: make-fixtures.sh ROOT).  The raw job folders are
# kept as igt_runner wrote them; only the results path is fixed.
set -eu
root=${1:?usage: $0 DEBIAN_ROOT_WITH_IGT_RUNNER}
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
rm -rf "$work"
