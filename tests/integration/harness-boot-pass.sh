#!/bin/sh
# `softoff-qemu boot` with the agent: PASS (exit 0, QEMU status 99) with the documented
# summary line, the console kept with --console, TAP with --tap, and a press sent before the
# agent listens (--press 0.3) re-sent until the guest powers off.
. "$(dirname "$0")/../harness-lib.sh"

h_need_guest
img=$(h_image agent)
"$SQ" boot --kernel "$KERNEL" --initrd "$img" --console "$H_DIR/console" >"$H_DIR/out" 2>&1
rc=$?
cat "$H_DIR/out"
h_that "boot passes: status 0 (got $rc)" '[ $rc = 0 ]'
h_that "summary line: PASS guest powered off cleanly (status 99) in N s: boot N s, power-off N s" \
	'grep -qE "^PASS guest powered off cleanly \(status 99\) in [0-9.]+ s: boot [0-9.]+ s, power-off [0-9.]+ s$" "$H_DIR/out"'
h_that "--console keeps the console with the armed line" \
	'grep -q "softoff-agent: armed" "$H_DIR/console"'

"$SQ" boot --kernel "$KERNEL" --initrd "$img" --tap >"$H_DIR/out" 2>&1
rc=$?
h_that "--tap: status 0 and TAP output ($(tail -n 1 "$H_DIR/out"))" \
	'[ $rc = 0 ] && grep -q "^1\.\.1$" "$H_DIR/out" && grep -q "^ok 1 - guest powered off" "$H_DIR/out"'

"$SQ" boot --kernel "$KERNEL" --initrd "$img" --press 0.3 --verbose >"$H_DIR/out" 2>&1
rc=$?
presses=$(grep -c '"execute":"system_powerdown"' "$H_DIR/out")
h_that "--press 0.3 (before the agent listens): passes all the same (got $rc)" '[ $rc = 0 ]'
h_that "--press 0.3: the button was pressed again ($presses presses)" '[ "$presses" -ge 2 ]'
h_that "--verbose echoes the console" 'grep -q "softoff-agent: armed" "$H_DIR/out"'

"$SQ" boot --kernel "$KERNEL" --initrd "$img" --quiet >"$H_DIR/out" 2>&1
rc=$?
h_that "--quiet: nothing printed on a pass (got $rc, $(wc -c <"$H_DIR/out") bytes)" \
	'[ $rc = 0 ] && [ ! -s "$H_DIR/out" ]'
h_done
