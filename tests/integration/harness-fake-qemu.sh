#!/bin/sh
# softoff-qemu against a fake "qemu" that speaks bad QMP on the inherited fd: a clear error,
# the documented status (boot 5, run 126), no hang, and no fake left running.
. "$(dirname "$0")/../lib.sh"
need_harness

: >"$T_DIR/kernel"
: >"$T_DIR/initrd"

boot_fake() { # MODE
	FAKE_QEMU_MODE=$1 FAKE_QEMU_PIDFILE=$T_DIR/pid "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
		--arch x86_64 --kernel "$T_DIR/kernel" --initrd "$T_DIR/initrd" --timeout 60 >"$T_DIR/out" 2>&1
}

for mode in garbage eof silent; do
	rm -f "$T_DIR/pid"
	start=$(now_ms)
	boot_fake $mode
	rc=$? ms=$(($(now_ms) - start))
	t_that "boot, fake QEMU '$mode': status 5 (got $rc, $ms ms)" '[ $rc = 5 ]'
	t_that "boot, fake QEMU '$mode': ends well before --timeout" '[ $ms -lt 15000 ]'
	t_that "boot, fake QEMU '$mode': the error says what broke: $(head -n 1 "$T_DIR/out")" \
		'grep -qE "QMP (monitor failed|monitor did not answer)|not a QMP monitor|not JSON|closed" "$T_DIR/out"'
	sleep 0.2
	t_that "boot, fake QEMU '$mode': not left running" '! pid_alive "$(cat "$T_DIR/pid")"'
done
t_that "garbage: the message quotes the line" 'boot_fake garbage; grep -q "Welcome to the fake monitor" "$T_DIR/out"'

rm -f "$T_DIR/pid"
start=$(now_ms)
FAKE_QEMU_MODE=garbage FAKE_QEMU_PIDFILE=$T_DIR/pid "$T_HARNESS" run --quit-timeout 2 -- "$FAKE_QEMU" \
	>"$T_DIR/out" 2>&1
rc=$? ms=$(($(now_ms) - start))
t_that "run, fake QEMU 'garbage': status 126 (got $rc, $ms ms)" '[ $rc = 126 ]'
t_that "run, fake QEMU 'garbage': ends within 5 s" '[ $ms -lt 5000 ]'
t_that "run, fake QEMU 'garbage': says the monitor failed" 'grep -q "QMP monitor failed" "$T_DIR/out"'
t_that "run, fake QEMU 'garbage': not left running" '! pid_alive "$(cat "$T_DIR/pid")"'

"$T_HARNESS" run -- /nonexistent/qemu >"$T_DIR/out" 2>&1
rc=$?
t_that "run, no such QEMU binary: status 126 (got $rc)" '[ $rc = 126 ]'
t_that "run, no such QEMU binary: names it" 'grep -q "/nonexistent/qemu.*No such file" "$T_DIR/out"'

for status in 99 7 0; do
	FAKE_QEMU_MODE=exit FAKE_QEMU_STATUS=$status "$T_HARNESS" run -- "$FAKE_QEMU" >/dev/null 2>&1
	rc=$?
	want=$status
	[ $status = 99 ] && want=0
	t_that "run: QEMU status $status -> $want (got $rc)" '[ $rc = $want ]'
done
FAKE_QEMU_MODE=exit FAKE_QEMU_STATUS=7 "$T_HARNESS" run --success-status 7 -- "$FAKE_QEMU" >/dev/null 2>&1
rc=$?
t_that "run --success-status 7: QEMU status 7 -> 0 (got $rc)" '[ $rc = 0 ]'
t_done
