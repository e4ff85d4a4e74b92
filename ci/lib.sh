# SPDX-License-Identifier: MIT
# Shared helpers for the ci/ scripts. Source it; do not run it.

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$CI_DIR")
# Build output and downloads live outside the repository, keyed by their inputs.
CACHE_DIR=${SVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amdgpu-svm}
mkdir -p "$CACHE_DIR"

# The description of the kernel build to boot: current.env for the default
# configuration, one file per set of optional fragments (SVM_KERNEL_CONFIGS).
kernel_env_file() {
	if [ -z "${SVM_KERNEL_CONFIGS:-}" ]; then
		echo "$CACHE_DIR/kernel/current.env"
	else
		echo "$CACHE_DIR/kernel/custom-$(echo "$SVM_KERNEL_CONFIGS" | sha256sum | cut -c1-12).env"
	fi
}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[%(%H:%M:%S)T] error: %s\n' -1 "$*" >&2; exit 1; }

# with_progress WHAT LOGFILE COMMAND...: run COMMAND with its output in
# LOGFILE ("-" keeps it on this stdout/stderr), printing a progress line on
# stderr every 30 s, so long steps show life. Returns COMMAND's status.
with_progress() {
	local what=$1 logfile=$2
	shift 2
	local start=$SECONDS next=30
	if [ "$logfile" = - ]; then
		"$@" &
	else
		"$@" > "$logfile" 2>&1 &
	fi
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if (( SECONDS - start >= next )); then
			log "$what: still running ($((SECONDS - start)) s)"
			next=$((next + 30))
		fi
	done
	wait "$pid"
}
