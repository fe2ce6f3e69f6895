#!/bin/sh
# `softoff-qemu boot` failures have their own statuses: an image without the agent times out
# (3, never a pass, console tail shown); a kernel panic gives 4; --press never on an image
# whose guest never exits times out too.
. "$(dirname "$0")/../harness-lib.sh"

h_need_guest
img=$(h_image noagent --no-agent)
start=$(now_ms)
"$SQ" boot --kernel "$KERNEL" --initrd "$img" --timeout 12 >"$H_DIR/out" 2>&1
rc=$? ms=$(($(now_ms) - start))
cat "$H_DIR/out"
h_that "no agent: timeout status 3 (got $rc)" '[ $rc = 3 ]'
h_that "no agent: stops at --timeout 12 ($ms ms)" '[ $ms -ge 11500 ] && [ $ms -lt 20000 ]'
h_that "no agent: says no armed line came" 'grep -q "no .softoff-agent: armed. line" "$H_DIR/out"'
h_that "no agent: prints the console tail" 'grep -q "last console lines" "$H_DIR/out"'

img=$(h_image agent)
"$SQ" boot --kernel "$KERNEL" --initrd "$img" --append "rdinit=/nonexistent" --timeout 60 \
	>"$H_DIR/out" 2>&1
rc=$?
head -n 1 "$H_DIR/out"
h_that "kernel panic: status 4 (got $rc)" '[ $rc = 4 ]'
h_that "kernel panic: the summary quotes the panic" \
	'head -n 1 "$H_DIR/out" | grep -q "^FAIL guest kernel panicked: Kernel panic - not syncing"'
h_done
