#!/bin/sh
# `softoff-qemu boot` with a kernel or initrd that cannot be read: a clear error naming the
# file, usage status 2, and QEMU never started.
. "$(dirname "$0")/../harness-lib.sh"

: >"$H_DIR/initrd"
FAKE_QEMU_MARKER=$H_DIR/started "$SQ" boot --qemu "$FAKE_QEMU" --kernel "$H_DIR/no-such-kernel" \
	--initrd "$H_DIR/initrd" >"$H_DIR/out" 2>&1
rc=$?
h_that "nonexistent kernel: status 2 (got $rc)" '[ $rc = 2 ]'
h_that "nonexistent kernel: the message names the file: $(cat "$H_DIR/out")" \
	'grep -q "no-such-kernel.*No such file" "$H_DIR/out"'
h_that "nonexistent kernel: QEMU was not started" '[ ! -e "$H_DIR/started" ]'

FAKE_QEMU_MARKER=$H_DIR/started "$SQ" boot --qemu "$FAKE_QEMU" --kernel "$H_DIR/initrd" \
	--initrd "$H_DIR/nope.cpio.gz" >"$H_DIR/out" 2>&1
rc=$?
h_that "nonexistent initrd: status 2 (got $rc)" '[ $rc = 2 ]'
h_that "nonexistent initrd: QEMU was not started" '[ ! -e "$H_DIR/started" ]'

"$SQ" boot --initrd "$H_DIR/initrd" >"$H_DIR/out" 2>&1
rc=$?
h_that "missing --kernel: status 2 (got $rc)" '[ $rc = 2 ]'
"$SQ" boot --kernel "$H_DIR/initrd" --initrd "$H_DIR/initrd" --expect sometimes >"$H_DIR/out" 2>&1
rc=$?
h_that "bad --expect: status 2 (got $rc)" '[ $rc = 2 ] && grep -q "expect" "$H_DIR/out"'
"$SQ" run --map TERM=explode -- true >"$H_DIR/out" 2>&1
rc=$?
h_that "run, bad --map: status 2 (got $rc)" '[ $rc = 2 ] && grep -q "explode" "$H_DIR/out"'
for cmd in boot run qmp; do
	h_that "$cmd --help documents the exit statuses" \
		'"$SQ" $cmd --help | grep -q "^Exit status"'
done
h_done
