#!/bin/sh
# `docker stop` timing: SIGTERM to `softoff-qemu run --grace 8`, SIGKILL 10 s later -> still
# clean and nothing lost (the power-off finishes well inside the 10 s).
exec "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/data-safety.sh" --mode docker --cycles 1
