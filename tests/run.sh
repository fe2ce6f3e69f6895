#!/bin/bash
# Runs every test softoff has: host unit tests (cmocka), the agent's static-binary checks, and
# the integration tests that boot real QEMU. Prints one line per test and ends with
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# Usage: tests/run.sh [--unit-only] [--jobs N] [PATTERN...]
#   PATTERN  run only integration tests whose file name contains PATTERN
# Environment: SOFTOFF_TEST_TIMEOUT (seconds per integration test, default 300)
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD
B=$top/build
logs=$B/tests/logs
results=$(mktemp -d "${TMPDIR:-/tmp}/softoff-results.XXXXXX") # private: runs may overlap
trap 'rm -rf "$results"' EXIT
unit_only=0
jobs=$(nproc 2>/dev/null || echo 2)
patterns=()
while [ $# -gt 0 ]; do
	case $1 in
	--unit-only) unit_only=1 ;;
	--jobs) jobs=$2; shift ;;
	-h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) patterns+=("$1") ;;
	esac
	shift
done
mkdir -p "$logs"

record() { # name status(pass|fail) [detail]
	printf '%s %s\n' "$2" "$1" >>"$results/all"
	printf '%-4s %s%s\n' "$(echo "$2" | tr a-z A-Z)" "$1" "${3:+ ($3)}"
}

# cmocka binaries: each prints "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" (stderr)
run_unit() { # glob [prefix [wrapper...]]
	local glob=$1 prefix=${2:-} t name log passed failed rc
	shift; [ $# -gt 0 ] && shift
	for t in $glob; do
		[ -x "$t" ] || continue
		name=$prefix$(basename "$t")
		log=$logs/$name.log
		"$@" "$t" >"$log" 2>&1
		rc=$?
		passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		passed=${passed:-0} failed=${failed:-0}
		[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=1 # crashed before its summary
		for _ in $(seq 1 "$passed"); do printf 'pass %s\n' "$name" >>"$results/all"; done
		for _ in $(seq 1 "$failed"); do printf 'fail %s\n' "$name" >>"$results/all"; done
		if [ "$failed" = 0 ]; then
			printf 'PASS %s (%s cases)\n' "$name" "$passed"
		else
			printf 'FAIL %s (%s of %s cases failed; log %s)\n' "$name" "$failed" \
				"$((passed + failed))" "${log#"$top"/}"
			grep -E '^\[  (FAILED|  ERROR ) \]|Failure|error:' "$log" | head -n 20 | sed 's/^/     /'
		fi
	done
}

# Each agent must be one static binary with no interpreter and no dynamic section, built for
# its guest's machine (readelf's "Machine:" line), that runs: here, or under RUNNER (QEMU's
# user mode for another machine's).
check_agent_binary() { # path test-name-prefix machine [runner]
	local a=$1 name=$2 runner=${4:-} size version
	if [ ! -f "$a" ]; then record "$name-binary" fail "${a#"$top"/} missing"; return; fi
	if readelf -lW "$a" | grep -q INTERP; then
		record "$name-static" fail "has a PT_INTERP program header"
	elif readelf -dW "$a" 2>/dev/null | grep -q 'Dynamic section'; then
		record "$name-static" fail "has a dynamic section"
	else
		record "$name-static" pass
	fi
	if readelf -hW "$a" | grep -qE "^ *Machine: *$3\$"; then
		record "$name-machine" pass "$3"
	else
		record "$name-machine" fail "not built for $3: $(readelf -hW "$a" | sed -n 's/^ *Machine: *//p')"
	fi
	version=$($runner "$a" --version 2>&1)
	if [ "$version" = "softoff-agent $(cat VERSION)" ]; then
		record "$name-runs" pass "${runner:+$runner }--version: $version"
	else
		record "$name-runs" fail "${runner:+$runner }--version: $version"
	fi
	size=$(stat -c %s "$a")
	if [ "$size" -le 131072 ]; then
		record "$name-size" pass "$size bytes; limit 131072, goal 65536"
	else
		record "$name-size" fail "$size bytes > 131072"
	fi
}

# One integration test: a script that exits 0 on success. Its output goes to its log.
run_one_integration() {
	local script=$1 name log rc start
	name=$(basename "$script" .sh)
	log=$logs/$name.log
	start=$(date +%s)
	SOFTOFF_TOP=$top SOFTOFF_BUILD=$B timeout -k 10 "${SOFTOFF_TEST_TIMEOUT:-300}" \
		"$script" >"$log" 2>&1 </dev/null
	rc=$?
	if [ $rc = 0 ]; then
		printf 'pass %s\n' "$name" >"$results/i.$name"
		printf 'PASS %s (%ss)\n' "$name" "$(($(date +%s) - start))"
	else
		printf 'fail %s\n' "$name" >"$results/i.$name"
		[ $rc = 124 ] && echo "run.sh: timed out" >>"$log"
		printf 'FAIL %s (status %s; log %s)\n' "$name" "$rc" "${log#"$top"/}"
		tail -n 15 "$log" | sed 's/^/     /'
	fi
}
export -f run_one_integration
export top B logs results

run_integration() {
	local scripts=() s p
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		if [ ${#patterns[@]} -gt 0 ]; then
			for p in "${patterns[@]}"; do
				case $s in *"$p"*) scripts+=("$s"); break ;; esac
			done
		else
			scripts+=("$s")
		fi
	done
	[ ${#scripts[@]} -gt 0 ] || return 0
	printf '%s\n' "${scripts[@]}" |
		xargs -P "$jobs" -I{} bash -c 'run_one_integration "$1"' _ {}
	cat "$results"/i.* >>"$results/all" 2>/dev/null
}

: >"$results/all"
# The fuzz targets replay their seed corpus: a crash found once stays fixed.
run_fuzz_seeds() {
	local f name log
	for f in "$B"/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		log=$logs/$name-seeds.log
		if "$f" -runs=0 "tests/fuzz/corpus/${name#fuzz_}" >"$log" 2>&1; then
			record "$name-seeds" pass
		else
			record "$name-seeds" fail "log ${log#"$top"/}"
		fi
	done
}

if [ ${#patterns[@]} = 0 ]; then
	run_unit "$B/tests/test_*"
	run_unit "$B/san-tests/test_*" "asan+ubsan:"
	run_unit "$B/tests/test_harness_qmp*" "valgrind:" valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite
	run_fuzz_seeds
	check_agent_binary "$B/softoff-agent" agent 'Advanced Micro Devices X86-64'
	check_agent_binary "$B/arm64/softoff-agent" agent-arm64 AArch64 qemu-aarch64-static
fi
[ $unit_only = 1 ] || run_integration
passed=$(grep -c '^pass ' "$results/all")
failed=$(grep -c '^fail ' "$results/all")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
