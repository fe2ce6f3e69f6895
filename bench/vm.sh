# Boots QEMU for the power-off latency benchmark and times the press (bash; sourced by run.sh).
#
# QEMU gets the flags `softoff-qemu boot` uses (docs/harness.md) plus a QMP monitor on a FIFO
# pair (`-qmp pipe:DIR/qmp`, as tests/lib.sh does: no socat or python needed). QEMU is this
# shell's own child, so `wait` returns the moment it exits: no polling in the timed part.
# Needs: kernel (the vmlinuz), out (the bench build dir); for arm64 guests kernel_arm64.

# QEMU for ARCH (x86_64, aarch64) as softoff-qemu boot runs it (docs/harness.md, guest
# architectures), into the array vm_qemu.
vm_qemu_for() { # arch
	case $1 in
	aarch64)
		vm_qemu=(qemu-system-aarch64 -machine virt -cpu cortex-a57
			-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd
			-semihosting-config enable=on,target=native,userspace=on
			-kernel "$kernel_arm64" -append "console=ttyAMA0 panic=-1") ;;
	*)
		vm_qemu=(qemu-system-x86_64 -machine q35 -device isa-debug-exit,iobase=0x501,iosize=2
			-kernel "$kernel" -append "console=ttyS0 panic=-1 no_timer_check") ;;
	esac
}

vm_timeout=60  # a boot that takes longer is a failure
vm_settle=0.5  # seconds between the ready line and the press, so that every guest is idle

now_us() { echo "${EPOCHREALTIME/./}"; }

qmp_send() { printf '{"execute":"%s"}\n' "$1" >&8; }

# Start QEMU on INITRD with its serial console in CONSOLE, an ARCH guest (default x86_64).
# Sets vm_pid, vm_dir, vm_t0.
vm_start() { # initrd console [arch]
	vm_dir=$(mktemp -d "$out/vm.XXXXXX")
	mkfifo "$vm_dir/qmp.in" "$vm_dir/qmp.out"
	exec 8<>"$vm_dir/qmp.in" # held read-write: writes never block, even before QEMU opens it
	cat "$vm_dir/qmp.out" >"$vm_dir/qmp.log" &
	vm_reader=$!
	: >"$2"
	vm_qemu_for "${3:-x86_64}"
	vm_t0=$(now_us)
	# `timeout` is the safety net: no QEMU outlives the benchmark
	timeout -k 5 "$vm_timeout" "${vm_qemu[@]}" -accel tcg -m 256M \
		-nodefaults -no-reboot -display none \
		-serial "file:$2" -qmp "pipe:$vm_dir/qmp" -initrd "$1" \
		</dev/null 2>"$vm_dir/qemu.err" &
	vm_pid=$!
	qmp_send qmp_capabilities
}

# Wait until the console shows REGEX. Sets vm_ready_ms (QEMU start to the line).
vm_wait_ready() { # console regex
	until grep -qE -- "$2" "$1"; do
		kill -0 "$vm_pid" 2>/dev/null || return 1
		[ $(($(now_us) - vm_t0)) -lt $((vm_timeout * 1000000)) ] || return 1
		sleep 0.05
	done
	vm_ready_ms=$((($(now_us) - vm_t0) / 1000))
}

# Press the power button; again every 2 s until QEMU exits. Sets vm_latency_us (press sent
# to QEMU exited), vm_presses and vm_status (QEMU's exit status; 124 = timeout).
vm_press_until_exit() {
	sleep "$vm_settle"
	: >"$vm_dir/repressed"
	local t_press repress
	t_press=$(now_us)
	qmp_send system_powerdown
	(while sleep 2; do qmp_send system_powerdown; echo >>"$vm_dir/repressed"; done) &
	repress=$!
	vm_status=0
	wait "$vm_pid" || vm_status=$?
	vm_latency_us=$(($(now_us) - t_press))
	kill "$repress" 2>/dev/null || true
	vm_presses=$((1 + $(wc -l <"$vm_dir/repressed")))
}

# Wait for QEMU to end by itself. Sets vm_status.
vm_wait_exit() {
	vm_status=0
	wait "$vm_pid" || vm_status=$?
}

# Kill QEMU if it still runs, and clean up; safe to call twice.
vm_stop() {
	[ -n "${vm_dir:-}" ] || return 0
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null || true
		wait "$vm_pid" 2>/dev/null || true
	fi
	exec 8>&-
	wait "${vm_reader:-}" 2>/dev/null || true
	rm -rf "$vm_dir"
	vm_pid='' vm_reader='' vm_dir=''
}
