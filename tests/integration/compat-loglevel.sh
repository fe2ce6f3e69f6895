#!/bin/sh
# Compatibility matrix, command line "loglevel=1": the console shows only alerts and
# emergencies. The host still needs the armed line to know when to press, and gets status
# 99 within the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud loglevel=1 q35
expect_no_console 'Run /init as init process' "the kernel's info lines are hidden (control: loglevel=1 is in effect)"
t_done
