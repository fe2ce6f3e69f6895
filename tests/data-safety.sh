#!/bin/bash
# Data-safety check: does stopping a VM lose what its guest wrote? Each cycle boots a guest with
# a fresh ext4 virtio disk, lets tests/data/records.sh append acknowledged records (no fsync),
# stops the VM at a random moment, then checks the disk on the host: journal clean
# (no needs_recovery), `e2fsck -fn` clean, and every acknowledged record present (read after
# replaying the journal on a copy, so a lost record is never hidden by a dirty journal).
#
# Usage: tests/data-safety.sh [--mode softoff|docker|bare] [--cycles N] [--table]
#                             [--debian DIR] [--grace SECONDS]
#   softoff  SIGTERM to `softoff-qemu run --grace 20` (what a supervisor does)
#   docker   `docker stop` timing: SIGTERM to `softoff-qemu run --grace 8`, SIGKILL 10 s later
#   bare     SIGTERM to QEMU itself (the problem softoff exists for)
#   --table  print only the summary row: mode runs clean acked lost
#   --debian DIR  the guest is a full Debian system (debian-guest/build.sh output with the
#            records service): each cycle boots a copy of DIR/rootfs.img, its root, with
#            DIR's kernel and initrd; the service's acks come on the second serial port.
#            Default grace 30 s.
#   --grace  the grace softoff-qemu run gets (softoff mode)
# Each cycle prints softoff-qemu's (or QEMU's) exit status and QEMU's own.
# Exit status: 0 every cycle clean with nothing lost, 1 otherwise, 2 usage or set-up error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${SOFTOFF_BUILD:-$top/build}
mode=softoff cycles=1 table=0 debian='' grace=''
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=${2:-}; shift ;;
	--cycles) cycles=${2:-}; shift ;;
	--table) table=1 ;;
	--debian) debian=${2:-}; shift ;;
	--grace) grace=${2:-}; shift ;;
	-h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "data-safety: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $mode in softoff | docker | bare) ;; *) echo "data-safety: unknown mode '$mode'" >&2; exit 2 ;; esac
case $cycles in '' | *[!0-9]*) echo "data-safety: --cycles takes a number, not '$cycles'" >&2; exit 2 ;; esac
case $grace in *[!0-9]*) echo "data-safety: --grace takes a number, not '$grace'" >&2; exit 2 ;; esac
default_grace=20 ack_wait=60 # seconds
[ $mode = docker ] && default_grace=8
[ -n "$debian" ] && default_grace=30 ack_wait=300 # systemd boots slowly under TCG
grace=${grace:-$default_grace}
inputs="$B/softoff-agent $B/kernel/vmlinuz"
[ -z "$debian" ] || inputs="$debian/rootfs.img $debian/vmlinuz $debian/initrd.img"
for f in $inputs; do
	[ -e "$f" ] || { echo "data-safety: $f missing (run make all kernel, or debian-guest/build.sh)" >&2; exit 2; }
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

qemu_cmd() { # disk console acks: sets the array qemu
	if [ -n "$debian" ]; then
		# the guest's root is the disk; its records service writes its acks to ttyS1
		T_KERNEL=$debian/vmlinuz
		guest_qemu "$work/qemu" "$debian/initrd.img" "$2" "root=/dev/vda rw"
		qemu=("$work/qemu" -m 512M -serial "file:$3" -drive "file=$1,format=raw,if=virtio")
	else
		guest_qemu "$work/qemu" "$work/initrd" "$2"
		qemu=("$work/qemu" -drive "file=$1,format=raw,if=virtio")
	fi
}

# A fresh disk for one cycle: an empty ext4, or a copy of the Debian guest's root.
fresh_disk() { # disk
	if [ -n "$debian" ]; then
		cp --sparse=always "$debian/rootfs.img" "$1"
	else
		truncate -s 64M "$1" && mkfs.ext4 -q -F "$1"
	fi
}

# Wait (bounded) until the guest acknowledged its first record.
wait_first_ack() { # console pid
	local i
	for i in $(seq 1 $((ack_wait * 10))); do
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

one_cycle() { # n -> prints "acked on_disk lost state status qemu-status"
	local disk=$work/disk.img console=$work/console acks=$work/console pid status qemu_status
	[ -n "$debian" ] && acks=$work/acks
	rm -f "$disk" "$console" "$acks"
	fresh_disk "$disk" || return 2
	qemu_cmd "$disk" "$console" "$acks"
	if [ $mode = bare ]; then
		"${qemu[@]}" 2>"$work/stderr" &
	else
		"$B/softoff-qemu" run --grace "$grace" -- "${qemu[@]}" \
			>"$work/stdout" 2>"$work/stderr" &
	fi
	pid=$!
	if ! wait_first_ack "$acks" "$pid"; then
		echo "data-safety: guest never acknowledged a record; console tail:" >&2
		tail -n 20 "$console" "$work/stderr" >&2 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
		return 2
	fi
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	stop_vm "$pid"
	status=$?
	qemu_status=$status # bare: QEMU itself; else what softoff-qemu says QEMU did
	[ $mode = bare ] || qemu_status=$(sed -n 's/.*QEMU exited with status \([0-9]*\).*/\1/p' "$work/stderr" | tail -n 1)
	echo "$(inspect "$disk" "$acks") $status ${qemu_status:-none}"
}

[ -n "$debian" ] || build_image || { echo "data-safety: building the guest image failed" >&2; exit 2; }
runs=0 clean=0 acked_total=0 lost_total=0 failed=0
for n in $(seq 1 "$cycles"); do
	row=$(one_cycle "$n") || exit 2
	read -r acked on_disk lost state status qemu_status <<<"$row"
	runs=$((runs + 1)) acked_total=$((acked_total + acked)) lost_total=$((lost_total + lost))
	[ "$state" = clean ] && clean=$((clean + 1))
	[ "$state" = clean ] && [ "$lost" = 0 ] || failed=1
	say "cycle $n ($mode${debian:+, Debian guest}): exit status $status, QEMU status $qemu_status, acknowledged $acked, on disk $on_disk, lost $lost, filesystem $state"
done
if [ $table = 1 ]; then
	echo "$mode $runs $clean $acked_total $lost_total"
else
	echo "$mode: runs $runs, clean filesystems $clean, records acknowledged $acked_total, records lost $lost_total"
fi
[ $failed = 0 ] && [ "$runs" = "$cycles" ]
