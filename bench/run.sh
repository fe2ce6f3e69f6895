#!/bin/bash
# make bench: softoff against its baselines (issue 5, section 4). Same kernel, same QEMU,
# variants interleaved run by run; prints a table and writes build/bench/results.json.
#   a. power-off latency: softoff-agent vs busybox acpid + sync + outb vs acpid2 + sync + outb,
#      and softoff-agent in the background of a respawning shell PID 1 vs the agent as PID 1
#   b. boot-test cycle: `softoff-qemu boot` of the default image vs the floor (/init = outb),
#      and `softoff-qemu boot --kernel K` alone (the image made in memory) vs the same with
#      --agent floor-init
#   c. footprint: agent binary, agent RSS and idle wake-ups in the guest, image size,
#      softoff-qemu's own RSS and CPU per boot
#   d. scale: 1, 2, 4, 8 boot tests at once
#   e. the full Debian guest (make debian-guest: systemd, no dbus): boot to the login prompt,
#      and SIGTERM to `softoff-qemu run` -> QEMU exited (systemd's own shutdown, then the port)
#   f. an arm64 guest (qemu-system-aarch64 -machine virt, UEFI, semihosting; Debian's cloud
#      arm64 kernel): the boot-test cycle of the arm64 default image vs its own floor (/init =
#      a semihosting exit), and power-off latency (press -> QEMU exit)
# Env: BENCH_RUNS (boots per variant, default 20; 2 for a smoke test), BENCH_SCALE
# (default "1 2 4 8"), BENCH_IDLE (idle seconds for the wake-up count, default 10),
# BENCH_DEBIAN_RUNS (full Debian guest boots, default 3: about 20 s each), BENCH_SECTIONS
# (default "a b c d e f"; e.g. BENCH_SECTIONS=e for the Debian guest alone).
# Raw samples go to build/bench/samples.tsv, one "GROUP VARIANT METRIC VALUE" per line.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd -P)
out=$top/build/bench
runs=${BENCH_RUNS:-20}
scale=${BENCH_SCALE:-1 2 4 8}
idle=${BENCH_IDLE:-10}
debian_runs=${BENCH_DEBIAN_RUNS:-3}
sections=${BENCH_SECTIONS:-a b c d e f}
debian=$top/build/debian-guest/softoff
kernel=$top/build/kernel/vmlinuz
kernel_arm64=$top/build/kernel-arm64/vmlinuz
agent=$out/softoff-agent   # copies taken at the start: a rebuild during the run changes nothing
harness=$out/softoff-qemu
measure=$out/measure
samples=$out/samples.tsv

# shellcheck source=bench/vm.sh
. "$top/bench/vm.sh"
# shellcheck source=bench/report.sh
. "$top/bench/report.sh"

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
sample() { echo "$*" >>"$samples"; } # group variant metric value
kv() { sed -n "s/.*\\b$1=\\([0-9-]*\\).*/\\1/p"; } # the number after KEY= on stdin

check_inputs() {
	local f
	for f in "$kernel" "$top/build/kernel/modules/modules.dep" "$top/build/softoff-agent" "$debian/rootfs.img" \
		"$top/build/softoff-qemu" "$out/outb" "$out/floor-init" "$measure" /usr/sbin/acpid; do
		[ -e "$f" ] || die "'$f' is missing: run 'make bench' (or make all kernel build/bench/...)"
	done
	section f && for f in "$kernel_arm64" "$top/build/kernel-arm64/modules/modules.dep" \
		"$top/build/arm64/softoff-agent" "$out/arm64/floor-init"; do
		[ -e "$f" ] || die "'$f' is missing: run 'make bench' (or make kernel KERNEL_ARCH=arm64 ...)"
	done
	cp "$top/build/softoff-agent" "$agent"
	mkdir -p "$out/arm64-agent"
	cp "$top/build/arm64/softoff-agent" "$out/arm64-agent/softoff-agent"
	cp "$top/build/softoff-qemu" "$harness"
}

# --- images: all from the same builder, kernel modules and busybox ------------------------------

image() { # name [mkinitramfs options...]
	local name=$1
	shift
	"$top/initramfs/mkinitramfs.sh" -q -o "$out/img/$name.cpio.gz" \
		--modules "$top/build/kernel/modules" --agent "$agent" "$@" >/dev/null ||
		die "building the $name image failed"
}

# The same for an arm64 guest: its kernel's modules and the arm64 agent.
image_arm64() { # name [mkinitramfs options...]
	local name=$1
	shift
	image "$name" --modules "$top/build/kernel-arm64/modules" --agent "$out/arm64-agent/softoff-agent" "$@"
}

build_images() {
	local outb=$out/outb:/usr/sbin/outb handler=$top/bench/baseline-poweroff
	say "building images in $out/img"
	image softoff
	image busybox --acpid --file "$outb" --file "$handler:/etc/acpi/PWRF/00000080"
	image acpid2 --acpid2 /usr/sbin/acpid --file "$outb" --file "$handler:/usr/sbin/baseline-poweroff" \
		--file "$top/bench/acpid2-rule:/etc/acpi/events/softoff-power"
	image respawn --init "$top/tests/data/arrangements/shell-respawn.init"
	image floor --init "$out/floor-init"
	image footprint --file "$top/bench/guest-footprint.sh:/usr/bin/bench-footprint" \
		--run "bench-footprint $idle"
	section f || return 0
	image_arm64 softoff-arm64
	image_arm64 floor-arm64 --init "$out/arm64/floor-init"
}

# VARIANTS rotated left by N: interleaved runs change the order, so no variant always goes first.
rotate() { # n variants...
	local n=$(($1 % ($# - 1)))
	shift
	echo "${@:n+1}" "${@:1:n}"
}

# --- a. power-off latency ----------------------------------------------------------------------

ready_line() { # variant
	case $1 in
	softoff | respawn | softoff-arm64) echo 'softoff-agent: armed' ;;
	busybox) echo 'softoff-init: busybox acpid started' ;;
	acpid2) echo 'softoff-init: acpid2 started' ;;
	esac
}

poweroff_once() { # variant run
	local console=$out/consoles/poweroff-$1.log span arch=x86_64
	case $1 in *-arm64) arch=aarch64 ;; esac
	vm_start "$out/img/$1.cpio.gz" "$console" "$arch"
	vm_status=-1 # no ready line
	if vm_wait_ready "$console" "$(ready_line "$1")"; then vm_press_until_exit; fi
	vm_stop
	sample poweroff "$1" failures $((vm_status != 99))
	if [ "$vm_status" != 99 ]; then
		say "poweroff $1 run $2: QEMU status $vm_status, not 99 (-1: no ready line; console: $console)"
		return
	fi
	sample poweroff "$1" latency_ms "$(ms "$vm_latency_us")"
	sample poweroff "$1" ready_ms "$vm_ready_ms"
	sample poweroff "$1" repressed $((vm_presses - 1))
	case $1 in softoff | respawn | softoff-arm64) ;; *) return 0 ;; esac
	span=$(guest_span_ms "$console" 'Run /init' 'softoff-agent: armed')
	[ -z "$span" ] || sample poweroff "$1" guest_init_to_armed_ms "$span"
	# the exit line: isa-debug-exit's port write, or arm64's semihosting call
	span=$(guest_span_ms "$console" 'softoff-agent: shutting down' \
		'softoff-agent: (writing 0x|asking QEMU to exit)')
	[ -z "$span" ] || sample poweroff "$1" guest_sequence_ms "$span"
}

# Milliseconds between two kernel-log lines on the guest's own clock; nothing if one is missing.
guest_span_ms() { # console from-regex to-regex
	tr -d '\r' <"$1" | awk -F '[][]' -v from="$2" -v to="$3" '
	$0 ~ from && t0 == "" { t0 = $2 }
	$0 ~ to && t0 != "" { printf "%.1f", ($2 - t0) * 1000; exit }'
}

bench_poweroff() {
	local i v
	say "a. power-off latency: $runs boots of each image"
	for i in $(seq 1 "$runs"); do
		for v in $(rotate "$i" softoff busybox acpid2 respawn); do poweroff_once "$v" "$i"; done
	done
}

# --- b. boot-test cycle, and softoff-qemu's own cost -------------------------------------------

# One `softoff-qemu boot` under measure; its figures land in COSTFILE.
harness_boot() { # costfile [boot options...]
	local cost=$1
	shift
	"$measure" "$cost" "$harness" boot --kernel "$kernel" --quiet "$@" >"$cost.log" 2>&1
}

boot_once() { # variant run
	local cost=$out/costs/$1 status=0
	case $1 in
	floor) harness_boot "$cost" --initrd "$out/img/floor.cpio.gz" --press never || status=$? ;;
	softoff) harness_boot "$cost" --initrd "$out/img/softoff.cpio.gz" || status=$? ;;
	embedded-floor) harness_boot "$cost" --agent "$out/floor-init" --press never || status=$? ;;
	embedded) harness_boot "$cost" --agent "$agent" || status=$? ;;
	floor-arm64) harness_boot "$cost" --kernel "$kernel_arm64" --initrd "$out/img/floor-arm64.cpio.gz" \
		--press never || status=$? ;;
	softoff-arm64) harness_boot "$cost" --kernel "$kernel_arm64" --initrd "$out/img/softoff-arm64.cpio.gz" \
		|| status=$? ;;
	esac
	sample boot "$1" failures $((status != 0))
	[ "$status" = 0 ] || { say "boot $1 run $2: softoff-qemu status $status ($cost.log)"; return; }
	sample boot "$1" wall_ms "$(kv wall_ms <"$cost")"
	sample boot "$1" harness_cpu_ms "$(kv cpu_ms <"$cost")"
	sample boot "$1" harness_peak_rss_kib "$(kv peak_rss_kib <"$cost")"
	sample boot "$1" qemu_cpu_ms "$(kv children_cpu_ms <"$cost")"
}

bench_boot_cycle() {
	local i v
	say "b. boot-test cycle: $runs boots of the default image, the embedded one and their floors"
	for i in $(seq 1 "$runs"); do
		for v in $(rotate "$i" floor softoff embedded-floor embedded); do boot_once "$v" "$i"; done
	done
}

# --- f. an arm64 guest ---------------------------------------------------------------------------

bench_arm64() {
	local i v
	say "f. arm64 guest: $runs boot tests of the arm64 image and of its floor, $runs power-offs"
	for i in $(seq 1 "$runs"); do
		for v in $(rotate "$i" floor-arm64 softoff-arm64); do boot_once "$v" "$i"; done
		poweroff_once softoff-arm64 "$i"
	done
}

# --- c. footprint ------------------------------------------------------------------------------

bench_footprint() {
	local console=$out/consoles/footprint.log line
	say "c. footprint: sizes, and the agent in an idle guest for $idle s"
	sample footprint agent binary_bytes "$(wc -c <"$agent")"
	sample footprint image size_bytes "$(wc -c <"$out/img/softoff.cpio.gz")"
	"$harness" boot --kernel "$kernel" --agent "$agent" --quiet --save-initrd "$out/img/embedded.cpio" ||
		die "softoff-qemu boot --kernel alone failed (the embedded image)"
	sample footprint embedded-image size_bytes "$(wc -c <"$out/img/embedded.cpio")"
	vm_start "$out/img/footprint.cpio.gz" "$console"
	vm_wait_exit
	vm_stop
	line=$(tr -d '\r' <"$console" | grep -m 1 'bench-footprint: vmhwm_kib=') ||
		die "footprint guest printed no figures (QEMU status $vm_status; console: $console)"
	sample footprint agent peak_rss_kib "$(echo "$line" | kv vmhwm_kib)"
	sample footprint agent idle_wakeups "$(echo "$line" | kv wakeups)"
	sample footprint agent settle_wakeups "$(echo "$line" | kv settle_wakeups)"
}

# --- d. scale ----------------------------------------------------------------------------------

scale_once() { # parallel
	local n=$1 k t0 failures=0 pids=()
	t0=$(now_us)
	for k in $(seq 1 "$n"); do
		harness_boot "$out/costs/scale$k" --initrd "$out/img/softoff.cpio.gz" --timeout 300 &
		pids+=($!)
	done
	for k in "${!pids[@]}"; do
		wait "${pids[k]}" && continue
		failures=$((failures + 1))
		say "scale $n: boot $((k + 1)) failed ($out/costs/scale$((k + 1)).log)"
	done
	sample scale "$n" wall_ms "$(ms $(($(now_us) - t0)))"
	sample scale "$n" failures "$failures"
}

bench_scale() {
	local n
	say "d. scale: $scale boot tests at once on $(nproc) cores"
	for n in $scale; do scale_once "$n"; done
}

# --- e. the full Debian guest under softoff-qemu run ------------------------------------------------

# One boot of a copy of the Debian guest under `softoff-qemu run`; SIGTERM once the login prompt
# is up (a guest in use, not one still booting), then time until softoff-qemu (and QEMU) ended.
debian_once() { # run
	local dir=$out/debian console=$out/consoles/debian-$1.log err=$out/consoles/debian-$1.err
	local pid t0 t_term status qemu_status
	mkdir -p "$dir"
	cp --sparse=always "$debian/rootfs.img" "$dir/root.img"
	: >"$console"
	t0=$(now_us)
	# no `timeout` around it: a SIGTERM to timeout reaches softoff-qemu twice (timeout sends it
	# to its child and to its process group), and a second SIGTERM means "quit now". The wait
	# for the prompt is bounded here, the rest by --grace and --quit-timeout.
	"$harness" run --grace 60 -- qemu-system-x86_64 -machine q35 -accel tcg \
		-m 512M -nodefaults -no-reboot -display none -device isa-debug-exit,iobase=0x501,iosize=2 \
		-serial "file:$console" -kernel "$debian/vmlinuz" -initrd "$debian/initrd.img" \
		-append "console=ttyS0 panic=-1 root=/dev/vda rw" \
		-drive "file=$dir/root.img,format=raw,if=virtio" </dev/null 2>"$err" &
	pid=$!
	until grep -q 'login: *$' "$console"; do
		kill -0 "$pid" 2>/dev/null && [ $(($(now_us) - t0)) -lt 240000000 ] ||
			{ say "debian run $1: no login prompt (console: $console)"; kill "$pid"; wait "$pid"; sample debian guest failures 1; return; }
		sleep 0.1
	done
	sample debian guest login_ms $((($(now_us) - t0) / 1000))
	sample debian guest armed_ms "$(guest_span_ms "$console" 'Linux version' 'softoff-agent: armed')"
	sleep 1
	t_term=$(now_us)
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	sample debian guest sigterm_exit_ms "$(ms $(($(now_us) - t_term)))"
	qemu_status=$(sed -n 's/.*QEMU exited with status \([0-9]*\).*/\1/p' "$err")
	sample debian guest failures $((status != 0 || qemu_status != 99))
	[ "$status" = 0 ] && [ "$qemu_status" = 99 ] ||
		say "debian run $1: softoff-qemu status $status, QEMU status ${qemu_status:-none} ($err, $console)"
}

bench_debian() {
	local i
	say "e. full Debian guest: $debian_runs boots, SIGTERM at the login prompt"
	for i in $(seq 1 "$debian_runs"); do debian_once "$i"; done
	rm -rf "$out/debian"
}

main() {
	check_inputs
	rm -rf "$out/img" "$out/consoles" "$out/costs" "$out"/cost.* "$samples"
	mkdir -p "$out/img" "$out/consoles" "$out/costs"
	trap 'vm_stop' EXIT
	trap 'exit 130' INT TERM
	build_images
	section a && bench_poweroff
	section b && bench_boot_cycle
	section c && bench_footprint
	section d && bench_scale
	section e && bench_debian
	section f && bench_arm64
	report
}

section() { case " $sections " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

main "$@"
