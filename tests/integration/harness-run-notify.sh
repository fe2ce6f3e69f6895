#!/bin/sh
# `softoff-qemu run --notify` with $NOTIFY_SOCKET set (build/tests/tools/notify-listen stands
# in for systemd): READY=1 once QEMU runs the guest, STOPPING=1 after SIGTERM, in that order
# and once each; the guest still powers off cleanly. Under -S, READY=1 waits for `cont`.
. "$(dirname "$0")/../lib.sh"
need_harness
need_built tests/tools/notify-listen
need_kernel
need_agent
listen=$SOFTOFF_BUILD/tests/tools/notify-listen

# listen NAME: a listener on T_DIR/NAME.sock printing to T_DIR/NAME (pid in listen_pid)
listen() {
	"$listen" --count 3 --timeout 60 "$T_DIR/$1.sock" >"$T_DIR/$1" 2>&1 &
	listen_pid=$!
	t_track "$listen_pid"
	wait_for_socket "$T_DIR/$1.sock" 5 || t_abort "notify-listen made no socket within 5 s"
}
notes() { tr '\n' ' ' <"$T_DIR/$1"; }

build_image "$T_DIR/agent.gz"
guest_qemu "$T_DIR/qemu" "$T_DIR/agent.gz" "$T_DIR/console"
listen agent
NOTIFY_SOCKET=$T_DIR/agent.sock "$T_HARNESS" run --notify --grace 20 -- "$T_DIR/qemu" \
	>"$T_DIR/out" 2>&1 &
run_pid=$!
t_track "$run_pid"
t_that "READY=1 once QEMU runs the guest" 'wait_for_line "$T_DIR/agent" "^READY=1$" 20'
wait_for_line "$T_DIR/console" 'softoff-agent: armed' 60 || t_abort "the guest did not arm"
before=$(notes agent)
kill -TERM "$run_pid"
wait "$run_pid"
rc=$?
wait_for_line "$T_DIR/agent" '^STOPPING=1$' 5
sleep 0.3 # anything sent later would show now
cat "$T_DIR/out"
t_that "before SIGTERM: READY=1 only (got: $before)" '[ "$before" = "READY=1 " ]'
t_that "READY=1, then STOPPING=1 after SIGTERM, once each (got: $(notes agent))" \
	'[ "$(notes agent)" = "READY=1 STOPPING=1 " ]'
t_that "the guest powered off cleanly: exit 0 (got $rc)" '[ $rc = 0 ]'

# -S: QEMU starts paused; ready only when someone resumes it (here: cont on the user's monitor)
listen paused
NOTIFY_SOCKET=$T_DIR/paused.sock "$T_HARNESS" run --notify --grace 1 -- qemu-system-x86_64 \
	-machine none -accel tcg -nodefaults -display none -S \
	-qmp "unix:$T_DIR/qmp.sock,server=on,wait=off" >"$T_DIR/out" 2>&1 &
run_pid=$!
t_track "$run_pid"
wait_for_socket "$T_DIR/qmp.sock" 5 || t_abort "QEMU made no QMP socket within 5 s"
sleep 1
t_that "-S: no READY=1 while paused (got: $(notes paused))" '[ ! -s "$T_DIR/paused" ]'
"$T_HARNESS" qmp "$T_DIR/qmp.sock" cont >/dev/null
t_that "-S: READY=1 after cont" 'wait_for_line "$T_DIR/paused" "^READY=1$" 5'
kill -TERM "$run_pid"
wait "$run_pid"
rc=$?
t_that "-S: READY=1, then STOPPING=1 (got: $(notes paused))" '[ "$(notes paused)" = "READY=1 STOPPING=1 " ]'
t_that "-S: no guest to power off: quit after the 1 s grace, status 124 (got $rc)" '[ $rc = 124 ]'
t_done
