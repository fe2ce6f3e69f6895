#!/bin/sh
# `softoff-qemu run` when nothing in the guest reacts to the power button (QEMU with
# -machine none, or a fake QEMU that ignores quit): SIGTERM -> powerdown -> --grace -> quit
# (status 124) -> --quit-timeout -> SIGKILL (status 128); a second SIGTERM moves on at once;
# SIGCONT is harmless; --map changes what a signal does.
. "$(dirname "$0")/../lib.sh"
need_harness

command -v qemu-system-x86_64 >/dev/null || t_skip "no qemu-system-x86_64"
set -- qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none

# run_bg OPTIONS... -- QEMU...: start softoff-qemu run in the background (pid in $run_pid)
run_bg() {
	"$T_HARNESS" run "$@" >"$T_DIR/out" 2>&1 &
	run_pid=$!
	t_track "$run_pid"
	qemu_pid=$(first_child_of "$run_pid")
	sleep 0.5 # the QMP handshake
}
# send_signals SIG...: to softoff-qemu, 0.2 s apart; finish's clock starts at the first.
send_signals() {
	start=$(now_ms)
	kill -"$1" "$run_pid"
	shift
	for ss_sig in "$@"; do
		sleep 0.2
		kill -"$ss_sig" "$run_pid"
	done
}
finish() { # -> $rc, $ms since $start
	wait "$run_pid"
	rc=$?
	ms=$(($(now_ms) - start))
}

run_bg --grace 1.5 --quit-timeout 3 -- "$@"
kill -CONT "$run_pid"
sleep 0.3
t_that "SIGCONT is harmless: QEMU still runs" 'pid_alive "$qemu_pid"'
send_signals TERM
finish
t_that "SIGTERM, guest ignores the button: status 124 after the grace (got $rc, $ms ms)" \
	'[ $rc = 124 ] && [ $ms -ge 1400 ] && [ $ms -lt 4000 ]'
t_that "the log tells the story" \
	'grep -q "power button pressed" "$T_DIR/out" && grep -q "quit sent" "$T_DIR/out"'

run_bg --grace 30 -- "$@"
send_signals TERM TERM
finish
t_that "second SIGTERM escalates to quit at once: status 124 (got $rc, $ms ms)" \
	'[ $rc = 124 ] && [ $ms -lt 3000 ]'

run_bg --grace 1 --quit-timeout 1 -- env FAKE_QEMU_MODE=ignore-quit "$FAKE_QEMU"
send_signals TERM
finish
t_that "QEMU ignores quit: SIGKILL after the quit timeout, status 128 (got $rc, $ms ms)" \
	'[ $rc = 128 ] && [ $ms -ge 1800 ] && [ $ms -lt 5000 ]'

run_bg --grace 30 --quit-timeout 30 -- env FAKE_QEMU_MODE=ignore-quit "$FAKE_QEMU"
send_signals TERM TERM TERM
finish
t_that "three SIGTERMs: powerdown, quit, SIGKILL at once, status 128 (got $rc, $ms ms)" \
	'[ $rc = 128 ] && [ $ms -lt 3000 ]'

run_bg --map USR1=quit --map TERM=ignore -- "$@"
kill -TERM "$run_pid"
sleep 0.3
t_that "--map TERM=ignore: QEMU still runs" 'pid_alive "$qemu_pid"'
send_signals USR1
finish
t_that "--map USR1=quit: status 124 at once (got $rc, $ms ms)" '[ $rc = 124 ] && [ $ms -lt 3000 ]'

run_bg --verbose -- "$@"
kill -HUP "$run_pid"
t_that "SIGHUP: system_reset, QEMU reports RESET" 'wait_for_line "$T_DIR/out" "event RESET" 5'
t_that "SIGHUP: QEMU still runs" 'pid_alive "$qemu_pid"'
kill -QUIT "$run_pid"
finish
t_that "SIGQUIT: quit, status 124 (got $rc)" '[ $rc = 124 ]'
t_done
