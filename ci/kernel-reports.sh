#!/bin/bash
# SPDX-License-Identifier: MIT
# Scan a kernel console log for reports that must fail a run: WARN, BUG,
# oops, panic, lockdep, KASAN, UBSAN, kmemleak, RCU stalls, hung tasks.
# Prints each report's first line and the lines after it; exit 1 if any.
# Usage: ci/kernel-reports.sh CONSOLE_LOG
set -uo pipefail
log=$1
# Any "WARNING:" line (WARN_ON in 7.x: "WARNING: FILE:LINE at FN, CPU#N: COMM";
# lockdep: "WARNING: possible circular locking ..."), oopses, BUGs, panics,
# sanitizers, kmemleak, stalls; "end trace" closes every WARN and oops.
pattern='(^|\] )WARNING: |---\[ end trace|BUG: |kernel BUG at|Oops: |general protection fault|Kernel panic|possible deadlock|KASAN: |UBSAN: |unreferenced object 0x|rcu: INFO: rcu_.* detected stalls|INFO: task .* blocked for more than|DEBUG_LOCKS_WARN_ON'
hits=$(grep -nE "$pattern" "$log" | head -n 20)
[ -z "$hits" ] && exit 0
echo "kernel reports in $log:"
echo "$hits" | while IFS=: read -r line text; do
	echo "  line $line: $text"
	sed -n "$((line + 1)),$((line + 6))p" "$log" | sed 's/^/      /'
done
exit 1
