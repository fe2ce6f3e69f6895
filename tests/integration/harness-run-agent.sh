#!/bin/sh
# `softoff-qemu run` with a guest running the agent: SIGTERM powers it off through ACPI and
# softoff-qemu exits 0 well within the grace; the user's own -serial stays theirs.
. "$(dirname "$0")/../harness-lib.sh"

h_need_guest
img=$(h_image agent)
"$SQ" run --grace 20 -- qemu-system-x86_64 -machine q35 -accel tcg -m 256M -nodefaults \
	-no-reboot -display none -device isa-debug-exit,iobase=0x501,iosize=2 \
	-kernel "$KERNEL" -initrd "$img" -append "console=ttyS0 panic=-1" \
	-serial "file:$H_DIR/console" >"$H_DIR/out" 2>&1 &
run_pid=$!
h_track "$run_pid"
h_that "the guest's agent is armed" 'h_wait_file "$H_DIR/console" "softoff-agent: armed" 60'
start=$(now_ms)
kill -TERM "$run_pid"
wait "$run_pid"
rc=$? ms=$(($(now_ms) - start))
cat "$H_DIR/out"
h_that "SIGTERM: exit 0 (got $rc) within the grace ($ms ms)" '[ $rc = 0 ] && [ $ms -lt 20000 ]'
h_that "the guest shut down through the agent" \
	'grep -q "softoff-agent: writing 0x31" "$H_DIR/console"'
h_done
