#!/bin/sh
# Runs every libFuzzer target for a bounded time, starting from its seed corpus in the repo.
# New inputs are kept under build/fuzz/corpus (never in the repo). Fails on the first crash.
# Usage: tests/fuzz/run.sh [SECONDS]   (default 60 per target)
set -u
cd "$(dirname "$0")/../.." || exit 2
seconds=${1:-60}
status=0
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || { echo "fuzz: no targets built (make fuzz builds them)" >&2; exit 2; }
	name=$(basename "$f")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=build/fuzz/corpus/${name#fuzz_}
	mkdir -p "$work" build/fuzz/crashes
	echo "fuzz: $name for ${seconds}s"
	if "$f" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/ \
		"$work" "$seeds" >"build/fuzz/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$name.log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "build/fuzz/$name.log")
		echo "fuzz: $name clean: $execs execs, $rate execs/s"
	else
		echo "fuzz: $name FAILED; see build/fuzz/$name.log and build/fuzz/crashes/" >&2
		tail -n 30 "build/fuzz/$name.log" >&2
		status=1
	fi
done
exit $status
