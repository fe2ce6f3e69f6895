#!/bin/sh
# Compatibility matrix, machine "smp4" (q35 with -smp 4): the sequence's processes run on
# other CPUs than the press and the port write; status 99 within the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud none smp4
expect_console 'smp: Brought up 1 node, 4 CPUs' "the guest runs 4 CPUs (control: -smp 4 is in effect)"
t_done
