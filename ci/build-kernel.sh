#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the guest kernel with the project's driver.
#
#   pristine tree (Debian linux-source)  --cp -al + kernel/patches-->  src-KEY
#   kernel/overlay/ --rsync -c (only changed files get a new mtime)--> src-KEY
#   tinyconfig + kernel/configs/*.config  ------------------------>  src-KEY/.obj
#
# KEY hashes the kernel version, the patches and the config fragments: a change
# in any of them gets a fresh tree; a change in an overlay file is an
# incremental make. The build directory is a direct subdirectory of its
# source tree, where kbuild names the source "..": nothing in it holds the
# tree's own path, so a fresh tree starts from a copy of the newest built
# tree of the same config fragments, and the files that differ between the
# two (patched or overlay files) are all that recompiles. Builds run under a
# lock: two at once would starve 2 cores.
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

config_key=$( (echo "$kver"; cat "${fragments[@]}") | sha256sum | cut -c1-16)
key=$( (echo "$kver"; cat "$PATCHES"/*.patch "${fragments[@]}") | sha256sum | cut -c1-16)
src=$KROOT/src-$key
out=$src/.obj

# One build of a tree at a time (the overlay sync and make share it).
exec 9>"$KROOT/build-$key.lock"
flock -n 9 || { log "kernel: another build of this tree is running, waiting"; flock 9; }

# The files of a tree that are not the pristine ones (hard links to them):
# what the patches and the overlay wrote.
tree_own_files() {
	(cd "$1" && find . -path ./.obj -prune -o -type f -links 1 \
		! -name .prepared ! -name .overlay-files -print)
}

# Set seed to the newest tree built from the same config fragments that is
# not being built now; its lock stays taken on fd 8 while it is copied.
find_seed() {
	local built tree
	seed=
	for built in $(ls -t "$KROOT"/src-*/.obj/.built 2>/dev/null); do
		tree=${built%/.obj/.built}
		[ "$tree" != "$src" ] || continue
		[ "$(cat "$built")" = "$config_key" ] || continue
		exec 8>"$KROOT/build-${tree##*/src-}.lock"
		if flock -n 8; then
			seed=$tree
			return
		fi
		exec 8>&-
	done
}

if [ ! -f "$src/.prepared" ]; then
	log "kernel: new source tree $src (patches or configs changed)"
	rm -rf "$src"
	cp -al "$pristine" "$src"
	for p in "$PATCHES"/*.patch; do
		patch -s -p1 -d "$src" < "$p" || die "patch $(basename "$p") does not apply to $kver"
	done
	rsync -rc "$OVERLAY/" "$src/"
	find_seed
	if [ -n "$seed" ]; then
		log "kernel: starting from the build of ${seed##*/} (same configs): only files that differ recompile"
		cp -a "$seed/.obj" "$out"
		# A file as in the seed keeps the seed's time (make skips it);
		# any other file of either tree is newer than every object.
		sort -u <(tree_own_files "$seed") <(tree_own_files "$src") | while IFS= read -r f; do
			[ -f "$src/$f" ] || continue
			# Still a link to the pristine file (the seed's patch
			# changed it, ours does not): an own copy, so the
			# pristine tree keeps its time.
			if [ "$(stat -c %h "$src/$f")" != 1 ]; then
				cp -p "$src/$f" "$src/$f.new" && mv "$src/$f.new" "$src/$f"
			fi
			if [ -f "$seed/$f" ] && cmp -s "$seed/$f" "$src/$f"; then
				touch -r "$seed/$f" "$src/$f"
			else
				touch "$src/$f"
			fi
		done
		# Configure again (the patches may add options); an equal
		# result keeps the seed's time.
		mv "$out/.config" "$out/.config.seed"
		rm -f "$out/.built" "$out/.last-used"
		exec 8>&-
	fi
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
	if [ -f "$out/.config.seed" ]; then
		cmp -s "$out/.config" "$out/.config.seed" && touch -r "$out/.config.seed" "$out/.config"
		rm -f "$out/.config.seed"
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
# A later tree of these configs may start from this one.
echo "$config_key" > "$out/.built"
# Forget trees no build has used for two weeks (and build directories of
# the layout before .obj, which nothing uses).
touch "$out/.last-used"
for stale in $(find "$KROOT" -maxdepth 3 -name .last-used -mtime +14 \
		\( -path '*/src-*/.obj/*' -o -path '*/build-*' \)); do
	k=${stale#"$KROOT"/}; k=${k%%/*}; k=${k#src-}; k=${k#build-}
	log "kernel: removing tree $k, unused for two weeks"
	rm -rf "$KROOT/build-$k" "$KROOT/src-$k" "$KROOT/modules-$k" "$KROOT/build-$k.lock"
done
log "kernel: $krel ready ($out/arch/x86/boot/bzImage)"
