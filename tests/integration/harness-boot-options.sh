#!/bin/sh
# `softoff-qemu boot` options for tests: --presses N (back to back, or --press-interval
# apart), --ready REGEX (another ready line), --debug-exit none|DEVICE, and the figures in
# --tap's YAML block (qemu-status, boot-ms, power-off-ms, presses).
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-slow 'echo "slow hook"; sleep 1'
build_image "$T_DIR/slow.gz" --hooks "$T_DIR/hooks"
boot() { # OPTION...: boot the slow-hook image, --tap --verbose; rc, out, log
	"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/slow.gz" --tap --verbose \
		--console "$T_DIR/console" "$@" >"$T_DIR/out" 2>"$T_DIR/log"
	rc=$?
	sed -n '/^ok 1 - \|^not ok 1 - /,$p' "$T_DIR/out"
}
figure() { sed -n "s/^  $1: //p" "$T_DIR/out"; }
presses_in_log() { grep -c '"execute": *"system_powerdown"' "$T_DIR/log"; }

boot --presses 5
n=$(presses_in_log)
t_that "--presses 5: pass (got $rc), five system_powerdown sent (log: $n)" '[ $rc = 0 ] && [ "$n" = 5 ]'
t_that "--tap figures: qemu-status 99, presses 5" \
	'[ "$(figure qemu-status)" = 99 ] && [ "$(figure presses)" = 5 ]'
t_that "--tap figures: boot-ms and power-off-ms are numbers ($(figure boot-ms), $(figure power-off-ms))" \
	'figure boot-ms | grep -qx "[0-9]\+" && figure power-off-ms | grep -qx "[0-9]\+"'
t_check "the hook ran once" [ "$(grep -c 'hook 10-slow: slow hook' "$T_DIR/console")" = 1 ]

start=$(now_ms)
boot --presses 4 --press-interval 0.25
n=$(presses_in_log)
t_that "--presses 4 --press-interval 0.25: pass (got $rc), four presses (log: $n)" \
	'[ $rc = 0 ] && [ "$n" = 4 ] && [ "$(figure presses)" = 4 ]'
t_that "... spread over 0.75 s at least (power-off took $(figure power-off-ms) ms)" \
	'[ "$(figure power-off-ms)" -ge 750 ]'

boot --ready '^softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button'
t_that "--ready REGEX matching the armed line: pass (got $rc)" '[ $rc = 0 ]'
boot --ready 'softoff-init: this line never comes' --timeout 8
t_that "--ready REGEX never seen: timeout status 3 (got $rc)" '[ $rc = 3 ]'
t_that "... and the verdict names the regex" 'grep -q "no .softoff-init: this line never comes. line" "$T_DIR/out"'
t_that "... with presses 0 and no qemu-status in the figures" \
	'[ "$(figure presses)" = 0 ] && [ -z "$(figure qemu-status)" ]'

boot --debug-exit none --expect qemu:0
t_that "--debug-exit none: the agent falls back, QEMU status 0 passes --expect qemu:0 (got $rc)" \
	'[ $rc = 0 ] && [ "$(figure qemu-status)" = 0 ]'
t_that "... because QEMU had no isa-debug-exit (the console says so)" \
	'grep -Eq "softoff-agent: .*(fallback|no isa-debug-exit)" "$T_DIR/console"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/slow.gz" --ready '(' >"$T_DIR/out" 2>&1
rc=$?
t_that "--ready with a bad regex: usage status 2 (got $rc: $(head -n 1 "$T_DIR/out"))" '[ $rc = 2 ]'
for bad in 0 101 x; do
	"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/slow.gz" --presses $bad >/dev/null 2>&1
	rc=$?
	t_that "--presses $bad: usage status 2 (got $rc)" '[ $rc = 2 ]'
done
t_that "boot --help documents the new options" \
	'"$T_HARNESS" boot --help | grep -q -- "--presses N" && "$T_HARNESS" boot --help | grep -q -- "--ready REGEX" &&
	"$T_HARNESS" boot --help | grep -q -- "--debug-exit DEVICE" && "$T_HARNESS" boot --help | grep -q -- "--press-interval"'
t_done
