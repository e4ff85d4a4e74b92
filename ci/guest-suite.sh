#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs in the guest: the SVM suite once per GPU configuration, each a fresh
# load of the virtual GPU driver. Results: /results/<config>/.
#
# Usage: guest-suite.sh TESTLIST CONFIG...
#   TESTLIST  a file of igt@binary@subtest lines (tests/testlists/)
#   CONFIG    a comma-separated list of gfx targets, one virtual GPU each;
#             the run is named after it ("gfx1100", "gfx1100+gfx943")
set -uo pipefail
list=$1; shift
rc=0
for config in "$@"; do
	/project/ci/guest-igt.sh --name "${config//,/+}" --gpus "$config" \
		--test-root /project/build/tests --test-list "$list" || rc=1
done
exit $rc
