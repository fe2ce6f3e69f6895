#!/bin/sh
# `softoff-qemu boot` failures have their own statuses: an image without the agent times out
# (3, never a pass, console tail shown); a kernel panic gives 4; --press never on an image
# whose guest never exits times out too.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
build_image "$T_DIR/noagent.gz" --no-agent
start=$(now_ms)
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/noagent.gz" --timeout 12 >"$T_DIR/out" 2>&1
rc=$? ms=$(($(now_ms) - start))
cat "$T_DIR/out"
t_that "no agent: timeout status 3 (got $rc)" '[ $rc = 3 ]'
t_that "no agent: stops at --timeout 12 ($ms ms)" '[ $ms -ge 11500 ] && [ $ms -lt 20000 ]'
t_that "no agent: says no armed line came" 'grep -q "no .softoff-agent: armed. line" "$T_DIR/out"'
t_that "no agent: prints the console tail" 'grep -q "last console lines" "$T_DIR/out"'

build_image "$T_DIR/agent.gz"
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --append "rdinit=/nonexistent" --timeout 60 \
	>"$T_DIR/out" 2>&1
rc=$?
head -n 1 "$T_DIR/out"
t_that "kernel panic: status 4 (got $rc)" '[ $rc = 4 ]'
t_that "kernel panic: the summary quotes the panic" \
	'head -n 1 "$T_DIR/out" | grep -q "^FAIL guest kernel panicked: Kernel panic - not syncing"'
t_done
