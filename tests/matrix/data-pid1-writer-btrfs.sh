#!/bin/sh
# PID 1 is a respawning busybox sh that appends acknowledged records to btrfs itself and never
# stops; the agent runs in the background. SIGTERM to `softoff-qemu run` at a random moment:
# btrfs is frozen (its transaction committed): `btrfs check` clean. About 35 s a cycle (a second
# guest reads the records back), so it runs in make matrix; every acknowledged record on the disk; and the agent never unmounted the filesystem
# under the writer (its next append would land in the initramfs directory and be lost).
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --writer pid1 --fs btrfs --cycles 1
