#!/bin/sh
# `softoff-qemu qmp SOCKET COMMAND [JSON-ARGS]` against a real QEMU's -qmp unix socket:
# the return value as JSON, an error's desc with status 1, no socket with status 5.
. "$(dirname "$0")/../lib.sh"
need_harness

command -v qemu-system-x86_64 >/dev/null || t_skip "no qemu-system-x86_64"
sock=$T_DIR/qmp.sock
qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none \
	-qmp "unix:$sock,server=on,wait=off" >/dev/null 2>&1 &
qemu_pid=$!
t_track "$qemu_pid"
wait_for_socket "$sock" 5 || t_abort "QEMU made no QMP socket within 5 s"

out=$("$T_HARNESS" qmp "$sock" query-status)
rc=$?
t_that "query-status: status 0, JSON return ($out)" \
	'[ $rc = 0 ] && echo "$out" | grep -q "\"running\":true"'
out=$("$T_HARNESS" qmp "$sock" human-monitor-command '{"command-line": "info version"}')
t_that "arguments are passed: $out" 'echo "$out" | grep -q "7\."'
"$T_HARNESS" qmp "$sock" no-such-command >"$T_DIR/out" 2>&1
rc=$?
t_that "an error reply: status 1 and its desc ($(cat "$T_DIR/out"))" \
	'[ $rc = 1 ] && grep -q "has not been found" "$T_DIR/out"'
"$T_HARNESS" qmp "$sock" query-status '{not json' >/dev/null 2>&1
rc=$?
t_that "bad JSON-ARGS: status 2 (got $rc)" '[ $rc = 2 ]'
"$T_HARNESS" qmp "$T_DIR/none.sock" query-status >/dev/null 2>&1
rc=$?
t_that "no socket: status 5 (got $rc)" '[ $rc = 5 ]'
"$T_HARNESS" qmp "$sock" quit >/dev/null
wait "$qemu_pid"
t_that "quit ends QEMU (status $?)" '! pid_alive "$qemu_pid"'
t_done
