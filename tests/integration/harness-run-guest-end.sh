#!/bin/sh
# `softoff-qemu run` exits 0 only after a clean power-off. Under -no-reboot a guest that
# reboots (`reboot -f` from the payload) or panics ends QEMU with status 0 too, after a
# SHUTDOWN whose reason says so: a reset gives 118, a panic reported through pvpanic
# (GUEST_PANICKED, SHUTDOWN reason guest-panic) 120. Without a pvpanic device the same panic
# is a reset (panic=-1 reboots). Control: the agent's power-off exits 0
# (harness-run-agent.sh), and so does a payload that powers off through ACPI here.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
build_image "$T_DIR/reboot.gz" --run 'reboot -f'
build_image "$T_DIR/panic.gz" --module pvpanic-mmio --run 'echo c >/proc/sysrq-trigger'
build_image "$T_DIR/poweroff.gz" --run 'poweroff -f'

# run_guest NAME IMAGE EXPECTED-STATUS [QEMU-ARG...]: run the guest to its own end.
run_guest() {
	rg_name=$1 rg_image=$2 rg_want=$3
	shift 3
	guest_qemu "$T_DIR/qemu.$rg_name" "$rg_image" "$T_DIR/console.$rg_name"
	timeout -k 5 120 "$T_HARNESS" run --grace 60 -- "$T_DIR/qemu.$rg_name" "$@" \
		>"$T_DIR/out.$rg_name" 2>&1 </dev/null
	rg_rc=$?
	sed 's/^/    /' "$T_DIR/out.$rg_name"
	t_that "$rg_name: exit status $rg_want (got $rg_rc)" '[ $rg_rc = $rg_want ]'
}

run_guest poweroff "$T_DIR/poweroff.gz" 0
t_that "poweroff: the guest powered off through ACPI" \
	'grep -q "reboot: Power down" "$T_DIR/console.poweroff"'

run_guest reboot "$T_DIR/reboot.gz" 118
t_that "reboot: the guest restarted" 'grep -q "reboot: Restarting system" "$T_DIR/console.reboot"'
t_that "reboot: softoff-qemu says the guest reset" \
	'grep -q "the guest reset (SHUTDOWN guest-reset" "$T_DIR/out.reboot"'

run_guest panic-no-pvpanic "$T_DIR/panic.gz" 118
t_that "panic without pvpanic: the kernel panicked" \
	'grep -q "Kernel panic - not syncing" "$T_DIR/console.panic-no-pvpanic"'

run_guest panic "$T_DIR/panic.gz" 120 -device pvpanic
t_that "panic: softoff-qemu says the guest panicked" \
	'grep -q "the guest kernel panicked (GUEST_PANICKED)" "$T_DIR/out.panic"'

# -no-shutdown keeps QEMU after the guest's end: softoff-qemu ends it, status unchanged
run_guest reboot-no-shutdown "$T_DIR/reboot.gz" 118 -no-shutdown
t_done
