# SPDX-License-Identifier: MIT
# Shared helpers for the ci/ scripts. Source it; do not run it.

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$CI_DIR")
# Build output and downloads live outside the repository, keyed by their inputs.
CACHE_DIR=${SVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amdgpu-svm}
mkdir -p "$CACHE_DIR"

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[%(%H:%M:%S)T] error: %s\n' -1 "$*" >&2; exit 1; }

# Run "$@" while printing one progress line every 30 s, so long steps show life.
with_progress() {
	local what=$1; shift
	local start=$SECONDS
	"$@" &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if (( (SECONDS - start) % 30 == 0 && SECONDS > start )); then
			log "$what: still running ($((SECONDS - start)) s)"
		fi
	done
	wait "$pid"
}
