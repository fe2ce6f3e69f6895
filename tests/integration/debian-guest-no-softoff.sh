#!/bin/sh
# The control for debian-guest-sigterm: the same Debian guest without softoff ignores the
# power button (no dbus, so no logind, so nothing handles KEY_POWER). softoff-qemu run has
# to quit it after the grace (exit 124) and the journal is left dirty: the check can fail.
. "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/lib.sh"

need_debian_guest test-plain --no-softoff
debian_data_safety --grace 10
t_that "data-safety reports the failure (status 1, got $ds_rc)" '[ "$ds_rc" = 1 ]'
t_that "softoff-qemu run had to quit QEMU after the grace (exit 124)" 'ds_says "exit status 124,"'
t_that "the journal was left dirty" 'ds_says "filesystem needs_recovery"'
t_done
