#!/bin/sh
# The baseline, and proof that the data-safety check can fail: SIGTERM to bare QEMU (QEMU bug
# 1754656) must be reported as unclean (needs_recovery) with acknowledged records lost.
top=${SOFTOFF_TOP:-$(dirname "$0")/../..}
out=$("$top/tests/data-safety.sh" --mode bare --cycles 1)
rc=$?
echo "$out"
[ $rc = 1 ] || { echo "FAIL expected data-safety to report loss (status 1), got $rc"; exit 1; }
echo "$out" | grep -q 'filesystem needs_recovery' || { echo "FAIL journal not reported dirty"; exit 1; }
echo "$out" | grep -Eq 'lost [1-9]' || { echo "FAIL no acknowledged record reported lost"; exit 1; }
echo "PASS bare QEMU on SIGTERM: dirty journal and lost records detected"
