#!/bin/sh
# `softoff-qemu boot --kernel K --payload PROGRAM --expect guest:N`: the image made in memory
# runs PROGRAM (a static program, here one that exits 7) through the agent, and the harness
# decodes its status: guest:7 passes, guest:8 is a mismatch (status 1) naming both.
. "$(dirname "$0")/../lib.sh"
need_harness
need_agent
need_kernel
command -v musl-gcc >/dev/null || t_skip "musl-gcc missing (scripts/deps.sh build)"

printf 'int main(void) { return 7; }\n' >"$T_DIR/exit7.c"
musl-gcc -static -Os -s -o "$T_DIR/exit7" "$T_DIR/exit7.c" || t_abort "musl-gcc failed"

"$T_HARNESS" boot --kernel "$T_KERNEL" --payload "$T_DIR/exit7" --expect guest:7 \
	--console "$T_DIR/console" >"$T_DIR/out" 2>&1
rc=$?
cat "$T_DIR/out"
t_that "payload exits 7, --expect guest:7: pass (got $rc)" '[ $rc = 0 ]'
t_that "summary: PASS payload exited 7 (status 143)" \
	'grep -q "^PASS payload exited 7 (status 143)" "$T_DIR/out"'

"$T_HARNESS" boot --kernel "$T_KERNEL" --payload "$T_DIR/exit7" --expect guest:8 >"$T_DIR/out" 2>&1
rc=$?
head -n 1 "$T_DIR/out"
t_that "payload exits 7, --expect guest:8: mismatch status 1 (got $rc)" '[ $rc = 1 ]'
t_that "summary names both" \
	'head -n 1 "$T_DIR/out" | grep -q "expected payload exit 8 (status 145), got: payload exited 7 (status 143)"'
t_done
