#!/bin/sh
# Compatibility matrix, arrangement "shell-respawn": PID 1 is a busybox sh /init that starts
# the agent in the background and then runs its service in a loop, starting it again
# whenever it ends (tests/data/arrangements/shell-respawn.init with the workload
# tests/data/compat/shell-workload.sh). The kill step must not wait for the children PID 1
# starts after it: the power-off stays within the bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test shell-respawn cloud none q35
expect_console 'softoff-agent [^ ]+ starting \(pid ([2-9]|[0-9][0-9]+)\)' \
	"the agent is not PID 1 (control: the arrangement is in effect)"
expect_console 'init: service ended, restarting it' \
	"PID 1 restarted its service during the power-off (control: the respawn happened)"
t_done
