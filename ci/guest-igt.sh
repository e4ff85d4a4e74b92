#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs in the guest: load the virtual GPUs, run IGT tests under Debian's
# igt_runner, unload. Results land in /results/NAME (igt_runner's folder,
# with results.json) plus NAME/identity.json describing the run for
# runner/svm-results (format: runner/README.md).
#
# Usage: guest-igt.sh --name NAME --test-root DIR [--test-list FILE]
#                     [--gpus gfx1100,gfx943 | --gpus none] [--xnack on|off]
#                     [-- IGT_RUNNER_ARGS...]
# --xnack sets HSA_XNACK for the tests, as ROCm does: the XNACK mode the
# test processes ask for. /results/host.env, when present, gives
# DRIVER_COMMIT and MACHINE (the host knows them, the guest does not).
set -uo pipefail

name= test_root= test_list= gpus=none xnack=
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--test-root) test_root=$2; shift 2 ;;
	--test-list) test_list=$2; shift 2 ;;
	--gpus) gpus=$2; shift 2 ;;
	--xnack) xnack=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "guest-igt: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$name" ] && [ -f "$test_root/test-list.txt" ] ||
	{ echo "guest-igt: need --name and a --test-root holding test-list.txt" >&2; exit 2; }
list_args=()
if [ -n "$test_list" ]; then
	[ -f "$test_list" ] || { echo "guest-igt: no test list $test_list" >&2; exit 2; }
	list_args=(--test-list "$test_list")
else
	test_list=$test_root/test-list.txt
fi
case $xnack in
on) runner_env=(-e HSA_XNACK=1) ;;
off) runner_env=(-e HSA_XNACK=0) ;;
'') runner_env=() ;;
*) echo "guest-igt: --xnack must be on or off, not '$xnack'" >&2; exit 2 ;;
esac
DRIVER_COMMIT=unknown MACHINE=$(hostname)
[ -f /results/host.env ] && . /results/host.env

# drm_pagemap drops its hold on vamdgpu from a worker after the last test
# process exited: give it a moment before calling the module busy.
unload_vamdgpu() {
	local tries=50
	until modprobe -r vamdgpu 2>/dev/null; do
		((--tries > 0)) || { modprobe -r vamdgpu; return 1; }
		sleep 0.1
	done
}

if [ "$gpus" != none ]; then
	# A vamdgpu still loaded would make modprobe a no-op on the wrong GPUs.
	if [ -d /sys/module/vamdgpu ]; then
		echo "guest-igt: vamdgpu is already loaded (devices=$(cat /sys/module/vamdgpu/parameters/devices)); unloading it" >&2
		unload_vamdgpu || { echo "guest-igt: cannot unload vamdgpu" >&2; exit 1; }
	fi
	modprobe vamdgpu devices="$gpus" || { echo "guest-igt: modprobe vamdgpu devices=$gpus failed" >&2; exit 1; }
	# The kernel's test_hmm device: the reference of the migration benchmark.
	modprobe test_hmm ||
		echo "guest-igt: no test_hmm: the migration benchmark runs without its reference" >&2
	loaded=$(cat /sys/module/vamdgpu/parameters/devices)
	[ "$loaded" = "$gpus" ] ||
		{ echo "guest-igt: vamdgpu runs devices=$loaded, not $gpus" >&2; exit 1; }
fi

results=/results/$name
rm -rf "$results"
echo "guest-igt: $name: $(grep -c . "$test_list") tests from $(basename "$test_list"), GPUs: $gpus${xnack:+, XNACK $xnack}"
# igt_runner stops a hung test with SIGQUIT: no core dumps.
ulimit -c 0
# Its per-test progress lines stay; result generation's one line per test
# does not.
igt_runner "${list_args[@]}" --per-test-timeout "${IGT_PER_TEST_TIMEOUT:-120}" \
	--dmesg-warn-level 4 --overwrite --name "$name" "${runner_env[@]}" "$@" \
	"$test_root" "$results" 2>&1 | grep --line-buffered -v '^results: parsing output: '
rc=${PIPESTATUS[0]}

if [ "$gpus" != none ] && [ -d "$results" ]; then
	cat > "$results/identity.json" <<JSON
{
  "gfx_target": "${gpus//,/+}",
  "xnack": "${xnack:-none}",
  "virtual": true,
  "kernel": "$(uname -r)",
  "driver_commit": "$DRIVER_COMMIT",
  "igt_version": "$(dpkg-query -W -f='${Version}' igt-gpu-tools 2>/dev/null || echo unknown)",
  "machine": "$MACHINE",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
fi

if [ "$gpus" != none ]; then
	unload_vamdgpu || { echo "guest-igt: unloading vamdgpu failed" >&2; rc=1; }
	modprobe -r -q test_hmm || true
fi
exit $rc
