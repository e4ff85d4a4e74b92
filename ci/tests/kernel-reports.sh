#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/kernel-reports.sh must pass a clean console and name every report kind.
set -uo pipefail
here=$(dirname "$0")
scan=$here/../kernel-reports.sh
failed=0

expect() {
	local log=$1 want_status=$2 want_text=$3 output status
	output=$("$scan" "$here/data/$log" 2>&1)
	status=$?
	if [ "$status" != "$want_status" ] || ! grep -qF -- "$want_text" <<< "$output"; then
		echo "FAIL: $log: expected exit $want_status naming '$want_text', got exit $status:"
		echo "$output"
		failed=1
	else
		echo "ok: $log"
	fi
}

expect console-clean.log 0 ""
expect console-warn.log 1 "WARNING: drivers/gpu/drm/drm_file.c:329 at drm_open_helper"
expect console-lockdep.log 1 "possible circular locking dependency"
expect console-kmemleak.log 1 "unreferenced object 0xffff888003a1c000"
exit $failed
