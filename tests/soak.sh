#!/bin/sh
# `make soak`: many data-safety cycles per way of stopping a VM, one table (not run in CI).
# Rows: the agent as PID 1 with the writer as its payload (ext4), stopped as a supervisor
# (softoff), as `docker stop` (docker) and as bare QEMU (bare, the baseline that loses data);
# then PID 1 a respawning shell that writes itself and never stops, on ext4 and on vfat
# (tests/data-safety.sh --writer pid1), stopped as a supervisor.
# Usage: tests/soak.sh [CYCLES]   (default 50 per row)
cd "$(dirname "$0")/.." || exit 2
cycles=${1:-50}
status=0
printf '%-10s %6s %18s %22s %14s\n' case runs "clean filesystems" "records acknowledged" "records lost"
for row in softoff docker bare pid1-ext4 pid1-vfat; do
	case $row in
	pid1-*) args="--mode softoff --writer pid1 --fs ${row#pid1-}" ;;
	*) args="--mode $row" ;;
	esac
	# shellcheck disable=SC2086 # a list of options
	out=$(tests/data-safety.sh $args --cycles "$cycles" --table)
	rc=$?
	[ $rc = 2 ] && { echo "soak: $row: set-up failed" >&2; exit 2; }
	[ $row != bare ] && [ $rc != 0 ] && status=1
	# shellcheck disable=SC2086
	set -- $out
	printf '%-10s %6s %18s %22s %14s\n' "$row" "$2" "$3" "$4" "$5"
done
exit $status
