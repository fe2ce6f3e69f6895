#!/bin/sh
# SIGKILL of softoff-qemu: QEMU dies with it (PR_SET_PDEATHSIG), so no QEMU is left 2 s later.
. "$(dirname "$0")/../harness-lib.sh"

command -v qemu-system-x86_64 >/dev/null || h_skip "no qemu-system-x86_64"
"$SQ" run -- qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none \
	>"$H_DIR/out" 2>&1 &
run_pid=$!
qemu_pid=$(h_child_of "$run_pid")
h_track "$run_pid" "$qemu_pid"
sleep 0.5
h_that "QEMU runs under softoff-qemu run (pid $qemu_pid)" 'h_alive "$qemu_pid"'
kill -KILL "$run_pid"
sleep 2
h_that "run: no QEMU left 2 s after SIGKILL of softoff-qemu" '! h_alive "$qemu_pid"'

# the same for boot, with a fake QEMU that would otherwise wait for ever
: >"$H_DIR/k"
FAKE_QEMU_MODE=silent FAKE_QEMU_PIDFILE=$H_DIR/pid "$SQ" boot --qemu "$FAKE_QEMU" \
	--kernel "$H_DIR/k" --initrd "$H_DIR/k" >/dev/null 2>&1 &
boot_pid=$!
h_track "$boot_pid"
h_wait_file "$H_DIR/pid" . 5
fake_pid=$(cat "$H_DIR/pid")
h_track "$fake_pid"
kill -KILL "$boot_pid"
sleep 2
h_that "boot: no QEMU left 2 s after SIGKILL of softoff-qemu" '! h_alive "$fake_pid"'

# SIGINT to boot (a ^C in CI): QEMU stopped, status 130, at once
rm -f "$H_DIR/pid"
FAKE_QEMU_MODE=silent FAKE_QEMU_PIDFILE=$H_DIR/pid "$SQ" boot --qemu "$FAKE_QEMU" \
	--kernel "$H_DIR/k" --initrd "$H_DIR/k" >"$H_DIR/out" 2>&1 &
boot_pid=$!
h_track "$boot_pid"
h_wait_file "$H_DIR/pid" . 5
fake_pid=$(cat "$H_DIR/pid")
h_track "$fake_pid"
start=$(now_ms)
kill -INT "$boot_pid"
wait "$boot_pid"
rc=$? ms=$(($(now_ms) - start))
h_that "boot, SIGINT: status 130 (got $rc) at once ($ms ms)" '[ $rc = 130 ] && [ $ms -lt 2000 ]'
sleep 0.2
h_that "boot, SIGINT: no QEMU left" '! h_alive "$fake_pid"'
h_done
