#!/bin/sh
# A guest that ignores ACPI (an image without the agent: /init waits
# forever). SIGTERM to `softoff-qemu run --grace 3`: it presses the button (again every
# 2 s), gives up after the grace, sends quit, and exits with its documented status 124;
# QEMU is gone.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
need_harness
build_image "$T_DIR/initrd.gz" --no-agent
console=$T_DIR/console.log
guest_qemu "$T_DIR/qemu" "$T_DIR/initrd.gz" "$console"
set -- "$T_DIR/qemu"
bg_start run "$T_HARNESS" run --grace 3 --quit-timeout 5 -- "$@"
run_pid=$bg_pid
qemu_pid=$(qemu_of "$run_pid") || t_abort "softoff-qemu run started no QEMU"
wait_for_line "$console" 'softoff-init: no agent' 30 ||
	t_abort "the guest did not reach /init's wait"
sleep 0.5
t_term=$(now_ms)
kill -TERM "$run_pid"
bg_wait run 20
ms=$((bg_t0 + bg_ms - t_term))
boot_console=$console
t_check "softoff-qemu run exits 124, its 'grace passed, quit' status (got $bg_status)" [ "$bg_status" = 124 ]
t_within "it took the 3 s grace (+ quit) after SIGTERM (ms)" "$ms" 2900 8000
t_that "QEMU ($qemu_pid) is gone" "! pid_alive $qemu_pid"
t_that "QEMU was not SIGKILLed: it obeyed quit (no status 128)" '[ "$bg_status" != 128 ]'
expect_no_console 'reboot: Power down' "the guest did not power off (nothing listened)"
t_done
