#!/bin/sh
# Compatibility matrix, kernel "generic": Debian's generic kernel (build/kernel-amd64), which
# boots about twice as slowly as the cloud one and has the AT keyboard as event0 claiming
# KEY_POWER. Status 99 within the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon generic none q35
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"armed on the ACPI power button, not the keyboard"
t_done
