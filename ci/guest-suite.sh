#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs in the guest: the SVM suite once per GPU configuration, each a fresh
# load of the virtual GPU driver. Results: /results/<config>/.
#
# Usage: guest-suite.sh TESTLIST CONFIG...
#   TESTLIST  a file of igt@binary@subtest lines (tests/testlists/)
#   CONFIG    gfx targets joined by "+", one virtual GPU each, optionally
#             followed by -xnack-on or -xnack-off: "gfx1100",
#             "gfx943-xnack-on", "gfx1100+gfx943-xnack-off"
set -uo pipefail
list=$1; shift
rc=0
# The long list outlasts the usual 120 s per test in the emulated guest.
case $list in
*/svm-long.testlist) export IGT_PER_TEST_TIMEOUT=${IGT_PER_TEST_TIMEOUT:-900} ;;
esac
for config in "$@"; do
	gpus=$config xnack=
	case $config in
	*-xnack-on) gpus=${config%-xnack-on} xnack=on ;;
	*-xnack-off) gpus=${config%-xnack-off} xnack=off ;;
	esac
	/project/ci/guest-igt.sh --name "$config" --gpus "${gpus//+/,}" ${xnack:+--xnack $xnack} \
		--test-root /project/build/tests --test-list "$list" || rc=1
done
exit $rc
