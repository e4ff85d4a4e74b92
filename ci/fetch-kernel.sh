#!/bin/bash
# SPDX-License-Identifier: MIT
# Fetch Debian's linux-source package (pinned, or the newest 7.x when the pin
# is gone) and unpack a pristine tree into the cache.
# Prints the pristine tree's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$CI_DIR/apt-local.sh"
. "$CI_DIR/kernel-version.sh"

apt_local_update

pkg=$KERNEL_PKG_PIN
ver=$KERNEL_VERSION_PIN
if ! apt_local_versions "$pkg" | grep -qxF "$ver"; then
	# The pin is gone: take the newest linux-source-7.N of any minor.
	best=
	for cand in $(apt_local apt-cache pkgnames linux-source-7. | sort -V); do
		v=$(apt_local_versions "$cand" | sort -V | tail -n1)
		[ -n "$v" ] && best="$cand=$v"
	done
	[ -n "$best" ] || die "no linux-source-7.x package in sid or trixie-backports"
	log "WARNING: $pkg=$ver is no longer in the archive; falling back to $best"
	pkg=${best%%=*}
	ver=${best#*=}
fi

KSRC_ROOT=$CACHE_DIR/kernel/$pkg-$ver
pristine=$KSRC_ROOT/pristine
if [ ! -f "$pristine/.unpacked" ]; then
	mkdir -p "$KSRC_ROOT/deb"
	deb=$(ls "$KSRC_ROOT"/deb/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "kernel: downloading $pkg=$ver (about 160 MB)"
		(cd "$KSRC_ROOT/deb" && with_progress "download $pkg" /dev/null apt_local apt-get download "$pkg=$ver") ||
			die "apt-get download $pkg=$ver failed"
		deb=$(ls "$KSRC_ROOT"/deb/"${pkg}"_*.deb | head -n1)
	fi
	log "kernel: unpacking $(basename "$deb")"
	rm -rf "$pristine" "$KSRC_ROOT/x"
	mkdir -p "$KSRC_ROOT/x" "$pristine"
	dpkg-deb -x "$deb" "$KSRC_ROOT/x"
	tarball=$(ls "$KSRC_ROOT"/x/usr/src/linux-source-*.tar.* | head -n1)
	with_progress "unpack kernel" - tar -xf "$tarball" -C "$pristine" --strip-components=1
	rm -rf "$KSRC_ROOT/x"
	touch "$pristine/.unpacked"
fi
echo "$pkg-$ver" > "$CACHE_DIR/kernel/selected"
echo "$pristine"
