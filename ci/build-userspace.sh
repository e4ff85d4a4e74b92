#!/bin/bash
# SPDX-License-Identifier: MIT
# Build lib/, tests/ and runner/ with meson into build/ (warnings are errors).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"
if [ ! -f build/build.ninja ]; then
	meson setup build "$@" > /dev/null || die "meson setup failed"
fi
ninja -C build || die "userspace build failed"
