#!/bin/sh
# `softoff-qemu run` with a guest running the agent: SIGTERM powers it off through ACPI and
# softoff-qemu exits 0 well within the grace; the user's own -serial stays theirs. A guest
# that ends with another status by itself (a payload exiting 5: QEMU 139) has that status
# passed through. arm64-run.sh runs the same on an arm64 guest.
. "$(dirname "$0")/../lib.sh"
need_harness
need_guest
build_image "$T_DIR/agent.gz"
guest_qemu "$T_DIR/qemu" "$T_DIR/agent.gz" "$T_DIR/console"
"$T_HARNESS" run --grace 20 -- "$T_DIR/qemu" >"$T_DIR/out" 2>&1 &
run_pid=$!
t_track "$run_pid"
t_that "the guest's agent is armed" 'wait_for_line "$T_DIR/console" "softoff-agent: armed" 60'
start=$(now_ms)
kill -TERM "$run_pid"
wait "$run_pid"
rc=$? ms=$(($(now_ms) - start))
cat "$T_DIR/out"
t_that "SIGTERM: exit 0 (got $rc) within the grace ($ms ms)" '[ $rc = 0 ] && [ $ms -lt 20000 ]'
t_that "QEMU exited with status 99" 'grep -q "QEMU exited with status 99" "$T_DIR/out"'
t_that "the guest shut down through the agent's exit device" \
	'grep -Eq "softoff-agent: (writing 0x31|asking QEMU to exit 99)" "$T_DIR/console"'

guest_qemu "$T_DIR/qemu" "$T_DIR/agent.gz" "$T_DIR/console2" 'softoff.run="exit 5"'
timeout 120 "$T_HARNESS" run --grace 20 -- "$T_DIR/qemu" >"$T_DIR/out2" 2>&1
rc=$?
cat "$T_DIR/out2"
t_that "a payload exiting 5: QEMU status 139 passed through (got $rc)" '[ $rc = 139 ]'
t_done
