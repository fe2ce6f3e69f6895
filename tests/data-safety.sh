#!/bin/bash
# Data-safety check: does stopping a VM lose what its guest wrote? Each cycle boots a guest with
# a fresh ext4 virtio disk, lets tests/data/records.sh append acknowledged records (no fsync),
# stops the VM at a random moment, then checks the disk on the host: journal clean
# (no needs_recovery), `e2fsck -fn` clean, and every acknowledged record present (read after
# replaying the journal on a copy, so a lost record is never hidden by a dirty journal).
#
# Usage: tests/data-safety.sh [--mode softoff|docker|bare] [--cycles N] [--table]
#   softoff  SIGTERM to `softoff-qemu run --grace 20` (what a supervisor does)
#   docker   `docker stop` timing: SIGTERM to `softoff-qemu run --grace 8`, SIGKILL 10 s later
#   bare     SIGTERM to QEMU itself (the problem softoff exists for)
#   --table  print only the summary row: mode runs clean acked lost
# Exit status: 0 every cycle clean with nothing lost, 1 otherwise, 2 usage or set-up error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${SOFTOFF_BUILD:-$top/build}
mode=softoff cycles=1 table=0
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=${2:-}; shift ;;
	--cycles) cycles=${2:-}; shift ;;
	--table) table=1 ;;
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "data-safety: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $mode in softoff | docker | bare) ;; *) echo "data-safety: unknown mode '$mode'" >&2; exit 2 ;; esac
case $cycles in '' | *[!0-9]*) echo "data-safety: --cycles takes a number, not '$cycles'" >&2; exit 2 ;; esac
for f in "$B/softoff-agent" "$B/kernel/vmlinuz"; do
	[ -e "$f" ] || { echo "data-safety: $f missing (run make all kernel)" >&2; exit 2; }
done

SOFTOFF_TOP=$top SOFTOFF_BUILD=$B
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh" # T_DIR, and guest_qemu: the QEMU command line every test uses
work=$T_DIR
T_KERNEL=$B/kernel/vmlinuz
trap 'kill -KILL $(jobs -p) 2>/dev/null; t_cleanup' EXIT
say() { [ $table = 1 ] || echo "$@"; }

build_image() {
	"$top/initramfs/mkinitramfs.sh" -q -o "$work/initrd" --modules "$B/kernel/modules" \
		--module virtio_pci --module virtio_blk \
		--file "$top/tests/data/records.sh:/usr/bin/records" --run /usr/bin/records >/dev/null
}

qemu_cmd() { # disk console: sets the array qemu
	guest_qemu "$work/qemu" "$work/initrd" "$2"
	qemu=("$work/qemu" -drive "file=$1,format=raw,if=virtio")
}

# Wait (bounded) until the guest acknowledged its first record.
wait_first_ack() { # console pid
	local i
	for i in $(seq 1 600); do
		grep -q '^ack 1' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_vm() { # pid
	local i
	kill -TERM "$1"
	[ $mode = docker ] || { wait "$1"; return; }
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return; }
		sleep 0.1
	done
	echo "docker stop: still running after 10 s, SIGKILL" >&2
	kill -KILL "$1"
	wait "$1"
}

# Prints "acked on_disk lost state" for one stopped VM.
inspect() { # disk console
	local acked lost state=clean
	acked=$(tr -d '\r' <"$2" | sed -n 's/^ack \([0-9][0-9]*\)$/\1/p' | tail -n 1)
	acked=${acked:-0}
	dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery && state=needs_recovery
	e2fsck -fn "$1" >"$work/fsck.log" 2>&1 || state="$state,fsck-errors"
	state=${state#clean,}
	cp "$1" "$work/replay.img"
	e2fsck -fy "$work/replay.img" >/dev/null 2>&1
	debugfs -R 'cat /records' "$work/replay.img" 2>/dev/null >"$work/records"
	lost=$(awk -v n="$acked" '$1 == "record" && $2 <= n { seen[$2] = 1 }
		END { c = 0; for (i = 1; i <= n; i++) if (!(i in seen)) c++; print c }' "$work/records")
	echo "$acked $(wc -l <"$work/records") $lost $state"
}

one_cycle() { # n -> prints "acked on_disk lost state status"
	local disk=$work/disk.img console=$work/console pid status grace=20
	rm -f "$disk" "$console"
	truncate -s 64M "$disk" && mkfs.ext4 -q -F "$disk" || return 2
	[ $mode = docker ] && grace=8
	qemu_cmd "$disk" "$console"
	if [ $mode = bare ]; then
		"${qemu[@]}" 2>"$work/stderr" &
	else
		"$B/softoff-qemu" run --grace $grace -- "${qemu[@]}" \
			>"$work/stdout" 2>"$work/stderr" &
	fi
	pid=$!
	if ! wait_first_ack "$console" "$pid"; then
		echo "data-safety: guest never acknowledged a record; console tail:" >&2
		tail -n 20 "$console" "$work/stderr" >&2 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
		return 2
	fi
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	stop_vm "$pid"
	status=$?
	echo "$(inspect "$disk" "$console") $status"
}

build_image || { echo "data-safety: building the guest image failed" >&2; exit 2; }
runs=0 clean=0 acked_total=0 lost_total=0 failed=0
for n in $(seq 1 "$cycles"); do
	row=$(one_cycle "$n") || exit 2
	read -r acked on_disk lost state status <<<"$row"
	runs=$((runs + 1)) acked_total=$((acked_total + acked)) lost_total=$((lost_total + lost))
	[ "$state" = clean ] && clean=$((clean + 1))
	[ "$state" = clean ] && [ "$lost" = 0 ] || failed=1
	say "cycle $n ($mode): exit status $status, acknowledged $acked, on disk $on_disk, lost $lost, filesystem $state"
done
if [ $table = 1 ]; then
	echo "$mode $runs $clean $acked_total $lost_total"
else
	echo "$mode: runs $runs, clean filesystems $clean, records acknowledged $acked_total, records lost $lost_total"
fi
[ $failed = 0 ] && [ "$runs" = "$cycles" ]
