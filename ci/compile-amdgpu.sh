#!/bin/bash
# SPDX-License-Identifier: MIT
# Compile-check the amdgpu side of the driver: the amdgpu backend of the SVM
# core (kernel/overlay/drivers/gpu/drm/amd/amdgpu/) and every amdgpu file
# kernel/patches/ edits, with the SVM core, at W=1, against the same Debian
# tree the guest kernel is built from, in a tree of its own: the guest build
# links amdgpu.ko (modpost) but its W=1 output is checked only for the
# overlay's files, and ci/export-series builds patch by patch here. The
# other drivers' and drm's C files the patches edit (xe's, adapted to a
# drm_pagemap change) are checked too.
#
#   pristine tree --cp -al + kernel/patches--> check-src-PKEY (+ overlay)
#   the guest's fragments (amdgpu.config among them)
#     + kernel/configs/check/ (xe, never in the guest) --> check-build-KEY
#
# PKEY hashes the kernel version and the patches, KEY also the fragments. Only
# the objects of touched files are built (single-object make targets; make
# prepares the tree first), never all of amdgpu. Fails on any warning in
# their compile output. Prints the objects built and the warning count.
# Usage: ci/compile-amdgpu.sh [--tree-only]   (--tree-only: configure and
# prepare the tree, print its env, build nothing; ci/export-series uses it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree_only=0
[ "${1:-}" = --tree-only ] && tree_only=1
pristine=$("$CI_DIR/fetch-kernel.sh")
kver=$(cat "$CACHE_DIR/kernel/selected")
KROOT=$(dirname "$pristine")
OVERLAY=$REPO_DIR/kernel/overlay
PATCHES=$REPO_DIR/kernel/patches
CONFIGS=$REPO_DIR/kernel/configs
JOBS=${JOBS:-$(nproc)}
fragments=("$CONFIGS"/*.config "$CONFIGS"/check/*.config)

pkey=$( (echo "$kver"; cat "$PATCHES"/*.patch) | sha256sum | cut -c1-16)
key=$( (echo "$pkey"; cat "${fragments[@]}") | sha256sum | cut -c1-16)
src=$KROOT/check-src-$pkey
out=$KROOT/check-build-$key

exec 8>"$KROOT/check-$key.lock"
flock -n 8 || { log "compile check: another check of this tree is running, waiting"; flock 8; }

if [ ! -f "$src/.prepared" ]; then
	log "compile check: new source tree $src"
	rm -rf "$src"
	cp -al "$pristine" "$src"
	for p in "$PATCHES"/*.patch; do
		patch -s -p1 -d "$src" < "$p" || die "patch $(basename "$p") does not apply to $kver"
	done
	touch "$src/.prepared"
fi
list=$src/.overlay-files
(cd "$OVERLAY" && find . -type f | sort) > "$list.new"
if [ -f "$list" ]; then
	comm -23 "$list" "$list.new" | while read -r f; do rm -f "$src/$f"; done
fi
mv "$list.new" "$list"
rsync -rc "$OVERLAY/" "$src/"

mkdir -p "$out"
if [ ! -f "$out/.config" ]; then
	log "compile check: configuring (tinyconfig + ${fragments[*]##*/})"
	make -s -C "$src" O="$out" tinyconfig >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${fragments[@]}" >/dev/null)
	make -s -C "$src" O="$out" olddefconfig >/dev/null
	missing=$(grep -hE '^CONFIG_' "${fragments[@]}" | while IFS= read -r line; do
		opt=${line%%=*}
		if [ "${line#*=}" = n ]; then
			grep -qx "# $opt is not set" "$out/.config" || echo "$line"
		else
			grep -qx "$line" "$out/.config" || echo "$line"
		fi
	done)
	if [ -n "$missing" ]; then
		rm -f "$out/.config"
		die "compile check config: these options did not stick: $(echo $missing)"
	fi
fi
touch "$out/.last-used" "$src/.last-used"
for stale in $(find "$KROOT" -maxdepth 2 -name .last-used -path '*/check-*' -mtime +14); do
	d=$(dirname "$stale")
	log "compile check: removing $d, unused for two weeks"
	rm -rf "$d" "$KROOT/check-${d##*-}.lock"
done

if [ $tree_only = 1 ]; then
	make -s -C "$src" O="$out" -j"$JOBS" prepare
	echo "CHECK_SRC=$src"
	echo "CHECK_BUILD=$out"
	exit 0
fi

# The objects: every C file of the overlay under drivers/gpu/drm/amd/ and
# every C file a patch edits under drivers/gpu/drm/ (the virtual GPU is built
# by the guest kernel); the inline functions of a header a patch edits are
# compiled with them. KFD's files are objects of amdgpu.ko, named from
# amdgpu's directory.
objs=$( { (cd "$OVERLAY" && find drivers/gpu/drm/amd -name '*.c')
	  sed -n 's|^+++ b/\(drivers/gpu/drm/.*\.c\)$|\1|p' "$PATCHES"/*.patch; } |
	sort -u | sed 's|\.c$|.o|; s|^drivers/gpu/drm/amd/amdkfd/|drivers/gpu/drm/amd/amdgpu/../amdkfd/|')
# Objects the configuration does not build (a KUnit suite turned off) are
# skipped by kbuild; list what is really there afterwards.
log "compile check: make -j$JOBS W=1 $(echo "$objs" | wc -l) objects ($kver, tree $key)"
start=$SECONDS
logf=$out/compile-check.log
# shellcheck disable=SC2086
if ! with_progress "compile check" "$logf" make -C "$src" O="$out" -j"$JOBS" W=1 $objs; then
	grep -E ': (error|warning): |\*\*\*' "$logf" | sed "s|$src/||" | head -n 40 >&2
	die "compile check failed; full log: $logf"
fi
built=0
for o in $objs; do
	if [ -f "$out/$o" ]; then
		built=$((built + 1))
		echo "  built $o"
	else
		echo "  not configured: $o"
	fi
done
warnings=$(grep -cE ': warning: ' "$logf" || true)
log "compile check: $built objects built in $((SECONDS - start)) s, $warnings warnings (W=1)"
if [ "$warnings" != 0 ]; then
	grep -E ': warning: ' "$logf" | sed "s|$src/||" >&2
	die "compile check: W=1 warnings (above); full log: $logf"
fi
