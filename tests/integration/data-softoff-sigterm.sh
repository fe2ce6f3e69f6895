#!/bin/sh
# The headline: SIGTERM to `softoff-qemu run` at a random moment while the guest appends
# records without fsync -> journal clean, e2fsck clean, every acknowledged record on disk.
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --mode softoff --cycles 2
