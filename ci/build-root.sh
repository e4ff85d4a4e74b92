#!/bin/bash
# SPDX-License-Identifier: MIT
# Build (once) the guest's root file system: Debian sid minbase with Debian's
# IGT runner and the runtime libraries the tests use. Cached, keyed by the
# suite, the package list and ROOT_LAYOUT (bump it when the steps below change). Prints the root's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# igt-gpu-tools: igt_runner, igt_results, libigt (built for sid's glibc).
# kmod: insmod/modprobe. The libraries: what lib/ and tests/ link against.
ROOT_PKGS=igt-gpu-tools,kmod,libdrm2,libdrm-amdgpu1,libkmod2,libpciaccess0,libsqlite3-0,procps,util-linux
ROOT_SUITE=sid
ROOT_LAYOUT=2
APT_MIRROR=${APT_MIRROR:-http://deb.debian.org/debian}

key=$(echo "$ROOT_SUITE $ROOT_PKGS $ROOT_LAYOUT" | sha256sum | cut -c1-16)
root=$CACHE_DIR/root/$ROOT_SUITE-$key
if [ ! -f "$root/.complete" ]; then
	log "guest root: debootstrap $ROOT_SUITE minbase with $ROOT_PKGS (about 2 min)"
	rm -rf "$root"
	mkdir -p "$root"
	with_progress debootstrap "$root.log" debootstrap --variant=minbase \
		--include="$ROOT_PKGS" "$ROOT_SUITE" "$root" "$APT_MIRROR" ||
		die "debootstrap failed; see $root.log"
	# Mount points for the host folders the guest sees over 9p.
	mkdir -p "$root"/{project,results,lib/modules}
	echo vgpu-guest > "$root/etc/hostname"
	rm -rf "$root/var/cache/apt/archives/"*.deb
	touch "$root/.complete"
	log "guest root: ready ($(du -sh "$root" | cut -f1))"
fi
# Forget roots no run has used for two weeks.
touch "$root/.last-used"
for stale in $(find "$CACHE_DIR/root" -maxdepth 2 -name .last-used -mtime +14); do
	old=$(dirname "$stale")
	log "guest root: removing $old, unused for two weeks"
	rm -rf "$old" "$old.log"
done
echo "$root"
