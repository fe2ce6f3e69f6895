#!/bin/sh
# `softoff-qemu boot --expect guest:N`: a payload (softoff.run=) exiting 3 passes with
# guest:3 and is a mismatch (status 1) with guest:4; the summary says what happened.
# arm64-payload.sh runs the same on an arm64 guest.
. "$(dirname "$0")/../lib.sh"
need_harness
need_guest
build_image "$T_DIR/agent.gz"
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --append 'softoff.run="exit 3"' \
	--expect guest:3 >"$T_DIR/out" 2>&1
rc=$?
cat "$T_DIR/out"
t_that "payload exits 3, --expect guest:3: pass (got $rc)" '[ $rc = 0 ]'
t_that "summary: PASS payload exited 3 (status 135)" \
	'grep -q "^PASS payload exited 3 (status 135)" "$T_DIR/out"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --append 'softoff.run="exit 4"' \
	--expect guest:3 >"$T_DIR/out" 2>&1
rc=$?
head -n 1 "$T_DIR/out"
t_that "payload exits 4, --expect guest:3: mismatch status 1 (got $rc)" '[ $rc = 1 ]'
t_that "summary names both" \
	'head -n 1 "$T_DIR/out" | grep -q "expected payload exit 3 (status 135), got: payload exited 4 (status 137)"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --append 'softoff.run="exit 4"' >"$T_DIR/out" 2>&1
rc=$?
t_that "payload exits 4, default --expect poweroff: not a pass (got $rc)" '[ $rc = 1 ]'
t_done
