#!/bin/sh
# `make soak`: many data-safety cycles per way of stopping a VM, one table (not run in CI).
# Usage: tests/soak.sh [CYCLES]   (default 50 per mode)
cd "$(dirname "$0")/.." || exit 2
cycles=${1:-50}
status=0
printf '%-8s %6s %18s %22s %14s\n' mode runs "clean filesystems" "records acknowledged" "records lost"
for mode in softoff docker bare; do
	row=$(tests/data-safety.sh --mode "$mode" --cycles "$cycles" --table)
	rc=$?
	[ $rc = 2 ] && { echo "soak: $mode: set-up failed" >&2; exit 2; }
	[ $mode != bare ] && [ $rc != 0 ] && status=1
	# shellcheck disable=SC2086
	set -- $row
	printf '%-8s %6s %18s %22s %14s\n' "$1" "$2" "$3" "$4" "$5"
done
exit $status
