#!/bin/bash
# SPDX-License-Identifier: MIT
# Scan a kernel console log for reports that must fail a run: WARN, BUG,
# oops, panic, lockdep, KASAN, UBSAN, kmemleak, RCU stalls, hung tasks.
# Prints each report's first line and the lines after it; exit 1 if any.
# Usage: ci/kernel-reports.sh CONSOLE_LOG
set -uo pipefail
log=$1
pattern='WARNING: CPU: [0-9]+|------------\[ cut here \]|BUG: |kernel BUG at|Oops: |general protection fault|Kernel panic|WARNING: possible (circular|recursive) locking|WARNING: inconsistent lock state|WARNING: suspicious RCU usage|possible deadlock|KASAN: |UBSAN: |unreferenced object 0x|rcu: INFO: rcu_.* detected stalls|INFO: task .* blocked for more than|DEBUG_LOCKS_WARN_ON|lockdep: '
hits=$(grep -nE "$pattern" "$log" | grep -v 'cut here' | head -n 20)
[ -z "$hits" ] && exit 0
echo "kernel reports in $log:"
echo "$hits" | while IFS=: read -r line text; do
	echo "  line $line: $text"
	sed -n "$((line + 1)),$((line + 6))p" "$log" | sed 's/^/      /'
done
exit 1
