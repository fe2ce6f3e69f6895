#!/bin/bash
# Data-safety check: does stopping a VM lose what its guest wrote? Each cycle boots a guest with
# a fresh virtio disk, lets tests/data/records.sh append acknowledged records (no fsync),
# stops the VM at a random moment, then checks the disk on the host with the filesystem's own
# checker (journal or log clean, no errors) and that every acknowledged record is present
# (read after replaying the journal on a copy, so a lost record is never hidden by a dirty
# journal).
#
# Usage: tests/data-safety.sh [--mode M] [--fs FS] [--writer W] [--cycles N] [--table]
#                             [--debian DIR] [--grace SECONDS] [--arch ARCH]
#   --mode   softoff: SIGTERM to `softoff-qemu run --grace 20` (what a supervisor does);
#            docker: SIGTERM to `softoff-qemu run --grace 8`, SIGKILL 10 s later;
#            bare: SIGTERM to QEMU itself (the problem softoff exists for)
#   --fs     ext4 (default), xfs, btrfs or vfat. Checks: ext4 no needs_recovery and
#            `e2fsck -fn`; xfs `xfs_repair -n` (a dirty log counts as needs_recovery); btrfs
#            `btrfs check`; vfat `fsck.fat -n` (the dirty bit counts as dirty). ext4 records
#            are read with debugfs; the others by a second guest that mounts a copy.
#   --writer payload (default): the agent is PID 1 and runs the writer as its payload;
#            pid1: PID 1 is a respawning shell (tests/data/arrangements/shell-respawn.init)
#            that writes itself and never stops; the agent runs in the background
#   --table  print only the summary row: mode runs clean acked lost
#   --debian DIR  the guest is a full Debian system (debian-guest/build.sh output with the
#            records service): each cycle boots a copy of DIR/rootfs.img, its root, with
#            DIR's kernel and initrd; the service's acks come on the second serial port.
#            Default grace 30 s.
#   --grace  the grace softoff-qemu run gets (softoff mode)
#   --arch   x86_64 (default) or aarch64: an arm64 guest (Debian's cloud arm64 kernel, the
#            arm64 agent; QEMU's virt machine with UEFI and semihosting, docs/harness.md)
# Each cycle prints softoff-qemu's (or QEMU's) exit status and QEMU's own.
# Exit status: 0 every cycle clean with nothing lost, 1 otherwise, 2 usage or set-up error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${SOFTOFF_BUILD:-$top/build}
mode=softoff cycles=1 table=0 fs=ext4 writer=payload debian='' grace='' arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=${2:-}; shift ;;
	--fs) fs=${2:-}; shift ;;
	--writer) writer=${2:-}; shift ;;
	--cycles) cycles=${2:-}; shift ;;
	--table) table=1 ;;
	--debian) debian=${2:-}; shift ;;
	--grace) grace=${2:-}; shift ;;
	--arch) arch=${2:-}; shift ;;
	-h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "data-safety: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $mode in softoff | docker | bare) ;; *) echo "data-safety: unknown mode '$mode'" >&2; exit 2 ;; esac
case $fs in ext4 | xfs | btrfs | vfat) ;; *) echo "data-safety: unknown filesystem '$fs' (ext4, xfs, btrfs, vfat)" >&2; exit 2 ;; esac
case $writer in payload | pid1) ;; *) echo "data-safety: unknown writer '$writer' (payload, pid1)" >&2; exit 2 ;; esac
case $arch in x86_64 | aarch64) ;; *) echo "data-safety: unknown architecture '$arch' (x86_64, aarch64)" >&2; exit 2 ;; esac
[ -z "$debian" ] || [ $arch = x86_64 ] || { echo "data-safety: the Debian guest is x86_64 only" >&2; exit 2; }
case $cycles in '' | *[!0-9]*) echo "data-safety: --cycles takes a number, not '$cycles'" >&2; exit 2 ;; esac
case $grace in *[!0-9]*) echo "data-safety: --grace takes a number, not '$grace'" >&2; exit 2 ;; esac
default_grace=20 ack_wait=60 # seconds
[ $mode = docker ] && default_grace=8
[ -n "$debian" ] && default_grace=30 ack_wait=300 # systemd boots slowly under TCG
grace=${grace:-$default_grace}
agent=$B/softoff-agent kdir=$B/kernel
[ $arch = aarch64 ] && agent=$B/arm64/softoff-agent kdir=$B/kernel-arm64
inputs="$agent $kdir/vmlinuz"
[ -z "$debian" ] || inputs="$debian/rootfs.img $debian/vmlinuz $debian/initrd.img"
for f in $inputs; do
	[ -e "$f" ] || { echo "data-safety: $f missing (run make all kernel [KERNEL_ARCH=arm64], or debian-guest/build.sh)" >&2; exit 2; }
done

SOFTOFF_TOP=$top SOFTOFF_BUILD=$B
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh" # T_DIR, and guest_qemu: the QEMU command line every test uses
work=$T_DIR
T_KERNEL=$kdir/vmlinuz T_ARCH=$arch
trap 'kill -KILL $(jobs -p) 2>/dev/null; t_cleanup' EXIT
say() { [ $table = 1 ] || echo "$@"; }

# The kernel modules each filesystem needs (ext4 is built into Debian's cloud kernel).
fs_modules() {
	case $fs in
	ext4) ;;
	vfat) echo --module vfat --module nls_cp437 --module nls_ascii --module nls_utf8 ;;
	*) echo --module "$fs" ;;
	esac
}

# The guest's QEMU command ($work/qemu), its image, and for all but ext4 the reader's.
build_images() {
	local arrangement=() append=
	if [ -n "$debian" ]; then
		# the guest's root is the disk; its records service writes its acks to ttyS1
		T_KERNEL=$debian/vmlinuz
		guest_qemu "$work/qemu" "$debian/initrd.img" "$work/console" "root=/dev/vda rw"
		return
	fi
	if [ $writer = pid1 ]; then
		arrangement=(--init "$top/tests/data/arrangements/shell-respawn.init")
		append=softoff.workload=/usr/bin/records
	else
		arrangement=(--run /usr/bin/records)
	fi
	# shellcheck disable=SC2046 # a list of options
	"$top/initramfs/mkinitramfs.sh" -q -o "$work/initrd" --agent "$agent" --modules "$kdir/modules" \
		--module virtio_pci --module virtio_blk $(fs_modules) "${arrangement[@]}" \
		--file "$top/tests/data/records.sh:/usr/bin/records" >/dev/null || return 1
	guest_qemu "$work/qemu" "$work/initrd" "$work/console" "$append"
	[ $fs = ext4 ] && return 0
	# shellcheck disable=SC2046
	"$top/initramfs/mkinitramfs.sh" -q -o "$work/reader-initrd" --agent "$agent" \
		--modules "$kdir/modules" \
		--module virtio_pci --module virtio_blk $(fs_modules) --run /usr/bin/records-dump \
		--file "$top/tests/data/records-dump.sh:/usr/bin/records-dump" >/dev/null || return 1
	guest_qemu "$work/reader" "$work/reader-initrd" "$work/reader-console"
}

# A fresh disk for one cycle: an empty filesystem, or a copy of the Debian guest's root.
make_disk() { # file
	rm -f "$1"
	if [ -n "$debian" ]; then
		cp --sparse=always "$debian/rootfs.img" "$1"
		return
	fi
	case $fs in
	ext4) truncate -s 64M "$1" && mkfs.ext4 -q -F "$1" ;;
	xfs) truncate -s 300M "$1" && mkfs.xfs -q -f "$1" ;; # 300 MiB: mkfs.xfs's minimum
	btrfs) truncate -s 256M "$1" && mkfs.btrfs -q -f "$1" >/dev/null ;;
	vfat) truncate -s 64M "$1" && mkfs.fat "$1" >/dev/null ;;
	esac
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

# The filesystem's own verdict on the stopped VM's disk: clean, needs_recovery (a journal or
# log still to replay), dirty (vfat's dirty bit), and/or CHECKER-errors.
fs_state() { # disk
	local state=clean log=$work/fsck.log
	case $fs in
	ext4)
		dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery && state=needs_recovery
		e2fsck -fn "$1" >"$log" 2>&1 || state="$state,fsck-errors" ;;
	xfs)
		xfs_repair -n "$1" >"$log" 2>&1 || state="$state,xfs_repair-errors"
		grep -q 'metadata changes in a log' "$log" && state="$state,needs_recovery" ;;
	btrfs)
		btrfs check "$1" >"$log" 2>&1 || state="$state,btrfs-check-errors" ;;
	vfat)
		fsck.fat -n "$1" >"$log" 2>&1 || state="$state,fsck.fat-errors"
		grep -qi 'dirty bit' "$log" && state="$state,dirty" ;;
	esac
	echo "${state#clean,}"
}

# The records file as the next boot would see it, from a copy of the disk.
read_records() { # disk out
	cp --sparse=always "$1" "$work/replay.img"
	if [ $fs = ext4 ]; then
		e2fsck -fy "$work/replay.img" >/dev/null 2>&1
		debugfs -R 'cat /records' "$work/replay.img" 2>/dev/null >"$2"
		return
	fi
	rm -f "$work/dump.img" "$work/reader-console"
	truncate -s 32M "$work/dump.img"
	timeout 120 "$work/reader" -drive "file=$work/replay.img,format=raw,if=virtio" \
		-drive "file=$work/dump.img,format=raw,if=virtio" >/dev/null 2>&1
	tr -d '\0' <"$work/dump.img" >"$2"
	grep -q 'records-dump: copied' "$work/reader-console" 2>/dev/null ||
		echo "data-safety: reading the records back failed:" \
			"$(tr -d '\r' <"$work/reader-console" 2>/dev/null | grep -m 1 'records-dump:')" >&2
}

# Prints "acked on_disk lost state" for one stopped VM.
inspect() { # disk console
	local acked lost state
	acked=$(tr -d '\r' <"$2" | sed -n 's/^ack \([0-9][0-9]*\)$/\1/p' | tail -n 1)
	acked=${acked:-0}
	state=$(fs_state "$1")
	read_records "$1" "$work/records"
	lost=$(awk -v n="$acked" '$1 == "record" && $2 <= n { seen[$2] = 1 }
		END { c = 0; for (i = 1; i <= n; i++) if (!(i in seen)) c++; print c }' "$work/records")
	echo "$acked $(wc -l <"$work/records") $lost $state"
}

# What the agent did with /mnt, from its console line: froze, remounted (read-only),
# unmounted, or none. With PID 1 still writing, "unmounted" is the data-loss bug itself: its
# next append lands in the initramfs directory underneath and is gone at power-off.
agent_action() { # console
	local a
	a=$(tr -d '\r' <"$1" | sed -n 's/.*softoff-agent: \(froze\|remounted\|unmounted\) \/mnt\( .*\)\{0,1\}$/\1/p' | head -n 1)
	echo "${a:-none}"
}

one_cycle() { # n -> prints "acked on_disk lost state status qemu-status action"
	local disk=$work/disk.img console=$work/console acks=$work/console pid status qemu_status
	[ -n "$debian" ] && acks=$work/acks
	rm -f "$console" "$acks"
	make_disk "$disk" || return 2
	qemu=("$work/qemu" -drive "file=$disk,format=raw,if=virtio")
	[ -z "$debian" ] || qemu+=(-m 512M -serial "file:$acks")
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
	echo "$(inspect "$disk" "$acks") $status ${qemu_status:-none} $(agent_action "$console")"
}

build_images || { echo "data-safety: building the guest images failed" >&2; exit 2; }
# A guest that never acknowledged a record did not boot (under TCG on a starved host the
# kernel can panic before /init: "IO-APIC + timer doesn't work"): that says nothing about
# data safety, so the cycle is run again, twice at most.
cycle_with_retries() { # n
	local try
	for try in 1 2 3; do
		one_cycle "$1" && return 0
		echo "data-safety: cycle $1: the guest did not come up (try $try of 3)" >&2
	done
	return 2
}

runs=0 clean=0 acked_total=0 lost_total=0 failed=0
for n in $(seq 1 "$cycles"); do
	row=$(cycle_with_retries "$n") || exit 2
	read -r acked on_disk lost state status qemu_status action <<<"$row"
	[ $writer = pid1 ] && [ "$action" = unmounted ] && state="$state,unmounted-under-writer"
	runs=$((runs + 1)) acked_total=$((acked_total + acked)) lost_total=$((lost_total + lost))
	[ "$state" = clean ] && clean=$((clean + 1))
	[ "$state" = clean ] && [ "$lost" = 0 ] || failed=1
	say "cycle $n ($mode, $arch, ${debian:+Debian guest}${debian:-$fs, writer $writer}): exit status $status, QEMU status $qemu_status, acknowledged $acked, on disk $on_disk, lost $lost, filesystem $state, agent $action /mnt"
done
if [ $table = 1 ]; then
	echo "$mode $runs $clean $acked_total $lost_total"
else
	echo "$mode: runs $runs, clean filesystems $clean, records acknowledged $acked_total, records lost $lost_total"
fi
[ $failed = 0 ] && [ "$runs" = "$cycles" ]
