# SPDX-License-Identifier: MIT
# Timed stages with a closing summary. Source after ci/lib.sh.
#   stage NAME COMMAND...   run one stage, print its time, record pass/fail
#   stages_summary          print the table and "N passed, N failed"; returns 1 on any failure

STAGE_NAMES=()
STAGE_RESULTS=()
STAGE_TIMES=()

stage() {
	local name=$1; shift
	local start=$SECONDS rc=0
	printf '\n=== %s ===\n' "$name" >&2
	"$@" || rc=$?
	local took=$((SECONDS - start))
	STAGE_NAMES+=("$name")
	STAGE_TIMES+=("$took")
	if [ $rc = 0 ]; then
		STAGE_RESULTS+=(pass)
		log "stage '$name': passed in $(fmt_secs $took)"
	else
		STAGE_RESULTS+=(FAIL)
		log "stage '$name': FAILED (exit $rc) in $(fmt_secs $took)"
	fi
	return $rc
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

stages_summary() {
	local passed=0 failed=0 i
	printf '\n%-56s %-6s %s\n' STAGE RESULT TIME
	for i in "${!STAGE_NAMES[@]}"; do
		printf '%-56s %-6s %s\n' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}" "$(fmt_secs "${STAGE_TIMES[$i]}")"
		if [ "${STAGE_RESULTS[$i]}" = pass ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	printf '\n%d passed, %d failed (total %s)\n' $passed $failed "$(fmt_secs $SECONDS)"
	[ $failed = 0 ]
}
