#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the guest kernel with the project's driver.
#
#   pristine tree (Debian linux-source)  --cp -al + kernel/patches-->  src-KEY
#   kernel/overlay/ --rsync -c (only changed files get a new mtime)--> src-KEY
#   tinyconfig + kernel/configs/*.config  ------------------------>  build-KEY
#
# KEY hashes the kernel version, the patches and the config fragments: a change
# in any of them gets a fresh tree; a change in an overlay file is an
# incremental make. Builds run under a lock: two at once would starve 2 cores.
# SVM_KERNEL_CONFIGS adds fragments (space-separated paths, e.g. the optional
# ones in kernel/configs/optional/) to the always-on ones.
# Writes the file kernel_env_file names (KERNEL_IMAGE, MODULES_DIR, KREL, ...).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pristine=$("$CI_DIR/fetch-kernel.sh")
kver=$(cat "$CACHE_DIR/kernel/selected")
KROOT=$(dirname "$pristine")
OVERLAY=$REPO_DIR/kernel/overlay
PATCHES=$REPO_DIR/kernel/patches
CONFIGS=$REPO_DIR/kernel/configs
JOBS=${JOBS:-$(nproc)}
fragments=("$CONFIGS"/*.config)
for f in ${SVM_KERNEL_CONFIGS:-}; do
	[ -f "$f" ] || die "SVM_KERNEL_CONFIGS: no config fragment $f"
	fragments+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

key=$( (echo "$kver"; cat "$PATCHES"/*.patch "${fragments[@]}") | sha256sum | cut -c1-16)
src=$KROOT/src-$key
out=$KROOT/build-$key

# One build of a tree at a time (the overlay sync and make share it).
exec 9>"$KROOT/build-$key.lock"
flock -n 9 || { log "kernel: another build of this tree is running, waiting"; flock 9; }

if [ ! -f "$src/.prepared" ]; then
	log "kernel: new source tree $src (patches or configs changed)"
	rm -rf "$src"
	cp -al "$pristine" "$src"
	for p in "$PATCHES"/*.patch; do
		patch -s -p1 -d "$src" < "$p" || die "patch $(basename "$p") does not apply to $kver"
	done
	touch "$src/.prepared"
fi

# Overlay: copy new or changed files (by checksum, so untouched files keep their
# mtime and make skips them); delete files the overlay no longer has.
list=$src/.overlay-files
(cd "$OVERLAY" && find . -type f | sort) > "$list.new"
if [ -f "$list" ]; then
	comm -23 "$list" "$list.new" | while read -r f; do rm -f "$src/$f"; done
fi
mv "$list.new" "$list"
rsync -rc "$OVERLAY/" "$src/"

mkdir -p "$out"
if [ ! -f "$out/.config" ]; then
	log "kernel: configuring (tinyconfig + ${fragments[*]##*/})"
	make -s -C "$src" O="$out" tinyconfig >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${fragments[@]}" >/dev/null)
	make -s -C "$src" O="$out" olddefconfig >/dev/null
	# Every option a fragment asks for must have stuck; a later fragment
	# overrides an earlier one, as in merge_config.sh. An option asked to
	# be n may be absent (its dependencies off).
	missing=$(awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); want[substr($0, 1, i - 1)] = substr($0, i + 1); next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { want[$2] = "n" }
		END { for (o in want) print o "=" want[o] }' "${fragments[@]}" | sort | while IFS= read -r line; do
		opt=${line%%=*}; val=${line#*=}
		if [ "$val" = n ]; then
			if grep -q "^$opt=[ym]" "$out/.config"; then echo "$line"; fi
		elif ! grep -qx "$line" "$out/.config"; then
			echo "$line"
		fi
	done)
	if [ -n "$missing" ]; then
		rm -f "$out/.config"
		die "kernel config: these fragment options did not stick (a dependency is missing): $(echo $missing)"
	fi
fi

log "kernel: make -j$JOBS W=1 bzImage modules ($kver, tree $key)"
start=$SECONDS
if ! with_progress "kernel build" "$out/build.log" make -C "$src" O="$out" -j"$JOBS" W=1 bzImage modules; then
	grep -E ': (error|warning): |\*\*\*' "$out/build.log" | sed "s|$src/||" | head -n 40 >&2
	die "kernel build failed; full log: $out/build.log"
fi
log "kernel: built in $((SECONDS - start)) s"

# The project's code must build without a single warning at W=1. The tree
# also builds upstream code around it (amdgpu) whose W=1 warnings are not
# ours: match the overlay's files, not their directories.
project_files=$(cd "$OVERLAY" && find . -name '*.[ch]' | sed 's|^\./||; s|$|:|')
warnings=$(grep -E ':[0-9]+:[0-9]+: warning' "$out/build.log" |
	grep -F "$project_files" | sed "s|$src/||" || true)
if [ -n "$warnings" ]; then
	echo "$warnings" >&2
	die "project kernel code has W=1 warnings (above)"
fi

krel=$(cat "$out/include/config/kernel.release")
# Install next to the live copy, then swap: a guest booted from the previous
# build keeps finding its modules while this one installs.
mods=$KROOT/modules-$key
rm -rf "$mods.new" "$mods.old"
make -s -C "$src" O="$out" INSTALL_MOD_PATH="$mods.new" INSTALL_MOD_STRIP=1 modules_install >/dev/null
[ -d "$mods" ] && mv "$mods" "$mods.old"
mv "$mods.new" "$mods"
rm -rf "$mods.old"
cat > "$(kernel_env_file)" <<ENV
KERNEL_SRC=$src
KERNEL_BUILD=$out
KERNEL_IMAGE=$out/arch/x86/boot/bzImage
MODULES_DIR=$mods/lib/modules/$krel
KREL=$krel
KERNEL_PKG=$kver
ENV
# Forget trees no build has used for two weeks.
touch "$out/.last-used"
for stale in $(find "$KROOT" -maxdepth 2 -name .last-used -path '*/build-*' -mtime +14); do
	k=$(basename "$(dirname "$stale")"); k=${k#build-}
	log "kernel: removing tree $k, unused for two weeks"
	rm -rf "$KROOT/build-$k" "$KROOT/src-$k" "$KROOT/modules-$k" "$KROOT/build-$k.lock"
done
log "kernel: $krel ready ($out/arch/x86/boot/bzImage)"
