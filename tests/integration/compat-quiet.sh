#!/bin/sh
# Compatibility matrix, command line "quiet" (on most distributions' kernel command lines):
# the console shows only warnings and worse. The host still needs the armed line to know
# when to press, and gets status 99 within the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud quiet q35
expect_no_console 'Run /init as init process' "the kernel's info lines are hidden (control: quiet is in effect)"
t_done
