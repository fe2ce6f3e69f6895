#!/bin/sh
# (make matrix: about 40 s a cycle, as a second guest reads the records back)
# PID 1 is a respawning busybox sh that appends acknowledged records to xfs itself and never
# stops; the agent runs in the background. SIGTERM to `softoff-qemu run` at a random moment:
# xfs is remounted read-only (its freeze leaves a log xfs_repair finds dirty): `xfs_repair -n`
# clean; every acknowledged record on the disk; and the agent never unmounted the filesystem
# under the writer (its next append would land in the initramfs directory and be lost).
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --writer pid1 --fs xfs --cycles 1
