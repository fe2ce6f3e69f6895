#!/bin/sh
# Softoff-qemu itself SIGKILLed (no chance to clean up): its QEMU must
# not be left behind (PR_SET_PDEATHSIG): gone within 2 s, for `run` and for `boot`.
. "$(dirname "$0")/../fault-lib.sh"
fault_need_default_image

# Kill the harness (bg_pid) once the guest is armed; check its QEMU (qemu_pid).
kill_harness_check_qemu() { # what
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

fault_start_armed run "$T_DIR/console.run.log"
kill_harness_check_qemu run

fault_start_armed boot "$T_DIR/console.boot.log"
kill_harness_check_qemu boot
t_done
