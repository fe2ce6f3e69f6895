#!/bin/sh
# PID 1 is a respawning busybox sh that appends acknowledged records to vfat itself and never
# stops; the agent runs in the background. SIGTERM to `softoff-qemu run` at a random moment:
# vfat cannot be frozen, so it is remounted read-only and kept mounted: `fsck.fat -n` clean,
# dirty bit cleared; every acknowledged record on the disk; and the agent never unmounted the filesystem
# under the writer (its next append would land in the initramfs directory and be lost).
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --writer pid1 --fs vfat --cycles 1
