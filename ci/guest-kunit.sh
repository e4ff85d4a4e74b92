#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs in the guest: load every KUnit module of the project's drivers (the
# suites run at load), save each suite's KTAP from debugfs into
# /results/kunit/SUITE.ktap, unload. The host parses them with kunit.py.
# drm_gpusvm cannot build under UML, hence KUnit here rather than kunit.py run.
set -uo pipefail
mods=/lib/modules/$(uname -r)/kernel/drivers/gpu/drm
out=/results/kunit
rm -rf "$out"
mkdir -p "$out"
rc=0
found=0
for ko in $(find "$mods/amd/svm" "$mods/vamdgpu" -path '*/tests/*' -name '*.ko*' 2>/dev/null | sort); do
	name=$(basename "${ko%%.ko*}")
	found=$((found + 1))
	echo "kunit: $name"
	if ! modprobe "$name"; then
		echo "kunit: modprobe $name failed" >&2
		rc=1
		continue
	fi
	for suite in /sys/kernel/debug/kunit/*/; do
		s=$(basename "$suite")
		[ -f "$out/$s.ktap" ] || cp "$suite/results" "$out/$s.ktap"
	done
	# -r: also the drivers it pulled in (vamdgpu with its default devices),
	# so the next modprobe of a driver gets the parameters it asks for.
	modprobe -r "$name" || rc=1
done
echo "kunit: $found modules, $(ls "$out" | wc -l) suites"
[ $found -gt 0 ] || { echo "kunit: no KUnit modules found under $mods" >&2; rc=1; }
exit $rc
