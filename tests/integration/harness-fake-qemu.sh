#!/bin/sh
# softoff-qemu against a fake "qemu" that speaks bad QMP on the inherited fd: a clear error,
# the documented status (boot 5, run 126), no hang, and no fake left running.
. "$(dirname "$0")/../harness-lib.sh"

: >"$H_DIR/kernel"
: >"$H_DIR/initrd"

boot_fake() { # MODE
	FAKE_QEMU_MODE=$1 FAKE_QEMU_PIDFILE=$H_DIR/pid "$SQ" boot --qemu "$FAKE_QEMU" \
		--kernel "$H_DIR/kernel" --initrd "$H_DIR/initrd" --timeout 60 >"$H_DIR/out" 2>&1
}

for mode in garbage eof silent; do
	rm -f "$H_DIR/pid"
	start=$(now_ms)
	boot_fake $mode
	rc=$? ms=$(($(now_ms) - start))
	h_that "boot, fake QEMU '$mode': status 5 (got $rc, $ms ms)" '[ $rc = 5 ]'
	h_that "boot, fake QEMU '$mode': ends well before --timeout" '[ $ms -lt 15000 ]'
	h_that "boot, fake QEMU '$mode': the error says what broke: $(head -n 1 "$H_DIR/out")" \
		'grep -qE "QMP (monitor failed|monitor did not answer)|not a QMP monitor|not JSON|closed" "$H_DIR/out"'
	sleep 0.2
	h_that "boot, fake QEMU '$mode': not left running" '! h_alive "$(cat "$H_DIR/pid")"'
done
h_that "garbage: the message quotes the line" 'boot_fake garbage; grep -q "Welcome to the fake monitor" "$H_DIR/out"'

rm -f "$H_DIR/pid"
start=$(now_ms)
FAKE_QEMU_MODE=garbage FAKE_QEMU_PIDFILE=$H_DIR/pid "$SQ" run --quit-timeout 2 -- "$FAKE_QEMU" \
	>"$H_DIR/out" 2>&1
rc=$? ms=$(($(now_ms) - start))
h_that "run, fake QEMU 'garbage': status 126 (got $rc, $ms ms)" '[ $rc = 126 ]'
h_that "run, fake QEMU 'garbage': ends within 5 s" '[ $ms -lt 5000 ]'
h_that "run, fake QEMU 'garbage': says the monitor failed" 'grep -q "QMP monitor failed" "$H_DIR/out"'
h_that "run, fake QEMU 'garbage': not left running" '! h_alive "$(cat "$H_DIR/pid")"'

"$SQ" run -- /nonexistent/qemu >"$H_DIR/out" 2>&1
rc=$?
h_that "run, no such QEMU binary: status 126 (got $rc)" '[ $rc = 126 ]'
h_that "run, no such QEMU binary: names it" 'grep -q "/nonexistent/qemu.*No such file" "$H_DIR/out"'

for status in 99 7 0; do
	FAKE_QEMU_MODE=exit FAKE_QEMU_STATUS=$status "$SQ" run -- "$FAKE_QEMU" >/dev/null 2>&1
	rc=$?
	want=$status
	[ $status = 99 ] && want=0
	h_that "run: QEMU status $status -> $want (got $rc)" '[ $rc = $want ]'
done
FAKE_QEMU_MODE=exit FAKE_QEMU_STATUS=7 "$SQ" run --success-status 7 -- "$FAKE_QEMU" >/dev/null 2>&1
rc=$?
h_that "run --success-status 7: QEMU status 7 -> 0 (got $rc)" '[ $rc = 0 ]'
h_done
