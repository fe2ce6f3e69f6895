#!/bin/sh
# Data safety on an arm64 guest: SIGTERM to `softoff-qemu run` while the payload appends
# acknowledged records to an ext4 virtio disk; the disk must come back clean (no journal to
# replay, e2fsck clean) with every acknowledged record (tests/data-safety.sh --arch aarch64).
. "$(dirname "$0")/../lib.sh"
need_harness
need_arm64
out=$("$SOFTOFF_TOP/tests/data-safety.sh" --arch aarch64 --cycles 2)
rc=$?
echo "$out"
t_that "two cycles: every filesystem clean, nothing lost (status $rc)" '[ $rc = 0 ]'
t_that "the records were acknowledged and read back" \
	'echo "$out" | grep -q "runs 2, clean filesystems 2, records acknowledged [1-9]"'
t_that "the guests powered off through the agent (QEMU status 99)" \
	'[ "$(echo "$out" | grep -c "QEMU status 99,")" = 2 ]'
t_done
