#!/bin/bash
# SPDX-License-Identifier: MIT
# The suite's -Digt_src glue (meson.build), against a stand-in IGT tree made
# from ci/tests/igt-standin and lib/igt-compat (a libigt.so):
#   1. a tree of the minimum version configures and builds the whole suite,
#      and every test binary lists the same subtests as in the igt-compat
#      build that runs this test;
#   2. a tree one minor version older is refused at configure time, with a
#      message naming the minimum version.
# Usage (a meson test): igt-src-glue.sh SOURCE_ROOT BUILD_ROOT MIN_VERSION
set -euo pipefail

src=$1 compat_build=$2 min=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "igt-src-glue: $*" >&2; exit 1; }

tree=$work/igt-gpu-tools
mkdir -p "$tree/lib" "$tree/include/drm-uapi" "$tree/build/lib"
sed "s/@VERSION@/$min/" "$src/ci/tests/igt-standin/meson.build" > "$tree/meson.build"
cp "$src"/lib/igt-compat/*.h "$tree/lib/"
cp "$src"/ci/tests/igt-standin/lib/*.h "$tree/lib/"
# shellcheck disable=SC2046
cc -shared -fPIC -O1 -std=gnu11 -D_GNU_SOURCE -DIGT_COMPAT_VERSION='"standin"' \
	-DIGT_COMPAT_CPU='"x86_64"' -I"$tree/lib" "$src"/lib/igt-compat/*.c \
	$(pkg-config --cflags --libs libdrm) -lpthread -o "$tree/build/lib/libigt.so" ||
	fail "building the stand-in libigt.so failed"

echo "igt-src-glue: configuring and building the suite against an IGT $min stand-in"
meson setup "$work/build" "$src" -Digt_src="$tree" -Digt_build="$tree/build" \
	> "$work/setup.log" 2>&1 || { cat "$work/setup.log"; fail "configure against IGT $min failed"; }
grep -q "IGT $min tree" "$work/setup.log" || fail "the configure summary does not name the IGT tree"
ninja -C "$work/build" > "$work/build.log" 2>&1 ||
	{ grep -E 'error|warning' "$work/build.log" | head -20; fail "build against IGT $min failed"; }

checked=0
for t in "$compat_build"/tests/*; do
	name=$(basename "$t")
	if [ ! -f "$t" ] || [ ! -x "$t" ] || [ ! -x "$work/build/tests/$name" ]; then
		continue
	fi
	diff <("$t" --list-subtests 2>&1) <("$work/build/tests/$name" --list-subtests 2>&1) > /dev/null ||
		fail "$name lists other subtests against the IGT tree than against igt-compat"
	checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || fail "no test binary to compare in $compat_build/tests"
echo "igt-src-glue: $checked test binaries list the same subtests against both"

older=${min%.*}.$(( ${min##*.} - 1 ))
sed -i "s/version : '$min'/version : '$older'/" "$tree/meson.build"
if meson setup "$work/old" "$src" -Digt_src="$tree" -Digt_build="$tree/build" \
	> "$work/old.log" 2>&1; then
	fail "a tree of IGT $older was accepted"
fi
grep -q "needs IGT GPU Tools $min or newer" "$work/old.log" ||
	{ tail -5 "$work/old.log"; fail "refusing IGT $older does not name the minimum version $min"; }
echo "igt-src-glue: IGT $older refused, naming $min"
