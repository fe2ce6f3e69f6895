#!/bin/sh
# QEMU options that take QEMU out of softoff-qemu's hands are refused before QEMU starts:
# with -daemonize QEMU detaches, so `run` saw "QEMU exited with status 0" at once and left
# the daemon running unsupervised. Now: usage status 2, the message names the option, no
# QEMU started. The controls (the same command lines without the option) do start QEMU.
. "$(dirname "$0")/../lib.sh"
need_harness
command -v qemu-system-x86_64 >/dev/null || t_skip "no qemu-system-x86_64"

: >"$T_DIR/kernel"
: >"$T_DIR/initrd"
# a QEMU that a bad run would leave behind as a daemon: found through its pidfile, killed
reap_daemon() { [ -s "$T_DIR/qemu.pid" ] && kill -KILL "$(cat "$T_DIR/qemu.pid")" 2>/dev/null; }
trap 'reap_daemon; t_cleanup' EXIT

for spelling in -daemonize --daemonize; do
	rm -f "$T_DIR/qemu.pid"
	"$T_HARNESS" run -- qemu-system-x86_64 -machine none -accel tcg -nodefaults -display none \
		"$spelling" -pidfile "$T_DIR/qemu.pid" >"$T_DIR/out" 2>&1
	rc=$?
	sleep 0.5 # a daemonized QEMU writes its pidfile after the parent has gone
	t_that "run $spelling: usage status 2 (got $rc)" '[ $rc = 2 ]'
	t_that "run $spelling: the message names the option: $(head -n 1 "$T_DIR/out")" \
		'grep -q "'"'"'-daemonize'"'"'" "$T_DIR/out"'
	t_that "run $spelling: no QEMU was started" '[ ! -e "$T_DIR/qemu.pid" ]'
	reap_daemon
done

# boot: the fake QEMU proves whether anything was started (its marker file)
boot_fake() { # EXTRA-QEMU-ARG...
	rm -f "$T_DIR/marker"
	FAKE_QEMU_MODE=exit FAKE_QEMU_MARKER=$T_DIR/marker "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
		--arch x86_64 --kernel "$T_DIR/kernel" --initrd "$T_DIR/initrd" --timeout 20 -- "$@" >"$T_DIR/out" 2>&1
}
boot_fake -daemonize
rc=$?
t_that "boot -- -daemonize: usage status 2 (got $rc)" '[ $rc = 2 ]'
t_that "boot -- -daemonize: the message names the option: $(head -n 1 "$T_DIR/out")" \
	'grep -q "'"'"'-daemonize'"'"'" "$T_DIR/out"'
t_that "boot -- -daemonize: QEMU was not started" '[ ! -e "$T_DIR/marker" ]'
boot_fake -name x
t_that "control, boot -- -name x: QEMU was started" '[ -e "$T_DIR/marker" ]'

FAKE_QEMU_MODE=exit FAKE_QEMU_STATUS=99 FAKE_QEMU_MARKER=$T_DIR/marker \
	"$T_HARNESS" run -- "$FAKE_QEMU" -name x >/dev/null 2>&1
rc=$?
t_that "control, run -- QEMU -name x: QEMU was started, status 0 (got $rc)" \
	'[ -e "$T_DIR/marker" ] && [ $rc = 0 ]'
t_done
