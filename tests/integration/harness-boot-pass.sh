#!/bin/sh
# `softoff-qemu boot` with the agent: PASS (exit 0, QEMU status 99) with the documented
# summary line, the console kept with --console, TAP with --tap, and a press sent before the
# agent listens (--press 0.3) re-sent until the guest powers off.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
build_image "$T_DIR/agent.gz"
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --console "$T_DIR/console" >"$T_DIR/out" 2>&1
rc=$?
cat "$T_DIR/out"
t_that "boot passes: status 0 (got $rc)" '[ $rc = 0 ]'
t_that "summary line: PASS guest powered off cleanly (status 99) in N s: boot N s, power-off N s" \
	'grep -qE "^PASS guest powered off cleanly \(status 99\) in [0-9.]+ s: boot [0-9.]+ s, power-off [0-9.]+ s$" "$T_DIR/out"'
t_that "--console keeps the console with the armed line" \
	'grep -q "softoff-agent: armed" "$T_DIR/console"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --tap >"$T_DIR/out" 2>&1
rc=$?
t_that "--tap: status 0 and TAP output ($(tail -n 1 "$T_DIR/out"))" \
	'[ $rc = 0 ] && grep -q "^1\.\.1$" "$T_DIR/out" && grep -q "^ok 1 - guest powered off" "$T_DIR/out"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --press 0.3 --verbose >"$T_DIR/out" 2>&1
rc=$?
presses=$(grep -c '"execute":"system_powerdown"' "$T_DIR/out")
t_that "--press 0.3 (before the agent listens): passes all the same (got $rc)" '[ $rc = 0 ]'
t_that "--press 0.3: the button was pressed again ($presses presses)" '[ "$presses" -ge 2 ]'
t_that "--verbose echoes the console" 'grep -q "softoff-agent: armed" "$T_DIR/out"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --quiet >"$T_DIR/out" 2>&1
rc=$?
t_that "--quiet: nothing printed on a pass (got $rc, $(wc -c <"$T_DIR/out") bytes)" \
	'[ $rc = 0 ] && [ ! -s "$T_DIR/out" ]'
t_done
