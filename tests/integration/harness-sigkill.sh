#!/bin/sh
# SIGKILL of softoff-qemu: QEMU dies with it (PR_SET_PDEATHSIG), so no QEMU is left 2 s later.
. "$(dirname "$0")/../lib.sh"
need_harness

command -v qemu-system-x86_64 >/dev/null || t_skip "no qemu-system-x86_64"
"$T_HARNESS" run -- qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none \
	>"$T_DIR/out" 2>&1 &
run_pid=$!
qemu_pid=$(first_child_of "$run_pid")
t_track "$run_pid" "$qemu_pid"
sleep 0.5
t_that "QEMU runs under softoff-qemu run (pid $qemu_pid)" 'pid_alive "$qemu_pid"'
kill -KILL "$run_pid"
sleep 2
t_that "run: no QEMU left 2 s after SIGKILL of softoff-qemu" '! pid_alive "$qemu_pid"'

# the same for boot, with a fake QEMU that would otherwise wait for ever
: >"$T_DIR/k"
FAKE_QEMU_MODE=silent FAKE_QEMU_PIDFILE=$T_DIR/pid "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
	--arch x86_64 --kernel "$T_DIR/k" --initrd "$T_DIR/k" >/dev/null 2>&1 &
boot_pid=$!
t_track "$boot_pid"
wait_for_line "$T_DIR/pid" . 5
fake_pid=$(cat "$T_DIR/pid")
t_track "$fake_pid"
kill -KILL "$boot_pid"
sleep 2
t_that "boot: no QEMU left 2 s after SIGKILL of softoff-qemu" '! pid_alive "$fake_pid"'

# SIGINT to boot (a ^C in CI): QEMU stopped, status 130, at once
rm -f "$T_DIR/pid"
FAKE_QEMU_MODE=silent FAKE_QEMU_PIDFILE=$T_DIR/pid "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
	--arch x86_64 --kernel "$T_DIR/k" --initrd "$T_DIR/k" >"$T_DIR/out" 2>&1 &
boot_pid=$!
t_track "$boot_pid"
wait_for_line "$T_DIR/pid" . 5
fake_pid=$(cat "$T_DIR/pid")
t_track "$fake_pid"
start=$(now_ms)
kill -INT "$boot_pid"
wait "$boot_pid"
rc=$? ms=$(($(now_ms) - start))
t_that "boot, SIGINT: status 130 (got $rc) at once ($ms ms)" '[ $rc = 130 ] && [ $ms -lt 2000 ]'
sleep 0.2
t_that "boot, SIGINT: no QEMU left" '! pid_alive "$fake_pid"'
t_done
