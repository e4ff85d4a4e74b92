#!/bin/bash
# SPDX-License-Identifier: MIT
# checkpatch.pl --strict over the project's kernel code: every overlay file
# and every patch. Needs a built kernel tree (ci/build-kernel.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(kernel_env_file)"

cp=("$KERNEL_SRC/scripts/checkpatch.pl" --strict --no-summary --terse --show-types --root="$KERNEL_SRC")
failed=0
files=$(cd "$REPO_DIR/kernel/overlay" && find . -name '*.[ch]' -o -name Kconfig -o -name Makefile | sort)
for f in $files; do
	# The overlay's own path is the kernel path, so checkpatch sees it as it
	# would in the tree.
	if ! (cd "$KERNEL_SRC" && "${cp[@]}" -f "${f#./}"); then
		failed=1
	fi
done
for p in "$REPO_DIR"/kernel/patches/*.patch; do
	"${cp[@]}" --no-signoff "$p" || failed=1
done
n=$(echo "$files" | wc -w)
if [ $failed = 1 ]; then
	die "checkpatch --strict: problems above"
fi
log "checkpatch --strict: $n files and $(ls "$REPO_DIR"/kernel/patches/*.patch | wc -l) patches clean"
