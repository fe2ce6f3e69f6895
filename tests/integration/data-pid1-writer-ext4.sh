#!/bin/sh
# PID 1 is a respawning busybox sh that appends acknowledged records to ext4 itself and never
# stops; the agent runs in the background. SIGTERM to `softoff-qemu run` at a random moment:
# ext4 is frozen (it cannot be unmounted under a writer that never stops): journal clean
# (no needs_recovery), `e2fsck -fn` clean; every acknowledged record on the disk; and the agent never unmounted the filesystem
# under the writer (its next append would land in the initramfs directory and be lost).
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --writer pid1 --fs ext4 --cycles 1
