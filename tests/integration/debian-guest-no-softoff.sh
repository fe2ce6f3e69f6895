#!/bin/sh
# The control for debian-guest-sigterm: the same Debian guest without softoff ignores the
# power button (no dbus, so no logind, so nothing handles KEY_POWER). softoff-qemu run has
# to quit it after the grace (exit 124) and the journal is left dirty: the check can fail.
. "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/lib.sh"

need_debian_guest test-plain --no-softoff
out=$("$SOFTOFF_TOP/tests/data-safety.sh" --debian "$T_DEBIAN" --grace 10 --cycles 1)
rc=$?
echo "$out"
t_that "data-safety reports the failure (status 1, got $rc)" '[ "$rc" = 1 ]'
t_that "softoff-qemu run had to quit QEMU after the grace (exit 124)" 'echo "$out" | grep -q "exit status 124,"'
t_that "the journal was left dirty" 'echo "$out" | grep -q "filesystem needs_recovery"'
t_done
