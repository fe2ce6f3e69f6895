#!/bin/sh
# `softoff-qemu qmp SOCKET COMMAND [JSON-ARGS]` against a real QEMU's -qmp unix socket:
# the return value as JSON, an error's desc with status 1, no socket with status 5.
. "$(dirname "$0")/../harness-lib.sh"

command -v qemu-system-x86_64 >/dev/null || h_skip "no qemu-system-x86_64"
sock=$H_DIR/qmp.sock
qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none \
	-qmp "unix:$sock,server=on,wait=off" >/dev/null 2>&1 &
qemu_pid=$!
h_track "$qemu_pid"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

out=$("$SQ" qmp "$sock" query-status)
rc=$?
h_that "query-status: status 0, JSON return ($out)" \
	'[ $rc = 0 ] && echo "$out" | grep -q "\"running\":true"'
out=$("$SQ" qmp "$sock" human-monitor-command '{"command-line": "info version"}')
h_that "arguments are passed: $out" 'echo "$out" | grep -q "7\."'
"$SQ" qmp "$sock" no-such-command >"$H_DIR/out" 2>&1
rc=$?
h_that "an error reply: status 1 and its desc ($(cat "$H_DIR/out"))" \
	'[ $rc = 1 ] && grep -q "has not been found" "$H_DIR/out"'
"$SQ" qmp "$sock" query-status '{not json' >/dev/null 2>&1
rc=$?
h_that "bad JSON-ARGS: status 2 (got $rc)" '[ $rc = 2 ]'
"$SQ" qmp "$H_DIR/none.sock" query-status >/dev/null 2>&1
rc=$?
h_that "no socket: status 5 (got $rc)" '[ $rc = 5 ]'
"$SQ" qmp "$sock" quit >/dev/null
wait "$qemu_pid"
h_that "quit ends QEMU (status $?)" '! h_alive "$qemu_pid"'
h_done
