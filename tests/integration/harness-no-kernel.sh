#!/bin/sh
# `softoff-qemu boot` with a kernel or initrd that cannot be read: a clear error naming the
# file, usage status 2, and QEMU never started.
. "$(dirname "$0")/../lib.sh"
need_harness

: >"$T_DIR/initrd"
FAKE_QEMU_MARKER=$T_DIR/started "$T_HARNESS" boot --qemu "$FAKE_QEMU" --kernel "$T_DIR/no-such-kernel" \
	--initrd "$T_DIR/initrd" >"$T_DIR/out" 2>&1
rc=$?
t_that "nonexistent kernel: status 2 (got $rc)" '[ $rc = 2 ]'
t_that "nonexistent kernel: the message names the file: $(cat "$T_DIR/out")" \
	'grep -q "no-such-kernel.*No such file" "$T_DIR/out"'
t_that "nonexistent kernel: QEMU was not started" '[ ! -e "$T_DIR/started" ]'

FAKE_QEMU_MARKER=$T_DIR/started "$T_HARNESS" boot --qemu "$FAKE_QEMU" --kernel "$T_DIR/initrd" \
	--initrd "$T_DIR/nope.cpio.gz" >"$T_DIR/out" 2>&1
rc=$?
t_that "nonexistent initrd: status 2 (got $rc)" '[ $rc = 2 ]'
t_that "nonexistent initrd: QEMU was not started" '[ ! -e "$T_DIR/started" ]'

"$T_HARNESS" boot --initrd "$T_DIR/initrd" >"$T_DIR/out" 2>&1
rc=$?
t_that "missing --kernel: status 2 (got $rc)" '[ $rc = 2 ]'
"$T_HARNESS" boot --kernel "$T_DIR/initrd" --initrd "$T_DIR/initrd" --expect sometimes >"$T_DIR/out" 2>&1
rc=$?
t_that "bad --expect: status 2 (got $rc)" '[ $rc = 2 ] && grep -q "expect" "$T_DIR/out"'
"$T_HARNESS" run --map TERM=explode -- true >"$T_DIR/out" 2>&1
rc=$?
t_that "run, bad --map: status 2 (got $rc)" '[ $rc = 2 ] && grep -q "explode" "$T_DIR/out"'
for cmd in boot run qmp; do
	t_that "$cmd --help documents the exit statuses" \
		'"$T_HARNESS" $cmd --help | grep -q "^Exit status"'
done
t_done
