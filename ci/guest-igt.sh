#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs in the guest: load the virtual GPUs, run IGT tests under Debian's
# igt_runner, unload. Results land in /results/NAME (igt_runner's folder,
# with results.json) plus NAME/identity.json describing the run.
#
# Usage: guest-igt.sh --name NAME --test-root DIR --test-list FILE
#                     [--gpus gfx1100,gfx943 | --gpus none] [-- IGT_RUNNER_ARGS...]
set -uo pipefail

name= test_root= test_list= gpus=none
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--test-root) test_root=$2; shift 2 ;;
	--test-list) test_list=$2; shift 2 ;;
	--gpus) gpus=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "guest-igt: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$name" ] && [ -d "$test_root" ] && [ -f "$test_list" ] ||
	{ echo "guest-igt: need --name, an existing --test-root and --test-list" >&2; exit 2; }

if [ "$gpus" != none ]; then
	modprobe vamdgpu devices="$gpus" || { echo "guest-igt: modprobe vamdgpu devices=$gpus failed" >&2; exit 1; }
fi

results=/results/$name
rm -rf "$results"
echo "guest-igt: $name: $(grep -c . "$test_list") tests from $(basename "$test_list") on GPUs: $gpus"
igt_runner --test-list "$test_list" --per-test-timeout "${IGT_PER_TEST_TIMEOUT:-120}" \
	--dmesg-warn-level 4 --overwrite --name "$name" "$@" "$test_root" "$results"
rc=$?

igt_version=$(dpkg-query -W -f='${Version}' igt-gpu-tools 2>/dev/null || echo unknown)
cat > "$results/identity.json" <<JSON
{
  "name": "$name",
  "gpus": "$gpus",
  "kernel": "$(uname -r)",
  "igt_version": "$igt_version",
  "virtual": true,
  "started": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON

if [ "$gpus" != none ]; then
	rmmod vamdgpu || { echo "guest-igt: rmmod vamdgpu failed" >&2; rc=1; }
fi
exit $rc
