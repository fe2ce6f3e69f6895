#!/bin/sh
# `softoff-qemu boot --expect guest:N`: a payload (softoff.run=) exiting 3 passes with
# guest:3 and is a mismatch (status 1) with guest:4; the summary says what happened.
. "$(dirname "$0")/../harness-lib.sh"

h_need_guest
img=$(h_image agent)
"$SQ" boot --kernel "$KERNEL" --initrd "$img" --append 'softoff.run="exit 3"' \
	--expect guest:3 >"$H_DIR/out" 2>&1
rc=$?
cat "$H_DIR/out"
h_that "payload exits 3, --expect guest:3: pass (got $rc)" '[ $rc = 0 ]'
h_that "summary: PASS payload exited 3 (status 135)" \
	'grep -q "^PASS payload exited 3 (status 135)" "$H_DIR/out"'

"$SQ" boot --kernel "$KERNEL" --initrd "$img" --append 'softoff.run="exit 4"' \
	--expect guest:3 >"$H_DIR/out" 2>&1
rc=$?
head -n 1 "$H_DIR/out"
h_that "payload exits 4, --expect guest:3: mismatch status 1 (got $rc)" '[ $rc = 1 ]'
h_that "summary names both" \
	'head -n 1 "$H_DIR/out" | grep -q "expected payload exit 3 (status 135), got: payload exited 4 (status 137)"'

"$SQ" boot --kernel "$KERNEL" --initrd "$img" --append 'softoff.run="exit 4"' >"$H_DIR/out" 2>&1
rc=$?
h_that "payload exits 4, default --expect poweroff: not a pass (got $rc)" '[ $rc = 1 ]'
h_done
