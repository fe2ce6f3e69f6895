#!/bin/sh
# Issue 5 §2, fault: softoff-qemu itself SIGKILLed (no chance to clean up): its QEMU must
# not be left behind (PR_SET_PDEATHSIG): gone within 2 s, for `run` and for `boot`.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel
need_agent
need_harness
build_image "$T_DIR/initrd.gz"

# Kill the harness (bg_pid) once the guest is armed (console FILE); check its QEMU.
kill_harness_check_qemu() { # what console
	qemu_pid=$(qemu_of "$bg_pid") || t_abort "softoff-qemu $1 started no QEMU"
	wait_for_line "$2" 'softoff-agent: armed' 30 || t_abort "the guest did not arm under $1"
	kill -KILL "$bg_pid"
	t_kill=$(now_ms)
	while pid_alive "$qemu_pid" && [ $(($(now_ms) - t_kill)) -lt 2000 ]; do sleep 0.05; done
	gone=$(($(now_ms) - t_kill))
	if pid_alive "$qemu_pid"; then
		t_fail "$1: QEMU ($qemu_pid) still runs 2 s after softoff-qemu was SIGKILLed"
		kill -KILL "$qemu_pid"
	else
		t_ok "$1: QEMU ($qemu_pid) was gone $gone ms after softoff-qemu was SIGKILLed"
	fi
	t_that "$1: no process is left running QEMU on this test's image" \
		"! pgrep -f '$T_DIR/initrd.gz' >/dev/null"
}

console=$T_DIR/console.run.log
fault_qemu_cmd "$T_DIR/initrd.gz" "" "$console" -device isa-debug-exit
eval "set -- $fq_cmd"
bg_start run "$T_HARNESS" run --grace 10 -- "$@"
kill_harness_check_qemu run "$console"

console=$T_DIR/console.boot.log
bg_start boot "$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/initrd.gz" --press never \
	--timeout 30 --console "$console"
kill_harness_check_qemu boot "$console"
t_done
