#!/bin/sh
# Compatibility matrix, arrangement "busybox-init": PID 1 is busybox init with `::respawn:`
# lines for a getty on the console and a service, the agent started from `::once:`
# (tests/data/arrangements/busybox-init.init with tests/data/compat/inittab). init restarts
# every respawn child the kill step stops; the power-off stays within the bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test busybox-init cloud none q35
expect_console 'softoff-agent [^ ]+ starting \(pid ([2-9]|[0-9][0-9]+)\)' \
	"the agent is not PID 1 (control: the arrangement is in effect)"
expect_console 'login:' "getty is on the console (control: the inittab is in effect)"
t_done
